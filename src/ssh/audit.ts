// The SSH/SFTP audit: one entry point that gathers every SSH fact about an endpoint with as few
// connections as possible (OpenSSH ≥ 9.8 PerSourcePenalties penalises sources that open many
// connections without logging in). Connections are opened one after another, never in parallel.
//
//   #1 raw: identification + server KEXINIT, then a key exchange limited to host-key family 1
//   #2 raw: DH group exchange 'default' request (+ host-key family 2 on the same connection)
//   #3… raw: remaining host-key families (ssh2 as fallback), then the 'small' GEX request
//   last ssh2: auth methods (`none`), pre-login banner; with credentials SFTP + hardening
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
import { continueKex, openSession, type SessionStage } from './session.js';
import { ssh2AlgorithmsFor } from './ssh2util.js';

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
}

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
}

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

export async function auditSsh(opts: AuditSshOptions): Promise<SshAuditResult> {
  const started = Date.now();
  const address = opts.address ?? opts.host;
  const port = opts.port;
  const timeoutMs = opts.timeoutMs ?? 8000;
  const budget = Math.max(1, Math.min(opts.maxConnections ?? 6, 7));
  const t = opts.transcript;
  const notes: string[] = [];
  let connections = 0;
  let successes = 0;
  let blocked = false;
  const doAuth = opts.auth !== false;
  // The auth probe's connection is counted when it starts, right after the first KEXINIT.
  const left = () => budget - connections;

  const markFailure = (msg: string | null | undefined) => {
    if (successes > 0 && looksBlocked(msg) && !blocked) {
      blocked = true;
      const n = `the server closed or reset connection #${connections} after ${successes} succeeded: it may be rate-limiting or penalising this source (e.g. OpenSSH PerSourcePenalties / MaxStartups); stopped opening connections`;
      notes.push(n);
      if (t) t.note(t.conn('ssh-audit'), n);
    }
  };

  // ---- #1: identification + KEXINIT (+ first host key)
  connections += 1;
  const first = await openSession(
    opts.socket ? { socket: opts.socket, preread: opts.preread } : { host: address, port, dialer: opts.dialer },
    {
      timeoutMs,
      transcript: t,
      purpose: 'ssh-kex',
    },
  );
  if (!first.ok) {
    return {
      facts: first.ident ? factsFrom(first.ident, null) : null,
      outcome: outcomeOf(first.kind, first.stage),
      error: `${first.stage}: ${first.error}`,
      stage: first.stage,
      connections,
      ms: Date.now() - started,
      blocked: false,
      notes,
    };
  }
  successes += 1;
  const ident = first.session.ident;
  const k = first.session.kexinit;
  const facts = factsFrom(ident, k);
  const families = opts.hostKeys === false ? [] : hostKeyFamilies(k.hostKeyAlgorithms);
  const pending: HostKeyFamily[] = [...families];
  const keys: SshHostKey[] = [];
  const misses: HostKeyMiss[] = [];
  const lastError = new Map<string, string>();

  const record = (fam: HostKeyFamily, blob: Buffer | null, via: 'raw' | 'ssh2', err: string | null): boolean => {
    if (!blob) {
      if (err) lastError.set(fam.family, err);
      return false;
    }
    const f = hostKeyFact(blob, fam, via);
    if ('reason' in f) {
      misses.push(f);
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
    keys.push(key);
    return true;
  };

  // ---- first host key on this connection, group exchange on two more (each also carrying one
  // pending host-key family), and the auth step: all side by side. Two more unauthenticated
  // connections at once stay far below OpenSSH's MaxStartups (10) and add the same to
  // PerSourcePenalties as two in a row.
  const fam1 = pending.shift() ?? null;
  const kexP = continueKex(first.session, { hostKeyAlgorithm: fam1?.request ?? null });
  const gexSlots: (SshGexProbe | null)[] = GEX_REQUESTS.map(() => null);
  const wantGex = opts.gex !== false && offersGex(k.kex);
  const runGex = async (i: number) => {
    const { label, req } = GEX_REQUESTS[i]!;
    const fam = pending.shift() ?? null;
    connections += 1;
    const g = await probeGex({ host: address, port, dialer: opts.dialer }, label, req, {
      timeoutMs,
      transcript: t,
      hostKeyAlgorithm: fam?.request ?? null,
    });
    if (g.group || g.hostKeyBlob) successes += 1;
    else markFailure(g.error);
    gexSlots[i] = { label, min: req.min, n: req.n, max: req.max, kex: g.group?.kex ?? null, bits: g.group?.pBits ?? null, error: g.error };
    if (fam && !record(fam, g.hostKeyBlob, 'raw', g.group ? null : g.error)) pending.unshift(fam);
  };
  const gexP =
    wantGex && !blocked ? Promise.all(GEX_REQUESTS.map((_, i) => (left() > 0 ? runGex(i) : Promise.resolve()))) : Promise.resolve();
  // Auth methods, banner, SFTP (ssh2) need only the KEXINIT. Started last: loading ssh2 takes
  // ~60 ms of CPU, spent while the exchanges above wait for the server.
  const authP: Promise<AuthProbeResult> | null = doAuth
    ? ((connections += 1),
      probeAuth({
        host: address,
        port,
        dialer: opts.dialer,
        timeoutMs,
        kexinit: k,
        credentials: opts.credentials ?? null,
        probeUsername: opts.probeUsername,
        transcript: t,
      }))
    : null;
  const r1 = await kexP;
  if (fam1 && !record(fam1, r1.hostKeyBlob, 'raw', r1.error)) pending.push(fam1);
  await gexP;
  const gexResults = gexSlots.filter((g): g is SshGexProbe => g !== null);

  // ---- remaining host keys, one connection each (raw, then ssh2 as a fallback)
  const tried = new Set<string>();
  while (pending.length > 0 && !blocked) {
    if (left() <= 0) break;
    const fam = pending.shift()!;
    if (tried.has(fam.family)) {
      // raw failed once on its own connection; try ssh2 if it can negotiate this type
      connections += 1;
      const s2 = await fetchHostKeyWithSsh2(address, port, fam.request, k, timeoutMs, opts.dialer);
      if (s2.blob) successes += 1;
      else markFailure(s2.error);
      if (!record(fam, s2.blob, 'ssh2', s2.error)) {
        misses.push({
          algorithm: fam.request,
          algorithms: fam.algorithms,
          reason: `raw: ${lastError.get(fam.family) ?? 'failed'}; ssh2: ${s2.error ?? 'failed'}`,
        });
      }
      continue;
    }
    tried.add(fam.family);
    connections += 1;
    const s = await openSession({ host: address, port, dialer: opts.dialer }, { timeoutMs, transcript: t, purpose: 'ssh-hostkey' });
    if (!s.ok) {
      markFailure(s.error);
      lastError.set(fam.family, s.error);
      pending.push(fam);
      continue;
    }
    successes += 1;
    const r = await continueKex(s.session, { hostKeyAlgorithm: fam.request });
    if (!record(fam, r.hostKeyBlob, 'raw', r.error)) {
      // Only worth another connection when ssh2 can negotiate the type (it cannot do certs, sk-*).
      const plan = ssh2AlgorithmsFor(k, fam.request);
      if (plan.missing.length === 0) pending.push(fam);
      else
        misses.push({
          algorithm: fam.request,
          algorithms: fam.algorithms,
          reason: `raw: ${r.error ?? 'failed'}; ssh2 cannot negotiate ${fam.request}`,
        });
    }
  }
  for (const fam of pending) {
    misses.push({
      algorithm: fam.request,
      algorithms: fam.algorithms,
      reason: blocked
        ? 'not fetched: the server stopped accepting our connections'
        : `not fetched: connection budget (maxConnections=${budget}) reached${lastError.has(fam.family) ? `; last error: ${lastError.get(fam.family)}` : ''}`,
    });
  }
  facts.hostKeys = keys;
  if (misses.length) facts.hostKeysNotFetched = misses;
  if (wantGex) {
    facts.gex = gexResults;
    if (gexResults.length < GEX_REQUESTS.length) notes.push('group exchange: not every request was made (connection budget)');
  }

  // ---- auth methods, banner, SFTP (ssh2)
  if (authP) {
    const auth = await authP;
    if (auth.authMethods) successes += 1;
    else markFailure(auth.error);
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

  const ms = Date.now() - started;
  facts.audit = { connections, ms, blocked, notes };
  return { facts, outcome: null, error: null, connections, ms, blocked, notes };
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
