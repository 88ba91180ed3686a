// The TLS prober: hello-level enumeration of protocol versions, cipher suites, groups and
// extension behaviour over a caller-supplied transport (plain TCP for implicit FTPS, a control
// connection after "234" for explicit FTPS). One socket per ClientHello; never more than
// `connections` at once (counting transports opened ahead of need); servers that refuse us
// (FTP 421) get backoff and retries.
//
// Cost model: every accepted suite costs one handshake at every version (a ServerHello proves one
// suite), and the server's order costs nothing extra when the pick chain runs serially. So: one
// serial pick chain per version while the server's order matters, parallel lanes once the server
// is known to follow the client's order, a preference test that is free or one hello, no suite a
// version cannot use, and transports (TCP + FTP greeting + AUTH TLS) opened ahead so that a serial
// step costs one hello round trip. Slow-accepting servers are then bound by how fast they accept.
import type net from 'node:net';
import tls from 'node:tls';
import {
  buildClientHello,
  buildSSLv2ClientHello,
  DEFAULT_LIMITS,
  LEGACY_GROUPS,
  makeKeyShare,
  PROTOCOL_VERSIONS,
  ServerFlight,
  TLS13_GROUPS,
  versionLabel,
  type ClientHelloOptions,
  type FlightResult,
  type ProtocolName,
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
  /** transports opened (handshakes + those opened ahead of need and not used) */
  connections: number;
  /** the server refused or dropped connections and we had to back off */
  limited: boolean;
  errors: string[];
  durationMs: number;
  /** short handshake facts usable as finding evidence */
  evidence: { label: string; value: string }[];
}

// ------------------------------------------------------------------------------------------

/**
 * The connections to one endpoint: never more than `cap` open at once, counting those being
 * opened, those opened ahead of need ("ready") and those in use. While `warm`, free slots are
 * filled with transports opened ahead of need, so a ClientHello never waits for TCP + greeting +
 * AUTH TLS (ProFTPD spends ~100-400 ms before its greeting); this changes no result, only when
 * connections are opened. Ready transports that the server closes or talks on are discarded.
 */
class Pool {
  private open = 0;
  private opening = 0;
  private ready: net.Socket[] = [];
  private idle = new Map<net.Socket, () => void>();
  private waiters: { resolve: (s: net.Socket) => void; reject: (e: unknown) => void }[] = [];
  warm = false;
  /** transports opened in all */
  opened = 0;
  /** opened ahead of need and never used */
  wasted = 0;
  constructor(
    public cap: number,
    private readonly openOne: () => Promise<net.Socket>,
  ) {}

  acquire(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  /** An acquired socket is finished with (the caller destroyed it). */
  release(): void {
    this.open--;
    this.pump();
  }

  setWarm(warm: boolean): void {
    this.warm = warm;
    if (!warm) this.trim();
    this.pump();
  }

  /** Stops opening ahead, waits for opens under way, closes what nobody waits for. */
  async drain(): Promise<void> {
    this.setWarm(false);
    while (this.opening > 0) await new Promise<void>((r) => this.drained.push(r));
    this.trim();
  }

  private drained: (() => void)[] = [];

  /** Closes ready transports nobody waits for. */
  trim(): void {
    while (this.ready.length > this.waiters.length) this.drop(this.ready.pop()!, true);
  }

  private drop(s: net.Socket, wasted: boolean): void {
    const off = this.idle.get(s);
    off?.();
    this.idle.delete(s);
    const i = this.ready.indexOf(s);
    if (i >= 0) this.ready.splice(i, 1);
    s.on('error', () => {});
    s.destroy();
    if (wasted) this.wasted++;
    this.open--;
  }

  private pump(): void {
    while (this.waiters.length && this.ready.length) {
      const s = this.ready.shift()!;
      this.idle.get(s)?.();
      this.idle.delete(s);
      if (s.destroyed || !s.readable) {
        s.destroy();
        this.open--;
        continue;
      }
      this.waiters.shift()!.resolve(s);
    }
    const want = this.waiters.length + (this.warm ? this.cap : 0);
    while (this.opening + this.ready.length < want && this.open < this.cap) this.start();
  }

  private start(): void {
    this.open++;
    this.opening++;
    this.opened++;
    this.openOne().then(
      (s) => {
        this.opening--;
        if (this.opening === 0) for (const r of this.drained.splice(0)) r();
        this.ready.push(s);
        // while it waits: a close, an error or unexpected bytes make it useless — and a server
        // that does that to idle connections gets no more of them (no open/close churn)
        const bad = () => {
          if (this.idle.has(s)) {
            this.drop(s, false);
            this.warm = false;
          }
          this.pump();
        };
        const onData = () => bad();
        s.on('data', onData);
        s.once('end', bad);
        s.once('close', bad);
        s.once('error', bad);
        this.idle.set(s, () => {
          s.removeListener('data', onData);
          s.removeListener('end', bad);
          s.removeListener('close', bad);
          s.removeListener('error', bad);
        });
        if (!this.warm && this.ready.length > this.waiters.length) this.trim();
        this.pump();
      },
      (err) => {
        this.opening--;
        if (this.opening === 0) for (const r of this.drained.splice(0)) r();
        this.open--;
        const w = this.waiters.shift();
        if (w) w.reject(err);
        else this.warm = false; // a transport that fails ahead of need: stop opening ahead
        this.pump();
      },
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  open: OpenTransport;
  opts: Required<Omit<TlsProbeOptions, 'serverName' | 'onExchange' | 'versions'>> & Pick<TlsProbeOptions, 'serverName' | 'onExchange'>;
  pool: Pool;
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
        if (ctx.pool.cap > 1) ctx.pool.cap--;
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
  {
    const started = performance.now();
    let flight: FlightResult;
    for (let attempt = 0; ; attempt++) {
      flight = await exchangeOnce(ctx, hello);
      // A silent close with no byte at all can be a per-IP limit as well as a refusal: try once more.
      if (
        flight.kind === 'incomplete' &&
        flight.bytes === 0 &&
        /without reply|refused|ECONNRESET/.test(flight.error ?? '') &&
        attempt === 0
      ) {
        await sleep(ctx.opts.backoffMs / 2);
        continue;
      }
      break;
    }
    ctx.opts.onExchange?.({ purpose, version, offered, outcome: describe(flight), ms: Math.round(performance.now() - started) });
    return flight;
  }
}

async function exchangeOnce(ctx: Ctx, hello: Buffer): Promise<FlightResult> {
  const parser = new ServerFlight(DEFAULT_LIMITS);
  let socket: net.Socket;
  try {
    socket = await ctx.pool.acquire();
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
      ctx.pool.release();
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
  /** accepted suites; in server preference order when `preference` is true, else by code */
  suites: number[];
  flights: FlightResult[];
  /** does the server impose its own order at this version (null: not decidable, e.g. one suite) */
  preference: boolean | null;
}

const NONE: VersionFacts = { supported: false, suites: [], flights: [], preference: null };

type Mk = (suites: number[]) => Buffer;
type IsVersion = (f: FlightResult) => boolean;

function legacyHello(
  version: number,
  suites: readonly number[],
  serverName: string | undefined,
  extra: Partial<ClientHelloOptions> = {},
): Buffer {
  return buildClientHello({ version, suites, serverName, ...extra });
}

function tls13Hello(suites: readonly number[], serverName: string | undefined, extra: Partial<ClientHelloOptions> = {}): Buffer {
  const share = makeKeyShare(29);
  return buildClientHello({
    version: 0x0304,
    suites,
    serverName,
    supportedVersions: [0x0304],
    keyShares: share ? [share] : [],
    groups: TLS13_GROUPS,
    ...extra,
  });
}

function chunk<T>(arr: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
  return out.length ? out : [[]];
}

/** Deals `arr` round-robin into n lists (accepted suites cluster by code: this spreads them). */
function deal<T>(arr: readonly T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, n) }, () => []);
  arr.forEach((x, i) => out[i % out.length]!.push(x));
  return out.filter((l) => l.length > 0);
}

type PickResult =
  | { kind: 'pick'; suite: number; flight: FlightResult }
  /** the server answered with another version, or a protocol_version alert */
  | { kind: 'other-version'; flight: FlightResult }
  /** refused (handshake_failure …), timeout, garbage: the list holds nothing more we can get */
  | { kind: 'end'; flight: FlightResult };

/** One hello offering `list`; classifies the answer and records what went wrong. */
async function pickOnce(
  ctx: Ctx,
  label: ProtocolName,
  list: readonly number[],
  mk: Mk,
  isVersion: IsVersion,
  purpose: string,
): Promise<PickResult> {
  const f = await exchange(ctx, mk([...list]), purpose, label, list.length);
  const sh = f.serverHello;
  if (sh) {
    if (!isVersion(f)) return { kind: 'other-version', flight: f };
    if (!list.includes(sh.cipherSuite)) {
      ctx.errors.push(`${label}: server picked ${suiteName(sh.cipherSuite)}, which was not offered`);
      return { kind: 'end', flight: f };
    }
    return { kind: 'pick', suite: sh.cipherSuite, flight: f };
  }
  if (f.alert?.name === 'protocol_version') return { kind: 'other-version', flight: f };
  if (f.kind === 'not-tls') ctx.errors.push(`${label}: ${f.error}`);
  if (f.kind === 'malformed') ctx.errors.push(`${label}: malformed reply: ${f.error}`);
  if (f.kind === 'incomplete' && /timeout/.test(f.error ?? '')) ctx.errors.push(`${label}: ${purpose}: timeout`);
  return { kind: 'end', flight: f };
}

/**
 * Pick-and-remove loop over one list of suites: offer all, record the server's pick, remove it,
 * repeat until the server refuses. Returns the picks in order, or versionRejected when the
 * server does not speak this version at all.
 */
async function pickLoop(
  ctx: Ctx,
  label: ProtocolName,
  list: readonly number[],
  mk: Mk,
  isVersion: IsVersion,
  purpose: string,
): Promise<{ picks: number[]; versionRejected: boolean; flights: FlightResult[]; last: FlightResult | null }> {
  const remaining = [...list];
  const picks: number[] = [];
  const flights: FlightResult[] = [];
  let last: FlightResult | null = null;
  while (remaining.length) {
    const p = await pickOnce(ctx, label, remaining, mk, isVersion, purpose);
    last = p.flight;
    if (p.kind === 'other-version') return { picks, versionRejected: picks.length === 0, flights, last };
    if (p.kind === 'end') break;
    flights.push(p.flight);
    picks.push(p.suite);
    remaining.splice(remaining.indexOf(p.suite), 1);
  }
  return { picks, versionRejected: false, flights, last };
}

/** A server that chokes on a long hello (silent close, decode_error) gets the list in small chunks. */
function choked(f: FlightResult | null): boolean {
  if (!f) return false;
  return (
    (f.kind === 'incomplete' && f.bytes === 0 && !/^transport failed/.test(f.error ?? '')) ||
    f.alert?.name === 'decode_error' ||
    f.alert?.name === 'record_overflow'
  );
}

/**
 * Accepted suites and their order at one version.
 *
 * 1. Offer every candidate: the pick proves the version (or the version is refused: done).
 * 2. Offer the rest: a second pick p2. If p2 came before p1 in the first hello, the server
 *    overrode our order (server preference) — no extra handshake; else one hello [p2, p1] decides.
 * 3. While the server's order matters (preference true or not yet known), continue the pick chain
 *    serially: the picks come out in the server's order, which costs no further handshake. As soon
 *    as the server is known to follow the client's order, the rest is dealt into parallel chains
 *    (order no longer matters). The connection pool keeps transports open ahead, so a serial step
 *    costs one hello round trip, not a whole FTP login.
 */
async function enumerateVersion(
  ctx: Ctx,
  label: ProtocolName,
  all: readonly number[],
  mk: Mk,
  isVersion: IsVersion,
  onDetected?: (supported: boolean) => void,
): Promise<VersionFacts> {
  let detected = false;
  const detect = (v: boolean) => {
    if (!detected) {
      detected = true;
      onDetected?.(v);
    }
  };
  try {
    if (all.length > ctx.opts.maxSuitesPerHello)
      return await enumerateChunked(ctx, label, all, mk, isVersion, ctx.opts.maxSuitesPerHello, detect);
    const first = await pickOnce(ctx, label, all, mk, isVersion, 'enumerate');
    if (first.kind !== 'pick') {
      if (first.kind === 'end' && all.length > 64 && choked(first.flight)) {
        ctx.errors.push(`${label}: no answer to a ${all.length}-suite hello (${describe(first.flight)}); retried in chunks of 64`);
        return await enumerateChunked(ctx, label, all, mk, isVersion, 64, detect);
      }
      return NONE;
    }
    detect(true);
    const picks = [first.suite];
    const flights = [first.flight];
    const remaining = all.filter((c) => c !== first.suite);
    if (!remaining.length) return { supported: true, suites: picks, flights, preference: null };
    const second = await pickOnce(ctx, label, remaining, mk, isVersion, 'enumerate');
    if (second.kind !== 'pick') return { supported: true, suites: picks, flights, preference: null };
    const [p1, p2] = [first.suite, second.suite];
    picks.push(p2);
    flights.push(second.flight);
    remaining.splice(remaining.indexOf(p2), 1);

    let preference: boolean | null | undefined;
    let prefJob: Promise<void> = Promise.resolve();
    if (all.indexOf(p2) < all.indexOf(p1)) preference = true;
    else {
      prefJob = (async () => {
        const f = await exchange(ctx, mk([p2, p1]), 'preference', label, 2);
        const p = f.serverHello && isVersion(f) ? f.serverHello.cipherSuite : undefined;
        if (p === p1) preference = true;
        else if (p === p2) preference = false;
        else {
          preference = null;
          ctx.errors.push(`${label}: preference test inconclusive (${describe(f)})`);
        }
      })();
    }

    let exhausted = false;
    while (remaining.length && (preference === undefined || preference === true)) {
      const p = await pickOnce(ctx, label, remaining, mk, isVersion, 'enumerate');
      if (p.kind !== 'pick') {
        exhausted = true;
        break;
      }
      picks.push(p.suite);
      flights.push(p.flight);
      remaining.splice(remaining.indexOf(p.suite), 1);
    }
    await prefJob;
    if (!exhausted && remaining.length) {
      // the client's order rules: the rest only needs its set, in parallel chains
      const lanes = deal(remaining, Math.min(2, ctx.pool.cap));
      const rs = await Promise.all(lanes.map((l) => pickLoop(ctx, label, l, mk, isVersion, 'enumerate')));
      for (const r of rs) {
        picks.push(...r.picks);
        flights.push(...r.flights);
      }
    }
    const pref = preference ?? null;
    return { supported: true, suites: pref === true ? picks : [...picks].sort((x, y) => x - y), flights, preference: pref };
  } finally {
    detect(false);
  }
}

/** The fallback for long candidate lists: chunks enumerated in parallel, then order and preference. */
async function enumerateChunked(
  ctx: Ctx,
  label: ProtocolName,
  all: readonly number[],
  mk: Mk,
  isVersion: IsVersion,
  size: number,
  detect: (v: boolean) => void,
): Promise<VersionFacts> {
  const chunks = chunk(all, size);
  const first = await pickLoop(ctx, label, chunks[0]!, mk, isVersion, 'enumerate');
  if (first.versionRejected) return NONE;
  if (first.picks.length) detect(true);
  const rest = await Promise.all(chunks.slice(1).map((c) => pickLoop(ctx, label, c, mk, isVersion, 'enumerate')));
  const results = [first, ...rest];
  const suites = results.flatMap((r) => r.picks);
  if (!suites.length) return NONE;
  const flights = results.flatMap((r) => r.flights);
  const preference = await preferenceTest(ctx, label, suites, mk, isVersion);
  let order = [...suites].sort((x, y) => x - y);
  if (preference === true) {
    if (results.filter((r) => r.picks.length > 0).length > 1) {
      // picks from different chunks are not comparable: one more pass over the accepted set
      const r = await pickLoop(ctx, label, suites, mk, isVersion, 'order');
      if (r.picks.length === suites.length) order = r.picks;
      else ctx.errors.push(`${label}: ordering pass incomplete; order is partial`);
    } else order = suites;
  }
  return { supported: true, suites: order, flights, preference };
}

/** Candidates at one TLS ≤ 1.2 version: no TLS 1.3-only suite, and no TLS 1.2-only suite below 1.2. */
function legacyCandidates(label: ProtocolName): number[] {
  return legacySuites()
    .filter((s) => label === 'TLSv1.2' || !s.tls12Only)
    .map((s) => s.code);
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
async function preferenceTest(ctx: Ctx, label: ProtocolName, suites: number[], mk: Mk, isVersion: IsVersion): Promise<boolean | null> {
  if (suites.length < 2) return null;
  const [a, b] = [suites[0]!, suites[suites.length - 1]!];
  const [f1, f2] = await Promise.all([
    exchange(ctx, mk([a, b]), 'preference', label, 2),
    exchange(ctx, mk([b, a]), 'preference', label, 2),
  ]);
  const p1 = f1.serverHello && isVersion(f1) ? f1.serverHello.cipherSuite : undefined;
  const p2 = f2.serverHello && isVersion(f2) ? f2.serverHello.cipherSuite : undefined;
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
    const hello = buildClientHello({
      version: 0x0304,
      suites,
      serverName: ctx.opts.serverName,
      supportedVersions: [0x0304],
      keyShares: [],
      groups: remaining,
    });
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
    const f = await exchange(
      ctx,
      legacyHello(version, ecdheSuites, ctx.opts.serverName, { groups: remaining }),
      'curves',
      label,
      remaining.length,
    );
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
  {
    let raw: net.Socket;
    try {
      raw = await ctx.pool.acquire();
    } catch (err) {
      ctx.errors.push(`certificate via node:tls: transport failed: ${(err as Error).message}`);
      return [];
    }
    ctx.handshakes++;
    let released = false;
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
        if (!released) {
          released = true;
          ctx.pool.release();
        }
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
  }
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
    pool: undefined as unknown as Pool,
    handshakes: 0,
    limited: false,
    errors: [],
    refusalsInARow: 0,
  };
  ctx.pool = new Pool(ctx.opts.connections, () => openWithRetry(ctx));
  const want = new Set<ProtocolName>(options.versions ?? ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
  const legacyLabels = (['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const).filter((l) => want.has(l));
  const sn = ctx.opts.serverName;

  // Phase 1: versions and suites, all versions at once (the pool keeps us under the cap and opens
  // transports ahead of need). Each version reports as soon as its first hello is answered, so the
  // side tests (fallback SCSV, compression, curves, TLS 1.3 groups) overlap with the enumeration.
  ctx.pool.setWarm(true);
  const tls13Codes = tls13Suites().map((s) => s.code);
  const allLabels: ProtocolName[] = [...legacyLabels, 'TLSv1.3'];
  const settle = new Map<ProtocolName, (v: boolean) => void>();
  const known = new Map<ProtocolName, Promise<boolean>>();
  for (const l of allLabels) known.set(l, new Promise<boolean>((res) => settle.set(l, res)));
  const isLegacy =
    (version: number): IsVersion =>
    (f) =>
      f.serverHello!.version === version && !f.serverHello!.isHelloRetryRequest;

  const ssl2Job = want.has('SSLv2') ? probeSSLv2(ctx) : Promise.resolve({ supported: false, kinds: [] as number[], cert: null });
  const t13Job = want.has('TLSv1.3')
    ? enumerateVersion(
        ctx,
        'TLSv1.3',
        tls13Codes,
        (s) => tls13Hello(s, sn),
        (f) => f.serverHello!.version === 0x0304,
        settle.get('TLSv1.3'),
      )
    : (settle.get('TLSv1.3')!(false), Promise.resolve(NONE));
  const groupsJob = known.get('TLSv1.3')!.then((ok) => (ok ? tls13Groups(ctx, tls13Codes) : []));
  const legacyJobs = legacyLabels.map((l) =>
    enumerateVersion(
      ctx,
      l,
      legacyCandidates(l),
      (s) => legacyHello(PROTOCOL_VERSIONS[l], s, sn),
      isLegacy(PROTOCOL_VERSIONS[l]),
      settle.get(l),
    ),
  );

  let fallbackScsv: FallbackScsv | null = 'n/a';
  let compression: string | null = null;
  let legacyCurveList: number[] = [];
  const sideJobs = (async () => {
    const on = new Map<ProtocolName, boolean>();
    for (const l of allLabels) on.set(l, await known.get(l)!);
    const supLegacy = legacyLabels.filter((l) => on.get(l));
    const top = supLegacy[0] ?? null;
    const supAll: ProtocolName[] = [...(on.get('TLSv1.3') ? (['TLSv1.3'] as const) : []), ...supLegacy];
    const jobs: Promise<void>[] = [];
    if (supAll.length >= 2) {
      jobs.push(
        (async () => {
          const lower = supAll[1]!;
          const version = PROTOCOL_VERSIONS[lower];
          const list = legacyCandidates(lower);
          const f = await exchange(ctx, legacyHello(version, list, sn, { fallbackScsv: true }), 'fallback-scsv', lower, list.length + 1);
          if (f.alert?.name === 'inappropriate_fallback') fallbackScsv = 'protected';
          else if (f.serverHello && f.serverHello.version === version) fallbackScsv = 'not-protected';
          else {
            fallbackScsv = null;
            ctx.errors.push(`fallback SCSV test inconclusive: ${describe(f)}`);
          }
        })(),
      );
    }
    if (top) {
      jobs.push(
        (async () => {
          const list = legacyCandidates(top);
          const f = await exchange(
            ctx,
            legacyHello(PROTOCOL_VERSIONS[top], list, sn, { compression: [1, 64, 0] }),
            'compression',
            top,
            list.length,
          );
          if (f.serverHello) compression = COMPRESSION_NAMES[f.serverHello.compression] ?? `method_${f.serverHello.compression}`;
          else ctx.errors.push(`compression test inconclusive: ${describe(f)}`);
        })(),
      );
      if (!on.get('TLSv1.3')) {
        // every ECDHE candidate: the server picks among those it accepts; none accepted → no curve
        const ecdhe = legacyCandidates(top).filter((c) => {
          const k = suiteByCode(c)?.kex;
          return k === 'ECDHE' || k === 'ECDHE_PSK';
        });
        if (ecdhe.length) jobs.push(legacyCurves(ctx, top, ecdhe).then((r) => void (legacyCurveList = r)));
      }
    }
    await Promise.all(jobs);
  })();

  const [ssl2, t13, t13groups, ...legacy] = await Promise.all([ssl2Job, t13Job, groupsJob, ...legacyJobs]);
  ctx.pool.setWarm(false);
  await sideJobs;
  const facts = new Map<ProtocolName, VersionFacts>();
  facts.set('TLSv1.3', t13);
  legacyLabels.forEach((l, i) => facts.set(l, legacy[i]!));

  const protocols: Record<ProtocolName, boolean> = {
    SSLv2: ssl2.supported,
    SSLv3: false,
    'TLSv1.0': false,
    'TLSv1.1': false,
    'TLSv1.2': false,
    'TLSv1.3': t13.supported,
  };
  for (const l of legacyLabels) protocols[l] = facts.get(l)!.supported;
  const groupsFound: number[] = t13.supported ? [...t13groups] : [];

  const supportedLegacy = legacyLabels.filter((l) => protocols[l]);
  const highestLegacy = supportedLegacy[0] ?? null;
  const prefByVersion: Partial<Record<ProtocolName, boolean | null>> = {};
  const ordered = new Map<ProtocolName, number[]>();
  for (const l of [...supportedLegacy, ...(t13.supported ? (['TLSv1.3'] as const) : [])] as ProtocolName[]) {
    const f = facts.get(l)!;
    prefByVersion[l] = f.preference;
    ordered.set(l, f.suites);
  }

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

  await ctx.pool.drain();
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
    if (f)
      evidence.push({
        label: `${l} ServerHello`,
        value:
          describe(f) +
          (f.serverHello!.secureRenegotiation ? ' +renegotiation_info' : '') +
          (f.serverHello!.extendedMasterSecret ? ' +extended_master_secret' : ''),
      });
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
    connections: ctx.pool.opened,
    limited: ctx.limited,
    errors: ctx.errors,
    durationMs: Math.round(performance.now() - started),
    evidence,
  };
}
