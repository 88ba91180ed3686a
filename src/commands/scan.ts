// xferscan scan: from parsed arguments to a rendered report and an exit code. Input is checked
// before the first connection (one clear line on bad input, exit 1).
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import { ClientCredentialError, loadClientCredentials, type LoadedClientCredentials } from '../tls/client-auth.js';
import { UsageError, parsePort, parsePortList, parseTarget, type Endpoint } from '../targets.js';
import { localPressureLine, notScanned, summarize, vantageOf, type ScanOptions } from '../scan.js';
import { ScanGuard } from './scan-guard.js';
import { sanitizeDeep } from '../untrusted.js';
import type { InterruptReason } from '../net/interrupt.js';
import { clusterFindings } from '../knowledge/summary.js';
import { render, FORMATS, type Format } from '../../reports/index.js';
import type { Credentials } from '../probe.js';
import type { EndpointReport, Report } from '../model.js';
import { TOOL_VERSION } from '../version.js';
import { ProfileError, profileCheckOptions, profileSelection, resolveProfile, type Profile } from '../profiles/index.js';
import { loadPolicy, policyHostFor, PolicyError, type Policy } from '../policy/index.js';
import { finalizeReport, scannerInfo } from '../report-meta.js';
import { loadTargetsFile, type InventoryEntry } from '../fleet/targets-file.js';
import { commandLineEntry, entryCredentials, expandInventory, policyHostCredentials, type Inventory } from '../fleet/inventory.js';
import { inShard, parseShard, shardOfGroup, type Shard } from '../fleet/shard.js';
import { planGroups, type GroupPlan } from '../cluster/plan.js';
import { scanWithClusters } from '../cluster/run.js';
import { MAX_VIP_SAMPLES } from '../fleet/targets-file.js';
import { SocketBudget } from '../net/dialer.js';
import { RatePerAddress } from '../net/rate.js';
import { POLITE_THROTTLE_DELAYS_MS, THROTTLE_DELAYS_MS } from '../net/throttle.js';
import { networkFrom, type Network } from './network.js';
import { Progress } from '../fleet/progress.js';
import { NdjsonStream } from '../fleet/stream.js';
import { EXIT, ExitTracker, exitCodeFor } from '../knowledge/exit-code.js';
import { resolveCredentials } from '../credentials.js';
import { endpointName } from '../knowledge/services.js';
import { checkOutputPath, renderOptionsFrom, signingKeyFrom, writeOutput, writeSignature } from '../output.js';

export interface ScanArgs {
  targets?: string[];
  'passive-samples'?: number;
  ports: string;
  format?: string;
  output?: string;
  profile?: string;
  policy?: string;
  user?: string;
  'password-env'?: string;
  'password-file'?: string;
  password?: string;
  key?: string;
  'expect-passive-range'?: string;
  active: boolean;
  'write-test': boolean;
  concurrency: number;
  connections?: number;
  timeout?: number;
  /** --rate: new connections per second per target address */
  rate?: number;
  polite?: boolean;
  'targets-file'?: string;
  'max-sockets'?: number;
  'endpoint-timeout'?: number;
  shard?: string;
  'allow-foreign-pasv': boolean;
  'allow-cleartext-login': boolean;
  'ca-file'?: string | string[];
  'client-cert'?: string;
  'client-key'?: string;
  'client-key-passphrase-env'?: string;
  'client-key-passphrase-file'?: string;
  'client-key-passphrase'?: string;
  'check-revocation'?: boolean;
  intrusive?: boolean;
  color?: boolean;
  progress?: boolean;
  'sign-key'?: string;
  'expect-standby'?: string[];
  'vip-samples'?: number;
  proxy?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  resolve?: string | string[];
  /** --quiet (table: one verdict line per endpoint) also keeps the scan's own notices off stderr */
  quiet?: boolean;
}

export interface RunResult {
  report: Report;
  exitCode: number;
}

function credentialsFromArgs(a: ScanArgs): Credentials | null {
  if (a.password !== undefined) {
    throw new UsageError(
      '--password is refused: a password on the command line leaks into shell history and process lists. Use --password-env NAME or --password-file FILE.',
    );
  }
  return resolveCredentials(
    { user: a.user, passwordEnv: a['password-env'], passwordFile: a['password-file'], keyFile: a.key },
    { passwordEnv: '--password-env', passwordFile: '--password-file', keyFile: '--key' },
  );
}

export function parseRange(text: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid range "${text}": expected LOW-HIGH, e.g. 50000-50100`);
  const lo = parsePort(m[1]!, 'range start');
  const hi = parsePort(m[2]!, 'range end');
  if (lo > hi) throw new UsageError(`invalid range "${text}": start is above end`);
  return [lo, hi];
}

/** --targets-file: CSV, YAML, JSON or one target per line (src/fleet/targets-file.ts). */
export function readTargetsFile(file: string): InventoryEntry[] {
  return loadTargetsFile(file, (m) => process.stderr.write(`xferscan: warning: ${m}\n`));
}

function positiveInt(name: string, v: number, max: number, min = 1): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return v;
}

/** Profile and policy errors are bad input: one line, exit 1. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProfileError || err instanceof PolicyError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Credentials per endpoint, checked before the scan starts: an inventory entry's own (user +
 * passwordEnv / keyFile), then --user's, then its per-target policy's, then --policy's.
 * undefined when neither the inventory nor a policy names any.
 */
function credentialsPerEndpoint(
  endpoints: Endpoint[],
  inventory: Inventory,
  policyFor: (t: Endpoint) => Policy | null,
  given: Credentials | null,
): ((t: Endpoint) => Credentials | null | undefined) | undefined {
  const entries = [...inventory.entryOf.values()];
  const anyPolicy = endpoints.some((t) => policyFor(t));
  if (!entries.some((e) => e.user || e.policy) && !(anyPolicy && !given)) return undefined;
  const byEndpoint = new Map<Endpoint, Credentials | null>();
  for (const t of endpoints) {
    const e = inventory.entryOf.get(t);
    const own = e ? entryCredentials(e) : null;
    const pol = policyFor(t);
    byEndpoint.set(t, own ?? given ?? (pol ? policyHostCredentials(pol, t.host) : null));
  }
  return (t) => byEndpoint.get(t);
}

/** Everything a scan needs, read and checked from the arguments before any connection. */
interface ScanPlan {
  endpoints: Endpoint[];
  inventory: Inventory;
  shard: Shard | null;
  signKey: KeyObject | null;
  fileEntries: InventoryEntry[];
  profile: Profile;
  policy: Policy | null;
  targetPolicies: Map<string, Policy>;
  policyFor: (t: Endpoint) => Policy | null;
  credentials: Credentials | null;
  credentialsFor: ((t: Endpoint) => Credentials | null | undefined) | undefined;
  format: Format;
  ports: number[];
  timeoutMs: number;
  expectPassiveRange: [number, number] | null;
  maxSockets: number;
  endpointTimeoutMs: number;
  concurrency: number;
  caFiles: string[];
  clientCert: LoadedClientCredentials | null;
  /** groups of nodes to compare (src/cluster) */
  groups: GroupPlan[];
  /** --proxy, -4/-6, --resolve */
  network: Network;
}

function planScan(a: ScanArgs, targetsIn: string[], fileEntries: InventoryEntry[]): ScanPlan {
  const credentials = credentialsFromArgs(a);
  const ports = parsePortList(a.ports);
  const entries = [...targetsIn.map((t) => commandLineEntry(parseTarget(t))), ...fileEntries];
  if (entries.length === 0)
    throw new UsageError(a['targets-file'] ? `${a['targets-file']}: no targets in it` : 'no target given: xferscan scan HOST (see --help)');
  const inventory = expandInventory(entries, ports);
  const shard = a.shard ? parseShard(a.shard) : null;
  // a group's nodes are compared with each other: they stay together in one shard
  const endpoints = inShard(inventory.endpoints, shard, (e) => inventory.entryOf.get(e)?.group ?? null);
  const vipSamples = a['vip-samples'] !== undefined ? positiveInt('vip-samples', a['vip-samples'], MAX_VIP_SAMPLES) : null;
  const owns = (g: string) => !shard || shard.count === 1 || shardOfGroup(g, shard.count) === shard.index;
  const groups = planGroups(entries, endpoints, a['expect-standby'] ?? [], vipSamples, owns);
  const policy = a.policy ? asUsage(() => loadPolicy(a.policy!)) : null;
  const profile = asUsage(() => resolveProfile(a.profile ?? policy?.profile ?? 'baseline'));
  // Per-target policy files (inventory column "policy"), each read once.
  const targetPolicies = new Map<string, Policy>();
  for (const e of fileEntries)
    if (e.policy && !targetPolicies.has(e.policy))
      targetPolicies.set(
        e.policy,
        asUsage(() => loadPolicy(e.policy!)),
      );
  const policyFor = (t: Endpoint): Policy | null => {
    const file = inventory.entryOf.get(t)?.policy;
    return file ? targetPolicies.get(file)! : policy;
  };
  const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${a.format}"; available: ${FORMATS.join(', ')}`);
  // where the report goes and the signing key: checked before the scan, not after it
  if (a.output) checkOutputPath(a.output);
  const signKey = signingKeyFrom(a as unknown as Record<string, unknown>, format);
  const timeoutMs = positiveInt('timeout', a.timeout ?? (a.polite ? POLITE.timeoutMs : 5000), 600_000);
  const maxSockets = positiveInt('max-sockets', a['max-sockets'] ?? 256, 65_536, 2);
  // An endpoint may hold a control connection while it dials a data connection: with at least
  // two slots per endpoint scanned at once, the budget can never deadlock.
  const concurrency = Math.max(1, Math.min(positiveInt('concurrency', a.concurrency, 1024), Math.floor(maxSockets / 2)));
  return {
    endpoints,
    inventory,
    shard,
    signKey,
    fileEntries,
    profile,
    policy,
    targetPolicies,
    policyFor,
    credentials,
    credentialsFor: credentialsPerEndpoint(endpoints, inventory, policyFor, credentials),
    format,
    ports,
    timeoutMs,
    expectPassiveRange: a['expect-passive-range'] ? parseRange(a['expect-passive-range']) : null,
    maxSockets,
    endpointTimeoutMs: positiveInt('endpoint-timeout', a['endpoint-timeout'] ?? 60 * timeoutMs, 86_400_000, 0),
    concurrency,
    caFiles: caFilesFrom(a),
    clientCert: clientCertFrom(a),
    groups,
    network: networkFrom(a),
  };
}

/** --ca-file, repeatable: each must be a readable PEM file with at least one certificate. */
function caFilesFrom(a: ScanArgs): string[] {
  const files = ([] as string[]).concat(a['ca-file'] ?? []);
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (err) {
      throw new UsageError(`--ca-file ${f}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file ${f}: no PEM certificate in it`);
  }
  return files;
}

/** --client-cert/--client-key: loaded and checked before the first connection; the passphrase only from env or a file. */
function clientCertFrom(a: ScanArgs): LoadedClientCredentials | null {
  if (a['client-key-passphrase'] !== undefined)
    throw new UsageError(
      '--client-key-passphrase is refused: a passphrase on the command line leaks into shell history and process lists. Use --client-key-passphrase-env NAME or --client-key-passphrase-file FILE.',
    );
  const cert = a['client-cert'];
  const key = a['client-key'];
  if (!cert && !key) {
    if (a['client-key-passphrase-env'] || a['client-key-passphrase-file'])
      throw new UsageError('a client key passphrase was given without --client-cert and --client-key');
    return null;
  }
  if (!cert || !key) throw new UsageError('--client-cert and --client-key go together');
  try {
    return loadClientCredentials({
      certFile: cert,
      keyFile: key,
      passphraseEnv: a['client-key-passphrase-env'],
      passphraseFile: a['client-key-passphrase-file'],
    });
  } catch (err) {
    if (err instanceof ClientCredentialError) throw new UsageError(err.message);
    throw err;
  }
}

/** What the report says about the options the scan ran with; never credentials. */
function reportOptions(a: ScanArgs, p: ScanPlan, targetsIn: string[]): Report['options'] {
  return {
    targets: targetsIn,
    ...(a['targets-file'] ? { targetsFile: a['targets-file'], inventoryEntries: p.fileEntries.length } : {}),
    // "host:port" → "FILE:LINE" of the inventory entry (SARIF physical locations)
    ...(p.fileEntries.length || p.policy?.hostLines ? { endpointSources: endpointSources(p, a.policy) } : {}),
    endpointsScanned: p.endpoints.length,
    shard: shardText(p.shard),
    maxSockets: p.maxSockets,
    endpointTimeoutMs: p.endpointTimeoutMs,
    ...(p.targetPolicies.size ? { targetPolicies: [...p.targetPolicies.keys()] } : {}),
    ports: p.ports,
    timeoutMs: p.timeoutMs,
    connections: connectionsOf(a),
    rate: rateOf(a),
    ...(a.polite ? { polite: true } : {}),
    concurrency: p.concurrency,
    user: p.credentials ? p.credentials.user : null,
    credentials: p.credentials ? (p.credentials.password !== undefined ? 'password (redacted)' : 'key') : 'none',
    expectPassiveRange: p.expectPassiveRange,
    caFiles: p.caFiles,
    clientCertificate: p.clientCert ? p.clientCert.leaf.subject : null,
    checkRevocation: a['check-revocation'] === true,
    intrusive: a.intrusive !== false,
    active: a.active,
    writeTest: a['write-test'],
    profile: p.profile.id,
    profileVersion: p.profile.version,
    profileSource: p.profile.source,
    policy: a.policy ? { file: a.policy, name: p.policy?.name ?? null, hosts: p.policy?.hosts.map((h) => h.host) ?? [] } : null,
    ...(p.groups.length ? { groups: p.groups.map((g) => g.name) } : {}),
    ...(a['expect-standby']?.length ? { expectStandby: a['expect-standby'] } : {}),
    ...(a['vip-samples'] !== undefined ? { vipSamples: a['vip-samples'] } : {}),
  };
}

/** --polite: one connection at a time, one new connection a second, patient timeouts, long back-offs (docs/politeness.md). */
export const POLITE = { rate: 1, connections: 1, timeoutMs: 15_000 } as const;

function connectionsOf(a: ScanArgs): number {
  return positiveInt('connections', a.connections ?? (a.polite ? POLITE.connections : 4), 64);
}

/** --rate N (per second, fractions allowed: 0.5 is one connection every two seconds), or the --polite rate; null = unlimited. */
function rateOf(a: ScanArgs): number | null {
  const r = a.rate ?? (a.polite ? POLITE.rate : undefined);
  if (r === undefined) return null;
  if (!Number.isFinite(r) || r <= 0 || r > 10_000)
    throw new UsageError(`--rate must be a number of connections per second above 0 (got ${String(r)})`);
  return r;
}

function scanOptions(a: ScanArgs, p: ScanPlan, targetsIn: string[], sockets: SocketBudget, stream: boolean): ScanOptions {
  const checkOptionsFor = (ep: EndpointReport, t: Endpoint) => {
    const pol = p.policyFor(t);
    const range = policyHostFor(pol, ep)?.passiveRange;
    return {
      ...profileCheckOptions(p.profile),
      expectPassiveRange: p.expectPassiveRange ?? range ?? null,
      policy: pol,
      activeRequested: a.active,
      writeTestRequested: a['write-test'],
    };
  };
  return {
    timeoutMs: p.timeoutMs,
    connections: connectionsOf(a),
    rates: rateOf(a) ? new RatePerAddress(rateOf(a)!) : undefined,
    throttleDelaysMs: a.polite ? POLITE_THROTTLE_DELAYS_MS : THROTTLE_DELAYS_MS,
    concurrency: p.concurrency,
    sockets,
    endpointTimeoutMs: p.endpointTimeoutMs || undefined,
    keepEndpoints: !stream,
    credentials: p.credentials,
    allowForeignPasv: a['allow-foreign-pasv'],
    allowCleartextLogin: a['allow-cleartext-login'],
    active: a.active,
    writeTest: a['write-test'],
    // More PASV samples when a range is to be checked: half a range dropped is missed with (1/2)^n.
    passiveSamples:
      a['passive-samples'] !== undefined ? positiveInt('passive-samples', a['passive-samples'], 200) : p.expectPassiveRange ? 12 : 6,
    caFile: p.caFiles[0] ?? null,
    caFiles: p.caFiles,
    clientCert: p.clientCert,
    checkRevocation: a['check-revocation'] === true,
    intrusive: a.intrusive !== false,
    profile: p.profile.id,
    selection: profileSelection(p.profile),
    checkOptions: {
      ...profileCheckOptions(p.profile),
      expectPassiveRange: p.expectPassiveRange,
      policy: p.policy,
      activeRequested: a.active,
      writeTestRequested: a['write-test'],
    },
    checkOptionsFor: p.policy || p.targetPolicies.size ? checkOptionsFor : undefined,
    credentialsFor: p.credentialsFor,
    reportOptions: reportOptions(a, p, targetsIn),
    proxy: p.network.proxy,
    resolve: p.network.resolve,
  };
}

const shardText = (shard: Shard | null) => (shard ? `${shard.index}/${shard.count}` : null);

/** Where each endpoint came from, by "host:port": its inventory line, else its policy host entry's line. */
function endpointSources(p: ScanPlan, policyFile: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of p.endpoints) {
    const entry = p.inventory.entryOf.get(e);
    if (entry?.file) out[endpointName(e)] = `${entry.file}:${entry.line}`;
    else if (p.policy?.hostLines && policyFile) {
      const h = policyHostFor(p.policy, { host: e.host, address: null });
      const line = h ? p.policy.hostLines[p.policy.hosts.indexOf(h)] : undefined;
      if (line) out[endpointName(e)] = `${policyFile}:${line}`;
    }
  }
  return out;
}

/** Renders the finished report where it goes (and signs it when asked); the exit code. */
async function writeReport(a: ScanArgs, p: ScanPlan, scanned: Report, out: NodeJS.WritableStream): Promise<Report> {
  // through a proxy the servers see the proxy's address, not ours: our source is the one toward the proxy
  const proxy = p.network.proxy;
  const toward = proxy ? [isIP(proxy.host) ? proxy.host : null] : scanned.endpoints.map((e) => e.address);
  const report = finalizeReport(scanned, p.profile, await scannerInfo(toward));
  const text = render(report, p.format, renderOptionsFrom(a as unknown as Record<string, unknown>, p.format));
  if (a.output) {
    writeOutput(a.output, text);
    if (p.signKey) writeSignature(a.output, report, p.signKey);
    if (process.stderr.isTTY) process.stderr.write(`report written to ${a.output}${p.signKey ? ` (signature ${a.output}.sig)` : ''}\n`);
  } else {
    out.write(text);
  }
  return report;
}

interface PartialContext {
  a: ScanArgs;
  plan: ScanPlan;
  options: ScanOptions;
  startedAt: string;
  ndjson: NdjsonStream | null;
  out: NodeJS.WritableStream;
}

/**
 * The report of the endpoints that finished, when the scan cannot end on its own (a signal whose
 * grace ran out, an internal error): every other endpoint is reported as not finished, and why.
 */
async function writePartial(
  c: PartialContext,
  finished: ReadonlyMap<number, EndpointReport>,
  reason: InterruptReason | 'internal-error',
): Promise<void> {
  const why =
    reason === 'internal-error'
      ? 'not finished: the scan stopped on an internal error (see the message on stderr)'
      : `not finished: the scan was interrupted (${reason}) and this endpoint did not wind down in time`;
  const missing = c.plan.endpoints.map((t, i) => (finished.has(i) ? null : notScanned(t, null, why, c.options)));
  const finishedAt = new Date().toISOString();
  if (c.ndjson) {
    missing.forEach((ep, i) => ep && c.ndjson!.endpoint(ep, i));
    c.ndjson.finish({ finishedAt, interrupted: reason });
    return;
  }
  const endpoints = c.plan.endpoints.map((_, i) => finished.get(i) ?? missing[i]!);
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'xferscan', version: TOOL_VERSION },
    startedAt: c.startedAt,
    finishedAt,
    profile: c.plan.profile.id,
    ...(c.options.reportOptions ? { options: c.options.reportOptions } : {}),
    endpoints,
    summary: summarize(endpoints),
    interrupted: reason,
  };
  await writeReport(c.a, c.plan, report, c.out);
}

/** Runs a scan from parsed arguments; shared by `scan` and the demo. */
export async function runScan(
  a: ScanArgs,
  targetsIn: string[],
  out: NodeJS.WritableStream = process.stdout,
  fileEntries: InventoryEntry[] = [],
): Promise<RunResult> {
  const plan = planScan(a, targetsIn, fileEntries);
  await plan.network.preflight(plan.timeoutMs);
  const stream = plan.format === 'ndjson';
  const sockets = new SocketBudget(plan.maxSockets);
  const options = scanOptions(a, plan, targetsIn, sockets, stream);
  // a live line on a terminal, a heartbeat every ~10 s elsewhere (src/fleet/progress.ts)
  const progress = new Progress({ total: plan.endpoints.length, sockets: () => sockets.open });
  if (a.progress !== false) progress.start();
  const exit = new ExitTracker();
  // a standby node that is closed is as it should be, not a target that could not be reached
  const standby = new Set(plan.groups.flatMap((g) => g.nodes.filter((n) => n.standby).map((n) => n.endpoint)));
  const ndjson = stream
    ? new NdjsonStream(
        {
          tool: { name: 'xferscan', version: TOOL_VERSION },
          startedAt: new Date().toISOString(),
          profile: plan.profile.id,
          ...vantageOf(options),
        },
        a.output ?? out,
      )
    : null;
  options.onStep = (target, step) => progress.onStep(target, step);
  // stderr only (stdout carries the report); said once, then the scan backs off on its own
  options.onLocalPressure = (err) => {
    if (!a.quiet) progress.note(localPressureLine(err));
  };
  const partial: PartialContext = { a, plan, options, startedAt: new Date().toISOString(), ndjson, out };
  const guard = new ScanGuard({ timeoutMs: plan.timeoutMs, keep: !stream, writePartial: (f, r) => writePartial(partial, f, r) });
  options.interrupt = guard.interrupt;
  options.onEndpointDone = (ep, _done, _total, index) => {
    guard.done(ep, index);
    exit.add(ep, plan.endpoints[index]!.input, standby.has(plan.endpoints[index]!));
    ndjson?.endpoint(ep, index);
    progress.update(ep);
  };
  guard.start();
  try {
    return await finishScan({ a, plan, options, guard, exit, ndjson, out, targetsIn, standby, progress, sockets });
  } catch (err) {
    // an internal error mid-scan: the report of what finished still goes out (main says why, exit 1)
    if (!(err instanceof UsageError) && guard.claim())
      await writePartial(partial, guard.finishedEndpoints, 'internal-error').catch(() => undefined);
    throw err;
  } finally {
    guard.stop();
  }
}

interface RunState extends PartialContext {
  guard: ScanGuard;
  exit: ExitTracker;
  targetsIn: string[];
  standby: Set<Endpoint>;
  progress: Progress;
  sockets: SocketBudget;
}

/** The scan itself, then its report (or the partial one a signal or the last resort wrote). */
async function finishScan(s: Omit<RunState, 'startedAt'>): Promise<RunResult> {
  const { a, plan, options, guard, exit, ndjson, out, targetsIn, standby, progress, sockets } = s;
  const scanned = await scanWithClusters(plan.endpoints, options, {
    groups: plan.groups,
    vipCredentials: (g) => (g.vip ? entryCredentials(g.vip.entry) : null) ?? plan.credentials,
  }).finally(() => progress.stop());
  // the partial report was written (a signal's grace ran out just now): its writer exits
  if (!guard.claim()) {
    await guard.partialWrite();
    return { report: scanned, exitCode: guard.exitCode(EXIT.SCAN_ERROR) };
  }
  if (guard.interrupt.reason) scanned.interrupted = guard.interrupt.reason;
  // the group view quotes what the virtual address answered: the same boundary as an endpoint's
  if (scanned.clusters) scanned.clusters = sanitizeDeep(scanned.clusters);
  if (scanned.clusters) exit.addFindings(clusterFindings(scanned.clusters));
  if (ndjson) {
    if (scanned.clusters) ndjson.clusters(scanned.clusters);
    // NDJSON streams: one line per endpoint as it finishes; finished endpoints are not kept.
    const { targets: _t, ...opts } = scanned.options ?? {};
    ndjson.finish({
      finishedAt: scanned.finishedAt,
      options: { ...opts, targets: targetsIn.length > 50 ? `${targetsIn.length} targets` : targetsIn },
      sockets: { max: plan.maxSockets, peak: sockets.peak, total: sockets.total, waited: sockets.waited },
      shard: shardText(plan.shard),
      ...(scanned.interrupted ? { interrupted: scanned.interrupted } : {}),
    });
    if (a.output && process.stderr.isTTY) process.stderr.write(`report written to ${a.output}\n`);
    return { report: scanned, exitCode: guard.exitCode(exit.code()) };
  }
  const report = await writeReport(a, plan, scanned, out);
  return {
    report,
    exitCode: guard.exitCode(
      exitCodeFor(
        report,
        plan.endpoints.map((e) => ({ input: e.input, expectedDown: standby.has(e) })),
      ),
    ),
  };
}
