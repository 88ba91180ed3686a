// TLS depth after the inventory (issue 16): the vulnerability battery (src/tls/vuln) over the same
// transport as the inventory, the vulnerabilities read off the inventory (derived), whether the
// server asks for a client certificate, the stapled OCSP response, trust per store and — only with
// --check-revocation, since it contacts third parties — revocation and missing intermediates.
// Facts only: src/checks/tls/vulns.ts and src/checks/tls/depth.ts judge them.
import fs from 'node:fs';
import { completed, found, type Probe, type ProbeContext } from '../src/probe.js';
import type {
  EndpointReport,
  TlsClientAuth,
  TlsFacts,
  TlsOcsp,
  TlsRevocation,
  TlsTrust,
  TlsVulnResult,
  TlsVulnerabilities,
} from '../src/model.js';
import { helloWithAuthOpener, pipelinedTlsTransport, rttHintOf, type TlsInventory } from './tls.js';
import { helloSilenceMs } from '../src/tls/transport.js';
import {
  deriveVulns,
  runVulnBattery,
  type ActiveVulnResult,
  type DerivedInput,
  type DerivedVulnResult,
  type OtherEndpoint,
  type VulnBatteryResult,
} from '../src/tls/vuln/index.js';
import { detectClientAuth, type ClientAuthResult, type LoadedClientCredentials } from '../src/tls/client-auth.js';
import { assessStaple, checkRevocation, fetchStaple } from '../src/tls/ocsp.js';
import { analyzeTrust } from '../src/tls/trust.js';
import { pemToDer, publicKeyFingerprint } from '../src/tls/certs.js';
import { certificateNameKeys } from '../src/tls/der.js';
import type { OpenTransport } from '../src/tls/prober.js';

/** The fields of TlsFacts this probe writes. */
export type TlsDepth = Required<Pick<TlsFacts, 'vulnerabilities' | 'clientAuth' | 'ocsp' | 'revocation' | 'trust' | 'dhGroup'>>;

const LEGACY_VERSIONS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2'] as const;
const BASE_KEYS = new Set(['id', 'status', 'evidence', 'intrusive', 'derived', 'connections', 'ms', 'suites']);
/** at most this many transports of the battery at once (its own default), within --connections */
const BATTERY_CONNECTIONS = 4;

/** A test-specific observation as text: numbers, words, lists; never bytes. */
function factText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Buffer.isBuffer(v)) return `(${v.length} bytes, not kept)`;
  if (Array.isArray(v)) return v.map(factText).join('; ');
  if (typeof v === 'object')
    return Object.values(v as Record<string, unknown>)
      .map(factText)
      .join(' ');
  return String(v as string | number | boolean);
}

/** A battery or derived result as the report holds it: its verdict, evidence and own observations. */
export function vulnFact(r: ActiveVulnResult | DerivedVulnResult): TlsVulnResult {
  const facts = Object.entries(r)
    .filter(([k]) => !BASE_KEYS.has(k))
    .map(([label, v]) => ({ label, value: factText(v) }));
  return {
    id: r.id,
    status: r.status,
    evidence: [...r.evidence],
    intrusive: r.intrusive,
    derived: r.derived,
    connections: r.connections,
    ms: r.ms,
    ...(facts.length ? { facts } : {}),
    ...('suites' in r ? { suites: [...r.suites] } : {}),
  };
}

/** What the derived tests read: the inventory, the DH group the battery saw, the leaf's key. */
export function derivedInputOf(
  tls: Pick<TlsFacts, 'protocols' | 'cipherSuites' | 'compression' | 'dhBits' | 'certificate'> & {
    dhGroup?: TlsFacts['dhGroup'];
    publicKeySha256?: string | null;
  },
): DerivedInput {
  return {
    protocols: tls.protocols,
    cipherSuites: tls.cipherSuites,
    compression: tls.compression ?? null,
    dhBits: tls.dhBits ?? null,
    dhGroups: tls.dhGroup ? [tls.dhGroup] : null,
    certificateFingerprints: tls.certificate ? [tls.certificate.fingerprintSha256] : [],
    publicKeyFingerprints: tls.publicKeySha256 ? [tls.publicKeySha256] : [],
  };
}

function vulnerabilitiesOf(
  b: VulnBatteryResult,
  inv: TlsInventory,
  intrusive: boolean,
  publicKeySha256: string | null,
): TlsVulnerabilities {
  const derived = deriveVulns(derivedInputOf({ ...inv, dhGroup: b.handshake.dhGroup, publicKeySha256 }), []);
  return {
    intrusive,
    active: Object.values(b.results).map(vulnFact),
    derived: Object.values(derived).map(vulnFact),
    skipped: b.skipped.map((s) => ({ id: s.id, reason: s.reason })),
    connections: b.connections,
    limited: b.limited,
    ms: b.ms,
    publicKeySha256,
    comparedEndpoints: 0,
  };
}

function clientAuthFact(r: ClientAuthResult, given: LoadedClientCredentials | null | undefined): TlsClientAuth {
  return {
    status: r.status,
    requested: r.requested,
    acceptedCAs: r.acceptedCAs,
    certificateTypes: r.certificateTypes,
    withoutCertificate: r.withoutCertificate,
    withCertificate: r.withCertificate,
    clientCertificate: given
      ? {
          subject: given.leaf.subject,
          issuer: given.leaf.issuer,
          fingerprintSha256: given.leaf.fingerprintSha256,
          notAfter: given.leaf.notAfter,
        }
      : null,
    evidence: r.evidence,
    connections: r.connections,
    ms: r.ms,
  };
}

/** The leaf's issuer from the chain as sent, else from the given CA files (matched by name and key). */
function issuerOf(chainDer: Buffer[], storeCerts: Buffer[]): Buffer | null {
  if (chainDer[1]) return chainDer[1];
  const want = chainDer[0] ? certificateNameKeys(chainDer[0])?.issuer : undefined;
  return (want && storeCerts.find((c) => certificateNameKeys(c)?.subject === want)) || null;
}

interface Stores {
  stores: { name: string; pem: string }[];
  certs: Buffer[];
}

function readStores(ctx: ProbeContext): Stores {
  const files = ctx.options.caFiles ?? (ctx.options.caFile ? [ctx.options.caFile] : []);
  const stores = files.map((f) => ({ name: f, pem: fs.readFileSync(f, 'utf8') }));
  return { stores, certs: stores.flatMap((s) => pemToDer(s.pem)) };
}

/** The chain and staple: from the battery's hello, else one status_request handshake of our own. */
async function chainAndStaple(open: OpenTransport, ctx: ProbeContext, b: VulnBatteryResult, legacy: boolean) {
  if (b.handshake.chainDer.length)
    return { chainDer: b.handshake.chainDer, staple: b.handshake.stapledOcsp, protocol: b.handshake.version, connections: 0 };
  const f = await fetchStaple(open, { serverName: ctx.target.host, timeoutMs: ctx.options.timeoutMs, via: legacy ? 'auto' : 'tls13' });
  return { chainDer: f.chainDer, staple: f.ocspDer, protocol: f.protocol, connections: f.connections };
}

function ocspFact(staple: Buffer | null, chainDer: Buffer[], issuerDer: Buffer | null, protocol: string | null): TlsOcsp {
  const a = assessStaple(staple, chainDer, { issuerDer });
  return { requested: true, ...a, protocol };
}

async function trustAndRevocation(
  ctx: ProbeContext,
  chainDer: Buffer[],
  issuerDer: Buffer | null,
  stores: Stores,
  offeredSuites: string[],
): Promise<{ trust: TlsTrust | null; revocation: TlsRevocation | null }> {
  if (!chainDer.length) return { trust: null, revocation: null };
  const thirdParties = ctx.options.checkRevocation === true;
  const t = await analyzeTrust(chainDer, {
    stores: stores.stores,
    hostname: ctx.target.host,
    fetchMissing: thirdParties,
    fetchTimeoutMs: ctx.options.timeoutMs,
    offeredSuites,
  });
  const { chain, order, orderProblems, stores: verdicts, trustedBy, missingIssuers, storesWithFetched, usage, contacted, evidence } = t;
  const trust: TlsTrust = {
    chain,
    order,
    orderProblems,
    stores: verdicts,
    trustedBy,
    missingIssuers,
    storesWithFetched,
    usage: usage ? { ...usage, keyUsage: usage.keyUsage ? [...usage.keyUsage] : null } : null,
    contacted,
    evidence,
  };
  if (!thirdParties) return { trust, revocation: null };
  const r = await checkRevocation(chainDer, { timeoutMs: ctx.options.timeoutMs, issuerDer });
  return { trust, revocation: { ...r, contacted: [...r.contacted, ...contacted] } };
}

async function hasLegacy(inventory: Promise<TlsInventory | null>): Promise<boolean> {
  const inv = await inventory;
  return LEGACY_VERSIONS.some((v) => inv?.protocols[v]);
}

function note(ctx: ProbeContext, conn: string, text: string): void {
  ctx.transcript.note(conn, text, 'tls-vulns');
}

function batteryNote(b: VulnBatteryResult): string {
  const bad = Object.values(b.results).filter((r) => r.status === 'vulnerable');
  return `TLS vulnerability battery: ${b.connections} connections in ${b.ms} ms${b.limited ? ' (the server limited our connections)' : ''}; vulnerable: ${bad.map((r) => r.id).join(', ') || 'none'}${b.skipped.length ? `; skipped: ${b.skipped.map((s) => s.id).join(', ')}` : ''}`;
}

export const tlsVulnsProbe: Probe<TlsDepth | null, { 'tls-inventory': TlsInventory | null }> = {
  id: 'tls-vulns',
  description: 'TLS vulnerability battery, client certificates, OCSP stapling, trust (and revocation with --check-revocation)',
  services: ['ftps-explicit', 'ftps-implicit', 'tls-unknown'],
  section: 'tls',
  needs: ['tls-inventory'],
  connections: BATTERY_CONNECTIONS,
  async run(ctx, inputs) {
    const { detected, options } = ctx;
    // explicit FTPS whose AUTH was refused has no TLS (the inventory finds nothing either)
    if (detected.service === 'ftps-explicit' && !detected.ftp?.authTls && !detected.ftp?.authSsl) return completed(null);
    const inventory = inputs['tls-inventory'].then((a) => found(a) ?? null);
    const legacyInInventory = hasLegacy(inventory);
    const conn = ctx.transcript.conn('tls-vulns');
    const authCommand = detected.ftp?.authTls === false && detected.ftp?.authSsl ? 'AUTH SSL' : 'AUTH TLS';
    const open = pipelinedTlsTransport(ctx, detected.service === 'ftps-explicit', authCommand);
    const intrusive = options.intrusive !== false;
    const common = { serverName: ctx.target.host, timeoutMs: options.timeoutMs };
    // the battery starts beside the inventory, not after it: on a WAN that is a whole inventory's time
    let firstFlight!: (h: VulnBatteryResult['handshake']) => void;
    const flight = new Promise<VulnBatteryResult['handshake']>((resolve) => (firstFlight = resolve));
    const battery = runVulnBattery(open, {
      ...common,
      connections: Math.min(BATTERY_CONNECTIONS, options.connections),
      intrusive,
      inventoryLater: inventory,
      credentials: options.clientCert ?? null,
      onFirstFlight: firstFlight,
      openWithHello:
        detected.service === 'ftps-explicit' && authCommand === 'AUTH TLS' && detected.helloPipelining
          ? helloWithAuthOpener(ctx, helloSilenceMs(rttHintOf(detected), 'trusted'))
          : null,
    });
    // the client-certificate test starts as soon as hello A showed whether a certificate is requested
    const clientAuth = Promise.race([flight, battery.then((x) => x.handshake)]).then(async (h) => {
      // a TLS ≤ 1.2 flight seen decides "legacy"; without one, the inventory does
      const sawFlight = !!h.version && h.chainDer.length > 0;
      const legacy = sawFlight || (await legacyInInventory);
      return detectClientAuth(open, {
        ...common,
        credentials: options.clientCert ?? null,
        certificateRequest: sawFlight ? h.certificateRequest : undefined,
        legacy,
      });
    });
    const [b, ca] = await Promise.all([battery, clientAuth]);
    const inv = await inventory;
    if (!inv || !Object.values(inv.protocols).some(Boolean)) return completed(null);
    note(ctx, conn, batteryNote(b));
    const legacy = await legacyInInventory;
    note(ctx, conn, `client certificate: ${ca.status}; ${ca.evidence.join('; ')}`);
    const { chainDer, staple, protocol } = await chainAndStaple(open, ctx, b, legacy);
    const stores = readStores(ctx);
    const issuerDer = issuerOf(chainDer, stores.certs);
    const ocsp = chainDer.length ? ocspFact(staple, chainDer, issuerDer, protocol) : null;
    if (ocsp) note(ctx, conn, `OCSP stapling: ${ocsp.evidence.join('; ')}`);
    const offered = Object.values(inv.cipherSuites).flatMap((s) => s ?? []);
    const { trust, revocation } = await trustAndRevocation(ctx, chainDer, issuerDer, stores, offered);
    for (const url of [...(revocation?.contacted ?? [])]) note(ctx, conn, `--check-revocation: contacted ${url}`);
    const publicKeySha256 = chainDer[0] ? publicKeyFingerprint(chainDer[0]) : null;
    return completed({
      vulnerabilities: vulnerabilitiesOf(b, inv, intrusive, publicKeySha256),
      clientAuth: clientAuthFact(ca, options.clientCert),
      ocsp,
      revocation,
      trust,
      dhGroup: b.handshake.dhGroup,
    });
  },
};

// ---- DROWN across the endpoints of one scan ---------------------------------------------------

const label = (ep: EndpointReport) => `${ep.host}:${ep.port}`;

/**
 * DROWN needs the other endpoints of the scan: a server without SSLv2 is still exposed when its
 * key is served with SSLv2 elsewhere. After every endpoint is scanned, this recomputes each
 * endpoint's derived DROWN result against all the others (a pure function of their facts) and
 * returns the endpoints whose result changed, to be judged again.
 */
export function drownAcrossEndpoints(endpoints: EndpointReport[]): EndpointReport[] {
  const withVulns = endpoints.filter((ep) => ep.tls?.vulnerabilities);
  const inputs = new Map(
    withVulns.map((ep) => [ep, derivedInputOf({ ...ep.tls!, publicKeySha256: ep.tls!.vulnerabilities!.publicKeySha256 ?? null })]),
  );
  const changed: EndpointReport[] = [];
  for (const ep of withVulns) {
    const v = ep.tls!.vulnerabilities!;
    const others: OtherEndpoint[] = withVulns.filter((o) => o !== ep).map((o) => ({ label: label(o), facts: inputs.get(o)! }));
    const drown = vulnFact(deriveVulns(inputs.get(ep), others).drown);
    const i = v.derived.findIndex((r) => r.id === 'drown');
    if (i < 0) continue;
    if (JSON.stringify(v.derived[i]) !== JSON.stringify(drown) || v.comparedEndpoints !== others.length) {
      v.derived[i] = drown;
      v.comparedEndpoints = others.length;
      changed.push(ep);
    }
  }
  return changed;
}
