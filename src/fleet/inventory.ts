// From inventory entries (targets on the command line and --targets-file) to the endpoints of a
// scan, with what each entry says for its endpoints: expected service, credentials by env-var
// name, per-target policy.
import type { Credentials } from '../probe.js';
import type { Service } from '../model.js';
import type { Endpoint, Target } from '../targets.js';
import { resolveCredentials } from '../credentials.js';
import { schemeService } from '../knowledge/services.js';
import type { InventoryEntry } from './targets-file.js';
import { policyHostFor, type Policy } from '../policy/index.js';

/** A target typed on the command line, as an inventory entry without extras. */
export function commandLineEntry(target: Target): InventoryEntry {
  const expectedService: Service | null = target.scheme ? schemeService(target.scheme) : null;
  return { target, expectedService, file: '', line: 0 };
}

export interface Inventory {
  endpoints: Endpoint[];
  /** the entry each endpoint came from */
  entryOf: Map<Endpoint, InventoryEntry>;
}

/** Expands targets to endpoints: a target without a port becomes one endpoint per --ports entry. */
export function expandTargets(targets: Target[], ports: number[]): Endpoint[] {
  return expandInventory(targets.map(commandLineEntry), ports).endpoints;
}

/** Expands entries to endpoints (an entry without a port: one per --ports entry), dropping duplicates (first wins). */
export function expandInventory(entries: InventoryEntry[], ports: number[]): Inventory {
  const endpoints: Endpoint[] = [];
  const entryOf = new Map<Endpoint, InventoryEntry>();
  const seen = new Set<string>();
  for (const e of entries) {
    // a group's virtual address is sampled (src/cluster), not scanned as an endpoint
    if (e.role === 'vip') continue;
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

/** Credentials an entry names (user + passwordEnv / keyFile); the variable must be set. */
export function entryCredentials(e: InventoryEntry, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  if (!e.user) return null;
  const at = where(e);
  return resolveCredentials(
    { user: e.user, passwordEnv: e.passwordEnv, keyFile: e.keyFile },
    { passwordEnv: `${at}passwordEnv`, keyFile: `${at}keyFile`, target: e.target.host },
    env,
  );
}

/** Credentials a policy names for a host, or null. */
export function policyHostCredentials(policy: Policy, host: string, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  const c = policyHostFor(policy, { host, address: null })?.credentials;
  if (!c) return null;
  return resolveCredentials(
    { user: c.user, passwordEnv: c.passwordEnv, keyFile: c.keyFile },
    { passwordEnv: 'policy: passwordEnv', keyFile: `policy: ${host}: keyFile`, target: host },
    env,
  );
}
