// One renderer per format; each is pure (report -> text) and computes nothing the JSON lacks.
import type { Report } from '../src/model.js';
import { renderJson } from './json.js';
import { renderTable, type TableOptions } from './table.js';

export const FORMATS = ['table', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function render(report: Report, format: Format, opts: TableOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'table':
      return renderTable(report, opts);
  }
}
