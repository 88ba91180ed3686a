// Property-based fuzzing of the FTP text parsers: reply assembly and PASV/EPSV. Whatever a server
// sends, only the documented error class may escape, and every result is well-formed.
import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FtpReplyAssembler, FtpReplyError, parseReply, type FtpReply } from '../../src/net/ftp-reply.js';
import { PassiveParseError, classifyAdvertised, parseEpsv, parsePasv, plainAddress, portArgument } from '../../src/net/ftp-passive.js';

const RUNS = { numRuns: 1500 };

/** Any text a server might put on a line: ASCII-heavy, with control characters and unicode. */
const anyLine = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom(' ', '-', '', '--', '\t'), fc.string({ maxLength: 60 }))
    .map(([c, sep, t]) => `${String(c).padStart(3, '0')}${sep}${t}`),
  fc
    .tuple(fc.integer({ min: 0, max: 99999 }), fc.constantFrom(' ', '-'), fc.string({ maxLength: 20 }))
    .map(([c, sep, t]) => `${c}${sep}${t}`),
);

function wellFormed(r: FtpReply): void {
  expect(Number.isInteger(r.code)).toBe(true);
  expect(r.code).toBeGreaterThanOrEqual(0);
  expect(r.code).toBeLessThanOrEqual(999);
  expect(r.lines.length).toBeGreaterThan(0);
  expect(r.lines[0]!.startsWith(String(r.code).padStart(3, '0'))).toBe(true);
  expect(typeof r.text).toBe('string');
}

describe('fuzz: FtpReplyAssembler', () => {
  it('any sequence of lines: only FtpReplyError escapes, replies are well-formed, limits hold', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (lines, maxLines) => {
        let asm = new FtpReplyAssembler({ maxLines });
        for (const line of lines) {
          try {
            const r = asm.push(line);
            if (r) {
              wellFormed(r);
              expect(r.lines.length).toBeLessThanOrEqual(maxLines);
              expect(asm.inProgress).toBe(false);
            }
          } catch (err) {
            expect(err).toBeInstanceOf(FtpReplyError);
            asm = new FtpReplyAssembler({ maxLines }); // a real session ends here
          }
        }
      }),
      RUNS,
    );
  });

  it('a well-formed multi-line reply is assembled whatever its middle lines say', () => {
    const middle = fc.string({ maxLength: 50 }).filter((l) => !/^\d{3}( |$)/.test(l));
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.array(middle, { maxLength: 30 }),
        fc.string({ maxLength: 40 }),
        (code, mid, last) => {
          const lines = [`${code}-first`, ...mid.filter((l) => !l.startsWith(`${code} `) && l !== String(code)), `${code} ${last}`];
          const asm = new FtpReplyAssembler({ maxLines: 1000 });
          let out: FtpReply | null = null;
          lines.forEach((l, i) => {
            const r = asm.push(l);
            if (i < lines.length - 1) expect(r).toBeNull();
            else out = r;
          });
          expect(out).not.toBeNull();
          wellFormed(out!);
          expect(out!.code).toBe(code);
          expect(out!.lines).toEqual(lines);
        },
      ),
      RUNS,
    );
  });

  it('parseReply on any text: only FtpReplyError escapes', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 20 }), fc.constantFrom('\r\n', '\n', '\r'), (lines, eol) => {
        try {
          wellFormed(parseReply(lines.join(eol)));
        } catch (err) {
          expect(err).toBeInstanceOf(FtpReplyError);
        }
      }),
      RUNS,
    );
  });
});

const octet = fc.integer({ min: 0, max: 255 });
const bigNumber = fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(99999999999));

describe('fuzz: PASV / EPSV', () => {
  it('parsePasv on any text: only PassiveParseError, and results are a real IPv4 address and port', () => {
    const pasvLike = fc
      .tuple(
        fc.array(bigNumber, { minLength: 4, maxLength: 8 }),
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        fc.constantFrom(',', ', ', ' ,', ',,', '.'),
      )
      .map(([ns, a, b, sep]) => `227 Entering Passive Mode ${a}(${ns.join(sep)})${b}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 80 }), pasvLike), (text) => {
        try {
          const r = parsePasv(text);
          expect(net.isIPv4(r.address!)).toBe(true);
          expect(r.port).toBeGreaterThanOrEqual(1);
          expect(r.port).toBeLessThanOrEqual(65535);
        } catch (err) {
          expect(err).toBeInstanceOf(PassiveParseError);
        }
      }),
      RUNS,
    );
  });

  it('parsePasv round-trips every address and port, with or without parentheses', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 1, max: 65535 }), fc.boolean(), (a, port, parens) => {
        const arg = portArgument(a.join('.'), port);
        const r = parsePasv(`227 Entering Passive Mode ${parens ? `(${arg})` : arg}.`);
        expect(r).toEqual({ address: a.join('.'), port });
      }),
      RUNS,
    );
  });

  it('out-of-range numbers are refused, never masked into range', () => {
    fc.assert(
      fc.property(
        fc.array(octet, { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 256, max: 99999 }),
        (ns, i, bad) => {
          ns[i] = bad;
          expect(() => parsePasv(`227 Entering Passive Mode (${ns.join(',')})`)).toThrow(PassiveParseError);
        },
      ),
      RUNS,
    );
    expect(() => parsePasv('227 Entering Passive Mode (300,1,1,1,999,999)')).toThrow(PassiveParseError);
  });

  it('parseEpsv on any text: only PassiveParseError, port in range, never an address', () => {
    const epsvLike = fc
      .tuple(fc.constantFrom('|', '!', '#', '(', ')', 'a', ' '), bigNumber, fc.string({ maxLength: 10 }))
      .map(([d, n, tail]) => `229 Entering Extended Passive Mode (${d}${d}${d}${n}${d})${tail}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 }), epsvLike), (text) => {
        try {
          const r = parseEpsv(text);
          expect(r.address).toBeNull();
          expect(Number.isInteger(r.port)).toBe(true);
          expect(r.port).toBeGreaterThanOrEqual(1);
          expect(r.port).toBeLessThanOrEqual(65535);
        } catch (err) {
          expect(err).toBeInstanceOf(PassiveParseError);
        }
      }),
      RUNS,
    );
    expect(() => parseEpsv('229 Entering Extended Passive Mode (|||99999|)')).toThrow(PassiveParseError);
    expect(() => parseEpsv('229 Entering Extended Passive Mode (|||0|)')).toThrow(PassiveParseError);
  });

  it('long digit runs do not make the PASV parser slow', () => {
    for (const text of [
      `227 ${'1,'.repeat(20000)}x`,
      `227 ${'9'.repeat(50000)}`,
      `227 ${'12345678901,'.repeat(5000)}`,
      `229 ${'|'.repeat(50000)}`,
    ]) {
      const t = performance.now();
      try {
        parsePasv(text);
      } catch (err) {
        expect(err).toBeInstanceOf(PassiveParseError);
      }
      expect(() => parseEpsv(text)).toThrow(PassiveParseError);
      expect(performance.now() - t).toBeLessThan(500);
    }
  });

  it('classifyAdvertised never throws and answers from its closed vocabulary', () => {
    const kinds = ['same', 'unspecified', 'private', 'loopback', 'link-local', 'foreign'];
    const ipv4 = fc.tuple(octet, octet, octet, octet).map((a) => a.join('.'));
    const addr = fc.oneof(
      ipv4,
      ipv4.map((a) => `::ffff:${a}`),
      fc.constantFrom('::1', 'fe80::1', '0.0.0.0', '', '999.1.1.1'),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(addr, addr, (adv, con) => {
        const k = classifyAdvertised(adv, con);
        expect(kinds).toContain(k);
        if (plainAddress(adv) === plainAddress(con)) expect(k).toBe('same');
      }),
      RUNS,
    );
    // The scanner's safety depends on these never being called "same".
    expect(classifyAdvertised('127.0.0.77', '127.0.0.1')).toBe('loopback');
    expect(classifyAdvertised('192.0.2.55', '127.0.0.1')).toBe('foreign');
  });
});
