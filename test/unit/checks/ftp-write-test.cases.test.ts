// --write-test hygiene: the uploaded test file is deleted again, or the report names it.
import { ftpWriteTestLeftover } from '../../../src/checks/ftp/write-test.js';
import type { FtpFacts } from '../../../src/model.js';
import { checkCases } from './harness.js';
import { ftpEndpoint, hardenedSsh, loginAs, sshEndpoint, vsftpdStrict, withChannels } from './facts.js';

type WriteTest = NonNullable<FtpFacts['writeTest']>;
const wt = (over: Partial<WriteTest>): WriteTest => ({
  file: 'xferscan-write-test-1-ab.tmp',
  uploaded: true,
  verified: true,
  deleted: true,
  leftBehind: null,
  error: null,
  ...over,
});
const withWrite = (writeTest: WriteTest, anonymousWriteTest?: WriteTest) =>
  ftpEndpoint(
    withChannels(vsftpdStrict(), { login: loginAs('xfsuser'), writeTest, ...(anonymousWriteTest ? { anonymousWriteTest } : {}) }),
  );

checkCases(ftpWriteTestLeftover, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'no --write-test: skipped, says how to run it',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: { status: 'skipped', detail: /use --write-test/ },
  },
  {
    name: '--write-test given but no session could upload: skipped',
    endpoint: ftpEndpoint(vsftpdStrict()),
    options: { writeTestRequested: true },
    expect: { status: 'skipped', detail: /no write test ran \(no session/ },
  },
  {
    name: 'uploaded and deleted: pass',
    endpoint: withWrite(wt({})),
    expect: { status: 'pass', detail: /^write test: xferscan-write-test-1-ab\.tmp deleted$/, remediation: 'none' },
  },
  {
    name: 'no upload accepted: nothing stored, pass',
    endpoint: withWrite(wt({ uploaded: false, verified: null, deleted: false, error: 'no upload accepted (login directory: 553)' })),
    expect: { status: 'pass', detail: /nothing was stored/, remediation: 'none' },
  },
  {
    name: 'DELE refused (550), SIZE shows the file: fail naming the path',
    endpoint: withWrite(
      wt({
        file: 'incoming/x.tmp',
        deleted: false,
        leftBehind: 'incoming/x.tmp (DELE on a fresh session answered 550 Permission denied.)',
      }),
    ),
    expect: {
      status: 'fail',
      detail: /^the write test left its file on the server: incoming\/x\.tmp \(DELE on a fresh session answered 550/,
    },
  },
  {
    name: 'the anonymous write test left its file: fail naming it',
    endpoint: withWrite(
      wt({}),
      wt({ file: 'pub/incoming/a.tmp', deleted: false, leftBehind: 'pub/incoming/a.tmp (DELE answered 550 no)' }),
    ),
    expect: { status: 'fail', detail: /^the anonymous write test left its file on the server: pub\/incoming\/a\.tmp/ },
  },
  {
    name: 'uploaded, DELE failed, SIZE did not show the file: warn, undecided',
    endpoint: withWrite(wt({ deleted: false })),
    expect: { status: 'warn', detail: /not known.*xferscan-write-test-1-ab\.tmp/ },
  },
]);
