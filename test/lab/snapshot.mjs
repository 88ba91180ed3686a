#!/usr/bin/env node
// Scans every lab endpoint twice (without credentials; with the endpoint's user, --active and
// --write-test) and prints, per endpoint, the findings as "ID status severity" lines. Two
// snapshots taken before and after a refactor must be identical: `diff before.txt after.txt`.
//   node test/lab/snapshot.mjs > snap.txt        (the lab must be running: lab.sh start)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = process.env.XFS_LAB_RUN ?? path.join(root, 'test/lab/.run');
const endpoints = JSON.parse(fs.readFileSync(path.join(run, 'endpoints.json'), 'utf8'));
const only = process.argv.slice(2);

function scan(args, env = {}) {
  let out;
  try {
    out = execFileSync(process.execPath, [path.join(root, 'bin/xferscan.js'), 'scan', ...args, '--format', 'json', '--timeout', '3000'], {
      env: { ...process.env, ...env },
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    out = err.stdout;
  }
  return JSON.parse(out.toString());
}

const lines = [];
for (const e of endpoints) {
  if (only.length && !only.includes(e.name)) continue;
  const target = `${e.host}:${e.port}`;
  const variants = [['anonymous', [target], {}]];
  if (e.user && e.passwordFile) {
    variants.push(['credentials', [target, '--user', e.user, '--password-file', e.passwordFile, '--active', '--write-test'], {}]);
  }
  for (const [label, args, env] of variants) {
    const report = scan(args, env);
    for (const ep of report.endpoints) {
      lines.push(`## ${e.name} ${label} state=${ep.state} service=${ep.service}`);
      const seen = ep.findings.map((f) => `${f.id} ${f.status} ${f.severity}`);
      lines.push(...seen.sort());
    }
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
