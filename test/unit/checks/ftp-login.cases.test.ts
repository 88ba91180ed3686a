// Logging in: can credentials cross the network before TLS (USER before AUTH), and does
// anonymous login work (and write).
import { ftpAnonymous, ftpCleartextLogin } from '../../../src/checks/ftp/login.js';
import { checkCases } from './harness.js';
import {
  anonymousAttempt,
  ftpEndpoint,
  hardenedSsh,
  loginAs,
  loginObservation,
  plainFtp,
  sshEndpoint,
  vsftpdStrict,
  withChannels,
} from './facts.js';

const refused421 = { outcome: 'refused-by-server' as const, error: 'server greeted with 421 Too many connections from this IP' };
const PROFTPD = ['220 ProFTPD Server (xferscan lab ProFTPD) [10.10.10.10]'];
const PUREFTPD = ['220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------'];

checkCases(ftpCleartextLogin, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'a 421 at the greeting: skipped',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }),
    expect: { status: 'skipped', detail: /421/ },
  },
  {
    name: 'implicit FTPS: nothing crosses in cleartext',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), service: 'ftps-implicit', loginPolicy: undefined }),
    expect: { status: 'pass', detail: /TLS starts on connect/, remediation: 'none' },
  },
  {
    name: 'the probe could not connect: skipped with the gap it recorded',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      loginPolicy: [],
      loginPolicyGaps: [
        {
          step: 'cleartext-login',
          reason: 'connection-failed',
          detail: 'cleartext-login probe (random user) could not connect: connection reset',
        },
      ],
    }),
    expect: { status: 'skipped', detail: /^cleartext-login probe \(random user\) could not connect: connection reset$/ },
  },
  {
    name: 'the probe did not run at all: skipped',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), loginPolicy: undefined }),
    expect: { status: 'skipped', detail: /could not run/ },
  },
  {
    name: 'vsftpd force_local_logins_ssl: USER refused with 530 for a made-up and the given user',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail: /USER before AUTH is refused: USER <made-up name> → 530 .*; USER xfsuser → 530/,
      remediation: 'none',
      evidence: { steps: ['cleartext-login'], conns: ['login-policy-random#5', 'login-policy-given#6'], count: 4 },
    },
  },
  {
    name: 'Pure-FTPd -Y 2: 421 to USER before TLS',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      greeting: PUREFTPD,
      loginPolicy: [
        loginObservation('random', {
          code: 421,
          text: 'Sorry, cleartext sessions and weak ciphers are not accepted on this server. Please reconnect using TLS security mechanisms.',
        }),
      ],
    }),
    expect: { status: 'pass', detail: /USER <made-up name> → 421 Sorry, cleartext sessions/ },
  },
  {
    name: 'ProFTPD TLSRequired off: 331, then 530 Login incorrect to a made-up password — judged in cleartext: fail',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      greeting: PROFTPD,
      loginPolicy: [
        loginObservation('random', { code: 331, text: 'Password required for xfs9039e0cb' }, { code: 530, text: 'Login incorrect.' }),
        loginObservation('given', { code: 331, text: 'Password required for xfsuser' }),
      ],
    }),
    expect: {
      status: 'fail',
      severity: 'critical',
      detail:
        /^the server takes credentials without TLS: USER <made-up name> → 331, PASS → 530 Login incorrect\.; USER xfsuser → 331 Password required/,
      remediation: /force_local_logins_ssl=YES/,
      evidence: { steps: ['cleartext-login'], some: [{ value: /^> PASS \*{8}$/ }] },
    },
  },
  {
    name: 'plain FTP says so first',
    endpoint: ftpEndpoint(plainFtp()),
    expect: { status: 'fail', detail: /^this is cleartext FTP: every login crosses the network readable; the server takes credentials/ },
  },
  {
    name: 'a made-up password accepted (230): fail',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      loginPolicy: [loginObservation('random', { code: 331, text: 'Password required' }, { code: 230, text: 'User logged in.' })],
    }),
    expect: { status: 'fail', detail: /PASS → 230 User logged in/ },
  },
  {
    name: 'the password is asked for, then refused for lack of TLS (534): warn, high',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      loginPolicy: [loginObservation('random', { code: 331, text: 'Password required' }, { code: 534, text: 'Policy requires SSL.' })],
    }),
    expect: { status: 'warn', severity: 'high', detail: /asks for the password before refusing .*534 Policy requires SSL/ },
  },
  {
    name: 'the password is asked for, then 530 "TLS required": warn',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      loginPolicy: [loginObservation('random', { code: 331, text: 'Password required' }, { code: 530, text: 'TLS required' })],
    }),
    expect: { status: 'warn', detail: /still sends its password in cleartext/ },
  },
  {
    name: 'the password asked for, then 530 "must use encryption": a refusal for lack of TLS, warn',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      loginPolicy: [
        loginObservation(
          'random',
          { code: 331, text: 'Password required' },
          { code: 530, text: 'Non-anonymous sessions must use encryption.' },
        ),
      ],
    }),
    expect: { status: 'warn' },
  },
  {
    name: 'USER answered with something no rule decides (200): not a pass',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), loginPolicy: [loginObservation('random', { code: 200, text: 'OK' })] }),
    expect: { status: ['skipped', 'warn'] },
  },
]);

checkCases(ftpAnonymous, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...plainFtp(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'could not connect for the attempt: skipped with the gap',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      anonymous: anonymousAttempt({ tried: false, userCode: null, conn: null }),
      anonymousGaps: [{ step: 'anonymous', reason: 'connection-failed', detail: 'anonymous login could not be tried: connection refused' }],
    }),
    expect: { status: 'skipped', detail: /^anonymous login could not be tried: connection refused$/ },
  },
  {
    name: 'the probe did not run: skipped',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), anonymous: undefined }),
    expect: { status: 'skipped', detail: /was not tried/ },
  },
  {
    name: 'vsftpd over TLS refuses USER anonymous (530): pass with the exchange',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail: /^anonymous login refused \(USER 530\)$/,
      remediation: 'none',
      evidence: { steps: ['anonymous'], conns: ['anonymous#4'], some: [{ value: /^> USER anonymous$/ }] },
    },
  },
  {
    name: 'ProFTPD: 331, then 530 to the password',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), greeting: PROFTPD, anonymous: anonymousAttempt({ userCode: 331, passCode: 530 }) }),
    expect: { status: 'pass', detail: /USER 331, PASS 530/, evidence: { count: 4 } },
  },
  {
    name: 'Pure-FTPd: 331 to USER anonymous settles it (known behaviour), with the reason',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      greeting: PUREFTPD,
      anonymous: anonymousAttempt({
        userCode: 331,
        decidedBy:
          'Pure-FTPd logs anonymous users in at USER when anonymous FTP is on; a 331 means "anonymous" is an ordinary account name, so no password was sent',
      }),
    }),
    expect: {
      status: 'pass',
      detail: /USER 331\): Pure-FTPd logs anonymous users in at USER/,
      evidence: { some: [{ value: /^# Pure-FTPd/ }] },
    },
  },
  {
    name: 'anonymous accepted in cleartext, writing not tested: fail, high',
    endpoint: ftpEndpoint(plainFtp()),
    expect: { status: 'fail', severity: 'high', detail: /^anonymous login accepted; writing was not tested \(use --write-test\)$/ },
  },
  {
    name: 'anonymous accepted over TLS, --write-test refused: fail, high',
    endpoint: ftpEndpoint({
      ...withChannels(vsftpdStrict(), {
        login: loginAs('anonymous'),
        writeTest: {
          file: 'xferscan-write-test.tmp',
          uploaded: false,
          verified: null,
          deleted: false,
          leftBehind: null,
          error: 'no upload accepted',
        },
      }),
      anonymous: anonymousAttempt({ userCode: 331, passCode: 230, accepted: true }),
    }),
    expect: { status: 'fail', severity: 'high', detail: /\(over TLS\); uploads were refused/ },
  },
  {
    name: 'anonymous users can upload (the lab vsftpd-lax with --write-test): fail, critical',
    endpoint: ftpEndpoint({
      ...withChannels(vsftpdStrict(), {
        login: loginAs('anonymous'),
        writeTest: {
          file: 'incoming/xferscan-write-test.tmp',
          uploaded: true,
          verified: true,
          deleted: true,
          leftBehind: null,
          error: null,
        },
      }),
      anonymous: anonymousAttempt({ userCode: 331, passCode: 230, accepted: true }),
    }),
    expect: { status: 'fail', severity: 'critical', detail: /can upload/ },
  },
  {
    name: 'the connection dropped after USER 331: undecided, never "refused"',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      anonymous: anonymousAttempt({ userCode: 331 }),
      anonymousGaps: [{ step: 'anonymous', reason: 'connection-failed', detail: 'anonymous login attempt ended early: connection reset' }],
    }),
    expect: { status: ['skipped', 'warn'], detail: /ended early/ },
  },
  {
    name: 'the connection dropped before the USER reply: undecided',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      anonymous: anonymousAttempt({ userCode: null }),
      anonymousGaps: [{ step: 'anonymous', reason: 'connection-failed', detail: 'anonymous login attempt ended early: timed out' }],
    }),
    expect: { status: ['skipped', 'warn'] },
  },
]);
