// Runs the built CLI like test/helpers/cli.ts's runCli, and also measures the scanner's peak
// resident set size: with GNU time (`/usr/bin/time -v -o FILE`, which keeps the scanner's own
// stderr clean) when installed, else by polling /proc/<pid>/status VmHWM (the kernel's own
// high-water mark, so polling late still sees the peak) until the process exits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, type CliResult } from '../helpers/cli.js';

export interface MeasuredResult extends CliResult {
  /** peak RSS in KiB, or null when it could not be measured */
  peakRssKb: number | null;
  /** how it was measured */
  rssMethod: 'gnu-time' | 'proc-vmhwm' | 'none';
}

const GNU_TIME = '/usr/bin/time';

function hasGnuTime(): boolean {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readVmHwm(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function runCliMeasured(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; method?: 'auto' | 'proc' } = {},
): Promise<MeasuredResult> {
  const useTime = (opts.method ?? 'auto') === 'auto' && hasGnuTime();
  const timeFile = path.join(os.tmpdir(), `xferscan-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const [cmd, argv] = useTime ? [GNU_TIME, ['-v', '-o', timeFile, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let hwm: number | null = null;
    const poll = useTime
      ? null
      : setInterval(() => {
          const v = child.pid ? readVmHwm(child.pid) : null;
          if (v !== null) hwm = Math.max(hwm ?? 0, v);
        }, 25);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let peakRssKb: number | null = hwm;
      let rssMethod: MeasuredResult['rssMethod'] = hwm !== null ? 'proc-vmhwm' : 'none';
      if (useTime) {
        try {
          const text = fs.readFileSync(timeFile, 'utf8');
          const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text);
          if (m) {
            peakRssKb = Number(m[1]);
            rssMethod = 'gnu-time';
          }
          // GNU time reports the child's exit status as its own; a signal shows up in the file.
          fs.rmSync(timeFile, { force: true });
        } catch {
          // no measurement
        }
      }
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started), peakRssKb, rssMethod });
    });
  });
}
