// One renderer per format; each is pure (report -> text) and computes nothing the JSON lacks.
import type { Report } from '../src/model.js';
import { renderJson } from './json.js';
import { renderTable, type TableOptions } from './table.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderJunit, type JunitOptions } from './junit.js';
import { renderSarif, type SarifOptions } from './sarif.js';
import { renderNdjson } from './ndjson.js';

export const FORMATS = ['table', 'json', 'html', 'markdown', 'junit', 'sarif', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

export type RenderOptions = TableOptions & SarifOptions & JunitOptions;

export function render(report: Report, format: Format, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'table':
      return renderTable(report, opts);
    case 'html':
      return renderHtml(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report, opts);
    case 'sarif':
      return renderSarif(report, opts);
    case 'ndjson':
      return renderNdjson(report);
  }
}
