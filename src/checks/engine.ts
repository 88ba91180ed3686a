// The check engine: checks are pure functions over an endpoint's facts (no I/O). Each has a
// stable id from checks.md, a default severity and the controls it is evidence for. Profiles
// may select checks and override severities; they are data.
import type { EndpointReport, Evidence, Finding, FindingStatus, Severity } from '../model.js';

export interface CheckOutcome {
  status: FindingStatus;
  detail: string;
  evidence?: Evidence[];
  /** overrides the check's default remediation for this outcome */
  remediation?: string;
  /** overrides the check's default severity for this outcome (e.g. anonymous + write → critical) */
  severity?: Severity;
  /** a suffix for the title, e.g. the port or the algorithm */
  titleSuffix?: string;
}

export interface CheckContext {
  endpoint: EndpointReport;
  /** options that shape judgement (thresholds, expectations); never credentials */
  options: CheckOptions;
}

export interface CheckOptions {
  /** e.g. [50000, 50100] from --expect-passive-range */
  expectPassiveRange?: [number, number] | null;
  /** days before expiry that count as "expiring" */
  certExpiryWarnDays?: number;
  now?: Date;
}

export interface Check {
  id: string;
  title: string;
  severity: Severity;
  controls: string[];
  remediation: string;
  /**
   * Returns null when the check does not concern this endpoint at all (e.g. SSH checks on an
   * FTP endpoint); returns one or more outcomes otherwise. A check that concerns the endpoint
   * but lacks facts returns status 'skipped' with the reason.
   */
  run(ctx: CheckContext): CheckOutcome | CheckOutcome[] | null;
}

export interface ProfileSelection {
  /** ids to run; undefined = all */
  include?: string[];
  severity?: Record<string, Severity>;
}

export function runChecks(endpoint: EndpointReport, checks: Check[], options: CheckOptions, profile: ProfileSelection = {}): Finding[] {
  const findings: Finding[] = [];
  for (const check of checks) {
    if (profile.include && !profile.include.includes(check.id)) continue;
    let outcomes: CheckOutcome | CheckOutcome[] | null;
    try {
      outcomes = check.run({ endpoint, options });
    } catch (err) {
      // A check must never take the scan down; a bug in one becomes an 'error' finding.
      outcomes = { status: 'error', detail: `internal error in check: ${(err as Error).message}` };
    }
    if (outcomes === null) continue;
    for (const o of Array.isArray(outcomes) ? outcomes : [outcomes]) {
      findings.push({
        id: check.id,
        status: o.status,
        severity: o.severity ?? profile.severity?.[check.id] ?? check.severity,
        title: o.titleSuffix ? `${check.title} (${o.titleSuffix})` : check.title,
        detail: o.detail,
        // Remediation is advice for something to fix; a pass or a plain fact needs none.
        remediation: o.remediation ?? (o.status === 'fail' || o.status === 'warn' ? check.remediation : ''),
        controls: check.controls,
        evidence: o.evidence ?? [],
      });
    }
  }
  return findings;
}
