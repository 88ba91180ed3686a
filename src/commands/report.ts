// xferscan report SCAN.json --format F [--output FILE]: re-render a saved JSON scan in any format.
import type { Report } from '../model.js';
import { render, type Format } from '../../reports/index.js';
import { verifyDigest } from '../report-meta.js';
import { readReportFile } from './read-report.js';
import { sanitizeDeep } from '../untrusted.js';

export interface RerenderResult {
  text: string;
  report: Report;
  /** a one-line warning for stderr (e.g. the digest does not match), or null */
  warning: string | null;
}

export function rerender(file: string, format: Format, opts: { width?: number; color?: boolean } = {}): RerenderResult {
  const report = readReportFile(file);
  const v = verifyDigest(report);
  const warning = v.ok
    ? null
    : v.reason === 'no-digest'
      ? `${file} carries no integrity digest`
      : `${file} does not match its integrity digest: it was changed after the scan (xferscan verify ${file})`;
  // a report written by hand or by an older version may carry a server's raw bytes: the same
  // boundary as a scan's before rendering (after the digest, which covers the file as written)
  return { text: render(sanitizeDeep(report), format, opts), report, warning };
}
