// Hostile text in every renderer (issue 14): whatever a server sends — C0/C1 controls, ESC
// sequences, bidi overrides, zero-width characters, lone surrogates, TABs, markup — each format
// escapes it for itself: the table never throws and never prints a control character or a line
// wider than the terminal, HTML/Markdown/JUnit carry no raw control, JSON/SARIF/NDJSON no raw C1
// or bidi override. And every renderer stays linear: a 3 MB finding or a 100k-character CN is
// rendered in moments (the bounds below only catch runaway time, they are not speed targets).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { render, FORMATS } from '../../../reports/index.js';
import { cellWidth } from '../../../reports/text.js';
import { assertWellFormedXml, loadFixture } from '../../helpers/reports.js';
import type { Report } from '../../../src/model.js';
import { boundFinding, boundText, sanitizeDeep, sanitizeText } from '../../../src/untrusted.js';

const base = loadFixture();

const HOSTILE = [
  '\x1b]0;pwned\x07',
  '\x1b[2J\x1b[H',
  '\x9b31m',
  '\x85',
  '\u202eevil\u202c',
  '\u2066x\u2069',
  '\u200b',
  '\ufeff',
  '\t',
  '\r\n',
  '\x00',
  '\x7f',
  '\ud800',
  '<script>alert(1)</script>',
  ']]>',
  '```',
  '| * _ [x](y) #',
  '&amp;',
  '表情😀',
  'a\u0301',
];

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...HOSTILE), { maxLength: 8 }).map((a) => a.join('')),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE), fc.string({ maxLength: 10 })).map((t) => t.join('')),
);

function inject(r: Report, s: string): Report {
  const x = structuredClone(r);
  const ep = x.endpoints[0];
  ep.banner = s;
  ep.error = s;
  const f = ep.findings.find((g) => g.status === 'fail') ?? ep.findings[0];
  f.title = `${f.title} ${s}`;
  f.detail = s;
  f.remediation = `Fix ${s}\n\`\`\`\n${s}\n\`\`\`\n${s}`;
  f.evidence = [{ label: s, value: s }];
  ep.transcript.push({ t: '2024-01-01T00:00:00.000Z', conn: s, dir: 'server', text: s });
  if (ep.tls?.certificate) ep.tls.certificate.subject = s;
  if (x.overview) x.overview.endpoints[0].facts = [s];
  return x;
}

// Raw bytes no document may carry from a server.
const RAW_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/;
const RAW_C1_BIDI = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff\u2028\u2029]/;

describe('renderers under hostile text (fast-check)', () => {
  it('table: never throws, no control character, no line wider than the terminal', () => {
    fc.assert(
      fc.property(hostileString, fc.constantFrom(40, 60, 80, 120), fc.boolean(), fc.boolean(), (s, width, verbose, all) => {
        const out = render(inject(base, s), 'table', { width, verbose, level: all ? 'all' : 'warn' });
        expect(out).not.toMatch(RAW_CONTROL);
        for (const line of out.split('\n')) expect(cellWidth(line), line).toBeLessThanOrEqual(width);
      }),
      { numRuns: 150 },
    );
  });

  it('table with colour: only our own SGR sequences', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = render(inject(base, s), 'table', { width: 80, color: true });
        const stripped = out.replace(/\x1b\[[0-9;]*m/g, '');
        expect(stripped).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 60 },
    );
  });

  it('html, markdown and junit: no raw control character; junit well-formed; html runs only its own script', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const r = inject(base, s);
        const html = render(r, 'html');
        expect(html).not.toMatch(RAW_CONTROL);
        expect(html.match(/<script\b/gi)?.length).toBe(1);
        expect(render(r, 'markdown')).not.toMatch(RAW_CONTROL);
        const xml = render(r, 'junit');
        expect(xml).not.toMatch(RAW_CONTROL);
        assertWellFormedXml(xml);
      }),
      { numRuns: 80 },
    );
  });

  it('json, sarif, ndjson: parse back, no raw C1 or bidi override, same values', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const r = inject(base, s);
        for (const format of ['json', 'sarif', 'ndjson'] as const) {
          const out = render(r, format);
          expect(out, format).not.toMatch(RAW_C1_BIDI);
          for (const line of format === 'ndjson' ? out.trimEnd().split('\n') : [out]) JSON.parse(line);
        }
        expect(JSON.parse(render(r, 'json')).endpoints[0].banner).toBe(s);
      }),
      { numRuns: 80 },
    );
  });
});

describe('renderers are linear in their input', () => {
  it.each(FORMATS.map((f) => [f]))('%s: a 3 MB finding text and a 100k-character CN', (format) => {
    const r = structuredClone(base);
    const ep = r.endpoints[0];
    const f = ep.findings[0];
    const names = Array.from({ length: 50_000 }, (_, i) => `kex-${i}@example.com`).join(',');
    f.detail = names.repeat(3).slice(0, 3_000_000);
    f.remediation = names.slice(0, 1_000_000);
    f.evidence = [{ label: 'KEXINIT', value: names }];
    if (ep.tls?.certificate) ep.tls.certificate.subject = `CN=${'a'.repeat(100_000)}`;
    ep.banner = 'b'.repeat(100_000);
    const t = performance.now();
    const out = render(r, format, { width: 80, verbose: true, level: 'all' });
    expect(out.length).toBeGreaterThan(0);
    expect(performance.now() - t).toBeLessThan(15_000);
  });
});

// What the second hostile battery demands of every output: not even a TAB from a server.
const RAW_ANY = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('the model boundary (src/untrusted.ts), then every renderer', () => {
  it('no raw control character (TAB included) in any format, for any hostile string', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const r = sanitizeDeep(inject(base, s));
        for (const format of FORMATS) expect(render(r, format, { width: 80, level: 'all' }), format).not.toMatch(RAW_ANY);
      }),
      { numRuns: 60 },
    );
  });

  it('sanitizing is idempotent and keeps LF/CR and ordinary text', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const once = sanitizeText(s);
        expect(sanitizeText(once)).toBe(once);
        expect(once).not.toMatch(RAW_ANY);
      }),
    );
    expect(sanitizeText('a\tb\x1b[2J\x85\u202e\r\nok 表情😀')).toBe('a\\x09b\\x1b[2J\\x85\\u202e\r\nok 表情😀');
  });

  it('a finding is bounded, with markers saying what was left out', () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `kex-${i}@example.com`).join(',');
    const f = boundFinding({
      id: 'SSH-KEX-WEAK',
      status: 'fail',
      severity: 'high',
      title: `T ${'x'.repeat(100_000)}`,
      detail: names,
      remediation: 'r',
      controls: [],
      evidence: Array.from({ length: 100 }, () => ({ label: `CN=${'a'.repeat(100_000)}`, value: names })),
    });
    expect(`${f.title}${f.detail}${JSON.stringify(f.evidence)}`.length).toBeLessThan(256 * 1024);
    expect(f.detail).toMatch(/ … \d+ more characters$/);
    expect(f.title).toMatch(/ … \d+ more characters$/);
    expect(f.evidence.at(-1)!.value).toBe('… 68 more evidence items not kept');
    // never half a surrogate pair at the cut
    expect(boundText(`${'a'.repeat(9)}😀`, 10)).toBe(`${'a'.repeat(9)} … 2 more characters`);
  });
});
