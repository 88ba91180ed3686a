#!/usr/bin/env node
// Thin launcher: `npm ci` (prepare) compiles the CLI to dist/ and bundles it into one file,
// which starts about 100 ms faster than the ~140 separate modules; the unbundled build is the
// fallback (e.g. after a bare `tsc`).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/src/xferscan.mjs', import.meta.url);
const entry = existsSync(bundle) ? bundle.href : new URL('../dist/src/cli.js', import.meta.url).href;
import(entry).then((m) => m.main(process.argv.slice(2))).catch((err) => {
  process.stderr.write(`xferscan: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
