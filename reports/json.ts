// The JSON report: the contract every other format is rendered from (schema/report.schema.json).
import type { Report } from '../src/model.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
