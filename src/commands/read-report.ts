// Reading a saved JSON report (xferscan report / diff / verify): one-line errors, never a stack trace.
import type { Report } from '../model.js';
import { UsageError } from '../targets.js';
import { readTextFile } from '../files.js';
import { validateReport } from '../model/validate.js';

export function readReportFile(file: string): Report {
  const text = readTextFile(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not a JSON report (${(err as Error).message})`);
  }
  const r = doc as Partial<Report>;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.schemaVersion !== 1 ||
    !Array.isArray(r.endpoints) ||
    typeof r.summary !== 'object' ||
    r.tool?.name !== 'xferscan'
  ) {
    throw new UsageError(
      `${file}: not an xferscan JSON report (schemaVersion 1 with tool, endpoints and summary); save scans with --format json`,
    );
  }
  const valid = validateReport(doc);
  if (!valid.ok) throw new UsageError(`${file}: not a valid xferscan report: ${valid.error}`);
  return valid.value;
}
