// Protection of the data and control channels: PBSZ/PROT P, PROT C, data connections that are
// not TLS, CCC, and TLS session reuse on data connections.
import { ftpsCccAllowed, ftpsDataNotTls, ftpsProtCAllowed, ftpsProtP, ftpsSessionReuse } from '../../../src/checks/ftp/protection.js';
import { checkCases } from './harness.js';
import {
  NO_LOGIN_GAP,
  cccReply,
  channel,
  failedChannel,
  ftpEndpoint,
  loginAs,
  plainFtp,
  protRound,
  vsftpdStrict,
  withChannels,
} from './facts.js';

const refused421 = { outcome: 'refused-by-server' as const, error: 'server greeted with 421 Too many connections from this IP' };
const PROFTPD = ['220 ProFTPD Server (xferscan lab ProFTPD) [10.10.10.10]'];

/** Not logged in: the PBSZ/PROT round before login is all the server showed. */
const noLogin = (replies = protRound(false)) =>
  withChannels(
    vsftpdStrict(),
    { commandReplies: replies, login: undefined, dataChannels: [], bounce: undefined, cccDetail: undefined, sessionReuse: undefined },
    [NO_LOGIN_GAP],
  );

/** ProFTPD with TLSRequired off (the lab's proftpd-tls): PROT C works, CCC is accepted. */
const proftpdLax = () =>
  withChannels(
    { ...vsftpdStrict(), greeting: PROFTPD },
    {
      commandReplies: [...protRound(false), cccReply(200)],
      dataChannels: [
        channel('EPSV', 'P', { port: 40078 }),
        channel('PASV', 'P', { port: 40070, advertisedAddress: '10.10.10.10' }),
        channel('EPSV', 'C', { port: 40072 }),
        channel('PASV', 'C', { port: 40069, advertisedAddress: '10.10.10.10' }),
      ],
      cccDetail: {
        code: 200,
        text: 'Clearing control channel protection',
        closeNotify: false,
        cleartextAfter: { code: 257, text: '"/home/xfsuser" is the current directory' },
      },
    },
  );

checkCases(ftpsProtP, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'PBSZ/PROT answered 530 before login, and no login: skipped (never read as a refusal)',
    endpoint: ftpEndpoint(noLogin(protRound(false, { pbsz: 530, protC: 530, protP: 530 }))),
    expect: {
      status: 'skipped',
      detail: /PBSZ\/PROT P could not be sent/,
      evidence: { steps: ['pbsz', 'prot-p'], some: [{ value: /^< 530/ }] },
    },
  },
  {
    name: 'PBSZ/PROT answered 530 before login and 200 after: the round after login decides',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        commandReplies: [...protRound(false, { pbsz: 530, protC: 530, protP: 530 }), ...protRound(true), cccReply(500)],
      }),
    ),
    expect: { status: 'pass', detail: /protected listings worked/ },
  },
  {
    name: 'PROT P refused after PBSZ 0 accepted: fail',
    endpoint: ftpEndpoint(noLogin(protRound(false, { protP: 536 }))),
    expect: { status: 'fail', severity: 'high', detail: /^PROT P refused \(PBSZ accepted\)$/, remediation: /force_local_data_ssl=YES/ },
  },
  {
    name: 'PBSZ and PROT both unknown commands: fail',
    endpoint: ftpEndpoint(noLogin(protRound(false, { pbsz: 500, protC: 500, protP: 500 }))),
    expect: { status: 'fail', detail: /PBSZ refused/ },
  },
  {
    name: 'PROT P accepted without a login to try a transfer: pass on the reply, saying why no transfer',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'pass', detail: /PBSZ 0 and PROT P accepted \(200\); no protected transfer tried: no login: data channels/ },
  },
  {
    name: 'protected listings worked (vsftpd require_ssl_reuse): pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail:
        /PROT P accepted and protected listings worked: EPSV PROT P \(session reuse offered\) port 40018: ok TLSv1\.3 resumed, 129 bytes \(2 entries\)/,
      remediation: 'none',
      evidence: { steps: ['pbsz', 'prot-p'], conns: ['ftp-main#7'] },
    },
  },
  {
    name: 'PROT P accepted, but every protected data connection failed its TLS handshake: fail',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { dataChannels: [failedChannel('EPSV', 'P', 'tls'), failedChannel('PASV', 'P', 'tls')] }),
    ),
    expect: { status: 'fail', detail: /PROT P accepted \(200\), but no protected data connection worked: EPSV PROT P .* failed at tls/ },
  },
]);

checkCases(ftpsProtCAllowed, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'no PBSZ/PROT round at all: skipped',
    endpoint: ftpEndpoint(noLogin([])),
    expect: { status: 'skipped', detail: /PROT C could not be tried/ },
  },
  {
    name: 'PROT C accepted and cleartext listings worked (ProFTPD TLSRequired off): fail',
    endpoint: ftpEndpoint(proftpdLax()),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^files can move in cleartext: PROT C → 200, and cleartext listings worked \(EPSV, PASV\)$/,
      remediation: /force_local_data_ssl=YES/,
      evidence: { steps: ['prot-c'], some: [{ label: /^PROT C transfer$/, value: /EPSV PROT C port 40072: ok/ }] },
    },
  },
  {
    name: 'PROT C answered 200, but every cleartext transfer refused with 522 (vsftpd): pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail:
        /PROT C → 200 PROT now Clear\., but the server refused every cleartext data connection \(522 Data connections must be encrypted\./,
    },
  },
  {
    name: 'PROT C answered 200 with no login to try it: warn, not verified',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'warn', detail: /^PROT C accepted \(200\); not verified with a transfer: no login/ },
  },
  {
    name: 'PROT C refused by reply: pass',
    endpoint: ftpEndpoint(noLogin(protRound(false, { protC: 534 }))),
    expect: { status: 'pass', detail: /^PROT C refused \(534 / },
  },
  {
    name: 'PROT C answered 200, the cleartext data connections dropped by a firewall: not verified, never "refused"',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [
          channel('EPSV', 'P', { port: 41001 }),
          failedChannel('EPSV', 'C', 'connect', { port: 41012 }),
          failedChannel('PASV', 'C', 'connect', { port: 41015 }),
        ],
      }),
    ),
    expect: { status: 'warn', detail: /not verified/ },
  },
  {
    name: 'PROT C 530 before login and 534 after: the detail cites the reply that decided',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        commandReplies: [...protRound(false, { pbsz: 530, protC: 530, protP: 530 }), ...protRound(true, { protC: 534 })],
        dataChannels: [channel('EPSV', 'P')],
      }),
    ),
    expect: { status: 'pass', detail: /PROT C refused \(534/ },
  },
]);

checkCases(ftpsDataNotTls, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  {
    name: 'no protected data connection without a login: skipped with the login gap',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'skipped', detail: /^no login: data channels, PROT C, bounce and CCC need --user/ },
  },
  {
    name: 'the login failed: skipped, naming it',
    endpoint: ftpEndpoint(withChannels(noLogin(), { login: loginAs('xfsuser', false) }, [])),
    expect: { status: 'skipped', detail: /^login as xfsuser failed \(530 Login incorrect\.\)$/ },
  },
  {
    name: 'after PROT P the data connection spoke cleartext (TLS terminated on the control channel only): fail, critical',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [
          failedChannel('PASV', 'P', 'tls', { notTls: true, error: 'cleartext data after PROT P (a directory listing, not a TLS record)' }),
        ],
      }),
    ),
    expect: {
      status: 'fail',
      severity: 'critical',
      detail: /after PROT P the data connection was not TLS: PASV PROT P/,
      evidence: { some: [{ label: /^data channel$/, value: /failed at tls/ }] },
    },
  },
  {
    name: 'no protected data connection got as far as a handshake (all dropped): skipped',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { dataChannels: [failedChannel('EPSV', 'P', 'connect'), failedChannel('PASV', 'P', 'connect')] }),
    ),
    expect: { status: 'skipped', detail: /no protected data connection got as far as a handshake/ },
  },
  {
    name: 'every protected data connection spoke TLS: pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: { status: 'pass', detail: /spoke TLS \(TLSv1\.3\)/, remediation: 'none' },
  },
]);

checkCases(ftpsCccAllowed, [
  {
    name: 'implicit FTPS refuses CCC too (500): pass — a TLS-from-connect port can still be asked to drop it',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), service: 'ftps-implicit' }),
    expect: { status: 'pass', detail: /^CCC refused \(500 Unknown command\.\)$/ },
  },
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'CCC answered 530 before login: skipped with the gap the probe recorded',
    endpoint: ftpEndpoint(
      withChannels(noLogin([...protRound(false), cccReply(530, false)]), {}, [
        NO_LOGIN_GAP,
        { step: 'ccc', reason: 'needs-login', detail: 'CCC needs a login on this server; give --user/--password-env to test it' },
      ]),
    ),
    expect: { status: 'skipped', detail: /^CCC needs a login on this server/, evidence: { steps: ['ccc'], some: [{ value: /^< 530/ }] } },
  },
  {
    name: 'CCC never sent: skipped',
    endpoint: ftpEndpoint(withChannels(vsftpdStrict(), { commandReplies: protRound(false), cccDetail: undefined })),
    expect: { status: 'skipped', detail: /^CCC was not tried$/ },
  },
  {
    name: 'vsftpd does not implement CCC (500): pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: { status: 'pass', detail: /^CCC refused \(500 Unknown command\.\)$/, evidence: { steps: ['ccc'] } },
  },
  {
    name: 'ProFTPD accepts CCC, no close_notify, PWD then answered in cleartext: fail',
    endpoint: ftpEndpoint(proftpdLax()),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /CCC accepted \(200 Clearing control channel protection\); the server sent no close_notify back; then PWD in cleartext → 257/,
      remediation: /Limit CCC/,
      evidence: { steps: ['ccc'], some: [{ value: /^> PWD$/ }] },
    },
  },
  {
    name: 'CCC answered 503 (bad sequence) after login: a sequence error, not a refusal: skipped',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        cccDetail: { code: 503, text: 'Bad sequence of commands.', closeNotify: null, cleartextAfter: null },
      }),
    ),
    expect: { status: 'skipped', detail: /^CCC answered 503 Bad sequence of commands\.: a sequence error, not a refusal/ },
  },
  {
    name: 'a reply that is neither 2xx nor 5xx (334): warn',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { cccDetail: { code: 334, text: 'Continue.', closeNotify: null, cleartextAfter: null } }),
    ),
    expect: { status: 'warn', detail: /does not say whether it is allowed \(334 Continue\.\)/ },
  },
  {
    name: 'CCC accepted with close_notify, no cleartext command confirmed: still fail',
    endpoint: ftpEndpoint(
      withChannels(proftpdLax(), { cccDetail: { code: 200, text: 'CCC command successful', closeNotify: true, cleartextAfter: null } }),
    ),
    expect: { status: 'fail', detail: /close_notify exchanged; no cleartext command was confirmed afterwards/ },
  },
]);

const reuseRun = (ok: boolean, code: number, error: string | null = null) => ({ ok, code, error });

checkCases(ftpsSessionReuse, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  {
    name: 'no reuse experiment without a login: skipped',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'skipped', detail: /^no login/ },
  },
  {
    name: 'vsftpd require_ssl_reuse: fails without resumption, works with it: info, required',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'info',
      severity: 'info',
      detail:
        /^session reuse required\. TLSv1\.3: fails without resumption \(522 SSL connection failed: session reuse required\), works with it \(session resumed\)$/,
      evidence: { some: [{ label: /^TLSv1\.3 without reuse$/ }, { label: /^TLSv1\.3 with reuse$/ }] },
    },
  },
  {
    name: 'Pure-FTPd: works without resumption on both versions: info, not required',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        sessionReuse: {
          'TLSv1.3': { withoutReuse: reuseRun(true, 226), withReuse: { ok: true, code: 226, resumed: false, error: null } },
          'TLSv1.2': { withoutReuse: reuseRun(true, 226), withReuse: { ok: true, code: 226, resumed: true, error: null } },
        },
      }),
    ),
    expect: {
      status: 'info',
      detail: /^session reuse not required\. TLSv1\.3: works without resumption, works with it \(the server did not resume\)/,
    },
  },
  {
    name: 'fails without resumption, the run with it could not log in: undetermined',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        sessionReuse: { 'TLSv1.2': { withoutReuse: reuseRun(false, 425, '425 Unable to build data connection'), withReuse: null } },
      }),
    ),
    expect: { status: 'info', detail: /^session reuse undetermined\./ },
  },
  {
    name: 'TLS 1.3 transfers fail even with resumption: warn, medium',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        sessionReuse: {
          'TLSv1.3': {
            withoutReuse: reuseRun(false, 522, '522 SSL connection failed: session reuse required'),
            withReuse: { ok: false, code: 522, resumed: false, error: '522 SSL connection failed: session reuse required' },
          },
          'TLSv1.2': {
            withoutReuse: reuseRun(false, 522, '522 SSL connection failed: session reuse required'),
            withReuse: { ok: true, code: 226, resumed: true, error: null },
          },
        },
      }),
    ),
    expect: {
      status: 'warn',
      severity: 'medium',
      detail: /^session reuse required; data connections fail on TLSv1\.3 even with resumption/,
      remediation: /cap it at TLS 1\.2/,
    },
  },
]);
