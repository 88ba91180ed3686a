// Scripted explicit-FTPS servers for whole `xferscan scan` runs against behaviour no real lab
// server shows: an FTP front (220, FEAT, SYST, AUTH TLS → 234) and then, on the same connection,
//   - legacyTls: a hello-level TLS server offering what Debian's OpenSSL cannot (SSLv2, SSLv3,
//     export, RC4, 3DES, compression, a 512-bit DH prime); it answers first flights only;
//   - flawShim: a real node:tls server behind a record-level shim that adds one flaw each
//     (a heartbeat over-read, an accepted early CCS, a ROBOT padding oracle with the server's own
//     key, a Ticketbleed session-id echo, no DOWNGRD sentinel, no RFC 5746) — everything else is
//     the real server's.
// Loopback only; each connection ends when the client goes.
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  RecordSource,
  alertRecord,
  certificateMsg,
  dheServerKeyExchange,
  hsMsg,
  parseClientHello,
  record,
  serverHello,
  serverHelloDone,
  testRsaMaterial,
  u16,
  type ClientHelloInfo,
} from './tls-responder.js';

export interface ScriptedServer {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

/** Plain-text FTP until AUTH TLS; then `onTls` owns the socket (with any bytes already read). */
export async function startScriptedFtps(onTls: (sock: net.Socket, rest: Buffer) => void): Promise<ScriptedServer> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    n++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.setTimeout(30_000, () => sock.destroy());
    let buf = Buffer.alloc(0);
    const say = (s: string) => sock.write(`${s}\r\n`);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length > 4096) return void sock.destroy();
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.subarray(0, i).toString('latin1');
        buf = buf.subarray(i + 2);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (line.toUpperCase() === 'AUTH TLS') {
          say('234 AUTH TLS OK.');
          sock.off('data', onData);
          return onTls(sock, buf);
        }
        if (verb === 'FEAT') say('211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End');
        else if (verb === 'SYST') say('215 UNIX Type: L8');
        else if (verb === 'QUIT') return void sock.end('221 Goodbye.\r\n');
        else if (verb === 'USER' || verb === 'PASS') say('530 Please login with USER and PASS over TLS.');
        else say('502 Not implemented here.');
      }
    };
    sock.on('data', onData);
    say('220 scripted FTPS (xferscan test)');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

// ---- a hello-level legacy server ---------------------------------------------------------------

export interface LegacyTlsConfig {
  /** accepted suites per record/hello version (0x0300 SSLv3 … 0x0303 TLS 1.2), in the server's order */
  versions: Record<number, number[]>;
  /** choose DEFLATE when the client offers it */
  compression?: boolean;
  /** the DHE prime sent in a ServerKeyExchange */
  dhPrime?: Buffer;
  /** SSLv2 cipher kinds (answers an SSLv2 CLIENT-HELLO) */
  sslv2?: number[];
  /** the certificate (DER) to present; default the test RSA certificate */
  certDer?: Buffer;
}

function sslv2ServerHello(certDer: Buffer, kinds: number[]): Buffer {
  const specs = Buffer.concat(kinds.map((k) => Buffer.from([(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff])));
  const connId = crypto.randomBytes(16);
  const body = Buffer.concat([
    Buffer.from([4, 0, 1]),
    u16(0x0002),
    u16(certDer.length),
    u16(specs.length),
    u16(connId.length),
    certDer,
    specs,
    connId,
  ]);
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
}

const isDhe = (code: number) => [0x0011, 0x0014, 0x0033, 0x0039, 0x0016, 0x0067, 0x006b, 0x009e, 0x009f].includes(code);

/** Answers each ClientHello with a first flight (or an alert), then closes: enough for the inventory. */
export function legacyTls(c: LegacyTlsConfig): (sock: net.Socket, rest: Buffer) => void {
  const certDer = c.certDer ?? testRsaMaterial().certDer;
  return (sock, rest) => {
    const src = new RecordSource(sock);
    if (rest.length) sock.emit('data', rest);
    void (async () => {
      const r = await src.next();
      if (!r) return void sock.destroy();
      if (r.type === 0x80) return void (c.sslv2 ? sock.end(sslv2ServerHello(certDer, c.sslv2)) : sock.destroy());
      const ch = r.type === 22 ? parseClientHello(r.body) : null;
      if (!ch) return void sock.destroy();
      const v = Math.min(ch.version, 0x0303);
      const accepted = c.versions[v];
      if (!accepted) return void sock.end(alertRecord(70, Math.max(v, 0x0300)));
      const suite = accepted.find((s) => ch.suites.includes(s));
      if (suite === undefined) return void sock.end(alertRecord(40, v));
      const compression = c.compression && ch.compression.includes(1) ? 1 : 0;
      const msgs = [
        serverHello({ version: v, suite, compression, extensions: [[0xff01, Buffer.from([0])]] }),
        certificateMsg([certDer]),
        ...(isDhe(suite) && c.dhPrime ? [dheServerKeyExchange(c.dhPrime)] : []),
        serverHelloDone(),
      ];
      sock.write(record(22, v, Buffer.concat(msgs)));
      await src.next();
      sock.destroy();
    })();
  };
}

// ---- a real node:tls server behind a flaw-adding shim ------------------------------------------

export type Flaw = 'heartbleed' | 'ccs-injection' | 'robot' | 'ticketbleed' | 'no-downgrade-sentinel' | 'no-rfc5746';

/** What the shim saw from clients: the records the intrusive tests send. */
export interface ShimStats {
  heartbeats: number;
  earlyCcs: number;
  rsaKeyExchanges: number;
}

interface Conn {
  stats: ShimStats;
  client: net.Socket;
  backend: net.Socket;
  ch: ClientHelloInfo | null;
  tls13: boolean;
  /** client handshake messages after the ClientHello */
  clientHandshakes: number;
  earlyCcs: number;
  done: boolean;
}

/** Splits a byte stream into TLS records (raw, header included). */
function splitter(onRecord: (type: number, body: Buffer, raw: Buffer) => void): (d: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 5) {
      const len = buf.readUInt16BE(3);
      if (buf.length < 5 + len) return;
      const raw = Buffer.from(buf.subarray(0, 5 + len));
      buf = buf.subarray(5 + len);
      onRecord(raw[0]!, raw.subarray(5), raw);
    }
  };
}

/** Rewrites the ServerHello of a server record: its random's last 8 bytes and its extensions. */
function rewriteServerHello(raw: Buffer, edit: (random: Buffer, exts: [number, Buffer][]) => [number, Buffer][]): Buffer {
  const body = raw.subarray(5);
  if (body[0] !== 2) return raw;
  const len = body.readUIntBE(1, 3);
  const sh = Buffer.from(body.subarray(4, 4 + len));
  let o = 2;
  const random = sh.subarray(o, o + 32);
  o += 32;
  o += 1 + sh[o]!;
  o += 3;
  const head = sh.subarray(0, o);
  const exts: [number, Buffer][] = [];
  if (o + 2 <= sh.length) {
    const end = o + 2 + sh.readUInt16BE(o);
    for (let p = o + 2; p + 4 <= end;) {
      const t = sh.readUInt16BE(p);
      const l = sh.readUInt16BE(p + 2);
      exts.push([t, Buffer.from(sh.subarray(p + 4, p + 4 + l))]);
      p += 4 + l;
    }
  }
  const before = Buffer.from(random);
  const out = edit(random, exts);
  if (out === exts && before.equals(random)) return raw;
  const extBytes = Buffer.concat(out.map(([t, d]) => Buffer.concat([u16(t), u16(d.length), d])));
  const msg = hsMsg(2, Buffer.concat([head, u16(extBytes.length), extBytes]));
  return record(22, raw.readUInt16BE(1), Buffer.concat([msg, body.subarray(4 + len)]));
}

/** What the pre-ROBOT stacks did: a different alert for each padding defect. */
function leakyAlert(m: Buffer, version: number): number {
  if (m[0] !== 0 || m[1] !== 2) return 51;
  const sep = m.indexOf(0, 2);
  if (sep < 0) return 50;
  if (m.length - sep - 1 !== 48) return 47;
  if (m.readUInt16BE(sep + 1) !== version) return 70;
  return 20;
}

function clientRecord(c: Conn, flaws: Set<Flaw>, type: number, body: Buffer, raw: Buffer): void {
  if (c.done) return;
  const write = (b: Buffer) => c.client.write(b);
  if (type === 22 && !c.ch) {
    c.ch = parseClientHello(body);
    const ticket = c.ch?.extensions.get(35);
    if (flaws.has('ticketbleed') && c.ch && ticket?.length && c.ch.sessionId.length === 31) {
      // resume "successfully", echoing a 32-byte session id: one byte past what we sent
      c.done = true;
      c.backend.destroy();
      const suite = c.ch.suites.includes(0xc02f) ? 0xc02f : c.ch.suites[0]!;
      const sid = Buffer.concat([c.ch.sessionId, crypto.randomBytes(1)]);
      return void write(
        Buffer.concat([
          record(22, 0x0303, serverHello({ version: 0x0303, suite, sessionId: sid, extensions: [] })),
          record(20, 0x0303, Buffer.from([1])),
        ]),
      );
    }
  } else if (type === 24 && !c.tls13 && (c.stats.heartbeats++, flaws.has('heartbleed'))) {
    const claimed = body.readUInt16BE(1);
    const leak = Buffer.concat([body.subarray(3), Buffer.alloc(claimed, 0x41)]).subarray(0, claimed);
    return void write(record(24, 0x0303, Buffer.concat([Buffer.from([2, claimed >> 8, claimed & 0xff]), leak, crypto.randomBytes(16)])));
  } else if (type === 20 && !c.tls13 && c.clientHandshakes === 0 && (c.stats.earlyCcs++, flaws.has('ccs-injection'))) {
    // accept the first early CCS; the second fails on the (garbage) keys: bad_record_mac
    if (++c.earlyCcs === 2) {
      c.done = true;
      c.backend.destroy();
      write(alertRecord(20));
    }
    return;
  } else if (type === 22) {
    c.clientHandshakes++;
    const rsaCke = body[0] === 16 && body.readUIntBE(1, 3) === 258;
    if (rsaCke) c.stats.rsaKeyExchanges++;
    if (flaws.has('robot') && rsaCke && c.ch) {
      c.done = true;
      c.backend.destroy();
      const m = crypto.privateDecrypt({ key: testRsaMaterial().key, padding: crypto.constants.RSA_NO_PADDING }, body.subarray(6));
      return void c.client.end(alertRecord(leakyAlert(m, c.ch.version)));
    }
  }
  c.backend.write(raw);
}

function serverRecord(c: Conn, flaws: Set<Flaw>, type: number, body: Buffer, raw: Buffer): void {
  if (c.done) return;
  let out = raw;
  if (type === 22 && body[0] === 2) {
    out = rewriteServerHello(raw, (random, exts) => {
      c.tls13 = exts.some(([t]) => t === 43);
      if (flaws.has('no-downgrade-sentinel') && random.subarray(24).toString('latin1').startsWith('DOWNGRD'))
        crypto.randomBytes(8).copy(random, 24);
      let e = exts;
      if (flaws.has('no-rfc5746') && e.some(([t]) => t === 0xff01)) e = e.filter(([t]) => t !== 0xff01);
      // acknowledge the heartbeat extension when the client offered it (the battery's hello only)
      if (flaws.has('heartbleed') && c.ch?.extensions.has(15) && !c.tls13) e = [...e, [15, Buffer.from([1])]];
      return e;
    });
  }
  c.client.write(out);
}

/** A node:tls backend (TLS 1.2-1.3, RSA and ECDHE suites, tickets, Node's default renegotiation) behind the shim. */
export async function flawShim(
  flaws: Flaw[],
): Promise<{ onTls: (sock: net.Socket, rest: Buffer) => void; stats: ShimStats; close(): Promise<void> }> {
  const stats: ShimStats = { heartbeats: 0, earlyCcs: 0, rsaKeyExchanges: 0 };
  const { keyPem, certPem } = testRsaMaterial();
  const backend = tls.createServer(
    { key: keyPem, cert: certPem, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:AES256-GCM-SHA384', minVersion: 'TLSv1.2' },
    (s) => {
      // inside TLS the backend is a curt FTP server: every command is refused, QUIT ends
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        for (const line of d.toString('latin1').split('\r\n').filter(Boolean))
          s.write(/^QUIT/i.test(line) ? '221 Goodbye.\r\n' : /^PBSZ/i.test(line) ? '200 PBSZ=0\r\n' : '530 Not logged in.\r\n');
      });
    },
  );
  const open = new Set<net.Socket>();
  backend.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  backend.on('tlsClientError', () => {});
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const port = (backend.address() as net.AddressInfo).port;
  const set = new Set(flaws);
  const onTls = (client: net.Socket, rest: Buffer) => {
    const b = net.connect({ host: '127.0.0.1', port });
    b.on('error', () => client.destroy());
    const c: Conn = { stats, client, backend: b, ch: null, tls13: false, clientHandshakes: 0, earlyCcs: 0, done: false };
    const records = splitter((t, body, raw) => clientRecord(c, set, t, body, raw));
    // an SSLv2 CLIENT-HELLO is no TLS record: this server does not speak SSLv2
    const fromClient = (d: Buffer) => (c.ch === null && d[0]! & 0x80 ? client.destroy() : records(d));
    const fromServer = splitter((t, body, raw) => serverRecord(c, set, t, body, raw));
    client.on('data', fromClient);
    b.on('data', fromServer);
    client.on('close', () => b.destroy());
    b.on('close', () => {
      if (!c.done) client.destroy();
    });
    if (rest.length) fromClient(rest);
  };
  return {
    onTls,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        backend.close(() => r());
      }),
  };
}
