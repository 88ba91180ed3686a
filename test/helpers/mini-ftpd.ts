// A deliberately broken FTPS server for behaviours no packaged server shows on demand: data in
// cleartext after PROT P, uploads that fail half-way, DELE that fails, a session limit met on
// every run (ProFTPD meets it only when two logins race). In-memory files only.
import net from 'node:net';
import tls from 'node:tls';
import { lineSplitter, testCertificate } from './fixtures.js';

export interface MiniFtpdOptions {
  /** send LIST data in cleartext even after PROT P */
  cleartextDataDespiteProtP?: boolean;
  /** STOR stores the bytes, then answers 451 (a server failing mid-transfer) */
  failStorAfterStoring?: boolean;
  /** DELE answers 550 although the file exists */
  failDele?: boolean;
  /** LIST: close the data connection empty at once, and only then send 150 and 226 together */
  emptyListingBeforeReplies?: boolean;
  /** at most this many sessions logged in at once: PASS beyond it answers 530, as ProFTPD's MaxClientsPerHost does */
  maxLoggedIn?: number;
  /**
   * A LIST after a STOR on the same session stalls: 150, the data connection accepted, then no
   * TLS handshake and no reply (pyftpdlib 1.5.7 does so now and then). 'once': in the first
   * session that gets there only; 'always': in every one.
   */
  stallListAfterStor?: 'once' | 'always';
}

export interface MiniFtpd {
  port: number;
  files: Map<string, Buffer>;
  /** every command received, in order */
  log: string[];
  close(): Promise<void>;
}

export async function startMiniFtpd(opts: MiniFtpdOptions = {}): Promise<MiniFtpd> {
  const { key, cert } = testCertificate();
  const files = new Map<string, Buffer>();
  const log: string[] = [];
  const sockets = new Set<net.Socket>();
  let loggedIn = 0;
  let stalls = 0;
  const server = net.createServer((raw) => {
    sockets.add(raw);
    let mine = false;
    raw.on('close', () => {
      sockets.delete(raw);
      if (mine) loggedIn -= 1;
    });
    raw.on('error', () => {});
    let ctl: net.Socket | tls.TLSSocket = raw;
    let prot = 'C';
    let pasv: net.Server | null = null;
    let pending: Promise<net.Socket> | null = null;
    let stored = false;
    const say = (s: string) => ctl.write(`${s}\r\n`);
    const openPassive = async (): Promise<number> => {
      pasv?.close();
      const srv = net.createServer();
      pasv = srv;
      pending = new Promise((resolve) =>
        srv.once('connection', (s) => {
          s.on('error', () => {});
          sockets.add(s);
          resolve(s);
        }),
      );
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      return (srv.address() as net.AddressInfo).port;
    };
    const dataSocket = async (): Promise<net.Socket | tls.TLSSocket> => {
      const s = await pending!;
      if (prot === 'P' && !opts.cleartextDataDespiteProtP) {
        const t = new tls.TLSSocket(s, { isServer: true, key, cert });
        t.on('error', () => {});
        await new Promise<void>((r) => t.once('secure', () => r()));
        return t;
      }
      return s;
    };
    const onLine = async (line: string) => {
      log.push(line.startsWith('PASS') ? 'PASS ****' : line);
      const [verb, ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'AUTH':
          say('234 go');
          ctl.removeAllListeners('data');
          ctl = new tls.TLSSocket(raw, { isServer: true, key, cert });
          ctl.on('error', () => {});
          ctl.on('data', onData);
          return;
        case 'USER':
          return say('331 password please');
        case 'PASS':
          if (opts.maxLoggedIn !== undefined && loggedIn >= opts.maxLoggedIn)
            return say(`530 Sorry, the maximum number of clients (${opts.maxLoggedIn}) from your host are already connected.`);
          if (!mine) loggedIn += 1;
          mine = true;
          return say('230 logged in');
        case 'PBSZ':
          return say('200 PBSZ=0');
        case 'PROT':
          prot = arg.toUpperCase();
          return say(`200 PROT ${prot}`);
        case 'TYPE':
          return say('200 ok');
        case 'PWD':
          return say('257 "/"');
        case 'CWD':
          return say('550 no such directory');
        case 'EPSV':
          return say(`229 Entering Extended Passive Mode (|||${await openPassive()}|)`);
        case 'PASV': {
          const p = await openPassive();
          return say(`227 Entering Passive Mode (127,0,0,1,${p >> 8},${p & 255})`);
        }
        case 'LIST': {
          if (opts.emptyListingBeforeReplies) {
            const d = await dataSocket();
            d.resume();
            d.end();
            // the client sees the empty data connection end before it reads any reply
            d.once('close', () => setTimeout(() => ctl.write('150 here it comes\r\n226 0 matches total\r\n'), 50));
            return;
          }
          if (stored && (opts.stallListAfterStor === 'always' || (opts.stallListAfterStor === 'once' && stalls === 0))) {
            stalls += 1;
            say('150 here it comes');
            await pending; // accepted, and never a handshake or a reply
            return;
          }
          say('150 here it comes');
          const d = await dataSocket();
          d.resume(); // consume the client's side so the socket can close
          d.end([...files.keys()].map((f) => `-rw-r--r-- 1 u g 1 Jan 1 00:00 ${f}\r\n`).join('') || 'total 0\r\n');
          d.once('close', () => say('226 done'));
          return;
        }
        case 'STOR': {
          say('150 send it');
          const d = await dataSocket();
          const chunks: Buffer[] = [];
          d.on('data', (c: Buffer) => chunks.push(c));
          d.once('end', () => {
            stored = true;
            files.set(arg, Buffer.concat(chunks));
            say(opts.failStorAfterStoring ? '451 Local error in processing' : '226 stored');
          });
          return;
        }
        case 'RETR': {
          const f = files.get(arg);
          if (!f) return say('550 no such file');
          say('150 sending');
          const d = await dataSocket();
          d.resume();
          d.end(f);
          d.once('close', () => say('226 sent'));
          return;
        }
        case 'SIZE': {
          const f = files.get(arg);
          return say(f ? `213 ${f.length}` : '550 no such file');
        }
        case 'DELE':
          if (opts.failDele || !files.has(arg)) return say('550 cannot delete');
          files.delete(arg);
          return say('250 deleted');
        case 'QUIT':
          ctl.end('221 bye\r\n');
          return;
        default:
          return say('502 not implemented');
      }
    };
    const onData = lineSplitter((line) => void onLine(line));
    raw.on('data', onData);
    say('220 mini-ftpd (deliberately broken test server)');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    files,
    log,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
