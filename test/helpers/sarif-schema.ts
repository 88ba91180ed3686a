// The official SARIF 2.1.0 JSON schema (OASIS, sarif-2.1/schema/sarif-schema-2.1.0.json of
// oasis-tcs/sarif-spec), vendored in test/fixtures/schemas/, compiled with Ajv's draft-04 support:
// every SARIF report a test produces is validated against it.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

// ajv-draft-04 is CommonJS with a default export: load it as such.
const AjvDraft04 = (createRequire(import.meta.url)('ajv-draft-04') as { default: new (o: Options) => Ajv }).default;

const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/schemas/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new AjvDraft04({ allErrors: true, strict: false, validateFormats: true });
ajv.addFormat('uri', (u: string) => {
  try {
    return !!new URL(u);
  } catch {
    return false;
  }
});
ajv.addFormat('uri-reference', (u: string) => typeof u === 'string' && !/\s/.test(u));
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
const validate = ajv.compile(schema);

/** null when the document is valid SARIF 2.1.0, else the first errors. */
export function officialSarifErrors(doc: unknown): string | null {
  return validate(doc) ? null : JSON.stringify(validate.errors?.slice(0, 5), null, 1);
}
