// Output paths, colour and bad local input through the CLI: -o is checked before any scan, colour
// only when asked or on a terminal (never under NO_COLOR), --quiet prints verdict lines only, a
// device as an inventory fails in one line, and merge never opens a path a report names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeStackTrace, runCli } from './../helpers/cli.js';
import { FIXTURE, loadFixture } from '../helpers/reports.js';
import { useColor } from '../../src/output.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-out-'));

describe('output paths are checked before the scan', () => {
  it.each([
    [
      ['scan', '127.0.0.1:1', '-o', '/nonexistent-dir/r.json'],
      /--output \/nonexistent-dir\/r\.json: the directory \/nonexistent-dir does not exist/,
    ],
    [['scan', '127.0.0.1:1', '-o', tmp], /is a directory/],
    [['report', FIXTURE, '-o', '/nonexistent-dir/r.html', '--format', 'html'], /does not exist/],
    [['merge', FIXTURE, '-o', '/nonexistent-dir/m.json'], /does not exist/],
  ])('%j', async (args, msg) => {
    const r = await runCli(args as string[], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.ms).toBeLessThan(15_000);
    expect(looksLikeStackTrace(r.stderr)).toBe(false);
  });
});

describe('colour', () => {
  it('only on a terminal, never under NO_COLOR, always when --color says so', () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(useColor(undefined, 'table', false, { isTTY: true })).toBe(true);
      expect(useColor(undefined, 'table', false, { isTTY: false })).toBe(false);
      expect(useColor(undefined, 'table', true, { isTTY: true })).toBe(false);
      expect(useColor(undefined, 'json', false, { isTTY: true })).toBe(false);
      process.env.NO_COLOR = '1';
      expect(useColor(undefined, 'table', false, { isTTY: true })).toBe(false);
      expect(useColor(true, 'table', false, { isTTY: false })).toBe(true);
      expect(useColor(false, 'table', false, { isTTY: true })).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });

  it('report --format table: --color paints, --no-color and NO_COLOR do not', async () => {
    const painted = await runCli(['report', FIXTURE, '--format', 'table', '--color']);
    expect(painted.stdout).toMatch(/\x1b\[31;1mFAIL/);
    expect((await runCli(['report', FIXTURE, '--format', 'table', '--no-color'])).stdout).not.toMatch(/\x1b\[/);
    expect((await runCli(['report', FIXTURE, '--format', 'table'], { env: { NO_COLOR: '1' } })).stdout).not.toMatch(/\x1b\[/);
  });
});

describe('display options', () => {
  it('--quiet: one verdict line per endpoint; --all lists passes; --level fail hides warnings', async () => {
    const report = loadFixture();
    const q = await runCli(['report', FIXTURE, '--format', 'table', '--quiet']);
    expect(q.code).toBe(0);
    const lines = q.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^(FAIL|WARN|PASS|ERROR|CLOSED|FILTERED|TIMEOUT|UNREACHABLE) /.test(l))).toHaveLength(
      report.endpoints.length,
    );
    const all = await runCli(['report', FIXTURE, '--format', 'table', '--all']);
    expect(all.stdout).toMatch(/ pass /);
    const failOnly = await runCli(['report', FIXTURE, '--format', 'table', '--level', 'fail']);
    expect(failOnly.stdout).not.toMatch(/^ {2}WARN /m);
  });
});

describe('bad local input (issue 14)', () => {
  it('--targets-file /dev/zero fails in one line, fast', async () => {
    const r = await runCli(['scan', '--targets-file', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('xferscan: --targets-file /dev/zero: contains NUL bytes: not a text file');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a deeply nested YAML policy is a one-line error', async () => {
    const f = path.join(tmp, 'deep.yaml');
    fs.writeFileSync(f, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const r = await runCli(['scan', '127.0.0.1:1', '--policy', f]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/Maximum call stack|internal error/);
  });

  it('merge never opens a path a report names as its profile', async () => {
    const secret = path.join(tmp, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-CONTENT');
    for (const profile of ['/dev/zero', secret]) {
      const r = loadFixture();
      r.profile = profile;
      r.options = { ...r.options, profileSource: profile };
      const f = path.join(tmp, `p-${path.basename(profile)}.json`);
      fs.writeFileSync(f, JSON.stringify(r));
      const m = await runCli(['merge', f, '--format', 'json'], { timeoutMs: 20_000 });
      expect(m.code).toBe(1);
      expect(m.stderr).toMatch(/not built in; give its file with --profile FILE/);
      expect(m.stdout + m.stderr).not.toContain('TOP-SECRET-CONTENT');
      expect(m.ms).toBeLessThan(15_000);
    }
  });
});
