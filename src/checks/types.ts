// What a check is: metadata and one pure function over an endpoint's facts (and the facts
// derived from them, src/derive). A check never does I/O, never reads free text to decide, and
// says 'skipped' with the reason when the facts it needs were not gathered.
import type { ClusterGroup, EndpointReport, Evidence, FindingStatus, Severity, SharedHostKey } from '../model.js';
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
  /** a title of its own for this outcome (e.g. which probe broke) */
  title?: string;
}

export interface CheckOptions {
  /** whether active mode (PORT/EPRT) was asked for (--active) */
  activeRequested?: boolean;
  /** whether --write-test was given */
  writeTestRequested?: boolean;
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
  /** SSH MACs the profile treats as failures rather than warnings (e.g. hmac-sha1 under a strict profile) */
  strictSshMacs?: boolean;
  /** the partner policy (--policy FILE); checks look up the endpoint's host in it */
  policy?: Policy | null;
}

export interface CheckContext {
  endpoint: EndpointReport;
  /** options that shape judgement (thresholds, expectations); never credentials */
  options: CheckOptions;
}

/** Which part of the catalogue a check belongs to (report order, documentation). */
export type CheckFamily = 'net' | 'policy' | 'ftp' | 'firewall' | 'tls' | 'ssh' | 'scan' | 'cluster';

export interface Check<Id extends string = string> {
  /** stable id from the catalogue (docs/checks.md); never renamed */
  id: Id;
  family: CheckFamily;
  title: string;
  /** what the check observes, in one sentence (documentation) */
  observes: string;
  severity: Severity;
  remediation: string;
  /**
   * Returns null when the check does not concern this endpoint at all (e.g. SSH checks on an
   * FTP endpoint); returns one or more outcomes otherwise. A check that concerns the endpoint
   * but lacks facts returns status 'skipped' with the reason.
   */
  run(ctx: CheckContext): CheckOutcome | CheckOutcome[] | null;
}

/** Declares a check, keeping its id as a literal type (the registry derives CheckId from it). */
export function defineCheck<const Id extends string>(check: Check<Id>): Check<Id> {
  return check;
}

/** What a cluster check reads: one group of the inventory, or the whole scan (scope 'scan'). */
export interface ClusterCheckContext {
  /** the group judged (scope 'group'); null for a check over the whole scan */
  group: ClusterGroup | null;
  /** host keys presented at several addresses by endpoints not all in one group, and how many were compared (scope 'scan') */
  shared: { keys: SharedHostKey[]; endpoints: number; addresses: number } | null;
  options: CheckOptions;
}

/** A check over a group of nodes (or over every endpoint of the scan): metadata and one pure function. */
export interface ClusterCheck<Id extends string = string> extends Omit<Check<Id>, 'run' | 'family'> {
  family: 'cluster';
  scope: 'group' | 'scan';
  run(ctx: ClusterCheckContext): CheckOutcome | CheckOutcome[] | null;
}

export function defineClusterCheck<const Id extends string>(check: ClusterCheck<Id>): ClusterCheck<Id> {
  return check;
}
