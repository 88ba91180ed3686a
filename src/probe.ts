// What a probe is: a module that talks to one endpoint and returns what it found. Probes never
// judge (checks do, src/checks/) and never share mutable state: each declares the services it
// applies to, the probes whose results it needs and how many connections it may hold at once;
// the scheduler (src/scheduler.ts) runs them as a small DAG, enforces the allowance through the
// probe's dialer, and writes each result into its own slot of the endpoint.
import type { Socket } from 'node:net';
import type { ConnectionOutcome, FtpFacts, Gap, PortState, Service, SshFacts } from './model.js';
import type { Endpoint } from './targets.js';
import type { Transcript } from './net/transcript.js';
import type { Dialer } from './net/dialer.js';
import type { LoadedClientCredentials } from './tls/client-auth.js';

export interface Credentials {
  user: string;
  /** never printed, logged or reported; registered with the transcript for redaction */
  password?: string;
  privateKey?: Buffer;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** parallel connections one endpoint may get */
  connections: number;
  credentials: Credentials | null;
  /** connect to a PASV address other than the target (off by default) */
  allowForeignPasv: boolean;
  active: boolean;
  writeTest: boolean;
  /** PASV/EPSV replies to sample (two thirds PASV, one third EPSV) */
  passiveSamples?: number;
  allowCleartextLogin: boolean;
  caFile: string | null;
  /** every --ca-file (the trust analysis judges each as a store of its own); default [caFile] */
  caFiles?: string[];
  /**
   * the partner's client certificate and key (--client-cert/--client-key): presented on every
   * TLS connection (control, data, detection) and given to the TLS tests that complete handshakes
   */
  clientCert?: LoadedClientCredentials | null;
  /** --check-revocation: ask the CA (OCSP, CRL, AIA issuers); contacts third parties */
  checkRevocation?: boolean;
  /** false (--no-intrusive): skip the tests that send malformed records or padding */
  intrusive?: boolean;
}

/**
 * What a probe returns: completed, with its result and the steps it could not complete (typed
 * gaps), or failed, with an outcome from the closed vocabulary (and what it had found by then).
 */
export type Attempt<T> =
  | { status: 'completed'; result: T; gaps: Gap[] }
  | { status: 'failed'; outcome: ConnectionOutcome; detail: string; gaps: Gap[]; partial?: T };

export const completed = <T>(result: T, gaps: Gap[] = []): Attempt<T> => ({ status: 'completed', result, gaps });
export const failed = <T>(outcome: ConnectionOutcome, detail: string, partial?: T, gaps: Gap[] = []): Attempt<T> => ({
  status: 'failed',
  outcome,
  detail,
  gaps,
  ...(partial === undefined ? {} : { partial }),
});

/** What an attempt found, whether it completed or not. */
export function found<T>(a: Attempt<T> | undefined): T | undefined {
  if (!a) return undefined;
  return a.status === 'completed' ? a.result : a.partial;
}

/** The FTP facts detection reads before any login. */
export type DetectedFtp = Pick<FtpFacts, 'greeting' | 'syst' | 'features' | 'authTls' | 'authSsl' | 'authReplies'>;
/** The SSH facts the identification line gives. */
export type DetectedSsh = Pick<SshFacts, 'banner' | 'preBanner' | 'protoVersion' | 'software' | 'comments'>;

/** Detection's result: what listens on the port, and what it said before we asked anything else. */
export interface Detected {
  address: string;
  state: PortState;
  connectMs: number | null;
  service: Service | null;
  banner: string | null;
  outcome: ConnectionOutcome | null;
  error: string | null;
  ftp: DetectedFtp | null;
  /** what the detection handshake negotiated (Node/OpenSSL view), when TLS was completed */
  tlsNegotiated: { protocol: string | null; cipher: string | null } | null;
  ssh: DetectedSsh | null;
  /**
   * Detection's connection to an SSH server, kept open after its identification line: the SSH
   * probe continues on it (one connection fewer, which OpenSSH's PerSourcePenalties counts).
   * `sent` holds what the server sent so far (identification line included), to be read again.
   * Not part of the report; the scheduler closes it if no probe takes it.
   */
  sshHandover: { socket: Socket; sent: Buffer; conn: string } | null;
  /**
   * The quickest reply to a clear-text FTP command on detection's connection (FEAT, SYST): one
   * round trip plus the server's turn, end to end (through a proxy too, where the connect time
   * only measures the hop to the proxy). Not part of the report: a planning hint for the probes.
   */
  replyRttMs: number | null;
  /**
   * Explicit FTPS on a WAN: whether the server read a ClientHello sent together with AUTH TLS
   * (detection's trial connection; null when not tried or undecided). A planning hint for the TLS
   * probes, which then send their hellos with AUTH (a round trip saved per connection).
   */
  helloPipelining: boolean | null;
}

/** What every connection-making step needs: the target, its dialer, the transcript, the options. */
export interface ConnectContext {
  target: Endpoint;
  /** the resolved IP every connection goes to */
  address: string;
  /** this probe's dialer: it enforces the probe's connection allowance within the endpoint's cap */
  dialer: Dialer;
  transcript: Transcript;
  options: ProbeOptions;
}

export interface ProbeContext extends ConnectContext {
  /** what detection found (every probe but detection runs after it) */
  detected: Detected;
}

/** The results of the probes a probe needs, each settling when that probe ends. */
export type ProbeInputs<Needs> = { [K in keyof Needs]: Promise<Attempt<Needs[K]>> };

/** The part of the endpoint's facts a probe's result goes into (its fields are that probe's alone). */
export type Section = 'tls' | 'ssh' | 'ftp';

export interface Probe<Out = unknown, Needs extends object = object> {
  id: string;
  /** one line for --help and progress */
  description: string;
  /** services this probe is for */
  services: readonly Service[];
  /** where its result goes: a result is an object of that section's fields (or null: nothing found) */
  section: Section;
  /** ids of the probes whose results it needs (besides detection) */
  needs: readonly (keyof Needs & string)[];
  /** most connections it holds open at once on one endpoint (enforced by its dialer) */
  connections: number;
  run(ctx: ProbeContext, inputs: ProbeInputs<Needs>): Promise<Attempt<Out>>;
}

/** A probe of any result type, as the registry and the scheduler hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProbe = Probe<any, any>;
