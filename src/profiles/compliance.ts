// The per-control view: one pure function from the report's findings and the profile to, for each
// control of the standard, satisfied / not satisfied / not testable by a network scan / not
// assessed, with the findings behind each. It goes into the JSON report (`compliance`), so every
// renderer tells the same story without judging anything itself.
import type {
  ClusterFindingRef,
  ComplianceView,
  ControlResult,
  ControlStatus,
  EndpointReport,
  EndpointVerdict,
  EndpointVerdictEntry,
  Finding,
  FindingRef,
  FindingStatus,
  Report,
  ReportSummary,
  Severity,
} from '../model.js';
import type { Profile, ProfileControl } from './types.js';

export type { ComplianceView, ControlResult, ControlStatus, EndpointVerdict, EndpointVerdictEntry, FindingRef } from '../model.js';

export const endpointName = (ep: Pick<EndpointReport, 'host' | 'port'>) => `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;

const SEV_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

function countFindings(ep: EndpointReport): ReportSummary {
  const s: ReportSummary = { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 };
  for (const f of ep.findings) s[f.status] += 1;
  return s;
}

export function endpointVerdict(ep: EndpointReport, i: number): EndpointVerdictEntry {
  const counts = countFindings(ep);
  const verdict: EndpointVerdict = counts.fail
    ? 'fail'
    : counts.error
      ? 'error'
      : counts.warn
        ? 'warn'
        : ep.state !== 'open'
          ? 'not-open'
          : 'pass';
  const failing = ep.findings
    .filter((f) => f.status === 'fail')
    .sort((a, b) => SEV_RANK[a.severity] - SEV_RANK[b.severity])
    .map((f) => f.id)
    .filter((id, k, all) => all.indexOf(id) === k);
  return { endpoint: endpointName(ep), endpointIndex: i, state: ep.state, service: ep.service, verdict, counts, failing };
}

/** The findings of report.clusters (each group's, then the scan-wide ones) that a control lists. */
function clusterRefs(report: Pick<Report, 'clusters'>, wanted: Set<string>): ClusterFindingRef[] {
  const v = report.clusters;
  if (!v) return [];
  const ref =
    (group: string | null) =>
    (f: Finding, fi: number): ClusterFindingRef[] =>
      wanted.has(f.id) ? [{ group, findingIndex: fi, id: f.id, status: f.status, severity: f.severity, title: f.title }] : [];
  return [...v.groups.flatMap((g) => g.findings.flatMap(ref(g.name))), ...v.findings.flatMap(ref(null))];
}

/** The endpoint findings of the checks a control lists. */
function endpointRefs(report: Pick<Report, 'endpoints'>, wanted: Set<string>): FindingRef[] {
  const findings: FindingRef[] = [];
  report.endpoints.forEach((ep, ei) =>
    ep.findings.forEach((f, fi) => {
      if (wanted.has(f.id))
        findings.push({
          endpoint: endpointName(ep),
          endpointIndex: ei,
          findingIndex: fi,
          id: f.id,
          status: f.status,
          severity: f.severity,
          title: f.title,
        });
    }),
  );
  return findings;
}

/** One control's row: the findings behind it and its status, with the reason in words. */
function controlResult(c: ProfileControl, report: Pick<Report, 'endpoints' | 'clusters'>): ControlResult {
  const wanted = new Set(c.checks);
  const findings = endpointRefs(report, wanted);
  const cluster = clusterRefs(report, wanted);
  const base = {
    id: c.id,
    ref: c.ref,
    title: c.title,
    testability: c.testability,
    note: c.note,
    checks: [...c.checks],
    findings,
    ...(cluster.length ? { clusterFindings: cluster } : {}),
  };
  if (c.testability === 'not-testable') {
    return {
      ...base,
      status: 'not-testable' as const,
      reason: 'A network scan cannot prove this control; it needs documentary or on-system evidence.',
    };
  }
  const all: { id: string; status: FindingStatus }[] = [...findings, ...cluster];
  const by = (s: FindingStatus) => all.filter((f) => f.status === s);
  const fails = by('fail');
  if (fails.length) {
    const ids = [...new Set(fails.map((f) => f.id))];
    return { ...base, status: 'not-satisfied' as const, reason: `${fails.length} failing finding(s): ${ids.join(', ')}` };
  }
  const errors = by('error');
  if (errors.length)
    return {
      ...base,
      status: 'not-assessed' as const,
      reason: `the checks behind it could not finish (${[...new Set(errors.map((f) => f.id))].join(', ')})`,
    };
  const looked = all.filter((f) => f.status === 'pass' || f.status === 'warn' || f.status === 'info');
  if (looked.length === 0) {
    const skipped = by('skipped').length;
    return {
      ...base,
      status: 'not-assessed' as const,
      reason: skipped
        ? `every check behind it was skipped (${skipped} finding(s); see their details)`
        : 'no check behind it applied to the endpoints scanned',
    };
  }
  const warns = by('warn').length;
  const scope = c.testability === 'partial' ? ' for what a network scan can observe' : '';
  return {
    ...base,
    status: 'satisfied' as const,
    reason: `no failing finding${scope} (${looked.length} finding(s)${warns ? `, ${warns} warning(s)` : ''})`,
  };
}

export function computeCompliance(report: Pick<Report, 'endpoints' | 'clusters'>, profile: Profile): ComplianceView {
  const controls = profile.controls.map((c) => controlResult(c, report));
  const counts: Record<ControlStatus, number> = { satisfied: 0, 'not-satisfied': 0, 'not-testable': 0, 'not-assessed': 0 };
  for (const c of controls) counts[c.status] += 1;
  const verdict: ComplianceView['verdict'] = counts['not-satisfied']
    ? 'not-satisfied'
    : counts['not-assessed']
      ? 'incomplete'
      : 'satisfied';
  const notTestable = controls.filter((c) => c.status === 'not-testable').map((c) => c.id);
  const statement = complianceStatement(profile, controls, counts, verdict);
  return {
    profile: {
      id: profile.id,
      version: profile.version,
      title: profile.title,
      standard: profile.standard,
      description: profile.description,
      source: profile.source,
    },
    verdict,
    statement,
    counts,
    controls,
    endpoints: report.endpoints.map(endpointVerdict),
    notTestable,
  };
}

/** The view's verdict in words, with what a network scan cannot prove. */
function complianceStatement(
  profile: Profile,
  controls: readonly ControlResult[],
  counts: Record<ControlStatus, number>,
  verdict: ComplianceView['verdict'],
): string {
  const notTestable = controls.filter((c) => c.status === 'not-testable');
  const testable = controls.length - notTestable.length;
  const head =
    verdict === 'not-satisfied'
      ? `${counts['not-satisfied']} of ${testable} network-testable ${profile.title} controls are NOT satisfied.`
      : verdict === 'incomplete'
        ? `No failing control, but ${counts['not-assessed']} of ${testable} network-testable controls could not be assessed.`
        : `All ${testable} network-testable ${profile.title} controls are satisfied for what a network scan can observe.`;
  return (
    `${head} ${counts.satisfied} satisfied, ${counts['not-satisfied']} not satisfied, ${counts['not-assessed']} not assessed.` +
    (notTestable.length
      ? ` ${notTestable.length} control(s) cannot be proved by a network scan and need other evidence: ${notTestable.map((c) => c.ref).join(', ')}.`
      : '') +
    " This report is evidence about the endpoints scanned, at the time scanned, from the scanner's vantage point; it is not by itself a statement of compliance."
  );
}
