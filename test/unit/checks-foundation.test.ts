import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/engine.js';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { emptyEndpoint } from '../../src/scan.js';
import { emptyFtpFacts } from '../../src/assemble.js';
import { exitCodeFor } from '../../src/knowledge/exit-code.js';
import type { EndpointReport, Report } from '../../src/model.js';

function ftpEndpoint(over: Partial<EndpointReport> = {}): EndpointReport {
  const ep = emptyEndpoint({ input: 'h', host: 'h', port: 21, scheme: null, expectedService: null });
  ep.state = 'open';
  ep.address = '127.0.0.1';
  ep.service = 'ftp';
  ep.ftp = emptyFtpFacts(['220 (vsFTPd 3.0.3)']);
  return Object.assign(ep, over);
}

const find = (ep: EndpointReport, id: string) => runChecks(ep, ALL_CHECKS, {}).filter((f) => f.id === id);

describe('foundation checks', () => {
  it('FTP-CLEARTEXT-SERVICE fails when AUTH TLS and AUTH SSL are refused, passes when TLS is offered', () => {
    const plain = ftpEndpoint();
    plain.ftp!.authTls = false;
    plain.ftp!.authSsl = false;
    expect(find(plain, 'FTP-CLEARTEXT-SERVICE')[0]).toMatchObject({ status: 'fail', severity: 'high' });
    expect(find(plain, 'FTP-CLEARTEXT-SERVICE')[0].remediation).toMatch(/ssl_enable=YES/);
    expect(find(plain, 'FTPS-AUTH-TLS')[0].status).toBe('fail');

    const tls = ftpEndpoint({ service: 'ftps-explicit' });
    tls.ftp!.authTls = true;
    tls.tls = {
      protocols: {},
      cipherSuites: {},
      serverPreference: null,
      groups: [],
      certificate: null,
      chain: [],
      negotiated: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
    };
    expect(find(tls, 'FTP-CLEARTEXT-SERVICE')[0].status).toBe('pass');
    expect(find(tls, 'FTPS-AUTH-TLS')[0]).toMatchObject({ status: 'pass', remediation: '' });
  });

  it('FTPS-AUTH-TLS fails when 234 is followed by a failed handshake', () => {
    const ep = ftpEndpoint({ service: 'ftps-explicit', outcome: 'tls-handshake-failed', error: 'TLS handshake failed: wrong version' });
    ep.ftp!.authTls = true;
    expect(find(ep, 'FTPS-AUTH-TLS')[0]).toMatchObject({ status: 'fail' });
    expect(find(ep, 'FTPS-AUTH-TLS')[0].detail).toMatch(/handshake failed/);
  });

  it('skips, never guesses, when the server refused us (421)', () => {
    const ep = ftpEndpoint({ outcome: 'refused-by-server', error: 'server greeted with 421' });
    expect(find(ep, 'FTP-CLEARTEXT-SERVICE')[0].status).toBe('skipped');
    expect(find(ep, 'FTPS-AUTH-TLS')[0].status).toBe('skipped');
  });

  it('FTP-SOFTWARE names the product and fails known-bad versions', () => {
    expect(find(ftpEndpoint(), 'FTP-SOFTWARE')[0]).toMatchObject({ status: 'info' });
    expect(find(ftpEndpoint(), 'FTP-SOFTWARE')[0].detail).toMatch(/^vsftpd 3\.0\.3/);
    const bad = ftpEndpoint();
    bad.ftp!.greeting = ['220 (vsFTPd 2.3.4)'];
    expect(find(bad, 'FTP-SOFTWARE')[0]).toMatchObject({ status: 'fail', severity: 'high' });
    const old = ftpEndpoint();
    old.ftp!.greeting = ['220 ProFTPD 1.3.5 Server (Debian) [::ffff:10.0.0.1]'];
    expect(find(old, 'FTP-SOFTWARE')[0].status).toBe('fail');
    const quiet = ftpEndpoint();
    quiet.ftp!.greeting = ['220 Welcome'];
    expect(find(quiet, 'FTP-SOFTWARE')[0].detail).toMatch(/do not name/);
  });

  it('FTPS-IMPLICIT only concerns implicit endpoints; checks never run on the wrong service', () => {
    const ep = ftpEndpoint({ service: 'ftps-implicit' });
    expect(find(ep, 'FTPS-IMPLICIT')[0].status).toBe('info');
    expect(find(ep, 'FTP-CLEARTEXT-SERVICE')).toHaveLength(0);
    const sftp = ftpEndpoint({ service: 'sftp', ftp: null });
    expect(runChecks(sftp, ALL_CHECKS, {}).filter((f) => f.id.startsWith('FTP'))).toHaveLength(0);
  });

  it('POLICY-EXPECTED-SERVICE compares with the URL scheme', () => {
    const ep = ftpEndpoint({ expectedService: 'ftps-explicit' });
    expect(find(ep, 'POLICY-EXPECTED-SERVICE')[0].status).toBe('fail');
    ep.service = 'ftps-explicit';
    expect(find(ep, 'POLICY-EXPECTED-SERVICE')[0].status).toBe('pass');
  });

  it('NET-PORT-STATE reports every endpoint, open or not', () => {
    const closed = ftpEndpoint({ state: 'closed', service: null, ftp: null, connectMs: 0 });
    const f = find(closed, 'NET-PORT-STATE')[0];
    expect(f).toMatchObject({ status: 'info', title: 'Port state (21/tcp closed)' });
  });

  it('a check that throws becomes an error finding, not a crash', () => {
    const boom = {
      id: 'X-BOOM',
      title: 't',
      severity: 'low' as const,
      family: 'ftp' as const,
      observes: 'a check that breaks',
      remediation: '',
      run: () => {
        throw new Error('bug');
      },
    };
    expect(runChecks(ftpEndpoint(), [boom], {})[0]).toMatchObject({ status: 'error', detail: expect.stringMatching(/bug/) });
  });
});

describe('exit codes', () => {
  const report = (eps: EndpointReport[]): Report => ({
    schemaVersion: 1,
    tool: { name: 'xferscan', version: '0' },
    startedAt: '',
    finishedAt: '',
    profile: 'baseline',
    endpoints: eps,
    summary: { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 },
  });
  const withFinding = (status: 'pass' | 'fail' | 'warn' | 'error', state: EndpointReport['state'] = 'open') => {
    const ep = ftpEndpoint({ state });
    ep.findings = [{ id: 'X', status, severity: 'low', title: '', detail: '', remediation: '', controls: [], evidence: [] }];
    return ep;
  };
  it('0 clean, 2 warn, 3 fail, 1 when a target was not reached or a probe broke', () => {
    expect(exitCodeFor(report([withFinding('pass')]), [{ input: 'a' }])).toBe(0);
    expect(exitCodeFor(report([withFinding('warn')]), [{ input: 'a' }])).toBe(2);
    expect(exitCodeFor(report([withFinding('fail'), withFinding('warn')]), [{ input: 'a' }, { input: 'b' }])).toBe(3);
    expect(exitCodeFor(report([withFinding('pass', 'closed')]), [{ input: 'a' }])).toBe(1);
    expect(exitCodeFor(report([withFinding('error')]), [{ input: 'a' }])).toBe(1);
  });
  it('a host with one open port among --ports is not a scan error', () => {
    expect(exitCodeFor(report([withFinding('pass', 'closed'), withFinding('pass', 'open')]), [{ input: 'h' }, { input: 'h' }])).toBe(0);
  });
});
