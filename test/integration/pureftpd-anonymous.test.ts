// Pure-FTPd delays a failed login by ~5 s, so xferscan settles "USER anonymous" → 331 without a
// password: Pure-FTPd logs anonymous users in at USER when anonymous FTP is on. Both halves of
// that rule are checked here on real Pure-FTPd: the lab's endpoint (-E, anonymous off) and one
// this test starts with anonymous on.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRunDir, loadLabEndpoints } from '../lab/endpoints.js';
import { scanJson } from '../helpers/cli.js';
import { freePort, waitListening } from '../helpers/fixtures.js';

const PREFIX = process.env.XFS_LAB_PREFIX ?? '/opt/xferscan-lab/root';
const PURE = path.join(PREFIX, 'usr/sbin/pure-ftpd');
const lab = loadLabEndpoints().find((e) => e.name === 'pureftpd-tls')!;

describe('Pure-FTPd anonymous login, settled at USER', () => {
  let server: ChildProcess | null = null;
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    const c = path.join(labRunDir(), 'certs');
    // anonymous on (no -E); TLS required on the control channel (-Y 2), like the lab endpoint
    server = spawn(
      PURE,
      ['-S', `127.0.0.1,${port}`, '-l', 'unix', '-Y', '2', '-2', `${c}/good.crt,${c}/good.key`, '-H', '-c', '10', '-C', '10'],
      { stdio: 'ignore' },
    );
    if (await waitListening(port)) return;
    throw new Error(`pure-ftpd did not start on ${port} (${PURE} exists: ${fs.existsSync(PURE)})`);
  }, 15_000);
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('anonymous on: Pure-FTPd logs "anonymous" in at USER (230, no PASS), and FTP-ANONYMOUS fails', async () => {
    const { report } = await scanJson([`127.0.0.1:${port}`]);
    const ep = report.endpoints[0]!;
    // the premise of the rule, on the real server
    expect(ep.ftp?.anonymous).toMatchObject({ tried: true, overTls: true, userCode: 230, passCode: null, accepted: true });
    expect(ep.ftp?.anonymous?.decidedBy).toBeUndefined();
    expect(ep.findings.find((f) => f.id === 'FTP-ANONYMOUS')?.status).toBe('fail');
  }, 30_000);

  it('xferscan: the lab endpoint (-E) → FTP-ANONYMOUS passes from the 331, and no password is sent', async () => {
    const { report } = await scanJson([`${lab.host}:${lab.port}`]);
    const ep = report.endpoints[0]!;
    const a = ep.ftp?.anonymous;
    expect(a).toMatchObject({ tried: true, userCode: 331, passCode: null, accepted: false });
    expect(a?.decidedBy).toMatch(/Pure-FTPd logs anonymous users in at USER/);
    const f = ep.findings.find((x) => x.id === 'FTP-ANONYMOUS')!;
    expect(f.status).toBe('pass');
    expect(f.evidence.map((e) => e.value)).toContain('< 331 User anonymous OK. Password required');
    expect(ep.transcript.filter((l) => l.conn === a?.conn && l.text.startsWith('PASS'))).toEqual([]);
  }, 30_000);
});
