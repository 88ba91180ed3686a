// A hello-level TLS server simulator for the prober's tests (no OpenSSL): it parses a ClientHello,
// picks a suite by the configured order (server or client preference), and answers with a
// ServerHello (+ ServerHelloDone below TLS 1.3) or an alert. Optionally behind an explicit-FTPS
// preamble (greeting, AUTH TLS → 234) that reads or discards a hello sent with AUTH TLS, loses
// commands sent before its greeting, or refuses connections beyond a per-IP limit with 421.
import net from 'node:net';

export interface SimConfig {
  /** accepted suites per version (0x0301 … 0x0304), in the server's order */
  versions: Record<number, number[]>;
  serverPreference: boolean;
}

export interface SimStats {
  maxConcurrent: number;
  connections: number;
  hellos: { version: number; suites: number[] }[];
  refused: number;
}

export interface FtpsSimOptions {
  /** keep bytes that came in the same read as "AUTH TLS" (vsftpd) or drop them (Pure-FTPd, ProFTPD) */
  readsPipelinedHello: boolean;
  /** drop what the client sent before the greeting went out (and send the greeting late) */
  losesEarlyCommands?: boolean;
  /** answer 421 to connections beyond this many open at once */
  perIpLimit?: number;
  /** how connections beyond the limit are turned away: 421 (default) or a close without a word */
  refuseBy?: '421' | 'close';
}

export function parseClientHello(buf: Buffer): { version: number; suites: number[]; scsvFallback: boolean } | null {
  if (buf.length < 5 || buf[0] !== 22) return null;
  const recLen = buf.readUInt16BE(3);
  if (buf.length < 5 + recLen) return null;
  let o = 5 + 4; // record header + handshake header
  let version = buf.readUInt16BE(o);
  o += 2 + 32;
  o += 1 + buf[o]!;
  const suitesLen = buf.readUInt16BE(o);
  o += 2;
  const suites: number[] = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(buf.readUInt16BE(o + i));
  o += suitesLen;
  o += 1 + buf[o]!;
  if (o + 2 <= 5 + recLen) {
    const extEnd = o + 2 + buf.readUInt16BE(o);
    o += 2;
    while (o + 4 <= extEnd) {
      const type = buf.readUInt16BE(o);
      const len = buf.readUInt16BE(o + 2);
      if (type === 43) {
        const list: number[] = [];
        for (let i = 1; i < 1 + buf[o + 4]!; i += 2) list.push(buf.readUInt16BE(o + 4 + i));
        version = Math.max(...list);
      }
      o += 4 + len;
    }
  }
  return { version, suites: suites.filter((s) => s !== 0x00ff && s !== 0x5600), scsvFallback: suites.includes(0x5600) };
}

export function record(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(0x0303, 1);
  h.writeUInt16BE(body.length, 3);
  return Buffer.concat([h, body]);
}

export function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

export function serverHello(version: number, suite: number): Buffer {
  const exts: Buffer[] = [];
  if (version === 0x0304) {
    exts.push(Buffer.from([0, 43, 0, 2, 0x03, 0x04]));
    const ks = Buffer.concat([Buffer.from([0, 51, 0, 36, 0, 29, 0, 32]), Buffer.alloc(32, 7)]);
    exts.push(ks);
  } else exts.push(Buffer.from([0xff, 0x01, 0, 1, 0]));
  const ext = Buffer.concat(exts);
  const extLen = Buffer.alloc(2);
  extLen.writeUInt16BE(ext.length);
  const body = Buffer.concat([
    Buffer.from([version === 0x0304 ? 0x03 : version >> 8, version === 0x0304 ? 0x03 : version & 0xff]),
    Buffer.alloc(32, 1),
    Buffer.from([0]),
    Buffer.from([suite >> 8, suite & 0xff]),
    Buffer.from([0]),
    extLen,
    ext,
  ]);
  const msgs = [handshake(2, body)];
  if (version !== 0x0304) msgs.push(handshake(14, Buffer.alloc(0)));
  return record(22, Buffer.concat(msgs));
}

export const alert = (desc: number) => record(21, Buffer.from([2, desc]));

/** The reply to the client's bytes so far: a ServerHello/alert, 'close' (SSLv2), or null (need more). */
export function answer(buf: Buffer, cfg: SimConfig, stats: SimStats): Buffer | 'close' | null {
  if (buf[0]! & 0x80) return 'close'; // SSLv2: hang up
  const ch = parseClientHello(buf);
  if (!ch) return null;
  stats.hellos.push({ version: ch.version, suites: ch.suites });
  const maxVersion = Math.max(...Object.keys(cfg.versions).map(Number));
  const accepted = cfg.versions[ch.version];
  if (!accepted) return alert(70);
  if (ch.scsvFallback && ch.version < maxVersion) return alert(86);
  const pick = cfg.serverPreference ? accepted.find((s) => ch.suites.includes(s)) : ch.suites.find((s) => accepted.includes(s));
  if (pick === undefined) return alert(40);
  return serverHello(ch.version, pick);
}

export function newStats(): SimStats {
  return { maxConcurrent: 0, connections: 0, hellos: [], refused: 0 };
}

/** Counts connections, concurrency and refusals; `onConn` gets the socket once counted. */
export function simServer(stats: SimStats, onConn: (sock: net.Socket, active: () => number) => void): net.Server {
  let active = 0;
  return net.createServer((sock) => {
    active++;
    stats.connections++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, active);
    sock.on('close', () => active--);
    sock.on('error', () => {});
    onConn(sock, () => active);
  });
}

/** Explicit FTPS in front of the hello-level simulator. */
export function ftpsSim(cfg: SimConfig, o: FtpsSimOptions, stats: SimStats): net.Server {
  return simServer(stats, (sock, active) => {
    if (o.perIpLimit !== undefined && active() > o.perIpLimit) {
      stats.refused++;
      sock.resume(); // read, or the client's close would never be seen
      if (o.refuseBy === 'close') sock.end();
      else sock.end('421 Too many connections from your IP\r\n');
      return;
    }
    let tls = false;
    let greeted = !o.losesEarlyCommands;
    let buf = Buffer.alloc(0);
    const reply = (b: Buffer | 'close' | null) => {
      if (b === 'close') sock.destroy();
      else if (b) sock.end(b);
    };
    sock.on('data', (d) => {
      if (!greeted) return; // flushed
      buf = Buffer.concat([buf, d]);
      if (tls) return reply(answer(buf, cfg, stats));
      const nl = buf.indexOf(0x0a);
      if (nl < 0) return;
      const line = buf.subarray(0, nl).toString('latin1').trim().toUpperCase();
      const rest = buf.subarray(nl + 1);
      if (line !== 'AUTH TLS' && line !== 'AUTH SSL') {
        buf = rest;
        sock.write('500 unknown command\r\n');
        return;
      }
      sock.write('234 AUTH TLS OK\r\n');
      tls = true;
      buf = o.readsPipelinedHello ? rest : Buffer.alloc(0);
      if (buf.length) reply(answer(buf, cfg, stats));
    });
    const greet = () => {
      greeted = true;
      sock.write('220 sim FTPS ready\r\n');
    };
    if (o.losesEarlyCommands) setTimeout(greet, 30);
    else greet();
  });
}

export async function listen(srv: net.Server): Promise<number> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}
