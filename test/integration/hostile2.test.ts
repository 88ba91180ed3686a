// Issue 14, the second hostile battery: scripted servers that hang up mid-dialogue, echo the
// password, send terminal control sequences, huge replies, giant KEXINITs and certificates, bad
// data connections, refuse everything or kill SSH after the login. Held to the issue's "Done
// when": every scan ends within its time with a report for every target, exit 0–3, no stack
// trace, peak RSS < 300 MB, report < 5 MB per endpoint, no piece of the password in any format.
//
// Tests marked it.fails hold behaviour whose fix lives outside the network layer; each says
// what must change (// needs: …). They start failing, forcing the .fails off, once it is fixed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointReport, Report } from '../../src/model.js';
import { BIN, ROOT, looksLikeStackTrace, runCli, type CliResult } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import { runCliMeasured, type MeasuredResult } from '../hostile/measure.js';
import { leak } from '../hostile/leaks.js';
import { LOOPBACK } from '../hostile/servers.js';
import { startHostile2, startScriptedFtp, type Hostile2Set } from '../hostile/servers2.js';

/** Spaces, a tab, '*', regular-expression characters; a Greek or Cyrillic letter in every 4 characters. */
const PASSWORD = 'Ωq7 \tΨ*+?жx)[Ж{2Φ^$|Ξ\\ J';
const ENV = { XFS_H2_PW: PASSWORD };
const CREDS = ['--user', 'u', '--password-env', 'XFS_H2_PW'];
const TIMEOUT_MS = 1500;
/** The whole battery in one scan, slowest behaviour included (a data connection that never ends). */
const WALL_LIMIT_MS = 60_000;
const RSS_LIMIT_KB = 300 * 1024;
const ENDPOINT_REPORT_LIMIT = 5 * 1024 * 1024;
const FORMATS = ['table', 'json', 'html', 'markdown', 'junit', 'sarif', 'ndjson'];
/** Raw control characters a server may send that must never reach an output. */
const RAW_CONTROL = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-hostile2-'));
let set: Hostile2Set;
let run: MeasuredResult;
let report: Report;

function ep(name: string): EndpointReport {
  const i = set.servers.findIndex((s) => s.name === name);
  const e = report.endpoints[i];
  if (!e) throw new Error(`no endpoint for ${name}`);
  return e;
}

function span(e: EndpointReport): number {
  const ts = e.transcript.map((l) => Date.parse(l.t)).filter((t) => !Number.isNaN(t));
  return ts.length ? Math.max(...ts) - Math.min(...ts) : 0;
}

function parseReport(r: CliResult, what: string): Report {
  try {
    return JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`${what}: no JSON on stdout (exit ${r.code}, ${r.ms} ms); stderr: ${r.stderr.slice(0, 1500)}`);
  }
}

/** Re-renders a saved JSON report in every format (the CLI's `report` command). */
async function allFormats(file: string): Promise<Map<string, CliResult>> {
  const out = new Map<string, CliResult>();
  await Promise.all(FORMATS.map(async (f) => out.set(f, await runCli(['report', file, '--format', f], { timeoutMs: 30_000 }))));
  return out;
}

beforeAll(async () => {
  set = await startHostile2();
  const args = [
    'scan',
    ...set.servers.map((s) => s.target),
    ...CREDS,
    '--allow-cleartext-login',
    '--write-test',
    '--timeout',
    String(TIMEOUT_MS),
    '--concurrency',
    '32',
    '--format',
    'json',
  ];
  run = await runCliMeasured(args, { env: ENV, timeoutMs: WALL_LIMIT_MS + 30_000 });
  report = parseReport(run, 'battery scan');
  fs.writeFileSync(path.join(tmp, 'battery.json'), run.stdout);
  const figures = {
    wallMs: run.ms,
    exit: run.code,
    peakRssMb: run.peakRssKb === null ? null : Math.round(run.peakRssKb / 102.4) / 10,
    endpoints: report.endpoints.map((e, i) => ({
      server: set.servers[i]?.name,
      service: e.service,
      outcome: e.outcome,
      spanMs: span(e),
      reportKb: Math.round(JSON.stringify(e).length / 1024),
    })),
  };
  fs.writeFileSync(path.join(os.tmpdir(), 'xferscan-hostile2-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  if (process.env.XFS_HOSTILE_VERBOSE) console.log(JSON.stringify(figures, null, 2));
}, WALL_LIMIT_MS + 60_000);

afterAll(async () => {
  await set?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('one scan of the second battery', () => {
  it('ends within its time with a valid report of every target, exit 0–3, no stack trace', () => {
    expect(run.ms).toBeLessThan(WALL_LIMIT_MS);
    expect([0, 1, 2, 3], run.stderr.slice(0, 1000)).toContain(run.code);
    expect(looksLikeStackTrace(run.stderr), run.stderr.slice(0, 2000)).toBe(false);
    expect(run.stderr).not.toMatch(/internal error|Unhandled 'error' event/);
    expectValidReport(report);
    expect(report.endpoints.map((e) => e.port)).toEqual(set.servers.map((s) => s.port));
    for (const [i, e] of report.endpoints.entries()) {
      expect(e.state, set.servers[i]!.name).toBe('open');
      expect(e.findings.length, set.servers[i]!.name).toBeGreaterThan(0);
      // every endpoint within a few timeouts per step, never the endpoint deadline
      expect(span(e), set.servers[i]!.name).toBeLessThan(40 * TIMEOUT_MS);
    }
  });

  it('keeps peak RSS under 300 MB and each endpoint under 5 MB of report', (ctx) => {
    for (const [i, e] of report.endpoints.entries())
      expect(JSON.stringify(e).length, set.servers[i]!.name).toBeLessThan(ENDPOINT_REPORT_LIMIT);
    if (run.peakRssKb === null) return ctx.skip();
    expect(run.peakRssKb).toBeLessThan(RSS_LIMIT_KB);
  });

  it('a hang-up or reset mid-dialogue ends that attempt with its cause, never the process', () => {
    for (const name of ['hangup-after-user', 'hangup-after-user-clear', 'rst-after-pass']) {
      const e = ep(name);
      expect(e.service, name).toMatch(/^ftp/);
      const said = JSON.stringify(e.ftp?.notes ?? []) + JSON.stringify(e.ftp?.login ?? null);
      expect(said, name).toMatch(/closed by the server|reset the connection/);
    }
    // The write test's upload went through, then the control connection died: reported, not fatal.
    const w = ep('drop-after-stor').ftp?.writeTest;
    expect(w?.error ?? w?.leftBehind ?? '').toMatch(/closed|broke/);
  });

  it('keeps 999 × 8,000-byte replies within budget and says what it left out', () => {
    const e = ep('huge-replies');
    expect(JSON.stringify(e).length).toBeLessThan(1024 * 1024);
    expect(e.banner!.length).toBeLessThan(16 * 1024);
    expect(e.transcript.some((l) => /more lines of this reply \(\d+ bytes\) not recorded/.test(l.text))).toBe(true);
    expect(e.transcript.reduce((a, l) => a + l.text.length, 0)).toBeLessThan(1024 * 1024 + 4096);
    // (on a loaded machine 8 MB may not arrive within one timeout: then the greeting is not read at all)
    if (e.ftp) {
      expect(e.ftp.greeting.length).toBeLessThan(20);
      expect(e.ftp.greeting.join('\n')).toMatch(/more lines \(\d+ bytes\) not kept/);
    }
  });

  it('a data connection that sends too much or never ends is a data-channel failure with its cause', () => {
    for (const [name, cause] of [
      ['data-too-much', /more than 4194304 bytes/],
      ['data-never-ends', /took longer than \d+ ms|stalled/],
    ] as const) {
      const e = ep(name);
      const dcs = e.ftp?.dataChannels ?? [];
      expect(dcs.length, `${name}: ${JSON.stringify(e.ftp?.notes)}`).toBeGreaterThan(0);
      for (const d of dcs) {
        expect(d.ok, name).toBe(false);
        expect(d.failedStep, name).toBe('transfer');
        expect(d.error, name).toMatch(cause);
      }
      const passive = e.findings.find((f) => f.id === 'FTP-DATA-PASSIVE');
      expect(passive?.status, name).not.toBe('skipped');
      expect(JSON.stringify(e.findings), name).not.toMatch(/needs a login|no login/);
    }
  });

  it('no piece of the password (4 characters or more) appears in the report', () => {
    // the echo server did receive it: otherwise this proves nothing
    expect(set.byName('echo-long').observed.passwords).toContain(PASSWORD);
    const found = leak(PASSWORD, 'json', run.stdout);
    expect(found, found ?? '').toBeNull();
  });

  it('no piece of the password in any format, and no stack trace', async () => {
    // Fresh servers and a patient timeout: the SSH login (and so its echo) must really happen.
    const echo = await startHostile2(['echo-long', 'echo-long-530', 'ssh-echo']);
    try {
      const r = await runCli(['scan', ...echo.servers.map((x) => x.target), ...CREDS, '--timeout', '4000', '--format', 'json'], {
        env: ENV,
      });
      expect([0, 1, 2, 3], r.stderr).toContain(r.code);
      for (const x of echo.servers) expect(x.observed.passwords, x.name).toContain(PASSWORD);
      const file = path.join(tmp, 'echo.json');
      fs.writeFileSync(file, r.stdout);
      for (const [format, out] of await allFormats(file)) {
        expect([0, 1, 2, 3], `${format}: ${out.stderr.slice(0, 500)}`).toContain(out.code);
        expect(out.stdout.length, format).toBeGreaterThan(0);
        expect(looksLikeStackTrace(out.stderr), format).toBe(false);
        const found = leak(PASSWORD, format, out.stdout);
        expect(found, found ?? '').toBeNull();
      }
    } finally {
      await echo.close();
    }
  }, 60_000);

  // when the control connection died after the upload, a fresh session deletes the file
  it('the write test leaves no file behind after the control connection died after STOR', () => {
    expect([...set.byName('drop-after-stor').observed.files.keys()]).toEqual([]);
  });

  // FTP-WRITE-TEST-LEFTOVER turns ftp.writeTest.leftBehind into a failing finding naming the file;
  // the anonymous write test uploads nothing more after a refused DELE
  it('a refused DELE is named in a finding (every format shows findings)', () => {
    const e = ep('dele-refused');
    const left = [...set.byName('dele-refused').observed.files.keys()];
    expect(left.length).toBe(1);
    expect(e.ftp?.writeTest?.leftBehind).toContain(left[0]);
    const f = e.findings.find((x) => x.status !== 'pass' && `${x.title} ${x.detail}`.includes(left[0]!));
    expect(f).toBeDefined();
  });

  // a channel that could not be opened because the connection is gone is no refusal
  it('a dead SSH connection is no "exec refused": SFTP-only is inconclusive', async () => {
    const k = await startHostile2(['ssh-kill-after-auth']);
    try {
      const r = await runCli(['scan', k.servers[0]!.target, ...CREDS, '--timeout', '4000', '--format', 'json'], { env: ENV });
      const e = parseReport(r, 'ssh-kill-after-auth').endpoints[0]!;
      expect(k.servers[0]!.observed.passwords).toContain(PASSWORD); // the login happened
      expect(e.ssh?.sftpOnly?.exec).not.toBe('refused');
      expect(e.ssh?.sftpOnly?.shell).not.toBe('refused');
      expect(e.findings.find((f) => f.id === 'SSH-SFTP-ONLY')?.status).toMatch(/warn|error|skipped/);
    } finally {
      await k.close();
    }
  }, 30_000);

  it('an unparsable certificate makes the certificate checks error/skipped, never pass', () => {
    const e = ep('cert-unparsable');
    expect(e.tls?.certificate?.parseError).toBeTruthy();
    const certChecks = e.findings.filter((f) => f.id.startsWith('TLS-CERT-'));
    expect(certChecks.length).toBeGreaterThan(0);
    for (const f of certChecks) expect(['error', 'skipped'], `${f.id}: ${f.detail}`).toContain(f.status);
  });

  // finding text is bounded at the model boundary (src/untrusted.ts), the table is linear in its input
  it('a KEXINIT with 50,000 names and a 100k-character CN: finding text bounded, the table renders in seconds', async () => {
    for (const name of ['ssh-kexinit-50k', 'cert-100k-cn']) {
      for (const f of ep(name).findings)
        expect(`${f.title}${f.detail}${JSON.stringify(f.evidence)}`.length, `${name} ${f.id}`).toBeLessThan(64 * 1024);
    }
    const files = ['ssh-kexinit-50k', 'cert-100k-cn'].map((name) => {
      const file = path.join(tmp, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify({ ...report, endpoints: [ep(name)] }));
      return file;
    });
    const runs = await Promise.all(files.map((f) => runCli(['report', f, '--format', 'table'], { timeoutMs: 8000 })));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(8000);
    }
  }, 30_000);

  // one sanitising step at the model boundary (src/untrusted.ts: control characters, C1, bidi
  // overrides made visible in banner, greeting, replies, facts) and reports/* escaping for their
  // format; reports/table.ts does not throw on a TAB
  it('no raw control character from a server reaches any format; the table does not throw', async () => {
    const file = path.join(tmp, 'controls.json');
    const names = ['control-chars', 'ssh-control-chars'];
    fs.writeFileSync(file, JSON.stringify({ ...report, endpoints: names.map(ep) }));
    for (const [format, out] of await allFormats(file)) {
      expect(out.code, `${format}: ${out.stderr.slice(0, 300)}`).toBe(0);
      expect(out.stderr, format).not.toMatch(/internal error/);
      const m = RAW_CONTROL.exec(out.stdout);
      expect(
        m,
        `${format}: raw ${JSON.stringify(m?.[0])} near ${JSON.stringify(out.stdout.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 20))}`,
      ).toBeNull();
    }
  }, 60_000);
});

describe('a server that only refuses', () => {
  // NET-SERVICE-REFUSED makes a service refusing everyone (greeting 554 or an endless 120) a
  // warning, so that the CLI exits 2 or 3.
  for (const name of ['greeting-554', 'endless-120']) {
    it(`${name} exits non-zero`, async () => {
      const s = await startHostile2([name]);
      try {
        const r = await runCli(['scan', s.servers[0]!.target, '--timeout', String(TIMEOUT_MS), '--format', 'json']);
        expect(looksLikeStackTrace(r.stderr)).toBe(false);
        parseReport(r, name);
        expect([2, 3]).toContain(r.code);
      } finally {
        await s.close();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Signals and the process-level last resort.

function spawnScan(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('signals during --write-test', () => {
  // on SIGINT/SIGTERM the scan stops dialling, lets the write test delete its file (fresh
  // session if need be), writes the report of what finished marked interrupted, exits 130 / 143
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} after the upload: the file is deleted, the report written, exit ${code}`, async () => {
      const s = await startHostile2(['stall-after-stor']);
      try {
        const scan = spawnScan(['scan', s.servers[0]!.target, ...CREDS, '--write-test', '--timeout', '5000', '--format', 'json']);
        const uploaded = await waitFor(() => s.servers[0]!.observed.files.size > 0, 20_000);
        expect(uploaded).toBe(true);
        scan.child.kill(signal);
        const r = await scan.done;
        expect(r.code).toBe(code);
        expect(looksLikeStackTrace(r.stderr)).toBe(false);
        expect(JSON.stringify(JSON.parse(r.stdout))).toMatch(/interrupted/i);
        expect([...s.servers[0]!.observed.files.keys()]).toEqual([]);
      } finally {
        await s.close();
      }
    }, 40_000);
  }

  it('SIGINT with --format ndjson: the stream ends with its summary line, which says interrupted', async () => {
    const s = await startHostile2(['stall-after-stor']);
    try {
      const scan = spawnScan(['scan', s.servers[0]!.target, ...CREDS, '--write-test', '--timeout', '5000', '--format', 'ndjson']);
      expect(await waitFor(() => s.servers[0]!.observed.files.size > 0, 20_000)).toBe(true);
      scan.child.kill('SIGINT');
      const r = await scan.done;
      expect(r.code).toBe(130);
      expect(looksLikeStackTrace(r.stderr)).toBe(false);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; interrupted?: string });
      expect(lines.at(-1)).toMatchObject({ type: 'summary', interrupted: 'SIGINT' });
      expect([...s.servers[0]!.observed.files.keys()]).toEqual([]);
    } finally {
      await s.close();
    }
  }, 40_000);
});

describe('the process-level last resort', () => {
  // src/last-resort.ts: process.on('uncaughtException'/'unhandledRejection') writes the report of
  // the endpoints that finished, marks the rest as errors, and exits 1 without a trace
  it('an unexpected exception mid-scan still writes the report of what finished, exit 1, no stack trace', async () => {
    const quick = await startScriptedFtp({
      name: 'quick',
      greeting: (g) => {
        g.say('554 go away');
        g.raw.end();
      },
    });
    const silent = await startScriptedFtp({ name: 'silent', greeting: null });
    try {
      const scan = spawnScan(['scan', `${LOOPBACK}:${quick.port}`, `${LOOPBACK}:${silent.port}`, '--timeout', '4000', '--format', 'json'], {
        NODE_OPTIONS: `--require ${path.join(ROOT, 'test/hostile/inject-fault.cjs')}`,
        XFS_FAULT_MS: '2500',
      });
      const r = await scan.done;
      if (process.env.XFS_HOSTILE_VERBOSE) console.log('last resort:', r.code, r.signal, r.stderr.slice(0, 400), r.stdout.slice(0, 200));
      expect(r.code).toBe(1);
      expect(looksLikeStackTrace(r.stderr), r.stderr.slice(0, 500)).toBe(false);
      const rep = JSON.parse(r.stdout) as Report;
      expect(rep.endpoints).toHaveLength(2);
      expect(rep.endpoints[1]!.findings.some((f) => f.status === 'error')).toBe(true);
    } finally {
      await Promise.all([quick.close(), silent.close()]);
    }
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------
// Out of file descriptors (EMFILE): a local problem, never a network verdict.

describe('local resource exhaustion', () => {
  let ports: number[] = [];
  let servers: { port: number; close(): Promise<void> }[] = [];
  let result: CliResult;
  let rep: Report;

  beforeAll(async () => {
    servers = await Promise.all(Array.from({ length: 12 }, (_, i) => startScriptedFtp({ name: `fd-${i}`, tls: false })));
    ports = servers.map((s) => s.port);
    // A limit a little above what Node itself needs: the scan's own sockets run out.
    const started = performance.now();
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const cmd = `ulimit -n 22 && exec "${process.execPath}" "${BIN}" scan ${ports.map((p) => `${LOOPBACK}:${p}`).join(' ')} --timeout ${TIMEOUT_MS} --concurrency 12 --format json`;
      const child = spawn('bash', ['-c', cmd], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    result = { ...out, ms: Math.round(performance.now() - started) };
    rep = parseReport(result, 'EMFILE scan');
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('names EMFILE as a local resource problem with the fix, never as ICMP or a firewall fact', () => {
    expect([0, 1, 2, 3]).toContain(result.code);
    expect(looksLikeStackTrace(result.stderr)).toBe(false);
    expect(rep.endpoints).toHaveLength(ports.length);
    const hit = rep.endpoints.filter((e) => JSON.stringify(e).includes('EMFILE'));
    expect(hit.length, 'the limit did not bite: nothing was tested').toBeGreaterThan(0);
    for (const e of hit) {
      const text = JSON.stringify(e);
      expect(text).toMatch(/local resource exhausted \(EMFILE/);
      expect(text).toMatch(/ulimit -n/);
      // no passive port, data channel or sample was recorded as unreachable because of it
      for (const s of e.ftp?.passiveSamples ?? []) expect(s.reachable).not.toBe('unreachable');
      for (const d of e.ftp?.dataChannels ?? []) expect(d.error ?? '').not.toMatch(/EMFILE/);
    }
  });

  // src/scan.ts backs off: once this machine ran out of descriptors, endpoints are scanned again
  // one at a time (LocalPressure); one that never gets through is "not scanned" with the fix
  it('backs off instead: every endpoint is scanned, none is reported unreachable', () => {
    for (const e of rep.endpoints) {
      expect(e.state).toBe('open');
      expect(e.service).toBe('ftp');
    }
  });
});
