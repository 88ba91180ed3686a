// The report model: what probes gather (facts), what checks conclude (findings), and the
// JSON report contract of DESIGN.md (schemaVersion 1). Fields may be added, never renamed.

import type { Integrity, ScannerInfo } from './report-meta.js';
import type { ComplianceView } from './profiles/compliance.js';
import type { FirewallView } from './firewall/index.js';

export type PortState = 'open' | 'closed' | 'filtered' | 'unreachable' | 'timeout';

/** Closed vocabulary of connection outcomes (DESIGN.md). PortState is its TCP-level subset. */
export type ConnectionOutcome = PortState | 'tls-handshake-failed' | 'protocol-error' | 'refused-by-server';

export type Service = 'sftp' | 'ftps-implicit' | 'ftps-explicit' | 'ftp' | 'tls-unknown' | 'unknown';

export type FindingStatus = 'pass' | 'fail' | 'warn' | 'info' | 'error' | 'skipped';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** One line of a conversation with the server. Passwords are redacted before they get here. */
export interface TranscriptLine {
  /** ISO timestamp */
  t: string;
  /** which connection this belongs to, e.g. "detect#1" */
  conn: string;
  dir: 'client' | 'server' | 'note';
  text: string;
}

export interface Evidence {
  /** what this piece of evidence shows */
  label: string;
  /** raw reply lines, handshake facts, … */
  value: string;
  /** transcript connection id it was taken from, if any */
  conn?: string;
  t?: string;
}

export interface Finding {
  id: string;
  status: FindingStatus;
  severity: Severity;
  title: string;
  detail: string;
  remediation: string;
  controls: string[];
  evidence: Evidence[];
}

export interface TlsCertificateFacts {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  keyType: string;
  keyBits: number | null;
  signatureAlgorithm: string;
  selfSigned: boolean;
  fingerprintSha256: string;
  /** position in the chain as sent (0 = leaf) */
  index?: number;
  serialNumber?: string;
  /** EC curve (prime256v1 …) for EC keys */
  keyCurve?: string | null;
  /** notAfter - notBefore in days */
  lifetimeDays?: number | null;
  isCA?: boolean;
  /** hash behind signatureAlgorithm: md5 | sha1 | sha256 | … */
  signatureHash?: string | null;
  fingerprintSha1?: string;
  parseError?: string;
}

export interface TlsValidation {
  trusted: boolean;
  error: string | null;
  trustAnchor: string | null;
  trustSource: 'system' | 'ca-file' | null;
  hostname: string | null;
  hostnameMatch: boolean | null;
  chainOrderProblem: string | null;
}

export interface TlsFacts {
  protocols: Partial<Record<'SSLv2' | 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', boolean>>;
  cipherSuites: Record<string, string[]>;
  serverPreference: boolean | null;
  groups: string[];
  certificate: TlsCertificateFacts | null;
  chain: TlsCertificateFacts[];
  /** what the detection handshake negotiated (Node/OpenSSL view) */
  negotiated?: { protocol: string | null; cipher: string | null };
  // --- from the hello-level TLS prober (src/tls) ---
  serverPreferenceByVersion?: Record<string, boolean | null>;
  /** smallest finite-field DH prime (bits) in a DHE ServerKeyExchange; null when no DHE suite */
  dhBits?: number | null;
  /** RFC 5746 renegotiation_info answered (TLS <= 1.2); null when no TLS <= 1.2 handshake */
  secureRenegotiation?: boolean | null;
  /** RFC 7627 extended_master_secret answered (TLS <= 1.2); null when no TLS <= 1.2 handshake */
  extendedMasterSecret?: boolean | null;
  /** TLS_FALLBACK_SCSV (RFC 7507): null = test inconclusive */
  fallbackScsv?: 'protected' | 'not-protected' | 'n/a' | null;
  /** TLS compression chosen when offered ('none', 'DEFLATE', …); null = untested */
  compression?: string | null;
  /** certificate path validation and name match (src/tls/certs.ts) */
  validation?: TlsValidation | null;
  /**
   * Further certificates the server presents, each with its chain (e.g. an ECDSA certificate
   * beside the RSA one, chosen by the cipher suite). Seen in TLS <= 1.2 handshakes, where the
   * Certificate message is in clear; absent when there is only one.
   */
  otherCertificates?: { chain: TlsCertificateFacts[]; validation: TlsValidation }[];
  /** what the data channel negotiated, to compare with the control channel (TLS-DATA-CHANNEL-DIFFERS) */
  dataChannel?: { protocol: string | null; cipher: string | null; fingerprintSha256: string | null } | null;
  /** the prober's bookkeeping */
  probe?: {
    handshakes: number;
    ms: number;
    limited: boolean;
    errors: string[];
    chainSource: string | null;
    evidence: { label: string; value: string }[];
  };
}

export interface SshHostKey {
  type: string;
  bits: number | null;
  fingerprintSha256: string;
  /** host-key algorithm negotiated to fetch it (e.g. rsa-sha2-512) */
  algorithm?: string;
  /** every offered host-key algorithm that uses this key (rsa-sha2-512, rsa-sha2-256, ssh-rsa) */
  algorithms?: string[];
  /** ECDSA curve (nistp256 …) */
  curve?: string;
  /** an OpenSSH host certificate; the fingerprint is the certified key's */
  certificate?: boolean;
}

/** One KEX_DH_GEX_REQUEST and the modulus the server answered with. */
export interface SshGexProbe {
  /** 'default' (1024/2048/8192) or 'small' (1024/1024/8192) */
  label: string;
  min: number;
  n: number;
  max: number;
  kex: string | null;
  /** bits of the modulus p the server sent; null when it refused or failed */
  bits: number | null;
  error: string | null;
}

/** Login-level SSH facts (SFTP-only hardening), gathered with credentials. */
export interface SshSftpOnlyFacts {
  shell: 'refused' | 'allowed' | 'error';
  exec: 'refused' | 'allowed' | 'error';
  forwarding: 'refused' | 'allowed' | 'error';
  details: { shell: string; exec: string; forwarding: string };
}

export interface SshFacts {
  banner: string;
  /** lines the server sent before its identification line */
  preBanner?: string[];
  protoVersion: string;
  software: string;
  comments?: string;
  kex: string[];
  hostKeyAlgorithms: string[];
  ciphers: string[];
  macs: string[];
  compression: string[];
  hostKeys: SshHostKey[];
  authMethods: string[];
  strictKex: boolean | null;
  sftp: Record<string, unknown> | null;
  /** markers from the kex list, kept apart from algorithms (kex-strict-s-v00@openssh.com, ext-info-s) */
  kexMarkers?: string[];
  /** client→server lists, present only where they differ from the server→client lists above */
  ciphersClientToServer?: string[];
  macsClientToServer?: string[];
  compressionClientToServer?: string[];
  /** odd things in the server's KEXINIT (invalid names, trailing bytes) */
  kexinitWarnings?: string[];
  /** host-key algorithms offered whose key could not be fetched, and why */
  hostKeysNotFetched?: { algorithm: string; algorithms: string[]; reason: string }[];
  /** DH group-exchange moduli seen (only when diffie-hellman-group-exchange-* is offered) */
  gex?: SshGexProbe[];
  /** how the auth-method probe went: methods are only meaningful when ok */
  authProbe?: { ok: boolean; error: string | null; noneAccepted: boolean; username: string | null };
  /** SSH_MSG_USERAUTH_BANNER text shown before login */
  preLoginBanner?: string | null;
  /** login with the given credentials (only when credentials were given) */
  login?: { attempted: boolean; ok: boolean; method: string | null; error: string | null } | null;
  /** shell/exec/forwarding outcomes for the logged-in account (only with credentials) */
  sftpOnly?: SshSftpOnlyFacts | null;
  /** how the audit went: connections opened, time, and whether the server seemed to block us */
  audit?: { connections: number; ms: number; blocked: boolean; notes: string[] };
}

export interface FtpDataChannel {
  mode: 'PASV' | 'EPSV' | 'PORT' | 'EPRT';
  protection: 'P' | 'C';
  ok: boolean;
  advertisedAddress: string | null;
  port: number | null;
  error: string | null;
  /** whether we offered to resume the control channel's TLS session */
  reuseOffered?: boolean;
  /** where we connected (passive) or listened (active) */
  connectAddress?: string | null;
  /** the step that failed: setup | connect | tls | transfer | reply */
  failedStep?: string | null;
  /** reply codes: to PASV/EPSV/PORT/EPRT, the transfer's first reply, its last */
  replies?: { setup: number | null; start: number | null; end: number | null };
  /** TLS of the data connection as negotiated */
  tls?: { protocol: string | null; cipher: string | null; resumed: boolean; fingerprintSha256: string | null } | null;
  /** PROT P agreed, but the data connection was not TLS */
  notTls?: boolean;
  bytes?: number;
  /** entries in the listing, parsed with basic-ftp's list parser */
  entries?: number | null;
  /** the control channel's TLS version when this ran (reuse differs between 1.2 and 1.3) */
  controlTlsVersion?: string | null;
  /** the transcript connection this ran on */
  conn?: string;
}

/** One verdict on logging in before TLS: what the server said to USER (and to a bogus PASS). */
export interface FtpLoginPolicyProbe {
  /** random: a made-up non-anonymous name; given: --user's name (never a real password) */
  kind: 'random' | 'given';
  user: string;
  userReply: { code: number; text: string };
  /** reply to a made-up password, only for the random name */
  passReply: { code: number; text: string } | null;
  /**
   * refused: USER refused in clear (530/534…); password-requested: 331 then the bogus PASS was
   * judged as credentials; refused-at-password: 331, then refused for lack of TLS;
   * accepted: logged in without a password
   */
  verdict: 'refused' | 'password-requested' | 'refused-at-password' | 'accepted' | 'unknown';
  conn: string;
}

export interface FtpPassiveSample {
  command: 'PASV' | 'EPSV';
  advertisedAddress: string | null;
  port: number | null;
  /** TCP state when we dialled the advertised port at the control address */
  reachable: PortState | null;
  reply: string;
  /** 'tls' when sampled on a TLS control channel, 'clear' otherwise */
  channel: 'tls' | 'clear';
}

export interface FtpFacts {
  /** the 220 greeting, all lines */
  greeting: string[];
  /** SYST reply text, when asked */
  syst?: string | null;
  features: string[] | null;
  authTls: boolean | null;
  authSsl: boolean | null;
  pbsz: boolean | null;
  protP: boolean | null;
  protC: boolean | null;
  ccc: boolean | null;
  cleartextLogin: boolean | null;
  anonymousLogin: boolean | null;
  sessionReuseRequired: boolean | null;
  dataChannels: FtpDataChannel[];
  passivePortsSeen: number[];
  /** raw replies to AUTH TLS / AUTH SSL, for evidence */
  authReplies?: { command: string; code: number | null; text: string }[];
  /** replies to PBSZ, PROT P/C, CCC, CDC, … on the main session */
  commandReplies?: { command: string; code: number; text: string; loggedIn: boolean; conn: string }[];
  /** cleartext-login policy, probed with USER before AUTH */
  loginPolicy?: FtpLoginPolicyProbe[];
  /** anonymous login attempt */
  anonymous?: {
    tried: boolean;
    overTls: boolean;
    userCode: number | null;
    passCode: number | null;
    accepted: boolean;
    canWrite: boolean | null;
    conn: string | null;
    /** set when the USER reply settled it without a password, from known server behaviour (why) */
    decidedBy?: string;
  } | null;
  /** how the main session logged in (never the password) */
  login?: { user: string; anonymous: boolean; ok: boolean; code: number | null; overTls: boolean; error: string | null } | null;
  /** FTP bounce: PORT/EPRT naming an address that is not ours; reply only, no transfer */
  bounce?: { command: string; code: number; text: string; accepted: boolean }[];
  /** CCC: accepted, and whether a cleartext command worked afterwards */
  cccDetail?: { code: number; text: string; closeNotify: boolean | null; cleartextAfter: { code: number; text: string } | null } | null;
  /** session-reuse experiments per control-channel TLS version */
  sessionReuse?: Record<
    string,
    {
      withoutReuse: { ok: boolean; code: number | null; error: string | null };
      withReuse: { ok: boolean; code: number | null; resumed: boolean | null; error: string | null } | null;
    }
  >;
  /** PASV/EPSV replies sampled (no transfer), with the TCP reachability of each port */
  passiveSamples?: FtpPassiveSample[];
  /** --write-test: upload, verify and delete a uniquely named file */
  writeTest?: {
    file: string;
    uploaded: boolean;
    verified: boolean | null;
    deleted: boolean;
    leftBehind: string | null;
    error: string | null;
  } | null;
  /** why some experiments could not run (no login, server refused, …) */
  notes?: string[];
}

export interface EndpointReport {
  host: string;
  port: number;
  /** the IP actually connected to */
  address: string | null;
  state: PortState;
  /** how long the TCP connect took (or how long we waited), ms */
  connectMs: number | null;
  service: Service | null;
  /** what the target asked for (from the URL scheme), if anything */
  expectedService?: Service | null;
  banner: string | null;
  /** what went wrong talking to the service, in the closed outcome vocabulary */
  outcome?: ConnectionOutcome | null;
  error?: string | null;
  tls: TlsFacts | null;
  ssh: SshFacts | null;
  ftp: FtpFacts | null;
  findings: Finding[];
  transcript: TranscriptLine[];
}

export interface ReportSummary {
  pass: number;
  fail: number;
  warn: number;
  info: number;
  error: number;
  skipped: number;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'xferscan'; version: string };
  startedAt: string;
  finishedAt: string;
  profile: string;
  options?: Record<string, unknown>;
  endpoints: EndpointReport[];
  summary: ReportSummary;
  /** who scanned, from where (src/report-meta.ts) */
  scanner?: ScannerInfo;
  /** the per-control view for the profile (src/profiles/compliance.ts) */
  compliance?: ComplianceView;
  /** what transfers need from the firewalls, and what was found blocked (src/firewall) */
  firewall?: FirewallView;
  /** SHA-256 over the canonical JSON without this member (xferscan verify) */
  integrity?: Integrity;
}
