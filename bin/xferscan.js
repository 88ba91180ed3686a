#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (prepare script).
import('../dist/src/cli.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  process.stderr.write(`xferscan: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
