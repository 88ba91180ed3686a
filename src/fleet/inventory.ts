// From inventory entries (targets on the command line and --targets-file) to the endpoints of a
// scan, with what each entry says for its endpoints: expected service, credentials by env-var
// name, per-target policy. Also the incremental exit code for streamed scans.
import fs from 'node:fs';
import type { Credentials } from '../probe.js';
import type { EndpointReport, Service } from '../model.js';
import { UsageError, type Endpoint, type Target } from '../targets.js';
import type { InventoryEntry } from './targets-file.js';
import { policyHostFor, type Policy } from '../policy/index.js';

const EXPECTED_FOR_SCHEME: Record<string, Service | null> = { sftp: 'sftp', ftp: null, ftps: 'ftps-implicit', ftpes: 'ftps-explicit' };

/** A target typed on the command line, as an inventory entry without extras. */
export function commandLineEntry(target: Target): InventoryEntry {
  return { target, expectedService: target.scheme ? EXPECTED_FOR_SCHEME[target.scheme] : null, file: '', line: 0 };
}

export interface Inventory {
  endpoints: Endpoint[];
  /** the entry each endpoint came from */
  entryOf: Map<Endpoint, InventoryEntry>;
}

/** Expands entries to endpoints (an entry without a port: one per --ports entry), dropping duplicates (first wins). */
export function expandInventory(entries: InventoryEntry[], ports: number[]): Inventory {
  const endpoints: Endpoint[] = [];
  const entryOf = new Map<Endpoint, InventoryEntry>();
  const seen = new Set<string>();
  for (const e of entries) {
    const t = e.target;
    for (const port of t.port !== null ? [t.port] : ports) {
      const key = `${t.host}|${port}|${t.scheme ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ep: Endpoint = { input: t.input, host: t.host, port, scheme: t.scheme, expectedService: e.expectedService };
      endpoints.push(ep);
      entryOf.set(ep, e);
    }
  }
  return { endpoints, entryOf };
}

const where = (e: InventoryEntry) => (e.file ? `${e.file}:${e.line}: ` : '');

function readKey(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`${what}cannot read key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Credentials an entry names (user + passwordEnv / keyFile); the variable must be set. */
export function entryCredentials(e: InventoryEntry, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  if (!e.user) return null;
  let password: string | undefined;
  if (e.passwordEnv) {
    password = env[e.passwordEnv];
    if (password === undefined)
      throw new UsageError(`${where(e)}passwordEnv ${e.passwordEnv} for ${e.target.host}: that environment variable is not set`);
  }
  const privateKey = e.keyFile ? readKey(e.keyFile, where(e)) : undefined;
  return { user: e.user, password, privateKey };
}

/** Credentials a policy names for a host, or null. */
export function policyHostCredentials(policy: Policy, host: string, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  const c = policyHostFor(policy, { host, address: null })?.credentials;
  if (!c) return null;
  let password: string | undefined;
  if (c.passwordEnv) {
    password = env[c.passwordEnv];
    if (password === undefined)
      throw new UsageError(`policy: credentials for ${host} name the environment variable ${c.passwordEnv}, which is not set`);
  }
  const privateKey = c.keyFile ? readKey(c.keyFile, `policy: ${host}: `) : undefined;
  return { user: c.user, password, privateKey };
}

/**
 * Exit code computed as endpoints finish (for streamed output, where the report keeps none):
 * the same rule as cli.ts exitCodeFor — 3 on any failing finding, else 1 when a target had no
 * open port or a finding is an error, else 2 on warnings, else 0.
 */
export class ExitTracker {
  private fail = false;
  private error = false;
  private warn = false;
  private readonly reached = new Map<string, boolean>();

  add(ep: EndpointReport, input: string): void {
    for (const f of ep.findings) {
      if (f.status === 'fail') this.fail = true;
      else if (f.status === 'error') this.error = true;
      else if (f.status === 'warn') this.warn = true;
    }
    this.reached.set(input, (this.reached.get(input) ?? false) || ep.state === 'open');
  }

  code(): number {
    if (this.fail) return 3;
    if (this.error || [...this.reached.values()].some((r) => !r)) return 1;
    if (this.warn) return 2;
    return 0;
  }
}
