// vitest globalSetup: bring the real-server lab up (idempotent) and take down at the
// end only what this run started, so a developer's already-running lab survives.
//   XFERSCAN_LAB=off        skip everything
//   XFERSCAN_LAB_NETNS=off  do not create the firewall namespace xfs-fw
// install.sh is not run here: `npm test`'s pretest does that.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));
const LAB_SH = path.join(LAB_DIR, 'lab.sh');
const NETNS_SH = path.join(LAB_DIR, 'netns.sh');

let startedEndpoints: string[] = [];
/** lab modules (test/lab/servers/NAME.sh) that this run started: each prints LAB_MODULE_STARTED=NAME */
let startedModules: string[] = [];
let createdNetns = false;

function log(msg: string): void {
  process.stderr.write(`[lab] ${msg}\n`);
}

async function sh(script: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run('bash', [script, ...args], { timeout: timeoutMs, maxBuffer: 8 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`bash ${path.basename(script)} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}

function netnsPresent(): boolean {
  return existsSync('/run/netns/xfs-fw');
}

export async function setup(): Promise<void> {
  if (process.env.XFERSCAN_LAB === 'off') {
    log('XFERSCAN_LAB=off: lab not started');
    return;
  }
  const t0 = Date.now();
  const out = await sh(LAB_SH, ['start']);
  const m = /^LAB_STARTED=(.*)$/m.exec(out);
  startedEndpoints = m?.[1] ? m[1].split(',').filter(Boolean) : [];
  startedModules = [...out.matchAll(/^LAB_MODULE_STARTED=(\S+)$/gm)].map((x) => x[1]!);
  log(startedEndpoints.length ? `started ${startedEndpoints.join(', ')} in ${Date.now() - t0} ms` : 'all endpoints were already running');

  if (process.env.XFERSCAN_LAB_NETNS !== 'off') {
    const existed = netnsPresent();
    try {
      await sh(NETNS_SH, ['create'], 30_000);
      createdNetns = !existed;
    } catch (err) {
      // not fatal: tests that need the namespace check netns.json / loadLabNetnsTargets()
      log(`firewall namespace unavailable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}

export async function teardown(): Promise<void> {
  if (process.env.XFERSCAN_LAB === 'off') return;
  if (createdNetns) {
    await sh(NETNS_SH, ['destroy'], 30_000).catch((e: Error) => log(e.message));
  }
  for (const module of startedModules) {
    await sh(path.join(LAB_DIR, 'servers', `${module}.sh`), ['stop']).catch((e: Error) => log(e.message));
    log(`stopped lab module ${module}`);
  }
  if (startedEndpoints.length > 0) {
    await sh(LAB_SH, ['stop', ...startedEndpoints]).catch((e: Error) => log(e.message));
    log(`stopped ${startedEndpoints.join(', ')}`);
  }
}
