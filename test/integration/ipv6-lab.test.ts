// IPv6: the lab's [::1] servers (ssh-extra sshd-ipv6, ftp-extra vsftpd-ipv6 and pyftpd-ipv6) are
// scanned with the right service and facts, EPSV/EPRT really carry listings over IPv6 and PASV is
// reported unusable there (not a firewall failure); a dual-stack name (lab module ipv6: one server
// on 127.0.0.1 and ::1, the name pinned with --resolve) is tried on both families and the report
// names the family used; -4/-6 choose. Oracles: ssh-keyscan -6, openssl s_client -connect [::1],
// curl -6 (EPSV and, with -P, EPRT).
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDir, labEndpoint, loadLabEndpoints } from '../lab/endpoints.js';
import { scanJson } from '../helpers/cli.js';
import type { EndpointReport } from '../../src/model.js';

const run = promisify(execFile);
const MODULE = path.join(labDir(), 'servers/ipv6.sh');
const V6 = ['sshd-ipv6', 'vsftpd-ipv6', 'pyftpd-ipv6'];

const labUp = (() => {
  try {
    return process.env.XFERSCAN_LAB !== 'off' && V6.every((n) => loadLabEndpoints().some((e) => e.name === n));
  } catch {
    return false;
  }
})();

let started = false;
let password = '';
beforeAll(() => {
  if (!labUp) return;
  const out = execFileSync('bash', [MODULE, 'start'], { encoding: 'utf8', timeout: 60_000 });
  started = out.includes('LAB_MODULE_STARTED=ipv6');
  password = fs.readFileSync(labEndpoint('vsftpd-ipv6').passwordFile!, 'utf8').trim();
}, 90_000);
afterAll(() => {
  if (started) execFileSync('bash', [MODULE, 'stop'], { stdio: 'pipe', timeout: 60_000 });
});

const env = () => ({ XFS_PW: password });
const login = ['--user', 'xfsuser', '--password-env', 'XFS_PW'];
const verdict = (ep: EndpointReport, id: string) => ep.findings.find((f) => f.id === id);
const okModes = (ep: EndpointReport) => [...new Set(ep.ftp!.dataChannels.filter((c) => c.ok).map((c) => c.mode))].sort();

describe.skipIf(!labUp)('IPv6 lab endpoints', () => {
  it('sshd on [::1]: SFTP, the host keys ssh-keyscan -6 sees', async () => {
    const { report } = await scanJson(['sftp://[::1]:22130']);
    const ep = report.endpoints[0]!;
    expect([ep.address, ep.family, ep.service]).toEqual(['::1', 'ipv6', 'sftp']);
    const { stdout } = await run('bash', ['-c', 'ssh-keyscan -6 -p 22130 ::1 2>/dev/null | ssh-keygen -lf -'], { timeout: 30_000 });
    const oracle = stdout.match(/SHA256:\S+/g)!.sort();
    expect(oracle.length).toBeGreaterThan(0);
    expect(ep.ssh!.hostKeys.map((k) => k.fingerprintSha256).sort()).toEqual(oracle);
  });

  it('vsftpd on [::1]: explicit FTPS, the certificate openssl s_client sees; EPSV and EPRT over IPv6; PASV unusable, said so', async () => {
    const { report } = await scanJson(['ftpes://[::1]:23027', ...login, '--active'], { env: env(), timeoutMs: 300_000 });
    const ep = report.endpoints[0]!;
    expect([ep.address, ep.family, ep.service]).toEqual(['::1', 'ipv6', 'ftps-explicit']);
    const pem = execFileSync('bash', ['-c', 'echo | timeout 10 openssl s_client -connect "[::1]:23027" -starttls ftp 2>/dev/null'], {
      encoding: 'utf8',
    });
    const fp = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' });
    expect(fp.trim().split('=')[1]).toBe(ep.tls!.certificate!.fingerprintSha256);
    expect(okModes(ep)).toEqual(expect.arrayContaining(['EPRT', 'EPSV']));
    expect(ep.ftp!.dataChannels.some((c) => c.mode === 'PORT')).toBe(false);
    expect(verdict(ep, 'FTP-DATA-PASSIVE')!.status).toBe('pass');
    expect(verdict(ep, 'FTP-DATA-ACTIVE')!.status).toBe('pass');
    expect(verdict(ep, 'FTP-PASV-ADDRESS')).toMatchObject({ status: 'info', detail: expect.stringMatching(/^PASV is unusable on IPv6/) });
    // lftp, the independent client (curl -6 -P fails on IPv6 active mode: inet_ntop errno 97)
    for (const passive of ['on', 'off']) {
      const script = `set net:max-retries 1; set net:timeout 10; set ftp:passive-mode ${passive}; set ssl:verify-certificate no; set ftp:ssl-force yes; set ftp:ssl-protect-data yes; debug 9; open --env-password -u xfsuser ftp://[::1]:23027; ls`;
      const { stdout, stderr } = await run('lftp', ['-c', script], { timeout: 60_000, env: { ...process.env, LFTP_PASSWORD: password } });
      expect(stdout, `passive-mode ${passive}`).toMatch(/readme\.txt/);
      expect(stderr).toMatch(passive === 'on' ? /---> EPSV/ : /---> EPRT \|2\|/);
    }
  }, 300_000);

  it('pyftpdlib on [::1]: its PASV reply names ::1 and cannot be parsed; FTP-DATA-PASSIVE passes on EPSV, no firewall failure', async () => {
    const { report } = await scanJson(['ftp://[::1]:23026', ...login, '--active', '--allow-cleartext-login'], { env: env() });
    const ep = report.endpoints[0]!;
    expect([ep.family, ep.service]).toEqual(['ipv6', 'ftp']);
    expect(okModes(ep)).toEqual(['EPRT', 'EPSV']);
    const pasv = ep.ftp!.dataChannels.find((c) => c.mode === 'PASV')!;
    expect(pasv).toMatchObject({ ok: false, failedStep: 'setup' });
    expect(verdict(ep, 'FTP-DATA-PASSIVE')).toMatchObject({ status: 'pass', detail: expect.stringContaining('PASV is unusable on IPv6') });
    expect(verdict(ep, 'NET-PASV-FILTERED')!.status).not.toBe('fail');
    expect(JSON.stringify(report.firewall ?? {})).not.toMatch(/PASV.*(drop|filtered)/i);
  });
});

describe.skipIf(!labUp)('a dual-stack name, -4 and -6 (lab module ipv6)', () => {
  const pin = (order: string) => ['--resolve', `dual.test=${order}`];

  it('tried on both families in the resolver order; the report names the family used', async () => {
    const { report } = await scanJson(['sftp://dual.test:27022', ...pin('::1,127.0.0.1')]);
    const ep = report.endpoints[0]!;
    expect([ep.address, ep.family, ep.service]).toEqual(['::1', 'ipv6', 'sftp']);
    expect(ep.addressesTried!.map((t) => [t.address, t.family, t.state])).toEqual([
      ['::1', 'ipv6', 'open'],
      ['127.0.0.1', 'ipv4', 'open'],
    ]);
    expect(report.vantage).toMatchObject({ proxy: null, family: null, resolve: { 'dual.test': ['::1', '127.0.0.1'] } });
  });

  it('an address that refuses is passed over for the next family, and the report says what each did', async () => {
    // sshd-ipv6 listens on [::1]:22130 only
    const { report } = await scanJson(['dual.test:22130', ...pin('127.0.0.1,::1')]);
    const ep = report.endpoints[0]!;
    expect([ep.address, ep.family, ep.service]).toEqual(['::1', 'ipv6', 'sftp']);
    expect(ep.addressesTried!.map((t) => t.state)).toEqual(['closed', 'open']);
    const only4 = (await scanJson(['dual.test:22130', ...pin('127.0.0.1,::1'), '-4'])).report.endpoints[0]!;
    expect([only4.address, only4.family, only4.state, only4.addressesTried]).toEqual(['127.0.0.1', 'ipv4', 'closed', undefined]);
  });

  it('-4 and -6 scan the same vsftpd configuration on each family: the same verdicts but for PASV, PORT and bounce', async () => {
    const scanFamily = async (flag: string) =>
      (await scanJson(['ftpes://dual.test:27021', ...pin('127.0.0.1,::1'), flag, ...login, '--active'], { env: env(), timeoutMs: 300_000 }))
        .report;
    const [r4, r6] = [await scanFamily('-4'), await scanFamily('-6')];
    const [e4, e6] = [r4.endpoints[0]!, r6.endpoints[0]!];
    expect([e4.address, e4.family, r4.vantage?.family]).toEqual(['127.0.0.1', 'ipv4', 'ipv4']);
    expect([e6.address, e6.family, r6.vantage?.family]).toEqual(['::1', 'ipv6', 'ipv6']);
    const family = ['FTP-PASV-ADDRESS', 'FTP-BOUNCE'];
    const v = (e: EndpointReport) => Object.fromEntries(e.findings.filter((f) => !family.includes(f.id)).map((f) => [f.id, f.status]));
    expect(v(e6)).toEqual(v(e4));
    expect(verdict(e4, 'FTP-PASV-ADDRESS')!.status).toBe('pass');
    expect(verdict(e6, 'FTP-PASV-ADDRESS')!.status).toBe('info');
    expect(verdict(e6, 'FTP-BOUNCE')!.detail).toMatch(/needs an IPv4 control connection/);
  }, 300_000);
});
