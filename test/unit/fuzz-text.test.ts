// Property-based fuzzing of the line reader, transcript redaction and target parsing.
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../src/net/line-reader.js';
import { ProbeError } from '../../src/net/outcomes.js';
import { Transcript, redact } from '../../src/net/transcript.js';
import { UsageError, parsePortList, parseTarget } from '../../src/targets.js';
import { expandTargets } from '../../src/fleet/inventory.js';

const RUNS = { numRuns: 1000 };

/** Splits `data` into chunks at the given cut points. */
function chunked(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    if (p > prev) out.push(data.subarray(prev, p));
    prev = p;
  }
  return out;
}

async function readAll(reader: LineReader): Promise<{ lines: string[]; error: ProbeError | null }> {
  const lines: string[] = [];
  for (;;) {
    try {
      lines.push(await reader.readLine(performance.now() + 50));
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      return { lines, error: err };
    }
  }
}

describe('fuzz: LineReader', () => {
  it('however the bytes are chunked, the lines are the same and the limit holds', async () => {
    const text = fc.oneof(
      fc.array(fc.string({ maxLength: 40 }), { maxLength: 20 }).map((ls) => ls.join('\r\n')),
      fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (t, cuts, maxLineBytes, endWithNl) => {
          const data = Buffer.from(endWithNl ? `${t}\n` : t, 'utf8');
          const s = new PassThrough();
          const reader = new LineReader({ maxLineBytes });
          reader.attach(s);
          for (const c of chunked(data, cuts)) s.write(c);
          s.end();
          const { lines, error } = await readAll(reader);
          // What a reference splitter says:
          const parts = data.toString('latin1').split('\n');
          parts.pop(); // the unfinished tail (or '' after a final LF)
          const tooLong = parts.findIndex((p) => Buffer.from(p, 'latin1').length > maxLineBytes);
          const expected = (tooLong >= 0 ? parts.slice(0, tooLong) : parts).map((p) =>
            Buffer.from(p, 'latin1').toString('utf8').replace(/\r$/, ''),
          );
          expect(lines).toEqual(expected.slice(0, lines.length));
          if (tooLong < 0) expect(lines).toEqual(expected);
          expect(error).toBeInstanceOf(ProbeError);
          for (const l of lines) expect(Buffer.byteLength(l.replace(/\uFFFD/g, '?'))).toBeLessThanOrEqual(maxLineBytes + 4 * maxLineBytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a reader nobody reads from takes a bounded amount from the server (back-pressure)', async () => {
    const s = new PassThrough({ highWaterMark: 64 * 1024 });
    const reader = new LineReader({ maxLineBytes: 8192 });
    reader.attach(s);
    const line = Buffer.from(`${'x'.repeat(70)}\r\n`);
    const block = Buffer.concat(Array.from({ length: 1000 }, () => line));
    let offered = 0;
    let stalls = 0;
    // Offer up to 64 MiB, but only while the stream accepts writes, as a TCP socket would; stop
    // when the reader has stopped taking bytes for a while (back-pressure reached us).
    while (offered < 64 * 1024 * 1024 && stalls < 3) {
      const before = reader.bytesReceived;
      if (!s.write(block)) await new Promise((r) => setTimeout(r, 20));
      offered += block.length;
      stalls = reader.bytesReceived === before ? stalls + 1 : 0;
    }
    expect(reader.bytesReceived).toBeLessThan(4 * 1024 * 1024);
    // …and reading drains it again.
    const first = await reader.readLine(performance.now() + 100);
    expect(first).toBe('x'.repeat(70));
    s.destroy();
  });

  it('a line over the limit in a single chunk is reported as data, not as silence', async () => {
    const s = new PassThrough();
    const reader = new LineReader({ maxLineBytes: 8192 });
    reader.attach(s);
    s.write(Buffer.alloc(65536, 0x41));
    expect(await reader.waitForData(performance.now() + 200)).toBe(true);
    await expect(reader.readLine(performance.now() + 100)).rejects.toThrow(/longer than 8192/);
  });
});

/** Passwords: printable, unicode, with regex metacharacters and spaces. */
const password = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  fc.constantFrom('p@ss word', '$(rm -rf)', 'a.b*c+d?', '\\x41', 'PASS', '   ', 'Ünïcödé-✓', '%s%n', '\u202eevil'),
);

describe('fuzz: transcript redaction', () => {
  it('a registered password never survives, whatever surrounds it, in any line or note', () => {
    fc.assert(
      fc.property(
        password,
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('client', 'server', 'note') as fc.Arbitrary<'client' | 'server' | 'note'>,
        (pw, before, after, times, dir) => {
          // The mask itself cannot be "revealed"; masks are asterisks.
          fc.pre(!/^[*]+$/.test(pw));
          const t = new Transcript();
          t.addSecret(pw);
          const text = `${before}${Array.from({ length: times }, () => pw).join(after)}${after}`;
          t.add('c#1', dir, text);
          t.add('c#1', 'client', `PASS ${pw}`);
          t.add('c#1', 'server', `530 Login incorrect for password ${pw}`);
          const out = t.finish();
          for (const l of out) {
            expect(l.text.includes(pw), JSON.stringify({ pw, text: l.text })).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('PASS lines are masked even when the secret was never registered', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\r\n]/.test(s) && /^\S/.test(s)),
        fc.constantFrom('PASS', 'pass', ' PASS', 'Pass'),
        (pw, verb) => {
          expect(redact(`${verb} ${pw}`)).toBe(`${verb} ********`);
        },
      ),
      RUNS,
    );
  });

  it('redaction output is printable: no raw control characters reach a terminal', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
        (text, secrets) => {
          expect(redact(text, secrets)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
        },
      ),
      RUNS,
    );
  });
});

describe('fuzz: target parsing', () => {
  const hostish = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc
      .tuple(
        fc.constantFrom('', 'sftp://', 'ftp://', 'ftps://', 'ftpes://', 'http://', 'FTP://', '://', 'ftp:/'),
        fc.string({ maxLength: 20 }),
        fc.constantFrom('', ':', ':21', ':0', ':65536', ':99999999999', ':-1', ':2a', '/x', '@h'),
        fc.constantFrom('', '[', ']', '::1', '[::1]', 'user:pw@'),
      )
      .map(([s, h, p, x]) => `${s}${x}${h}${p}`),
  );

  it('only UsageError escapes, and accepted targets are well-formed', () => {
    fc.assert(
      fc.property(hostish, (input) => {
        try {
          const t = parseTarget(input);
          expect(t.host.length).toBeGreaterThan(0);
          if (t.port !== null) {
            expect(Number.isInteger(t.port)).toBe(true);
            expect(t.port).toBeGreaterThanOrEqual(1);
            expect(t.port).toBeLessThanOrEqual(65535);
          }
          expect(t.host).not.toMatch(/[\s/@]/);
          const eps = expandTargets([t], [21, 22, 990]);
          expect(eps.length).toBeGreaterThan(0);
          for (const e of eps) expect(e.port).toBeGreaterThanOrEqual(1);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
          // One line, printable: the message goes straight to a terminal.
          expect((err as Error).message).not.toMatch(/[\x00-\x1f\x7f]/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('credentials in a URL are always refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sftp', 'ftp', 'ftps', 'ftpes'),
        fc.stringMatching(/^[a-z0-9]{1,10}$/),
        fc.stringMatching(/^[a-z0-9]{1,10}$/),
        (scheme, user, pw) => {
          expect(() => parseTarget(`${scheme}://${user}:${pw}@host.example`)).toThrow(UsageError);
        },
      ),
      RUNS,
    );
  });

  it('port lists: only UsageError escapes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        try {
          for (const p of parsePortList(text)) expect(p >= 1 && p <= 65535).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      RUNS,
    );
  });
});
