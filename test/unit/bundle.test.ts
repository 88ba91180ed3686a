// The launcher runs the one-file bundle that `npm run build` makes (it starts ~100 ms faster);
// it must behave exactly as the unbundled build it is made from.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';

function runUnbundled(args: string[]) {
  const entry = path.join(ROOT, 'dist/src/cli.js');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); await m.main(${JSON.stringify(args)});`], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI', () => {
  it('is built and is what bin/xferscan.js loads', () => {
    expect(existsSync(path.join(ROOT, 'dist/src/xferscan.mjs'))).toBe(true);
  });

  it.each([[['--help']], [['scan', '--help']], [['--version']], [['scan', '--bogus']], [['nonsense']], [['scan', 'ftp://a:b@host']]])('%j: same output and exit code as the unbundled build', async (args) => {
    const bundled = await runCli(args);
    const plain = runUnbundled(args);
    expect(bundled.stdout).toBe(plain.stdout);
    expect(bundled.stderr).toBe(plain.stderr);
    expect(bundled.code).toBe(plain.code);
  });
});
