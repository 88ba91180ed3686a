// FTP facts: what detection read before login (greeting, FEAT, SYST, AUTH replies), the login
// policy and anonymous probes, and what really happened on the data channels.
import type { Static } from 'typebox';
import { Bool, Count, Int, List, Opt, Port, Str, StrList, keyedBy, nullable, obj, strEnum } from './util.js';
import { GapSchema, PortStateSchema, StepSchema } from './common.js';

const Reply = obj({ code: Int(), text: Str() });

export const DATA_MODES = ['PASV', 'EPSV', 'PORT', 'EPRT'] as const;
export type DataMode = (typeof DATA_MODES)[number];

export const FtpDataChannelSchema = obj({
  mode: strEnum(DATA_MODES),
  protection: strEnum(['P', 'C'] as const),
  ok: Bool(),
  advertisedAddress: nullable(Str()),
  port: nullable(Int()),
  error: nullable(Str()),
  reuseOffered: Opt(Bool("whether we offered to resume the control channel's TLS session")),
  connectAddress: Opt(nullable(Str('where we connected (passive) or listened (active)'))),
  failedStep: Opt(nullable(strEnum(['setup', 'connect', 'tls', 'transfer', 'reply'] as const))),
  connectState: Opt(nullable(PortStateSchema)),
  activeSourcePort: Opt(nullable(Port('active mode: the port the server data connection came from (20/989 by convention, or ephemeral)'))),
  replies: Opt(
    obj(
      { setup: nullable(Int()), start: nullable(Int()), end: nullable(Int()) },
      "reply codes: to PASV/EPSV/PORT/EPRT, the transfer's first reply, its last",
    ),
  ),
  tls: Opt(
    nullable(
      obj(
        { protocol: nullable(Str()), cipher: nullable(Str()), resumed: Bool(), fingerprintSha256: nullable(Str()) },
        'TLS of the data connection as negotiated',
      ),
    ),
  ),
  notTls: Opt(Bool('PROT P agreed, but the data connection was not TLS')),
  bytes: Opt(Int()),
  entries: Opt(nullable(Int("entries in the listing, parsed with basic-ftp's list parser"))),
  controlTlsVersion: Opt(nullable(Str("the control channel's TLS version when this ran"))),
  conn: Opt(Str('the transcript connection this ran on')),
});
export type FtpDataChannel = Static<typeof FtpDataChannelSchema>;

export const FtpLoginPolicyProbeSchema = obj(
  {
    kind: strEnum(['random', 'given'] as const, "random: a made-up name; given: --user's name (never a real password)"),
    user: Str(),
    userReply: Reply,
    passReply: nullable(Reply),
    verdict: strEnum(['refused', 'password-requested', 'refused-at-password', 'accepted', 'unknown'] as const),
    conn: Str(),
  },
  'one observation of logging in before TLS: what the server said to USER (and to a made-up PASS)',
);
export type FtpLoginPolicyProbe = Static<typeof FtpLoginPolicyProbeSchema>;

export const FtpPassiveSampleSchema = obj({
  command: strEnum(['PASV', 'EPSV'] as const),
  advertisedAddress: nullable(Str()),
  port: nullable(Int()),
  reachable: nullable(PortStateSchema),
  reply: Str(),
  channel: strEnum(['tls', 'clear'] as const),
});
export type FtpPassiveSample = Static<typeof FtpPassiveSampleSchema>;

export const FtpCommandReplySchema = obj({
  command: Str(),
  code: Int(),
  text: Str(),
  loggedIn: Bool(),
  conn: Str(),
  step: Opt(StepSchema),
});
export type FtpCommandReply = Static<typeof FtpCommandReplySchema>;

/** --write-test: upload a uniquely named file, read it back, delete it; what is left, if anything. */
const WriteTestSchema = obj({
  file: Str(),
  uploaded: Bool(),
  verified: nullable(Bool()),
  deleted: Bool(),
  leftBehind: nullable(Str()),
  error: nullable(Str()),
});

const SequenceStepSchema = obj(
  {
    command: strEnum(['LIST', 'STOR', 'RETR', 'DELE'] as const),
    ok: Bool(),
    replies: obj({ setup: nullable(Int()), start: nullable(Int()), end: nullable(Int()) }, 'DELE: its reply is end'),
    failedStep: nullable(strEnum(['setup', 'connect', 'tls', 'transfer', 'reply'] as const)),
    error: nullable(Str()),
    bytes: Count(),
    verified: Opt(nullable(Bool('RETR: the download matched what STOR uploaded (SHA-256)'))),
    tls: nullable(
      obj(
        {
          version: nullable(Str()),
          offered: strEnum(['none', 'latest', 'control'] as const, 'the session we offered to resume'),
          resumed: Bool(),
          offeredBefore: Bool('the session offered is one an earlier data connection of this sequence offered too'),
          tickets: Count('NewSessionTickets the server sent on this data connection'),
          closeNotify: nullable(Bool('the server ended the data connection with close_notify; null: undecided')),
        },
        'the data connection TLS (null: no TLS, or no data connection)',
      ),
    ),
    activeSourcePort: Opt(nullable(Port())),
    controlTickets: Count('NewSessionTickets received on the control connection by the end of this step (running total)'),
  },
  'one step of the transfer sequence',
);
export type FtpSequenceStep = Static<typeof SequenceStepSchema>;

export const FtpSequenceRunSchema = obj(
  {
    mode: strEnum(DATA_MODES),
    offer: strEnum(
      ['latest', 'control'] as const,
      'latest: offer the newest ticket from any connection (curl, basic-ftp 5+); control: always the control connection own session',
    ),
    controlTlsVersion: nullable(Str()),
    controlTicketsAtLogin: Count('NewSessionTickets received on the control connection before the first transfer'),
    steps: List(SequenceStepSchema),
    skipped: StrList('steps not run, and why'),
    stoppedEarly: nullable(Str('why the sequence ended before its last step')),
    conn: Str(),
    again: Opt(
      nullable(
        obj(
          {
            steps: List(SequenceStepSchema),
            stoppedEarly: nullable(Str()),
            conn: Str(),
          },
          'the same run once more on a fresh session, made because this one failed a transfer after the first worked: a failure the server repeats, or one it does not',
        ),
      ),
    ),
  },
  'the sequence a real client runs (LIST, STOR, LIST, RETR, DELE) on one control connection',
);
export type FtpSequenceRun = Static<typeof FtpSequenceRunSchema>;

export const FtpTransferSequenceSchema = obj({
  runs: List(FtpSequenceRunSchema),
  leftBehind: nullable(Str('a test file that could not be removed')),
  notRun: nullable(Str('why no sequence ran')),
});
export type FtpTransferSequence = Static<typeof FtpTransferSequenceSchema>;

const ReuseRun = obj({ ok: Bool(), code: nullable(Int()), error: nullable(Str()) });

export const FtpFactsSchema = obj({
  greeting: StrList('the 220 greeting, all lines'),
  syst: Opt(nullable(Str())),
  features: nullable(StrList()),
  authTls: nullable(Bool()),
  authSsl: nullable(Bool()),
  pbsz: nullable(Bool()),
  protP: nullable(Bool()),
  protC: nullable(Bool('derived: cleartext data connections really work (decided by transfers where there were any)')),
  ccc: nullable(Bool()),
  cleartextLogin: nullable(Bool('derived from loginPolicy')),
  anonymousLogin: nullable(Bool('derived from anonymous')),
  sessionReuseRequired: nullable(Bool('derived from sessionReuse')),
  dataChannels: List(FtpDataChannelSchema),
  passivePortsSeen: List(Port(), { description: 'derived: every passive port advertised to us' }),
  authReplies: Opt(List(obj({ command: Str(), code: nullable(Int()), text: Str() }))),
  commandReplies: Opt(List(FtpCommandReplySchema)),
  loginPolicy: Opt(List(FtpLoginPolicyProbeSchema)),
  anonymous: Opt(
    nullable(
      obj({
        tried: Bool(),
        overTls: Bool(),
        userCode: nullable(Int()),
        passCode: nullable(Int()),
        accepted: Bool(),
        canWrite: nullable(Bool()),
        conn: nullable(Str()),
        decidedBy: Opt(Str('set when the USER reply settled it without a password, from known server behaviour (why)')),
      }),
    ),
  ),
  login: Opt(
    nullable(
      obj(
        { user: Str(), anonymous: Bool(), ok: Bool(), code: nullable(Int()), overTls: Bool(), error: nullable(Str()) },
        'how the main session logged in',
      ),
    ),
  ),
  bounce: Opt(
    List(
      obj({
        command: Str(),
        code: Int(),
        text: Str(),
        accepted: Bool('the reply accepted the foreign address (2xx)'),
        connected: Opt(nullable(Bool('our listener at the foreign address saw the server connect (loopback scans only)'))),
      }),
    ),
  ),
  cccDetail: Opt(nullable(obj({ code: Int(), text: Str(), closeNotify: nullable(Bool()), cleartextAfter: nullable(Reply) }))),
  sessionReuse: Opt(
    keyedBy(
      ['TLSv1.2', 'TLSv1.3'] as const,
      obj({
        withoutReuse: ReuseRun,
        withReuse: nullable(obj({ ok: Bool(), code: nullable(Int()), resumed: nullable(Bool()), error: nullable(Str()) })),
      }),
      'session-reuse experiments per control-channel TLS version',
    ),
  ),
  passiveSamples: Opt(List(FtpPassiveSampleSchema)),
  writeTest: Opt(nullable(WriteTestSchema)),
  anonymousWriteTest: Opt(nullable(WriteTestSchema)),
  transferSequence: Opt(nullable(FtpTransferSequenceSchema)),
  notes: Opt(StrList('why some experiments could not run, in words (the gaps, rendered)')),
  gaps: Opt(List(GapSchema)),
});
export type FtpFacts = Static<typeof FtpFactsSchema>;
