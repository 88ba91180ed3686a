// xferscan verify REPORT.json: recompute the SHA-256 digest over the canonical JSON and compare.
import type { Report } from '../model.js';
import { verifyDigest } from '../report-meta.js';
import { readReportFile } from './read-report.js';

export interface VerifyOutcome {
  exitCode: number;
  message: string;
}

export function verifyReportFile(file: string): VerifyOutcome {
  const report: Report = readReportFile(file);
  const v = verifyDigest(report);
  if (v.ok) return { exitCode: 0, message: `${file}: OK — SHA-256 ${v.digest} matches the report's content` };
  if (v.reason === 'no-digest')
    return {
      exitCode: 3,
      message: `${file}: NO DIGEST — the report carries no integrity digest, so it cannot be verified (content SHA-256 ${v.actual})`,
    };
  return {
    exitCode: 3,
    message: `${file}: TAMPERED — the content does not match its digest (recorded ${v.expected}, computed ${v.actual})`,
  };
}
