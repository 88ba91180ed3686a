// The WAN bench (part of `npm run bench`): xferscan and its peers side by side through
// bench/relay.mjs, which adds a one-way delay in each direction (0, 25 and 100 ms by default; 25 ms
// each way = 50 ms round trip is the target case).
//
//   TLS: a whole `xferscan scan` vs `testssl.sh --starttls ftp -p -E` on Pure-FTPd explicit (22 suites)
//        and vsftpd explicit; ratio = testssl / xferscan, each measured through its own relay,
//        alternating which tool goes first, median of the runs. Also the TLS inventory alone with
//        the pipelined preamble (bench/tls-inventory.mjs), as probes/tls.ts runs it in the scan.
//   SSH: a whole `xferscan scan` vs `ssh-audit` on sshd-modern and sshd-legacy.
//   Servers with a connection limit below the cap (bench/limited.mjs), at 25 ms each way.
//   For every run: the connections and handshakes the relay saw (TLS ClientHellos; SSH key
//   exchanges started), and xferscan's own round-trip time and lower bound from its JSON report.
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRelay } from './relay.mjs';
import { measureInventory } from './tls-inventory.mjs';
import { benchLimited } from './limited.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** the wider connection cap the inventory is also measured with (what a WAN-aware default could be) */
const WIDE_CAP = 12;
const BIN = path.join(ROOT, 'bin/xferscan.js');

function which(names) {
  for (const n of names) {
    const r = spawnSync('sh', ['-c', `command -v ${n}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

function spawnTimed(cmd, args, timeoutMs = 900_000) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.resume();
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ ms: Math.round(performance.now() - t0), code, stdout: out });
    });
  });
}

/** Runs `fn(port)` against a fresh relay to `target` and returns its result with the relay's counts. */
async function throughRelay(target, delay, fn) {
  const relay = await startRelay({ target, delayMs: delay });
  try {
    const r = await fn(relay.port);
    // closes cross the relay after the delay: let them land before counting
    await new Promise((res) => setTimeout(res, 100 + 3 * delay));
    const s = relay.stats();
    return { ...r, relay: { connections: s.connections, handshakes: s.handshakes, kexDone: s.sshNewkeys, peakOpen: s.peakClientOpen } };
  } finally {
    await relay.close();
  }
}

async function xferscanRun(port, extra = []) {
  const r = await spawnTimed(process.execPath, [BIN, 'scan', `127.0.0.1:${port}`, '--format', 'json', ...extra]);
  let ep = null;
  try {
    ep = JSON.parse(r.stdout).endpoints[0];
  } catch {
    /* below */
  }
  const tp = ep?.tls?.probe;
  const audit = ep?.ssh?.audit;
  return {
    ms: r.ms,
    code: r.code,
    service: ep?.service ?? null,
    part: tp
      ? {
          ms: tp.ms,
          handshakes: tp.handshakes,
          connections: tp.connections ?? null,
          rttMs: tp.rttMs ?? null,
          lowerBoundMs: tp.lowerBoundMs ?? null,
          plan: tp.plan ?? null,
        }
      : null,
    audit: audit
      ? {
          ms: audit.ms,
          connections: audit.connections,
          rttMs: audit.rttMs ?? null,
          lowerBoundMs: audit.lowerBoundMs ?? null,
          plan: audit.plan ?? null,
        }
      : null,
    authMethods: ep?.ssh?.authMethods ?? null,
    pace: ep?.pace ?? null,
  };
}

const sumOf = (runs, f) => median(runs.map(f));

function summarize(runs) {
  return {
    ms: median(runs.map((r) => r.ms)),
    msAll: runs.map((r) => r.ms),
    connections: sumOf(runs, (r) => r.relay.connections),
    handshakes: sumOf(runs, (r) => r.relay.handshakes),
  };
}

/** testssl: sockets first; where its own STARTTLS gives up (exit 245), --ssl-native (remembered). */
async function testsslRun(testssl, ep, port, state) {
  const common = ['--starttls', 'ftp', '-p', '-E', '--color', '0', '--warnings', 'batch'];
  if (!state.native) {
    const t = await spawnTimed(testssl, [...common, `127.0.0.1:${port}`]);
    if (t.code !== 245 && !/only worked using/.test(t.stdout)) return { ms: t.ms, code: t.code, mode: 'sockets' };
    state.native = true;
    state.abandonedMs = t.ms;
  }
  const t = await spawnTimed(testssl, [...common, '--ssl-native', `127.0.0.1:${port}`]);
  return { ms: t.ms, code: t.code, mode: 'ssl-native' };
}

async function wanTlsEndpoint(o, ep, delay, testssl) {
  const xs = [];
  const ts = [];
  const state = {};
  for (let i = 0; i < o.runsFor(delay); i++) {
    const x = () => throughRelay(ep.port, delay, (p) => xferscanRun(p)).then((r) => xs.push(r));
    const t = () => (testssl ? throughRelay(ep.port, delay, (p) => testsslRun(testssl, ep, p, state)).then((r) => ts.push(r)) : null);
    if (i % 2 === 0) {
      await x();
      await t();
    } else {
      await t();
      await x();
    }
  }
  // as a partner runs it: logged in, so the FTP experiments (data channels, session reuse, the
  // transfer sequence) run too
  const logged = [];
  if (ep.login)
    for (let i = 0; i < o.runsFor(delay); i++)
      logged.push(
        await throughRelay(ep.port, delay, (p) => xferscanRun(p, ['--user', ep.login.user, '--password-file', ep.login.passwordFile])),
      );
  const inv = [];
  const wide = [];
  for (let i = 0; i < o.runsFor(delay); i++) {
    inv.push(await measureInventory({ port: ep.port, delay, connections: 4, mode: 'pipelined' }));
    wide.push(await measureInventory({ port: ep.port, delay, connections: WIDE_CAP, mode: 'pipelined' }));
  }
  const invSummary = (rs) => ({
    connectionsCap: rs[0]?.connections ?? null,
    ms: median(rs.map((r) => r.ms)),
    msAll: rs.map((r) => r.ms),
    lowerBoundMs: median(rs.map((r) => r.lowerBoundMs)),
    rttMs: median(rs.map((r) => r.rttMs)),
    connections: median(rs.map((r) => r.relay.connections)),
    handshakes: median(rs.map((r) => r.relay.handshakes)),
    limited: rs.some((r) => r.result.limited),
    plan: rs[0]?.plan ?? null,
  });
  const x = summarize(xs);
  const part = xs.map((r) => r.part).filter(Boolean);
  return {
    endpoint: ep.name,
    port: ep.port,
    oneWayMs: delay,
    xferscan: {
      ...x,
      tlsInventoryMs: median(part.map((p) => p.ms)),
      reportedHandshakes: median(part.map((p) => p.handshakes)),
      rttMs: median(part.map((p) => p.rttMs)),
      lowerBoundMs: median(part.map((p) => p.lowerBoundMs)),
      plan: part[0]?.plan ?? null,
      scanLowerBoundMs: median(xs.map((r) => r.pace?.lowerBoundMs)),
      pace: xs[0]?.pace ?? null,
    },
    xferscanLoggedIn: logged.length ? { ...summarize(logged), scanLowerBoundMs: median(logged.map((r) => r.pace?.lowerBoundMs)) } : null,
    inventoryPipelined: invSummary(inv),
    inventoryPipelinedWide: invSummary(wide),
    testssl: ts.length ? { ...summarize(ts), mode: ts.at(-1).mode, abandonedSocketsAttemptMs: state.abandonedMs ?? null } : null,
  };
}

async function wanSshEndpoint(o, ep, delay, sshAudit) {
  const xs = [];
  const as = [];
  for (let i = 0; i < o.runsFor(delay); i++) {
    const x = () => throughRelay(ep.port, delay, (p) => xferscanRun(p)).then((r) => xs.push(r));
    const a = () =>
      sshAudit ? throughRelay(ep.port, delay, (p) => spawnTimed(sshAudit, ['-p', String(p), '127.0.0.1'])).then((r) => as.push(r)) : null;
    if (i % 2 === 0) {
      await x();
      await a();
    } else {
      await a();
      await x();
    }
  }
  const audits = xs.map((r) => r.audit).filter(Boolean);
  return {
    endpoint: ep.name,
    port: ep.port,
    oneWayMs: delay,
    xferscan: {
      ...summarize(xs),
      auditMs: median(audits.map((a) => a.ms)),
      rttMs: median(audits.map((a) => a.rttMs)),
      lowerBoundMs: median(audits.map((a) => a.lowerBoundMs)),
      plan: audits[0]?.plan ?? null,
      scanLowerBoundMs: median(xs.map((r) => r.pace?.lowerBoundMs)),
      pace: xs[0]?.pace ?? null,
      authMethods: xs[0]?.authMethods ?? null,
    },
    sshAudit: as.length ? summarize(as) : null,
  };
}

const fmt = (ms) => (ms === null || ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}x` : '-');

function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export async function benchWan(o, eps, results) {
  const testssl = o.peers ? which(['testssl.sh', 'testssl']) : null;
  const sshAudit = o.peers ? which(['ssh-audit', 'ssh-audit.py']) : null;
  const delays = o.delays ?? [0, 25, 100];
  // testssl needs minutes at 100 ms one way: fewer runs there unless asked
  o.runsFor = (d) => (d >= 100 ? (o.wanRunsSlow ?? 1) : (o.wanRuns ?? o.runs));
  results.wan = { delays, tls: [], ssh: [] };
  const tlsEps = eps.tls.filter((e) => e.name === 'pureftpd-tls' || e.name === 'vsftpd-explicit');
  for (const ep of tlsEps) {
    for (const d of delays) {
      process.stdout.write(`bench wan: ${ep.name} ${ep.port}, ${d} ms each way, xferscan vs testssl ×${o.runsFor(d)} … `);
      const r = await wanTlsEndpoint(o, ep, d, testssl);
      results.wan.tls.push(r);
      console.log(`${fmt(r.xferscan.ms)} vs ${fmt(r.testssl?.ms)}`);
    }
  }
  for (const ep of eps.ssh) {
    for (const d of delays) {
      process.stdout.write(`bench wan: ${ep.name} ${ep.port}, ${d} ms each way, xferscan vs ssh-audit ×${o.runsFor(d)} … `);
      const r = await wanSshEndpoint(o, ep, d, sshAudit);
      results.wan.ssh.push(r);
      console.log(`${fmt(r.xferscan.ms)} vs ${fmt(r.sshAudit?.ms)}`);
    }
  }
  for (const r of results.wan.tls) r.target = r.oneWayMs === 25 ? targetReach(r) : null;
  printWan(results.wan);
  printTargets(results.wan);
  // servers with a connection limit below the cap: the limit learned, the bound at that limit
  if (delays.includes(25)) await benchLimited(o, results, testssl, fmt, ratio);
}

/** The project's targets: at 25 ms each way, the whole scan this many times faster than testssl -p -E. */
const TARGET_RATIO = { 'pureftpd-tls': 20, 'vsftpd-explicit': 12 };

/**
 * Whether the target time (testssl's, divided by the ratio asked for) is within reach of the work
 * the scan did, by the bound its own report gives (endpoint.pace): 2 round trips of detection,
 * then ⌈roundTrips ÷ cap⌉ or the longest chain, whichever is longer. A cap raises only the first:
 * the smallest cap that fits is named; none fits when the chain alone is too long. What the scan
 * does (the battery, the client-certificate test, the FTP sessions) is counted as it ran.
 */
export function targetReach(r) {
  const want = TARGET_RATIO[r.endpoint];
  const pace = r.xferscan.pace;
  if (!want || !r.testssl?.ms || !pace?.rttMs) return null;
  const targetMs = r.testssl.ms / want;
  const budget = Math.floor(targetMs / pace.rttMs) - 2;
  // the chain no cap shortens: the inventory's hellos that each waited for the one before (its
  // plan's bound also holds ⌈handshakes ÷ cap⌉, which a cap does shorten), or the longest FTP
  // session or SSH audit when that is longer (one hidden under the inventory's bound is not
  // seen: that can only make the cap named too small, never call a reachable target unreachable)
  const plan = r.xferscan.plan;
  const tlsChain = plan ? plan.depth + plan.rttsPerHandshake - 1 : 0;
  const chainRtts = Math.max(tlsChain, plan && pace.chainRtts === plan.lowerBoundRtts ? 0 : pace.chainRtts);
  const chainFits = chainRtts <= budget;
  let capNeeded = null;
  if (chainFits && budget > 0) capNeeded = Math.ceil(pace.roundTrips / budget);
  return {
    ratioWanted: want,
    targetMs: Math.round(targetMs),
    targetRtts: budget + 2,
    boundAtCapMs: pace.lowerBoundMs,
    cap: pace.connectionCap,
    roundTrips: pace.roundTrips,
    chainRtts,
    capNeeded,
  };
}

function printTargets(w) {
  const rows = w.tls.map((r) => [r, r.target]).filter(([, t]) => t);
  if (!rows.length) return;
  console.log("\nThe ratio targets against the scan's own bound (what the work it did needs at the least, at the round trip measured):");
  console.log(
    table(
      ['endpoint', 'one way', 'ratio wanted', 'target', 'in RTTs', 'scan bound at cap', 'round trips', 'chain', 'cap the bound fits at'],
      rows.map(([r, t]) => [
        `${r.endpoint} ${r.port}`,
        `${r.oneWayMs} ms`,
        `${t.ratioWanted}x`,
        fmt(t.targetMs),
        t.targetRtts,
        `${fmt(t.boundAtCapMs)} at ${t.cap}`,
        t.roundTrips,
        t.chainRtts,
        t.capNeeded === null ? 'none: the chain alone is longer' : `>= ${t.capNeeded}`,
      ]),
    ),
  );
}

function printWan(w) {
  console.log(
    '\nWAN TLS: whole xferscan scan vs testssl -p -E, through the relay (ratio = testssl / xferscan; conns/handshakes as the relay counted them)',
  );
  console.log(
    table(
      [
        'endpoint',
        'one way',
        'xferscan',
        'scan LB',
        'scan/LB',
        'tls inv.',
        'inv. LB',
        'rtt',
        'testssl',
        'ratio',
        'conns x/t',
        'hs x/t',
        'x. logged in',
        'its LB',
        'inv. pipelined',
        'its LB',
        `inv. cap ${WIDE_CAP}`,
        'its LB',
      ],
      w.tls.map((r) => [
        `${r.endpoint} ${r.port}`,
        `${r.oneWayMs} ms`,
        fmt(r.xferscan.ms),
        fmt(r.xferscan.scanLowerBoundMs),
        ratio(r.xferscan.ms, r.xferscan.scanLowerBoundMs),
        fmt(r.xferscan.tlsInventoryMs),
        fmt(r.xferscan.lowerBoundMs),
        r.xferscan.rttMs === null ? '-' : `${r.xferscan.rttMs} ms`,
        r.testssl ? `${fmt(r.testssl.ms)}${r.testssl.mode === 'ssl-native' ? '*' : ''}` : '-',
        ratio(r.testssl?.ms, r.xferscan.ms),
        `${r.xferscan.connections}/${r.testssl?.connections ?? '-'}`,
        `${r.xferscan.handshakes}/${r.testssl?.handshakes ?? '-'}`,
        fmt(r.xferscanLoggedIn?.ms),
        fmt(r.xferscanLoggedIn?.scanLowerBoundMs),
        fmt(r.inventoryPipelined.ms),
        fmt(r.inventoryPipelined.lowerBoundMs),
        `${fmt(r.inventoryPipelinedWide.ms)}${r.inventoryPipelinedWide.limited ? '†' : ''}`,
        fmt(r.inventoryPipelinedWide.lowerBoundMs),
      ]),
    ),
  );
  console.log(
    "scan LB: the whole scan's lower bound from its JSON report (endpoint.pace: 2 round trips per connection after detection, the inventory's handshakes at its plan's round trips, at the connection cap; never less than the inventory's chain)",
  );
  console.log(
    "x. logged in: the whole scan with the lab user's credentials, as a partner runs it (the FTP experiments then run too), and its lower bound",
  );
  console.log(
    `inv. pipelined: the TLS inventory alone with the preamble pipelined (as in the scan), at the default cap of 4 and at ${WIDE_CAP} connections; † the server refused some (421) and the prober used fewer`,
  );
  if (w.tls.some((r) => r.testssl?.mode === 'ssl-native'))
    console.log(
      '* testssl --ssl-native (its own STARTTLS gave up: vsftpd does not list AUTH TLS in FEAT); the abandoned attempt is not counted',
    );
  console.log('\nWAN SSH: whole xferscan scan vs ssh-audit, through the relay (ratio = ssh-audit / xferscan; kex = key exchanges started)');
  console.log(
    table(
      [
        'endpoint',
        'one way',
        'xferscan',
        'scan LB',
        'ssh audit',
        'audit LB',
        'rtt',
        'ssh-audit',
        'ratio',
        'conns x/a',
        'kex x/a',
        'auth methods',
      ],
      w.ssh.map((r) => [
        `${r.endpoint} ${r.port}`,
        `${r.oneWayMs} ms`,
        fmt(r.xferscan.ms),
        fmt(r.xferscan.scanLowerBoundMs),
        fmt(r.xferscan.auditMs),
        fmt(r.xferscan.lowerBoundMs),
        r.xferscan.rttMs === null ? '-' : `${r.xferscan.rttMs} ms`,
        fmt(r.sshAudit?.ms),
        ratio(r.sshAudit?.ms, r.xferscan.ms),
        `${r.xferscan.connections}/${r.sshAudit?.connections ?? '-'}`,
        `${r.xferscan.handshakes}/${r.sshAudit?.handshakes ?? '-'}`,
        (r.xferscan.authMethods ?? []).join(',') || '-',
      ]),
    ),
  );
}
