// The CI examples in docs/ci run here as far as this machine allows: their xferscan command lines
// are taken from the files (parsed with the yaml package), pointed at the demo servers through a
// local inventory, and run; what they write is validated (SARIF against the official schema with
// physical locations on the inventory lines, JUnit against junit-10.xsd), and the Kubernetes
// Indexed Job is run for two shards (JOB_COMPLETION_INDEX 0 and 1) and merged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startDemoServers, type DemoServers } from '../../src/demo.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { junitXsdErrors, sarifErrors } from '../helpers/reports.js';
import type { Report } from '../../src/model.js';

const DOCS = path.join(ROOT, 'docs/ci');
let servers: DemoServers;
let dir: string;

const xferscan = (cmd: string) => cmd.replaceAll('npx --yes xferscan', `${process.execPath} ${BIN}`);
/** Runs a shell script asynchronously (the demo servers live in this process and must keep answering). */
function sh(cmd: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-ec', cmd], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  servers = await startDemoServers();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-ci-'));
  fs.mkdirSync(path.join(dir, 'inventory'));
  fs.writeFileSync(
    path.join(dir, 'inventory/partners.csv'),
    `host,port,service,Notes\n127.0.0.1,${servers.sftpPort},sftp,demo SFTP\n127.0.0.1,${servers.ftpsPort},ftps-explicit,demo FTPS\n`,
  );
}, 60_000);

afterAll(async () => {
  await servers?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('docs/ci examples', () => {
  it('GitHub Actions: the scan step writes SARIF valid for code scanning, located on the inventory lines', async () => {
    const wf = parse(fs.readFileSync(path.join(DOCS, 'github-actions.yml'), 'utf8'));
    const steps = wf.jobs.scan.steps as { run?: string; uses?: string; with?: Record<string, string> }[];
    const run = steps.find((s) => s.run?.includes('xferscan'))!.run!;
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(wf.permissions['security-events']).toBe('write');
    const r = await sh(xferscan(run));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/column\(s\) "Notes" ignored/);
    const sarif = JSON.parse(fs.readFileSync(path.join(dir, upload.with!.sarif_file), 'utf8'));
    expect(sarifErrors(sarif)).toBeNull();
    const results = sarif.runs[0].results as {
      locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    expect(results.length).toBeGreaterThan(0);
    for (const res of results) {
      expect(res.locations[0].physicalLocation?.artifactLocation.uri).toBe('inventory/partners.csv');
      expect([2, 3]).toContain(res.locations[0].physicalLocation?.region.startLine);
    }
  }, 120_000);

  it('GitLab: JUnit valid against junit-10.xsd, the job ends with the scan exit code', async () => {
    const ci = parse(fs.readFileSync(path.join(DOCS, 'gitlab-ci.yml'), 'utf8'));
    const script = (ci.xferscan.script as string[]).map(xferscan).join('\n');
    const r = await sh(script);
    const code = Number(fs.readFileSync(path.join(dir, 'xferscan.exit'), 'utf8'));
    expect(r.status).toBe(code);
    expect([2, 3]).toContain(code);
    const junit = fs.readFileSync(path.join(dir, ci.xferscan.artifacts.reports.junit), 'utf8');
    expect(junitXsdErrors(junit)).toBeNull();
    expect(junit).toMatch(/<failure /);
  }, 120_000);

  it('Kubernetes Indexed Job: two shards with --shard auto, then merge: every endpoint exactly once', async () => {
    const job = parse(fs.readFileSync(path.join(DOCS, 'kubernetes-indexed-job.yaml'), 'utf8'));
    expect(job.spec.completionMode).toBe('Indexed');
    const c = job.spec.template.spec.containers[0];
    expect(c.env.find((e: { name: string }) => e.name === 'JOB_COMPLETIONS').value).toBe(String(job.spec.completions));
    fs.mkdirSync(path.join(dir, 'reports'), { recursive: true });
    const cmd = xferscan(c.args[0] as string)
      .replaceAll('/inventory/', `${dir}/inventory/`)
      .replaceAll('/reports/', `${dir}/reports/`);
    for (const idx of [0, 1]) {
      const r = await sh(cmd, { JOB_COMPLETION_INDEX: String(idx), JOB_COMPLETIONS: '2' });
      expect(r.status, r.stderr).toBe(0);
    }
    const merge = await sh(
      xferscan(
        `npx --yes xferscan merge ${dir}/reports/shard-0.ndjson ${dir}/reports/shard-1.ndjson --format json -o ${dir}/reports/fleet.json`,
      ),
    );
    expect([0, 2, 3]).toContain(merge.status);
    const fleet = JSON.parse(fs.readFileSync(path.join(dir, 'reports/fleet.json'), 'utf8')) as Report;
    expect(fleet.endpoints.map((e) => e.port).sort()).toEqual([servers.sftpPort, servers.ftpsPort].sort());
    const shards = (fleet.options!.merged as { shard: string }[]).map((m) => m.shard).sort();
    expect(shards).toEqual(['1/2', '2/2']);
  }, 120_000);
});
