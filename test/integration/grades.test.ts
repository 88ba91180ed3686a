// Grades of the lab's real servers (docs/grades.md): known endpoints, known weaknesses
// (test/lab/README.md), so the expected grade is written here by hand, not computed from the
// findings. And the grade is in every format.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointReport, Report } from '../../src/model.js';
import { runCli, scanJson } from '../helpers/cli.js';
import { labEndpoint, labRunDir, labTarget, loadLabEndpoints } from '../lab/endpoints.js';

const LAB = (() => {
  try {
    return loadLabEndpoints().length > 0;
  } catch {
    return false;
  }
})();
const NAMES = [
  'vsftpd-plain',
  'vsftpd-lax',
  'proftpd-tls',
  'sshd-legacy',
  'vsftpd-explicit',
  'vsftpd-implicit',
  'sshd-modern',
  'sshd-ipv6',
  'closed',
];
let report: Report;
let file: string;
const byName = (name: string): EndpointReport => {
  const e = labEndpoint(name);
  return report.endpoints.find((x) => x.port === e.port && x.host === e.host)!;
};
const caps = (name: string) => byName(name).grade!.caps.map((c) => c.id);

describe.skipIf(!LAB)('grades of the lab endpoints', () => {
  beforeAll(async () => {
    const targets = NAMES.filter((n) => loadLabEndpoints().some((e) => e.name === n)).map((n) => labTarget(labEndpoint(n)));
    ({ report } = await scanJson([...targets, '--ca-file', path.join(labRunDir(), 'certs/good.crt')]));
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-grades-')), 'scan.json');
    fs.writeFileSync(file, JSON.stringify(report));
  }, 180_000);

  it('plain FTP is F, capped by the cleartext service', () => {
    expect(byName('vsftpd-plain').grade?.grade).toBe('F');
    expect(caps('vsftpd-plain')).toContain('FTP-CLEARTEXT-SERVICE');
  });

  it('FTPS with TLS optional for logins is F (login before TLS)', () => {
    for (const n of ['vsftpd-lax', 'proftpd-tls']) {
      expect(byName(n).grade?.grade, n).toBe('F');
      expect(caps(n), n).toContain('FTP-CLEARTEXT-LOGIN');
    }
  });

  it('legacy OpenSSH algorithms are C', () => {
    expect(byName('sshd-legacy').grade?.grade).toBe('C');
    expect(caps('sshd-legacy')).toEqual(expect.arrayContaining(['SSH-KEX-WEAK', 'SSH-CIPHER-WEAK']));
  });

  it('explicit FTPS gets the grade implicit FTPS gets with the same TLS configuration (no STARTTLS cap)', () => {
    const ex = byName('vsftpd-explicit').grade!;
    expect(ex.grade).toBe(byName('vsftpd-implicit').grade!.grade);
    expect(['A+', 'A', 'A-', 'B']).toContain(ex.grade);
  });

  it('OpenSSH defaults are A; the hardened sshd is A+', () => {
    expect(byName('sshd-modern').grade?.grade).toBe('A');
    if (loadLabEndpoints().some((e) => e.name === 'sshd-ipv6')) expect(byName('sshd-ipv6').grade?.grade).toBe('A+');
  });

  it('a closed port has no grade', () => {
    expect(byName('closed').grade?.grade).toBeNull();
  });

  it('every failing critical finding goes with F', () => {
    for (const ep of report.endpoints)
      if (ep.findings.some((f) => f.status === 'fail' && f.severity === 'critical'))
        expect(ep.grade?.grade, `${ep.host}:${ep.port}`).toBe('F');
  });

  it.each([
    ['table', /grade F/],
    ['markdown', /grade F — capped by FTP-CLEARTEXT-SERVICE/],
    ['html', /<td>F<\/td>/],
    ['sarif', /"endpointGrade": "F"/],
    ['junit', /<property name="grade" value="F"\/>/],
    ['ndjson', /"grade":"F"/],
  ])('the %s format shows it', async (format, re) => {
    const r = await runCli(['report', file, '--format', format], { env: { NO_COLOR: '1' } });
    expect(r.stdout).toMatch(re);
  });
});
