#!/usr/bin/env node
// Cost of a group (issue 18): scanning a 3-node group — its nodes plus N connections through the
// virtual address, compared — against scanning the same nodes one by one. Runs the BUILT CLI on
// the lab module `cluster` (bash test/lab/servers/cluster.sh start), as a user would:
//
//   one by one: `xferscan scan NODE1 NODE2 NODE3 --concurrency 1` (one process, nodes in turn)
//   separately: `xferscan scan NODE1`, then NODE2, then NODE3 (three runs, as by hand; for reference)
//   group:      `xferscan scan --targets-file group.yaml` (nodes at once + the VIP sampling)
//
// Both with --format ndjson, whose summary line counts the TCP connections opened (sockets.total).
// Runs alternate (one by one, group, one by one, …) so load from other work hits both alike; the
// medians are compared. Target: group ≤ 1.5 × one by one (wall time). Connections are reported too:
// the sampling is the only extra traffic.
//
//   node bench/cluster.mjs [--runs 5] [--out FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/xferscan.js');
const RUN_DIR = process.env.XFS_LAB_RUN ?? path.join(ROOT, 'test/lab/.run');
const INFO = path.join(RUN_DIR, 'cluster', 'info.json');

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Math.max(1, Number(arg('--runs', 5)) || 5);
const OUT = path.resolve(arg('--out', path.join(ROOT, 'bench/results/cluster.json')));

function run(args, env = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => {
      const ms = performance.now() - t0;
      const lines = out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const summary = lines.find((l) => l.type === 'summary');
      const clusters = lines.find((l) => l.type === 'clusters')?.clusters;
      resolve({ code, ms, connections: summary?.sockets?.total ?? null, clusters });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchGroup(name, service, port, nodes, vip, env, dir) {
  const scheme = service === 'sftp' ? 'sftp' : 'ftpes';
  const creds = env.XFS_BENCH_PW ? ['--user', 'xfsuser', '--password-env', 'XFS_BENCH_PW'] : [];
  const inv = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    inv,
    `groups:\n  - name: ${name}\n    service: ${service}\n    vip: ${vip}:${port}\n    nodes: [${nodes.map((n) => `"${n}:${port}"`).join(', ')}]\n${creds.length ? '    user: xfsuser\n    passwordEnv: XFS_BENCH_PW\n' : ''}`,
  );
  const seq = [];
  const sep = [];
  const grp = [];
  const one = (targets, extra = []) => run(['scan', ...targets, ...creds, ...extra, '--format', 'ndjson', '--no-progress'], env);
  for (let r = 0; r < RUNS; r++) {
    seq.push(
      await one(
        nodes.map((n) => `${scheme}://${n}:${port}`),
        ['--concurrency', '1'],
      ),
    );
    let ms = 0;
    for (const n of nodes) ms += (await one([`${scheme}://${n}:${port}`])).ms;
    sep.push(ms);
    grp.push(await run(['scan', '--targets-file', inv, '--format', 'ndjson', '--no-progress'], env));
  }
  const vipSamples = grp[0].clusters?.groups[0]?.vip?.samples.length ?? 0;
  const res = {
    group: name,
    nodes: nodes.length,
    vipConnections: vipSamples,
    oneByOne: { medianMs: Math.round(median(seq.map((x) => x.ms))), connections: seq[0].connections },
    grouped: { medianMs: Math.round(median(grp.map((x) => x.ms))), connections: grp[0].connections },
    separateRunsMedianMs: Math.round(median(sep)),
  };
  res.timeRatio = Number((res.grouped.medianMs / res.oneByOne.medianMs).toFixed(2));
  res.connectionRatio = res.oneByOne.connections ? Number((res.grouped.connections / res.oneByOne.connections).toFixed(2)) : null;
  res.withinTarget = res.timeRatio <= 1.5;
  console.log(
    `${name.padEnd(11)} one by one ${res.oneByOne.medianMs} ms (${res.oneByOne.connections} connections; three separate runs ${res.separateRunsMedianMs} ms) · group ${res.grouped.medianMs} ms (${res.grouped.connections} connections, ${vipSamples} through the VIP) · time ×${res.timeRatio}${res.withinTarget ? '' : '  ABOVE the 1.5× target'}`,
  );
  return res;
}

async function main() {
  if (!fs.existsSync(INFO)) {
    console.log(`bench cluster: ${INFO} not found: start the lab module (bash test/lab/servers/cluster.sh start); skipped`);
    return;
  }
  const info = JSON.parse(fs.readFileSync(INFO, 'utf8'));
  const pw = fs.readFileSync(info.passwordFile, 'utf8').split('\n')[0].trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-bench-cluster-'));
  const results = {
    startedAt: new Date().toISOString(),
    runs: RUNS,
    loadavgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    groups: [],
  };
  try {
    results.groups.push(await benchGroup('ssh-good', 'sftp', 25122, info.nodes, info.vip, {}, dir));
    results.groups.push(await benchGroup('ftps-good', 'ftps-explicit', 25121, info.nodes, info.vip, { XFS_BENCH_PW: pw }, dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  results.loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `bench cluster: ${path.relative(process.cwd(), OUT)} (load average ${results.loadavgStart.join(' ')} → ${results.loadavgEnd.join(' ')})`,
  );
  if (results.groups.some((g) => !g.withinTarget)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench cluster: ${err?.stack ?? err}`);
  process.exit(1);
});
