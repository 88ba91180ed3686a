// What a profile is: data that selects checks, sets thresholds and severities, and lists the
// controls of a standard with the checks that are evidence for each and how far a network scan
// can prove it. Built-in profiles live in builtin.ts; custom ones are JSON files (load.ts).
import type { Severity, Testability } from '../model.js';

export type { Testability } from '../model.js';

export interface ProfileControl {
  /** the reference spelled as findings carry it, e.g. "PCI DSS 4.0.1 4.2.1" */
  id: string;
  /** short reference, e.g. "4.2.1" */
  ref: string;
  title: string;
  testability: Testability;
  /** check ids whose findings are evidence for this control */
  checks: string[];
  /** what the scan shows, and plainly what it cannot prove */
  note: string;
}

export type TlsVersionName = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface ProfileThresholds {
  /** lowest protocol version allowed; the TLS-PROTO-* checks for versions below it are selected */
  minTlsVersion?: TlsVersionName;
  /** allowed cipher suites (IANA names) per version, for TLS-CIPHER-PROFILE */
  allowedSuites?: { name: string; suites: Partial<Record<string, string[]>> } | null;
  minRsaBits?: number;
  minEcBits?: number;
  minDhBits?: number;
  /** days before expiry that count as expiring (TLS-CERT-EXPIRING) */
  certExpiryWarnDays?: number;
  /** longest acceptable certificate lifetime (TLS-CERT-LIFETIME) */
  certMaxLifetimeDays?: number;
  /** strict: SHA-1 and UMAC-64 SSH MACs fail SSH-MAC-WEAK instead of warning */
  strictSshMacs?: boolean;
}

export interface Profile {
  /** stable id used on the command line, e.g. "pci-dss-4.0.1" */
  id: string;
  /** version of this profile's data (changes when the mapping or thresholds change) */
  version: string;
  title: string;
  /** the standard and edition it maps to */
  standard: string;
  description: string;
  /** checks to run: "all", or an explicit list of ids */
  checks: 'all' | string[];
  /** severity overrides by check id */
  severity: Record<string, Severity>;
  thresholds: ProfileThresholds;
  controls: ProfileControl[];
  /** "built-in" or the file it was read from */
  source: string;
}
