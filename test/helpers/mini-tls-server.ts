// A minimal TLS 1.2 server (TLS_RSA_WITH_AES_128_CBC_SHA only) written for the tests, for what
// no real OpenSSL can be made to do: a server WITHOUT RFC 5746 that still accepts a client's
// renegotiation (the insecure renegotiation of CVE-2009-3555). It completes real handshakes with
// node:tls (RSA key transport, the TLS 1.2 PRF, MAC-then-encrypt CBC records, Finished checks), and
// handles a ClientHello arriving inside the encrypted session by running a second handshake under
// the current keys. Nothing else: no extensions in its ServerHello (unless asked), no tickets.
import crypto from 'node:crypto';
import type net from 'node:net';
import {
  certificateMsg,
  hsMsg,
  record,
  serverHello,
  serverHelloDone,
  startResponder,
  testRsaMaterial,
  parseClientHello,
  type RecordSource,
  type Responder,
} from './tls-responder.js';

function prf(secret: Buffer, label: string, seed: Buffer, len: number): Buffer {
  const s = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const out: Buffer[] = [];
  let a = s;
  let n = 0;
  while (n < len) {
    a = crypto.createHmac('sha256', secret).update(a).digest();
    const b = crypto
      .createHmac('sha256', secret)
      .update(Buffer.concat([a, s]))
      .digest();
    out.push(b);
    n += b.length;
  }
  return Buffer.concat(out).subarray(0, len);
}

interface CipherState {
  key: Buffer;
  mac: Buffer;
  seq: bigint;
}

function seqBytes(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

function macOf(st: CipherState, type: number, content: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(0x0303, 1);
  h.writeUInt16BE(content.length, 3);
  return crypto.createHmac('sha1', st.mac).update(seqBytes(st.seq)).update(h).update(content).digest();
}

function seal(st: CipherState | null, type: number, content: Buffer): Buffer {
  if (!st) return record(type, 0x0303, content);
  const mac = macOf(st, type, content);
  st.seq++;
  const body = Buffer.concat([content, mac]);
  const padLen = 15 - (body.length % 16);
  const plain = Buffer.concat([body, Buffer.alloc(padLen + 1, padLen)]);
  const iv = crypto.randomBytes(16);
  const c = crypto.createCipheriv('aes-128-cbc', st.key, iv).setAutoPadding(false);
  return record(type, 0x0303, Buffer.concat([iv, c.update(plain), c.final()]));
}

function open(st: CipherState | null, type: number, body: Buffer): Buffer {
  if (!st) return body;
  const iv = body.subarray(0, 16);
  const d = crypto.createDecipheriv('aes-128-cbc', st.key, iv).setAutoPadding(false);
  const plain = Buffer.concat([d.update(body.subarray(16)), d.final()]);
  const padLen = plain[plain.length - 1]!;
  const content = plain.subarray(0, plain.length - padLen - 1 - 20);
  const mac = plain.subarray(plain.length - padLen - 1 - 20, plain.length - padLen - 1);
  if (!macOf(st, type, content).equals(mac)) throw new Error('bad record MAC');
  st.seq++;
  return content;
}

export interface MiniTlsOptions {
  /** send renegotiation_info (RFC 5746); false = a pre-2009 server */
  renegotiationInfo: boolean;
  /** accept a ClientHello inside the session (client-initiated renegotiation) */
  allowRenegotiation: boolean;
}

export interface MiniTlsStats {
  handshakes: number;
  renegotiations: number;
}

/** Starts the server; `stats` counts completed handshakes per the whole server. */
export async function startMiniTlsServer(o: MiniTlsOptions): Promise<Responder & { stats: MiniTlsStats }> {
  const stats: MiniTlsStats = { handshakes: 0, renegotiations: 0 };
  const { certDer, key } = testRsaMaterial();
  const r = await startResponder(async (src, sock) => {
    await serve(src, sock, o, certDer, key, stats);
  });
  return Object.assign(r, { stats });
}

async function serve(src: RecordSource, sock: net.Socket, o: MiniTlsOptions, certDer: Buffer, key: crypto.KeyObject, stats: MiniTlsStats) {
  let read: CipherState | null = null;
  let write: CipherState | null = null;
  let hs = Buffer.alloc(0);
  let clientVerify: Buffer = Buffer.alloc(0);
  let serverVerify: Buffer = Buffer.alloc(0);
  const send = (type: number, content: Buffer) => sock.write(seal(write, type, content));

  /** next complete handshake message (decrypting records under the current read state) */
  const nextMessage = async (): Promise<Buffer | 'ccs' | null> => {
    for (;;) {
      if (hs.length >= 4) {
        const len = hs.readUIntBE(1, 3);
        if (hs.length >= 4 + len) {
          const m = hs.subarray(0, 4 + len);
          hs = hs.subarray(4 + len);
          return Buffer.from(m);
        }
      }
      const rec = await src.next();
      if (!rec) return null;
      const content = open(read, rec.type, rec.body);
      if (rec.type === 20) return 'ccs';
      if (rec.type === 21) return null;
      if (rec.type === 23) continue; // application data: ignored
      if (rec.type !== 22) return null;
      hs = Buffer.concat([hs, content]);
    }
  };

  let renegotiating = false;
  for (;;) {
    const first = await nextMessage();
    if (!first || first === 'ccs' || first[0] !== 1) return sock.destroy();
    if (renegotiating && !o.allowRenegotiation) {
      send(21, Buffer.from([1, 100])); // warning no_renegotiation
      continue;
    }
    const ch = parseClientHello(first)!;
    if (!ch.suites.includes(0x002f)) return sock.end(record(21, 0x0303, Buffer.from([2, 40])));
    const transcript: Buffer[] = [first];
    const serverRandom = crypto.randomBytes(32);
    const ri: [number, Buffer][] = o.renegotiationInfo
      ? [[0xff01, Buffer.concat([Buffer.from([clientVerify.length + serverVerify.length]), clientVerify, serverVerify])]]
      : [];
    const flight = [
      serverHello({
        version: 0x0303,
        suite: 0x002f,
        random: serverRandom,
        sessionId: crypto.randomBytes(32),
        extensions: ri.length ? ri : undefined,
      }),
      certificateMsg([certDer]),
      serverHelloDone(),
    ];
    transcript.push(...flight);
    send(22, Buffer.concat(flight));
    const cke = await nextMessage();
    if (!cke || cke === 'ccs' || cke[0] !== 16) return sock.destroy();
    transcript.push(cke);
    const enc = cke.subarray(6);
    const m = crypto.privateDecrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, enc);
    const sep = m.indexOf(0, 2);
    if (m[0] !== 0 || m[1] !== 2 || sep < 10 || m.length - sep - 1 !== 48) return sock.end(seal(write, 21, Buffer.from([2, 20])));
    const pms = m.subarray(sep + 1);
    const master = prf(pms, 'master secret', Buffer.concat([ch.random, serverRandom]), 48);
    const kb = prf(master, 'key expansion', Buffer.concat([serverRandom, ch.random]), 72);
    const pending = {
      clientMac: kb.subarray(0, 20),
      serverMac: kb.subarray(20, 40),
      clientKey: kb.subarray(40, 56),
      serverKey: kb.subarray(56, 72),
    };
    if ((await nextMessage()) !== 'ccs') return sock.destroy();
    read = { key: pending.clientKey, mac: pending.clientMac, seq: 0n };
    const fin = await nextMessage();
    if (!fin || fin === 'ccs' || fin[0] !== 20) return sock.destroy();
    const expect = prf(master, 'client finished', crypto.createHash('sha256').update(Buffer.concat(transcript)).digest(), 12);
    if (!fin.subarray(4).equals(expect)) return sock.end(seal(write, 21, Buffer.from([2, 51])));
    transcript.push(fin);
    clientVerify = Buffer.from(expect);
    send(20, Buffer.from([1]));
    write = { key: pending.serverKey, mac: pending.serverMac, seq: 0n };
    serverVerify = prf(master, 'server finished', crypto.createHash('sha256').update(Buffer.concat(transcript)).digest(), 12);
    send(22, hsMsg(20, serverVerify));
    stats.handshakes++;
    if (renegotiating) stats.renegotiations++;
    renegotiating = true;
  }
}
