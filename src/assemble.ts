// From probe results to the endpoint's facts: each probe's result goes into its section (its
// fields are its alone: a field written twice is a bug and throws), then the derive layer
// (src/derive) fills the fields the report states as conclusions.
import type { EndpointReport, FtpFacts, Gap, SshFacts, TlsFacts } from './model.js';
import type { Attempt, Detected, Section } from './probe.js';
import { found } from './probe.js';
import {
  anonymousCanWrite,
  anonymousLoginWorks,
  cccAccepted,
  cleartextLoginPossible,
  passivePortsSeen,
  protection,
  sessionReuseRequired,
} from './derive/ftp.js';
import { dataChannelTls, effectiveService } from './derive/tls.js';
import { sftpOnlyFrom } from './derive/ssh.js';

/** One probe's run, as the scheduler hands it over. */
export interface ProbeRun {
  id: string;
  section: Section;
  attempt: Attempt<unknown>;
  /** the probe threw: a bug, or something it did not expect */
  crashed: boolean;
  ms: number;
}

/** Copies `part` into `into`, refusing any field another probe already wrote. */
function mergeOwned(into: Record<string, unknown>, part: unknown, owner: string, writers: Map<string, string>): void {
  if (!part || typeof part !== 'object') return;
  for (const [k, v] of Object.entries(part)) {
    if (v === undefined) continue;
    const prev = writers.get(k);
    if (prev) throw new Error(`internal: ${owner} writes ${k}, which belongs to ${prev}`);
    writers.set(k, owner);
    into[k] = v;
  }
}

function sectionParts(runs: ProbeRun[], section: Section): { parts: Record<string, unknown>; gaps: Gap[]; any: boolean } {
  const parts: Record<string, unknown> = {};
  const writers = new Map<string, string>();
  const gaps: Gap[] = [];
  let any = false;
  for (const r of runs.filter((x) => x.section === section)) {
    const result = found(r.attempt);
    if (result) any = true;
    mergeOwned(parts, result, r.id, writers);
    gaps.push(...r.attempt.gaps);
  }
  return { parts, gaps, any };
}

export function emptyFtpFacts(greeting: string[]): FtpFacts {
  return {
    greeting,
    syst: null,
    features: null,
    authTls: null,
    authSsl: null,
    pbsz: null,
    protP: null,
    protC: null,
    ccc: null,
    cleartextLogin: null,
    anonymousLogin: null,
    sessionReuseRequired: null,
    dataChannels: [],
    passivePortsSeen: [],
    authReplies: [],
  };
}

/** The FTP facts: detection's, each FTP probe's fields, then the derived ones. */
export function assembleFtp(detected: Detected, runs: ProbeRun[]): FtpFacts | null {
  if (!detected.ftp) return null;
  const { parts, gaps } = sectionParts(runs, 'ftp');
  const ftp: FtpFacts = { ...emptyFtpFacts(detected.ftp.greeting), ...detected.ftp, ...(parts as Partial<FtpFacts>) };
  ftp.dataChannels ??= [];
  Object.assign(ftp, protection(ftp.commandReplies, ftp.dataChannels));
  ftp.ccc = cccAccepted(ftp.cccDetail);
  ftp.cleartextLogin = cleartextLoginPossible(detected.service, ftp.loginPolicy);
  ftp.anonymousLogin = anonymousLoginWorks(ftp.anonymous);
  ftp.sessionReuseRequired = sessionReuseRequired(ftp.sessionReuse);
  ftp.passivePortsSeen = passivePortsSeen(ftp.dataChannels, ftp.passiveSamples);
  if (ftp.anonymous) ftp.anonymous = { ...ftp.anonymous, canWrite: anonymousCanWrite(ftp) };
  if (gaps.length) {
    ftp.gaps = gaps;
    ftp.notes = gaps.map((g) => g.detail);
  }
  return ftp;
}

const EMPTY_TLS: Pick<TlsFacts, 'protocols' | 'cipherSuites' | 'serverPreference' | 'groups' | 'certificate' | 'chain'> = {
  protocols: {},
  cipherSuites: {},
  serverPreference: null,
  groups: [],
  certificate: null,
  chain: [],
};

/** The TLS facts: the inventory's, what detection negotiated, and what the data channel did. */
export function assembleTls(detected: Detected, runs: ProbeRun[], ftp: FtpFacts | null): TlsFacts | null {
  const { parts, gaps, any } = sectionParts(runs, 'tls');
  if (!any && !detected.tlsNegotiated) return null;
  const tls: TlsFacts = { ...EMPTY_TLS, ...(parts as Partial<TlsFacts>) };
  if (detected.tlsNegotiated) tls.negotiated = detected.tlsNegotiated;
  const dc = dataChannelTls(ftp?.dataChannels);
  if (dc) tls.dataChannel = dc;
  if (gaps.length) tls.gaps = gaps;
  return tls;
}

/** The SSH facts: the audit's, with what detection read before the identification line. */
export function assembleSsh(detected: Detected, runs: ProbeRun[]): SshFacts | null {
  if (!detected.ssh) return null;
  const { parts, gaps, any } = sectionParts(runs, 'ssh');
  const base: SshFacts = {
    ...detected.ssh,
    kex: [],
    hostKeyAlgorithms: [],
    ciphers: [],
    macs: [],
    compression: [],
    hostKeys: [],
    authMethods: [],
    strictKex: null,
    sftp: null,
  };
  const ssh: SshFacts = any ? { ...base, ...(parts as Partial<SshFacts>), preBanner: detected.ssh.preBanner } : base;
  if (ssh.hardening) ssh.sftpOnly = sftpOnlyFrom(ssh.hardening);
  if (gaps.length) ssh.gaps = gaps;
  return ssh;
}

/** The endpoint's facts from detection and every probe run (findings and transcript come later). */
export function assembleFacts(
  detected: Detected,
  runs: ProbeRun[],
): Pick<
  EndpointReport,
  'address' | 'state' | 'connectMs' | 'service' | 'banner' | 'outcome' | 'error' | 'tls' | 'ssh' | 'ftp' | 'probeRuns'
> {
  const ftp = assembleFtp(detected, runs);
  let outcome = detected.outcome;
  let error = detected.error;
  // A probe that could not even begin (e.g. the SSH audit's first connection) names the outcome
  // when detection left none.
  const firstFailure = runs.find((r) => r.attempt.status === 'failed' && !r.crashed);
  if (!outcome && firstFailure && firstFailure.attempt.status === 'failed') {
    outcome = firstFailure.attempt.outcome;
    error = firstFailure.attempt.detail;
  }
  const tls = assembleTls(detected, runs, ftp);
  return {
    address: detected.address,
    state: detected.state,
    connectMs: detected.connectMs,
    service: effectiveService(detected.service, !!detected.tlsNegotiated, tls),
    banner: detected.banner,
    outcome,
    error,
    ftp,
    tls,
    ssh: assembleSsh(detected, runs),
    probeRuns: runs.map((r) => ({
      probe: r.id,
      status: r.crashed ? 'error' : r.attempt.status,
      ...(r.attempt.status === 'failed' ? { outcome: r.attempt.outcome, detail: r.attempt.detail } : {}),
      ms: Math.round(r.ms),
    })),
  };
}
