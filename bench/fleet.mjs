#!/usr/bin/env node
// Fleet benchmark: a thousand endpoints on loopback addresses 127.0.x.y, each with a small server
// started in this process (explicit-FTPS greeter with a self-signed certificate, SSH server from
// ssh2; optionally silent and closed ports), scanned by the built CLI with --format ndjson.
// Prints wall time, peak RSS and CPU seconds of the scanner (and of the fleet's own servers, which
// share the machine's cores) and checks that every endpoint is reported right.
// Target (issue 19): 1,000 endpoints, half SFTP and half FTP, in ≤ 60 s and ≤ 400 MB on 2 cores.
//
//   node bench/fleet.mjs [--endpoints 1000] [--concurrency 32] [--connections 4] [--max-sockets 256]
//                        [--timeout 3000] [--silent 0] [--closed 0] [--json]
// Needs `npm run build` first (runs dist/ through bin/xferscan.js, as a user would).
// `startFleetServers` is also used by test/integration/fleet.test.ts.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ssh2 from 'ssh2';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/xferscan.js');

const FTP_PORT = 2121;
const SSH_PORT = 2222;
const SILENT_PORT = 2323;
const CLOSED_PORT = 2424;

/** The i-th loopback address of the fleet: 127.0.(20 + i/200).(1 + i%200). */
export function fleetAddress(i, base = 20) {
  return `127.0.${base + Math.floor(i / 200)}.${1 + (i % 200)}`;
}

/** A minimal explicit-FTPS server on one socket: 220, FEAT, AUTH TLS → 234 + TLS, PBSZ/PROT, USER/PASS refused. */
function ftpsSession(socket, secureContext) {
  let sock = socket;
  let buf = '';
  let secured = false;
  const send = (s) => {
    if (!sock.destroyed) sock.write(`${s}\r\n`);
  };
  const onData = (d) => {
    buf += d.toString('latin1');
    if (buf.length > 8192) return sock.destroy();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      const [cmd, ...rest] = line.split(' ');
      const arg = rest.join(' ').toUpperCase();
      switch (cmd.toUpperCase()) {
        case 'AUTH':
          if (secured) {
            send('503 already secured');
            break;
          }
          if (arg === 'TLS' || arg === 'SSL') {
            send('234 AUTH TLS successful');
            sock.removeListener('data', onData);
            const t = new tls.TLSSocket(sock, { isServer: true, secureContext });
            t.on('error', () => t.destroy());
            t.on('data', onData);
            sock = t;
            secured = true;
            buf = '';
            return;
          }
          send('504 unknown AUTH type');
          break;
        case 'FEAT':
          send('211-Features:');
          send(' AUTH TLS');
          send(' PBSZ');
          send(' PROT');
          send(' UTF8');
          send('211 End');
          break;
        case 'SYST':
          send('215 UNIX Type: L8');
          break;
        case 'PBSZ':
          send(secured ? '200 PBSZ=0' : '503 PBSZ needs AUTH first');
          break;
        case 'PROT':
          send(secured ? '200 PROT ok' : '503 PROT needs AUTH first');
          break;
        case 'USER':
          send(secured ? '331 password please' : '530 TLS required');
          break;
        case 'PASS':
          send('530 login incorrect');
          break;
        case 'NOOP':
          send('200 ok');
          break;
        case 'QUIT':
          send('221 bye');
          sock.end();
          return;
        default:
          send('502 command not implemented');
      }
    }
  };
  socket.on('error', () => socket.destroy());
  socket.on('data', onData);
  send('220 fleet FTPS greeter ready');
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 511 }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/**
 * Starts `count` endpoints on 127.0.x.y addresses: `silent` silent ports, a tenth closed ports
 * (at least one), the rest split between explicit FTPS and SSH. Returns what each one should be
 * reported as.
 */
export async function startFleetServers({ count = 300, silent = 6, closed = Math.max(1, Math.round(count / 10)), base = 20 } = {}) {
  const { selfSignedCertificate } = await import(pathToFileURL(path.join(ROOT, 'dist/src/demo.js')).href);
  const material = selfSignedCertificate();
  const secureContext = tls.createSecureContext({ key: material.key, cert: material.cert });
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const servers = [];
  const sockets = new Set();
  const track = (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const endpoints = [];
  const jobs = [];
  for (let i = 0; i < count; i++) {
    const host = fleetAddress(i, base);
    let kind;
    if (i % Math.max(1, Math.floor(count / Math.max(1, silent))) === 3 && endpoints.filter((e) => e.kind === 'silent').length < silent)
      kind = 'silent';
    else if (i % 10 === 7 && endpoints.filter((e) => e.kind === 'closed').length < closed) kind = 'closed';
    else kind = i % 2 === 0 ? 'ftps' : 'ssh';
    let server = null;
    let port;
    if (kind === 'ftps') {
      port = FTP_PORT;
      server = net.createServer((s) => {
        track(s);
        ftpsSession(s, secureContext);
      });
      endpoints.push({ host, port, kind, expect: { state: 'open', service: 'ftps-explicit' } });
    } else if (kind === 'ssh') {
      port = SSH_PORT;
      server = new ssh2.Server({ hostKeys: [hostKey.private], ident: 'OpenSSH_9.6 fleet' }, (client) => {
        client.on('authentication', (ctx) => ctx.reject(['publickey', 'password']));
        client.on('error', () => {});
      });
      server.on('connection', track);
      endpoints.push({ host, port, kind, expect: { state: 'open', service: 'sftp' } });
    } else if (kind === 'silent') {
      port = SILENT_PORT;
      server = net.createServer((s) => {
        track(s);
        s.on('error', () => {});
      });
      endpoints.push({ host, port, kind, expect: { state: ['open', 'timeout'], service: [null, 'unknown', 'tls-unknown'] } });
    } else {
      port = CLOSED_PORT;
      endpoints.push({ host, port, kind, expect: { state: 'closed', service: null } });
    }
    if (server) {
      server.on('error', () => {});
      servers.push(server);
      jobs.push(listen(server, port, host));
    }
  }
  await Promise.all(jobs);
  return {
    endpoints,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.allSettled(servers.map((s) => new Promise((r) => s.close(() => r()))));
    },
  };
}

/** Compares one reported endpoint with what the fleet server behind it is. Returns a problem or null. */
export function checkEndpoint(expected, got) {
  if (!got) return `${expected.host}:${expected.port} (${expected.kind}) missing from the output`;
  const ok = (want, v) => (Array.isArray(want) ? want.includes(v) : want === v);
  if (!ok(expected.expect.state, got.state) || !ok(expected.expect.service, got.service ?? null)) {
    return `${expected.host}:${expected.port} (${expected.kind}): got state=${got.state} service=${got.service}, want state=${expected.expect.state} service=${expected.expect.service}`;
  }
  return null;
}

function hasGnuTime() {
  try {
    return spawnSync('/usr/bin/time', ['-v', 'true'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

function parseArgs(argv) {
  const o = {
    endpoints: 1000,
    concurrency: 32,
    connections: 4,
    'max-sockets': 256,
    timeout: 3000,
    silent: 0,
    closed: 0,
    json: false,
    'endpoint-timeout': 30000,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'json') o.json = true;
    else if (k in o) o[k] = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'dist/src/cli.js'))) throw new Error('run `npm run build` first');
  const fleet = await startFleetServers({ count: o.endpoints, silent: o.silent, closed: o.closed });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-fleet-'));
  const targetsFile = path.join(dir, 'targets.csv');
  fs.writeFileSync(targetsFile, `host,port\n${fleet.endpoints.map((e) => `${e.host},${e.port}`).join('\n')}\n`);
  const outFile = path.join(dir, 'out.ndjson');
  const args = [
    'scan',
    '--targets-file',
    targetsFile,
    '--format',
    'ndjson',
    '--output',
    outFile,
    '--concurrency',
    String(o.concurrency),
    '--connections',
    String(o.connections),
    '--max-sockets',
    String(o['max-sockets']),
    '--timeout',
    String(o.timeout),
    '--endpoint-timeout',
    String(o['endpoint-timeout']),
  ];
  const gnuTime = hasGnuTime();
  const cmd = gnuTime ? '/usr/bin/time' : process.execPath;
  // XFS_FLEET_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR": profile the scanner (where the time goes)
  const nodeArgs = (process.env.XFS_FLEET_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  // XFS_FLEET_BIN: another build's bin/xferscan.js (A/B against the same fleet)
  const bin = process.env.XFS_FLEET_BIN ?? BIN;
  const argv = gnuTime ? ['-v', process.execPath, ...nodeArgs, bin, ...args] : [...nodeArgs, bin, ...args];
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const loadStart = os.loadavg()[0];
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.resume();
  // Fallback (and cross-check): poll the scanner's VmHWM while it runs.
  let hwmKb = 0;
  const poll = setInterval(() => {
    try {
      const pid = gnuTime ? findChildPid(child.pid) : child.pid;
      if (!pid) return;
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
    } catch {
      // exited
    }
  }, 100);
  const code = await new Promise((r) => child.on('close', r));
  clearInterval(poll);
  const wallMs = Math.round(performance.now() - started);
  await fleet.close();
  const gm = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  // where the time went: the scanner's CPU (from /usr/bin/time) and this process's (the fleet's servers)
  const cpuOf = (re) => Number(re.exec(stderr)?.[1] ?? NaN);
  const scannerCpuS = cpuOf(/User time \(seconds\): ([\d.]+)/) + cpuOf(/System time \(seconds\): ([\d.]+)/);
  const serverCpu = process.cpuUsage(cpuStart);
  const serversCpuS = (serverCpu.user + serverCpu.system) / 1e6;
  const peakKb = gm ? Number(gm[1]) : hwmKb;

  const lines = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8').split('\n').filter(Boolean) : [];
  const byKey = new Map();
  let summary = null;
  let bad = 0;
  for (const l of lines) {
    let o2;
    try {
      o2 = JSON.parse(l);
    } catch {
      bad++;
      continue;
    }
    if (o2.type === 'endpoint') byKey.set(`${o2.endpoint.host}:${o2.endpoint.port}`, o2.endpoint);
    else if (o2.type === 'summary') summary = o2;
  }
  const problems = fleet.endpoints.map((e) => checkEndpoint(e, byKey.get(`${e.host}:${e.port}`))).filter(Boolean);
  if (bad) problems.push(`${bad} lines are not JSON`);
  if (!summary) problems.push('no summary line');
  const kinds = {};
  for (const e of fleet.endpoints) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
  const result = {
    endpoints: fleet.endpoints.length,
    mix: kinds,
    options: { concurrency: o.concurrency, connections: o.connections, maxSockets: o['max-sockets'], timeoutMs: o.timeout },
    exitCode: code,
    wallSeconds: wallMs / 1000,
    peakRssMB: Math.round(peakKb / 1024),
    rssSource: gm ? '/usr/bin/time -v' : '/proc/PID/status VmHWM',
    reportedRight: fleet.endpoints.length - problems.filter((p) => !/lines are not JSON|no summary/.test(p)).length,
    peakSockets: summary?.sockets?.peak ?? null,
    cpuSeconds: {
      scanner: Number.isFinite(scannerCpuS) ? Number(scannerCpuS.toFixed(1)) : null,
      fleetServers: Number(serversCpuS.toFixed(1)),
    },
    loadAverage: { start: Number(loadStart.toFixed(1)), end: Number(os.loadavg()[0].toFixed(1)) },
    problems: problems.slice(0, 20),
    targets: { wallSeconds: 60, peakRssMB: 400 },
  };
  result.pass = result.wallSeconds <= 60 && result.peakRssMB <= 400 && problems.length === 0;
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `fleet: ${result.endpoints} endpoints (${Object.entries(kinds)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}), concurrency ${o.concurrency}, connections ${o.connections}, max-sockets ${o['max-sockets']}\n` +
        `  wall time   ${result.wallSeconds.toFixed(1)} s   (target ≤ 60 s)\n` +
        `  peak RSS    ${result.peakRssMB} MB   (target ≤ 400 MB; ${result.rssSource})\n` +
        `  peak sockets ${result.peakSockets ?? '?'}\n` +
        `  CPU         scanner ${result.cpuSeconds.scanner ?? '?'} s, fleet servers ${result.cpuSeconds.fleetServers} s (2 cores: ${(2 * result.wallSeconds).toFixed(0)} core-s in the wall time; load average ${result.loadAverage.start} → ${result.loadAverage.end})\n` +
        `  reported right ${result.reportedRight}/${result.endpoints}; exit code ${code}\n` +
        (problems.length
          ? `  problems:\n${problems
              .slice(0, 20)
              .map((p) => `    ${p}`)
              .join('\n')}\n`
          : '') +
        `  ${result.pass ? 'PASS' : 'MISS'}\n`,
    );
    if (!lines.length) process.stdout.write(`scanner stderr:\n${stderr.slice(-2000)}\n`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = result.pass ? 0 : 1;
}

/** The node process under /usr/bin/time. */
function findChildPid(ppid) {
  try {
    const kids = fs.readFileSync(`/proc/${ppid}/task/${ppid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : null;
  } catch {
    return null;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`bench/fleet: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
