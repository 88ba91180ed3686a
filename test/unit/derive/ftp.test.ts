// The FTP derive layer, table-driven from fact fixtures shaped as the probes record them.
import {
  anonymousCanWrite,
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
    defect: 'derived cleartextLogin is false, while FTP-CLEARTEXT-LOGIN warns that a client sends its password in cleartext',
    input: {
      service: 'ftps-explicit',
      probes: [loginObservation('random', { code: 331, text: 'Password required' }, { code: 534, text: 'Policy requires SSL.' })],
    },
    want: true,
  },
  {
    name: 'USER answered with nothing a rule decides (200): undecided',
    defect: "a verdict of 'unknown' counts as refused",
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
    defect: 'a cleartext transfer that failed at TCP connect (the network, not the server) makes protC false',
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

table<{ login: FtpFacts['login'] | undefined; write: FtpFacts['writeTest'] | undefined }, boolean | null>(
  'anonymousCanWrite',
  (i) => anonymousCanWrite(i.login, i.write),
  [
    { name: 'no login', input: { login: undefined, write: undefined }, want: null },
    {
      name: 'the write test ran as a named user: says nothing about anonymous',
      input: {
        login: loginAs('xfsuser'),
        write: { file: 'f', uploaded: true, verified: true, deleted: true, leftBehind: null, error: null },
      },
      want: null,
    },
    { name: 'anonymous, no --write-test', input: { login: loginAs('anonymous'), write: undefined }, want: null },
    {
      name: 'anonymous, upload stored',
      input: {
        login: loginAs('anonymous'),
        write: { file: 'incoming/f', uploaded: true, verified: true, deleted: true, leftBehind: null, error: null },
      },
      want: true,
    },
    {
      name: 'anonymous, every upload refused',
      input: {
        login: loginAs('anonymous'),
        write: { file: 'f', uploaded: false, verified: null, deleted: false, leftBehind: null, error: 'no upload accepted' },
      },
      want: false,
    },
  ],
);
