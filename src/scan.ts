// The scheduler: resolves each host once, scans endpoints with bounded concurrency, runs the
// probes that apply to what detection found, then the checks, and assembles the report.
import dns from 'node:dns/promises';
import net from 'node:net';
import type { EndpointReport, Finding, Report, ReportSummary } from './model.js';
import type { Endpoint } from './targets.js';
import type { Probe, ProbeContext, ProbeOptions } from './probe.js';
import { Transcript, maskSecrets } from './net/transcript.js';
import { detect } from '../probes/detect.js';
import { PROBES } from '../probes/index.js';
import { runChecks, type CheckOptions, type ProfileSelection } from './checks/engine.js';
import type { Credentials } from './probe.js';
import { ALL_CHECKS } from './checks/index.js';
import { asProbeError } from './net/errors.js';
import { TOOL_VERSION } from './version.js';
import { EndpointScope, runInScope } from './fleet/budget.js';

export interface ScanOptions extends ProbeOptions {
  /** endpoints scanned at once */
  concurrency: number;
  profile: string;
  checkOptions: CheckOptions;
  /** options as given, for the report's metadata; never credentials */
  reportOptions?: Record<string, unknown>;
  /** called as each endpoint finishes; `index` is its position in the input */
  onEndpointDone?: (ep: EndpointReport, done: number, total: number, index: number) => void;
  /**
   * false: do not keep finished endpoints (streaming output takes them from onEndpointDone), so
   * memory stays flat for thousands of targets; the report then has no endpoints, only the summary.
   */
  keepEndpoints?: boolean;
  /** overall deadline for one endpoint (ms); past it its sockets are destroyed and it is reported with what it has */
  endpointTimeoutMs?: number;
  /** probes to run after detection (default: all that apply) */
  probes?: Probe[];
  /** the profile's check selection and severities (src/profiles) */
  selection?: ProfileSelection;
  /** per-endpoint check options (e.g. a passive range from the policy); default checkOptions */
  checkOptionsFor?: (ep: EndpointReport, target: Endpoint) => CheckOptions;
  /** per-target credentials (e.g. from the policy); undefined = use `credentials` */
  credentialsFor?: (target: Endpoint) => Credentials | null | undefined;
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

/** Resolves a host once; every connection of the scan then goes to this address. */
async function resolveHost(host: string): Promise<string> {
  if (net.isIP(host)) return host;
  const r = await dns.lookup(host);
  return r.address;
}

export async function scanEndpoint(
  target: Endpoint,
  address: string | null,
  resolveError: string | null,
  opts: ScanOptions,
  scope?: EndpointScope,
): Promise<EndpointReport> {
  const creds = opts.credentialsFor?.(target);
  if (creds !== undefined) opts = { ...opts, credentials: creds };
  const ep = emptyEndpoint(target);
  const transcript = new Transcript();
  transcript.addSecret(opts.credentials?.password);
  if (address === null) {
    ep.error = resolveError ?? 'could not resolve host';
    ep.outcome = 'unreachable';
    transcript.note('resolve', `cannot resolve ${target.host}: ${ep.error}`);
  } else {
    const ctx: ProbeContext = { target, address, endpoint: ep, transcript, options: opts, scratch: {} };
    try {
      await detect(ctx);
    } catch (err) {
      const e = asProbeError(err);
      ep.outcome = e.outcome;
      ep.error = e.message;
    }
    if (ep.state === 'open' && ep.service) {
      const service = ep.service;
      const applicable = (opts.probes ?? PROBES).filter((p) => p.services.includes(service));
      const runProbe = async (probe: Probe) => {
        if (scope?.aborted) return;
        try {
          await probe.run(ctx);
        } catch (err) {
          const e = asProbeError(err);
          transcript.note(`probe:${probe.id}`, `probe ${probe.id} failed: ${e.message}`);
          ep.findings.push(probeErrorFinding(probe, e.message));
        }
      };
      // Probes marked concurrent (the TLS inventory) run beside the others; the endpoint's
      // connection cap (--connections, enforced at every dial) keeps the total bounded.
      const side = Promise.all(applicable.filter((p) => p.concurrent).map(runProbe));
      for (const probe of applicable.filter((p) => !p.concurrent)) await runProbe(probe);
      await side;
    }
    // detection's SSH connection, if no probe continued on it
    ctx.scratch.sshConnection?.socket.destroy();
  }
  if (scope?.aborted) {
    const msg = `the endpoint deadline (--endpoint-timeout ${opts.endpointTimeoutMs} ms) passed; its connections were closed and the facts gathered so far are reported`;
    transcript.note('scheduler', msg);
    ep.findings.push({ ...probeErrorFinding({ id: 'scheduler' } as Probe, msg), title: 'Endpoint deadline reached' });
    // Connected, then nothing recognisable before the deadline: that is the vocabulary's 'timeout'.
    if (ep.state === 'open' && (!ep.service || ep.service === 'unknown') && !ep.banner) {
      ep.state = 'timeout';
      ep.outcome = 'timeout';
    }
    ep.error ??= msg;
  }
  ep.transcript = transcript.finish();
  ep.findings = [...runChecks(ep, ALL_CHECKS, opts.checkOptionsFor?.(ep, target) ?? opts.checkOptions, opts.selection), ...ep.findings];
  // A hostile server can echo a password back in any reply we keep (banner, errors, replies in
  // facts, details built from them): scrub every string of the endpoint, not only the transcript.
  const secrets = [opts.credentials?.password].filter((x): x is string => !!x);
  return secrets.length > 0 ? redactDeep(ep, secrets) : ep;
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

function probeErrorFinding(probe: Probe, message: string): Finding {
  return {
    id: 'PROBE-ERROR',
    status: 'error',
    severity: 'info',
    title: `Probe ${probe.id} could not finish`,
    detail: message,
    remediation: '',
    controls: [],
    evidence: [],
  };
}

export function summarize(endpoints: EndpointReport[]): ReportSummary {
  const s: ReportSummary = { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 };
  for (const ep of endpoints) for (const f of ep.findings) s[f.status] += 1;
  return s;
}

/**
 * Scans one endpoint inside its own socket scope. With an endpoint deadline, an endpoint still
 * busy when it passes has its sockets destroyed (its probes then fail fast and report what they
 * have); if it does not wind down within a grace period, it is reported as timed out.
 */
async function scanWithDeadline(
  target: Endpoint,
  address: string | null,
  error: string | null,
  opts: ScanOptions,
): Promise<EndpointReport> {
  const scope = new EndpointScope(`${target.host}:${target.port}`, opts.connections);
  const work = runInScope(scope, () => scanEndpoint(target, address, error, opts, scope));
  const limit = opts.endpointTimeoutMs;
  if (!limit) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((r) => (timer = setTimeout(() => r('expired'), limit)));
  const first = await Promise.race([work, expired]);
  clearTimeout(timer);
  if (first !== 'expired') return first;
  scope.abort();
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
  ep.findings = [
    ...runChecks(ep, ALL_CHECKS, opts.checkOptionsFor?.(ep, target) ?? opts.checkOptions, opts.selection),
    { ...probeErrorFinding({ id: 'scheduler' } as Probe, ep.error), title: 'Endpoint deadline reached' },
  ];
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
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function scan(endpoints: Endpoint[], opts: ScanOptions): Promise<Report> {
  const startedAt = new Date().toISOString();
  const resolved = new Map<string, Promise<{ address: string | null; error: string | null }>>();
  const resolveOnce = (host: string) => {
    let p = resolved.get(host);
    if (!p) {
      p = resolveHost(host).then(
        (address) => ({ address, error: null }),
        (err: NodeJS.ErrnoException) => ({ address: null, error: `cannot resolve ${host} (${err.code ?? err.message})` }),
      );
      resolved.set(host, p);
    }
    return p;
  };
  let done = 0;
  const keep = opts.keepEndpoints !== false;
  const summary: ReportSummary = { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 };
  const kept = await mapLimit(endpoints, opts.concurrency, async (target, index) => {
    const { address, error } = await resolveOnce(target.host);
    const ep = await scanWithDeadline(target, address, error, opts);
    done += 1;
    for (const f of ep.findings) summary[f.status] += 1;
    opts.onEndpointDone?.(ep, done, endpoints.length, index);
    return keep ? ep : null;
  });
  const results = kept.filter((e): e is EndpointReport => e !== null);
  return {
    schemaVersion: 1,
    tool: { name: 'xferscan', version: TOOL_VERSION },
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: opts.profile,
    options: opts.reportOptions,
    endpoints: results,
    summary,
  };
}
