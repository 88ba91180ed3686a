// The FTP derive layer, table-driven from fact fixtures shaped as the probes record them.
import {
  anonymousCanWrite,
  bounceVerdict,
  anonymousLoginWorks,
  cccAccepted,
  cleartextLoginPossible,
  passivePortsSeen,
  protection,
  sessionReuseRequired,
} from '../../../src/derive/ftp.js';
import type { FtpCommandReply, FtpDataChannel, FtpFacts, FtpLoginPolicyProbe, Service } from '../../../src/model.js';
import { table } from './table.js';
import { anonymousAttempt, cccReply, channel, failedChannel, loginAs, loginObservation, protRound, sample } from '../checks/facts.js';

table<FtpFacts['anonymous'] | undefined, boolean | null>('anonymousLoginWorks', anonymousLoginWorks, [
  { name: 'the probe did not run', input: undefined, want: null },
  { name: 'it could not connect (not tried)', input: anonymousAttempt({ tried: false, userCode: null, conn: null }), want: null },
  { name: 'USER anonymous → 530 (vsftpd over TLS)', input: anonymousAttempt({ userCode: 530 }), want: false },
  { name: '331, then PASS → 530 (ProFTPD)', input: anonymousAttempt({ userCode: 331, passCode: 530 }), want: false },
  { name: '331, then PASS → 230 (vsftpd-plain)', input: anonymousAttempt({ userCode: 331, passCode: 230, accepted: true }), want: true },
  { name: '230 at USER (Pure-FTPd with anonymous on)', input: anonymousAttempt({ userCode: 230, accepted: true }), want: true },
  {
    name: '331 settled without a password by known behaviour (Pure-FTPd -E)',
    input: anonymousAttempt({ userCode: 331, decidedBy: 'Pure-FTPd logs anonymous users in at USER …' }),
    want: false,
  },
  { name: 'the connection dropped after USER 331: undecided', input: anonymousAttempt({ userCode: 331 }), want: null },
  { name: 'the connection dropped before any reply: undecided', input: anonymousAttempt({ userCode: null }), want: null },
]);

type PolicyInput = { service: Service | null; probes: FtpLoginPolicyProbe[] | undefined };
const PASS_530 = { code: 530, text: 'Login incorrect.' };

table<PolicyInput, boolean | null>('cleartextLoginPossible', (i) => cleartextLoginPossible(i.service, i.probes), [
  { name: 'implicit FTPS: TLS from the first byte', input: { service: 'ftps-implicit', probes: undefined }, want: false },
  { name: 'the probe did not run', input: { service: 'ftps-explicit', probes: undefined }, want: null },
  { name: 'it ran and observed nothing (both connections failed)', input: { service: 'ftps-explicit', probes: [] }, want: null },
  {
    name: 'USER refused before AUTH (530)',
    input: {
      service: 'ftps-explicit',
      probes: [loginObservation('random', { code: 530, text: 'Non-anonymous sessions must use encryption.' })],
    },
    want: false,
  },
  {
    name: '331 and a made-up password judged in cleartext (530 Login incorrect)',
    input: { service: 'ftps-explicit', probes: [loginObservation('random', { code: 331, text: 'Password required' }, PASS_530)] },
    want: true,
  },
  {
    name: 'the given user gets 331 (no password sent)',
    input: { service: 'ftp', probes: [loginObservation('given', { code: 331, text: 'Please specify the password.' })] },
    want: true,
  },
  {
    name: 'a made-up password accepted',
    input: { service: 'ftp', probes: [loginObservation('random', { code: 331, text: 'Password required' }, { code: 230, text: 'OK' })] },
    want: true,
  },
  {
    name: 'the password asked for, then refused for lack of TLS: the password has crossed in cleartext',
    input: {
      service: 'ftps-explicit',
      probes: [loginObservation('random', { code: 331, text: 'Password required' }, { code: 534, text: 'Policy requires SSL.' })],
    },
    want: true,
  },
  {
    name: 'USER answered with nothing a rule decides (200): undecided',
    input: { service: 'ftps-explicit', probes: [loginObservation('random', { code: 200, text: 'OK' })] },
    want: null,
  },
]);

type ProtInput = { replies: FtpCommandReply[] | undefined; channels: FtpDataChannel[] };
const none = { pbsz: null, protP: null, protC: null };
const all = { pbsz: true, protP: true, protC: true };

table<ProtInput, Pick<FtpFacts, 'pbsz' | 'protP' | 'protC'>>('protection', (i) => protection(i.replies, i.channels), [
  { name: 'no PBSZ/PROT sent', input: { replies: undefined, channels: [] }, want: none },
  { name: 'answered 200 before login, no transfers: the replies decide', input: { replies: protRound(false), channels: [] }, want: all },
  {
    name: 'answered 530 before login and 200 after: the round after login decides',
    input: { replies: [...protRound(false, { pbsz: 530, protC: 530, protP: 530 }), ...protRound(true)], channels: [] },
    want: all,
  },
  {
    name: 'answered 530 before login, no login: nothing is known (never read as refused)',
    input: { replies: protRound(false, { pbsz: 530, protC: 530, protP: 530 }), channels: [] },
    want: none,
  },
  {
    name: 'one 530 in the round before login is enough to wait for the round after',
    input: { replies: protRound(false, { protC: 530 }), channels: [] },
    want: none,
  },
  {
    name: 'PROT P refused (536)',
    input: { replies: protRound(false, { protP: 536 }), channels: [] },
    want: { pbsz: true, protP: false, protC: true },
  },
  {
    name: 'PBSZ unknown (500)',
    input: { replies: protRound(false, { pbsz: 500 }), channels: [] },
    want: { pbsz: false, protP: true, protC: true },
  },
  {
    name: 'PROT C answered 200, every cleartext transfer refused with 522 (vsftpd): the transfers decide',
    input: {
      replies: protRound(false),
      channels: [channel('EPSV', 'P'), failedChannel('EPSV', 'C', 'transfer'), failedChannel('PASV', 'C', 'transfer')],
    },
    want: { pbsz: true, protP: true, protC: false },
  },
  {
    name: 'PROT C answered 534, yet a cleartext listing worked: the transfer decides',
    input: { replies: protRound(false, { protC: 534 }), channels: [channel('EPSV', 'C')] },
    want: all,
  },
  {
    name: 'one cleartext transfer worked, another refused: allowed',
    input: { replies: protRound(false), channels: [failedChannel('EPSV', 'C', 'transfer'), channel('PASV', 'C')] },
    want: all,
  },
  {
    name: 'PROT P/C sent around transfers and in the reuse experiment are not the round',
    input: {
      replies: [
        { command: 'PROT P', code: 200, text: 'PROT now Private.', loggedIn: true, conn: 'ftp-main#7', step: 'transfer' },
        { command: 'PROT P', code: 200, text: 'PROT now Private.', loggedIn: true, conn: 'reuse-TLSv1.3-with#9', step: 'session-reuse' },
        cccReply(500),
      ],
      channels: [],
    },
    want: none,
  },
  {
    name: 'the connection dropped after PBSZ (no PROT P reply)',
    input: { replies: protRound(false).slice(0, 1), channels: [] },
    want: none,
  },
  {
    name: 'PROT C 200, the cleartext data connections dropped by a firewall: the reply stands',
    input: { replies: protRound(false), channels: [channel('EPSV', 'P'), failedChannel('EPSV', 'C', 'connect')] },
    want: all,
  },
]);

table<FtpFacts['cccDetail'] | undefined, boolean | null>('cccAccepted', cccAccepted, [
  { name: 'not tried', input: undefined, want: null },
  { name: 'not tried (null)', input: null, want: null },
  {
    name: '200 (ProFTPD, Pure-FTPd)',
    input: { code: 200, text: 'Clearing control channel protection', closeNotify: false, cleartextAfter: null },
    want: true,
  },
  {
    name: '500 (vsftpd does not implement it)',
    input: { code: 500, text: 'Unknown command.', closeNotify: null, cleartextAfter: null },
    want: false,
  },
  { name: '534 (refused by policy)', input: { code: 534, text: 'CCC not allowed', closeNotify: null, cleartextAfter: null }, want: false },
]);

const run = (ok: boolean, code: number | null, error: string | null = null) => ({ ok, code, error });
table<FtpFacts['sessionReuse'] | undefined, boolean | null>('sessionReuseRequired', sessionReuseRequired, [
  { name: 'no experiment', input: undefined, want: null },
  { name: 'no version tried', input: {}, want: null },
  {
    name: 'fails without resumption, works with it (vsftpd require_ssl_reuse)',
    input: { 'TLSv1.3': { withoutReuse: run(false, 522), withReuse: { ok: true, code: 226, resumed: true, error: null } } },
    want: true,
  },
  { name: 'works without resumption', input: { 'TLSv1.2': { withoutReuse: run(true, 226), withReuse: null } }, want: false },
  {
    name: 'fails without, the run with it never happened: undecided',
    input: { 'TLSv1.2': { withoutReuse: run(false, 425), withReuse: null } },
    want: null,
  },
  {
    name: 'fails both ways: undecided (something else is broken)',
    input: { 'TLSv1.3': { withoutReuse: run(false, 522), withReuse: { ok: false, code: 522, resumed: false, error: '522' } } },
    want: null,
  },
  {
    name: 'required on one version, not on the other: required',
    input: {
      'TLSv1.3': { withoutReuse: run(true, 226), withReuse: null },
      'TLSv1.2': { withoutReuse: run(false, 425), withReuse: { ok: true, code: 226, resumed: true, error: null } },
    },
    want: true,
  },
]);

table<{ channels: FtpDataChannel[]; samples: Parameters<typeof passivePortsSeen>[1] }, number[]>(
  'passivePortsSeen',
  (i) => passivePortsSeen(i.channels, i.samples),
  [
    { name: 'nothing', input: { channels: [], samples: undefined }, want: [] },
    {
      name: 'transfers first, then samples, each port once; active ports and refusals left out',
      input: {
        channels: [
          channel('EPSV', 'P', { port: 40018 }),
          channel('PORT', 'P', { port: 45000 }),
          channel('PASV', 'C', { port: 40009 }),
          failedChannel('EPRT', 'C', 'setup'),
        ],
        samples: [sample('PASV', 40009), sample('EPSV', 40001), sample('PASV', null)],
      },
      want: [40018, 40009, 40001],
    },
  ],
);

type WriteInput = Pick<FtpFacts, 'login' | 'writeTest' | 'anonymousWriteTest'>;
const stored = (file: string): NonNullable<FtpFacts['writeTest']> => ({
  file,
  uploaded: true,
  verified: true,
  deleted: true,
  leftBehind: null,
  error: null,
});
const refusedUpload: NonNullable<FtpFacts['writeTest']> = {
  file: 'f',
  uploaded: false,
  verified: null,
  deleted: false,
  leftBehind: null,
  error: 'no upload accepted',
};

table<WriteInput, boolean | null>('anonymousCanWrite', anonymousCanWrite, [
  { name: 'no login', input: {}, want: null },
  {
    name: 'the write test ran as a named user: says nothing about anonymous',
    input: { login: loginAs('xfsuser'), writeTest: stored('f') },
    want: null,
  },
  { name: 'anonymous, no --write-test', input: { login: loginAs('anonymous') }, want: null },
  { name: 'anonymous main session, upload stored', input: { login: loginAs('anonymous'), writeTest: stored('incoming/f') }, want: true },
  { name: 'anonymous main session, every upload refused', input: { login: loginAs('anonymous'), writeTest: refusedUpload }, want: false },
  {
    name: 'a named user wrote; anonymous on its own session stored a file too',
    input: { login: loginAs('xfsuser'), writeTest: stored('f'), anonymousWriteTest: stored('incoming/g') },
    want: true,
  },
  {
    name: 'a named user wrote; anonymous on its own session was refused',
    input: { login: loginAs('xfsuser'), writeTest: stored('f'), anonymousWriteTest: refusedUpload },
    want: false,
  },
]);

table<{ code: number; accepted: boolean; connected?: boolean | null }, ReturnType<typeof bounceVerdict>>('bounceVerdict', bounceVerdict, [
  { name: '200 to PORT: accepted', input: { code: 200, accepted: true, connected: false }, want: 'accepted' },
  { name: '425: the server tried to connect (RFC 959)', input: { code: 425, accepted: false, connected: false }, want: 'tried to connect' },
  { name: '426: the same', input: { code: 426, accepted: false, connected: null }, want: 'tried to connect' },
  {
    name: 'our listener saw it connect, whatever the reply',
    input: { code: 500, accepted: false, connected: true },
    want: 'tried to connect',
  },
  { name: '530: needs a login', input: { code: 530, accepted: false, connected: false }, want: 'needs a login' },
  { name: '500/501/502/504: refused', input: { code: 501, accepted: false, connected: false }, want: 'refused' },
  { name: '350: undecided', input: { code: 350, accepted: false, connected: false }, want: 'undecided' },
]);
