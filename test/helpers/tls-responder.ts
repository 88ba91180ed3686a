// Scripted TLS responders on the raw record layer, for behaviour no real lab server shows: a
// heartbeat echo past its length, an accepted early CCS, a padding oracle, a Ticketbleed echo, a
// missing downgrade sentinel, no RFC 5746. Each test writes its handler; this file has the
// record/handshake plumbing and a loopback listener that counts connections.
import crypto from 'node:crypto';
import net from 'node:net';
import type { OpenTransport } from '../../src/tls/prober.js';
import { pemToDer } from '../../src/tls/certs.js';
import { testCertificate } from './fixtures.js';

export interface TlsRecord {
  type: number;
  version: number;
  body: Buffer;
}

export interface ClientHelloInfo {
  /** client_version */
  version: number;
  random: Buffer;
  sessionId: Buffer;
  suites: number[];
  compression: number[];
  extensions: Map<number, Buffer>;
  /** supported_versions (TLS 1.3 hellos), or null */
  supportedVersions: number[] | null;
  /** the handshake message bytes (type + length + body), for transcripts */
  raw: Buffer;
}

export function record(type: number, version: number, body: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let off = 0; off < body.length || off === 0; off += 16384) {
    const frag = body.subarray(off, off + 16384);
    const h = Buffer.alloc(5);
    h[0] = type;
    h.writeUInt16BE(version, 1);
    h.writeUInt16BE(frag.length, 3);
    out.push(h, frag);
    if (body.length === 0) break;
  }
  return Buffer.concat(out);
}

export const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
export const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

export function hsMsg(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

export function alertRecord(description: number, version = 0x0303, level = 2): Buffer {
  return record(21, version, Buffer.from([level, description]));
}

export function parseClientHello(hs: Buffer): ClientHelloInfo | null {
  if (hs[0] !== 1 || hs.length < 4) return null;
  const len = hs.readUIntBE(1, 3);
  const b = hs.subarray(4, 4 + len);
  let o = 0;
  const version = b.readUInt16BE(o);
  o += 2;
  const random = Buffer.from(b.subarray(o, o + 32));
  o += 32;
  const sessionId = Buffer.from(b.subarray(o + 1, o + 1 + b[o]!));
  o += 1 + b[o]!;
  const sl = b.readUInt16BE(o);
  o += 2;
  const suites: number[] = [];
  for (let i = 0; i < sl; i += 2) suites.push(b.readUInt16BE(o + i));
  o += sl;
  const compression = [...b.subarray(o + 1, o + 1 + b[o]!)];
  o += 1 + b[o]!;
  const extensions = new Map<number, Buffer>();
  let supportedVersions: number[] | null = null;
  if (o + 2 <= b.length) {
    const end = o + 2 + b.readUInt16BE(o);
    o += 2;
    while (o + 4 <= end) {
      const type = b.readUInt16BE(o);
      const l = b.readUInt16BE(o + 2);
      const data = Buffer.from(b.subarray(o + 4, o + 4 + l));
      extensions.set(type, data);
      if (type === 43) {
        supportedVersions = [];
        for (let i = 1; i < 1 + data[0]!; i += 2) supportedVersions.push(data.readUInt16BE(i));
      }
      o += 4 + l;
    }
  }
  return { version, random, sessionId, suites, compression, extensions, supportedVersions, raw: Buffer.from(hs.subarray(0, 4 + len)) };
}

export interface ServerHelloSpec {
  version: number;
  suite: number;
  random?: Buffer;
  sessionId?: Buffer;
  compression?: number;
  /** [type, data] in order; omit for no extensions block at all */
  extensions?: [number, Buffer][];
}

export function serverHello(s: ServerHelloSpec): Buffer {
  const parts = [
    u16(s.version >= 0x0304 ? 0x0303 : s.version),
    s.random ?? crypto.randomBytes(32),
    Buffer.from([(s.sessionId ?? Buffer.alloc(0)).length]),
    s.sessionId ?? Buffer.alloc(0),
    u16(s.suite),
    Buffer.from([s.compression ?? 0]),
  ];
  if (s.extensions) {
    const exts = Buffer.concat(s.extensions.map(([t, d]) => Buffer.concat([u16(t), u16(d.length), d])));
    parts.push(u16(exts.length), exts);
  }
  return hsMsg(2, Buffer.concat(parts));
}

export function certificateMsg(chain: Buffer[]): Buffer {
  const list = Buffer.concat(chain.map((c) => Buffer.concat([u24(c.length), c])));
  return hsMsg(11, Buffer.concat([u24(list.length), list]));
}

export const serverHelloDone = (): Buffer => hsMsg(14, Buffer.alloc(0));

/** A DHE ServerKeyExchange (p, g = 2, a dummy Ys and signature: the prober reads only p). */
export function dheServerKeyExchange(p: Buffer): Buffer {
  const g = Buffer.from([2]);
  const ys = crypto.randomBytes(p.length);
  const sig = Buffer.concat([Buffer.from([4, 1]), u16(256), crypto.randomBytes(256)]);
  return hsMsg(12, Buffer.concat([u16(p.length), p, u16(g.length), g, u16(ys.length), ys, sig]));
}

export function certificateRequestMsg(caNames: Buffer[], version = 0x0303): Buffer {
  const cas = Buffer.concat(caNames.map((n) => Buffer.concat([u16(n.length), n])));
  const sigalgs = version >= 0x0303 ? Buffer.concat([u16(4), u16(0x0401), u16(0x0804)]) : Buffer.alloc(0);
  return hsMsg(13, Buffer.concat([Buffer.from([2, 1, 64]), sigalgs, u16(cas.length), cas]));
}

export function certificateStatusMsg(ocspDer: Buffer): Buffer {
  return hsMsg(22, Buffer.concat([Buffer.from([1]), u24(ocspDer.length), ocspDer]));
}

/** The test RSA-2048 certificate (DER) and its private key. */
export function testRsaMaterial(): { certDer: Buffer; key: crypto.KeyObject; keyPem: string; certPem: string } {
  const { key, cert } = testCertificate();
  return { certDer: pemToDer(cert)[0]!, key: crypto.createPrivateKey(key), keyPem: key, certPem: cert };
}

/** Reads TLS records (and, first, an SSLv2 hello) off a socket. */
export class RecordSource {
  private buf = Buffer.alloc(0);
  private waiters: ((r: TlsRecord | null) => void)[] = [];
  private queue: (TlsRecord | null)[] = [];
  private ended = false;
  /** raw first bytes of an SSLv2-style hello (high bit set), when that is what arrived */
  sslv2: Buffer | null = null;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    const end = () => {
      if (this.ended) return;
      this.ended = true;
      this.push(null);
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }
  private push(r: TlsRecord | null) {
    const w = this.waiters.shift();
    if (w) w(r);
    else this.queue.push(r);
  }
  private drain() {
    if (this.buf.length >= 2 && this.buf[0]! & 0x80 && this.sslv2 === null) {
      const len = ((this.buf[0]! & 0x7f) << 8) | this.buf[1]!;
      if (this.buf.length < 2 + len) return;
      this.sslv2 = Buffer.from(this.buf.subarray(0, 2 + len));
      this.buf = this.buf.subarray(2 + len);
      this.push({ type: 0x80, version: 2, body: this.sslv2 });
    }
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt16BE(3);
      if (this.buf.length < 5 + len) return;
      this.push({ type: this.buf[0]!, version: this.buf.readUInt16BE(1), body: Buffer.from(this.buf.subarray(5, 5 + len)) });
      this.buf = this.buf.subarray(5 + len);
    }
  }
  /** the next record, or null when the connection ended */
  next(): Promise<TlsRecord | null> {
    if (this.queue.length) return Promise.resolve(this.queue.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((r) => this.waiters.push(r));
  }
  /**
   * Whether more of what the peer sent has already arrived (whole records queued, or the start of
   * one): what a client wrote in one go after the record next() returned, with no waiting.
   */
  hasMore(): boolean {
    return this.queue.some((r) => r !== null) || this.buf.length > 0;
  }
  /** the next handshake record's ClientHello (null when something else came) */
  async clientHello(): Promise<ClientHelloInfo | null> {
    const r = await this.next();
    if (!r || r.type !== 22) return null;
    return parseClientHello(r.body);
  }
}

export interface Responder {
  port: number;
  open: OpenTransport;
  /** connections accepted */
  connections: () => number;
  close(): Promise<void>;
}

/** Listens on loopback; `handler` scripts each connection. Errors in a handler only end that connection. */
export async function startResponder(
  handler: (src: RecordSource, sock: net.Socket, n: number) => Promise<void> | void,
): Promise<Responder> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const src = new RecordSource(sock);
    Promise.resolve()
      .then(() => handler(src, sock, n++))
      .catch(() => sock.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    open: tcpOpener(port),
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

export function tcpOpener(port: number): OpenTransport {
  return () =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
}

/** A TLS ≤ 1.2 first flight: ServerHello (+ extensions), Certificate, [extra], ServerHelloDone, in one record. */
export function legacyFlight(
  ch: ClientHelloInfo,
  o: {
    suite: number;
    version?: number;
    extensions?: [number, Buffer][];
    extra?: Buffer[];
    random?: Buffer;
    sessionId?: Buffer;
    chain?: Buffer[];
  },
): Buffer {
  const version = o.version ?? Math.min(ch.version, 0x0303);
  const msgs = [
    serverHello({
      version,
      suite: o.suite,
      extensions: o.extensions ?? [[0xff01, Buffer.from([0])]],
      random: o.random,
      sessionId: o.sessionId,
    }),
    certificateMsg(o.chain ?? [testRsaMaterial().certDer]),
    ...(o.extra ?? []),
    serverHelloDone(),
  ];
  return record(22, version, Buffer.concat(msgs));
}

/** The first suite of the hello that `accept` allows. */
export function pick(ch: ClientHelloInfo, accept: (code: number) => boolean): number | undefined {
  return ch.suites.find(accept);
}
