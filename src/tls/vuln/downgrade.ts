// TLS 1.3 downgrade protection (RFC 8446 §4.1.3). A server that can speak TLS 1.3 but negotiates
// TLS 1.2 MUST end ServerHello.random with DOWNGRD\x01, and with DOWNGRD\x00 when it negotiates
// TLS 1.1 or below (TLS 1.2 servers SHOULD do the latter too). A TLS 1.3 client that sees the
// sentinel aborts, so an attacker who strips supported_versions cannot force an old version.
// Hello level: one TLS 1.3 hello (skipped when the inventory already says), one TLS 1.2 hello
// (the battery reuses the Heartbleed flight) and one TLS 1.1 hello (skipped when the inventory
// says no TLS ≤ 1.1): 1-3 connections.
import type { OpenTransport } from '../prober.js';
import { buildClientHello, makeKeyShare, TLS13_GROUPS } from '../hello.js';
import { tls13Suites } from '../../knowledge/tls-registry.js';
import { dialerOf, flightSummary, legacyHello, versionName, withFlight, type ActiveOptions, type Dialer, type FlightRead } from './conn.js';
import type { VulnResultBase } from './types.js';

export const DOWNGRADE_TLS12 = Buffer.from('444f574e47524401', 'hex');
export const DOWNGRADE_TLS11 = Buffer.from('444f574e47524400', 'hex');

export type Sentinel = 'DOWNGRD\\x01' | 'DOWNGRD\\x00' | 'none';

export interface DowngradeResult extends VulnResultBase {
  id: 'downgrade-sentinel';
  tls13: boolean | null;
  /** sentinel seen when TLS 1.2 was negotiated; null when not tried or not negotiated */
  tls12Sentinel: Sentinel | null;
  /** sentinel seen when TLS 1.1 or lower was negotiated */
  tls11Sentinel: Sentinel | null;
  /** the version negotiated by the ≤ 1.1 hello */
  lowVersion: string | null;
  anomalies: string[];
}

export function sentinelOf(random: Buffer): Sentinel {
  const tail = random.subarray(24, 32);
  if (tail.equals(DOWNGRADE_TLS12)) return 'DOWNGRD\\x01';
  if (tail.equals(DOWNGRADE_TLS11)) return 'DOWNGRD\\x00';
  return 'none';
}

function tls13Hello(serverName: string | undefined): Buffer {
  const share = makeKeyShare(29);
  return buildClientHello({
    version: 0x0304,
    suites: tls13Suites().map((s) => s.code),
    serverName,
    supportedVersions: [0x0304],
    keyShares: share ? [share] : [],
    groups: TLS13_GROUPS,
  });
}

export interface DowngradeOptions extends ActiveOptions {
  /** from the inventory: does the server speak TLS 1.3 (null/undefined: ask it) */
  tls13?: boolean | null;
  /** from the inventory: does it speak TLS 1.1 or 1.0 (false skips the ≤ 1.1 hello) */
  legacyBelow12?: boolean | null;
  /** a TLS 1.2 hello's first flight already read (the battery's Heartbleed connection) */
  tls12Flight?: FlightRead | null;
}

async function flight(dialer: Dialer, hello: Buffer, o: DowngradeOptions): Promise<FlightRead | string> {
  const r = await withFlight(dialer, 'downgrade-sentinel', hello, o.timeoutMs ?? 8000, async (_c, fr) => fr);
  return r.ok ? r.value : r.error;
}

export async function testDowngradeSentinel(open: OpenTransport, o: DowngradeOptions = {}): Promise<DowngradeResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const out: DowngradeResult = {
    id: 'downgrade-sentinel',
    status: 'inconclusive',
    evidence: [],
    intrusive: false,
    derived: false,
    connections: 0,
    ms: 0,
    tls13: o.tls13 ?? null,
    tls12Sentinel: null,
    tls11Sentinel: null,
    lowVersion: null,
    anomalies: [],
  };
  const [f13, f12, f11] = await Promise.all([
    out.tls13 === null ? flight(dialer, tls13Hello(o.serverName), o) : Promise.resolve(null),
    o.tls12Flight ? Promise.resolve(o.tls12Flight) : flight(dialer, legacyHello(0x0303, o.serverName), o),
    o.legacyBelow12 === false ? Promise.resolve(null) : flight(dialer, legacyHello(0x0302, o.serverName), o),
  ]);
  const errors = [f13, f12, f11].filter((x): x is string => typeof x === 'string');
  if (f13 && typeof f13 !== 'string') {
    out.tls13 = f13.flight.serverHello?.version === 0x0304;
    out.evidence.push(`TLS 1.3 hello: ${flightSummary(f13.flight)}`);
  } else if (o.tls13 !== undefined && o.tls13 !== null) out.evidence.push(`TLS 1.3 ${o.tls13 ? 'offered' : 'not offered'} (inventory)`);
  const sh12 = f12 && typeof f12 !== 'string' ? f12.flight.serverHello : null;
  if (sh12 && sh12.version === 0x0303) {
    out.tls12Sentinel = sentinelOf(sh12.random);
    out.evidence.push(
      `TLS 1.2 hello → TLSv1.2, ServerHello.random ends with ${out.tls12Sentinel === 'none' ? 'no sentinel' : out.tls12Sentinel}`,
    );
  } else if (f12 && typeof f12 !== 'string') out.evidence.push(`TLS 1.2 hello: ${flightSummary(f12.flight)}`);
  const sh11 = f11 && typeof f11 !== 'string' ? f11.flight.serverHello : null;
  if (sh11 && sh11.version <= 0x0302) {
    out.lowVersion = versionName(sh11.version);
    out.tls11Sentinel = sentinelOf(sh11.random);
    out.evidence.push(
      `TLS 1.1 hello → ${out.lowVersion}, ServerHello.random ends with ${out.tls11Sentinel === 'none' ? 'no sentinel' : out.tls11Sentinel}`,
    );
  } else if (f11 && typeof f11 !== 'string') out.evidence.push(`TLS 1.1 hello: ${flightSummary(f11.flight)}`);
  else if (o.legacyBelow12 === false) out.evidence.push('no TLS 1.1 or 1.0 (inventory)');
  out.evidence.push(...errors);

  if (out.tls12Sentinel === 'DOWNGRD\\x00')
    out.anomalies.push('DOWNGRD\\x00 in a TLS 1.2 ServerHello (reserved for TLS ≤ 1.1): TLS 1.3 clients abort');
  if (out.tls11Sentinel === 'DOWNGRD\\x01') out.anomalies.push('DOWNGRD\\x01 in a TLS ≤ 1.1 ServerHello (reserved for TLS 1.2)');
  out.evidence.push(...out.anomalies);
  const done = (status: DowngradeResult['status'], why: string) => {
    out.status = status;
    out.evidence.push(why);
    out.connections = dialer.count('downgrade-sentinel');
    out.ms = Math.round(performance.now() - t0);
    return out;
  };
  if (out.tls13 === null) return done('inconclusive', 'could not tell whether the server speaks TLS 1.3');
  const below = [out.tls12Sentinel, out.tls11Sentinel].filter((s) => s !== null);
  if (!out.tls13) {
    if (out.tls11Sentinel === 'none') out.anomalies.push('a TLS 1.2 server SHOULD also set DOWNGRD\\x00 when negotiating TLS ≤ 1.1');
    return done('not-applicable', 'the server does not speak TLS 1.3: the sentinel is a TLS 1.3 server duty');
  }
  if (below.length === 0) {
    if (errors.length) return done('inconclusive', 'a lower-version hello failed');
    return done('not-applicable', 'TLS 1.3 only: no lower version to downgrade to');
  }
  const missing = (out.tls12Sentinel === 'none' ? ['TLS 1.2'] : []).concat(
    out.tls11Sentinel === 'none' ? [out.lowVersion ?? 'TLS ≤ 1.1'] : [],
  );
  if (missing.length)
    return done(
      'vulnerable',
      `TLS 1.3 server without the downgrade sentinel at ${missing.join(' and ')}: a downgrade would go unnoticed by TLS 1.3 clients`,
    );
  return done('not-vulnerable', 'the TLS 1.3 server marks every lower version it negotiates with the sentinel');
}
