// keyboard-interactive: an OpenSSH that offers it (through PAM) instead of "password". The lab's
// sshd endpoints run without PAM, so this test starts its own on a free port with the lab's host
// key and accounts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPassword, labRunDir } from '../lab/endpoints.js';
import { scanJson } from '../helpers/cli.js';
import { freePort } from '../helpers/fixtures.js';

describe('SSH keyboard-interactive login (OpenSSH + PAM)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-kbdint-'));
  const password = labPassword('xfsuser');
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    const conf = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      conf,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `PidFile ${dir}/sshd.pid`,
        `HostKey ${path.join(labRunDir(), 'keys/ssh_host_ed25519_key')}`,
        'UsePAM yes',
        'KbdInteractiveAuthentication yes',
        'PasswordAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin no',
        'StrictModes no',
        'AllowUsers xfsuser',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    const r = spawnSync('/usr/sbin/sshd', ['-f', conf, '-E', path.join(dir, 'sshd.log')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sshd did not start: ${r.stderr}`);
    for (let i = 0; i < 50 && !fs.existsSync(path.join(dir, 'sshd.pid')); i++) await new Promise((res) => setTimeout(res, 100));
  }, 15_000);
  afterAll(() => {
    const pidFile = path.join(dir, 'sshd.pid');
    if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
  });

  it('lists keyboard-interactive, logs in with it, and opens the SFTP subsystem', async () => {
    const { report, result } = await scanJson([`127.0.0.1:${port}`, '--user', 'xfsuser', '--password-env', 'XFS_KBD_PW'], {
      env: { XFS_KBD_PW: password },
    });
    const ssh = report.endpoints[0]!.ssh!;
    expect(ssh.authMethods).toEqual(['publickey', 'keyboard-interactive']);
    expect(ssh.login).toMatchObject({ attempted: true, ok: true, method: 'keyboard-interactive' });
    expect(ssh.sftp).toMatchObject({ opened: true, version: 3 });
    expect(report.endpoints[0]!.transcript.some((l) => l.text.includes('method=keyboard-interactive'))).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(fs.readFileSync(path.join(dir, 'sshd.log'), 'utf8')).toMatch(/Accepted keyboard-interactive\/pam for xfsuser/);
  }, 30_000);

  it('a wrong password fails the keyboard-interactive login cleanly', async () => {
    const wrong = `wrong-${password}-x`;
    const { report, result } = await scanJson([`127.0.0.1:${port}`, '--user', 'xfsuser', '--password-env', 'XFS_KBD_PW'], {
      env: { XFS_KBD_PW: wrong },
    });
    const ssh = report.endpoints[0]!.ssh!;
    expect(ssh.login).toMatchObject({ attempted: true, ok: false, method: 'keyboard-interactive' });
    expect(ssh.sftp ?? null).toBeNull();
    expect(result.stdout + result.stderr).not.toContain(wrong);
  }, 60_000);
});
