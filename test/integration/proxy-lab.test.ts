// Scans through real proxies on loopback (lab module test/lab/servers/proxy.sh: Dante for SOCKS5,
// tinyproxy for HTTP CONNECT) give the same verdicts as direct scans, except active mode and FTP
// bounce, which a proxy cannot carry and the report says so. curl through the same proxies is the
// independent check that each proxy really reaches each server.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDir, labEndpoint, labRunDir, labTarget, loadLabEndpoints } from '../lab/endpoints.js';
import { scanJson } from '../helpers/cli.js';
import type { EndpointReport, Report } from '../../src/model.js';

const run = promisify(execFile);
const MODULE = path.join(labDir(), 'servers/proxy.sh');
const NAMES = ['sshd-modern', 'vsftpd-explicit', 'vsftpd-implicit'];
const SCHEMES: Record<string, string> = { 'sshd-modern': 'sftp', 'vsftpd-explicit': 'ftpes', 'vsftpd-implicit': 'ftps' };
/** what a proxy cannot carry: the server would have to connect to us */
const NEEDS_CONNECT_BACK = ['FTP-DATA-ACTIVE', 'FTP-BOUNCE'];

const labUp = (() => {
  try {
    return process.env.XFERSCAN_LAB !== 'off' && NAMES.every((n) => loadLabEndpoints().some((e) => e.name === n));
  } catch {
    return false;
  }
})();

let started = false;
let password = '';
const PROXIES = { socks5: 'socks5://127.0.0.1:27180', http: 'http://127.0.0.1:27182' };

beforeAll(() => {
  if (!labUp) return;
  execFileSync('bash', [MODULE, 'install'], { stdio: 'pipe', timeout: 300_000 });
  const out = execFileSync('bash', [MODULE, 'start'], { encoding: 'utf8', timeout: 60_000 });
  started = out.includes('LAB_MODULE_STARTED=proxy');
  password = fs.readFileSync(labEndpoint('vsftpd-explicit').passwordFile!, 'utf8').trim();
}, 320_000);

afterAll(() => {
  if (started) execFileSync('bash', [MODULE, 'stop'], { stdio: 'pipe', timeout: 60_000 });
});

const targets = () => NAMES.map((n) => `${SCHEMES[n]}://${labTarget(labEndpoint(n))}`);
const verdicts = (ep: EndpointReport) => Object.fromEntries(ep.findings.map((f) => [f.id, f.status]));
const without = (v: Record<string, string>, ids: string[]) => Object.fromEntries(Object.entries(v).filter(([k]) => !ids.includes(k)));

async function scanAll(extra: string[], env: NodeJS.ProcessEnv = {}): Promise<{ report: Report; text: string }> {
  const { report, result } = await scanJson([...targets(), '--user', 'xfsuser', '--password-env', 'XFS_PW', '--active', ...extra], {
    env: { XFS_PW: password, ...env },
    timeoutMs: 300_000,
  });
  return { report, text: result.stdout + result.stderr };
}

describe.skipIf(!labUp)('scans through a proxy (lab module proxy)', () => {
  let direct: Report;
  beforeAll(async () => {
    direct = (await scanAll([])).report;
  }, 300_000);

  it('curl reaches the FTPS servers through each proxy (the independent check)', async () => {
    for (const proxy of [PROXIES.socks5.replace('socks5:', 'socks5h:'), PROXIES.http]) {
      const { stdout } = await run(
        'curl',
        [
          '-sS',
          '--proxy',
          proxy,
          '--proxytunnel',
          '--ssl-reqd',
          '-k',
          '-u',
          `xfsuser:${password}`,
          `ftp://${labTarget(labEndpoint('vsftpd-explicit'))}/`,
        ],
        { timeout: 30_000 },
      );
      expect(stdout, proxy).toMatch(/readme\.txt/);
    }
  });

  for (const [kind, proxy] of Object.entries(PROXIES)) {
    it(`${kind}: the same verdicts as a direct scan; active mode and bounce untestable through it`, async () => {
      const { report, text } = await scanAll(['--proxy', proxy]);
      expect(report.vantage?.proxy).toBe(proxy);
      expect(text).not.toContain(password);
      for (const [i, ep] of report.endpoints.entries()) {
        const d = direct.endpoints[i]!;
        expect(ep.via).toBe(proxy);
        expect(ep.service, ep.host).toBe(d.service);
        expect(without(verdicts(ep), NEEDS_CONNECT_BACK), `${NAMES[i]} through ${proxy}`).toEqual(without(verdicts(d), NEEDS_CONNECT_BACK));
        if (!ep.ftp) continue;
        // direct, active mode works in the lab; through the proxy it is skipped with the reason
        expect(verdicts(d)['FTP-DATA-ACTIVE']).toBe('pass');
        for (const id of NEEDS_CONNECT_BACK) {
          const f = ep.findings.find((x) => x.id === id)!;
          expect(f.status, id).toBe('skipped');
          expect(f.detail, id).toContain(`untestable through the proxy ${proxy}`);
        }
        expect(ep.ftp.dataChannels.some((c) => c.mode === 'PORT' || c.mode === 'EPRT')).toBe(false);
        expect(ep.ftp.dataChannels.filter((c) => c.ok).map((c) => c.mode)).toEqual(expect.arrayContaining(['EPSV', 'PASV']));
      }
    }, 300_000);
  }

  it('proxy credentials come from the environment, never appear in the output; a refusal names the proxy', async () => {
    const info = JSON.parse(fs.readFileSync(path.join(labRunDir(), 'proxy/info.json'), 'utf8')) as Record<string, string>;
    const httpPw = fs.readFileSync(info.httpAuthPasswordFile!, 'utf8').trim();
    const sftp = labTarget(labEndpoint('sshd-modern'));
    for (const [proxy, user, pw] of [
      [info.socks5Auth!, info.socks5AuthUser!, password],
      [info.httpAuth!, info.httpAuthUser!, httpPw],
    ] as const) {
      const env = { XFERSCAN_PROXY_USER: user, XFERSCAN_PROXY_PASSWORD: pw };
      const ok = await scanJson([sftp, '--proxy', proxy], { env });
      expect(ok.report.endpoints[0]!.service, proxy).toBe('sftp');
      expect(ok.result.stdout + ok.result.stderr).not.toContain(pw);
      const bad = await scanJson([sftp, '--proxy', proxy], { env: { ...env, XFERSCAN_PROXY_PASSWORD: 'wrong-password' } });
      const ep = bad.report.endpoints[0]!;
      expect(ep.service).toBeNull();
      expect(ep.error).toMatch(new RegExp(`^proxy ${proxy.replace(/[/.]/g, '\\$&')}: .*(refused our user name|credentials)`));
      expect(bad.result.stdout).not.toContain('wrong-password');
    }
  }, 120_000);
});
