// The prober's hellos beside the suite enumeration: SSLv2, TLS 1.3 groups (HelloRetryRequest
// chain), TLS ≤ 1.2 curves, fallback SCSV, compression, and the certificate chain of a TLS
// 1.3-only server (node:tls completes one handshake to see it).
import tls from 'node:tls';
import { CLIENT_GROUPS } from '../net/tls-upgrade.js';
import {
  buildClientHello,
  buildSSLv2ClientHello,
  LEGACY_GROUPS,
  makeKeyShare,
  PROTOCOL_VERSIONS,
  TLS13_GROUPS,
  type ClientHelloOptions,
  type FlightResult,
  type ProtocolName,
} from './hello.js';
import { groupByCodeInfo, groupName, legacySuites, SSLV2_KINDS } from '../knowledge/tls-registry.js';
import { describe, exchange, PRIO, type Ctx } from './exchange.js';
import { refusalDecides } from './enumerate.js';

export function legacyHello(
  version: number,
  suites: readonly number[],
  serverName: string | undefined,
  extra: Partial<ClientHelloOptions> = {},
): Buffer {
  return buildClientHello({ version, suites, serverName, ...extra });
}

/** One x25519 key share per process: no handshake is ever finished, so it only has to be valid. */
let x25519Share: ReturnType<typeof makeKeyShare> | undefined;

export function tls13Hello(suites: readonly number[], serverName: string | undefined, extra: Partial<ClientHelloOptions> = {}): Buffer {
  const share = (x25519Share ??= makeKeyShare(29));
  return buildClientHello({
    version: 0x0304,
    suites,
    serverName,
    supportedVersions: [0x0304],
    keyShares: share ? [share] : [],
    groups: TLS13_GROUPS,
    ...extra,
  });
}

/** Candidates at one TLS ≤ 1.2 version: no TLS 1.3-only suite, and no TLS 1.2-only suite below 1.2. */
export function legacyCandidates(label: ProtocolName): number[] {
  return legacySuites()
    .filter((s) => label === 'TLSv1.2' || !s.tls12Only)
    .map((s) => s.code);
}

export async function probeSSLv2(ctx: Ctx): Promise<{ supported: boolean; decided: boolean; kinds: number[]; cert: Buffer | null }> {
  const offered = SSLV2_KINDS.map((k) => k.code);
  const f = await exchange(ctx, buildSSLv2ClientHello(offered), {
    purpose: 'detect',
    version: 'SSLv2',
    offered: offered.length,
    after: 0,
    priority: PRIO.chain,
  });
  if (f.kind === 'sslv2-server-hello' && f.sslv2) {
    const kinds = f.sslv2.cipherKinds.filter((k) => offered.includes(k));
    return { supported: f.sslv2.version === 0x0002, decided: true, kinds, cert: f.sslv2.certificate };
  }
  return { supported: false, decided: refusalDecides(f), kinds: [], cert: null };
}

/**
 * Empty key_share: a server that supports an offered group must answer with a HelloRetryRequest
 * naming it; then the same without that group, until it refuses. When the enumeration's first
 * hello (every group offered, an x25519 share it could not use) already drew a HelloRetryRequest,
 * the server chose among the same groups with no usable share, as here: its group is the first.
 */
export async function tls13Groups(ctx: Ctx, suites: number[], after: number, first?: FlightResult): Promise<number[]> {
  const r: number[] = [];
  const remaining = [...TLS13_GROUPS];
  const hrr = first?.serverHello?.isHelloRetryRequest ? first.serverHello.keyShareGroup : null;
  if (hrr !== null && hrr !== undefined && remaining.includes(hrr)) {
    r.push(hrr);
    remaining.splice(remaining.indexOf(hrr), 1);
  }
  let level = after;
  while (remaining.length) {
    const hello = buildClientHello({
      version: 0x0304,
      suites,
      serverName: ctx.opts.serverName,
      supportedVersions: [0x0304],
      keyShares: [],
      groups: remaining,
    });
    const f = await exchange(ctx, hello, {
      purpose: 'groups',
      version: 'TLSv1.3',
      offered: remaining.length,
      after: level++,
      priority: PRIO.chain,
    });
    const g = f.serverHello?.keyShareGroup;
    if (g === null || g === undefined || f.serverHello?.version !== 0x0304) break;
    const idx = remaining.indexOf(g);
    if (idx < 0) {
      ctx.errors.push(`TLSv1.3: server selected group ${groupName(g)}, which was not offered`);
      break;
    }
    r.push(g);
    remaining.splice(idx, 1);
  }
  return r;
}

/** Every ECDHE candidate, one curve less each time: the server's curves in its order. */
export async function legacyCurves(ctx: Ctx, label: ProtocolName, ecdheSuites: number[], after: number): Promise<number[]> {
  const version = PROTOCOL_VERSIONS[label];
  const remaining = LEGACY_GROUPS.filter((g) => groupByCodeInfo(g)?.kind !== 'ffdhe');
  const r: number[] = [];
  let level = after;
  while (remaining.length) {
    const f = await exchange(ctx, legacyHello(version, ecdheSuites, ctx.opts.serverName, { groups: remaining }), {
      purpose: 'curves',
      version: label,
      offered: remaining.length,
      after: level++,
      priority: PRIO.side,
    });
    const c = f.serverKeyExchange?.namedCurve;
    if (c === undefined) break;
    const idx = remaining.indexOf(c);
    if (idx < 0) {
      ctx.errors.push(`${label}: server used curve ${groupName(c)}, which was not offered`);
      break;
    }
    r.push(c);
    remaining.splice(idx, 1);
  }
  return r;
}

export type FallbackScsv = 'protected' | 'not-protected' | 'n/a';

/** RFC 7507: a hello at the second-highest version with TLS_FALLBACK_SCSV must be refused. */
export async function fallbackTest(ctx: Ctx, lower: ProtocolName, after: number): Promise<FallbackScsv | null> {
  const version = PROTOCOL_VERSIONS[lower];
  const list = legacyCandidates(lower);
  const f = await exchange(ctx, legacyHello(version, list, ctx.opts.serverName, { fallbackScsv: true }), {
    purpose: 'fallback-scsv',
    version: lower,
    offered: list.length + 1,
    after,
    priority: PRIO.side,
  });
  if (f.alert?.name === 'inappropriate_fallback') return 'protected';
  if (f.serverHello && f.serverHello.version === version) return 'not-protected';
  ctx.errors.push(`fallback SCSV test inconclusive: ${describe(f)}`);
  return null;
}

const COMPRESSION_NAMES: Record<number, string> = { 0: 'none', 1: 'DEFLATE', 64: 'LZS' };

/** Offers DEFLATE and LZS before null compression at the highest TLS ≤ 1.2 version. */
export async function compressionTest(ctx: Ctx, top: ProtocolName, after: number): Promise<string | null> {
  const list = legacyCandidates(top);
  const f = await exchange(ctx, legacyHello(PROTOCOL_VERSIONS[top], list, ctx.opts.serverName, { compression: [1, 64, 0] }), {
    purpose: 'compression',
    version: top,
    offered: list.length,
    after,
    priority: PRIO.side,
  });
  if (f.serverHello) return COMPRESSION_NAMES[f.serverHello.compression] ?? `method_${f.serverHello.compression}`;
  ctx.errors.push(`compression test inconclusive: ${describe(f)}`);
  return null;
}

/** The chain of a TLS 1.3-only server is encrypted: let node:tls complete a handshake to see it. */
export async function chainViaNodeTls(ctx: Ctx, after: number): Promise<Buffer[]> {
  let t;
  try {
    t = await ctx.pool.acquire(PRIO.critical);
  } catch (err) {
    ctx.errors.push(`certificate via node:tls: transport failed: ${(err as Error).message}`);
    return [];
  }
  const raw = t.socket;
  if (t.pending) raw.unshift(t.pending);
  ctx.handshakes++;
  ctx.depth = Math.max(ctx.depth, after + 1);
  let released = false;
  return new Promise<Buffer[]>((resolve) => {
    const sn = ctx.opts.serverName && !/^[0-9.]+$|:/.test(ctx.opts.serverName) ? ctx.opts.serverName : undefined;
    const s = tls.connect({ socket: raw, servername: sn, rejectUnauthorized: false, minVersion: 'TLSv1.2', ecdhCurve: CLIENT_GROUPS });
    const timer = setTimeout(() => done([], 'timeout'), ctx.opts.timeoutMs);
    function done(chain: Buffer[], err?: string) {
      clearTimeout(timer);
      if (err) ctx.errors.push(`certificate via node:tls: ${err}`);
      s.removeAllListeners('error');
      s.on('error', () => {});
      s.destroy();
      raw.destroy();
      if (!released) {
        released = true;
        ctx.pool.release();
      }
      resolve(chain);
    }
    s.once('secureConnect', () => {
      const chain: Buffer[] = [];
      let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
      const seen = new Set<string>();
      while (c && c.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(Buffer.from(c.raw));
        if (!c.issuerCertificate || c.issuerCertificate === c) break;
        c = c.issuerCertificate;
      }
      done(chain);
    });
    s.once('error', (e) => done([], e.message));
  });
}
