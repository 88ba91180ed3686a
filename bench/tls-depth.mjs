#!/usr/bin/env node
// What the TLS depth probe (tls-vulns: the vulnerability battery, client-certificate detection,
// stapling, trust) adds to a full scan of the lab's FTPS endpoints — not a test. For each endpoint,
// full scans (the scan command's own code path, in this process, JSON rendered to nowhere) with and
// without the tls-vulns probe, alternating, median of --runs; then the total. Target: at most ~30 %
// added in total (issue 16). Needs `npm run build` and the lab running (bash test/lab/lab.sh start).
//
//   XFS_LAB_RUN=/path/to/.run node bench/tls-depth.mjs [--runs 3] [--out FILE]
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const runs = Math.max(1, Number(arg('--runs', 3)) || 3);
const out = arg('--out', path.join(ROOT, 'bench/results/tls-depth.json'));

const { runScan } = await import(path.join(ROOT, 'dist/src/commands/scan.js'));
const { PROBES } = await import(path.join(ROOT, 'dist/probes/index.js'));

const LAB = [
  ['vsftpd-explicit', 'ftpes://127.0.0.1:21021'],
  ['vsftpd-implicit', 'ftps://127.0.0.1:21990'],
  ['vsftpd-lax', 'ftpes://127.0.0.1:21025'],
  ['proftpd-tls', 'ftpes://127.0.0.1:21023'],
  ['pureftpd-tls', 'ftpes://127.0.0.1:21024'],
];

const ARGS = {
  ports: '21,22,990',
  format: 'json',
  active: false,
  'write-test': false,
  concurrency: 8,
  connections: 4,
  timeout: 5000,
  'allow-foreign-pasv': false,
  'allow-cleartext-login': false,
  progress: false,
  intrusive: true,
  'check-revocation': false,
};
const devnull = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

const all = [...PROBES];
const depth = all.findIndex((p) => p.id === 'tls-vulns');
if (depth < 0) throw new Error('no tls-vulns probe in the registry');
/** Sets the registry the scan uses: with or without the tls-vulns probe (restored afterwards). */
function probes(withDepth) {
  PROBES.splice(0, PROBES.length, ...all.filter((p) => withDepth || p.id !== 'tls-vulns'));
}

async function once(url, withDepth) {
  probes(withDepth);
  const t0 = performance.now();
  const { report } = await runScan(ARGS, [url], devnull());
  const ms = performance.now() - t0;
  const ep = report.endpoints[0];
  const run = ep.probeRuns?.find((r) => r.probe === 'tls-vulns');
  if (withDepth && run?.status !== 'completed') throw new Error(`${url}: tls-vulns ${run?.status ?? 'did not run'}`);
  return { ms, depthMs: run?.ms ?? 0, connections: ep.tls?.vulnerabilities?.connections ?? 0 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const [name, url] of LAB) {
  const w = [];
  const wo = [];
  for (let i = 0; i < runs; i++) {
    wo.push(await once(url, false));
    w.push(await once(url, true));
  }
  const row = {
    endpoint: name,
    withoutMs: Math.round(median(wo.map((x) => x.ms))),
    withMs: Math.round(median(w.map((x) => x.ms))),
    depthProbeMs: Math.round(median(w.map((x) => x.depthMs))),
    batteryConnections: median(w.map((x) => x.connections)),
  };
  row.addedPct = Math.round((100 * (row.withMs - row.withoutMs)) / row.withoutMs);
  rows.push(row);
  console.log(
    `${name.padEnd(16)} without ${String(row.withoutMs).padStart(5)} ms  with ${String(row.withMs).padStart(5)} ms  (+${row.addedPct}%; tls-vulns probe ${row.depthProbeMs} ms, ${row.batteryConnections} battery connections)`,
  );
}
probes(true);
const total = { withoutMs: rows.reduce((a, r) => a + r.withoutMs, 0), withMs: rows.reduce((a, r) => a + r.withMs, 0) };
total.addedPct = Math.round((100 * (total.withMs - total.withoutMs)) / total.withoutMs);
console.log(`total            without ${total.withoutMs} ms  with ${total.withMs} ms  (+${total.addedPct}%; target ≤ 30%)`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ runs, rows, total, at: new Date().toISOString() }, null, 2)}\n`);
