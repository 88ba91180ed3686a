// Helpers shared by the renderers: escaping and presentation order. Nothing here judges: every
// status, verdict and control result comes from the JSON report.
import type { EndpointReport, Finding, FindingStatus, Report, Severity } from '../src/model.js';

export const STATUS_ORDER: FindingStatus[] = ['fail', 'error', 'warn', 'info', 'skipped', 'pass'];
export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const STATUS_LABEL: Record<FindingStatus, string> = {
  fail: 'FAIL',
  error: 'ERROR',
  warn: 'WARN',
  info: 'info',
  skipped: 'skipped',
  pass: 'pass',
};

export function endpointName(ep: Pick<EndpointReport, 'host' | 'port'>): string {
  return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
}

/** A URI naming the endpoint (for SARIF locations and JUnit class names). */
export function endpointUri(ep: Pick<EndpointReport, 'host' | 'port' | 'service'>): string {
  const scheme =
    ep.service === 'sftp'
      ? 'sftp'
      : ep.service === 'ftps-implicit'
        ? 'ftps'
        : ep.service === 'ftps-explicit'
          ? 'ftpes'
          : ep.service === 'ftp'
            ? 'ftp'
            : 'tcp';
  return `${scheme}://${endpointName(ep)}`;
}

/** Findings worst first (status, then severity), keeping each one's index in the endpoint. */
export function sortedFindings(findings: Finding[]): { f: Finding; i: number }[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.f.status) - STATUS_ORDER.indexOf(b.f.status) ||
        SEVERITY_ORDER.indexOf(a.f.severity) - SEVERITY_ORDER.indexOf(b.f.severity) ||
        a.i - b.i,
    );
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Characters XML 1.0 does not allow at all (C0 controls but tab/CR/LF, lone surrogates, U+FFFE/FFFF).

const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content and attributes; characters XML cannot carry become U+FFFD. */
export function escapeXml(s: unknown): string {
  return String(s ?? '')
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Durations from the report's own timestamps, for display. */
export function durationText(report: Pick<Report, 'startedAt' | 'finishedAt'>): string {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '?';
}
