// What a person sees in a real terminal (tmux, Debian's): `xferscan scan` of the lab's weakest
// FTPS endpoint (proftpd-tls, with its user) at 60, 80 and 120 columns by 40 rows. The verdict
// line and every fail/warn finding must be on the first screen of 40 rows, and no line may be
// wider than the terminal. The truth of which findings exist comes from the JSON report of the
// same scan (same scan twice → same verdicts); pipes: `| head -1` keeps the scan's exit code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, looksLikeStackTrace, scanJson } from '../helpers/cli.js';
import { labEndpoint } from '../lab/endpoints.js';
import { cellWidth } from '../../reports/text.js';

const TMUX = '/usr/bin/tmux';
const labOff = process.env.XFERSCAN_LAB === 'off';

describe.skipIf(labOff || !fs.existsSync(TMUX))('terminal output in tmux', () => {
  const ep = labOff ? null : labEndpoint('proftpd-tls');
  const target = ep ? `${ep.host}:${ep.port}` : '';
  const args = ep ? ['scan', target, '--user', ep.user!, '--password-file', ep.passwordFile!, '--profile', 'pci-dss-4.0.1'] : [];

  let actionable: string[] = [];
  beforeAll(async () => {
    const { report } = await scanJson(args.slice(1));
    actionable = [...new Set(report.endpoints[0].findings.filter((f) => f.status === 'fail' || f.status === 'warn').map((f) => f.id))];
  }, 120_000);

  it.each([[60], [80], [120]])(
    '%i columns: verdict and every fail/warn finding in the first 40 rows, nothing wider',
    async (cols) => {
      expect(actionable.length).toBeGreaterThan(8);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-tmux-'));
      const session = `xfs-term-${process.pid}-${cols}`;
      const done = path.join(dir, 'done');
      const cmd = `cd ${ROOT} && ${process.execPath} ${BIN} ${args.map((a) => `'${a}'`).join(' ')}; echo $? > ${done}; sleep 600`;
      const tmux = (...a: string[]) => spawnSync(TMUX, ['-L', session, ...a], { encoding: 'utf8' });
      try {
        tmux('new-session', '-d', '-s', session, '-x', String(cols), '-y', '40', 'bash', '-c', cmd);
        tmux('set-option', '-t', session, 'history-limit', '10000');
        for (let i = 0; i < 120 && !fs.existsSync(done); i++) await new Promise((r) => setTimeout(r, 500));
        expect(fs.readFileSync(done, 'utf8').trim()).toBe('3');
        const screen = tmux('capture-pane', '-p', '-t', session, '-S', '-', '-E', '-').stdout.replace(/\n+$/, '');
        const lines = screen.split('\n');
        for (const l of lines) expect(cellWidth(l), l).toBeLessThanOrEqual(cols);
        const first = lines.slice(0, 40).join('\n');
        expect(lines[0]).toMatch(new RegExp(`^FAIL +${target.replace(/\./g, '\\.')} `));
        for (const id of actionable) expect(first, `${id} at ${cols} columns`).toContain(id);
        expect(screen).toMatch(/How to fix/);
        expect(screen).toMatch(/Failing checks: /);
        expect(looksLikeStackTrace(screen)).toBe(false);
      } finally {
        tmux('kill-server');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('`| head -1` ends quietly with the scan exit code', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${process.execPath} ${BIN} ${args.map((a) => `'${a}'`).join(' ')} --format table | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/exit=3\s*$/);
    expect(looksLikeStackTrace(r.stderr)).toBe(false);
  }, 120_000);
});
