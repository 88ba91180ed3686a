// The TLS prober: hello-level enumeration of protocol versions, cipher suites, groups and
// extension behaviour over a caller-supplied transport (plain TCP for implicit FTPS, a control
// connection after "234" for explicit FTPS). One socket per ClientHello; never more than
// `connections` at once; servers that refuse us (FTP 421) get backoff and retries.
import type net from 'node:net';
import tls from 'node:tls';
import {
  buildClientHello, buildSSLv2ClientHello, DEFAULT_LIMITS, LEGACY_GROUPS, makeKeyShare, PROTOCOL_VERSIONS, ServerFlight,
  TLS13_GROUPS, versionLabel, type ClientHelloOptions, type FlightResult, type ProtocolName,
} from './hello.js';
import { groupByCodeInfo, groupName, legacySuites, SSLV2_KINDS, suiteByCode, suiteName, tls13Suites } from './registry.js';

export type OpenTransport = () => Promise<net.Socket>;

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
}

export interface ExchangeLog {
  purpose: string;
  version: string;
  offered: number;
  outcome: string;
  ms: number;
}

export type FallbackScsv = 'protected' | 'not-protected' | 'n/a';

export interface TlsProbeResult {
  protocols: Record<ProtocolName, boolean>;
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
  /** the server refused or dropped connections and we had to back off */
  limited: boolean;
  errors: string[];
  durationMs: number;
  /** short handshake facts usable as finding evidence */
  evidence: { label: string; value: string }[];
}

// ------------------------------------------------------------------------------------------

class Limiter {
  private active = 0;
  private queue: (() => void)[] = [];
  constructor(public cap: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.cap) await new Promise<void>((res) => this.queue.push(res));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.next();
    }
  }
  private next(): void {
    while (this.active + 0 < this.cap && this.queue.length) {
      const r = this.queue.shift()!;
      r();
      break;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  open: OpenTransport;
  opts: Required<Omit<TlsProbeOptions, 'serverName' | 'onExchange' | 'versions'>> & Pick<TlsProbeOptions, 'serverName' | 'onExchange'>;
  limiter: Limiter;
  handshakes: number;
  limited: boolean;
  errors: string[];
  refusalsInARow: number;
}

function describe(f: FlightResult): string {
  if (f.serverHello) {
    const sh = f.serverHello;
    return `${f.kind} ${versionLabel(sh.version)} ${suiteName(sh.cipherSuite)}${sh.keyShareGroup !== null ? ` group=${groupName(sh.keyShareGroup)}` : ''}`;
  }
  if (f.alert) return `alert ${f.alert.level === 2 ? 'fatal' : 'warning'} ${f.alert.name}`;
  if (f.sslv2) return `SSLv2 SERVER-HELLO ${f.sslv2.cipherKinds.length} kinds`;
  return `${f.kind}${f.error ? `: ${f.error}` : ''}`;
}

/** Opens a transport, retrying with exponential backoff when the server refuses (FTP 421). */
async function openWithRetry(ctx: Ctx): Promise<net.Socket> {
  let delay = ctx.opts.backoffMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const s = await ctx.open();
      ctx.refusalsInARow = 0;
      return s;
    } catch (err) {
      const code = (err as { code?: string })?.code;
      if (code === 'refused-by-server' && attempt < ctx.opts.retries) {
        ctx.limited = true;
        ctx.refusalsInARow++;
        // be gentler: one connection fewer (never below 1)
        if (ctx.limiter.cap > 1) ctx.limiter.cap--;
        await sleep(delay + Math.floor(Math.random() * delay * 0.25));
        delay *= 2;
        continue;
      }
      throw err;
    }
  }
}

/** One ClientHello on a fresh transport; reads the server's first flight. Never throws. */
async function exchange(ctx: Ctx, hello: Buffer, purpose: string, version: string, offered: number): Promise<FlightResult> {
  return ctx.limiter.run(async () => {
    const started = performance.now();
    let flight: FlightResult;
    for (let attempt = 0; ; attempt++) {
      flight = await exchangeOnce(ctx, hello);
      // A silent close with no byte at all can be a per-IP limit as well as a refusal: try once more.
      if (flight.kind === 'incomplete' && flight.bytes === 0 && /without reply|refused|ECONNRESET/.test(flight.error ?? '') && attempt === 0) {
        await sleep(ctx.opts.backoffMs / 2);
        continue;
      }
      break;
    }
    ctx.opts.onExchange?.({ purpose, version, offered, outcome: describe(flight), ms: Math.round(performance.now() - started) });
    return flight;
  });
}

async function exchangeOnce(ctx: Ctx, hello: Buffer): Promise<FlightResult> {
  const parser = new ServerFlight(DEFAULT_LIMITS);
  let socket: net.Socket;
  try {
    socket = await openWithRetry(ctx);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const msg = `transport failed (${e.code ?? 'error'}: ${e.message ?? String(err)})`;
    if (!ctx.errors.includes(msg)) ctx.errors.push(msg);
    parser.end(msg);
    return parser.result;
  }
  ctx.handshakes++;
  return new Promise<FlightResult>((resolve) => {
    let finished = false;
    const finish = (reason?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
      socket.removeListener('error', onError);
      socket.on('error', () => {});
      socket.destroy();
      resolve(reason ? parser.end(reason) : parser.result);
    };
    const onData = (d: Buffer) => {
      parser.push(d);
      if (parser.done) finish();
    };
    const onEnd = () => finish('connection closed');
    const onError = (err: NodeJS.ErrnoException) => finish(`socket error ${err.code ?? err.message}`);
    const timer = setTimeout(() => finish('timeout'), ctx.opts.timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.on('error', onError);
    socket.setNoDelay?.(true);
    socket.write(hello, (err) => {
      if (err) finish(`write failed: ${err.message}`);
    });
    socket.resume();
  });
}

// ------------------------------------------------------------------------------------------

interface VersionFacts {
  supported: boolean;
  /** picks in the order found, per chunk */
  chunks: number[][];
  suites: number[];
  flights: FlightResult[];
}

function legacyHello(version: number, suites: readonly number[], serverName: string | undefined, extra: Partial<ClientHelloOptions> = {}): Buffer {
  return buildClientHello({ version, suites, serverName, ...extra });
}

function tls13Hello(suites: readonly number[], serverName: string | undefined, extra: Partial<ClientHelloOptions> = {}): Buffer {
  const share = makeKeyShare(29);
  return buildClientHello({
    version: 0x0304, suites, serverName, supportedVersions: [0x0304], keyShares: share ? [share] : [], groups: TLS13_GROUPS,
    ...extra,
  });
}

function chunk<T>(arr: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
  return out.length ? out : [[]];
}

/**
 * Pick-and-remove loop over one list of suites: offer all, record the server's pick, remove it,
 * repeat until the server refuses. Returns the picks in order, or versionRejected when the
 * server does not speak this version at all.
 */
async function pickLoop(
  ctx: Ctx, label: ProtocolName, list: readonly number[], mkHello: (suites: number[]) => Buffer, isVersion: (f: FlightResult) => boolean, purpose: string,
): Promise<{ picks: number[]; versionRejected: boolean; flights: FlightResult[]; last: FlightResult | null }> {
  const remaining = [...list];
  const picks: number[] = [];
  const flights: FlightResult[] = [];
  let last: FlightResult | null = null;
  while (remaining.length) {
    const f = await exchange(ctx, mkHello(remaining), purpose, label, remaining.length);
    last = f;
    const sh = f.serverHello;
    if (sh) {
      if (!isVersion(f)) return { picks, versionRejected: picks.length === 0, flights, last };
      const idx = remaining.indexOf(sh.cipherSuite);
      if (idx < 0) {
        ctx.errors.push(`${label}: server picked ${suiteName(sh.cipherSuite)}, which was not offered`);
        break;
      }
      flights.push(f);
      picks.push(sh.cipherSuite);
      remaining.splice(idx, 1);
      continue;
    }
    if (f.alert?.name === 'protocol_version' && picks.length === 0) return { picks, versionRejected: true, flights, last };
    if (f.kind === 'not-tls') ctx.errors.push(`${label}: ${f.error}`);
    if (f.kind === 'malformed') ctx.errors.push(`${label}: malformed reply: ${f.error}`);
    if (f.kind === 'incomplete' && /timeout/.test(f.error ?? '')) ctx.errors.push(`${label}: ${purpose}: timeout`);
    break;
  }
  return { picks, versionRejected: false, flights, last };
}

async function enumerateLegacy(ctx: Ctx, label: ProtocolName): Promise<VersionFacts> {
  const version = PROTOCOL_VERSIONS[label];
  const all = legacySuites().map((s) => s.code);
  const isVersion = (f: FlightResult) => f.serverHello!.version === version && !f.serverHello!.isHelloRetryRequest;
  const mk = (suites: number[]) => legacyHello(version, suites, ctx.opts.serverName);
  const run = async (size: number) => {
    const chunks = chunk(all, size);
    const first = await pickLoop(ctx, label, chunks[0]!, mk, isVersion, 'enumerate');
    if (first.versionRejected) return null;
    const rest = await Promise.all(chunks.slice(1).map((c) => pickLoop(ctx, label, c, mk, isVersion, 'enumerate')));
    return [first, ...rest];
  };
  let results = await run(ctx.opts.maxSuitesPerHello);
  // A server that chokes on a long hello (silent close, decode_error) gets the list in small chunks.
  const f0 = results?.[0];
  if (results && results.length === 1 && f0 && f0.picks.length === 0 && all.length > 64 &&
      ((f0.last?.kind === 'incomplete' && f0.last.bytes === 0 && !/^transport failed/.test(f0.last.error ?? '')) || f0.last?.alert?.name === 'decode_error' || f0.last?.alert?.name === 'record_overflow')) {
    ctx.errors.push(`${label}: no answer to a ${all.length}-suite hello (${describe(f0.last!)}); retried in chunks of 64`);
    results = await run(64);
  }
  if (!results) return { supported: false, chunks: [], suites: [], flights: [] };
  const suites = results.flatMap((r) => r.picks);
  return { supported: suites.length > 0, chunks: results.map((r) => r.picks), suites, flights: results.flatMap((r) => r.flights) };
}

async function enumerateTls13(ctx: Ctx): Promise<VersionFacts> {
  const list = tls13Suites().map((s) => s.code);
  const isVersion = (f: FlightResult) => f.serverHello!.version === 0x0304;
  const r = await pickLoop(ctx, 'TLSv1.3', list, (s) => tls13Hello(s, ctx.opts.serverName), isVersion, 'enumerate');
  return { supported: r.picks.length > 0, chunks: [r.picks], suites: r.picks, flights: r.flights };
}

async function probeSSLv2(ctx: Ctx): Promise<{ supported: boolean; kinds: number[]; cert: Buffer | null }> {
  const offered = SSLV2_KINDS.map((k) => k.code);
  const f = await exchange(ctx, buildSSLv2ClientHello(offered), 'detect', 'SSLv2', offered.length);
  if (f.kind === 'sslv2-server-hello' && f.sslv2) {
    const kinds = f.sslv2.cipherKinds.filter((k) => offered.includes(k));
    return { supported: f.sslv2.version === 0x0002, kinds, cert: f.sslv2.certificate };
  }
  return { supported: false, kinds: [], cert: null };
}

/** Offers [a, b] then [b, a]: the same pick twice means the server enforces its order. */
async function preferenceTest(ctx: Ctx, label: ProtocolName, suites: number[]): Promise<boolean | null> {
  if (suites.length < 2) return null;
  const [a, b] = [suites[0]!, suites[suites.length - 1]!];
  const version = PROTOCOL_VERSIONS[label];
  const mk = (list: number[]) => (label === 'TLSv1.3' ? tls13Hello(list, ctx.opts.serverName) : legacyHello(version, list, ctx.opts.serverName));
  const [f1, f2] = await Promise.all([exchange(ctx, mk([a, b]), 'preference', label, 2), exchange(ctx, mk([b, a]), 'preference', label, 2)]);
  const p1 = f1.serverHello?.cipherSuite;
  const p2 = f2.serverHello?.cipherSuite;
  if (p1 === undefined || p2 === undefined) {
    ctx.errors.push(`${label}: preference test inconclusive (${describe(f1)} / ${describe(f2)})`);
    return null;
  }
  if (p1 === p2) return true;
  if (p1 === a && p2 === b) return false;
  return null;
}

async function tls13Groups(ctx: Ctx, suites: number[]): Promise<number[]> {
  // Empty key_share: a server that supports an offered group must answer with a HelloRetryRequest naming it.
  const r: number[] = [];
  const remaining = [...TLS13_GROUPS];
  while (remaining.length) {
    const hello = buildClientHello({ version: 0x0304, suites, serverName: ctx.opts.serverName, supportedVersions: [0x0304], keyShares: [], groups: remaining });
    const f = await exchange(ctx, hello, 'groups', 'TLSv1.3', remaining.length);
    const g = f.serverHello?.keyShareGroup;
    if (g === null || g === undefined || f.serverHello?.version !== 0x0304) break;
    const idx = remaining.indexOf(g);
    if (idx < 0) {
      ctx.errors.push(`TLSv1.3: server selected group ${groupName(g)}, which was not offered`);
      break;
    }
    r.push(g);
    remaining.splice(idx, 1);
  }
  return r;
}

async function legacyCurves(ctx: Ctx, label: ProtocolName, ecdheSuites: number[]): Promise<number[]> {
  const version = PROTOCOL_VERSIONS[label];
  const remaining = LEGACY_GROUPS.filter((g) => groupByCodeInfo(g)?.kind !== 'ffdhe');
  const r: number[] = [];
  while (remaining.length) {
    const f = await exchange(ctx, legacyHello(version, ecdheSuites, ctx.opts.serverName, { groups: remaining }), 'curves', label, remaining.length);
    const c = f.serverKeyExchange?.namedCurve;
    if (c === undefined) break;
    const idx = remaining.indexOf(c);
    if (idx < 0) {
      ctx.errors.push(`${label}: server used curve ${groupName(c)}, which was not offered`);
      break;
    }
    r.push(c);
    remaining.splice(idx, 1);
  }
  return r;
}

/** The chain of a TLS 1.3-only server is encrypted: let node:tls complete a handshake to see it. */
async function chainViaNodeTls(ctx: Ctx): Promise<Buffer[]> {
  return ctx.limiter.run(async () => {
    let raw: net.Socket;
    try {
      raw = await openWithRetry(ctx);
    } catch (err) {
      ctx.errors.push(`certificate via node:tls: transport failed: ${(err as Error).message}`);
      return [];
    }
    ctx.handshakes++;
    return new Promise<Buffer[]>((resolve) => {
      const sn = ctx.opts.serverName && !/^[0-9.]+$|:/.test(ctx.opts.serverName) ? ctx.opts.serverName : undefined;
      const s = tls.connect({ socket: raw, servername: sn, rejectUnauthorized: false, minVersion: 'TLSv1.2' });
      const timer = setTimeout(() => done([], 'timeout'), ctx.opts.timeoutMs);
      function done(chain: Buffer[], err?: string) {
        clearTimeout(timer);
        if (err) ctx.errors.push(`certificate via node:tls: ${err}`);
        s.removeAllListeners('error');
        s.on('error', () => {});
        s.destroy();
        raw.destroy();
        resolve(chain);
      }
      s.once('secureConnect', () => {
        const chain: Buffer[] = [];
        let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
        const seen = new Set<string>();
        while (c && c.raw && !seen.has(c.fingerprint256)) {
          seen.add(c.fingerprint256);
          chain.push(Buffer.from(c.raw));
          if (!c.issuerCertificate || c.issuerCertificate === c) break;
          c = c.issuerCertificate;
        }
        done(chain);
      });
      s.once('error', (e) => done([], e.message));
    });
  });
}

const COMPRESSION_NAMES: Record<number, string> = { 0: 'none', 1: 'DEFLATE', 64: 'LZS' };

/**
 * Probes a TLS endpoint at hello level. `open` must return a socket ready for a ClientHello;
 * it may throw an Error with code 'refused-by-server' (FTP 421), which is retried with backoff.
 */
export async function probeTls(open: OpenTransport, options: TlsProbeOptions): Promise<TlsProbeResult> {
  const started = performance.now();
  const ctx: Ctx = {
    open,
    opts: {
      serverName: options.serverName,
      timeoutMs: options.timeoutMs,
      connections: Math.max(1, options.connections ?? 4),
      maxSuitesPerHello: Math.max(2, options.maxSuitesPerHello ?? 512),
      retries: options.retries ?? 5,
      backoffMs: options.backoffMs ?? 250,
      nodeTlsChain: options.nodeTlsChain ?? true,
      onExchange: options.onExchange,
    },
    limiter: new Limiter(Math.max(1, options.connections ?? 4)),
    handshakes: 0,
    limited: false,
    errors: [],
    refusalsInARow: 0,
  };
  const want = new Set<ProtocolName>(options.versions ?? ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
  const legacyLabels = (['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const).filter((l) => want.has(l));
  const none: VersionFacts = { supported: false, chunks: [], suites: [], flights: [] };

  // Phase 1: versions and suites, all versions at once (the limiter keeps us under the cap).
  const tls13Codes = tls13Suites().map((s) => s.code);
  const [ssl2, t13, t13groups, ...legacy] = await Promise.all([
    want.has('SSLv2') ? probeSSLv2(ctx) : Promise.resolve({ supported: false, kinds: [] as number[], cert: null }),
    want.has('TLSv1.3') ? enumerateTls13(ctx) : Promise.resolve(none),
    want.has('TLSv1.3') ? tls13Groups(ctx, tls13Codes) : Promise.resolve([] as number[]),
    ...legacyLabels.map((l) => enumerateLegacy(ctx, l)),
  ]);
  const facts = new Map<ProtocolName, VersionFacts>();
  facts.set('TLSv1.3', t13);
  legacyLabels.forEach((l, i) => facts.set(l, legacy[i]!));

  const protocols: Record<ProtocolName, boolean> = {
    SSLv2: ssl2.supported, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': t13.supported,
  };
  for (const l of legacyLabels) protocols[l] = facts.get(l)!.supported;
  // TLS 1.3 groups were probed blind: only meaningful when TLS 1.3 is there.
  const groupsFound: number[] = t13.supported ? [...t13groups] : [];

  // Phase 2: preference, ordering, fallback, compression, curves, chain.
  const supportedLegacy = legacyLabels.filter((l) => protocols[l]);
  const highestLegacy = supportedLegacy[0] ?? null;
  const prefByVersion: Partial<Record<ProtocolName, boolean | null>> = {};
  const ordered = new Map<ProtocolName, number[]>();

  const prefJobs = ([...supportedLegacy, ...(t13.supported ? (['TLSv1.3'] as const) : [])] as ProtocolName[]).map(async (l) => {
    const f = facts.get(l)!;
    const pref = await preferenceTest(ctx, l, f.suites);
    prefByVersion[l] = pref;
    let order = f.suites;
    const chunksWithPicks = f.chunks.filter((c) => c.length > 0).length;
    if (pref === true && chunksWithPicks > 1) {
      // picks from different chunks are not comparable: one more pass over the accepted set
      const version = PROTOCOL_VERSIONS[l];
      const r = await pickLoop(ctx, l, f.suites, (s) => legacyHello(version, s, ctx.opts.serverName), (fl) => fl.serverHello!.version === version, 'order');
      if (r.picks.length === f.suites.length) order = r.picks;
      else ctx.errors.push(`${l}: ordering pass incomplete; order is partial`);
    } else if (pref === false || pref === null) {
      // client preference: keep registry order for stable output
      order = [...f.suites].sort((x, y) => x - y);
    }
    ordered.set(l, order);
  });

  let fallbackScsv: FallbackScsv | null = 'n/a';
  const fallbackJob = (async () => {
    const supportedAll = [...(t13.supported ? (['TLSv1.3'] as ProtocolName[]) : []), ...supportedLegacy];
    if (supportedAll.length < 2) return;
    const lower = supportedAll[1]!;
    const version = PROTOCOL_VERSIONS[lower];
    const f = await exchange(ctx, legacyHello(version, facts.get(lower)!.suites, ctx.opts.serverName, { fallbackScsv: true }), 'fallback-scsv', lower, facts.get(lower)!.suites.length + 1);
    if (f.alert?.name === 'inappropriate_fallback') fallbackScsv = 'protected';
    else if (f.serverHello && f.serverHello.version === version) fallbackScsv = 'not-protected';
    else {
      fallbackScsv = null;
      ctx.errors.push(`fallback SCSV test inconclusive: ${describe(f)}`);
    }
  })();

  let compression: string | null = null;
  const compressionJob = (async () => {
    if (!highestLegacy) return;
    const version = PROTOCOL_VERSIONS[highestLegacy];
    const f = await exchange(ctx, legacyHello(version, facts.get(highestLegacy)!.suites, ctx.opts.serverName, { compression: [1, 64, 0] }), 'compression', highestLegacy, facts.get(highestLegacy)!.suites.length);
    if (f.serverHello) compression = COMPRESSION_NAMES[f.serverHello.compression] ?? `method_${f.serverHello.compression}`;
    else ctx.errors.push(`compression test inconclusive: ${describe(f)}`);
  })();

  let legacyCurveList: number[] = [];
  const curvesJob = (async () => {
    if (t13.supported || !highestLegacy) return;
    const ecdhe = facts.get(highestLegacy)!.suites.filter((c) => {
      const k = suiteByCode(c)?.kex;
      return k === 'ECDHE' || k === 'ECDHE_PSK';
    });
    if (ecdhe.length) legacyCurveList = await legacyCurves(ctx, highestLegacy, ecdhe);
  })();

  await Promise.all([...prefJobs, fallbackJob, compressionJob, curvesJob]);

  // Facts from the enumeration flights.
  const allLegacyFlights = supportedLegacy.flatMap((l) => facts.get(l)!.flights);
  const topFlights = highestLegacy ? facts.get(highestLegacy)!.flights : [];
  let dhBits: number | null = null;
  const curvesSeen: number[] = [];
  for (const f of allLegacyFlights) {
    const k = f.serverKeyExchange;
    if (k?.kind === 'dh' && k.dhBits !== undefined) dhBits = dhBits === null ? k.dhBits : Math.min(dhBits, k.dhBits);
    if (k?.namedCurve !== undefined && !curvesSeen.includes(k.namedCurve)) curvesSeen.push(k.namedCurve);
  }
  const secureRenegotiation = topFlights.length ? topFlights.every((f) => f.serverHello!.secureRenegotiation) : null;
  const extendedMasterSecret = topFlights.length ? topFlights.every((f) => f.serverHello!.extendedMasterSecret) : null;

  // Certificate chains as sent (TLS ≤ 1.2 sends them in clear).
  const chains: Buffer[][] = [];
  for (const f of [...topFlights, ...allLegacyFlights]) {
    if (!f.certificates?.length) continue;
    if (!chains.some((c) => c[0]!.equals(f.certificates![0]!))) chains.push(f.certificates);
  }
  let chainSource: TlsProbeResult['chainSource'] = chains.length ? 'handshake' : null;
  if (!chains.length && ssl2.cert) {
    chains.push([ssl2.cert]);
    chainSource = 'sslv2';
  }
  if (!chains.length && t13.supported && ctx.opts.nodeTlsChain) {
    const c = await chainViaNodeTls(ctx);
    if (c.length) {
      chains.push(c);
      chainSource = 'node-tls';
    }
  }

  // Groups: TLS 1.3 list first, then TLS ≤ 1.2 curves not already listed.
  for (const c of [...legacyCurveList, ...curvesSeen]) if (!groupsFound.includes(c)) groupsFound.push(c);

  const cipherSuites: Partial<Record<ProtocolName, string[]>> = {};
  if (ssl2.supported) cipherSuites.SSLv2 = ssl2.kinds.map((k) => suiteName(k));
  for (const l of [...supportedLegacy, ...(t13.supported ? (['TLSv1.3'] as const) : [])] as ProtocolName[]) {
    cipherSuites[l] = (ordered.get(l) ?? facts.get(l)!.suites).map((c) => suiteName(c));
  }
  const prefOrder: ProtocolName[] = ['TLSv1.2', 'TLSv1.3', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];
  let serverPreference: boolean | null = null;
  for (const l of prefOrder) {
    if (prefByVersion[l] !== undefined && prefByVersion[l] !== null) {
      serverPreference = prefByVersion[l]!;
      break;
    }
  }

  const evidence: { label: string; value: string }[] = [];
  for (const l of [...supportedLegacy, ...(t13.supported ? (['TLSv1.3'] as const) : [])] as ProtocolName[]) {
    const f = facts.get(l)!.flights[0];
    if (f) evidence.push({ label: `${l} ServerHello`, value: describe(f) + (f.serverHello!.secureRenegotiation ? ' +renegotiation_info' : '') + (f.serverHello!.extendedMasterSecret ? ' +extended_master_secret' : '') });
  }

  return {
    protocols,
    cipherSuites,
    serverPreference,
    serverPreferenceByVersion: prefByVersion,
    groups: groupsFound.map(groupName),
    dhBits,
    secureRenegotiation,
    extendedMasterSecret,
    fallbackScsv,
    compression,
    chainDer: chains[0] ?? [],
    chainSource,
    otherChainsDer: chains.slice(1),
    handshakes: ctx.handshakes,
    limited: ctx.limited,
    errors: ctx.errors,
    durationMs: Math.round(performance.now() - started),
    evidence,
  };
}
