// --proxy, -4/-6 and --resolve: how the scan reaches its targets, checked before any connection.
import { UsageError } from '../targets.js';
import { ProxyConfigError, parseProxy, proxyLabel, type ProxySpec } from '../net/proxy.js';
import { connectTcp } from '../net/tcp.js';
import { parseResolveOverrides, type ResolveOptions } from '../net/resolve.js';

export interface Network {
  proxy: ProxySpec | null;
  resolve: ResolveOptions;
  /** fails with one line naming the proxy when it does not accept a connection */
  preflight(timeoutMs: number): Promise<void>;
}

interface NetworkArgs {
  proxy?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  resolve?: string | string[];
}

function proxyFrom(a: NetworkArgs): ProxySpec | null {
  if (!a.proxy) return null;
  if (a.ipv4 || a.ipv6)
    throw new UsageError('--proxy resolves names at the proxy: -4/-6 cannot choose the address family there (give an IP address instead)');
  try {
    return parseProxy(a.proxy);
  } catch (err) {
    if (err instanceof ProxyConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export function networkFrom(a: NetworkArgs): Network {
  if (a.ipv4 && a.ipv6) throw new UsageError('-4 and -6 exclude each other');
  const proxy = proxyFrom(a);
  let overrides: Map<string, string[]>;
  try {
    overrides = parseResolveOverrides([a.resolve ?? []].flat());
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    proxy,
    resolve: { family: a.ipv4 ? 'ipv4' : a.ipv6 ? 'ipv6' : null, overrides },
    async preflight(timeoutMs: number) {
      if (!proxy) return;
      const r = await connectTcp(proxy.host, proxy.port, timeoutMs);
      r.socket?.destroy();
      if (!r.socket) throw new UsageError(`cannot reach the proxy ${proxyLabel(proxy)}: ${r.state}${r.code ? ` (${r.code})` : ''}`);
    },
  };
}
