// The grading rules (docs/grades.md), table by table, and the invariant: a failing critical
// finding always gives F.
import { describe, expect, it } from 'vitest';
import { GRADE_RULES, SEVERITY_CAPS, WARN_CAP, gradeFindings } from '../../../src/knowledge/grade.js';
import { ALL_CHECKS } from '../../../src/checks/registry.js';
import { FINDING_STATUSES, SEVERITIES, type FindingStatus, type GradeLetter, type Severity } from '../../../src/model.js';

type F = { id: string; status: FindingStatus; severity: Severity };
const f = (id: string, status: FindingStatus, severity: Severity): F => ({ id, status, severity });
const pass = f('NET-PORT-STATE', 'pass', 'info');

const rows: [string, F[], GradeLetter | null][] = [
  ['nothing judged (port closed: info only)', [f('NET-PORT-STATE', 'info', 'info')], null],
  ['only skipped findings', [f('TLS-PROTO-SSL3', 'skipped', 'critical')], null],
  ['everything passes', [pass, f('TLS-PROTO-TLS10', 'pass', 'high')], 'A+'],
  ['cleartext FTP service', [pass, f('FTP-CLEARTEXT-SERVICE', 'fail', 'high')], 'F'],
  ['login before TLS', [pass, f('FTP-CLEARTEXT-LOGIN', 'fail', 'critical')], 'F'],
  ['PROT P refused', [pass, f('FTPS-PROT-P', 'fail', 'high')], 'F'],
  ['SSL 3.0', [pass, f('TLS-PROTO-SSL3', 'fail', 'critical')], 'F'],
  ['SSH protocol 1', [pass, f('SSH-PROTO-1', 'fail', 'critical')], 'F'],
  ['TLS 1.0 (high) is capped at B, not at the severity cap C', [pass, f('TLS-PROTO-TLS10', 'fail', 'high')], 'B'],
  ['TLS 1.1', [pass, f('TLS-PROTO-TLS11', 'fail', 'medium')], 'B'],
  ['no TLS 1.2', [pass, f('TLS-NO-TLS12', 'fail', 'high')], 'C'],
  ['3DES', [pass, f('TLS-CIPHER-3DES', 'fail', 'high')], 'C'],
  ['no forward secrecy', [pass, f('TLS-CIPHER-NO-PFS', 'fail', 'medium')], 'B'],
  ['untrusted certificate (a private CA)', [pass, f('TLS-CERT-UNTRUSTED', 'fail', 'medium')], 'B'],
  ['expired certificate', [pass, f('TLS-CERT-EXPIRED', 'fail', 'high')], 'C'],
  ['weak SSH kex', [pass, f('SSH-KEX-WEAK', 'fail', 'high')], 'C'],
  ['weak SSH MAC at medium severity still C (ssh-audit failure)', [pass, f('SSH-MAC-WEAK', 'fail', 'medium')], 'C'],
  ['Terrapin', [pass, f('SSH-TERRAPIN', 'fail', 'medium')], 'B'],
  ['no TLS 1.3', [pass, f('TLS-NO-TLS13', 'fail', 'low')], 'A-'],
  ['an unlisted high finding: severity cap', [pass, f('NET-PASV-FILTERED', 'fail', 'high')], 'C'],
  ['an unlisted medium finding', [pass, f('FTP-PASV-ADDRESS', 'fail', 'medium')], 'B'],
  ['an unlisted low finding', [pass, f('SSH-COMPRESSION', 'fail', 'low')], 'A-'],
  ['a warning keeps A+ away', [pass, f('TLS-CIPHER-CBC', 'warn', 'low')], WARN_CAP],
  ['an undecided critical question (warn) is not a failure', [pass, f('TLS-PROTO-SSL3', 'warn', 'critical')], WARN_CAP],
  ['an info warning does not count', [pass, f('SSH-NO-PQ-KEX', 'warn', 'info')], 'A+'],
  [
    'the worst cap wins',
    [pass, f('TLS-PROTO-TLS10', 'fail', 'high'), f('TLS-CIPHER-3DES', 'fail', 'high'), f('TLS-NO-TLS13', 'fail', 'low')],
    'C',
  ],
  ['a profile raising TLS 1.0 to critical: F beats the B rule', [pass, f('TLS-PROTO-TLS10', 'fail', 'critical')], 'F'],
];

describe('grade rules', () => {
  it.each(rows)('%s', (_name, findings, want) => {
    expect(gradeFindings(findings).grade).toBe(want);
  });

  it('lists the caps worst first, with the rule that applied', () => {
    const g = gradeFindings([pass, f('TLS-NO-TLS13', 'fail', 'low'), f('FTP-CLEARTEXT-SERVICE', 'fail', 'high')]);
    expect(g.caps.map((c) => [c.id, c.cap])).toEqual([
      ['FTP-CLEARTEXT-SERVICE', 'F'],
      ['TLS-NO-TLS13', 'A-'],
    ]);
    expect(g.caps[0]!.rule).toMatch(/cleartext/);
  });

  it('an error finding marks the grade incomplete, without changing it', () => {
    const g = gradeFindings([pass, f('PROBE-ERROR', 'error', 'info')]);
    expect(g).toMatchObject({ grade: 'A+', complete: false });
  });

  it('every rule names checks that exist, each in one rule only', () => {
    const ids = new Set<string>(ALL_CHECKS.map((c) => c.id));
    const listed = GRADE_RULES.flatMap((r) => r.ids);
    for (const id of listed) expect(ids.has(id), id).toBe(true);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('has a severity cap for every severity', () => {
    for (const s of SEVERITIES) expect(SEVERITY_CAPS[s]).toBeDefined();
  });
});

/** A small deterministic generator (no dependency): the same sequence every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('property: a failing critical finding always gives F', () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  it('over 2,000 random finding sets', () => {
    const r = rng(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    for (let n = 0; n < 2000; n++) {
      const findings = Array.from({ length: 1 + Math.floor(r() * 12) }, () => f(pick(ids), pick(FINDING_STATUSES), pick(SEVERITIES)));
      const critical = findings.some((x) => x.status === 'fail' && x.severity === 'critical');
      const g = gradeFindings(findings).grade;
      if (critical) expect(g, JSON.stringify(findings)).toBe('F');
      // and the converse direction of honesty: without any failure the grade is never below A
      if (!findings.some((x) => x.status === 'fail') && g !== null) expect(['A+', 'A']).toContain(g);
    }
  });
});

describe('docs/grades.md', () => {
  it('lists every rule with its cap', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/grades.md', import.meta.url), 'utf8');
    for (const r of GRADE_RULES) for (const id of r.ids) expect(doc, id).toContain(`| [${id}](checks.md#${id.toLowerCase()}) | ${r.cap} |`);
  });
});
