// The table-driven harness for checks: a case is an endpoint's facts (built with ./facts.ts),
// the options the check runs with, and the finding(s) it must produce, run through the real
// engine (runChecks) with that one check. Every row also keeps the engine's promises: one-line
// details, remediation on what is to fix, evidence that refers to transcript lines really tagged
// with the step it names. Rows are kept in a registry so the catalogue test can prove every
// check has them.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/engine.js';
import type { Check, CheckOptions } from '../../../src/checks/types.js';
import type { EndpointReport, Finding, FindingStatus, Severity, Step } from '../../../src/model.js';
import { NOW } from './facts.js';

export interface EvidenceExpect {
  /** the transcript steps the evidence comes from (every item that names a step) */
  steps?: Step[];
  /** the connections it comes from (every item that names one) */
  conns?: string[];
  /** each matcher matches at least one item */
  some?: { label?: RegExp; value?: RegExp }[];
  /** how many items */
  count?: number;
}

export interface Expect {
  /** several: any of them (for known-defect rows, where the documentation allows more than one) */
  status: FindingStatus | FindingStatus[];
  severity?: Severity;
  detail?: RegExp;
  title?: RegExp;
  /** 'none': no remediation on this finding */
  remediation?: RegExp | 'none';
  /** 'none': no evidence at all */
  evidence?: EvidenceExpect | 'none';
}

export interface CheckCase {
  name: string;
  endpoint: EndpointReport;
  options?: CheckOptions;
  /** null: the check does not concern this endpoint; a list: one finding each, in order */
  expect: Expect | Expect[] | null;
  /**
   * A known defect: `expect` states what the check's documentation promises, and the row runs as
   * an expected failure (it.fails) until the check is fixed — then the row fails and this goes.
   */
  bug?: string;
}

interface Registered {
  check: Check;
  rows: CheckCase[];
}

const registry = new Map<string, Registered>();
/** XFS_SHOW_DEFECTS=1 runs the known-defect rows as ordinary tests, to see how each one fails. */
const SHOW_DEFECTS = process.env.XFS_SHOW_DEFECTS === '1';
let collectOnly = false;

/** The catalogue test imports the cases files only to read their rows, not to run them again. */
export function collectCasesOnly(): void {
  collectOnly = true;
}

/** Every check's rows, by check id. */
export function registeredCases(): ReadonlyMap<string, Registered> {
  return registry;
}

/** Runs one check on an endpoint through the engine, as a scan does (fixed clock). */
export function judge(check: Check, ep: EndpointReport, options: CheckOptions = {}): Finding[] {
  return runChecks(ep, [check], { now: NOW, ...options });
}

function matchEvidence(f: Finding, ev: EvidenceExpect | 'none'): void {
  if (ev === 'none') {
    expect(f.evidence, 'evidence').toEqual([]);
    return;
  }
  if (ev.count !== undefined) expect(f.evidence, 'evidence count').toHaveLength(ev.count);
  if (ev.steps) {
    const named = f.evidence.filter((e) => e.step);
    expect(named.length, 'evidence taken from the transcript').toBeGreaterThan(0);
    for (const e of named) expect(ev.steps, `evidence step of "${e.value}"`).toContain(e.step);
  }
  if (ev.conns) {
    const named = f.evidence.filter((e) => e.conn);
    expect(named.length, 'evidence naming its connection').toBeGreaterThan(0);
    for (const e of named) expect(ev.conns, `evidence connection of "${e.value}"`).toContain(e.conn);
  }
  for (const m of ev.some ?? []) {
    const hit = f.evidence.some((e) => (!m.label || m.label.test(e.label)) && (!m.value || m.value.test(e.value)));
    expect(hit, `evidence matching ${m.label ?? ''} ${m.value ?? ''} in ${JSON.stringify(f.evidence)}`).toBe(true);
  }
}

/** What the engine promises of every finding, whatever the check. */
function keepsPromises(f: Finding, ep: EndpointReport): void {
  expect(f.detail.trim(), 'detail').not.toBe('');
  expect(f.detail, 'detail is one paragraph').not.toMatch(/[\r\n]/);
  if (f.status === 'fail' || f.status === 'warn') expect(f.remediation, 'remediation of a fail/warn').not.toBe('');
  // Evidence by typed reference: an item that names a step is a line the probe tagged with it.
  for (const e of f.evidence.filter((x) => x.step)) {
    const line = ep.transcript.find((l) => l.step === e.step && (!e.conn || l.conn === e.conn) && e.value.endsWith(l.text));
    expect(line, `transcript line behind evidence ${JSON.stringify(e)}`).toBeDefined();
  }
}

function matchOne(f: Finding | undefined, want: Expect, ep: EndpointReport): void {
  expect(f, 'a finding').toBeDefined();
  const got = f!;
  if (Array.isArray(want.status)) expect(want.status, got.detail).toContain(got.status);
  else expect(got.status, got.detail).toBe(want.status);
  if (want.severity) expect(got.severity, 'severity').toBe(want.severity);
  if (want.detail) expect(got.detail).toMatch(want.detail);
  if (want.title) expect(got.title).toMatch(want.title);
  if (want.remediation === 'none') expect(got.remediation, 'remediation').toBe('');
  else if (want.remediation) expect(got.remediation).toMatch(want.remediation);
  if (want.evidence) matchEvidence(got, want.evidence);
  keepsPromises(got, ep);
}

export function runCase(check: Check, row: CheckCase): void {
  const findings = judge(check, row.endpoint, row.options);
  if (row.expect === null) {
    expect(findings, 'the check does not concern this endpoint').toEqual([]);
    return;
  }
  const wants = Array.isArray(row.expect) ? row.expect : [row.expect];
  expect(findings, JSON.stringify(findings.map((f) => [f.status, f.detail]))).toHaveLength(wants.length);
  wants.forEach((w, i) => matchOne(findings[i], w, row.endpoint));
}

/** Registers a check's rows and (unless collecting) runs each as a test. */
export function checkCases(check: Check, rows: CheckCase[]): void {
  const prev = registry.get(check.id);
  registry.set(check.id, { check, rows: [...(prev?.rows ?? []), ...rows] });
  if (collectOnly) return;
  describe(check.id, () => {
    for (const row of rows) {
      if (row.bug && !SHOW_DEFECTS) it.fails(`${row.name} [known defect: ${row.bug}]`, () => runCase(check, row));
      else it(row.name, () => runCase(check, row));
    }
  });
}

/** The statuses a check's rows (known defects aside) show it producing. */
export function statusesShown(id: string): Set<FindingStatus> {
  const out = new Set<FindingStatus>();
  for (const row of registry.get(id)?.rows ?? []) {
    if (row.bug || row.expect === null) continue;
    for (const w of Array.isArray(row.expect) ? row.expect : [row.expect])
      for (const s of Array.isArray(w.status) ? w.status : [w.status]) out.add(s);
  }
  return out;
}
