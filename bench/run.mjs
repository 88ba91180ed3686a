#!/usr/bin/env node
// Benchmark against peers, on the real-server lab (bash test/lab/lab.sh start) — not part of
// `npm test`. Runs the BUILT CLI (npm run build first) as a child process, as a user would:
//
//   TLS: for each lab FTPS endpoint, a full `xferscan scan … --format json` (median of --runs),
//        its tls-inventory probe time and handshake count, next to ONE run of
//        `testssl.sh --starttls ftp -p -E` (explicit) or `testssl.sh -p -E` (implicit: plain TLS);
//        ratio = testssl wall / xferscan wall (target ≥ 20 for TLS 1.2/1.3 endpoints).
//   SSH: `xferscan scan` of 22022 and 22023 (each, and both in one run) next to `ssh-audit` on each;
//        ratio = ssh-audit wall / xferscan wall (target ≥ 1: xferscan no slower).
//   Peak RSS of every xferscan run (/usr/bin/time -v when installed, else /proc/PID/status VmHWM).
//   WAN: the same peers side by side through bench/relay.mjs at 0, 25 and 100 ms one way
//        (bench/wan.mjs): ratios, connections and handshakes counted at the relay, xferscan's
//        time against the round-trip lower bound it reports.
//   Then bench/fleet.mjs when it exists (the fleet benchmark; its own output), and bench/cluster.mjs
//   (a 3-node group against its nodes one by one, on the lab module `cluster`; target ≤ 1.5×).
//
//   node bench/run.mjs [--runs 3] [--only tls|ssh|wan|fleet|cluster] [--no-peers] [--no-wan] [--no-fleet]
//                      [--delays 0,25,100] [--wan-runs N] [--wan-runs-slow N (at ≥ 100 ms; default 1)] [--out FILE]
//
// Writes machine-readable results to bench/results/latest.json (or --out). A missing peer or a lab
// endpoint that does not answer is skipped with a message, never an error.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchWan } from './wan.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/xferscan.js');
const DIST = path.join(ROOT, 'dist/src/cli.js');
const LAB_MANIFEST = path.join(process.env.XFS_LAB_RUN ?? path.join(ROOT, 'test/lab/.run'), 'endpoints.json');

function parseArgs(argv) {
  const o = {
    runs: 3,
    only: null,
    peers: true,
    fleet: true,
    wan: true,
    delays: null,
    wanRuns: null,
    wanRunsSlow: null,
    out: path.join(ROOT, 'bench/results/latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--no-peers') o.peers = false;
    else if (a === '--no-fleet') o.fleet = false;
    else if (a === '--no-wan') o.wan = false;
    else if (a === '--delays') o.delays = argv[++i].split(',').map(Number);
    else if (a === '--wan-runs') o.wanRuns = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--wan-runs-slow') o.wanRunsSlow = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '-h' || a === '--help') {
      console.log(
        'node bench/run.mjs [--runs 3] [--only tls|ssh|wan|fleet|cluster] [--no-peers] [--no-wan] [--no-fleet] [--delays 0,25,100] [--wan-runs N] [--wan-runs-slow N] [--out FILE]',
      );
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${a}`);
      process.exit(64);
    }
  }
  return o;
}

function which(names) {
  for (const n of names) {
    const r = spawnSync('sh', ['-c', `command -v ${n}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

const TIME_V = fs.existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true']).status === 0 ? '/usr/bin/time' : null;

/**
 * Runs a command, returns wall ms, exit code, stdout/stderr and peak RSS (kB). With /usr/bin/time -v
 * the RSS is exact (getrusage of the child); else VmHWM is polled from /proc every 20 ms.
 */
function run(cmd, args, { rss = false, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve) => {
    const useTime = rss && TIME_V;
    const file = useTime ? TIME_V : cmd;
    const argv = useTime ? ['-v', cmd, ...args] : args;
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    let hwm = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const poll =
      rss && !useTime
        ? setInterval(() => {
            try {
              const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
              if (m) hwm = Math.max(hwm, Number(m[1]));
            } catch {
              /* gone */
            }
          }, 20)
        : null;
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      let rssKb = rss ? hwm || null : null;
      if (useTime) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
        if (m) rssKb = Number(m[1]);
        err = err.replace(/\n?\tCommand being timed:[\s\S]*$/, '');
        const ex = /Command exited with non-zero status (\d+)/.exec(err);
        if (ex) err = err.replace(ex[0], '');
      }
      resolve({ ms: Math.round(ms), code, stdout: out, stderr: err, rssKb });
    });
  });
}

function listening(port, host = '127.0.0.1') {
  return new Promise((res) => {
    const s = net.connect({ host, port });
    const done = (v) => {
      s.destroy();
      res(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1500, () => done(false));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2)) : null;
};
const fmtMs = (ms) => (ms === null || ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const fmtRatio = (r) => (r === null || r === undefined || !Number.isFinite(r) ? '-' : `${r.toFixed(1)}x`);

function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function labEndpoints() {
  const byName = {};
  try {
    for (const e of JSON.parse(fs.readFileSync(LAB_MANIFEST, 'utf8'))) byName[e.name] = e;
  } catch {
    /* no manifest: defaults */
  }
  const port = (name, dflt) => byName[name]?.port ?? dflt;
  // the lab user's login, for the WAN scan a partner runs with credentials
  const login = (name) =>
    byName[name]?.user && byName[name]?.passwordFile ? { user: byName[name].user, passwordFile: byName[name].passwordFile } : null;
  return {
    tls: [
      { name: 'vsftpd-explicit', port: port('vsftpd-explicit', 21021), mode: 'explicit', tls13: true, login: login('vsftpd-explicit') },
      { name: 'vsftpd-implicit', port: port('vsftpd-implicit', 21990), mode: 'implicit', tls13: true, login: login('vsftpd-implicit') },
      { name: 'proftpd-tls', port: port('proftpd-tls', 21023), mode: 'explicit', tls13: false, login: login('proftpd-tls') },
      { name: 'pureftpd-tls', port: port('pureftpd-tls', 21024), mode: 'explicit', tls13: true, login: login('pureftpd-tls') },
    ],
    ssh: [
      { name: 'sshd-modern', port: port('sshd-modern', 22022) },
      { name: 'sshd-legacy', port: port('sshd-legacy', 22023) },
    ],
  };
}

async function xferscan(targets, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const r = await run(process.execPath, [BIN, 'scan', ...targets, '--format', 'json'], { rss: true });
    let report = null;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      /* below */
    }
    samples.push({ ...r, report });
  }
  const ok = samples.filter((s) => s.report && s.code !== 1);
  const pick = ok.length ? ok : samples;
  const walls = pick.map((s) => s.ms);
  const med = median(walls);
  const medSample = pick.find((s) => s.ms === med) ?? pick[0];
  return {
    ok: ok.length === samples.length,
    exitCodes: samples.map((s) => s.code),
    wallMs: med,
    wallMsAll: samples.map((s) => s.ms),
    peakRssKb: Math.max(...samples.map((s) => s.rssKb ?? 0)) || null,
    sample: medSample,
    probeMsAll: pick.map((s) => s.report?.endpoints?.[0]?.tls?.probe?.ms).filter((v) => typeof v === 'number'),
    error: ok.length ? null : (samples[0].stderr || '').trim().split('\n').slice(-3).join(' | '),
  };
}

async function benchTls(o, eps, results) {
  const testssl = o.peers ? which(['testssl.sh', 'testssl']) : null;
  if (o.peers && !testssl) console.log('bench: testssl.sh not installed (apt-get install -y testssl.sh): TLS peer column skipped');
  const rows = [];
  for (const ep of eps) {
    if (!(await listening(ep.port))) {
      console.log(`bench: ${ep.name} 127.0.0.1:${ep.port} does not answer (bash test/lab/lab.sh start): skipped`);
      results.tls.push({ ...ep, skipped: 'not listening' });
      continue;
    }
    // Implicit FTPS is named as such (ftps://): testssl is told "plain TLS" as well, so neither
    // side pays for discovering it (xferscan's detection would otherwise wait for a silent server).
    const target = ep.mode === 'implicit' ? `ftps://127.0.0.1:${ep.port}` : `127.0.0.1:${ep.port}`;
    process.stdout.write(`bench: xferscan scan ${target} ×${o.runs} … `);
    const x = await xferscan([target], o.runs);
    const tlsFacts = x.sample.report?.endpoints?.[0]?.tls ?? null;
    const probeMs = median(x.probeMsAll);
    console.log(`${fmtMs(x.wallMs)}${x.ok ? '' : ` (scan error: ${x.error})`}`);
    const entry = {
      ...ep,
      target,
      xferscan: {
        wallMs: x.wallMs,
        wallMsAll: x.wallMsAll,
        exitCodes: x.exitCodes,
        peakRssKb: x.peakRssKb,
        tlsProbeMs: probeMs,
        tlsProbeMsAll: x.probeMsAll,
        handshakes: tlsFacts?.probe?.handshakes ?? null,
        protocols: tlsFacts
          ? Object.entries(tlsFacts.protocols)
              .filter(([, v]) => v)
              .map(([k]) => k)
          : null,
        suites: tlsFacts ? Object.fromEntries(Object.entries(tlsFacts.cipherSuites).map(([k, v]) => [k, v.length])) : null,
        serverPreference: tlsFacts?.serverPreference ?? null,
        error: x.error,
      },
      testssl: null,
    };
    if (testssl) {
      const base = ep.mode === 'explicit' ? ['--starttls', 'ftp'] : [];
      const common = ['-p', '-E', '--color', '0', '--warnings', 'batch'];
      process.stdout.write(`bench: testssl ${[...base, '-p', '-E'].join(' ')} 127.0.0.1:${ep.port} … `);
      let t = await run(testssl, [...base, ...common, `127.0.0.1:${ep.port}`]);
      let mode = 'sockets';
      let firstMs = null;
      // testssl's own (bash sockets) STARTTLS needs "AUTH TLS" in FEAT; vsftpd with ssl_tlsv1=NO does
      // not list it, so testssl stops and asks (exit 245 in batch mode): fall back to --ssl-native.
      if (t.code === 245 || /only worked using/.test(t.stdout)) {
        firstMs = t.ms;
        mode = 'ssl-native';
        t = await run(testssl, [...base, ...common, '--ssl-native', `127.0.0.1:${ep.port}`]);
      }
      const ciphersListed = (t.stdout.match(/^\s*x[0-9a-f]{2,6}\s/gm) ?? []).length;
      console.log(`${fmtMs(t.ms)} (exit ${t.code}, ${mode}${firstMs !== null ? `; sockets attempt gave up after ${fmtMs(firstMs)}` : ''})`);
      entry.testssl = { wallMs: t.ms, exitCode: t.code, mode, abandonedSocketsAttemptMs: firstMs, ciphersListed };
    }
    results.tls.push(entry);
    const ratio = entry.testssl && entry.xferscan.wallMs ? entry.testssl.wallMs / entry.xferscan.wallMs : null;
    const probeRatio = entry.testssl && entry.xferscan.tlsProbeMs ? entry.testssl.wallMs / entry.xferscan.tlsProbeMs : null;
    entry.ratio = ratio === null ? null : Number(ratio.toFixed(2));
    entry.probeRatio = probeRatio === null ? null : Number(probeRatio.toFixed(2));
    entry.target20x = ep.tls13 ? (ratio === null ? null : ratio >= 20) : null;
    rows.push([
      `${ep.name} ${ep.port}`,
      ep.mode,
      fmtMs(entry.xferscan.wallMs),
      fmtMs(entry.xferscan.tlsProbeMs),
      String(entry.xferscan.handshakes ?? '-'),
      entry.testssl ? `${fmtMs(entry.testssl.wallMs)}${entry.testssl.mode === 'ssl-native' ? '*' : ''}` : '-',
      fmtRatio(ratio),
      fmtRatio(probeRatio),
      ep.tls13 ? (ratio === null ? '-' : ratio >= 20 ? 'yes' : 'NO') : 'n/a (TLS≤1.2)',
      entry.xferscan.peakRssKb ? `${Math.round(entry.xferscan.peakRssKb / 1024)} MB` : '-',
    ]);
  }
  if (rows.length) {
    console.log('\nTLS: full xferscan scan vs testssl -p -E (ratio = testssl / xferscan; target ≥ 20x on TLS 1.2/1.3 endpoints)');
    console.log(
      table(
        ['endpoint', 'mode', 'xferscan wall', 'tls probe', 'handshakes', 'testssl wall', 'ratio', 'ratio (probe)', '≥20x', 'xferscan RSS'],
        rows,
      ),
    );
    if (results.tls.some((e) => e.testssl?.mode === 'ssl-native'))
      console.log('* testssl --ssl-native (its sockets STARTTLS gave up: the server does not list AUTH TLS in FEAT)');
  }
}

async function benchSsh(o, eps, results) {
  const sshAudit = o.peers ? which(['ssh-audit', 'ssh-audit.py']) : null;
  if (o.peers && !sshAudit) console.log('bench: ssh-audit not installed (apt-get install -y ssh-audit): SSH peer column skipped');
  const up = [];
  for (const ep of eps) {
    if (await listening(ep.port)) up.push(ep);
    else console.log(`bench: ${ep.name} 127.0.0.1:${ep.port} does not answer: skipped`);
  }
  if (!up.length) return;
  const rows = [];
  for (const ep of up) {
    process.stdout.write(`bench: xferscan scan 127.0.0.1:${ep.port} ×${o.runs} … `);
    const x = await xferscan([`127.0.0.1:${ep.port}`], o.runs);
    console.log(fmtMs(x.wallMs));
    const entry = {
      ...ep,
      xferscan: { wallMs: x.wallMs, wallMsAll: x.wallMsAll, exitCodes: x.exitCodes, peakRssKb: x.peakRssKb, error: x.error },
      sshAudit: null,
    };
    if (sshAudit) {
      const walls = [];
      let code = null;
      for (let i = 0; i < o.runs; i++) {
        const t = await run(sshAudit, ['-p', String(ep.port), '127.0.0.1']);
        walls.push(t.ms);
        code = t.code;
      }
      entry.sshAudit = { wallMs: median(walls), wallMsAll: walls, exitCode: code };
    }
    entry.ratio = entry.sshAudit ? Number((entry.sshAudit.wallMs / entry.xferscan.wallMs).toFixed(2)) : null;
    results.ssh.endpoints.push(entry);
    rows.push([
      `${ep.name} ${ep.port}`,
      fmtMs(entry.xferscan.wallMs),
      entry.sshAudit ? fmtMs(entry.sshAudit.wallMs) : '-',
      fmtRatio(entry.ratio),
      entry.ratio === null ? '-' : entry.ratio >= 1 ? 'yes' : 'NO',
      entry.xferscan.peakRssKb ? `${Math.round(entry.xferscan.peakRssKb / 1024)} MB` : '-',
    ]);
  }
  // both in one xferscan run (it scans endpoints concurrently) vs ssh-audit one after the other
  const targets = up.map((e) => `127.0.0.1:${e.port}`);
  process.stdout.write(`bench: xferscan scan ${targets.join(' ')} ×${o.runs} … `);
  const both = await xferscan(targets, o.runs);
  console.log(fmtMs(both.wallMs));
  const auditSum = results.ssh.endpoints.every((e) => e.sshAudit) ? results.ssh.endpoints.reduce((n, e) => n + e.sshAudit.wallMs, 0) : null;
  results.ssh.both = {
    targets,
    xferscanWallMs: both.wallMs,
    xferscanWallMsAll: both.wallMsAll,
    peakRssKb: both.peakRssKb,
    sshAuditSumMs: auditSum,
    ratio: auditSum ? Number((auditSum / both.wallMs).toFixed(2)) : null,
  };
  rows.push([
    'both (one xferscan run / ssh-audit sum)',
    fmtMs(both.wallMs),
    auditSum ? fmtMs(auditSum) : '-',
    fmtRatio(results.ssh.both.ratio),
    results.ssh.both.ratio === null ? '-' : results.ssh.both.ratio >= 1 ? 'yes' : 'NO',
    both.peakRssKb ? `${Math.round(both.peakRssKb / 1024)} MB` : '-',
  ]);
  console.log('\nSSH: xferscan scan vs ssh-audit (ratio = ssh-audit / xferscan; target ≥ 1x: xferscan no slower)');
  console.log(table(['endpoint', 'xferscan wall', 'ssh-audit wall', 'ratio', 'no slower', 'xferscan RSS'], rows));
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(DIST)) {
    console.error('bench: dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
  const eps = labEndpoints();
  const results = {
    benchVersion: 2,
    startedAt: new Date().toISOString(),
    host: {
      node: process.version,
      cpus: os.cpus().length,
      loadavgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
      rssMethod: TIME_V ? '/usr/bin/time -v' : '/proc VmHWM poll',
    },
    runs: o.runs,
    tls: [],
    ssh: { endpoints: [], both: null },
    fleet: null,
  };
  // warm the file cache so the first timed run does not pay for cold module loading
  await run(process.execPath, [BIN, '--version']);
  if (!o.only || o.only === 'tls') await benchTls(o, eps.tls, results);
  if (!o.only || o.only === 'ssh') await benchSsh(o, eps.ssh, results);
  if (o.wan && (!o.only || o.only === 'wan')) await benchWan(o, eps, results);
  const fleet = path.join(ROOT, 'bench/fleet.mjs');
  if (o.fleet && (!o.only || o.only === 'fleet')) {
    if (fs.existsSync(fleet)) {
      console.log('\nbench: node bench/fleet.mjs');
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [fleet, '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      let f = null;
      try {
        f = JSON.parse(r.stdout);
      } catch {
        process.stdout.write(r.stdout ?? '');
      }
      results.fleet = { exitCode: r.status, wallMs: Date.now() - t0, ...(f ?? {}) };
      if (f)
        console.log(
          `fleet: ${f.endpoints} endpoints (${Object.entries(f.mix)
            .map(([k, v]) => `${v} ${k}`)
            .join(
              ', ',
            )}): ${f.wallSeconds.toFixed(1)} s (target ≤ 60 s), peak RSS ${f.peakRssMB} MB (≤ 400 MB), CPU scanner ${f.cpuSeconds.scanner} s + fleet servers ${f.cpuSeconds.fleetServers} s, reported right ${f.reportedRight}/${f.endpoints}: ${f.pass ? 'PASS' : 'MISS'}${f.problems.length ? `\n  ${f.problems.slice(0, 5).join('\n  ')}` : ''}`,
        );
      if (r.status !== 0) process.exitCode = 1;
    } else console.log('bench: bench/fleet.mjs not present: fleet benchmark skipped');
  }
  const cluster = path.join(ROOT, 'bench/cluster.mjs');
  if ((!o.only || o.only === 'cluster') && fs.existsSync(cluster)) {
    console.log('\nbench: node bench/cluster.mjs');
    const r = spawnSync(process.execPath, [cluster, '--runs', String(Math.max(3, o.runs))], { cwd: ROOT, stdio: 'inherit' });
    results.cluster = { exitCode: r.status };
    if (r.status !== 0) process.exitCode = 1;
  }
  results.finishedAt = new Date().toISOString();
  results.host.loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `\nbench: results in ${path.relative(process.cwd(), o.out) || o.out} (load average ${results.host.loadavgStart.join(' ')} → ${results.host.loadavgEnd.join(' ')}; other work on this machine skews times)`,
  );
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(1);
});
