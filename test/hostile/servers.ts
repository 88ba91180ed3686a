// Hostile and broken servers on loopback, one per behaviour, for tests and benchmarks.
// Every server logs each inbound connection (which local address and port it arrived on), so a
// test can prove the scanner never went anywhere but the target. Large outputs are streamed
// with back-pressure, never allocated at once.
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { testCertificate } from '../helpers/fixtures.js';

export interface ConnectionLog {
  /** which hostile server (or listener) received it */
  server: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  at: number;
}

export interface HostileServer {
  name: string;
  /** what it does, for reports */
  behaviour: string;
  host: string;
  port: number;
  /** the target string to hand to the scanner */
  target: string;
  /** connections this server received */
  connections: ConnectionLog[];
  /** bytes this server has written in total */
  bytesSent(): number;
  close(): Promise<void>;
}

export interface HostileSet {
  servers: HostileServer[];
  /** the "foreign" listener a PASV reply points to: it must never receive a connection */
  foreign: { host: string; port: number; connections: ConnectionLog[] };
  /** every connection any server or listener received */
  allConnections(): ConnectionLog[];
  close(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';
/** A second loopback address standing in for "somewhere else" (a third party). */
export const FOREIGN_LOOPBACK = '127.0.0.77';

type Handler = (s: net.Socket, ctx: { n: number; count(bytes: number): void }) => void;

interface Listener {
  port: number;
  connections: ConnectionLog[];
  bytesSent(): number;
  close(): Promise<void>;
}

async function listen(name: string, host: string, onSocket: Handler): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const connections: ConnectionLog[] = [];
  let sent = 0;
  let n = 0;
  const server = net.createServer((s) => {
    connections.push({
      server: name,
      localAddress: s.localAddress ?? '',
      localPort: s.localPort ?? 0,
      remoteAddress: s.remoteAddress ?? '',
      at: Date.now(),
    });
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    try {
      onSocket(s, { n: n++, count: (b) => (sent += b) });
    } catch {
      s.destroy();
    }
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    bytesSent: () => sent,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * Writes chunks from `next()` while the socket accepts them, waiting for 'drain' in between,
 * until `next()` returns null or the socket goes away. Memory stays at one chunk.
 */
function stream(s: net.Socket | tls.TLSSocket, next: () => Buffer | null, count: (b: number) => void, pauseMs = 0): void {
  const pump = () => {
    for (;;) {
      if (s.destroyed || !s.writable) return;
      const chunk = next();
      if (chunk === null) return;
      count(chunk.length);
      const more = s.write(chunk);
      if (pauseMs > 0) {
        setTimeout(pump, pauseMs).unref();
        return;
      }
      if (!more) {
        s.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function onLines(s: net.Socket | tls.TLSSocket, onLine: (line: string) => boolean | void): () => void {
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    if (buf.length > 65536) return void s.destroy();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (onLine(line) === false) {
        s.off('data', onData);
        return;
      }
    }
  };
  s.on('data', onData);
  return () => s.off('data', onData);
}

export interface FtpScriptOptions {
  /** reply to PASV (the argument is how many PASVs came before on this connection) */
  pasv: (count: number) => string;
  epsv: () => string;
  /** AUTH TLS → 234 and a real TLS upgrade (so deep probes can log in inside TLS) */
  explicitTls: boolean;
  /** called instead of a TLS upgrade after 234, with the raw socket */
  after234?: (raw: net.Socket, count: (b: number) => void) => void;
}

/** An FTP dialogue that accepts any login (USER → 331, PASS → 230) and answers the usual verbs. */
function ftpDialogue(s: net.Socket | tls.TLSSocket, o: FtpScriptOptions, count: (b: number) => void, secure: boolean): void {
  let pasvCount = 0;
  const say = (line: string) => {
    if (s.destroyed || !s.writable) return;
    count(line.length + 2);
    s.write(`${line}\r\n`);
  };
  const stop = onLines(s, (line) => {
    const verb = line.split(' ')[0]!.toUpperCase();
    const arg = line.slice(verb.length + 1);
    switch (verb) {
      case 'USER':
        return say('331 Password required');
      case 'PASS':
        return say('230 Logged in');
      case 'FEAT':
        say('211-Features:');
        say(o.explicitTls ? ' AUTH TLS' : ' UTF8');
        say(' PBSZ');
        say(' PROT');
        say(' EPSV');
        return say('211 End');
      case 'SYST':
        return say('215 UNIX Type: L8');
      case 'AUTH':
        if (secure) return say('503 Already secured');
        if (arg.toUpperCase() === 'TLS' && (o.explicitTls || o.after234)) {
          say('234 Proceed with negotiation');
          stop();
          if (o.after234) {
            o.after234(s as net.Socket, count);
          } else {
            const { key, cert } = testCertificate();
            const t = new tls.TLSSocket(s as net.Socket, { isServer: true, key, cert });
            t.on('error', () => s.destroy());
            ftpDialogue(t, o, count, true);
          }
          return false;
        }
        return say('504 Security mechanism not understood');
      case 'PBSZ':
        return say('200 PBSZ=0');
      case 'PROT':
        return say('200 Protection level set');
      case 'PWD':
        return say('257 "/" is the current directory');
      case 'TYPE':
        return say('200 Type set');
      case 'OPTS':
        return say('200 OK');
      case 'PASV':
        return say(o.pasv(pasvCount++));
      case 'EPSV':
        return say(o.epsv());
      case 'PORT':
      case 'EPRT':
        return say('500 Illegal PORT command');
      case 'LIST':
      case 'NLST':
      case 'RETR':
      case 'STOR':
        return say('425 Use PASV first');
      case 'CCC':
        return say('533 CCC not allowed');
      case 'QUIT':
        say('221 Goodbye');
        s.end();
        return false;
      default:
        return say('502 Command not implemented');
    }
  });
}

function randomChunk(size = 4096): Buffer {
  return crypto.randomBytes(size);
}

function ftpServer(name: string, o: FtpScriptOptions, greeting = '220 hostile FTP ready'): Promise<Listener> {
  return listen(name, LOOPBACK, (s, { count }) => {
    count(greeting.length + 2);
    s.write(`${greeting}\r\n`);
    ftpDialogue(s, o, count, false);
  });
}

interface ServerFactoryCtx {
  foreignPort: number;
}

interface Spec {
  name: string;
  behaviour: string;
  start(ctx: ServerFactoryCtx): Promise<Listener>;
}

/** Total bytes the huge-greeting server sends at most (it stops when the client leaves). */
export const HUGE_GREETING_BYTES = 48 * 1024 * 1024;
/** Bytes the SSH giant-packet server streams at most after its packet header. */
export const SSH_GIANT_STREAM_BYTES = 32 * 1024 * 1024;

function portBytes(port: number): string {
  return `${port >> 8},${port & 255}`;
}

export const SPECS: Spec[] = [
  {
    name: 'silent',
    behaviour: 'accepts and never says anything',
    start: () => listen('silent', LOOPBACK, () => {}),
  },
  {
    name: 'huge-greeting',
    behaviour: `streams a ${HUGE_GREETING_BYTES / 1024 / 1024} MiB "220 AAAA…" greeting with no line end`,
    start: () =>
      listen('huge-greeting', LOOPBACK, (s, { count }) => {
        let left = HUGE_GREETING_BYTES;
        const block = Buffer.alloc(64 * 1024, 0x41);
        let first = true;
        stream(
          s,
          () => {
            if (left <= 0) return null;
            const b = first ? Buffer.concat([Buffer.from('220 '), block]) : block;
            first = false;
            left -= b.length;
            return b;
          },
          count,
        );
      }),
  },
  {
    name: 'endless-multiline',
    behaviour: 'an endless multi-line "220-" greeting that never ends',
    start: () =>
      listen('endless-multiline', LOOPBACK, (s, { count }) => {
        let i = 0;
        stream(
          s,
          () => {
            // ~100 lines per chunk, forever (until the client leaves)
            const lines: string[] = [];
            for (let k = 0; k < 100; k++) lines.push(`220-welcome line ${i++} of a greeting that never ends`);
            return Buffer.from(`${lines.join('\r\n')}\r\n`);
          },
          count,
        );
      }),
  },
  {
    name: 'foreign-pasv',
    behaviour: `explicit FTPS, accepts any login; PASV points at ${FOREIGN_LOOPBACK} (a listener that must never be reached) or 192.0.2.55`,
    start: (ctx) =>
      ftpServer('foreign-pasv', {
        explicitTls: true,
        pasv: (n) =>
          n % 2 === 0
            ? `227 Entering Passive Mode (${FOREIGN_LOOPBACK.split('.').join(',')},${portBytes(ctx.foreignPort)})`
            : `227 Entering Passive Mode (192,0,2,55,${portBytes(ctx.foreignPort)})`,
        epsv: () => '500 EPSV not understood',
      }),
  },
  {
    name: 'pasv-out-of-range',
    behaviour: 'explicit FTPS, accepts any login; 227 (300,1,1,1,999,999) and 229 (|||99999|)',
    start: () =>
      ftpServer('pasv-out-of-range', {
        explicitTls: true,
        pasv: () => '227 Entering Passive Mode (300,1,1,1,999,999)',
        epsv: () => '229 Entering Extended Passive Mode (|||99999|)',
      }),
  },
  {
    name: 'always-421',
    behaviour: 'answers 421 on every connection and hangs up',
    start: () =>
      listen('always-421', LOOPBACK, (s, { count }) => {
        count(40);
        s.end('421 Too many connections (8) from this IP\r\n');
      }),
  },
  {
    name: 'rst',
    behaviour: 'resets every connection at once',
    start: () => listen('rst', LOOPBACK, (s) => s.resetAndDestroy()),
  },
  {
    name: 'one-byte-per-second',
    behaviour: 'sends its greeting one byte per second',
    start: () =>
      listen('one-byte-per-second', LOOPBACK, (s, { count }) => {
        const text = Buffer.from('220-slow server\r\n220 ready\r\n');
        let i = 0;
        stream(s, () => Buffer.from([text[i++ % text.length]!]), count, 1000);
      }),
  },
  {
    name: 'random-bytes',
    behaviour: 'sends random bytes on connect (4 KiB every 50 ms)',
    start: () =>
      listen('random-bytes', LOOPBACK, (s, { count }) => {
        let left = 4 * 1024 * 1024;
        stream(
          s,
          () => {
            if (left <= 0) return null;
            left -= 4096;
            return randomChunk();
          },
          count,
          50,
        );
      }),
  },
  {
    name: 'junk-after-234',
    behaviour: 'FTP that accepts AUTH TLS (234), then answers the ClientHello with random bytes',
    start: () =>
      ftpServer('junk-after-234', {
        explicitTls: false,
        after234: (raw, count) => {
          raw.once('data', () => {
            let left = 256 * 1024;
            stream(
              raw,
              () => {
                if (left <= 0) return null;
                left -= 4096;
                return randomChunk();
              },
              count,
              20,
            );
          });
        },
        pasv: () => '502 no',
        epsv: () => '502 no',
      }),
  },
  {
    name: 'truncated-tls',
    behaviour: 'implicit-TLS style: on ClientHello, a record header announcing 16 KiB, 10 bytes, then silence',
    start: () =>
      listen('truncated-tls', LOOPBACK, (s, { count }) => {
        s.once('data', () => {
          const head = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]);
          const body = Buffer.from([0x02, 0x00, 0x3f, 0xfc, 0x03, 0x03, 1, 2, 3, 4]);
          count(15);
          s.write(Buffer.concat([head, body]));
        });
      }),
  },
  {
    name: 'ssh-giant-packet',
    behaviour: 'SSH identification, then a binary packet announcing ~4 GiB, then a stream of bytes',
    start: () =>
      listen('ssh-giant-packet', LOOPBACK, (s, { count }) => {
        const ident = 'SSH-2.0-OpenSSH_9.6 hostile\r\n';
        count(ident.length);
        s.write(ident);
        let started = false;
        s.on('data', () => {
          if (started) return;
          started = true;
          const header = Buffer.alloc(5);
          header.writeUInt32BE(0xfffffff0, 0);
          header[4] = 8;
          let left = SSH_GIANT_STREAM_BYTES;
          let first = true;
          const block = Buffer.alloc(64 * 1024, 0x14);
          stream(
            s,
            () => {
              if (left <= 0) return null;
              left -= block.length;
              if (first) {
                first = false;
                return Buffer.concat([header, block]);
              }
              return block;
            },
            count,
          );
        });
      }),
  },
  {
    name: 'ssh-kexinit-overrun',
    behaviour: 'SSH identification, then a KEXINIT whose first name-list length overruns the packet',
    start: () =>
      listen('ssh-kexinit-overrun', LOOPBACK, (s, { count }) => {
        const ident = 'SSH-2.0-OpenSSH_9.6 hostile\r\n';
        count(ident.length);
        s.write(ident);
        let sent = false;
        s.on('data', () => {
          if (sent) return;
          sent = true;
          const nameList = Buffer.alloc(4);
          nameList.writeUInt32BE(0x7fff_fff0, 0);
          const payload = Buffer.concat([
            Buffer.from([20]),
            crypto.randomBytes(16),
            nameList,
            Buffer.from('curve25519-sha256,ssh-ed25519'),
          ]);
          let pad = 8 - ((5 + payload.length) % 8);
          if (pad < 4) pad += 8;
          const len = Buffer.alloc(4);
          len.writeUInt32BE(1 + payload.length + pad, 0);
          const packet = Buffer.concat([len, Buffer.from([pad]), payload, Buffer.alloc(pad)]);
          count(packet.length);
          s.write(packet);
        });
      }),
  },
];

/** Starts the foreign listener and every hostile server (or only those named). */
export async function startHostileServers(only?: string[]): Promise<HostileSet> {
  const foreign = await listen('FOREIGN', FOREIGN_LOOPBACK, (s) => {
    // If anything ever connects here, make it obvious in the scan too.
    s.end('220 you should not be here\r\n');
  });
  const servers: HostileServer[] = [];
  try {
    for (const spec of SPECS) {
      if (only && !only.includes(spec.name)) continue;
      const l = await spec.start({ foreignPort: foreign.port });
      servers.push({
        name: spec.name,
        behaviour: spec.behaviour,
        host: LOOPBACK,
        port: l.port,
        target: `${LOOPBACK}:${l.port}`,
        connections: l.connections,
        bytesSent: l.bytesSent,
        close: l.close,
      });
    }
  } catch (err) {
    await Promise.allSettled([foreign.close(), ...servers.map((s) => s.close())]);
    throw err;
  }
  return {
    servers,
    foreign: { host: FOREIGN_LOOPBACK, port: foreign.port, connections: foreign.connections },
    allConnections: () => [...foreign.connections, ...servers.flatMap((s) => s.connections)],
    close: async () => {
      await Promise.allSettled([foreign.close(), ...servers.map((s) => s.close())]);
    },
  };
}
