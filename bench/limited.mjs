// The WAN bench's servers with a connection limit (part of `npm run bench`, with the WAN bench):
// copies of the lab's vsftpd-explicit with max_per_ip=1 and 2 (below xferscan's default cap of
// 4), each through bench/relay.mjs at 25 ms each way. A whole xferscan scan beside
// `testssl.sh --starttls ftp -p -E` (one connection at a time, so the limit does not slow it),
// with what the scan reported: refusals met (the limit is learned in a few), the limit it
// learned, and its lower bound at that limit (endpoint.pace). Ports 21155-21156, passive
// 44230-44249 (not used by the lab or the tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRelay } from './relay.mjs';
import { startLimitedVsftpd } from '../test/lab/limited-servers.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/xferscan.js');
const SERVERS = [
  { limit: 1, port: 21155, passive: [44230, 44239] },
  { limit: 2, port: 21156, passive: [44240, 44249] },
];

function timed(cmd, args) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ ms: Math.round(performance.now() - t0), code, stdout: out }));
  });
}

async function throughRelay(port, delay, fn) {
  const relay = await startRelay({ target: port, delayMs: delay });
  try {
    return await fn(relay.port);
  } finally {
    await relay.close();
  }
}

/** Starts the limited vsftpds from the lab's configuration; returns a stop function. */
async function startServers(labRun) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-bench-limited-'));
  const children = await Promise.all(SERVERS.map((s) => startLimitedVsftpd({ labRun, dir, ...s })));
  return () => {
    for (const c of children) c.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

export async function benchLimited(_o, results, testssl, fmt, ratio) {
  const labRun = process.env.XFS_LAB_RUN ?? path.join(ROOT, 'test/lab/.run');
  if (!fs.existsSync('/usr/sbin/vsftpd') || !fs.existsSync(path.join(labRun, 'conf', 'vsftpd-explicit.conf'))) {
    console.log('bench limited: skipped (no lab vsftpd configuration)');
    return;
  }
  const delay = 25;
  const stop = await startServers(labRun);
  const rows = [];
  try {
    for (const s of SERVERS) {
      process.stdout.write(`bench wan: vsftpd max_per_ip=${s.limit}, ${delay} ms each way, xferscan vs testssl … `);
      const ca = path.join(labRun, 'certs/good.crt');
      const x = await throughRelay(s.port, delay, (p) =>
        timed(process.execPath, [BIN, 'scan', `127.0.0.1:${p}`, '--ca-file', ca, '--format', 'json', '--endpoint-timeout', '300000']),
      );
      let ep = null;
      try {
        ep = JSON.parse(x.stdout).endpoints[0];
      } catch {
        /* reported as missing below */
      }
      const t = testssl
        ? await throughRelay(s.port, delay, (p) =>
            timed(testssl, ['--starttls', 'ftp', '-p', '-E', '--color', '0', '--warnings', 'batch', '--ssl-native', `127.0.0.1:${p}`]),
          )
        : null;
      const row = {
        limit: s.limit,
        oneWayMs: delay,
        xferscanMs: x.ms,
        refusals: ep?.throttled?.events ?? 0,
        gaveUp: ep?.throttled?.gaveUp ?? 0,
        learnedLimit: ep?.pace?.serverLimit ?? null,
        scanLowerBoundMs: ep?.pace?.lowerBoundMs ?? null,
        undecided: ep ? ep.findings.filter((f) => f.status === 'warn' || f.status === 'skipped').length : null,
        testsslMs: t?.ms ?? null,
      };
      rows.push(row);
      console.log(`${fmt(row.xferscanMs)} vs ${fmt(row.testsslMs)}`);
    }
  } finally {
    stop();
  }
  results.wan.limited = rows;
  console.log('\nWAN, servers that allow fewer connections than the cap (vsftpd max_per_ip; xferscan --connections 4)');
  const head = ['server', 'one way', 'xferscan', 'scan LB', 'scan/LB', 'refusals', 'learned', 'undecided', 'testssl', 'ratio'];
  const body = rows.map((r) => [
    `max_per_ip=${r.limit}`,
    `${r.oneWayMs} ms`,
    fmt(r.xferscanMs),
    fmt(r.scanLowerBoundMs),
    ratio(r.xferscanMs, r.scanLowerBoundMs),
    `${r.refusals}${r.gaveUp ? ` (${r.gaveUp} given up)` : ''}`,
    r.learnedLimit ?? '-',
    r.undecided ?? '-',
    fmt(r.testsslMs),
    ratio(r.testsslMs, r.xferscanMs),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
  console.log([line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n'));
  console.log(
    'refusals: connections the server turned away (421), from the JSON report; learned: the limit the scan then kept to (pace.serverLimit); undecided: warn + skipped findings (the unlimited vsftpd gives the same number); scan LB: its lower bound at that limit',
  );
}
