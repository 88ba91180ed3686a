// The TLS prober: hello-level enumeration of protocol versions, cipher suites, groups and
// extension behaviour over a caller-supplied transport (plain TCP for implicit FTPS, a control
// connection after "234" for explicit FTPS). One socket per ClientHello; never more than
// `connections` at once (counting transports opened ahead of need); servers that refuse us
// (FTP 421) get fewer connections, backoff and retries.
//
// Cost model, where partners are (a WAN): every accepted suite costs one hello at every version
// (a ServerHello proves one suite); a connection costs its set-up — TCP connect, and for explicit
// FTPS greeting + AUTH TLS — plus one round trip for the hello. So the plan (1) sends the preamble
// without waiting where the server allows (src/tls/transport.ts), (2) keeps `connections`
// transports opening ahead, so that the next step of a chain waits one round trip, not a set-up,
// and serves the serial chains first, (3) runs every version, the side tests and, once the server
// is known to follow the client's order, several removal chains side by side (src/tls/enumerate.ts),
// (4) reports the round-trip time it measured and the lower bound of its plan:
//
//   lowerBoundMs = rttMs × max(⌈handshakes ÷ connections⌉ × rttsPerHandshake, depth + rttsPerHandshake − 1)
//
// where rttsPerHandshake is 2 for TLS on connect (TCP + hello) and for explicit FTPS whose hello
// goes with AUTH TLS, 3 with AUTH TLS pipelined, 4 without; depth is the longest chain of hellos
// that each waited for the one before (a server-preference order costs one step per suite).
import { PROTOCOL_VERSIONS, type FlightResult, type ProtocolName } from './hello.js';
import { groupName, suiteByCode, suiteName, tls13Suites } from '../knowledge/tls-registry.js';
import { describe, makeCtx, rttOf, type Ctx, type ExchangeLog } from './exchange.js';
import { enumerateVersion, NONE, type IsVersion, type VersionFacts } from './enumerate.js';
import {
  chainViaNodeTls,
  compressionTest,
  fallbackTest,
  legacyCandidates,
  legacyCurves,
  legacyHello,
  probeSSLv2,
  tls13Groups,
  tls13Hello,
  type FallbackScsv,
} from './side-tests.js';
import type { OpenTransport, TlsTransportCapabilities } from './transport.js';

export type { OpenTransport, TlsTransportCapabilities } from './transport.js';
export type { ExchangeLog } from './exchange.js';
export type { FallbackScsv } from './side-tests.js';

export interface TlsProbeOptions {
  /** SNI; IP literals are not sent */
  serverName?: string;
  /** per handshake (connect + hello + reply) */
  timeoutMs: number;
  /** parallel handshake cap; default 4 */
  connections?: number;
  /**
   * largest number of suites in one ClientHello; longer lists are split into chunks that are
   * enumerated in parallel (default 512: the whole registry, ~700 bytes, in one hello; a server
   * that does not answer such a hello is retried in chunks of 64 automatically)
   */
  maxSuitesPerHello?: number;
  /** retries after a refusal (FTP 421, code 'refused-by-server'); default 5 */
  retries?: number;
  /** first backoff delay in ms, doubled each retry; default 250 */
  backoffMs?: number;
  /** versions to test; default all */
  versions?: ProtocolName[];
  /** fetch the chain with node:tls when no clear-text Certificate was seen (TLS 1.3-only servers); default true */
  nodeTlsChain?: boolean;
  /** called for every exchange, for transcripts/debugging */
  onExchange?: (e: ExchangeLog) => void;
  /**
   * Optional: dial TCP and name the preamble instead of handing over ready sockets; then the
   * prober pipelines the explicit-FTPS preamble itself (`open` is not called).
   */
  transport?: TlsTransportCapabilities;
  /** what an earlier step already learned about this endpoint (detection) */
  known?: TlsKnownFacts;
}

export interface TlsKnownFacts {
  /** a round-trip time measured before (e.g. detection's FEAT → 211), used until the prober has its own */
  rttMs?: number | null;
  /** the chain a full handshake already received (detection's AUTH TLS): spares the node:tls handshake */
  chainDer?: Buffer[] | null;
  /** whether the server reads a hello sent with AUTH (detection's trial); spares the prober's own trial */
  helloPipelining?: boolean | null;
}

/** How the inventory was planned and what the round trips allow (the report's own type). */
import type { TlsProbePlan } from '../model.js';
export type { TlsProbePlan };

export interface TlsProbeResult {
  protocols: Record<ProtocolName, boolean | null>;
  /** IANA names per version; in server preference order when the server enforces one */
  cipherSuites: Partial<Record<ProtocolName, string[]>>;
  serverPreference: boolean | null;
  serverPreferenceByVersion: Partial<Record<ProtocolName, boolean | null>>;
  /** groups (TLS 1.3 key_share/HRR and TLS ≤ 1.2 ECDHE curves), server preference order where known */
  groups: string[];
  /** smallest finite-field DH prime seen in a DHE ServerKeyExchange; null if no DHE suite */
  dhBits: number | null;
  /** RFC 5746 renegotiation_info in the ServerHello (TLS ≤ 1.2); null when no TLS ≤ 1.2 handshake */
  secureRenegotiation: boolean | null;
  /** RFC 7627 extended_master_secret in the ServerHello (TLS ≤ 1.2); null when no TLS ≤ 1.2 handshake */
  extendedMasterSecret: boolean | null;
  fallbackScsv: FallbackScsv | null;
  /** 'none', 'DEFLATE', … ; null when untested (no TLS ≤ 1.2) */
  compression: string | null;
  /** the certificate chain as the server sent it (DER) */
  chainDer: Buffer[];
  chainSource: 'handshake' | 'node-tls' | 'sslv2' | null;
  /** other distinct chains seen (e.g. an ECDSA and an RSA certificate) */
  otherChainsDer: Buffer[][];
  handshakes: number;
  /** transports opened (handshakes + those opened ahead of need and not used) */
  connections: number;
  /** the server refused or dropped connections and we had to back off */
  limited: boolean;
  /** the connection cap a refusal taught (the server's per-IP limit, as far as we can tell) */
  perIpLimit: number | null;
  errors: string[];
  durationMs: number;
  /** = durationMs */
  ms: number;
  /** the smallest round-trip time measured (see plan) */
  rttMs: number | null;
  /** the round-trip lower bound of the plan (see plan) */
  lowerBoundMs: number | null;
  plan: TlsProbePlan;
  /** short handshake facts usable as finding evidence */
  evidence: { label: string; value: string }[];
}

const ALL_VERSIONS: ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const LEGACY_LABELS = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const;

function contextFor(open: OpenTransport, options: TlsProbeOptions): Ctx {
  return makeCtx(
    open,
    options.transport ?? null,
    {
      serverName: options.serverName,
      timeoutMs: options.timeoutMs,
      connections: Math.max(1, options.connections ?? 4),
      maxSuitesPerHello: Math.max(2, options.maxSuitesPerHello ?? 512),
      retries: options.retries ?? 5,
      backoffMs: options.backoffMs ?? 250,
      nodeTlsChain: options.nodeTlsChain ?? true,
      onExchange: options.onExchange,
    },
    options.known?.rttMs ?? null,
    options.known?.helloPipelining ?? null,
  );
}

const median = (xs: number[]): number | null => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);

/** Round trips one handshake holds a connection (see the top of this file). */
function rttsPerHandshake(ctx: Ctx): number {
  if (ctx.caps) {
    if (!ctx.caps.starttls) return 2;
    return ctx.helloPipelining === 'yes' ? 2 : ctx.preamble === 'wait' ? 4 : 3;
  }
  // the caller's opener: its set-up time in round trips, plus the hello
  const rtt = rttOf(ctx);
  const setup = median(ctx.setupSamples);
  if (!rtt || setup === null) return 2;
  return Math.min(6, 1 + Math.max(1, Math.round(setup / rtt)));
}

function planOf(ctx: Ctx): TlsProbePlan {
  const rtt = rttOf(ctx);
  const per = rttsPerHandshake(ctx);
  const parallel = Math.max(1, ctx.opts.connections);
  const lowerBoundRtts = Math.max(Math.ceil(ctx.handshakes / parallel) * per, ctx.depth + per - 1);
  const preamble: TlsProbePlan['preamble'] = !ctx.caps
    ? 'caller'
    : !ctx.caps.starttls
      ? 'none'
      : ctx.helloPipelining === 'yes'
        ? 'hello'
        : ctx.preamble;
  return {
    rttMs: rtt === null ? null : Math.round(rtt * 10) / 10,
    rttsPerHandshake: per,
    preamble,
    parallel: ctx.perIpLimit ?? parallel,
    handshakes: ctx.handshakes,
    depth: ctx.depth,
    lowerBoundRtts,
    lowerBoundMs: rtt === null ? null : Math.round(lowerBoundRtts * rtt),
  };
}

interface Inventory {
  ssl2: { supported: boolean; decided: boolean; kinds: number[]; cert: Buffer | null };
  ssl2Tested: boolean;
  t13Tested: boolean;
  facts: Map<ProtocolName, VersionFacts>;
  t13groups: number[];
  legacyLabels: ProtocolName[];
}

/**
 * Versions and suites, all versions at once (the pool keeps us under the cap and opens
 * transports ahead of need). Each version reports as soon as its first hello is answered, so the
 * side tests (fallback SCSV, compression, curves, TLS 1.3 groups) overlap with the enumeration.
 */
function startInventory(ctx: Ctx, want: Set<ProtocolName>): { done: Promise<Inventory>; known: Map<ProtocolName, Promise<boolean>> } {
  const sn = ctx.opts.serverName;
  const legacyLabels = LEGACY_LABELS.filter((l) => want.has(l));
  const allLabels: ProtocolName[] = [...legacyLabels, 'TLSv1.3'];
  const settle = new Map<ProtocolName, (v: boolean) => void>();
  const known = new Map<ProtocolName, Promise<boolean>>();
  for (const l of allLabels) known.set(l, new Promise<boolean>((res) => settle.set(l, res)));
  const isLegacy =
    (version: number): IsVersion =>
    (f) =>
      f.serverHello!.version === version && !f.serverHello!.isHelloRetryRequest;
  const per = () => rttsPerHandshake(ctx);
  const tls13Codes = tls13Suites().map((s) => s.code);

  // the first TLS 1.3 hello offered every group: a HelloRetryRequest to it already names the first
  let t13First: FlightResult | undefined;
  const onT13 = (ok: boolean, first?: FlightResult) => {
    t13First = first;
    settle.get('TLSv1.3')!(ok);
  };
  const ssl2Job = want.has('SSLv2')
    ? probeSSLv2(ctx)
    : Promise.resolve({ supported: false, decided: false, kinds: [] as number[], cert: null });
  const t13Job = want.has('TLSv1.3')
    ? enumerateVersion(
        ctx,
        { label: 'TLSv1.3', candidates: tls13Codes, mk: (s) => tls13Hello(s, sn), isVersion: (f) => f.serverHello!.version === 0x0304 },
        per,
        onT13,
      )
    : (settle.get('TLSv1.3')!(false), Promise.resolve(NONE));
  const groupsJob = known.get('TLSv1.3')!.then((ok) => (ok ? tls13Groups(ctx, tls13Codes, 1, t13First) : []));
  const legacyJobs = legacyLabels.map((l) =>
    enumerateVersion(
      ctx,
      {
        label: l,
        candidates: legacyCandidates(l),
        mk: (s) => legacyHello(PROTOCOL_VERSIONS[l], s, sn),
        isVersion: isLegacy(PROTOCOL_VERSIONS[l]),
      },
      per,
      settle.get(l),
    ),
  );
  const done = Promise.all([ssl2Job, t13Job, groupsJob, ...legacyJobs]).then(([ssl2, t13, t13groups, ...legacy]) => {
    const facts = new Map<ProtocolName, VersionFacts>();
    facts.set('TLSv1.3', t13);
    legacyLabels.forEach((l, i) => facts.set(l, legacy[i]!));
    return { ssl2, ssl2Tested: want.has('SSLv2'), t13Tested: want.has('TLSv1.3'), facts, t13groups, legacyLabels };
  });
  return { done, known };
}

interface SideFacts {
  fallbackScsv: FallbackScsv | null;
  compression: string | null;
  legacyCurves: number[];
}

/** Fallback SCSV, compression and (without TLS 1.3) the curves, once the versions are known. */
async function sideTests(ctx: Ctx, known: Map<ProtocolName, Promise<boolean>>): Promise<SideFacts> {
  const out: SideFacts = { fallbackScsv: 'n/a', compression: null, legacyCurves: [] };
  const on = new Map<ProtocolName, boolean>();
  for (const [l, p] of known) on.set(l, await p);
  const supLegacy = LEGACY_LABELS.filter((l) => on.get(l));
  const top = supLegacy[0] ?? null;
  const supAll: ProtocolName[] = [...(on.get('TLSv1.3') ? (['TLSv1.3'] as const) : []), ...supLegacy];
  const jobs: Promise<void>[] = [];
  if (supAll.length >= 2) jobs.push(fallbackTest(ctx, supAll[1]!, 1).then((r) => void (out.fallbackScsv = r)));
  if (top) {
    jobs.push(compressionTest(ctx, top, 1).then((r) => void (out.compression = r)));
    if (!on.get('TLSv1.3')) {
      // every ECDHE candidate: the server picks among those it accepts; none accepted → no curve
      const ecdhe = legacyCandidates(top).filter((c) => {
        const k = suiteByCode(c)?.kex;
        return k === 'ECDHE' || k === 'ECDHE_PSK';
      });
      if (ecdhe.length) jobs.push(legacyCurves(ctx, top, ecdhe, 1).then((r) => void (out.legacyCurves = r)));
    }
  }
  await Promise.all(jobs);
  return out;
}

interface LegacyFacts {
  dhBits: number | null;
  curvesSeen: number[];
  secureRenegotiation: boolean | null;
  extendedMasterSecret: boolean | null;
  chains: Buffer[][];
}

/** Facts read from the enumeration's own flights: DH size, curves, extensions, certificate chains. */
function legacyFacts(facts: Map<ProtocolName, VersionFacts>, supportedLegacy: ProtocolName[]): LegacyFacts {
  const allLegacyFlights = supportedLegacy.flatMap((l) => facts.get(l)!.flights);
  const topFlights = supportedLegacy.length ? facts.get(supportedLegacy[0]!)!.flights : [];
  let dhBits: number | null = null;
  const curvesSeen: number[] = [];
  for (const f of allLegacyFlights) {
    const k = f.serverKeyExchange;
    if (k?.kind === 'dh' && k.dhBits !== undefined) dhBits = dhBits === null ? k.dhBits : Math.min(dhBits, k.dhBits);
    if (k?.namedCurve !== undefined && !curvesSeen.includes(k.namedCurve)) curvesSeen.push(k.namedCurve);
  }
  // certificate chains as sent (TLS ≤ 1.2 sends them in clear)
  const chains: Buffer[][] = [];
  for (const f of [...topFlights, ...allLegacyFlights]) {
    if (!f.certificates?.length) continue;
    if (!chains.some((c) => c[0]!.equals(f.certificates![0]!))) chains.push(f.certificates);
  }
  return {
    dhBits,
    curvesSeen,
    secureRenegotiation: topFlights.length ? topFlights.every((f) => f.serverHello!.secureRenegotiation) : null,
    extendedMasterSecret: topFlights.length ? topFlights.every((f) => f.serverHello!.extendedMasterSecret) : null,
    chains,
  };
}

/** The chain to report: as sent in clear, else SSLv2's, else what detection saw, else node:tls. */
async function pickChains(
  ctx: Ctx,
  inv: Inventory,
  chains: Buffer[][],
  known: TlsKnownFacts | undefined,
): Promise<{ chains: Buffer[][]; source: TlsProbeResult['chainSource'] }> {
  if (chains.length) return { chains, source: 'handshake' };
  if (inv.ssl2.cert) return { chains: [[inv.ssl2.cert]], source: 'sslv2' };
  if (!inv.facts.get('TLSv1.3')!.supported) return { chains, source: null };
  if (known?.chainDer?.length) return { chains: [known.chainDer], source: 'node-tls' };
  if (!ctx.opts.nodeTlsChain) return { chains, source: null };
  const c = await chainViaNodeTls(ctx, ctx.depth);
  return c.length ? { chains: [c], source: 'node-tls' } : { chains, source: null };
}

/** The first TLS ≤ 1.2 and TLS 1.3 ServerHellos, as evidence. */
function evidenceOf(facts: Map<ProtocolName, VersionFacts>, labels: ProtocolName[]): { label: string; value: string }[] {
  const evidence: { label: string; value: string }[] = [];
  for (const l of labels) {
    const f: FlightResult | undefined = facts.get(l)!.flights[0];
    if (f)
      evidence.push({
        label: `${l} ServerHello`,
        value:
          describe(f) +
          (f.serverHello!.secureRenegotiation ? ' +renegotiation_info' : '') +
          (f.serverHello!.extendedMasterSecret ? ' +extended_master_secret' : ''),
      });
  }
  return evidence;
}

/** Protocols, suites in order, preference per version and overall, from the inventory. */
function suitesOf(inv: Inventory) {
  const t13 = inv.facts.get('TLSv1.3')!;
  // null: not tested, or no answer that decides it (a timeout is not a refusal)
  const verdict = (v: { supported: boolean; decided: boolean }) => (v.supported ? true : v.decided ? false : null);
  const protocols: Record<ProtocolName, boolean | null> = {
    SSLv2: inv.ssl2Tested ? verdict(inv.ssl2) : null,
    SSLv3: null,
    'TLSv1.0': null,
    'TLSv1.1': null,
    'TLSv1.2': null,
    'TLSv1.3': inv.t13Tested ? verdict(t13) : null,
  };
  for (const l of inv.legacyLabels) protocols[l] = verdict(inv.facts.get(l)!);
  const supportedLegacy = inv.legacyLabels.filter((l) => protocols[l]);
  const listed = [...supportedLegacy, ...(t13.supported ? (['TLSv1.3'] as const) : [])] as ProtocolName[];
  const prefByVersion: Partial<Record<ProtocolName, boolean | null>> = {};
  const cipherSuites: Partial<Record<ProtocolName, string[]>> = {};
  if (inv.ssl2.supported) cipherSuites.SSLv2 = inv.ssl2.kinds.map((k) => suiteName(k));
  for (const l of listed) {
    prefByVersion[l] = inv.facts.get(l)!.preference;
    cipherSuites[l] = inv.facts.get(l)!.suites.map((c) => suiteName(c));
  }
  let serverPreference: boolean | null = null;
  for (const l of ['TLSv1.2', 'TLSv1.3', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as ProtocolName[]) {
    if (prefByVersion[l] !== undefined && prefByVersion[l] !== null) {
      serverPreference = prefByVersion[l]!;
      break;
    }
  }
  return { protocols, supportedLegacy, listed, prefByVersion, cipherSuites, serverPreference };
}

/**
 * Probes a TLS endpoint at hello level. `open` must return a socket ready for a ClientHello;
 * it may throw an Error with code 'refused-by-server' (FTP 421), which is retried with backoff.
 * With `options.transport`, the prober dials and runs the preamble itself instead.
 */
export async function probeTls(open: OpenTransport, options: TlsProbeOptions): Promise<TlsProbeResult> {
  const started = performance.now();
  const ctx = contextFor(open, options);
  ctx.pool.setWarm(true);
  const { done, known } = startInventory(ctx, new Set(options.versions ?? ALL_VERSIONS));
  const side = sideTests(ctx, known);
  const inv = await done;
  ctx.pool.setWarm(false);
  const sideFacts = await side;
  const s = suitesOf(inv);
  const lf = legacyFacts(inv.facts, s.supportedLegacy);
  const chosen = await pickChains(ctx, inv, lf.chains, options.known);
  // groups: TLS 1.3 list first, then TLS ≤ 1.2 curves not already listed
  const groups: number[] = s.protocols['TLSv1.3'] ? [...inv.t13groups] : [];
  for (const c of [...sideFacts.legacyCurves, ...lf.curvesSeen]) if (!groups.includes(c)) groups.push(c);
  await ctx.pool.drain();
  const plan = planOf(ctx);
  const ms = Math.round(performance.now() - started);
  return {
    protocols: s.protocols,
    cipherSuites: s.cipherSuites,
    serverPreference: s.serverPreference,
    serverPreferenceByVersion: s.prefByVersion,
    groups: groups.map(groupName),
    dhBits: lf.dhBits,
    secureRenegotiation: lf.secureRenegotiation,
    extendedMasterSecret: lf.extendedMasterSecret,
    fallbackScsv: sideFacts.fallbackScsv,
    compression: sideFacts.compression,
    chainDer: chosen.chains[0] ?? [],
    chainSource: chosen.source,
    otherChainsDer: chosen.chains.slice(1),
    handshakes: ctx.handshakes,
    connections: ctx.pool.opened,
    limited: ctx.limited,
    perIpLimit: ctx.perIpLimit,
    errors: ctx.errors,
    durationMs: ms,
    ms,
    rttMs: plan.rttMs,
    lowerBoundMs: plan.lowerBoundMs,
    plan,
    evidence: evidenceOf(inv.facts, s.listed),
  };
}
