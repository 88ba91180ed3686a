// The ftp-extra lab module (test/lab/servers/ftp-extra.sh) with stock clients, as test/lab/verify.sh
// does for the core lab: a login and a passive LIST on every FTP endpoint (curl for plain FTP,
// lftp for FTPS: curl starts the data-channel TLS handshake before LIST, which pyftpdlib resets),
// and the SMTP endpoint greets with 220 and answers like SMTP. Catches a broken install early.
import { runOracle } from '../helpers/oracle.js';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { labPassword, loadLabEndpoints, type LabEndpoint } from '../lab/endpoints.js';

const run = promisify(execFile);
const labOff = process.env.XFERSCAN_LAB === 'off';
const extra = labOff ? [] : loadLabEndpoints().filter((e) => e.module === 'ftp-extra');
const ftp = extra.filter((e) => e.expectedService !== null);
const url = (scheme: string, e: LabEndpoint) => `${scheme}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}/`;

async function listing(e: LabEndpoint): Promise<string> {
  const pw = labPassword(e.user!);
  if (e.expectedService === 'ftp') {
    // user:password through a config file on stdin, not the command line
    const r = await runOracle('curl', ['-sS', '--max-time', '15', '-K', '-', url('ftp', e)], {
      input: `user = "${e.user}:${pw}"\n`,
      timeoutMs: 20_000,
    });
    if (r.code !== 0) throw new Error(`curl exit ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  const settings =
    'set ssl:verify-certificate no; set net:max-retries 1; set net:timeout 5; set ftp:ssl-force yes; set ftp:ssl-protect-data yes;';
  const scheme = e.expectedService === 'ftps-implicit' ? 'ftps' : 'ftp';
  const { stdout } = await run('lftp', ['-e', `${settings} open --env-password -u ${e.user} ${url(scheme, e)}; ls; bye`], {
    timeout: 30_000,
    env: { ...process.env, LFTP_PASSWORD: pw },
  });
  return stdout;
}

function smtpDialogue(e: LabEndpoint): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: e.host, port: e.port });
    const lines: string[] = [];
    let buf = '';
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error(`timeout; got ${JSON.stringify(lines)}`));
    });
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const parts = buf.split('\r\n');
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        if (lines.length === 1) s.write('EHLO xferscan.test\r\n');
        else if (/^250 /.test(l)) {
          s.end('QUIT\r\n');
          resolve(lines);
        }
      }
    });
    s.on('error', reject);
  });
}

describe.skipIf(labOff || extra.length === 0)('ftp-extra lab module with stock clients', () => {
  it('lists its endpoints on loopback, with at least five FTP implementations and IPv6', () => {
    expect(new Set(ftp.map((e) => e.software)).size).toBeGreaterThanOrEqual(5);
    expect(ftp.some((e) => e.host === '::1')).toBe(true);
    for (const e of extra) expect(e.host === '::1' || e.host.startsWith('127.')).toBe(true);
    for (const e of extra) expect(e.port >= 23000 && e.port <= 23999).toBe(true);
  });

  it.each(ftp.map((e) => [e.name, e] as const))('%s: login and passive LIST', async (_name, e) => {
    // every `lab.sh start` rewrites /etc/shadow (chpasswd): a system-account login racing it fails once
    const out = await listing(e).catch(async () => {
      await new Promise((r) => setTimeout(r, 1000));
      return listing(e);
    });
    expect(out).toMatch(/readme\.txt|\.bash_logout|pub/);
  });

  it.each(extra.filter((e) => e.behaviours?.includes('not-ftp')).map((e) => [e.name, e] as const))(
    '%s: greets 220 and speaks SMTP (EHLO → 250)',
    async (_name, e) => {
      const lines = await smtpDialogue(e);
      expect(lines[0]).toMatch(/^220 .*SMTP/);
      expect(lines.at(-1)).toMatch(/^250 /);
    },
  );
});
