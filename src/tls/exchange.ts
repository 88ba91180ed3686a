// One ClientHello and the server's first flight, on a transport from the pool; and the state the
// prober keeps per endpoint while it plans: the connection cap it learned, the round-trip time it
// measured, how the explicit-FTPS preamble may be pipelined, how deep its chains of dependent
// hellos went.
import { DEFAULT_LIMITS, ServerFlight, versionLabel, type FlightResult } from './hello.js';
import { groupName, suiteName } from '../knowledge/tls-registry.js';
import {
  Pool,
  TransportError,
  ftpsPreamble,
  helloSilenceMs,
  tellRefusal,
  type OpenTransport,
  type PreambleMode,
  type TlsTransportCapabilities,
  type Transport,
} from './transport.js';

export interface ExchangeLog {
  purpose: string;
  version: string;
  offered: number;
  outcome: string;
  ms: number;
}

export interface CtxOptions {
  serverName?: string;
  timeoutMs: number;
  connections: number;
  maxSuitesPerHello: number;
  retries: number;
  backoffMs: number;
  nodeTlsChain: boolean;
  onExchange?: (e: ExchangeLog) => void;
}

/** Priorities of the pool's waiters: a version's first hello and a serial chain's next step first. */
export const PRIO = { critical: 0, chain: 1, side: 2 } as const;

/** Below this round-trip time saving round trips is not worth an experiment (loopback, LAN). */
export const WAN_RTT_MS = 5;

export interface Ctx {
  open: OpenTransport;
  caps: TlsTransportCapabilities | null;
  opts: CtxOptions;
  pool: Pool;
  handshakes: number;
  limited: boolean;
  errors: string[];
  /** the connection cap learned from refusals (421, resets), null while none came */
  perIpLimit: number | null;
  /** explicit FTPS with `caps`: how the preamble is sent now */
  preamble: PreambleMode;
  /** may the ClientHello go out with AUTH TLS? learned once, on a side test */
  helloPipelining: 'untried' | 'trying' | 'yes' | 'no';
  /** settles when the pipelining trial is over (planning waits for it rather than guess) */
  trialDone: Promise<void>;
  endTrial: () => void;
  /** request → reply times with nothing else in them (hello on a ready transport; AUTH in 'wait' mode) */
  rttSamples: number[];
  rttHintMs: number | null;
  /** transport set-up times (open until ready for a hello), for callers that only give `open` */
  setupSamples: number[];
  /** the longest chain of hellos that each waited for the one before */
  depth: number;
}

export function makeCtx(
  open: OpenTransport,
  caps: TlsTransportCapabilities | null,
  opts: CtxOptions,
  rttHintMs: number | null,
  helloPipelining: boolean | null = null,
): Ctx {
  const pipelining = !caps?.starttls ? 'no' : helloPipelining === null ? 'untried' : helloPipelining ? 'yes' : 'no';
  const ctx: Ctx = {
    open,
    caps,
    opts,
    pool: undefined as unknown as Pool,
    handshakes: 0,
    limited: false,
    errors: [],
    perIpLimit: null,
    preamble: 'auth',
    helloPipelining: pipelining,
    trialDone: Promise.resolve(),
    endTrial: () => {},
    rttSamples: [],
    rttHintMs,
    setupSamples: [],
    depth: 0,
  };
  ctx.pool = new Pool(opts.connections, (hello) => openWithRetry(ctx, hello));
  ctx.pool.pipelineHello = pipelining === 'yes';
  return ctx;
}

/** The smallest clean round trip seen (or the caller's hint before any): a lower bound of the RTT. */
export function rttOf(ctx: Ctx): number | null {
  if (ctx.rttSamples.length) return Math.min(...ctx.rttSamples);
  return ctx.rttHintMs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function describe(f: FlightResult): string {
  if (f.serverHello) {
    const sh = f.serverHello;
    return `${f.kind} ${versionLabel(sh.version)} ${suiteName(sh.cipherSuite)}${sh.keyShareGroup !== null ? ` group=${groupName(sh.keyShareGroup)}` : ''}`;
  }
  if (f.alert) return `alert ${f.alert.level === 2 ? 'fatal' : 'warning'} ${f.alert.name}`;
  if (f.sslv2) return `SSLv2 SERVER-HELLO ${f.sslv2.cipherKinds.length} kinds`;
  return `${f.kind}${f.error ? `: ${f.error}` : ''}`;
}

/** Dials and runs the preamble the capabilities describe (or calls the caller's `open`). */
async function openOnce(ctx: Ctx, hello: Buffer | null): Promise<Transport> {
  const started = performance.now();
  if (!ctx.caps) {
    const socket = await ctx.open();
    ctx.setupSamples.push(performance.now() - started);
    return { socket, pending: null, helloSent: false, readyAt: performance.now() };
  }
  const socket = await ctx.caps.dial().catch((err: unknown) => {
    // refused or reset at connect where connections worked before: a limit, not a closed port
    const code = (err as { code?: string })?.code ?? '';
    if (ctx.handshakes > 0 && /^(closed|ECONNREFUSED|ECONNRESET)$/.test(code)) {
      const message = `connect refused after ${ctx.handshakes} handshakes`;
      ctx.caps?.onRefused?.('refused', message);
      throw Object.assign(new Error(message), { code: 'refused-by-server' });
    }
    throw err;
  });
  const st = ctx.caps.starttls;
  if (!st) return { socket, pending: null, helloSent: false, readyAt: performance.now() };
  const mode: PreambleMode = ctx.preamble === 'wait' ? 'wait' : hello ? 'hello' : 'auth';
  try {
    return await ftpsPreamble(socket, st.command, mode, hello, ctx.opts.timeoutMs, (ms) => ctx.rttSamples.push(ms), ctx.caps.onGreeting);
  } catch (err) {
    // told while the refused connection still counts as open (the dialer lowers its cap to the others)
    tellRefusal(ctx.caps, err);
    socket.on('error', () => {});
    socket.destroy();
    if (err instanceof TransportError && err.code === 'pipeline-refused' && ctx.preamble !== 'wait') {
      // this server wants the greeting read before it hears a command: wait from now on
      ctx.preamble = 'wait';
      if (ctx.helloPipelining !== 'yes') ctx.helloPipelining = 'no';
      ctx.errors.push(`${st.command} sent before the greeting was not answered with 234: the preamble is no longer pipelined`);
      return openOnce(ctx, hello);
    }
    throw err;
  }
}

/**
 * Opens a transport, retrying with exponential backoff when the server refuses (FTP 421). A
 * refusal teaches the per-IP limit: fewer connections than were open when it came (never below 1).
 */
async function openWithRetry(ctx: Ctx, hello: Buffer | null): Promise<Transport> {
  let delay = ctx.opts.backoffMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await openOnce(ctx, hello);
    } catch (err) {
      const code = (err as { code?: string })?.code;
      if (code === 'refused-by-server' && attempt < ctx.opts.retries) {
        learnLimit(ctx, ctx.pool.openNow);
        await sleep(delay + Math.floor(Math.random() * delay * 0.25));
        delay *= 2;
        continue;
      }
      throw err;
    }
  }
}

/** The server refused a connection while `openNow` of ours were open (that one included). */
export function learnLimit(ctx: Ctx, openNow: number): void {
  ctx.limited = true;
  const cap = Math.max(1, Math.min(ctx.pool.cap - 1, openNow - 1));
  ctx.pool.cap = cap;
  ctx.perIpLimit = cap;
}

export interface ExchangeMeta {
  purpose: string;
  version: string;
  offered: number;
  /** the level of the hello this one waited for (0: none) */
  after: number;
  priority: number;
}

/** Why a flight ended when a hello sent with AUTH got no answer after the 234. */
const PIPELINED_SILENCE = 'no reply to the pipelined hello';

/**
 * One ClientHello on a fresh transport; reads the server's first flight. Never throws. Returns the
 * flight and this hello's level (`after` + 1).
 */
export async function exchange(ctx: Ctx, hello: Buffer, meta: ExchangeMeta): Promise<FlightResult> {
  const started = performance.now();
  const level = meta.after + 1;
  ctx.depth = Math.max(ctx.depth, level);
  let flight: FlightResult;
  let trials = 0;
  for (let attempt = 0; ; attempt++) {
    const trial = trials === 0 && ctx.helloPipelining === 'untried' && meta.priority >= PRIO.side && (rttOf(ctx) ?? 0) >= WAN_RTT_MS;
    if (trial) {
      ctx.helloPipelining = 'trying';
      ctx.trialDone = new Promise<void>((r) => (ctx.endTrial = r));
    }
    flight = await exchangeOnce(ctx, hello, meta.priority, trial);
    if (!trial && flight.bytes === 0 && flight.error?.startsWith(PIPELINED_SILENCE) && ctx.helloPipelining === 'yes') {
      // told (or found) that the server reads a hello sent with AUTH, and here it did not: from now
      // on the hello waits for the 234, and this one is asked again that way
      ctx.helloPipelining = 'no';
      ctx.pool.pipelineHello = false;
      ctx.errors.push('a hello sent with AUTH went unanswered: the hellos wait for the 234 from now on');
      continue;
    }
    if (trial) {
      const seen = flight.bytes > 0 && flight.kind !== 'not-tls';
      // closed without a byte: it may have read the hello and hung up: inconclusive, another side
      // test tries again; silence after the 234 means it dropped the hello
      trials++;
      const unsure = !seen && /connection closed/.test(flight.error ?? '');
      ctx.helloPipelining = seen ? 'yes' : unsure ? 'untried' : 'no';
      ctx.pool.pipelineHello = seen;
      ctx.endTrial();
      // the server never read that hello (it was counted: it crossed the wire): ask again the ordinary way
      if (!seen) continue;
    }
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
  ctx.opts.onExchange?.({
    purpose: meta.purpose,
    version: meta.version,
    offered: meta.offered,
    outcome: describe(flight),
    ms: Math.round(performance.now() - started),
  });
  return flight;
}

async function exchangeOnce(ctx: Ctx, hello: Buffer, priority: number, trial: boolean): Promise<FlightResult> {
  const parser = new ServerFlight(DEFAULT_LIMITS);
  let t: Transport;
  try {
    t = await ctx.pool.acquire(priority, ctx.pool.pipelineHello || trial ? hello : null, trial);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const msg = `transport failed (${e.code ?? 'error'}: ${e.message ?? String(err)})`;
    if (!ctx.errors.includes(msg)) ctx.errors.push(msg);
    parser.end(msg);
    return parser.result;
  }
  ctx.handshakes++;
  return readFlight(ctx, t, hello, parser, trial || t.helloSent ? helloSilenceMs(rttOf(ctx), trial ? 'trial' : 'trusted') : null);
}

/** Sends the hello (unless it went with the preamble) and reads the flight; releases the transport. */
function readFlight(ctx: Ctx, t: Transport, hello: Buffer, parser: ServerFlight, silentAfterMs: number | null): Promise<FlightResult> {
  const socket = t.socket;
  return new Promise<FlightResult>((resolve) => {
    let finished = false;
    let sentAt = performance.now();
    let first = true;
    const finish = (reason?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(silence);
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
      if (first) {
        first = false;
        clearTimeout(silence);
        if (!t.helloSent) ctx.rttSamples.push(performance.now() - sentAt);
      }
      parser.push(d);
      if (parser.done) finish();
    };
    const onEnd = () => finish('connection closed');
    const onError = (err: NodeJS.ErrnoException) => finish(`socket error ${err.code ?? err.message}`);
    const timer = setTimeout(() => finish('timeout'), ctx.opts.timeoutMs);
    const silence = silentAfterMs === null ? undefined : setTimeout(() => finish(PIPELINED_SILENCE), silentAfterMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.on('error', onError);
    socket.setNoDelay?.(true);
    if (t.pending) onData(t.pending);
    if (!t.helloSent) {
      sentAt = performance.now();
      socket.write(hello, (err) => {
        if (err) finish(`write failed: ${err.message}`);
      });
    }
    if (!finished) socket.resume();
  });
}
