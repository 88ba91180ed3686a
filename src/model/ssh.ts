// SSH facts: the raw KEXINIT inventory, host keys, group-exchange sizes, auth methods and, with
// credentials, the SFTP subsystem and what the account may do besides SFTP.
import Type, { type Static } from 'typebox';
import { Bool, Count, Int, List, Opt, Str, StrList, dictionary, nullable, obj, strEnum } from './util.js';
import { GapSchema } from './common.js';

export const SshHostKeySchema = obj({
  type: Str(),
  bits: nullable(Int()),
  fingerprintSha256: Str(),
  algorithm: Opt(Str('host-key algorithm negotiated to fetch it (e.g. rsa-sha2-512)')),
  algorithms: Opt(StrList('every offered host-key algorithm that uses this key')),
  curve: Opt(Str('ECDSA curve (nistp256 …)')),
  certificate: Opt(Bool("an OpenSSH host certificate; the fingerprint is the certified key's")),
});
export type SshHostKey = Static<typeof SshHostKeySchema>;

export const SshGexProbeSchema = obj(
  {
    label: Str("'default' (1024/2048/8192) or 'small' (1024/1024/8192)"),
    min: Int(),
    n: Int(),
    max: Int(),
    kex: nullable(Str()),
    bits: nullable(Int('bits of the modulus p the server sent; null when it refused or failed')),
    error: nullable(Str()),
  },
  'one KEX_DH_GEX_REQUEST and the modulus the server answered with',
);
export type SshGexProbe = Static<typeof SshGexProbeSchema>;

export const HARDENING_VERDICTS = ['refused', 'allowed', 'error'] as const;
export type HardeningVerdict = (typeof HARDENING_VERDICTS)[number];

export const SshSftpOnlyFactsSchema = obj(
  {
    shell: strEnum(HARDENING_VERDICTS),
    exec: strEnum(HARDENING_VERDICTS),
    forwarding: strEnum(HARDENING_VERDICTS),
    details: obj({ shell: Str(), exec: Str(), forwarding: Str() }),
  },
  'derived from hardening: shell, exec and forwarding allowed, refused, or undecided (error)',
);
export type SshSftpOnlyFacts = Static<typeof SshSftpOnlyFactsSchema>;

/** One channel request (exec or shell) on a fresh logged-in connection, as it happened. */
export const SshChannelAttemptSchema = obj({
  openError: nullable(Str('why the channel or the request was refused, as the server or ssh2 said')),
  reason: nullable(Int('SSH_MSG_CHANNEL_OPEN_FAILURE reason code, when the channel itself was refused')),
  stdout: Str('what came back (masked, at most 1 KiB)'),
  stderr: Str(),
  exitCode: nullable(Int()),
  exitSignal: nullable(Str()),
  closed: Bool('the channel closed (rather than timing out)'),
  connectionLost: Bool('the connection died under the request: no answer from the server about it'),
  nonceSeen: Bool('our random marker came back: the command really ran'),
  tries: Count('connections used (a dead one is tried again on a fresh connection)'),
});
export type SshChannelAttempt = Static<typeof SshChannelAttemptSchema>;

export const SshForwardAttemptSchema = obj({
  opened: Bool('a direct-tcpip channel opened'),
  openError: nullable(Str()),
  reason: nullable(Int('1 administratively prohibited, 2 connect failed, 3 unknown channel type, 4 resource shortage')),
  connectionLost: Bool(),
  tries: Count(),
});
export type SshForwardAttempt = Static<typeof SshForwardAttemptSchema>;

export const SshHardeningSchema = obj(
  { exec: SshChannelAttemptSchema, shell: SshChannelAttemptSchema, forwarding: SshForwardAttemptSchema },
  'what a logged-in file-transfer account could do besides SFTP, each tried on a fresh connection',
);
export type SshHardening = Static<typeof SshHardeningSchema>;

export const SftpSubsystemFactsSchema = obj({
  opened: Bool(),
  version: nullable(Int()),
  extensions: dictionary(Str()),
  realpath: Opt(nullable(Str("realpath('.') answered, proving the subsystem serves requests"))),
  error: nullable(Str()),
});
export type SftpSubsystemFacts = Static<typeof SftpSubsystemFactsSchema>;

export const SshAuditPlanSchema = obj(
  {
    rttMs: nullable(Type.Number({ description: 'the smallest request → reply time measured (null: no clean sample)' })),
    toKexinit: Count("round trips until the first KEXINIT (1 on detection's connection, 2 on a new one)"),
    branch: Count('the longest branch started once the KEXINIT is in (auth with ssh2: 5)'),
    extraHostKeys: Count('host-key families fetched on connections of their own, 3 round trips each'),
    lowerBoundRtts: Count(),
    lowerBoundMs: nullable(Type.Number()),
  },
  'how the audit was planned and the round trips it cannot do without',
);
export type SshAuditPlan = Static<typeof SshAuditPlanSchema>;

export const SshFactsSchema = obj({
  banner: Str(),
  preBanner: Opt(StrList('lines the server sent before its identification line')),
  protoVersion: Str(),
  software: Str(),
  comments: Opt(Str()),
  kex: StrList(),
  hostKeyAlgorithms: StrList(),
  ciphers: StrList(),
  macs: StrList(),
  compression: StrList(),
  hostKeys: List(SshHostKeySchema),
  authMethods: StrList(),
  strictKex: nullable(Bool()),
  sftp: nullable(SftpSubsystemFactsSchema),
  kexMarkers: Opt(StrList('markers from the kex list (kex-strict-s-v00@openssh.com, ext-info-s)')),
  ciphersClientToServer: Opt(StrList('present only where it differs from the server-to-client list')),
  macsClientToServer: Opt(StrList()),
  compressionClientToServer: Opt(StrList()),
  kexinitWarnings: Opt(StrList("odd things in the server's KEXINIT (invalid names, trailing bytes)")),
  hostKeysNotFetched: Opt(List(obj({ algorithm: Str(), algorithms: StrList(), reason: Str() }))),
  gex: Opt(List(SshGexProbeSchema)),
  authProbe: Opt(
    obj(
      { ok: Bool(), error: nullable(Str()), noneAccepted: Bool(), username: nullable(Str()) },
      'how the auth-method probe went: methods are only meaningful when ok',
    ),
  ),
  preLoginBanner: Opt(nullable(Str('SSH_MSG_USERAUTH_BANNER text shown before login'))),
  login: Opt(nullable(obj({ attempted: Bool(), ok: Bool(), method: nullable(Str()), error: nullable(Str()) }))),
  sftpOnly: Opt(nullable(SshSftpOnlyFactsSchema)),
  hardening: Opt(nullable(SshHardeningSchema)),
  audit: Opt(
    obj({
      connections: Count(),
      ms: Type.Number(),
      blocked: Bool(),
      notes: StrList(),
      rttMs: Opt(nullable(Type.Number())),
      lowerBoundMs: Opt(nullable(Type.Number())),
      plan: Opt(SshAuditPlanSchema),
    }),
  ),
  gaps: Opt(List(GapSchema)),
});
export type SshFacts = Static<typeof SshFactsSchema>;
