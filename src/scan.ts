// A scan: resolves each host once, scans endpoints with bounded concurrency (each within its own
// dialer and deadline), judges each endpoint's facts with the checks, and assembles the report.
import net from 'node:net';
import type { EndpointReport, Finding, Report, ReportSummary } from './model.js';
import type { Endpoint } from './targets.js';
import type { AnyProbe, Credentials, ProbeOptions } from './probe.js';
import { Transcript, maskSecrets } from './net/transcript.js';
import { EndpointDialer, SocketBudget } from './net/dialer.js';
import type { RatePerAddress } from './net/rate.js';
import { ThrottleLog } from './net/throttle.js';
import { isLocalResourceError, localResourceMeaning, type LocalResourceError } from './net/outcomes.js';
import type { Interrupt } from './net/interrupt.js';
import { boundFinding, sanitizeDeep } from './untrusted.js';
import { proxyLabel, type ProxySpec } from './net/proxy.js';
import { chooseAddress, familyOf, resolveAll, type ResolveOptions } from './net/resolve.js';
import { PROBES } from '../probes/index.js';
import { drownAcrossEndpoints } from '../probes/tls-vulns.js';
import { runChecks, type CheckOptions, type ProfileSelection } from './checks/engine.js';
import { ALL_CHECKS } from './checks/registry.js';
import { TOOL_VERSION } from './version.js';
import { probeEndpoint } from './scheduler.js';
import { assembleFacts } from './assemble.js';
import { emptySummary, tally } from './knowledge/summary.js';
import { SCHEME_SERVICES } from './knowledge/services.js';
import { gradeFindings } from './knowledge/grade.js';
import { ftpGreetingDelays, longestFtpSessionRtts, scanPace } from './derive/pace.js';

export interface ScanOptions extends ProbeOptions {
  /** endpoints scanned at once */
  concurrency: number;
  profile: string;
  checkOptions: CheckOptions;
  /** options as given, for the report's metadata; never credentials */
  reportOptions?: Report['options'];
  /** sockets open at once across the whole scan (--max-sockets); unlimited by default */
  sockets?: SocketBudget;
  /** called as each endpoint finishes; `index` is its position in the input */
  onEndpointDone?: (ep: EndpointReport, done: number, total: number, index: number) => void;
  /** called when an endpoint moves to another step (detect, a probe, judging) */
  onStep?: (target: Endpoint, step: string) => void;
  /** called once per scan, the first time this machine runs out of descriptors or memory (the CLI says so on stderr) */
  onLocalPressure?: (err: LocalResourceError) => void;
  /**
   * false: do not keep finished endpoints (streaming output takes them from onEndpointDone), so
   * memory stays flat for thousands of targets; the report then has no endpoints, only the summary.
   */
  keepEndpoints?: boolean;
  /** overall deadline for one endpoint (ms); past it its sockets are destroyed and it is reported with what it has */
  endpointTimeoutMs?: number;
  /** probes to run after detection (default: all that apply) */
  probes?: readonly AnyProbe[];
  /** the profile's check selection and severities (src/profiles) */
  selection?: ProfileSelection;
  /** per-endpoint check options (e.g. a passive range from the policy); default checkOptions */
  checkOptionsFor?: (ep: EndpointReport, target: Endpoint) => CheckOptions;
  /** --proxy: every connection goes through it; names are resolved by the proxy */
  proxy?: ProxySpec | null;
  /** -4 / -6 and --resolve */
  resolve?: ResolveOptions;
  /** per-target credentials (e.g. from the policy); undefined = use `credentials` */
  credentialsFor?: (target: Endpoint) => Credentials | null | undefined;
  /** SIGINT/SIGTERM: endpoints not started are not dialled, the ones in flight wind down */
  interrupt?: Interrupt;
  /** --rate: new connections per second per target address, shared by the whole scan */
  rates?: RatePerAddress;
  /** waits before each new attempt when a server turns us away (--polite waits longer) */
  throttleDelaysMs?: readonly number[];
}

export function emptyEndpoint(e: Endpoint): EndpointReport {
  return {
    host: e.host,
    port: e.port,
    address: null,
    state: 'unreachable',
    connectMs: null,
    service: null,
    expectedService: e.expectedService,
    ...(e.scheme ? { expectedServices: [...SCHEME_SERVICES[e.scheme]] } : {}),
    banner: null,
    outcome: null,
    error: null,
    tls: null,
    ssh: null,
    ftp: null,
    findings: [],
    transcript: [],
  };
}

/**
 * Where the scan ran from, on the endpoint: the proxy it went through and the family it used.
 * Through a proxy a name is resolved by the proxy: we do not know the address it connected to.
 */
function markVantage(ep: EndpointReport, address: string, opts: ScanOptions): void {
  if (opts.proxy) {
    ep.via = proxyLabel(opts.proxy);
    if (!net.isIP(address)) ep.address = null;
  }
  ep.family = familyOf(ep.address);
}

const deadlineMessage = (ms: number | undefined) =>
  `the endpoint deadline (--endpoint-timeout ${ms} ms) passed; its connections were closed and the facts gathered so far are reported`;

/** Detection and probes for one endpoint, within its dialer; the facts, not yet judged. */
async function gatherEndpoint(target: Endpoint, address: string, opts: ScanOptions, dialer: EndpointDialer, transcript: Transcript) {
  const ep = emptyEndpoint(target);
  const { detected, runs, detectionConnections, elapsedMs } = await probeEndpoint({
    target,
    address,
    dialer,
    transcript,
    options: opts,
    probes: opts.probes ?? PROBES,
    onStep: (step) => opts.onStep?.(target, step),
  });
  Object.assign(ep, assembleFacts(detected, runs));
  if (runs.length > 0)
    ep.pace = scanPace({
      elapsedMs,
      connectionCap: opts.connections,
      serverLimit: dialer.serverLimit,
      connections: dialer.connectionsMade - detectionConnections,
      tlsPlan: ep.tls?.probe?.plan,
      tlsTestConnections: ep.tls?.vulnerabilities?.connections,
      sshPlan: ep.ssh?.audit?.plan,
      ftpSessionRtts: ep.ftp ? longestFtpSessionRtts(transcript.lines) : 0,
      greetingMs: ep.ftp ? ftpGreetingDelays(transcript.lines) : null,
    });
  if (dialer.interrupted) {
    const msg = `the scan was interrupted (${opts.interrupt?.reason ?? 'signal'}) while this endpoint was at work: its connections were closed and the facts gathered so far are reported`;
    transcript.note('scheduler', msg, 'scheduler');
    (ep.probeRuns ??= []).push({ probe: 'scheduler', status: 'error', detail: msg });
    // what a probe read into the connections we closed ("the server closed…") is not the server's doing
    ep.error = msg;
  } else if (dialer.aborted) {
    const msg = deadlineMessage(opts.endpointTimeoutMs);
    transcript.note('scheduler', msg, 'scheduler');
    (ep.probeRuns ??= []).push({ probe: 'scheduler', status: 'error', outcome: 'timeout', detail: msg });
    // Connected, then nothing recognisable before the deadline: that is the vocabulary's 'timeout'.
    if (ep.state === 'open' && (!ep.service || ep.service === 'unknown') && !ep.banner) {
      ep.state = 'timeout';
      ep.outcome = 'timeout';
    }
    ep.error ??= msg;
  }
  return ep;
}

/** Judges an endpoint's facts: the checks, under the profile's selection and thresholds. */
export function judgeEndpoint(ep: EndpointReport, checkOptions: CheckOptions, selection?: ProfileSelection): Finding[] {
  return runChecks(ep, ALL_CHECKS, checkOptions, selection);
}

/** Judges an endpoint and grades it from the findings (src/knowledge/grade.ts). */
export function judgeAndGrade(ep: EndpointReport, checkOptions: CheckOptions, selection?: ProfileSelection): void {
  ep.findings = judgeEndpoint(ep, checkOptions, selection);
  ep.grade = gradeFindings(ep.findings);
}

export async function scanEndpoint(
  target: Endpoint,
  address: string | null,
  resolveError: string | null,
  opts: ScanOptions,
  dialer?: EndpointDialer,
): Promise<EndpointReport> {
  const creds = opts.credentialsFor?.(target);
  if (creds !== undefined) opts = { ...opts, credentials: creds };
  const transcript = new Transcript();
  transcript.addSecret(opts.credentials?.password);
  let ep: EndpointReport;
  if (address === null) {
    ep = emptyEndpoint(target);
    ep.error = resolveError ?? 'could not resolve host';
    ep.outcome = 'unreachable';
    transcript.note('resolve', `cannot resolve ${target.host}: ${ep.error}`);
  } else {
    const d = dialer ?? newDialer(address, opts);
    ep = await gatherEndpoint(target, address, opts, d, transcript);
    const throttled = d.throttle.report();
    if (throttled) ep.throttled = throttled;
    markVantage(ep, address, opts);
  }
  ep.transcript = transcript.finish();
  const checkOptions = opts.checkOptionsFor?.(ep, target) ?? opts.checkOptions;
  if (checkOptions.expectPassiveRange) ep.expectedPassiveRange = checkOptions.expectPassiveRange;
  opts.onStep?.(target, 'judge');
  judgeAndGrade(ep, checkOptions, opts.selection);
  // A hostile server can echo a password back in any reply we keep (banner, errors, replies in
  // facts, details built from them): scrub every string of the endpoint, not only the transcript.
  const secrets = [opts.credentials?.password].filter((x): x is string => !!x);
  return untrustedBoundary(secrets.length > 0 ? redactDeep(ep, secrets) : ep);
}

/**
 * The model boundary for a server's text, after redaction (redact first, then shape): control,
 * C1 and bidi characters made visible in every string, each finding's text bounded.
 */
export function untrustedBoundary(ep: EndpointReport): EndpointReport {
  const clean = sanitizeDeep(ep);
  return { ...clean, findings: clean.findings.map(boundFinding) };
}

/** Replaces every occurrence of a secret in every string of a JSON-like value. */
export function redactDeep<T>(value: T, secrets: string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export function summarize(endpoints: EndpointReport[]): ReportSummary {
  const s = emptySummary();
  for (const ep of endpoints) tally(s, ep.findings);
  return s;
}

function newDialer(address: string, opts: ScanOptions): EndpointDialer {
  return new EndpointDialer({
    address,
    global: opts.sockets ?? new SocketBudget(),
    connections: opts.connections,
    allowForeignAddresses: opts.allowForeignPasv,
    rate: opts.rates?.for(address) ?? null,
    throttle: new ThrottleLog(opts.throttleDelaysMs),
    proxy: opts.proxy,
  });
}

/** Back-off before scanning an endpoint again after this machine ran out of descriptors or memory. */
const LOCAL_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

/**
 * The scan's answer to local resource exhaustion: once any endpoint ran out of descriptors or
 * memory, endpoints scanned from then on (retries, and those not yet started) go one at a time,
 * so the scan needs only what one endpoint needs instead of failing together again.
 */
export class LocalPressure {
  seen = false;
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` alone among the endpoints that go through here. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * Scans one endpoint. When this machine ran out of file descriptors or memory on the way
 * (EMFILE, ENOMEM…), nothing it found is trusted: its sockets are closed and it is scanned again
 * after a back-off (other endpoints finish and free theirs); if it never gets through it is
 * reported as not scanned, with the fix, never as a network fact.
 */
async function scanWithBackoff(
  target: Endpoint,
  address: string | null,
  error: string | null,
  opts: ScanOptions,
  pressure: LocalPressure = new LocalPressure(),
): Promise<EndpointReport> {
  const failures: string[] = [];
  for (let attempt = 0; ; attempt++) {
    if (opts.interrupt?.reason) return notScanned(target, address, interruptedBefore(opts), opts);
    const dialer = address ? newDialer(address, opts) : undefined;
    const off = dialer && opts.interrupt ? opts.interrupt.on(() => dialer.interrupt()) : () => undefined;
    const once = () => scanWithDeadline(target, address, error, opts, dialer).finally(off);
    const ep = await (pressure.seen && dialer ? pressure.serial(once) : once());
    const local = dialer?.localFailure;
    if (!local || dialer.interrupted) return failures.length ? withRetryNote(ep, failures) : ep;
    failures.push(local.message);
    if (!pressure.seen) opts.onLocalPressure?.(local);
    pressure.seen = true;
    dialer.abort();
    if (attempt >= LOCAL_RETRY_DELAYS_MS.length) return notScanned(target, address, local.message, opts);
    await new Promise((r) => setTimeout(r, LOCAL_RETRY_DELAYS_MS[attempt]));
  }
}

/** The one line the CLI writes on stderr the first time a scan meets local resource pressure. */
export function localPressureLine(err: Pick<LocalResourceError, 'code'>): string {
  return `xferscan: ${localResourceMeaning(err.code)} (${err.code}): slowing down and scanning the endpoints affected again, one at a time; raise the limit (ulimit -n) or lower --concurrency / --max-sockets\n`;
}

const interruptedBefore = (opts: Pick<ScanOptions, 'interrupt'>) =>
  `the scan was interrupted (${opts.interrupt?.reason ?? 'signal'}) before this endpoint was scanned`;

/** Says, in the transcript, that what is reported comes from a later attempt, and why the earlier ones were dropped. */
function withRetryNote(ep: EndpointReport, failures: string[]): EndpointReport {
  const text = `scanned again, one endpoint at a time (attempt ${failures.length + 1}): the earlier attempt${failures.length > 1 ? 's' : ''} ran out of local resources and ${failures.length > 1 ? 'were' : 'was'} dropped — ${[...new Set(failures)].join('; ')}`;
  ep.transcript.unshift({ t: new Date().toISOString(), conn: 'scheduler', dir: 'note', text, step: 'scheduler' });
  return ep;
}

/** An endpoint reported without facts: why it was not scanned, judged (PROBE-ERROR says it). */
export function notScanned(
  target: Endpoint,
  address: string | null,
  why: string,
  opts: Pick<ScanOptions, 'checkOptionsFor' | 'checkOptions' | 'selection'>,
): EndpointReport {
  const ep = emptyEndpoint(target);
  ep.address = address;
  ep.notScanned = why;
  ep.error = why;
  ep.probeRuns = [{ probe: 'scheduler', status: 'error', detail: `not scanned: ${why}` }];
  judgeAndGrade(ep, opts.checkOptionsFor?.(ep, target) ?? opts.checkOptions, opts.selection);
  return ep;
}

/**
 * Scans one endpoint within its dialer. With an endpoint deadline, an endpoint still busy when
 * it passes has its sockets destroyed (its probes then fail fast and report what they have); if
 * it does not wind down within a grace period, it is reported as timed out.
 */
async function scanWithDeadline(
  target: Endpoint,
  address: string | null,
  error: string | null,
  opts: ScanOptions,
  dialer: EndpointDialer | undefined,
): Promise<EndpointReport> {
  const work = scanEndpoint(target, address, error, opts, dialer).catch((err: unknown) => {
    // a local resource failure the dialer has recorded: the caller backs off and tries again
    if (isLocalResourceError(err)) return notScanned(target, address, err.message, opts);
    throw err;
  });
  const limit = opts.endpointTimeoutMs;
  if (!limit || !dialer) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((r) => (timer = setTimeout(() => r('expired'), limit)));
  const first = await Promise.race([work, expired]);
  clearTimeout(timer);
  if (first !== 'expired') return first;
  dialer.abort();
  const grace = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.min(2000, opts.timeoutMs))));
  const second = await Promise.race([work, grace]);
  clearTimeout(timer);
  if (second !== 'late') return second;
  // Still not done: report the endpoint as timed out without its unfinished facts.
  const ep = emptyEndpoint(target);
  ep.address = address;
  ep.state = 'timeout';
  ep.outcome = 'timeout';
  ep.error = `the endpoint deadline (--endpoint-timeout ${limit} ms) passed and its probes did not stop`;
  ep.probeRuns = [{ probe: 'scheduler', status: 'error', outcome: 'timeout', detail: ep.error }];
  judgeAndGrade(ep, opts.checkOptionsFor?.(ep, target) ?? opts.checkOptions, opts.selection);
  return ep;
}

/** Runs `fn` over `items` with at most `limit` at once, keeping input order in the result. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * What one endpoint's facts cannot say alone: DROWN (the same key served with SSLv2 on another
 * endpoint of this scan). The cross-endpoint result becomes a fact of each endpoint
 * (probes/tls-vulns.ts drownAcrossEndpoints, pure) and the endpoints it changed are judged again,
 * so the check stays a pure function of one endpoint's facts and its finding stays in one place.
 * A streamed scan (NDJSON) has already written its endpoints: there each says it was not compared.
 * `results` holds every endpoint, in the order of `targets`. True when a finding may have changed.
 */
function relinkAcrossEndpoints(results: EndpointReport[], targets: Endpoint[], opts: ScanOptions): boolean {
  const changed = drownAcrossEndpoints(results);
  for (const ep of changed) {
    const target = targets[results.indexOf(ep)]!;
    const checkOptions = opts.checkOptionsFor?.(ep, target) ?? opts.checkOptions;
    judgeAndGrade(ep, checkOptions, opts.selection);
    ep.findings = ep.findings.map(boundFinding);
  }
  return changed.length > 0;
}

/** The report's vantage point, when the scan did not simply go out directly over any family. */
export function vantageOf(opts: Pick<ScanOptions, 'proxy' | 'resolve'>): Pick<Report, 'vantage'> {
  const { proxy, resolve } = opts;
  if (!proxy && !resolve?.family && !resolve?.overrides?.size) return {};
  return {
    vantage: {
      proxy: proxy ? proxyLabel(proxy) : null,
      family: resolve?.family ?? null,
      ...(resolve?.overrides?.size ? { resolve: Object.fromEntries([...resolve.overrides].map(([k, v]) => [k, [...v]])) } : {}),
      ...(proxy
        ? {
            note: `every connection went through ${proxyLabel(proxy)}, which resolved the names: the results hold for clients behind that proxy; active mode and FTP bounce cannot be tested through it (the server would have to connect to us)`,
          }
        : {}),
    },
  };
}

export async function scan(endpoints: Endpoint[], opts: ScanOptions): Promise<Report> {
  const startedAt = new Date().toISOString();
  const resolved = new Map<string, Promise<{ addresses: string[] | null; error: string | null }>>();
  const resolveOnce = (host: string) => {
    let p = resolved.get(host);
    if (!p) {
      p = resolveAll(host, { ...opts.resolve, proxied: !!opts.proxy }).then(
        (addresses) => ({ addresses, error: null }),
        (err: NodeJS.ErrnoException) => ({ addresses: null, error: err.code ? `cannot resolve ${host} (${err.code})` : err.message }),
      );
      resolved.set(host, p);
    }
    return p;
  };
  opts = { ...opts, sockets: opts.sockets ?? new SocketBudget() };
  let done = 0;
  const keep = opts.keepEndpoints !== false;
  const summary = emptySummary();
  const pressure = new LocalPressure();
  const kept = await mapLimit(endpoints, opts.concurrency, async (target, index) => {
    const { addresses, error } = await resolveOnce(target.host);
    const pick = addresses
      ? await chooseAddress(addresses, target.port, opts.timeoutMs, opts.sockets!, opts.proxy, (a) => opts.rates?.for(a) ?? null)
      : null;
    const ep = await scanWithBackoff(target, pick?.address ?? null, error, opts, pressure);
    if (pick?.tried) ep.addressesTried = pick.tried;
    done += 1;
    tally(summary, ep.findings);
    opts.onEndpointDone?.(ep, done, endpoints.length, index);
    return keep ? ep : null;
  });
  const results = kept.filter((e): e is EndpointReport => e !== null);
  if (keep && relinkAcrossEndpoints(results, endpoints, opts)) Object.assign(summary, summarize(results));
  return {
    schemaVersion: 1,
    tool: { name: 'xferscan', version: TOOL_VERSION },
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: opts.profile,
    ...(opts.reportOptions ? { options: opts.reportOptions } : {}),
    ...vantageOf(opts),
    endpoints: results,
    summary,
  };
}
