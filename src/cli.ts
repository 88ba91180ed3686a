// The command line: parse and validate input (one clear line on bad input, exit 1), scan,
// render, and exit with a code a CI pipeline can gate on.
import fs from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError, parsePort, parsePortList, parseTarget, type Endpoint } from './targets.js';
import { scan, type ScanOptions } from './scan.js';
import { render, FORMATS, type Format } from '../reports/index.js';
import type { Credentials } from './probe.js';
import type { EndpointReport, Report } from './model.js';
import { TOOL_VERSION } from './version.js';
import { PROFILE_NAMES, ProfileError, profileCheckOptions, profileSelection, resolveProfile } from './profiles/index.js';
import { loadPolicy, policyHostFor, PolicyError, type Policy } from './policy/index.js';
import { finalizeReport, scannerInfo } from './report-meta.js';
import { loadTargetsFile, type InventoryEntry } from './fleet/targets-file.js';
import { commandLineEntry, entryCredentials, expandInventory, ExitTracker, policyHostCredentials } from './fleet/inventory.js';
import { inShard, parseShard } from './fleet/shard.js';
import { configureSocketBudget, socketBudget } from './fleet/budget.js';
import { Progress } from './fleet/progress.js';
import { NdjsonStream } from './fleet/stream.js';
import { checkOutputPath, quietOnEpipe, renderOptionsFrom, signingKeyFrom, writeOutput, writeSignature } from './output.js';

export const EXIT = { OK: 0, SCAN_ERROR: 1, WARN: 2, FAIL: 3 } as const;

const EPILOG = `Targets:
  host, host:port, [v6addr]:port, or a URL: sftp://host[:22]  ftp://host[:21] (plain or explicit)
  ftps://host[:990] (implicit TLS)  ftpes://host[:21] (explicit TLS required). Without a port,
  every port of --ports is tried and what really listens on each is reported.

Credentials never go on the command line: --password-env NAME reads the environment variable
NAME, --password-file F reads a file. Passwords are redacted from every output.

Output: a table when stdout is a terminal, JSON otherwise (--format table|json|html|markdown|junit|
sarif|ndjson). Every JSON report carries a per-control view for the profile and a SHA-256 digest
(detects a damaged copy; not a signature: --sign-key KEY.pem signs, verify --public-key checks).

Profiles (--profile): baseline (default), pci-dss-4.0.1, hipaa, nist-800-52r2, mozilla-intermediate
(6.0; mozilla-intermediate-5.7 for the older list), or a JSON FILE ({"extends": "pci-dss-4.0.1", …}).
Partner policy (--policy FILE, JSON or YAML): allowed ports and services per host, pinned SSH
host keys and certificate fingerprints, passive range, credentials by env-var name, profile.

Fleets (--targets-file F): CSV with a header (host,port,service,user,passwordEnv,keyFile,policy;
"," or ";" separated; other columns are ignored with a warning), YAML or JSON (a list, or "targets:" with one; each item a host/URL string or a mapping with those
fields), or one target per line. service: sftp|ftps-explicit|ftps-implicit|ftp. Credentials only by
environment-variable name (passwordEnv), never a password. --concurrency targets at once,
--connections per endpoint, --max-sockets for the whole scan, --endpoint-timeout per endpoint.
--format ndjson streams one line per endpoint as it finishes, then a summary line. --shard I/N
scans one of N stable slices (hash of host:port); "xferscan merge" combines the shards' reports.

Exit codes:
  0  no failing finding          2  warnings, no failure
  1  scan error: bad input, a target that could not be reached at all, or a probe that broke
  3  at least one failing finding (takes precedence over 1 and 2)

Examples:
  xferscan                                   scan a built-in demo target on loopback
  xferscan scan files.example.com            try 21, 22 and 990 and report each
  xferscan scan ftpes://files.example.com --format json --output report.json
  xferscan scan sftp://10.1.2.3:2222 --user partner --password-env PARTNER_PW`;

interface ScanArgs {
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
  connections: number;
  timeout: number;
  'targets-file'?: string;
  'max-sockets'?: number;
  'endpoint-timeout'?: number;
  shard?: string;
  'allow-foreign-pasv': boolean;
  'allow-cleartext-login': boolean;
  'ca-file'?: string;
  color?: boolean;
}

function readCredentials(a: ScanArgs): Credentials | null {
  if (a.password !== undefined) {
    throw new UsageError(
      '--password is refused: a password on the command line leaks into shell history and process lists. Use --password-env NAME or --password-file FILE.',
    );
  }
  let password: string | undefined;
  if (a['password-env'] && a['password-file']) throw new UsageError('give either --password-env or --password-file, not both');
  if (a['password-env']) {
    password = process.env[a['password-env']];
    if (password === undefined) throw new UsageError(`--password-env ${a['password-env']}: that environment variable is not set`);
  }
  if (a['password-file']) {
    try {
      password = fs.readFileSync(a['password-file'], 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(`--password-file: cannot read ${a['password-file']} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let privateKey: Buffer | undefined;
  if (a.key) {
    try {
      privateKey = fs.readFileSync(a.key);
    } catch (err) {
      throw new UsageError(`--key: cannot read ${a.key} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (!a.user) {
    if (password !== undefined || privateKey) throw new UsageError('a password or key was given without --user');
    return null;
  }
  return { user: a.user, password, privateKey };
}

export function parseRange(text: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid range "${text}": expected LOW-HIGH, e.g. 50000-50100`);
  const lo = parsePort(m[1], 'range start');
  const hi = parsePort(m[2], 'range end');
  if (lo > hi) throw new UsageError(`invalid range "${text}": start is above end`);
  return [lo, hi];
}

/** --targets-file: CSV, YAML, JSON or one target per line (src/fleet/targets-file.ts). */
function readTargetsFile(file: string): InventoryEntry[] {
  return loadTargetsFile(file, (m) => process.stderr.write(`xferscan: warning: ${m}\n`));
}

function positiveInt(name: string, v: number, max: number, min = 1): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return v;
}

/** `endpoints[i]` is the target behind `report.endpoints[i]`. */
export function exitCodeFor(report: Report, endpoints: Pick<Endpoint, 'input'>[]): number {
  const all = report.endpoints.flatMap((e) => e.findings);
  if (all.some((f) => f.status === 'fail')) return EXIT.FAIL;
  // A target none of whose ports could be reached is a scan error: no evidence was gathered.
  const reached = new Map<string, boolean>();
  report.endpoints.forEach((e, i) => {
    const input = endpoints[i].input;
    reached.set(input, (reached.get(input) ?? false) || e.state === 'open');
  });
  const unreached = [...reached.values()].some((r) => !r);
  if (unreached || all.some((f) => f.status === 'error')) return EXIT.SCAN_ERROR;
  if (all.some((f) => f.status === 'warn')) return EXIT.WARN;
  return EXIT.OK;
}

/** Exit code of a merged report: as a scan's, counting each endpoint as its own target. */
function exitCodeForMerged(report: Report): number {
  return exitCodeFor(
    report,
    report.endpoints.map((e) => ({ input: `${e.host}:${e.port}` })),
  );
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

/** Credentials the policy names (by environment variable) for hosts that --user does not cover. */
function policyCredentials(
  policy: Policy | null,
  endpoints: Endpoint[],
  given: Credentials | null,
): ((t: Endpoint) => Credentials | null | undefined) | undefined {
  if (!policy || given) return undefined;
  const byHost = new Map<string, Credentials>();
  for (const e of endpoints) {
    const c = policyHostFor(policy, { host: e.host, address: null })?.credentials;
    if (!c || byHost.has(e.host)) continue;
    let password: string | undefined;
    if (c.passwordEnv) {
      password = process.env[c.passwordEnv];
      if (password === undefined)
        throw new UsageError(`policy: credentials for ${e.host} name the environment variable ${c.passwordEnv}, which is not set`);
    }
    let privateKey: Buffer | undefined;
    if (c.keyFile) {
      try {
        privateKey = fs.readFileSync(c.keyFile);
      } catch (err) {
        throw new UsageError(`policy: cannot read key file ${c.keyFile} for ${e.host} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    byHost.set(e.host, { user: c.user, password, privateKey });
  }
  if (byHost.size === 0) return undefined;
  return (t) => byHost.get(t.host);
}

/**
 * Credentials per endpoint when the inventory names some: the entry's own (user + passwordEnv /
 * keyFile) first, then --user, then its per-target policy's, then --policy's. Every variable is
 * checked before the scan starts. undefined when no entry names credentials or a per-target policy.
 */
function fleetCredentials(
  endpoints: Endpoint[],
  entryOf: Map<Endpoint, InventoryEntry>,
  policyFor: (t: Endpoint) => Policy | null,
  given: Credentials | null,
): ((t: Endpoint) => Credentials | null | undefined) | undefined {
  if (![...entryOf.values()].some((e) => e.user || e.policy)) return undefined;
  const byEndpoint = new Map<Endpoint, Credentials | null>();
  for (const t of endpoints) {
    const e = entryOf.get(t);
    const own = e ? entryCredentials(e) : null;
    if (own) byEndpoint.set(t, own);
    else if (given) byEndpoint.set(t, given);
    else {
      const pol = policyFor(t);
      byEndpoint.set(t, pol ? policyHostCredentials(pol, t.host) : null);
    }
  }
  return (t) => byEndpoint.get(t);
}

export interface RunResult {
  report: Report;
  exitCode: number;
}

/** Runs a scan from parsed arguments; shared by `scan` and the demo. */
export async function runScan(
  a: ScanArgs,
  targetsIn: string[],
  out: NodeJS.WritableStream = process.stdout,
  fileEntries: InventoryEntry[] = [],
): Promise<RunResult> {
  const credentials = readCredentials(a);
  const ports = parsePortList(a.ports);
  const entries = [...targetsIn.map((t) => commandLineEntry(parseTarget(t))), ...fileEntries];
  if (entries.length === 0)
    throw new UsageError(a['targets-file'] ? `${a['targets-file']}: no targets in it` : 'no target given: xferscan scan HOST (see --help)');
  const shard = a.shard ? parseShard(a.shard) : null;
  const inventory = expandInventory(entries, ports);
  const endpoints: Endpoint[] = inShard(inventory.endpoints, shard);
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
  const credentialsFor =
    fleetCredentials(endpoints, inventory.entryOf, policyFor, credentials) ?? policyCredentials(policy, endpoints, credentials);
  const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${a.format}"; available: ${FORMATS.join(', ')}`);
  // where the report goes and the signing key: checked before the scan, not after it
  if (a.output) checkOutputPath(a.output);
  const signKey = signingKeyFrom(a as unknown as Record<string, unknown>, format);
  const timeoutMs = positiveInt('timeout', a.timeout, 600_000);
  const expectPassiveRange = a['expect-passive-range'] ? parseRange(a['expect-passive-range']) : null;
  const maxSockets = positiveInt('max-sockets', a['max-sockets'] ?? 256, 65_536, 2);
  const endpointTimeoutMs = positiveInt('endpoint-timeout', a['endpoint-timeout'] ?? 60 * timeoutMs, 86_400_000, 0);
  const concurrencyAsked = positiveInt('concurrency', a.concurrency, 1024);
  // An endpoint may hold a control connection while it dials a data connection: with at least
  // two slots per endpoint scanned at once, the budget can never deadlock.
  const concurrency = Math.max(1, Math.min(concurrencyAsked, Math.floor(maxSockets / 2)));
  configureSocketBudget(maxSockets);
  const stream = format === 'ndjson';
  // a live line on a terminal, a heartbeat every ~10 s elsewhere (src/fleet/progress.ts)
  const progress = new Progress({ total: endpoints.length, sockets: () => socketBudget.open });
  if ((a as { progress?: boolean }).progress !== false) progress.start();
  const exit = new ExitTracker();
  let ndjson: NdjsonStream | null = null;
  const options: ScanOptions = {
    timeoutMs,
    connections: positiveInt('connections', a.connections, 64),
    concurrency,
    endpointTimeoutMs: endpointTimeoutMs || undefined,
    keepEndpoints: !stream,
    credentials,
    allowForeignPasv: a['allow-foreign-pasv'],
    allowCleartextLogin: a['allow-cleartext-login'],
    active: a.active,
    writeTest: a['write-test'],
    // More PASV samples when a range is to be checked: half a range dropped is missed with (1/2)^n.
    passiveSamples:
      a['passive-samples'] !== undefined ? positiveInt('passive-samples', a['passive-samples'], 200) : expectPassiveRange ? 12 : 6,
    caFile: a['ca-file'] ?? null,
    profile: profile.id,
    selection: profileSelection(profile),
    checkOptions: { ...profileCheckOptions(profile), expectPassiveRange, policy, activeRequested: a.active },
    checkOptionsFor:
      policy || targetPolicies.size
        ? (ep: EndpointReport, t: Endpoint) => {
            const pol = policyFor(t);
            const range = policyHostFor(pol, ep)?.passiveRange;
            return {
              ...profileCheckOptions(profile),
              expectPassiveRange: expectPassiveRange ?? range ?? null,
              policy: pol,
              activeRequested: a.active,
            };
          }
        : undefined,
    // Until the scheduler calls progress.onStep(endpoint, step) itself, an endpoint shows as
    // "scanning" from the moment it starts (credentialsFor is asked exactly then).
    credentialsFor: (t: Endpoint) => {
      progress.onStep(t, 'scanning');
      return credentialsFor?.(t);
    },
    reportOptions: {
      targets: targetsIn,
      ...(a['targets-file'] ? { targetsFile: a['targets-file'], inventoryEntries: fileEntries.length } : {}),
      // "host:port" → "FILE:LINE" of the inventory entry (SARIF physical locations)
      ...(fileEntries.length || policy?.hostLines
        ? { endpointSources: endpointSources(endpoints, inventory.entryOf, policy, a.policy) }
        : {}),
      endpointsScanned: endpoints.length,
      shard: shard ? `${shard.index}/${shard.count}` : null,
      maxSockets,
      endpointTimeoutMs,
      ...(targetPolicies.size ? { targetPolicies: [...targetPolicies.keys()] } : {}),
      ports,
      timeoutMs,
      connections: a.connections,
      concurrency,
      user: credentials ? credentials.user : null,
      credentials: credentials ? (credentials.password !== undefined ? 'password (redacted)' : 'key') : 'none',
      expectPassiveRange,
      active: a.active,
      writeTest: a['write-test'],
      profile: profile.id,
      profileVersion: profile.version,
      profileSource: profile.source,
      policy: a.policy ? { file: a.policy, name: policy?.name ?? null, hosts: policy?.hosts.map((h) => h.host) ?? [] } : null,
    },
    onEndpointDone: (ep, _done, _total, index) => {
      exit.add(ep, endpoints[index].input);
      ndjson?.endpoint(ep, index);
      progress?.update(ep);
    },
  };
  if (stream) {
    // NDJSON streams: one line per endpoint as it finishes; finished endpoints are not kept.
    ndjson = new NdjsonStream(
      { tool: { name: 'xferscan', version: TOOL_VERSION }, startedAt: new Date().toISOString(), profile: profile.id },
      a.output ?? out,
    );
    const scanned = await scan(endpoints, options).finally(() => progress.stop());
    const { targets: _t, ...opts } = scanned.options ?? {};
    ndjson.finish({
      finishedAt: scanned.finishedAt,
      options: { ...opts, targets: targetsIn.length > 50 ? `${targetsIn.length} targets` : targetsIn },
      sockets: { max: maxSockets, peak: socketBudget.peak, total: socketBudget.total, waited: socketBudget.waited },
      shard: shard ? `${shard.index}/${shard.count}` : null,
    });
    if (a.output && process.stderr.isTTY) process.stderr.write(`report written to ${a.output}\n`);
    return { report: scanned, exitCode: exit.code() };
  }
  const scanned = await scan(endpoints, options).finally(() => progress.stop());
  const report = finalizeReport(scanned, profile, await scannerInfo(scanned.endpoints.map((e) => e.address)));
  const text = render(report, format, renderOptionsFrom(a as unknown as Record<string, unknown>, format));
  if (a.output) {
    writeOutput(a.output, text);
    if (signKey) writeSignature(a.output, report, signKey);
    if (process.stderr.isTTY) process.stderr.write(`report written to ${a.output}${signKey ? ` (signature ${a.output}.sig)` : ''}\n`);
  } else {
    out.write(text);
  }
  return { report, exitCode: exitCodeFor(report, endpoints) };
}

function scanOptions<T>(y: Argv<T>) {
  return y
    .option('ports', { type: 'string', default: '21,22,990', describe: 'ports to try when a target has no port' })
    .option('format', { type: 'string', choices: [...FORMATS], describe: 'output format (default: table on a terminal, json otherwise)' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to FILE instead of stdout' })
    .option('profile', {
      type: 'string',
      describe: `judgement profile: ${PROFILE_NAMES.join(', ')}, or a profile FILE (JSON) (default: the policy's, else baseline)`,
    })
    .option('policy', {
      type: 'string',
      describe:
        'partner policy FILE (YAML subset or JSON): allowed ports/services, pinned keys, passive range, credentials by env var, profile',
    })
    .option('user', { type: 'string', describe: 'user name for login-level checks' })
    .option('password-env', { type: 'string', describe: 'read the password from environment variable NAME' })
    .option('password-file', { type: 'string', describe: 'read the password from FILE (first line)' })
    .option('password', { type: 'string', hidden: true })
    .option('key', { type: 'string', describe: 'private key FILE for SFTP' })
    .option('expect-passive-range', { type: 'string', describe: 'passive port range the firewall opens, e.g. 50000-50100' })
    .option('active', { type: 'boolean', default: false, describe: 'also test active mode (PORT/EPRT)' })
    .option('write-test', { type: 'boolean', default: false, describe: 'upload a uniquely named file, verify it, delete it' })
    .option('passive-samples', {
      type: 'number',
      describe: 'PASV/EPSV replies to sample for the passive range (default 6; 12 with --expect-passive-range)',
    })
    .option('concurrency', { type: 'number', default: 8, describe: 'endpoints scanned at once' })
    .option('connections', { type: 'number', default: 4, describe: 'connections at once to one endpoint' })
    .option('timeout', { type: 'number', default: 5000, describe: 'milliseconds any one step may take' })
    .option('targets-file', {
      type: 'string',
      describe: 'read targets from FILE: CSV (host,port,service,user,passwordEnv,keyFile,policy), YAML, JSON, or one per line (# comments)',
    })
    .option('max-sockets', {
      type: 'number',
      default: 256,
      describe: 'sockets open at once across the whole scan (concurrency is capped at half of it)',
    })
    .option('endpoint-timeout', {
      type: 'number',
      describe:
        'overall milliseconds one endpoint may take; then its connections are closed and it is reported with what it has (default 60 x --timeout; 0 = none)',
    })
    .option('shard', {
      type: 'string',
      describe:
        'scan only shard I of N (e.g. 2/4), split by a stable hash of host:port; "auto" takes it from JOB_COMPLETION_INDEX/JOB_COMPLETIONS (Kubernetes Indexed Job); combine with "xferscan merge"',
    })
    .option('allow-foreign-pasv', { type: 'boolean', default: false, describe: 'follow a PASV reply to an address other than the target' })
    .option('allow-cleartext-login', { type: 'boolean', default: false, describe: 'allow sending a real password without TLS' })
    .option('ca-file', { type: 'string', describe: 'extra trusted CA certificates (PEM) for certificate checks' })
    .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal)' })
    .option('progress', {
      type: 'boolean',
      describe: 'progress on stderr: a live line on a terminal, a heartbeat every ~10 s elsewhere (--no-progress: none)',
    })
    .option('sign-key', {
      type: 'string',
      describe: 'Ed25519 private key (PEM): write a detached signature FILE.sig beside the JSON report (-o FILE)',
    });
}

/** How the report is shown: shared by scan, report and merge. */
function displayOptions<T>(y: Argv<T>) {
  return y
    .option('all', { type: 'boolean', default: false, describe: 'table: list every finding, passes and skips too' })
    .option('level', { type: 'string', choices: ['fail', 'warn', 'info'], describe: 'table: lowest status listed (default warn)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'table: one verdict line per endpoint' })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'table: details, controls and evidence under each finding',
    })
    .option('sarif-all', { type: 'boolean', default: false, describe: 'SARIF: every finding as a result (default: fail, warn, error)' })
    .option('junit-fail-on-warn', { type: 'boolean', default: false, describe: 'JUnit: report WARN findings as failures' });
}

/** Where each endpoint came from, by "host:port": its inventory line, else its policy host entry's line. */
function endpointSources(
  endpoints: Endpoint[],
  entryOf: Map<Endpoint, InventoryEntry>,
  policy: Policy | null,
  policyFile: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of endpoints) {
    const key = `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
    const entry = entryOf.get(e);
    if (entry?.file) out[key] = `${entry.file}:${entry.line}`;
    else if (policy?.hostLines && policyFile) {
      const h = policyHostFor(policy, { host: e.host, address: null });
      const line = h ? policy.hostLines[policy.hosts.indexOf(h)] : undefined;
      if (line) out[key] = `${policyFile}:${line}`;
    }
  }
  return out;
}

type Args = Record<string, unknown> & { _: (string | number)[] };

/** What each command does once its arguments are parsed and valid; returns the exit code. */
const COMMANDS: Record<string, (a: Args) => Promise<number>> = {
  async scan(a) {
    const list = [...((a.targets as string[] | undefined) ?? [])];
    const fromFile = a['targets-file'] ? readTargetsFile(a['targets-file'] as string) : [];
    return (await runScan(a as unknown as ScanArgs, list, process.stdout, fromFile)).exitCode;
  },
  async report(a) {
    const { rerender } = await import('./commands/report.js');
    const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
    if (a.output) checkOutputPath(a.output as string);
    const r = rerender(a.file as string, format, renderOptionsFrom(a, format));
    if (r.warning) process.stderr.write(`xferscan: warning: ${r.warning}\n`);
    if (a.output) writeOutput(a.output as string, r.text);
    else process.stdout.write(r.text);
    return EXIT.OK;
  },
  async diff(a) {
    const { diffReports, renderDiffText } = await import('./commands/diff.js');
    const { readReportFile } = await import('./commands/read-report.js');
    const d = diffReports(readReportFile(a.old as string), readReportFile(a.new as string));
    process.stdout.write(a.format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : renderDiffText(d));
    return d.worse ? EXIT.FAIL : EXIT.OK;
  },
  async merge(a) {
    const { mergeReports, readMergeInput } = await import('./commands/merge.js');
    if (a.output) checkOutputPath(a.output as string);
    const { report, duplicates } = mergeReports((a.files as string[]).map(readMergeInput), a.profile as string | undefined);
    if (duplicates.length)
      process.stderr.write(
        `xferscan: note: ${duplicates.length} endpoint(s) appeared in more than one input; kept the one from the input that finished last (${duplicates.slice(0, 5).join(', ')}${duplicates.length > 5 ? ', …' : ''})\n`,
      );
    const format = (a.format ?? (process.stdout.isTTY && !a.output ? 'table' : 'json')) as Format;
    const text = render(report, format, renderOptionsFrom(a, format));
    if (a.output) writeOutput(a.output as string, text);
    else process.stdout.write(text);
    return exitCodeForMerged(report);
  },
  async verify(a) {
    const { verifyReportFile } = await import('./commands/verify.js');
    const v = verifyReportFile(a.file as string, {
      publicKey: a['public-key'] as string | undefined,
      signature: a.signature as string | undefined,
    });
    (v.exitCode === 0 ? process.stdout : process.stderr).write(`${v.message}\n`);
    return v.exitCode;
  },
  /** no command: the built-in demo target (an unknown word gets a hint instead) */
  async $0(a) {
    const extra = a._.map(String);
    if (extra.length > 0) throw new UsageError(`unknown command "${extra[0]}": did you mean "xferscan scan ${extra.join(' ')}"?`);
    const { runDemo } = await import('./demo.js');
    return runDemo(a as unknown as ScanArgs);
  },
};

export async function main(argv: string[]): Promise<void> {
  let exitCode: number;
  quietOnEpipe();
  try {
    // The commands are declared without yargs handlers and run after parsing: when a command's
    // handler runs, yargs lays out and caches the whole help text (~50 ms of CPU, right as the
    // scan's first connections open), in case that handler fails later.
    const parser = yargs(argv)
      .scriptName('xferscan')
      .usage(
        'xferscan — what a secure-file-transfer endpoint really offers (SFTP, FTPS, FTP)\n\nUsage: xferscan scan <target...> [options]\n       xferscan scan --targets-file inventory.csv --format ndjson [--shard 1/4] [--concurrency N] [--max-sockets N]\n       xferscan merge shard1.json shard2.json … [--format F] [-o FILE]\n       xferscan report SCAN.json --format html|markdown|junit|sarif|ndjson|table|json [-o FILE]\n       xferscan diff OLD.json NEW.json\n       xferscan verify REPORT.json [--public-key PUB.pem]\n       xferscan                    (no target: scan a built-in demo target)',
      )
      .command('scan [targets..]', 'scan targets and report', (y) =>
        displayOptions(scanOptions(y)).positional('targets', { type: 'string', array: true, describe: 'targets' }),
      )
      .command('report <file>', 're-render a saved JSON scan in another format', (y) =>
        displayOptions(y)
          .positional('file', { type: 'string', demandOption: true, describe: 'a JSON report saved with --format json' })
          .option('format', {
            type: 'string',
            choices: [...FORMATS],
            describe: 'output format (default: table on a terminal, json otherwise)',
          })
          .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
          .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal)' }),
      )
      .command('diff <old> <new>', 'compare two saved JSON scans; exit 3 when something got worse', (y) =>
        y
          .positional('old', { type: 'string', demandOption: true, describe: 'the earlier JSON report' })
          .positional('new', { type: 'string', demandOption: true, describe: 'the later JSON report' })
          .option('format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'output format' }),
      )
      .command(
        'merge <files..>',
        'combine JSON reports or NDJSON streams (e.g. of --shard runs) into one report; summary, compliance and digest recomputed',
        (y) =>
          displayOptions(y)
            .positional('files', {
              type: 'string',
              array: true,
              demandOption: true,
              describe: 'JSON reports (--format json) or NDJSON streams (--format ndjson)',
            })
            .option('format', {
              type: 'string',
              choices: [...FORMATS],
              describe: 'output format (default: table on a terminal, json otherwise)',
            })
            .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
            .option('profile', {
              type: 'string',
              describe: 'custom profile FILE the inputs were judged with (merge never opens a path named inside a report)',
            })
            .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal)' }),
      )
      .command(
        'verify <file>',
        'check a saved JSON report: its SHA-256 digest (detects accidental change), and with --public-key its Ed25519 signature (detects tampering); exit 0 good, 3 not',
        (y) =>
          y
            .positional('file', { type: 'string', demandOption: true, describe: 'a JSON report' })
            .option('public-key', { type: 'string', describe: 'Ed25519 public key (PEM) the report must be signed with' })
            .option('signature', { type: 'string', describe: 'detached signature file (default: REPORT.sig)' }),
      )
      .command('$0', false, (y) => displayOptions(scanOptions(y)))
      .epilog(EPILOG)
      .version(TOOL_VERSION)
      .help()
      .alias('h', 'help')
      // Unknown options are errors; an unknown word gets the friendlier hint from the demo command.
      .strictOptions()
      // Laying out help text costs tens of ms: only when asked for.
      .wrap(argv.some((x) => x === '--help' || x === '-h') ? Math.min(110, process.stdout.columns || 100) : null)
      .fail((msg, err) => {
        throw err instanceof UsageError ? err : new UsageError(msg ?? err?.message ?? 'invalid arguments');
      });
    const parsed = (await parser.parseAsync(hideBin(['node', 'xferscan', ...argv]))) as Args;
    const name = String(parsed._[0] ?? '');
    if (Object.hasOwn(COMMANDS, name) && name !== '$0') {
      exitCode = await COMMANDS[name]({ ...parsed, _: parsed._.slice(1) });
    } else {
      exitCode = await COMMANDS.$0(parsed);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`xferscan: ${err.message}\n`);
      if (/unknown|invalid|Unknown argument|Not enough|Missing/.test(err.message))
        process.stderr.write('Run "xferscan --help" for usage.\n');
      exitCode = EXIT.SCAN_ERROR;
    } else {
      // Anything else is our bug: say so in one line; a stack trace only when asked for.
      process.stderr.write(`xferscan: internal error: ${(err as Error)?.message ?? String(err)}\n`);
      if (process.env.XFERSCAN_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
      exitCode = EXIT.SCAN_ERROR;
    }
  }
  process.exitCode = exitCode;
}
