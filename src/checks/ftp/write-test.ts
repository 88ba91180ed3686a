// --write-test hygiene: the scan's own test file must not stay on the server. When DELE was
// refused (or the session died and a fresh one could not remove it), the report names the file
// here, as a finding every format shows, not only in the JSON facts.
import type { FtpFacts } from '../../model.js';
import { defineCheck } from '../types.js';
import { stepEvidence } from '../evidence.js';
import { isFtp } from './support.js';

type WriteTest = NonNullable<FtpFacts['writeTest']>;

export const ftpWriteTestLeftover = defineCheck({
  id: 'FTP-WRITE-TEST-LEFTOVER',
  family: 'ftp',
  observes: 'the file `--write-test` uploaded was deleted again (DELE, on a fresh session if the first one died)',
  title: 'Write-test file removed',
  severity: 'medium',
  remediation:
    'Delete the named file on the server by hand (it holds only a timestamp and random bytes). A server that lets a user upload but not delete (e.g. vsftpd cmds_denied=DELE, ProFTPD <Limit DELE>) is working as configured; otherwise find out why DELE failed.',
  run: ({ endpoint: ep, options }) => {
    if (!isFtp(ep)) return null;
    const ftp = ep.ftp!;
    const tests = [
      ['write test', ftp.writeTest],
      ['anonymous write test', ftp.anonymousWriteTest],
    ].filter((t): t is [string, WriteTest] => !!t[1]);
    if (tests.length === 0)
      return {
        status: 'skipped',
        detail: options.writeTestRequested ? 'no write test ran (no session could upload)' : 'no write test ran (use --write-test)',
      };
    // the end of the write test's dialogue: DELE, SIZE and the cleanup session
    const evidence = stepEvidence(ep, 'write test', { steps: ['write-test'], max: 200 }).slice(-6);
    const left = tests.filter(([, t]) => t.leftBehind);
    if (left.length > 0)
      return {
        status: 'fail',
        detail: left.map(([what, t]) => `the ${what} left its file on the server: ${t.leftBehind}`).join('; '),
        evidence,
      };
    const unknown = tests.filter(([, t]) => t.uploaded && !t.deleted);
    if (unknown.length > 0)
      return {
        status: 'warn',
        detail: `whether the uploaded file is gone is not known (DELE did not succeed, and SIZE did not show it): ${unknown.map(([, t]) => t.file).join(', ')}`,
        evidence,
      };
    const said = tests.map(([what, t]) => (t.uploaded ? `${what}: ${t.file} deleted` : `${what}: nothing was stored`));
    return { status: 'pass', detail: said.join('; '), evidence };
  },
});
