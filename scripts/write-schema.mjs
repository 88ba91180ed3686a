#!/usr/bin/env node
// Writes schema/report.schema.json from the model (src/model), after `npm run build`.
// The unit test test/unit/model/schema.test.ts fails when the committed file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { reportJsonSchema } = await import(path.join(root, 'dist/src/model/json-schema.js'));
fs.writeFileSync(path.join(root, 'schema/report.schema.json'), `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log('wrote schema/report.schema.json');
