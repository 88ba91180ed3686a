import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildClientHello,
  buildSSLv2ClientHello,
  HRR_RANDOM,
  makeKeyShare,
  parseAlert,
  parseServerHello,
  parseServerKeyExchange,
  ServerFlight,
  wrapRecords,
} from '../../../src/tls/hello.js';

// Recorded from `openssl s_server -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256` (OpenSSL 3.0, P-256 key)
// answering our TLS 1.2 hello: ServerHello + Certificate + ServerKeyExchange + ServerHelloDone, one record.
const TLS12_FLIGHT = Buffer.from(
  '16030300410200003d03032b6ede6327dd463e8aef798beead5b2b1f46b7e462cc06cb05bb3cbf27a9e0bc00c02b000015ff01000100000b00040300' +
    '0102002300000017000016030301870b00018300018000017d308201793082011fa00302010202147b3fe94df83c7bfaa511b833ebf213f0d229627c' +
    '300a06082a8648ce3d04030230123110300e06035504030c0765632e74657374301e170d3236313132323034313335375a170d323631323232303431' +
    '3335375a30123110300e06035504030c0765632e746573743059301306072a8648ce3d020106082a8648ce3d0301070342000420f041e9f227ae33c8' +
    '759d92a89c7a52e19823eb98d4cbed77a33d2029f78ac3af8bd3a1a244a9b1a8c5ca7d2ce91053180b3aff783c04bf70305d9de6e62cdaa353305130' +
    '1d0603551d0e041604145061513c193bcbd9f2dd243e5d92182df0cb3508301f0603551d230418301680145061513c193bcbd9f2dd243e5d92182df0' +
    'cb3508300f0603551d130101ff040530030101ff300a06082a8648ce3d040302034800304502207b491f56a34b0af4d89dac4368c88a54605cf35036' +
    'd83d085f00fc38485c3190022100a329ebb02f6c465c500483cf765d7df58608692c1284e90e3470354233369e8c16030300940c0000900300174104' +
    'd313dc5d6931fd58d8fba5272a1c79ce4031f09ca3188607d9cca6a6d64205a884c03eed6d1f0a0b3b5e4c264cf0429607e77a340d15f22358392075' +
    'e994f10804030047304502203c09122a0eecbbd06de6b70818eded7f2f05629e511e3c083163892faa8d15cb022100911e281d3f9588cca89cee041d' +
    'c1c874573a628f4b9f56ffbff8292b020b683c16030300040e000000' +
    '',
  'hex',
);
// OpenSSL answering a TLS 1.3 hello with an empty key_share and supported_groups [secp256r1]: HRR + CCS.
const TLS13_HRR = Buffer.from(
  '1603030058020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c20c235ea153e85554511e4f03987326fdf8b6e9517c59915dcee4a77f19b0f0075130100000c002b00020304003300020017140303000101',
  'hex',
);
// OpenSSL refusing a hello that offers only RC4-SHA: fatal handshake_failure.
const ALERT = Buffer.from('15030300020228', 'hex');

function serverHelloBody(opts: { version?: number; suite?: number; exts?: Buffer; random?: Buffer; compression?: number } = {}): Buffer {
  const parts = [
    Buffer.from([(opts.version ?? 0x0303) >> 8, (opts.version ?? 0x0303) & 0xff]),
    opts.random ?? Buffer.alloc(32, 7),
    Buffer.from([0]),
    Buffer.from([(opts.suite ?? 0xc02f) >> 8, (opts.suite ?? 0xc02f) & 0xff, opts.compression ?? 0]),
  ];
  if (opts.exts) parts.push(Buffer.from([opts.exts.length >> 8, opts.exts.length & 0xff]), opts.exts);
  return Buffer.concat(parts);
}

describe('ClientHello builder', () => {
  it('builds a TLS 1.2 hello with the requested suites and extensions', () => {
    const rec = buildClientHello({ version: 0x0303, suites: [0xc02f, 0x009c], serverName: 'ftp.example.com' });
    expect(rec[0]).toBe(22);
    expect(rec.readUInt16BE(1)).toBe(0x0301);
    expect(rec.readUInt16BE(3)).toBe(rec.length - 5);
    expect(rec[5]).toBe(1); // client_hello
    expect(rec.readUInt16BE(9)).toBe(0x0303);
    const sidLen = rec[43]!;
    const suitesLen = rec.readUInt16BE(44 + sidLen);
    const suites = [];
    for (let i = 0; i < suitesLen; i += 2) suites.push(rec.readUInt16BE(46 + sidLen + i));
    expect(suites).toEqual([0xc02f, 0x009c]);
    expect(rec.includes(Buffer.from('ftp.example.com'))).toBe(true);
    // padded away from the 256..511 range
    expect(rec.length - 5 < 256 || rec.length - 5 >= 512).toBe(true);
  });

  it('SSLv3 hellos carry no extensions and signal RFC 5746 with the SCSV; fallback adds 0x5600', () => {
    const rec = buildClientHello({ version: 0x0300, suites: [0x000a], fallbackScsv: true });
    expect(rec.readUInt16BE(1)).toBe(0x0300);
    const body = rec.subarray(9);
    const sidLen = body[34]!;
    const suitesLen = body.readUInt16BE(35 + sidLen);
    const suites = [];
    for (let i = 0; i < suitesLen; i += 2) suites.push(body.readUInt16BE(37 + sidLen + i));
    expect(suites).toEqual([0x000a, 0x00ff, 0x5600]);
    const afterComp = 37 + sidLen + suitesLen + 1 + body[37 + sidLen + suitesLen]!;
    expect(afterComp).toBe(body.length); // no extension block
  });

  it('TLS 1.3 hello has supported_versions and a real x25519 key share', () => {
    const ks = makeKeyShare(29)!;
    expect(ks.key.length).toBe(32);
    const rec = buildClientHello({ version: 0x0304, suites: [0x1301], supportedVersions: [0x0304], keyShares: [ks] });
    expect(rec.readUInt16BE(9)).toBe(0x0303); // legacy_version
    expect(rec.includes(Buffer.from([0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]))).toBe(true);
    expect(rec.includes(ks.key)).toBe(true);
  });

  it('splits hellos over 16 KiB into several records', () => {
    const suites = Array.from({ length: 9000 }, (_, i) => i);
    const rec = buildClientHello({ version: 0x0303, suites });
    expect(rec.readUInt16BE(3)).toBe(16384);
    expect(rec[5 + 16384]).toBe(22);
  });

  it('builds an SSLv2 CLIENT-HELLO', () => {
    const rec = buildSSLv2ClientHello([0x010080, 0x0700c0]);
    expect(rec[0]! & 0x80).toBe(0x80);
    expect(((rec[0]! & 0x7f) << 8) | rec[1]!).toBe(rec.length - 2);
    expect(rec[2]).toBe(1);
    expect(rec.readUInt16BE(3)).toBe(0x0002);
    expect(rec.readUInt16BE(5)).toBe(6);
  });
});

describe('server flight parser', () => {
  it('parses a recorded OpenSSL TLS 1.2 flight: ServerHello, chain, ECDHE curve', () => {
    const f = new ServerFlight();
    f.push(TLS12_FLIGHT);
    expect(f.done).toBe(true);
    const r = f.result;
    expect(r.kind).toBe('server-hello');
    expect(r.serverHello!.version).toBe(0x0303);
    expect(r.serverHello!.cipherSuite).toBe(0xc02b);
    expect(r.serverHello!.secureRenegotiation).toBe(true);
    expect(r.serverHello!.extendedMasterSecret).toBe(true);
    expect(r.certificates!.length).toBe(1);
    expect(r.certificates![0]![0]).toBe(0x30);
    expect(r.serverKeyExchange).toMatchObject({ kind: 'ecdh', namedCurve: 23, curveName: 'secp256r1' });
    expect(r.serverHelloDone).toBe(true);
  });

  it('handles the flight split into 1-byte TCP segments', () => {
    const f = new ServerFlight();
    for (const b of TLS12_FLIGHT) f.push(Buffer.from([b]));
    expect(f.result.kind).toBe('server-hello');
    expect(f.result.certificates!.length).toBe(1);
    expect(f.result.serverHelloDone).toBe(true);
  });

  it('detects a HelloRetryRequest by its random and reads the requested group', () => {
    const f = new ServerFlight();
    f.push(TLS13_HRR);
    expect(f.result.kind).toBe('hello-retry-request');
    expect(f.result.serverHello!.random.equals(HRR_RANDOM)).toBe(true);
    expect(f.result.serverHello!.version).toBe(0x0304);
    expect(f.result.serverHello!.keyShareGroup).toBe(23);
    expect(f.result.serverHello!.cipherSuite).toBe(0x1301);
  });

  it('parses alerts', () => {
    const f = new ServerFlight();
    f.push(ALERT);
    expect(f.result.kind).toBe('alert');
    expect(f.result.alert).toEqual({ level: 2, description: 40, name: 'handshake_failure' });
    expect(parseAlert(Buffer.from([2, 86]))).toEqual({ ok: true, value: { level: 2, description: 86, name: 'inappropriate_fallback' } });
  });

  it('reads several handshake messages from one record and one message across records', () => {
    const sh = serverHelloBody({ suite: 0x009e });
    const ske = Buffer.concat([Buffer.from([0x01, 0x00]), Buffer.alloc(256, 0xff), Buffer.from([0, 1, 2, 0, 1, 5])]);
    const hs = Buffer.concat([
      Buffer.from([2, 0, 0, sh.length]),
      sh,
      Buffer.from([12, 0, (ske.length >> 8) & 0xff, ske.length & 0xff]),
      ske,
      Buffer.from([14, 0, 0, 0]),
    ]);
    // split the handshake stream across three records at awkward points
    const recs = Buffer.concat([
      wrapRecords(22, 0x0303, hs.subarray(0, 10)),
      wrapRecords(22, 0x0303, hs.subarray(10, 100)),
      wrapRecords(22, 0x0303, hs.subarray(100)),
    ]);
    const f = new ServerFlight();
    f.push(recs);
    expect(f.result.serverHello!.cipherSuite).toBe(0x009e);
    expect(f.result.serverKeyExchange).toEqual({ kind: 'dh', dhBits: 2048 });
    expect(f.result.serverHelloDone).toBe(true);
  });

  it('DH prime size counts bits, not bytes', () => {
    const p = Buffer.concat([Buffer.from([0x00, 0x7f]), Buffer.alloc(127, 0xff)]);
    const body = Buffer.concat([Buffer.from([0, p.length]), p]);
    expect(parseServerKeyExchange(body, 0x0033)).toEqual({ ok: true, value: { kind: 'dh', dhBits: 1023 } });
  });

  it('reports non-TLS replies (an FTP 421) as not-tls with a preview', () => {
    const f = new ServerFlight();
    f.push(Buffer.from('421 Too many connections (4) from this IP\r\n'));
    expect(f.result.kind).toBe('not-tls');
    expect(f.result.preview).toContain('421 Too many');
  });

  it('enforces the record size limit', () => {
    const f = new ServerFlight({ maxBytes: 1 << 20, maxRecord: 1000, maxHandshakeMessage: 1 << 20 });
    f.push(Buffer.from([22, 3, 3, 0x40, 0x00]));
    expect(f.result.kind).toBe('malformed');
  });

  it('SSLv2 SERVER-HELLO', () => {
    const cert = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]);
    const specs = Buffer.from([0x01, 0x00, 0x80, 0x07, 0x00, 0xc0]);
    const msg = Buffer.concat([Buffer.from([4, 0, 1, 0, 2, 0, cert.length, 0, specs.length, 0, 16]), cert, specs, Buffer.alloc(16)]);
    const f = new ServerFlight();
    f.push(Buffer.concat([Buffer.from([0x80 | (msg.length >> 8), msg.length & 0xff]), msg]));
    expect(f.result.kind).toBe('sslv2-server-hello');
    expect(f.result.sslv2).toMatchObject({ version: 2, cipherKinds: [0x010080, 0x0700c0] });
  });

  it('end() turns a connection without reply into a typed result', () => {
    const f = new ServerFlight();
    expect(f.end('connection closed')).toMatchObject({ kind: 'incomplete', error: 'connection closed without reply' });
  });

  it('ServerHello extensions: supported_versions, key_share, EMS, renegotiation_info', () => {
    const exts = Buffer.from([0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x02, 0xaa, 0xbb]);
    const p = parseServerHello(serverHelloBody({ suite: 0x1302, exts }));
    expect(p.ok && p.value).toMatchObject({ version: 0x0304, keyShareGroup: 29, cipherSuite: 0x1302, isHelloRetryRequest: false });
    const p2 = parseServerHello(serverHelloBody({ exts: Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00]) }));
    expect(p2.ok && p2.value).toMatchObject({ secureRenegotiation: true, extendedMasterSecret: true });
    expect(parseServerHello(Buffer.from([3, 3, 1])).ok).toBe(false);
  });

  it('never throws on arbitrary input, however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), fc.boolean(), (chunks, withPrefix) => {
        const f = new ServerFlight();
        if (withPrefix) f.push(TLS12_FLIGHT.subarray(0, 60));
        for (const c of chunks) f.push(Buffer.from(c));
        const r = f.end();
        expect(typeof r.kind).toBe('string');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        parseServerHello(Buffer.from(b));
        parseServerKeyExchange(Buffer.from(b), 0xc02f);
        parseServerKeyExchange(Buffer.from(b), 0x00aa);
      }),
    );
  });

  it('mutated recorded flights never throw', () => {
    fc.assert(
      fc.property(fc.nat(TLS12_FLIGHT.length - 1), fc.integer({ min: 0, max: 255 }), (pos, val) => {
        const b = Buffer.from(TLS12_FLIGHT);
        b[pos] = val;
        const f = new ServerFlight();
        f.push(b);
        f.end();
      }),
      { numRuns: 1000 },
    );
  });
});
