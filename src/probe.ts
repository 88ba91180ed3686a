// What a probe is: a module that talks to one endpoint and records facts and evidence on it.
// Probes never judge; checks do (src/checks/). The scheduler runs detection first, then every
// probe whose `applies` says yes, each within its connection allowance.
import type { Socket } from 'node:net';
import type { EndpointReport, Service } from './model.js';
import type { Endpoint } from './targets.js';
import type { Transcript } from './net/transcript.js';

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
}

/** Working data shared between the probes of one endpoint that does not belong in the report. */
export interface ProbeScratch {
  /** DER chain of the control channel's TLS, as the server sent it */
  tlsChainDer?: Buffer[];
  /** settles when the anonymous-login verdict is known (ftp-login-policy runs concurrently) */
  anonymousDone?: Promise<void>;
  /** detection saw a greeting arrive after it had given up waiting and started TLS */
  lateGreeting?: boolean;
  /**
   * Detection's connection to an SSH server, kept open after its identification line: the SSH
   * probe continues on it (one connection fewer, which OpenSSH's PerSourcePenalties counts).
   * `sent` holds what the server sent so far (identification line included), to be read again.
   */
  sshConnection?: { socket: Socket; sent: Buffer; conn: string };
}

export interface ProbeContext {
  target: Endpoint;
  /** the resolved IP every connection goes to */
  address: string;
  endpoint: EndpointReport;
  transcript: Transcript;
  options: ProbeOptions;
  scratch: ProbeScratch;
}

export interface Probe {
  id: string;
  /** one line for --help and progress */
  description: string;
  /** services this probe is for */
  services: Service[];
  /** facts (report paths) it fills in */
  produces: string[];
  /** most connections it holds open at once on one endpoint */
  maxConnections: number;
  /** may run beside the other probes of the endpoint (they share its connection cap) */
  concurrent?: boolean;
  run(ctx: ProbeContext): Promise<void>;
}
