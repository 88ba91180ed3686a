// Counting findings by status: the report's summary, an endpoint's counts, a merged report's.
import type { ClusterView, Finding, ReportSummary } from '../model.js';

export function emptySummary(): ReportSummary {
  return { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 };
}

/** Adds the findings' statuses to `into` and returns it. */
export function tally(into: ReportSummary, findings: readonly Pick<Finding, 'status'>[]): ReportSummary {
  for (const f of findings) into[f.status] += 1;
  return into;
}

export const countFindings = (findings: readonly Pick<Finding, 'status'>[]): ReportSummary => tally(emptySummary(), findings);

/** Every finding of a report's cluster section (src/cluster): each group's, then the scan-wide ones. */
export function clusterFindings(v: Pick<ClusterView, 'groups' | 'findings'> | undefined | null): Finding[] {
  return v ? [...v.groups.flatMap((g) => g.findings), ...v.findings] : [];
}
