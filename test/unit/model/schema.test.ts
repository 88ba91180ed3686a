// The published JSON Schema is generated from the model, covers every field, and rejects unknown
// fields at every level.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportJsonSchema } from '../../../src/model/json-schema.js';
import { expectValidReport } from '../../helpers/schema.js';

const file = path.join(import.meta.dirname, '../../../schema/report.schema.json');
const fixture = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../fixtures/report-pci.json'), 'utf8'));

/** Every object schema in the document, with its JSON path. */
function objects(node: unknown, at = '#', out: { at: string; schema: Record<string, unknown> }[] = []) {
  if (!node || typeof node !== 'object') return out;
  const n = node as Record<string, unknown>;
  if (n.type === 'object') out.push({ at, schema: n });
  for (const [k, v] of Object.entries(n)) {
    if (Array.isArray(v)) v.forEach((x, i) => objects(x, `${at}/${k}/${i}`, out));
    else if (v && typeof v === 'object') objects(v, `${at}/${k}`, out);
  }
  return out;
}

describe('report schema', () => {
  it('is generated: the committed file is what src/model produces (npm run schema)', () => {
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(reportJsonSchema());
  });

  it('closes every object: no object schema allows unknown fields', () => {
    const open = objects(reportJsonSchema()).filter(
      ({ schema }) => schema.additionalProperties !== false && typeof schema.additionalProperties !== 'object',
    );
    expect(open.map((o) => o.at)).toEqual([]);
  });

  it('accepts a real report and rejects an unknown field at each level', () => {
    expectValidReport(fixture);
    const cases: ((r: any) => void)[] = [
      (r) => (r.extra = 1),
      (r) => (r.endpoints[0].extra = 1),
      (r) => (r.endpoints[0].findings[0].extra = 1),
      (r) => r.endpoints[0].findings[0].evidence.push({ label: 'x', value: 'y', extra: 1 }),
      (r) => (r.endpoints[0].transcript[0].extra = 1),
      (r) => (r.compliance.controls[0].extra = 1),
      (r) => (r.summary.extra = 1),
      (r) => (r.options.extra = 1),
    ];
    for (const mutate of cases) {
      const r = structuredClone(fixture);
      mutate(r);
      expect(() => expectValidReport(r)).toThrow();
    }
  });
});
