// The SSH/SFTP audit: one entry point that gathers every SSH fact about an endpoint with as few
// connections and round trips as possible (OpenSSH ≥ 9.8 PerSourcePenalties penalises sources that
// open many connections without logging in).
//
//   #1 raw: identification + server KEXINIT (on detection's connection when it hands it over),
//      then a key exchange limited to host-key family 1                          (1 round trip)
//   #2, #3 raw: DH group exchange 'default' and 'small', each carrying one more host-key family;
//      our identification goes out with the connect                            (4 round trips)
//   #4 ssh2: auth methods (`none`), pre-login banner; with credentials SFTP + hardening (5+)
//   #2–#4 start together as soon as #1's KEXINIT is in (on a WAN, with a round-trip hint, ssh2
//   loads while #1 waits for it); only host-key families left over after that cost one more
//   connection each (3 round trips).
//
// The result says how long it took, the round-trip time it measured and the plan's lower bound:
//   lowerBoundMs = rttMs × (round trips to the first KEXINIT + the longest branch after it
//                  + 3 per host-key family fetched on a connection of its own)
import type net from 'node:net';
import type { Dialer } from '../net/dialer.js';
import type { ConnectionOutcome, SshFacts, SshGexProbe, SshHostKey } from '../model.js';
import type { Transcript } from '../net/transcript.js';
import { probeAuth, type AuthProbeResult, type SshCredentials } from './auth.js';
import type { ConnErrorKind } from './conn.js';
import { GEX_REQUESTS, offersGex, probeGex } from './gex.js';
import { fetchHostKeyWithSsh2, hostKeyFact, hostKeyFamilies, type HostKeyFamily, type HostKeyMiss } from './hostkeys.js';
import type { Identification } from './ident.js';
import { STRICT_KEX_SERVER, type KexInit } from './kexinit.js';
import { continueKex, openSession, type Session, type SessionStage } from './session.js';
import { loadSsh2, ssh2AlgorithmsFor } from './ssh2util.js';

export type { SshCredentials } from './auth.js';

export interface AuditSshOptions {
  /** the name the user gave (for reports) */
  host: string;
  /** the IP to connect to (callers resolve once); defaults to host */
  address?: string;
  port: number;
  /** per-connection timeout (default 8000 ms) */
  timeoutMs?: number;
  /** most connections this audit opens in total (default 6, capped at 7) */
  maxConnections?: number;
  credentials?: SshCredentials | null;
  transcript?: Transcript;
  /** the endpoint's dialer: every connection of the audit goes through it */
  dialer: Dialer;
  /** an already-connected socket to use for the first connection (consumed) */
  socket?: net.Socket;
  /** what the server already sent on `socket` (its identification line included), read first */
  preread?: Buffer;
  /** skip parts (all default true) */
  hostKeys?: boolean;
  gex?: boolean;
  auth?: boolean;
  /** username for the anonymous `none` probe (default 'xferscan') */
  probeUsername?: string;
  /**
   * a round-trip time measured before (detection): from 5 ms on, ssh2 is loaded while #1 waits for
   * the KEXINIT (its tens of ms of CPU then cost no round trip); on loopback it loads once the
   * exchanges are under way, as they then wait for the server's CPU rather than the network
   */
  rttHintMs?: number | null;
}

/** How the audit was planned and what the round trips allow. */
import type { SshAuditPlan } from '../model.js';
export type { SshAuditPlan };

export interface SshAuditResult {
  /** null when not even the identification could be read */
  facts: SshFacts | null;
  /** set when the first connection failed, in the closed outcome vocabulary */
  outcome: ConnectionOutcome | null;
  error: string | null;
  /** the stage the first connection failed at */
  stage?: SessionStage;
  connections: number;
  ms: number;
  blocked: boolean;
  notes: string[];
  /** the smallest round-trip time measured, and the plan's lower bound (see plan) */
  rttMs?: number | null;
  lowerBoundMs?: number | null;
  plan?: SshAuditPlan;
}

type SshAuditBookkeeping = NonNullable<SshFacts['audit']>;

function outcomeOf(kind: ConnErrorKind, stage: SessionStage): ConnectionOutcome {
  if (kind === 'timeout') return stage === 'connect' ? 'filtered' : 'timeout';
  if (kind === 'connect-failed') return 'closed';
  if (kind === 'closed' || kind === 'reset') return stage === 'identification' ? 'refused-by-server' : 'protocol-error';
  return 'protocol-error';
}

function differs(a: readonly string[], b: readonly string[]): boolean {
  return a.length !== b.length || a.some((x, i) => x !== b[i]);
}

/** Looks like the server (or something in front of it) is refusing us rather than failing. */
function looksBlocked(msg: string | null | undefined): boolean {
  if (!msg) return false;
  return /ECONNRESET|ECONNREFUSED|closed by server|connection closed|Connection lost before handshake|before the identification|identification:/i.test(
    msg,
  );
}

/** What the audit keeps while it runs. */
interface Audit {
  opts: AuditSshOptions;
  address: string;
  timeoutMs: number;
  budget: number;
  t?: Transcript;
  notes: string[];
  connections: number;
  successes: number;
  blocked: boolean;
  started: number;
  rttSamples: number[];
  /** host-key families fetched on connections of their own */
  extraHostKeys: number;
}

function newAudit(opts: AuditSshOptions): Audit {
  return {
    opts,
    address: opts.address ?? opts.host,
    timeoutMs: opts.timeoutMs ?? 8000,
    budget: Math.max(1, Math.min(opts.maxConnections ?? 6, 7)),
    t: opts.transcript,
    notes: [],
    connections: 0,
    successes: 0,
    blocked: false,
    started: Date.now(),
    rttSamples: [],
    extraHostKeys: 0,
  };
}

const left = (a: Audit) => a.budget - a.connections;

function markFailure(a: Audit, msg: string | null | undefined): void {
  if (a.successes > 0 && looksBlocked(msg) && !a.blocked) {
    a.blocked = true;
    const n = `the server closed or reset connection #${a.connections} after ${a.successes} succeeded: it may be rate-limiting or penalising this source (e.g. OpenSSH PerSourcePenalties / MaxStartups); stopped opening connections`;
    a.notes.push(n);
    if (a.t) a.t.note(a.t.conn('ssh-audit'), n);
  }
}

/** The host keys found, those missed, and the families still to fetch. */
class HostKeyBook {
  readonly pending: HostKeyFamily[];
  readonly keys: SshHostKey[] = [];
  readonly misses: HostKeyMiss[] = [];
  readonly lastError = new Map<string, string>();
  constructor(families: HostKeyFamily[]) {
    this.pending = [...families];
  }

  /** Records a fetched blob (or the error); false when there was nothing to record. */
  record(fam: HostKeyFamily, blob: Buffer | null, via: 'raw' | 'ssh2', err: string | null): boolean {
    if (!blob) {
      if (err) this.lastError.set(fam.family, err);
      return false;
    }
    const f = hostKeyFact(blob, fam, via);
    if ('reason' in f) {
      this.misses.push(f);
      return true;
    }
    const key: SshHostKey = {
      type: f.type,
      bits: f.bits,
      fingerprintSha256: f.fingerprintSha256,
      algorithm: f.algorithm,
      algorithms: f.algorithms,
    };
    if (f.curve) key.curve = f.curve;
    if (f.certificate) key.certificate = true;
    this.keys.push(key);
    return true;
  }
}

/** What the parallel step brought back. */
interface Branches {
  gex: SshGexProbe[];
  auth: AuthProbeResult | null;
}

/**
 * The first host key on connection #1, both group exchanges (each carrying one pending host-key
 * family) and the auth step, all side by side. Two more unauthenticated connections at once stay
 * far below OpenSSH's MaxStartups (10) and add the same to PerSourcePenalties as two in a row.
 */
async function parallelStep(a: Audit, first: Session, book: HostKeyBook): Promise<Branches> {
  const k = first.kexinit;
  const fam1 = book.pending.shift() ?? null;
  const kexP = continueKex(first, { hostKeyAlgorithm: fam1?.request ?? null });
  const slots: (SshGexProbe | null)[] = GEX_REQUESTS.map(() => null);
  const runGex = async (i: number) => {
    const { label, req } = GEX_REQUESTS[i]!;
    const fam = book.pending.shift() ?? null;
    a.connections += 1;
    const g = await probeGex({ host: a.address, port: a.opts.port, dialer: a.opts.dialer }, label, req, {
      timeoutMs: a.timeoutMs,
      transcript: a.t,
      hostKeyAlgorithm: fam?.request ?? null,
    });
    a.rttSamples.push(...g.rttSamples);
    if (g.group || g.hostKeyBlob) a.successes += 1;
    // a reset in answer to the GEX request itself is the server's answer to it (paramiko without
    // moduli drops the connection), not a sign that it stopped taking our connections
    else if (!g.sessionOpened) markFailure(a, g.error);
    slots[i] = { label, min: req.min, n: req.n, max: req.max, kex: g.group?.kex ?? null, bits: g.group?.pBits ?? null, error: g.error };
    if (fam && !book.record(fam, g.hostKeyBlob, 'raw', g.group ? null : g.error)) book.pending.unshift(fam);
  };
  const wantGex = a.opts.gex !== false && offersGex(k.kex);
  const gexP = wantGex && !a.blocked ? Promise.all(GEX_REQUESTS.map((_, i) => (left(a) > 0 ? runGex(i) : Promise.resolve()))) : null;
  const authP = startAuth(a, k);
  // awaited last: when an exchange before it throws (EMFILE), its own rejection must not go unhandled
  authP?.catch(() => undefined);
  const r1 = await kexP;
  a.rttSamples.push(...first.rttSamples);
  if (fam1 && !book.record(fam1, r1.hostKeyBlob, 'raw', r1.error)) book.pending.push(fam1);
  await gexP;
  const gex = slots.filter((g): g is SshGexProbe => g !== null);
  if (wantGex && gex.length < GEX_REQUESTS.length) a.notes.push('group exchange: not every request was made (connection budget)');
  return { gex: wantGex ? gex : [], auth: authP ? await authP : null };
}

/** Auth methods, banner, SFTP (ssh2) need only the KEXINIT: started with the parallel step. */
function startAuth(a: Audit, k: KexInit): Promise<AuthProbeResult> | null {
  if (a.opts.auth === false) return null;
  a.connections += 1;
  return probeAuth({
    host: a.address,
    port: a.opts.port,
    dialer: a.opts.dialer,
    timeoutMs: a.timeoutMs,
    kexinit: k,
    credentials: a.opts.credentials ?? null,
    probeUsername: a.opts.probeUsername,
    transcript: a.t,
  });
}

/** A family raw failed on once, through ssh2 (when it can negotiate the type). */
async function hostKeyViaSsh2(a: Audit, book: HostKeyBook, fam: HostKeyFamily, k: KexInit): Promise<void> {
  a.connections += 1;
  a.extraHostKeys += 1;
  const s2 = await fetchHostKeyWithSsh2(a.address, a.opts.port, fam.request, k, a.timeoutMs, a.opts.dialer);
  if (s2.blob) a.successes += 1;
  else markFailure(a, s2.error);
  if (!book.record(fam, s2.blob, 'ssh2', s2.error)) {
    book.misses.push({
      algorithm: fam.request,
      algorithms: fam.algorithms,
      reason: `raw: ${book.lastError.get(fam.family) ?? 'failed'}; ssh2: ${s2.error ?? 'failed'}`,
    });
  }
}

/** Host-key families left after the parallel step: one connection each (raw, then ssh2 as a fallback). */
async function remainingHostKeys(a: Audit, book: HostKeyBook, k: KexInit): Promise<void> {
  const tried = new Set<string>();
  while (book.pending.length > 0 && !a.blocked && left(a) > 0) {
    const fam = book.pending.shift()!;
    if (tried.has(fam.family)) {
      await hostKeyViaSsh2(a, book, fam, k);
      continue;
    }
    tried.add(fam.family);
    a.connections += 1;
    a.extraHostKeys += 1;
    const s = await openSession(
      { host: a.address, port: a.opts.port, dialer: a.opts.dialer },
      { timeoutMs: a.timeoutMs, transcript: a.t, purpose: 'ssh-hostkey' },
    );
    if (!s.ok) {
      markFailure(a, s.error);
      book.lastError.set(fam.family, s.error);
      book.pending.push(fam);
      continue;
    }
    a.successes += 1;
    const r = await continueKex(s.session, { hostKeyAlgorithm: fam.request });
    a.rttSamples.push(...s.session.rttSamples);
    if (!book.record(fam, r.hostKeyBlob, 'raw', r.error)) {
      // Only worth another connection when ssh2 can negotiate the type (it cannot do certs, sk-*).
      const plan = ssh2AlgorithmsFor(k, fam.request);
      if (plan.missing.length === 0) book.pending.push(fam);
      else
        book.misses.push({
          algorithm: fam.request,
          algorithms: fam.algorithms,
          reason: `raw: ${r.error ?? 'failed'}; ssh2 cannot negotiate ${fam.request}`,
        });
    }
  }
  for (const fam of book.pending) {
    book.misses.push({
      algorithm: fam.request,
      algorithms: fam.algorithms,
      reason: a.blocked
        ? 'not fetched: the server stopped accepting our connections'
        : `not fetched: connection budget (maxConnections=${a.budget}) reached${book.lastError.has(fam.family) ? `; last error: ${book.lastError.get(fam.family)}` : ''}`,
    });
  }
}

function fillAuth(a: Audit, facts: SshFacts, auth: AuthProbeResult): void {
  const opts = a.opts;
  if (auth.authMethods) a.successes += 1;
  else markFailure(a, auth.error);
  facts.authMethods = auth.authMethods ?? [];
  facts.authProbe = {
    ok: auth.authMethods !== null,
    error: auth.error,
    noneAccepted: auth.noneAccepted,
    username: opts.credentials?.username ?? opts.probeUsername ?? 'xferscan',
  };
  facts.preLoginBanner = auth.banner;
  if (opts.credentials) {
    facts.login = auth.login;
    facts.sftp = auth.sftp ? { ...auth.sftp } : null;
    facts.hardening = auth.hardening;
  }
}

/** Round trips of each part of the plan (see the top of this file) and the bound they give. */
function planOf(a: Audit, gexCount: number): SshAuditPlan {
  const rtt = a.rttSamples.length ? Math.min(...a.rttSamples) : null;
  const toKexinit = a.opts.socket ? 1 : 2;
  const branch = Math.max(1, gexCount ? 4 : 0, a.opts.auth === false ? 0 : 5);
  const lowerBoundRtts = toKexinit + branch + 3 * a.extraHostKeys;
  return {
    rttMs: rtt === null ? null : Math.round(rtt * 10) / 10,
    toKexinit,
    branch,
    extraHostKeys: a.extraHostKeys,
    lowerBoundRtts,
    lowerBoundMs: rtt === null ? null : Math.round(lowerBoundRtts * rtt),
  };
}

/** The first connection could not even give the KEXINIT: what it saw, in the outcome vocabulary. */
function failedResult(a: Audit, first: Extract<Awaited<ReturnType<typeof openSession>>, { ok: false }>): SshAuditResult {
  return {
    facts: first.ident ? factsFrom(first.ident, null) : null,
    outcome: outcomeOf(first.kind, first.stage),
    error: `${first.stage}: ${first.error}`,
    stage: first.stage,
    connections: a.connections,
    ms: Date.now() - a.started,
    blocked: false,
    notes: a.notes,
  };
}

export async function auditSsh(opts: AuditSshOptions): Promise<SshAuditResult> {
  const a = newAudit(opts);
  // ssh2 takes tens of ms of CPU to load: on a WAN, spend them while #1 waits for the KEXINIT
  if (opts.auth !== false && (opts.rttHintMs ?? 0) >= 5) void loadSsh2().catch(() => {});
  a.connections += 1;
  const first = await openSession(
    opts.socket ? { socket: opts.socket, preread: opts.preread } : { host: a.address, port: opts.port, dialer: opts.dialer },
    {
      timeoutMs: a.timeoutMs,
      transcript: a.t,
      purpose: 'ssh-kex',
    },
  );
  if (!first.ok) return failedResult(a, first);
  a.successes += 1;
  const k = first.session.kexinit;
  const facts = factsFrom(first.session.ident, k);
  const book = new HostKeyBook(opts.hostKeys === false ? [] : hostKeyFamilies(k.hostKeyAlgorithms));
  const branches = await parallelStep(a, first.session, book);
  await remainingHostKeys(a, book, k);
  facts.hostKeys = book.keys;
  if (book.misses.length) facts.hostKeysNotFetched = book.misses;
  if (opts.gex !== false && offersGex(k.kex)) facts.gex = branches.gex;
  if (branches.auth) fillAuth(a, facts, branches.auth);
  const ms = Date.now() - a.started;
  const plan = planOf(a, branches.gex.length);
  const audit: SshAuditBookkeeping = {
    connections: a.connections,
    ms,
    blocked: a.blocked,
    notes: a.notes,
    rttMs: plan.rttMs,
    lowerBoundMs: plan.lowerBoundMs,
    plan,
  };
  facts.audit = audit;
  return {
    facts,
    outcome: null,
    error: null,
    connections: a.connections,
    ms,
    blocked: a.blocked,
    notes: a.notes,
    rttMs: plan.rttMs,
    lowerBoundMs: plan.lowerBoundMs,
    plan,
  };
}

function factsFrom(ident: Identification, k: KexInit | null): SshFacts {
  const f: SshFacts = {
    banner: ident.raw,
    protoVersion: ident.protoVersion,
    software: ident.software,
    kex: k ? k.kex : [],
    hostKeyAlgorithms: k ? k.hostKeyAlgorithms : [],
    ciphers: k ? k.ciphersStoC : [],
    macs: k ? k.macsStoC : [],
    compression: k ? k.compressionStoC : [],
    hostKeys: [],
    authMethods: [],
    strictKex: k ? k.kexMarkers.includes(STRICT_KEX_SERVER) : null,
    sftp: null,
  };
  if (ident.comments) f.comments = ident.comments;
  if (ident.preBanner.length) f.preBanner = ident.preBanner;
  if (k) {
    f.kexMarkers = k.kexMarkers;
    if (differs(k.ciphersCtoS, k.ciphersStoC)) f.ciphersClientToServer = k.ciphersCtoS;
    if (differs(k.macsCtoS, k.macsStoC)) f.macsClientToServer = k.macsCtoS;
    if (differs(k.compressionCtoS, k.compressionStoC)) f.compressionClientToServer = k.compressionCtoS;
    if (k.warnings.length) f.kexinitWarnings = k.warnings;
  }
  return f;
}
