// Accepted cipher suites and their order at one protocol version: removal chains planned for the
// round trip. A ServerHello proves one suite, so every accepted suite costs one hello; what the
// plan decides is how many of those hellos wait for each other.
//
// 1. Offer every candidate: the pick p1 proves the version (or the version is refused: done).
// 2. Offer the rest: a second pick p2. If p2 came before p1 in the first hello, the server
//    overrode our order (server preference) — no extra hello; else one hello [p2, p1] decides,
//    sent beside the next step of the chain.
// 3. While the server's order matters (preference true or not yet known), the chain goes on
//    serially: its picks come out in the server's order, one hello each. As soon as the server is
//    known to follow the client's order, the rest is dealt into parallel removal chains (their
//    number set by the connection cap and the round trip: on a WAN, parallel chains save round
//    trips; on loopback, every extra chain is one more refused hello for the server to compute).
import type { FlightResult, ProtocolName } from './hello.js';
import { suiteName } from '../knowledge/tls-registry.js';
import { describe, exchange, PRIO, rttOf, WAN_RTT_MS, type Ctx } from './exchange.js';

export interface VersionFacts {
  supported: boolean;
  /**
   * false when a version looks unsupported only because nothing decided it: a timeout, bytes that
   * are not TLS, a transport that could not be opened. A refusal is an alert, another version's
   * answer, or the server closing the connection on our hello.
   */
  decided: boolean;
  /** accepted suites; in server preference order when `preference` is true, else by code */
  suites: number[];
  flights: FlightResult[];
  /** does the server impose its own order at this version (null: not decidable, e.g. one suite) */
  preference: boolean | null;
}

export const NONE: VersionFacts = { supported: false, decided: true, suites: [], flights: [], preference: null };
const UNDECIDED: VersionFacts = { ...NONE, decided: false };

/** Whether a hello that drew no pick was refused (decided) or only not answered (not decided). */
export function refusalDecides(f: FlightResult): boolean {
  if (f.kind === 'alert' || f.kind === 'sslv2-error') return true;
  if (f.kind === 'server-hello' || f.kind === 'hello-retry-request') return true;
  // closed or reset in answer to the hello; a timeout, a transport failure or garbage is not an answer
  const e = f.error ?? '';
  return f.kind === 'incomplete' && /connection closed|ECONNRESET/.test(e) && !/timeout|^transport failed/.test(e);
}

export type Mk = (suites: number[]) => Buffer;
export type IsVersion = (f: FlightResult) => boolean;

/** What one version's enumeration needs: how to build its hello and recognise its answer. */
export interface VersionPlan {
  label: ProtocolName;
  candidates: readonly number[];
  mk: Mk;
  isVersion: IsVersion;
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
  v: VersionPlan,
  list: readonly number[],
  purpose: string,
  after: number,
  priority: number,
): Promise<PickResult> {
  const f = await exchange(ctx, v.mk([...list]), { purpose, version: v.label, offered: list.length, after, priority });
  const sh = f.serverHello;
  if (sh) {
    if (!v.isVersion(f)) return { kind: 'other-version', flight: f };
    if (!list.includes(sh.cipherSuite)) {
      ctx.errors.push(`${v.label}: server picked ${suiteName(sh.cipherSuite)}, which was not offered`);
      return { kind: 'end', flight: f };
    }
    return { kind: 'pick', suite: sh.cipherSuite, flight: f };
  }
  if (f.alert?.name === 'protocol_version') return { kind: 'other-version', flight: f };
  if (f.kind === 'not-tls') ctx.errors.push(`${v.label}: ${f.error}`);
  if (f.kind === 'malformed') ctx.errors.push(`${v.label}: malformed reply: ${f.error}`);
  if (f.kind === 'incomplete' && /timeout/.test(f.error ?? '')) ctx.errors.push(`${v.label}: ${purpose}: timeout`);
  return { kind: 'end', flight: f };
}

interface LoopResult {
  picks: number[];
  versionRejected: boolean;
  /** the loop ended on a refusal that decides (not a timeout or garbage) */
  refused: boolean;
  flights: FlightResult[];
  /** level of the chain's last hello */
  level: number;
}

/**
 * Pick-and-remove loop over one list of suites: offer all, record the server's pick, remove it,
 * repeat until the server refuses. `versionRejected` when the server does not speak this version.
 */
async function pickLoop(ctx: Ctx, v: VersionPlan, list: readonly number[], purpose: string, after: number): Promise<LoopResult> {
  const remaining = [...list];
  const out: LoopResult = { picks: [], versionRejected: false, refused: false, flights: [], level: after };
  while (remaining.length) {
    const p = await pickOnce(ctx, v, remaining, purpose, out.level, PRIO.chain);
    out.level++;
    if (p.kind === 'other-version') {
      out.versionRejected = out.picks.length === 0;
      out.refused = true;
      return out;
    }
    if (p.kind === 'end') {
      out.refused = refusalDecides(p.flight);
      break;
    }
    out.flights.push(p.flight);
    out.picks.push(p.suite);
    remaining.splice(remaining.indexOf(p.suite), 1);
  }
  return out;
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
 * How many parallel removal chains the client-order rest gets. On loopback two, as before (the
 * server's CPU sets the pace; each chain ends with one refused hello). On a WAN the number that
 * finishes first by the round-trip model: k chains finding `accepted` more suites (unknown until
 * done: 16 is assumed, a typical server's count, never more than the candidates left) take
 *   max((accepted + k) × perHandshake / cap,  (accepted / k + 1) × stepRtts)
 * round trips: the cap can serve a hello every perHandshake round trips per connection, and a
 * chain step waits one round trip on a transport opened ahead (stepRtts 1), or a whole connection
 * when the hello goes out with the preamble (stepRtts = perHandshake) or may do so soon (the trial is
 * still to come).
 */
export function laneCount(ctx: Ctx, rest: number, perHandshake: number, tls13 = false): number {
  const rtt = rttOf(ctx) ?? 0;
  const cap = ctx.pool.cap;
  if (rtt < WAN_RTT_MS) return Math.max(1, Math.min(2, cap));
  // TLS 1.3 has five suites in all, two of which are known by now
  const accepted = Math.max(1, Math.min(rest, tls13 ? 3 : 16));
  // while the trial is still to come, plan as if it will succeed: lanes sized for warm transports
  // (few, long) would each step a whole connection once hellos go out with AUTH
  const step = ctx.pool.pipelineHello || ctx.helloPipelining === 'untried' ? perHandshake : 1;
  const cost = (k: number) => Math.max(((accepted + k) * perHandshake) / cap, (accepted / k + 1) * step);
  let best = 1;
  for (let k = 2; k <= Math.min(8, accepted); k++) if (cost(k) < cost(best) - 1e-9) best = k;
  return best;
}

/** Deals `arr` round-robin into n lists (accepted suites cluster by code: this spreads them). */
export function deal<T>(arr: readonly T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, n) }, () => []);
  arr.forEach((x, i) => out[i % out.length]!.push(x));
  return out.filter((l) => l.length > 0);
}

function chunk<T>(arr: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
  return out.length ? out : [[]];
}

/** Accepted suites and their order at one version (see the top of this file). */
export async function enumerateVersion(
  ctx: Ctx,
  v: VersionPlan,
  perHandshake: () => number,
  onDetected?: (supported: boolean, first?: FlightResult) => void,
): Promise<VersionFacts> {
  let detected = false;
  const detect = (ok: boolean, first?: FlightResult) => {
    if (!detected) {
      detected = true;
      onDetected?.(ok, first);
    }
  };
  try {
    const all = v.candidates;
    if (all.length > ctx.opts.maxSuitesPerHello) return await enumerateChunked(ctx, v, ctx.opts.maxSuitesPerHello, detect);
    // TLS 1.2 and 1.3 hold the long chains; an old version's first hello is usually a refusal
    const firstPriority = v.label === 'TLSv1.2' || v.label === 'TLSv1.3' ? PRIO.critical : PRIO.chain;
    const first = await pickOnce(ctx, v, all, 'enumerate', 0, firstPriority);
    if (first.kind !== 'pick') {
      if (first.kind === 'end' && all.length > 64 && choked(first.flight)) {
        ctx.errors.push(`${v.label}: no answer to a ${all.length}-suite hello (${describe(first.flight)}); retried in chunks of 64`);
        return await enumerateChunked(ctx, v, 64, detect);
      }
      return first.kind === 'other-version' || refusalDecides(first.flight) ? NONE : UNDECIDED;
    }
    detect(true, first.flight);
    return await enumerateRest(ctx, v, first.suite, first.flight, perHandshake);
  } finally {
    detect(false);
  }
}

/** Steps 2 and 3: the second pick, the preference, then the serial chain or parallel chains. */
async function enumerateRest(ctx: Ctx, v: VersionPlan, p1: number, f1: FlightResult, perHandshake: () => number): Promise<VersionFacts> {
  const all = v.candidates;
  const picks = [p1];
  const flights = [f1];
  const remaining = all.filter((c) => c !== p1);
  if (!remaining.length) return { supported: true, decided: true, suites: picks, flights, preference: null };
  const second = await pickOnce(ctx, v, remaining, 'enumerate', 1, PRIO.critical);
  if (second.kind !== 'pick') return { supported: true, decided: true, suites: picks, flights, preference: null };
  const p2 = second.suite;
  picks.push(p2);
  flights.push(second.flight);
  remaining.splice(remaining.indexOf(p2), 1);

  let preference: boolean | null | undefined;
  let prefJob: Promise<void> = Promise.resolve();
  if (all.indexOf(p2) < all.indexOf(p1)) preference = true;
  else {
    prefJob = (async () => {
      const f = await exchange(ctx, v.mk([p2, p1]), {
        purpose: 'preference',
        version: v.label,
        offered: 2,
        after: 2,
        priority: PRIO.critical,
      });
      const p = f.serverHello && v.isVersion(f) ? f.serverHello.cipherSuite : undefined;
      if (p === p1) preference = true;
      else if (p === p2) preference = false;
      else {
        preference = null;
        ctx.errors.push(`${v.label}: preference test inconclusive (${describe(f)})`);
      }
    })();
  }

  // the serial chain, while the server's order matters or is not known yet
  let exhausted = false;
  let level = 2;
  while (remaining.length && (preference === undefined || preference === true)) {
    const p = await pickOnce(ctx, v, remaining, 'enumerate', level++, PRIO.critical);
    if (p.kind !== 'pick') {
      exhausted = true;
      break;
    }
    picks.push(p.suite);
    flights.push(p.flight);
    remaining.splice(remaining.indexOf(p.suite), 1);
  }
  await prefJob;
  // the number of chains depends on whether hellos may go out with the preamble: learn that first
  if (ctx.helloPipelining === 'trying') await ctx.trialDone;
  if (!exhausted && remaining.length) {
    // the client's order rules: the rest only needs its set, in parallel chains
    const lanes = deal(remaining, laneCount(ctx, remaining.length, perHandshake(), v.label === 'TLSv1.3'));
    const rs = await Promise.all(lanes.map((l) => pickLoop(ctx, v, l, 'enumerate', Math.max(level, 3))));
    for (const r of rs) {
      picks.push(...r.picks);
      flights.push(...r.flights);
    }
  }
  const pref = preference ?? null;
  const suites = pref === true ? picks : [...picks].sort((x, y) => x - y);
  // flights in the order of the result (the first hello's first), whatever the number of chains
  const at = (f: FlightResult) => suites.indexOf(f.serverHello!.cipherSuite);
  return { supported: true, decided: true, suites, flights: [f1, ...flights.slice(1).sort((a, b) => at(a) - at(b))], preference: pref };
}

/** Offers [a, b] then [b, a]: the same pick twice means the server enforces its order. */
async function preferenceTest(ctx: Ctx, v: VersionPlan, suites: number[], after: number): Promise<boolean | null> {
  if (suites.length < 2) return null;
  const [a, b] = [suites[0]!, suites[suites.length - 1]!];
  const meta = { purpose: 'preference', version: v.label, offered: 2, after, priority: PRIO.critical };
  const [f1, f2] = await Promise.all([exchange(ctx, v.mk([a, b]), meta), exchange(ctx, v.mk([b, a]), meta)]);
  const p1 = f1.serverHello && v.isVersion(f1) ? f1.serverHello.cipherSuite : undefined;
  const p2 = f2.serverHello && v.isVersion(f2) ? f2.serverHello.cipherSuite : undefined;
  if (p1 === undefined || p2 === undefined) {
    ctx.errors.push(`${v.label}: preference test inconclusive (${describe(f1)} / ${describe(f2)})`);
    return null;
  }
  if (p1 === p2) return true;
  if (p1 === a && p2 === b) return false;
  return null;
}

/** The fallback for long candidate lists: chunks enumerated in parallel, then order and preference. */
async function enumerateChunked(ctx: Ctx, v: VersionPlan, size: number, detect: (ok: boolean) => void): Promise<VersionFacts> {
  const chunks = chunk(v.candidates, size);
  const first = await pickLoop(ctx, v, chunks[0]!, 'enumerate', 0);
  if (first.versionRejected) return NONE;
  if (first.picks.length) detect(true);
  const rest = await Promise.all(chunks.slice(1).map((c) => pickLoop(ctx, v, c, 'enumerate', 0)));
  const results = [first, ...rest];
  const suites = results.flatMap((r) => r.picks);
  if (!suites.length) return results.every((r) => r.refused) ? NONE : UNDECIDED;
  const flights = results.flatMap((r) => r.flights);
  const level = Math.max(...results.map((r) => r.level));
  const preference = await preferenceTest(ctx, v, suites, level);
  let order = [...suites].sort((x, y) => x - y);
  if (preference === true) {
    if (results.filter((r) => r.picks.length > 0).length > 1) {
      // picks from different chunks are not comparable: one more pass over the accepted set
      const r = await pickLoop(ctx, v, suites, 'order', level + 1);
      if (r.picks.length === suites.length) order = r.picks;
      else ctx.errors.push(`${v.label}: ordering pass incomplete; order is partial`);
    } else order = suites;
  }
  return { supported: true, decided: true, suites: order, flights, preference };
}
