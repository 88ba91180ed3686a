// Property-based fuzzing of the binary parsers a hostile TLS or SSH server feeds: they are
// documented to never throw and to return typed error results.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ServerFlight,
  parseAlert,
  parseCertificateMessage,
  parseSSLv2ServerHello,
  parseServerHello,
  parseServerKeyExchange,
  type Parsed,
} from '../../src/tls/hello.js';
import { analyzeChain, parseCertificate, pemToDer } from '../../src/tls/certs.js';
import { parseIdentification, takeIdentification } from '../../src/ssh/ident.js';
import { buildKexinit, parseKexinit, WIDE_OFFER } from '../../src/ssh/kexinit.js';
import { framePacket, takePacket, MAX_PACKET_LENGTH } from '../../src/ssh/wire.js';
import { testCertificate } from '../helpers/fixtures.js';

const RUNS = { numRuns: 1500 };
const bytes = (max = 300) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));

/** Mutations of a valid buffer: flip bytes, truncate, splice junk, overwrite lengths with 0xff. */
function mutated(base: Buffer): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.boolean(), bytes(16))
    .map(([flips, cut, truncate, junk]) => {
      const b = Buffer.from(base);
      for (const [at, v] of flips) if (b.length) b[at % b.length] = v;
      const out = truncate && b.length ? b.subarray(0, cut % b.length) : b;
      return Buffer.concat([out, truncate ? Buffer.alloc(0) : junk]);
    });
}

function wellFormedParsed<T>(p: Parsed<T>): void {
  expect(typeof p.ok).toBe('boolean');
  if (!p.ok) {
    expect(typeof p.error).toBe('string');
    expect(p.error.length).toBeGreaterThan(0);
  }
}

// A realistic TLS 1.2 ServerHello body to mutate.
const SERVER_HELLO = Buffer.concat([
  Buffer.from([0x03, 0x03]),
  crypto.randomBytes(32),
  Buffer.from([32]),
  crypto.randomBytes(32),
  Buffer.from([0xc0, 0x2f, 0x00]),
  Buffer.from([0x00, 0x0d, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x02]),
  Buffer.from([0x03, 0x04]),
]);

function record(type: number, payload: Buffer): Buffer {
  const h = Buffer.from([type, 3, 3, 0, 0]);
  h.writeUInt16BE(payload.length, 3);
  return Buffer.concat([h, payload]);
}

function handshake(type: number, body: Buffer): Buffer {
  const h = Buffer.from([type, 0, 0, 0]);
  h.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}

describe('fuzz: TLS hello-level parsers never throw', () => {
  it('ServerHello, Certificate, ServerKeyExchange, Alert, SSLv2 ServerHello on random and mutated input', () => {
    fc.assert(
      fc.property(fc.oneof(bytes(), mutated(SERVER_HELLO)), fc.integer({ min: 0, max: 0xffff }), (b, suite) => {
        const sh = parseServerHello(b);
        wellFormedParsed(sh);
        if (sh.ok) {
          expect(sh.value.random.length).toBe(32);
          expect(sh.value.cipherSuite).toBeGreaterThanOrEqual(0);
          expect(sh.value.cipherSuite).toBeLessThanOrEqual(0xffff);
        }
        wellFormedParsed(parseCertificateMessage(b));
        wellFormedParsed(parseServerKeyExchange(b, suite));
        wellFormedParsed(parseServerKeyExchange(b, 0xc02f));
        wellFormedParsed(parseAlert(b));
        wellFormedParsed(parseSSLv2ServerHello(b));
      }),
      RUNS,
    );
  });

  it('ServerFlight: any bytes in any chunking end in a definite, bounded result', () => {
    const flight = Buffer.concat([record(22, handshake(2, SERVER_HELLO)), record(22, handshake(14, Buffer.alloc(0)))]);
    const kinds = [
      'server-hello',
      'hello-retry-request',
      'alert',
      'sslv2-server-hello',
      'sslv2-error',
      'not-tls',
      'malformed',
      'incomplete',
    ];
    fc.assert(
      fc.property(
        fc.oneof(bytes(600), mutated(flight), mutated(record(21, Buffer.from([2, 40])))),
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 20 }),
        (b, sizes) => {
          const f = new ServerFlight({ maxBytes: 4096, maxRecord: 18432, maxHandshakeMessage: 8192 });
          let off = 0;
          for (const n of [...sizes, b.length]) {
            if (off >= b.length) break;
            f.push(b.subarray(off, off + n));
            off += n;
          }
          const r = f.end();
          expect(kinds).toContain(r.kind);
          if (r.kind === 'incomplete') expect(r.error).toBeTruthy();
          expect(r.bytes).toBeLessThanOrEqual(b.length);
        },
      ),
      RUNS,
    );
    // A record header announcing 16 KiB followed by 10 bytes: incomplete, not a hang or a throw.
    const f = new ServerFlight();
    f.push(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 2, 0, 0x3f, 0xfc, 3, 3, 1, 2, 3, 4]));
    expect(f.done).toBe(false);
    expect(f.end('timeout').kind).toBe('incomplete');
  });

  it('ServerFlight stops at its byte limit however much a server streams', () => {
    const f = new ServerFlight({ maxBytes: 64 * 1024, maxRecord: 18432, maxHandshakeMessage: 128 * 1024 });
    // a handshake message announcing 16 MiB, spread over many maximal records
    f.push(record(22, Buffer.concat([Buffer.from([11, 0xff, 0xff, 0xff]), Buffer.alloc(16000)])));
    for (let i = 0; i < 100 && !f.done; i++) f.push(record(22, Buffer.alloc(16000)));
    expect(f.done).toBe(true);
    expect(f.result.kind).toBe('malformed');
  });
});

describe('fuzz: certificate input never throws', () => {
  const { cert } = testCertificate();
  const der = pemToDer(cert)[0]!;

  it('parseCertificate and analyzeChain on random and mutated DER', () => {
    fc.assert(
      fc.property(fc.oneof(bytes(400), mutated(der)), fc.boolean(), (b, chain) => {
        const facts = parseCertificate(b, 0);
        expect(typeof facts.fingerprintSha256).toBe('string');
        expect(typeof facts.subject).toBe('string');
        const a = analyzeChain(chain ? [b, der] : [b], { hostname: 'localhost' });
        expect(a.certificates.length).toBe(chain ? 2 : 1);
        expect(typeof a.trusted).toBe('boolean');
      }),
      { numRuns: 400 },
    );
  });

  it('pemToDer on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        for (const d of pemToDer(`-----BEGIN CERTIFICATE-----${text}-----END CERTIFICATE-----\n${text}`))
          expect(Buffer.isBuffer(d)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fuzz: SSH identification and KEXINIT never throw', () => {
  it('parseIdentification / takeIdentification on any bytes, results printable and bounded', () => {
    const identish = fc
      .tuple(fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }), fc.string({ maxLength: 40 }), fc.constantFrom('\r\n', '\n', ''))
      .map(([pre, rest, eol]) => Buffer.from(`${pre.map((p) => `${p}\r\n`).join('')}SSH-${rest}${eol}`, 'latin1'));
    fc.assert(
      fc.property(fc.oneof(bytes(400), identish), (b) => {
        const p = parseIdentification(b.toString('latin1'));
        if (p.ok) {
          for (const v of [p.ident.raw, p.ident.software, p.ident.protoVersion, p.ident.comments]) expect(v).toMatch(/^[\x20-\x7e]*$/);
        } else expect(p.error.length).toBeGreaterThan(0);
        const t = takeIdentification(b);
        if (t && 'value' in t) {
          expect(t.consumed).toBeGreaterThan(0);
          expect(t.consumed).toBeLessThanOrEqual(b.length);
          for (const l of t.value.preBanner) expect(l).toMatch(/^[\x20-\x7e]*$/);
        }
      }),
      RUNS,
    );
  });

  it('takeIdentification gives up on an endless line instead of waiting for more', () => {
    expect(takeIdentification(Buffer.alloc(5000, 0x41))).toMatchObject({ error: expect.any(String) });
  });

  it('parseKexinit on random and mutated payloads: a result, never a throw', () => {
    const good = buildKexinit(WIDE_OFFER);
    expect(parseKexinit(good).ok).toBe(true);
    fc.assert(
      fc.property(fc.oneof(bytes(400), mutated(good), mutated(good.subarray(0, 60))), (b) => {
        const p = parseKexinit(b);
        if (p.ok) {
          const k = p.kexinit;
          for (const list of [
            k.kexRaw,
            k.hostKeyAlgorithms,
            k.ciphersCtoS,
            k.ciphersStoC,
            k.macsCtoS,
            k.macsStoC,
            k.compressionCtoS,
            k.compressionStoC,
          ]) {
            expect(Array.isArray(list)).toBe(true);
            for (const n of list) expect(n).toMatch(/^[\x21-\x7e]+$/);
          }
          expect(k.cookie).toMatch(/^[0-9a-f]{32}$/);
        } else expect(p.error.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
    // a name-list length that overruns the packet
    const overrun = Buffer.concat([
      Buffer.from([20]),
      Buffer.alloc(16),
      Buffer.from([0x7f, 0xff, 0xff, 0xf0]),
      Buffer.from('curve25519-sha256'),
    ]);
    expect(parseKexinit(overrun)).toMatchObject({ ok: false, error: expect.stringMatching(/overruns/) });
  });

  it('takePacket: a length of ~4 GiB is an error at once, never a request for 4 GiB more', () => {
    fc.assert(
      fc.property(
        fc.oneof(bytes(64), mutated(framePacket(buildKexinit(WIDE_OFFER)))),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.boolean(),
        (b, len, setLen) => {
          const buf = Buffer.from(b);
          if (setLen && buf.length >= 4) buf.writeUInt32BE(len, 0);
          const p = takePacket(buf);
          if (p.ok) {
            expect(p.consumed).toBeLessThanOrEqual(buf.length);
            expect(p.payload.length).toBeGreaterThan(0);
          } else if ('need' in p) {
            expect(p.need).toBeGreaterThan(0);
            expect(p.need).toBeLessThanOrEqual(MAX_PACKET_LENGTH + 4);
          } else expect(p.error.length).toBeGreaterThan(0);
        },
      ),
      RUNS,
    );
    const giant = Buffer.from([0xff, 0xff, 0xff, 0xf0, 8, 20, 0, 0]);
    expect(takePacket(giant)).toMatchObject({ ok: false, error: expect.stringMatching(/exceeds/) });
  });
});
