// The check engine: checks are pure functions over an endpoint's facts (no I/O). Each has a
// stable id from checks.md, a default severity and the controls it is evidence for. Profiles
// may select checks and override severities; they are data.
import type { EndpointReport, Evidence, Finding, FindingStatus, Severity } from '../model.js';
import type { Policy } from '../policy/index.js';

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
  /** whether active mode (PORT/EPRT) was asked for (--active) */
  activeRequested?: boolean;
  /** e.g. [50000, 50100] from --expect-passive-range */
  expectPassiveRange?: [number, number] | null;
  /** days before expiry that count as "expiring" */
  certExpiryWarnDays?: number;
  now?: Date;
  // --- thresholds a profile sets (src/profiles); checks that honour them fall back to their defaults ---
  /** id of the profile in force, e.g. 'pci-dss-4.0.1' */
  profileId?: string;
  /** lowest protocol version the profile allows, e.g. 'TLSv1.2' */
  minTlsVersion?: 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** the cipher suites the profile allows per version (TLS-CIPHER-PROFILE) */
  tlsCipherProfile?: { name: string; suites: Partial<Record<string, string[]>> } | null;
  /** smallest acceptable key sizes (certificates, SSH host keys, DH groups) */
  minRsaBits?: number;
  minEcBits?: number;
  minDhBits?: number;
  /** TLS-CERT-LIFETIME threshold */
  certMaxLifetimeDays?: number;
  /** the partner policy (--policy FILE); checks look up the endpoint's host in it */
  policy?: Policy | null;
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
  /** ids not to run (applied after include) */
  exclude?: string[];
  severity?: Record<string, Severity>;
}

export function runChecks(endpoint: EndpointReport, checks: Check[], options: CheckOptions, profile: ProfileSelection = {}): Finding[] {
  const findings: Finding[] = [];
  for (const check of checks) {
    if (profile.include && !profile.include.includes(check.id)) continue;
    if (profile.exclude?.includes(check.id)) continue;
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
        // Server text can span lines; a finding's detail is one paragraph.
        detail: o.detail.replace(/\s*[\r\n]+\s*/g, ' '),
        // Remediation is advice for something to fix; a pass or a plain fact needs none.
        remediation: o.remediation ?? (o.status === 'fail' || o.status === 'warn' ? check.remediation : ''),
        controls: check.controls,
        evidence: o.evidence ?? [],
      });
    }
  }
  return findings;
}
