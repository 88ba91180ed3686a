#!/usr/bin/env node
// Launcher. `npm ci` (prepare) compiles the CLI to dist/ and bundles it into one CommonJS file,
// which this compiles with a V8 code cache kept per user: together they take start-up from ~200 ms
// to ~60 ms over a bare `node`. Without the bundle (e.g. after a bare `tsc`) it runs dist/ as is.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/src/xferscan.cjs', import.meta.url));

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : null);
  return base && path.isAbsolute(base) ? path.join(base, 'xferscan') : null;
}

/**
 * A code cache is code: use one only from a directory and file that are ours and that nobody else
 * can write (XDG_CACHE_HOME could point somewhere shared), and never through a symlink.
 */
function ownedByUs(p) {
  try {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
    return (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function loadBundle() {
  let source;
  try {
    source = fs.readFileSync(bundle, 'utf8');
  } catch {
    return null;
  }
  // V8 checks a cache against the source's length, not its content: name it by content.
  const dir = process.env.XFERSCAN_NO_CODE_CACHE ? null : cacheDir();
  const id = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cacheFile = dir && path.join(dir, `xferscan-${id}-${process.version}-${process.arch}.v8cache`);
  let cachedData;
  let state = cacheFile ? 'none' : 'off';
  if (cacheFile && fs.existsSync(cacheFile)) {
    if (ownedByUs(dir) && ownedByUs(cacheFile)) {
      try {
        cachedData = fs.readFileSync(cacheFile);
      } catch {
        // unreadable: compile without it
      }
    } else state = 'untrusted';
  }
  // The bundle loads what it needs lazily with require(): a script compiled from a code cache
  // loses its import() callback in Node 20.
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData) state = script.cachedDataRejected ? 'rejected' : 'used';
  if (process.env.XFERSCAN_DEBUG) process.stderr.write(`xferscan: code cache ${state}${cacheFile ? ` (${cacheFile})` : ''}\n`);
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit, so the cache also holds what this run compiled; a cache that cannot be written
    // (read-only home, odd permissions) only costs the next run its head start.
    process.once('exit', () => {
      try {
        // Not { recursive: true }: on Node 20 it loops forever under some paths (e.g. /proc).
        for (const d of [path.dirname(dir), dir]) {
          try {
            fs.mkdirSync(d, { mode: 0o700 });
          } catch (err) {
            if (err.code !== 'EEXIST') throw err;
          }
        }
        if (!ownedByUs(dir)) return;
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
        for (const f of fs.readdirSync(dir)) {
          if (f.startsWith('xferscan-') && f.endsWith('.v8cache') && path.join(dir, f) !== cacheFile)
            fs.rmSync(path.join(dir, f), { force: true });
        }
      } catch {
        // best effort
      }
    });
  }
  return mod.exports;
}

function fail(err) {
  process.stderr.write(`xferscan: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 1;
}

let cli = null;
try {
  cli = loadBundle();
} catch (err) {
  fail(err);
}
if (cli) cli.main(process.argv.slice(2)).catch(fail);
else if (process.exitCode !== 1) import('../dist/src/cli.js').then((m) => m.main(process.argv.slice(2))).catch(fail);
