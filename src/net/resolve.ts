// Which address of a host a scan connects to. A host is resolved once (every connection of an
// endpoint then goes to the same, reported address); -4/-6 keep one family; --resolve NAME=ADDR
// pins a name without /etc/hosts (as curl's --resolve); a name with several addresses has each
// tried once, in the resolver's order, and the first that accepts a connection is scanned, so a
// dual-stack name reports the family that was used and what the other family did.
// Through a proxy nothing is resolved here: the proxy resolves the name (src/net/proxy.ts).
import dns from 'node:dns/promises';
import net from 'node:net';
import type { PortState } from '../model.js';
import { EndpointDialer, type SocketBudget } from './dialer.js';
import type { ProxySpec } from './proxy.js';
import type { ConnectionRate } from './rate.js';

export type Family = 'ipv4' | 'ipv6';

export interface ResolveOptions {
  /** -4 / -6 */
  family?: Family | null;
  /** --resolve NAME=ADDR[,ADDR…] */
  overrides?: ReadonlyMap<string, readonly string[]>;
  /** --proxy given: names go to the proxy unresolved */
  proxied?: boolean;
}

export const familyOf = (address: string | null): Family | null =>
  address === null ? null : net.isIPv6(address) ? 'ipv6' : net.isIPv4(address) ? 'ipv4' : null;

const keep = (family: Family | null | undefined) => (a: string) => !family || familyOf(a) === family;

/** --resolve NAME=ADDR[,ADDR…] (repeatable) → a map; throws a one-line message on bad input. */
export function parseResolveOverrides(items: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of items) {
    const m = /^([^=\s]+)=(.+)$/.exec(item.trim());
    const addrs = m ? m[2]!.split(',').map((a) => a.trim().replace(/^\[(.*)\]$/, '$1')) : [];
    if (!m || addrs.length === 0 || addrs.some((a) => !net.isIP(a)))
      throw new Error(`--resolve "${item.slice(0, 80)}": expected NAME=ADDR[,ADDR...] with IP addresses`);
    out.set(m[1]!.toLowerCase(), addrs);
  }
  return out;
}

/** Every address of `host` the scan may use, in the resolver's order; throws a one-line Error. */
export async function resolveAll(host: string, o: ResolveOptions = {}): Promise<string[]> {
  const want = o.family ?? null;
  const pinned = o.overrides?.get(host.toLowerCase());
  let all: string[];
  if (pinned) all = [...pinned];
  else if (net.isIP(host)) all = [host];
  else if (o.proxied) return [host];
  else all = (await dns.lookup(host, { all: true, verbatim: true })).map((r) => r.address);
  const usable = all.filter(keep(want));
  if (usable.length === 0) throw new Error(`${host} has no ${want === 'ipv6' ? 'IPv6' : 'IPv4'} address (${all.join(', ')})`);
  return [...new Set(usable)];
}

export interface AddressTried {
  address: string;
  family: Family;
  state: PortState;
  code: string | null;
}

/**
 * Of several addresses, the first that accepts a TCP connection to `port` (each tried once, then
 * closed), with what each one did; with none open, the first (its scan reports its state).
 */
export async function chooseAddress(
  addresses: readonly string[],
  port: number,
  timeoutMs: number,
  global: SocketBudget,
  proxy: ProxySpec | null = null,
  /** --rate per address: these connections count like every other */
  rateFor: (address: string) => ConnectionRate | null = () => null,
): Promise<{ address: string; tried: AddressTried[] | null }> {
  if (addresses.length < 2) return { address: addresses[0]!, tried: null };
  const tried: AddressTried[] = [];
  let chosen: string | null = null;
  for (const address of addresses) {
    const d = new EndpointDialer({ address, global, connections: 1, proxy, rate: rateFor(address) });
    const r = await d.dial(port, timeoutMs);
    r.socket?.destroy();
    tried.push({ address, family: familyOf(address)!, state: r.state, code: r.code });
    if (r.state === 'open' && chosen === null) chosen = address;
  }
  return { address: chosen ?? addresses[0]!, tried };
}
