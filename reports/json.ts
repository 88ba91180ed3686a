// The JSON report: the contract every other format is rendered from (schema/report.schema.json).
// C1, bidi and zero-width characters a server sent are written as \u escapes: the same value,
// but no byte a terminal or viewer would act on.
import type { Report } from '../src/model.js';
import { safeJson } from './common.js';

export function renderJson(report: Report): string {
  return `${safeJson(report, 2)}\n`;
}
