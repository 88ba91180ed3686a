// The launcher runs the one-file bundle that `npm run build` makes, compiled with a per-user V8
// code cache (start-up ~60 ms over a bare node instead of ~200 ms). It must behave exactly as
// the unbundled build it is made from, with or without a cache, and with a broken one.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';

const BUNDLE = path.join(ROOT, 'dist/src/xferscan.cjs');

function runUnbundled(args: string[]) {
  const entry = path.join(ROOT, 'dist/src/cli.js');
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); await m.main(${JSON.stringify(args)});`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI', () => {
  it('is built, and has no dynamic import() (a code-cached script cannot run one on Node 20)', () => {
    expect(existsSync(BUNDLE)).toBe(true);
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/\bimport\(\s*["'`]/);
  });

  it.each([
    [['--help']],
    [['scan', '--help']],
    [['--version']],
    [['scan', '--bogus']],
    [['nonsense']],
    [['scan', 'ftp://a:b@host']],
    [['scan', '127.0.0.1:1', '--format', 'markdown', '--timeout', '500']],
  ])('%j: same output and exit code as the unbundled build, without and with a code cache', async (args) => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'xfs-cache-'));
    const plain = runUnbundled(args);
    const norm = (s: string) =>
      s
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')
        .replace(/\b\d+ ms\b/g, 'N ms')
        .replace(/\b\d+\.\d s\b/g, 'N s')
        .replace(/[0-9a-f]{64}/g, 'H');
    for (const round of ['cold', 'cached']) {
      const bundled = await runCli(args, { env: { XDG_CACHE_HOME: cache } });
      expect(norm(bundled.stdout), round).toBe(norm(plain.stdout));
      expect(bundled.stderr, round).toBe(plain.stderr);
      expect(bundled.code, round).toBe(plain.code);
    }
    expect(readdirSync(path.join(cache, 'xferscan')).filter((f) => f.endsWith('.v8cache'))).toHaveLength(1);
  });

  it('a corrupt cache is ignored and replaced', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'xfs-cache-'));
    await runCli(['--version'], { env: { XDG_CACHE_HOME: cache } });
    const dir = path.join(cache, 'xferscan');
    const [file] = readdirSync(dir);
    const good = statSync(path.join(dir, file!)).size;
    writeFileSync(path.join(dir, file!), Buffer.alloc(good, 7));
    const r = await runCli(['--version'], { env: { XDG_CACHE_HOME: cache, XFERSCAN_DEBUG: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^xferscan: code cache rejected/);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(path.join(dir, file!)).equals(Buffer.alloc(good, 7))).toBe(false);
    const again = await runCli(['--version'], { env: { XDG_CACHE_HOME: cache, XFERSCAN_DEBUG: '1' } });
    expect(again.stderr).toMatch(/^xferscan: code cache used/);
  });

  it('a cache that someone else could have written is not used (a code cache is code)', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'xfs-cache-'));
    await runCli(['--version'], { env: { XDG_CACHE_HOME: cache } });
    const dir = path.join(cache, 'xferscan');
    const [file] = readdirSync(dir);
    const before = readFileSync(path.join(dir, file!));
    chmodSync(dir, 0o777); // world-writable: anyone could have planted the file
    const r = await runCli(['--version'], { env: { XDG_CACHE_HOME: cache, XFERSCAN_DEBUG: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^xferscan: code cache untrusted/);
    // neither read nor rewritten there
    expect(readFileSync(path.join(dir, file!)).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual([file]);
  });

  it('an unwritable cache location only costs speed', async () => {
    const r = await runCli(['--version'], { env: { XDG_CACHE_HOME: '/proc/xferscan-no-such-dir' } });
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });
});
