// Smoke test of the ssh-extra lab module (test/lab/servers/ssh-extra.sh): every server greets
// with SSH-2.0, accepts the manifest's login and serves an `ls` to OpenSSH's sftp client — so a
// broken install or start is caught here and not as a puzzling differential result.
import { runOracle } from '../helpers/oracle.js';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadLabEndpoints, type LabEndpoint } from '../lab/endpoints.js';

function extra(): LabEndpoint[] {
  try {
    return loadLabEndpoints().filter((e) => e.module === 'ssh-extra');
  } catch {
    return [];
  }
}
const ENDPOINTS = extra();

function greeting(e: LabEndpoint): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: e.host, port: e.port });
    let buf = '';
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error(`${e.name}: no greeting`));
    });
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const line = buf.split('\n').find((l) => l.startsWith('SSH-'));
      if (line) {
        s.destroy();
        resolve(line.trim());
      }
    });
    s.on('error', reject);
  });
}

async function sftpLs(e: LabEndpoint): Promise<string> {
  const common = [
    '-F',
    '/dev/null',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'ConnectTimeout=10',
    '-o',
    `User=${e.user!}`,
    '-P',
    String(e.port),
  ];
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  const [cmd, args] = e.keyFile
    ? ['sftp', [...common, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-i', e.keyFile, '-b', '-', host]]
    : [
        'sshpass',
        [
          '-f',
          e.passwordFile!,
          'sftp',
          // before the '-oBatchMode yes' that sftp -b adds, so that sshpass can answer the prompt
          '-o',
          'BatchMode=no',
          '-o',
          'PubkeyAuthentication=no',
          ...common,
          '-b',
          '-',
          host,
        ],
      ];
  const r = await runOracle(cmd, args as string[], { input: 'pwd\nls -a\n' });
  if (r.code !== 0) throw new Error(`${cmd} exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

describe.skipIf(ENDPOINTS.length === 0)('lab module ssh-extra: every server takes a login and an sftp ls', () => {
  it('the manifest lists the ten endpoints on loopback ports 22100-22199', () => {
    expect(ENDPOINTS.map((e) => e.name).sort()).toEqual(
      [
        'dropbear',
        'dropbear-forcedcmd',
        'paramiko-abort',
        'paramiko-fakeexec',
        'paramiko-fwd-allow',
        'paramiko-fwd-policy',
        'paramiko-onechan',
        'proftpd-sftp',
        'sshd-ipv6',
        'tinysshd',
      ].sort(),
    );
    for (const e of ENDPOINTS) {
      expect(['127.0.0.1', '::1']).toContain(e.host);
      expect(e.port).toBeGreaterThanOrEqual(22100);
      expect(e.port).toBeLessThanOrEqual(22199);
      expect(e.user).toBeTruthy();
      expect(e.passwordFile ?? e.keyFile).toBeTruthy();
    }
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s: SSH greeting, login and sftp ls', async (_n, e) => {
    const want: Record<string, RegExp> = {
      dropbear: /^SSH-2\.0-dropbear_2022/,
      paramiko: /^SSH-2\.0-paramiko_/,
      tinysshd: /^SSH-2\.0-tinyssh_/,
      proftpd: /^SSH-2\.0-mod_sftp/,
      openssh: /^SSH-2\.0-OpenSSH_9\./,
    };
    expect(await greeting(e)).toMatch(want[e.software!]!);
    const out = await sftpLs(e);
    expect(out).toMatch(/Remote working directory: \//);
    expect(out).toMatch(/sftp> ls -a\n/);
    // every account's start directory has entries (xfsuser's home, the xfssftp chroot or /)
    expect(out.split('sftp> ls -a\n')[1]!.trim().length).toBeGreaterThan(0);
  });
});
