// Issue 3 on the real lab servers: every FTP/FTPS behaviour judged by what happens on the wire.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labPassword, labRunDir, loadLabEndpoints, type LabEndpoint } from '../lab/endpoints.js';
import { scanJson } from '../helpers/cli.js';
import type { EndpointReport, Report } from '../../src/model.js';

const ftpLab = loadLabEndpoints().filter((e) => e.expectedService && e.expectedService !== 'sftp');
const byName = (n: string) => ftpLab.find((e) => e.name === n)!;
const target = (e: LabEndpoint) => `${e.host}:${e.port}`;
const status = (ep: EndpointReport, id: string) => ep.findings.find((f) => f.id === id)?.status;
const password = labPassword('xfsuser');
const env = { XFS_TEST_PW: password };
const creds = ['--user', 'xfsuser', '--password-env', 'XFS_TEST_PW'];

function writeTestLeftovers(): string[] {
  const dirs = ['/home/xfsuser', path.join(labRunDir(), 'ftp-anon-rw/incoming')];
  return dirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.startsWith('xferscan-write-test-')) : []));
}

// What a careful engineer concludes by hand about each lab configuration (test/lab/README.md).
const EXPECT: Record<string, Record<string, string>> = {
  'vsftpd-explicit': {
    'FTP-CLEARTEXT-LOGIN': 'pass',
    'FTP-ANONYMOUS': 'pass',
    'FTP-BOUNCE': 'pass',
    'FTPS-PROT-P': 'pass',
    // vsftpd answers "200 PROT now Clear" and then refuses every cleartext data connection (522)
    'FTPS-PROT-C-ALLOWED': 'pass',
    'FTPS-DATA-NOT-TLS': 'pass',
    'FTPS-CCC-ALLOWED': 'pass',
    'FTPS-SESSION-REUSE': 'info',
    'FTP-DATA-PASSIVE': 'pass',
    'FTP-DATA-ACTIVE': 'pass',
    'FTP-PASV-ADDRESS': 'pass',
  },
  'vsftpd-implicit': {
    'FTP-CLEARTEXT-LOGIN': 'pass',
    'FTP-ANONYMOUS': 'pass',
    'FTPS-PROT-P': 'pass',
    'FTPS-PROT-C-ALLOWED': 'pass',
    'FTPS-SESSION-REUSE': 'info',
    'FTP-DATA-PASSIVE': 'pass',
    'FTP-DATA-ACTIVE': 'pass',
    'FTP-PASV-ADDRESS': 'pass',
  },
  'vsftpd-plain': {
    'FTP-CLEARTEXT-LOGIN': 'fail',
    'FTP-ANONYMOUS': 'fail',
    'FTP-BOUNCE': 'pass',
    'FTP-DATA-PASSIVE': 'pass',
    'FTP-DATA-ACTIVE': 'pass',
  },
  'vsftpd-lax': {
    'FTP-CLEARTEXT-LOGIN': 'fail',
    'FTP-ANONYMOUS': 'fail',
    'FTPS-PROT-C-ALLOWED': 'fail',
    'FTPS-CCC-ALLOWED': 'pass',
    'FTPS-SESSION-REUSE': 'info',
    'FTP-DATA-PASSIVE': 'pass',
    'FTP-ALG-REWRITE': 'info',
  },
  'proftpd-tls': {
    'FTP-CLEARTEXT-LOGIN': 'fail',
    'FTP-ANONYMOUS': 'pass',
    'FTPS-PROT-P': 'pass',
    'FTPS-PROT-C-ALLOWED': 'fail',
    'FTPS-CCC-ALLOWED': 'fail',
    'FTP-PASV-ADDRESS': 'fail',
    'FTP-DATA-PASSIVE': 'pass',
    'FTP-DATA-ACTIVE': 'pass',
  },
  'pureftpd-tls': {
    'FTP-CLEARTEXT-LOGIN': 'pass',
    'FTP-ANONYMOUS': 'pass',
    'FTPS-PROT-P': 'pass',
    'FTPS-PROT-C-ALLOWED': 'fail',
    'FTPS-CCC-ALLOWED': 'fail',
    'FTP-DATA-PASSIVE': 'pass',
    'FTP-PASV-ADDRESS': 'pass',
  },
};
const REUSE_REQUIRED: Record<string, boolean> = {
  'vsftpd-explicit': true,
  'vsftpd-implicit': true,
  'proftpd-tls': true,
  'pureftpd-tls': false,
  'vsftpd-lax': false,
};

describe('FTP/FTPS deep probe on the lab (with credentials, --active, --write-test)', () => {
  let report: Report;
  let stdout = '';
  let stderr = '';
  beforeAll(async () => {
    const names = Object.keys(EXPECT);
    const r = await scanJson([...names.map((n) => target(byName(n))), ...creds, '--active', '--write-test'], { env });
    report = r.report;
    stdout = r.result.stdout;
    stderr = r.result.stderr;
  }, 180_000);
  const ep = (name: string) => report.endpoints.find((e) => e.port === byName(name).port)!;

  for (const [name, want] of Object.entries(EXPECT)) {
    it('ProFTPD: the report says the server, not the scanner, sets the pace of the TLS inventory', () => {
      const ep = report.endpoints.find((e) => e.port === byName('proftpd-tls').port)!;
      expect(
        ep.transcript.some((l) =>
          /to greet each of \d+ new connections: the inventory's time is set by the server \(a standalone ProFTPD pauses/.test(l.text),
        ),
      ).toBe(true);
    });

    it(`${name}: every FTP finding as a careful engineer would judge it`, () => {
      const got = Object.fromEntries(Object.keys(want).map((id) => [id, status(ep(name), id)]));
      expect(got).toEqual(want);
    });
  }

  it('session reuse: required where the server demands it, per TLS version', () => {
    for (const [name, required] of Object.entries(REUSE_REQUIRED)) {
      const e = ep(name);
      expect(e.ftp?.sessionReuseRequired, name).toBe(required);
      if (required) {
        for (const run of Object.values(e.ftp!.sessionReuse!)) {
          expect(run.withoutReuse.ok, name).toBe(false);
          expect(run.withReuse?.ok, name).toBe(true);
        }
      }
    }
    // vsftpd's refusal without resumption is its 522
    expect(ep('vsftpd-explicit').ftp!.sessionReuse!['TLSv1.3']!.withoutReuse.code).toBe(522);
    expect(Object.keys(ep('vsftpd-explicit').ftp!.sessionReuse!)).toEqual(['TLSv1.3', 'TLSv1.2']);
    // ProFTPD speaks only TLS <= 1.2 here: its refusal is a 425
    expect(ep('proftpd-tls').ftp!.sessionReuse!['TLSv1.2']!.withoutReuse.code).toBe(425);
  });

  it('PROT C: vsftpd says 200 yet refuses cleartext data with 522; ProFTPD really moves cleartext data', () => {
    const v = ep('vsftpd-explicit').ftp!;
    expect(v.commandReplies!.find((c) => c.command === 'PROT C')!.code).toBe(200);
    expect(v.protC).toBe(false);
    expect(v.dataChannels.filter((d) => d.protection === 'C').every((d) => !d.ok && /522/.test(d.error ?? ''))).toBe(true);
    expect(ep('proftpd-tls').ftp!.protC).toBe(true);
  });

  it('PASV with a masqueraded private address: reported, never followed', () => {
    const p = ep('proftpd-tls');
    const pasv = p.ftp!.dataChannels.filter((d) => d.mode === 'PASV');
    expect(pasv.length).toBeGreaterThan(0);
    for (const d of pasv) {
      expect(d.advertisedAddress).toBe(byName('proftpd-tls').masqueradeAddress);
      expect(d.connectAddress).toBe('127.0.0.1');
    }
    expect(JSON.stringify(p.transcript)).not.toMatch(/data 10\.10\.10\.10:/);
    expect(p.findings.find((f) => f.id === 'FTP-PASV-ADDRESS')!.detail).toMatch(/private address/);
  });

  it('CCC: accepted on ProFTPD and Pure-FTPd, with a cleartext command proven to work after it', () => {
    for (const n of ['proftpd-tls', 'pureftpd-tls']) {
      const d = ep(n).ftp!.cccDetail!;
      expect(d.code, n).toBe(200);
      expect(d.cleartextAfter?.code, n).toBe(257);
    }
    expect(ep('vsftpd-explicit').ftp!.ccc).toBe(false);
  });

  it('--write-test uploads, verifies, deletes — and leaves nothing behind', () => {
    for (const n of ['vsftpd-explicit', 'proftpd-tls', 'pureftpd-tls', 'vsftpd-lax']) {
      const w = ep(n).ftp!.writeTest!;
      expect(w, n).toMatchObject({ uploaded: true, verified: true, deleted: true, leftBehind: null });
    }
    expect(ep('vsftpd-lax').ftp!.anonymous!.canWrite === true || ep('vsftpd-lax').ftp!.login!.anonymous === false).toBe(true);
    expect(writeTestLeftovers()).toEqual([]);
  });

  it('the password appears nowhere in the output', () => {
    expect(stdout).not.toContain(password);
    expect(stderr).not.toContain(password);
  });
});

describe('FTP deep probe without credentials', () => {
  it('says exactly what could not be tested and why; anonymous servers still get data-channel results', async () => {
    const { report } = await scanJson([target(byName('vsftpd-explicit')), target(byName('vsftpd-plain')), target(byName('vsftpd-lax'))]);
    const [explicit, plain, lax] = report.endpoints;
    for (const id of ['FTP-DATA-PASSIVE', 'FTPS-SESSION-REUSE', 'FTP-BOUNCE']) {
      expect(status(explicit, id), id).toBe('skipped');
      expect(explicit.findings.find((f) => f.id === id)!.detail).toMatch(/--user/);
    }
    expect(status(explicit, 'FTP-CLEARTEXT-LOGIN')).toBe('pass');
    expect(status(plain, 'FTP-DATA-PASSIVE')).toBe('pass');
    expect(plain.ftp!.login).toMatchObject({ anonymous: true, ok: true });
    // anonymous over TLS on the lax server is enough to learn reuse and PROT C
    expect(lax.ftp!.sessionReuseRequired).toBe(false);
    expect(status(lax, 'FTPS-PROT-C-ALLOWED')).toBe('fail');
  });

  it('a real password is not sent over cleartext FTP unless --allow-cleartext-login', async () => {
    const plain = byName('vsftpd-plain');
    const { report, result } = await scanJson([target(plain), ...creds], { env });
    const ep = report.endpoints[0];
    expect(ep.ftp!.login).toMatchObject({ anonymous: true });
    expect(ep.ftp!.notes!.join(' ')).toMatch(/not sending xfsuser's password over cleartext/);
    // xfsuser's name is only used for the USER-before-AUTH probe, which never sends its password
    const conns = new Set(ep.transcript.filter((l) => l.text === 'USER xfsuser').map((l) => l.conn));
    expect([...conns].every((c) => c.startsWith('login-policy-given'))).toBe(true);
    expect(ep.transcript.filter((l) => conns.has(l.conn) && l.text.startsWith('PASS'))).toEqual([]);
    expect(result.stdout).not.toContain(password);
  });
});

describe('passive range and ALG comparison', () => {
  it('FTP-PASV-RANGE passes inside the configured range and names the ports outside a wrong one', async () => {
    const v = byName('vsftpd-explicit');
    const [lo, hi] = v.passiveRange!;
    const good = await scanJson([target(v), ...creds, '--expect-passive-range', `${lo}-${hi}`], { env });
    expect(status(good.report.endpoints[0], 'FTP-PASV-RANGE')).toBe('pass');
    const bad = await scanJson([target(v), ...creds, '--expect-passive-range', `${lo}-${lo + 4}`], { env });
    const f = bad.report.endpoints[0].findings.find((x) => x.id === 'FTP-PASV-RANGE')!;
    expect(f.status).toBe('fail');
    const seen = bad.report.endpoints[0].ftp!.passivePortsSeen.filter((p) => p > lo + 4);
    for (const p of seen) expect(f.detail).toContain(String(p));
  });

  it('FTP-ALG-REWRITE compares 227 over cleartext and TLS when a cleartext login is allowed', async () => {
    const p = byName('proftpd-tls');
    const { report } = await scanJson([target(p), ...creds, '--allow-cleartext-login'], { env });
    const f = report.endpoints[0].findings.find((x) => x.id === 'FTP-ALG-REWRITE')!;
    expect(f.status).toBe('info');
    expect(f.detail).toMatch(/same over cleartext and TLS \(10\.10\.10\.10\)/);
  });
});

describe('connection cap', () => {
  it("--connections 1 still transfers: a data connection rides on its control connection's slot", async () => {
    const v = byName('vsftpd-explicit');
    const { report } = await scanJson([target(v), ...creds, '--connections', '1'], { env, timeoutMs: 60_000 });
    const ep = report.endpoints[0];
    expect(status(ep, 'FTP-DATA-PASSIVE')).toBe('pass');
    expect(ep.tls?.probe?.handshakes).toBeGreaterThan(10);
    expect(ep.findings.filter((f) => f.status === 'error')).toEqual([]);
  });
});
