// Runs the built CLI (dist/, as a user would after npm ci) and returns its exit code and output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Report } from '../../src/model.js';
import { expectValidReport } from './schema.js';

export const ROOT = path.join(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/xferscan.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; netns?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = performance.now();
  const [cmd, argv] = opts.netns
    ? ['ip', ['netns', 'exec', opts.netns, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv as string[], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/** Runs a JSON scan, validates the report against the schema and returns it. */
export async function scanJson(args: string[], opts: Parameters<typeof runCli>[1] = {}): Promise<{ report: Report; result: CliResult }> {
  const result = await runCli(['scan', ...args, '--format', 'json'], opts);
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.code}); stderr: ${result.stderr.slice(0, 500)}`);
  }
  expectValidReport(report);
  return { report, result };
}

/** No stack trace may ever reach a user. */
export function looksLikeStackTrace(text: string): boolean {
  return /^\s+at .+\(.*:\d+:\d+\)$/m.test(text) || /^\s+at .+:\d+:\d+$/m.test(text);
}
