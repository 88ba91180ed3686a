// Issue 2 acceptance on the real-server lab: every endpoint gets the right state and service,
// a closed port is `closed` at once and a dropped one `filtered` within --timeout.
import { describe, expect, it } from 'vitest';
import { coreLabEndpoints, loadLabNetnsTargets } from '../lab/endpoints.js';
import { scanJson, looksLikeStackTrace } from '../helpers/cli.js';

// the core lab (lab modules have their own tests, e.g. differential-ftp.test.ts)
const endpoints = coreLabEndpoints();
const target = (e: { host: string; port: number }) => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

describe('detection on every lab endpoint', () => {
  it('one scan of the whole lab: right state and service everywhere', async () => {
    const targets = endpoints.map(target);
    const { report, result } = await scanJson(targets);
    expect(looksLikeStackTrace(result.stderr)).toBe(false);
    for (const lab of endpoints) {
      const ep = report.endpoints.find((e) => e.port === lab.port)!;
      expect({ name: lab.name, state: ep.state, service: ep.service }).toEqual({
        name: lab.name,
        state: lab.expectedState,
        service: lab.expectedState === 'open' ? lab.expectedService : null,
      });
      expect(ep.address).toBe(lab.host);
      expect(ep.findings.some((f) => f.id === 'NET-PORT-STATE')).toBe(true);
    }
    // a failing finding exists in the lab (plain FTP), so the exit code is 3
    expect(result.code).toBe(3);
  });

  it('names the software each server discloses', async () => {
    const ftp = endpoints.filter((e) => e.expectedService && e.expectedService !== 'sftp');
    const { report } = await scanJson(ftp.map(target));
    for (const lab of ftp) {
      const ep = report.endpoints.find((e) => e.port === lab.port)!;
      const f = ep.findings.find((x) => x.id === 'FTP-SOFTWARE')!;
      expect(f, lab.name).toBeDefined();
      const want = { vsftpd: /^vsftpd 3\./, proftpd: /^ProFTPD/, 'pure-ftpd': /^Pure-FTPd/ }[lab.software as 'vsftpd'];
      expect(f.detail, lab.name).toMatch(want);
    }
  });

  it('explicit FTPS endpoints pass FTPS-AUTH-TLS; the plain one fails FTP-CLEARTEXT-SERVICE', async () => {
    const ftp = endpoints.filter((e) => e.expectedService === 'ftps-explicit' || e.expectedService === 'ftp');
    const { report } = await scanJson(ftp.map((e) => `${e.host}:${e.port}`));
    for (const lab of ftp) {
      const ep = report.endpoints.find((e) => e.port === lab.port)!;
      const authTls = ep.findings.find((x) => x.id === 'FTPS-AUTH-TLS')!;
      const cleartext = ep.findings.find((x) => x.id === 'FTP-CLEARTEXT-SERVICE')!;
      if (lab.expectedService === 'ftp') {
        expect([authTls.status, cleartext.status], lab.name).toEqual(['fail', 'fail']);
      } else {
        expect([authTls.status, cleartext.status], lab.name).toEqual(['pass', 'pass']);
        expect(ep.tls?.negotiated?.protocol, lab.name).toMatch(/^TLSv1/);
      }
    }
  });

  it('URL schemes: ftpes:// on plain FTP fails POLICY-EXPECTED-SERVICE; ftps:// on implicit passes', async () => {
    const plain = endpoints.find((e) => e.expectedService === 'ftp')!;
    const implicit = endpoints.find((e) => e.expectedService === 'ftps-implicit')!;
    const { report } = await scanJson([`ftpes://${plain.host}:${plain.port}`, `ftps://${implicit.host}:${implicit.port}`]);
    expect(report.endpoints[0].findings.find((f) => f.id === 'POLICY-EXPECTED-SERVICE')?.status).toBe('fail');
    expect(report.endpoints[1].findings.find((f) => f.id === 'POLICY-EXPECTED-SERVICE')?.status).toBe('pass');
  });

  it('a host without a port: every --ports entry is tried', async () => {
    const ports = endpoints.slice(0, 3).map((e) => e.port);
    const { report } = await scanJson(['127.0.0.1', '--ports', ports.join(',')]);
    expect(report.endpoints.map((e) => e.port)).toEqual(ports);
  });

  it('a closed port reports closed at once, exit 1', async () => {
    const closed = endpoints.find((e) => e.expectedState === 'closed')!;
    const { report, result } = await scanJson([`${closed.host}:${closed.port}`]);
    expect(report.endpoints[0].state).toBe('closed');
    expect(report.endpoints[0].connectMs).toBeLessThan(200);
    expect(result.code).toBe(1);
  });
});

describe('port state through a real firewall (iptables in a network namespace)', () => {
  const targets = (() => {
    try {
      return loadLabNetnsTargets();
    } catch {
      return [];
    }
  })();
  it.skipIf(targets.length === 0)('DROP → filtered within --timeout, REJECT → closed, nothing → closed, listener → open', async () => {
    const ns = targets[0].netns;
    const { report, result } = await scanJson([...targets.map((t) => `${t.host}:${t.port}`), '--timeout', '1500'], { netns: ns });
    for (const t of targets) {
      const ep = report.endpoints.find((e) => e.port === t.port)!;
      expect({ name: t.name, state: ep.state }).toEqual({ name: t.name, state: t.expectedState });
      if (t.expectedState === 'filtered') expect(ep.connectMs).toBeGreaterThanOrEqual(1400);
      if (t.expectedState === 'closed') expect(ep.connectMs).toBeLessThan(200);
    }
    expect(result.ms).toBeLessThan(1500 + 3000);
  });
});
