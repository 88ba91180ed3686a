// Fleet scanning end to end: ~40 loopback endpoints on 127.0.x.y (explicit-FTPS greeters, SSH
// servers, closed and silent ports; the servers of bench/fleet.mjs) scanned by the built CLI from
// a CSV inventory with small --concurrency and --max-sockets; NDJSON streamed line by line; a
// silent endpoint does not hold up the others; shards merge back into one verified report.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import type { EndpointReport, Report } from '../../src/model.js';
// @ts-expect-error plain ESM module without type declarations
import { checkEndpoint, startFleetServers } from '../../bench/fleet.mjs';

interface FleetEndpoint {
  host: string;
  port: number;
  kind: string;
  expect: { state: unknown; service: unknown };
}

let fleet: { endpoints: FleetEndpoint[]; close(): Promise<void> };
let dir: string;
let csv: string;

beforeAll(async () => {
  fleet = await startFleetServers({ count: 40, silent: 2, base: 60 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-fleet-test-'));
  csv = path.join(dir, 'inventory.csv');
  fs.writeFileSync(csv, `# fleet test\nhost,port\n${fleet.endpoints.map((e) => `${e.host},${e.port}`).join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  await fleet?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI and records when each stdout chunk arrived. */
function runTimed(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; chunks: { at: number; text: string }[]; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: { at: number; text: string }[] = [];
    let stderr = '';
    child.stdout.on('data', (d) => chunks.push({ at: performance.now() - started, text: String(d) }));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: chunks.map((c) => c.text).join(''), stderr, chunks, ms: performance.now() - started });
    });
  });
}

describe('fleet scan', () => {
  it('scans every endpoint right with small concurrency and socket budget, streaming one NDJSON line each', async () => {
    const r = await runTimed([
      'scan',
      '--targets-file',
      csv,
      '--format',
      'ndjson',
      '--concurrency',
      '6',
      '--max-sockets',
      '12',
      '--connections',
      '2',
      '--timeout',
      '2000',
    ]);
    // nothing but progress heartbeats (one every ~10 s when stderr is not a terminal)
    expect(r.stderr.replace(/^xferscan: \[\d+\/\d+\] .*\n/gm, '')).toBe('');
    const lines = r.stdout.split('\n').filter(Boolean);
    // one line per endpoint, the cluster section (the fleet's SSH servers share one host key), the summary
    expect(lines).toHaveLength(fleet.endpoints.length + 2);
    const clusters = JSON.parse(lines[lines.length - 2]!) as { type: string; clusters: Report['clusters'] };
    expect(clusters.type).toBe('clusters');
    expect(clusters.clusters!.findings.map((f) => [f.id, f.status])).toEqual([['HOSTKEY-SHARED', 'warn']]);
    const parsed = lines.map(
      (l) =>
        JSON.parse(l) as {
          type: string;
          index: number;
          endpoint: EndpointReport;
          sockets?: { peak: number; max: number };
          endpoints?: number;
          integrity?: { digest: string };
        },
    );
    const eps = parsed.filter((p) => p.type === 'endpoint');
    const summary = parsed[parsed.length - 1];
    expect(summary.type).toBe('summary');
    expect(summary.endpoints).toBe(fleet.endpoints.length);
    expect(summary.sockets!.max).toBe(12);
    expect(summary.sockets!.peak).toBeLessThanOrEqual(12);
    expect(summary.sockets!.peak).toBeGreaterThan(1);
    // each input position exactly once, and each endpoint reported as what it is
    expect(eps.map((e) => e.index).sort((a, b) => a - b)).toEqual(fleet.endpoints.map((_, i) => i));
    const byKey = new Map(eps.map((e) => [`${e.endpoint.host}:${e.endpoint.port}`, e.endpoint]));
    const problems = fleet.endpoints.map((e) => checkEndpoint(e, byKey.get(`${e.host}:${e.port}`))).filter(Boolean);
    expect(problems).toEqual([]);
    // streamed: the first endpoint line arrived well before the scan ended
    const firstLineAt = r.chunks.find((c) => c.text.includes('"type":"endpoint"'))!.at;
    expect(firstLineAt).toBeLessThan(r.ms - 1000);
    // a silent endpoint takes seconds, yet the others were not held up behind it
    const silentIdx = fleet.endpoints.findIndex((e) => e.kind === 'silent');
    const order = eps.map((e) => e.index);
    expect(order.indexOf(silentIdx)).toBeGreaterThan(silentIdx);
    expect(r.ms).toBeLessThan(60_000);
    expect(r.code).toBe(3); // the greeters are judged (self-signed certificates …)
  }, 120_000);

  it('an endpoint past --endpoint-timeout is cut off and reported; the others are not stalled', async () => {
    const silent = fleet.endpoints.filter((e) => e.kind === 'silent');
    const fast = fleet.endpoints.filter((e) => e.kind === 'closed').slice(0, 3);
    const targets = [...silent, ...fast].map((e) => `${e.host}:${e.port}`);
    const started = performance.now();
    const r = await runCli([
      'scan',
      ...targets,
      '--format',
      'json',
      '--timeout',
      '8000',
      '--endpoint-timeout',
      '1500',
      '--concurrency',
      '2',
    ]);
    const ms = performance.now() - started;
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    expect(report.endpoints).toHaveLength(targets.length);
    for (const ep of report.endpoints.slice(0, silent.length)) {
      expect(ep.findings.some((f) => f.id === 'PROBE-ERROR' && /deadline/.test(f.detail))).toBe(true);
      expect(ep.state).toBe('timeout');
    }
    for (const ep of report.endpoints.slice(silent.length)) expect(ep.state).toBe('closed');
    // 8 s timeouts would have taken far longer without the deadline
    expect(ms).toBeLessThan(8000);
  }, 60_000);

  it('--shard splits the inventory; merge puts the shards back together with a valid digest', async () => {
    const files: string[] = [];
    const sizes: number[] = [];
    for (const s of ['1/3', '2/3', '3/3']) {
      const out = path.join(dir, `shard-${s[0]}.${s === '3/3' ? 'ndjson' : 'json'}`);
      const r = await runCli([
        'scan',
        '--targets-file',
        csv,
        '--shard',
        s,
        '--format',
        s === '3/3' ? 'ndjson' : 'json',
        '-o',
        out,
        '--concurrency',
        '8',
        '--timeout',
        '1500',
      ]);
      expect([1, 3]).toContain(r.code);
      files.push(out);
      sizes.push(
        s === '3/3'
          ? fs
              .readFileSync(out, 'utf8')
              .trim()
              .split('\n')
              .filter((l) => l.includes('"type":"endpoint"')).length
          : (JSON.parse(fs.readFileSync(out, 'utf8')) as Report).endpoints.length,
      );
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(fleet.endpoints.length);
    const merged = path.join(dir, 'merged.json');
    const m = await runCli(['merge', ...files, '--format', 'json', '-o', merged]);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(3);
    const report = JSON.parse(fs.readFileSync(merged, 'utf8')) as Report;
    expectValidReport(report);
    expect(new Set(report.endpoints.map((e) => `${e.host}:${e.port}`)).size).toBe(fleet.endpoints.length);
    expect(report.compliance?.endpoints).toHaveLength(fleet.endpoints.length);
    const v = await runCli(['verify', merged]);
    expect(v.code).toBe(0);
    // merging a shard with itself de-duplicates
    const again = await runCli(['merge', files[0], files[0], '--format', 'json']);
    expect((JSON.parse(again.stdout) as Report).endpoints).toHaveLength(sizes[0]);
    expect(again.stderr).toMatch(/appeared in more than one input/);
  }, 180_000);

  it('bad inventories fail with one FILE:LINE line and exit 1', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, '- host: 127.0.0.1\n  port: 21\n- host: 127.0.0.2\n  password: hunter2\n');
    const r = await runCli(['scan', '--targets-file', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `xferscan: ${bad}:3: a literal password ("password") is refused: put it in an environment variable and name that with passwordEnv`,
    );
    const unset = path.join(dir, 'unset.csv');
    fs.writeFileSync(unset, 'host,port,user,passwordEnv\n127.0.0.1,21,u,XFERSCAN_SURELY_UNSET\n');
    const u = await runCli(['scan', '--targets-file', unset]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/unset\.csv:2: passwordEnv XFERSCAN_SURELY_UNSET for 127\.0\.0\.1: that environment variable is not set/);
  });
});
