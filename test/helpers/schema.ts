// Every report a test produces is validated against the published JSON Schema.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';

const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../schema/report.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)));
const validate = ajv.compile(schema);

export function expectValidReport(report: unknown): void {
  const ok = validate(report);
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
}
