// The report model: what probes gather (facts), what checks conclude (findings), and the
// JSON report contract of DESIGN.md (schemaVersion 1). Fields may be added, never renamed.

export type PortState = 'open' | 'closed' | 'filtered' | 'unreachable' | 'timeout';

/** Closed vocabulary of connection outcomes (DESIGN.md). PortState is its TCP-level subset. */
export type ConnectionOutcome =
  | PortState
  | 'tls-handshake-failed'
  | 'protocol-error'
  | 'refused-by-server';

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
}

export interface SshHostKey {
  type: string;
  bits: number | null;
  fingerprintSha256: string;
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
}

export interface FtpDataChannel {
  mode: 'PASV' | 'EPSV' | 'PORT' | 'EPRT';
  protection: 'P' | 'C';
  ok: boolean;
  advertisedAddress: string | null;
  port: number | null;
  error: string | null;
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
}
