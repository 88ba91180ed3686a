// The vulnerability battery for one TLS endpoint: every active test over one dialer (one
// connection cap, one count), sharing connections where a test can ride on another's:
//
//   hello A (1)      TLS ≤ 1.2 hello with heartbeat + status_request: RFC 5746, the TLS 1.2
//                    downgrade sentinel, the stapled OCSP response, a CertificateRequest, the DHE
//                    prime; then (intrusive) the Heartbleed heartbeat on the same connection
//   CCS (1)          intrusive
//   ROBOT (1/10/15)  intrusive; no connection when the inventory has no RSA key exchange
//   full TLS 1.2 handshake (1)  session ticket and OCSP, then the client-initiated renegotiation
//   Ticketbleed (0-1)  only when a ticket was issued
//   downgrade (0-2)  TLS 1.3 hello when the inventory does not say; TLS 1.1 hello unless the
//                    inventory says there is no TLS ≤ 1.1
//   DH prime (0-1)   a DHE-only hello when DHE is offered, hello A chose another key exchange and
//                    the inventory does not already show a prime over 1024 bits
//
// With an inventory, a server without findings costs 14 connections (4 with --no-intrusive: hello
// A, the full handshake, Ticketbleed; fewer without RSA key exchange or tickets); a TLS 1.3-only
// server costs none. Tests run concurrently under the cap; ROBOT starts first (longest chain).
// With the inventory still being taken (`inventoryLater`), hello A goes first at TLS 1.2: the
// server answers with its highest TLS ≤ 1.2, the other tests start at that version, and only the
// tests the inventory saves connections for (downgrade, DH prime) wait for it — on a WAN the
// battery no longer waits a whole inventory before its first connection.
import type { OpenTransport } from '../prober.js';
import { EXT, HEARTBEAT_PEER_ALLOWED, STATUS_REQUEST_OCSP, type CertificateRequestInfo } from '../hello.js';
import { suiteByName } from '../../knowledge/tls-registry.js';
import { pemToDer } from '../certs.js';
import type { ClientCredentials } from '../handshake.js';
import { Dialer, helloSuites, legacyHello, reactionWindow, versionName, withFlight, type FlightRead, type OpenWithHello } from './conn.js';
import { testCcsInjection, type CcsInjectionResult } from './ccs.js';
import { identifyDhPrime, type DhGroupFact } from './dh-primes.js';
import { testDowngradeSentinel, type DowngradeResult } from './downgrade.js';
import { heartbeatStep, type HeartbleedResult } from './heartbleed.js';
import {
  CERT_ALERTS,
  clientRenegotiationVerdict,
  clientRenegotiationWith,
  secureRenegotiationFromFlight,
  type ClientRenegotiationResult,
  type SecureRenegotiationResult,
} from './renegotiation.js';
import { testRobot, type RobotResult } from './robot.js';
import { ticketbleedVerdict, ticketbleedWith, type TicketbleedResult } from './ticketbleed.js';
import { VULN_TESTS, type ActiveVulnId } from './types.js';

export * from './types.js';
export { deriveVulns, type DerivedInput, type DerivedVulnResult, type OtherEndpoint } from './derived.js';
export { identifyDhPrime, KNOWN_DH_PRIMES, type DhGroupFact } from './dh-primes.js';
export { testHeartbleed, type HeartbleedResult } from './heartbleed.js';
export { testCcsInjection, type CcsInjectionResult } from './ccs.js';
export { testRobot, ROBOT_VARIANTS, type RobotResult, type RobotVariant } from './robot.js';
export {
  testSecureRenegotiation,
  testClientRenegotiation,
  type SecureRenegotiationResult,
  type ClientRenegotiationResult,
} from './renegotiation.js';
export { testTicketbleed, type TicketbleedResult } from './ticketbleed.js';
export { testDowngradeSentinel, type DowngradeResult } from './downgrade.js';
export { Dialer, type ActiveOptions } from './conn.js';
import type { ActiveOptions } from './conn.js';

export type ActiveVulnResult =
  | HeartbleedResult
  | CcsInjectionResult
  | RobotResult
  | SecureRenegotiationResult
  | ClientRenegotiationResult
  | TicketbleedResult
  | DowngradeResult;

/** true if any is true, false if all are false, else null (something undecided). */
function anyOf(values: (boolean | null | undefined)[]): boolean | null {
  if (values.some((v) => v === true)) return true;
  return values.every((v) => v === false) ? false : null;
}

/** What the battery reads of the hello-level inventory (TlsFacts). */
export interface BatteryInventory {
  protocols: Protocols;
  cipherSuites?: Record<string, string[] | undefined>;
  dhBits?: number | null;
}

type Protocols = Partial<Record<'SSLv2' | 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', boolean | null>>;

export interface VulnBatteryOptions {
  serverName?: string;
  /** per step (open + hello + reply); default 8000 */
  timeoutMs?: number;
  /** transports open at once; default 4 */
  connections?: number;
  /** false skips the tests that send malformed records or padding (Heartbleed, CCS, ROBOT) */
  intrusive?: boolean;
  /** run only these tests */
  only?: ActiveVulnId[];
  /** the hello-level inventory (TlsFacts), to pick versions and skip tests that cannot apply */
  inventory?: BatteryInventory | null;
  /**
   * the inventory while it is still being taken (used when `inventory` is not given): the battery
   * starts at once and waits for it only where it must (see the header)
   */
  inventoryLater?: Promise<BatteryInventory | null>;
  /**
   * our client certificate and key (client-auth loadClientCredentials) for servers that require
   * one: the full handshake uses them, ROBOT sends the chain
   */
  credentials?: (ClientCredentials & { chain?: Buffer[] }) | null;
  /** fetch the DHE prime with a DHE-only hello when hello A did not negotiate DHE (default true) */
  dhPrime?: boolean;
  /** run an inconclusive test once more, alone (default true) */
  retryInconclusive?: boolean;
  /**
   * told once, as soon as hello A's flight was read (or could not be): what it showed, so a caller
   * can start what depends on it (the client-certificate test) while the battery goes on
   */
  onFirstFlight?: (h: Readonly<VulnBatteryResult['handshake']>) => void;
  /** opens a connection carrying a test's hello with the preamble (a server known to read it) */
  openWithHello?: OpenWithHello | null;
}

export interface VulnBatteryResult {
  results: Partial<Record<ActiveVulnId, ActiveVulnResult>>;
  /** tests not run, and why (--no-intrusive, `only`) */
  skipped: { id: ActiveVulnId; reason: string }[];
  /** by-products of hello A, for the report (stapling, client certificates, DH) */
  handshake: {
    version: string | null;
    certificateRequest: CertificateRequestInfo | null;
    /** the stapled OCSPResponse (DER) of a TLS ≤ 1.2 handshake, or from the full handshake */
    stapledOcsp: Buffer | null;
    dhGroup: DhGroupFact | null;
    sessionTicketIssued: boolean | null;
    /** the certificates as sent in hello A's flight (else the full handshake's), leaf first */
    chainDer: Buffer[];
  };
  connections: number;
  /** the server refused connections (FTP 421) and we backed off */
  limited: boolean;
  ms: number;
}

const LEGACY_ORDER: [keyof Protocols, number][] = [
  ['TLSv1.2', 0x0303],
  ['TLSv1.1', 0x0302],
  ['TLSv1.0', 0x0301],
  ['SSLv3', 0x0300],
];

function notApplicable(id: ActiveVulnId, why: string): ActiveVulnResult {
  const base = {
    status: 'not-applicable' as const,
    evidence: [why],
    intrusive: VULN_TESTS[id].intrusive,
    derived: false,
    connections: 0,
    ms: 0,
  };
  switch (id) {
    case 'heartbleed':
      return {
        ...base,
        id,
        heartbeatExtension: null,
        payloadSent: 16,
        payloadClaimed: 64,
        responseLength: null,
        responseClaimed: null,
        version: null,
      };
    case 'ccs-injection':
      return { ...base, id, reaction: null, version: null };
    case 'robot':
      return { ...base, id, reactions: [], oracle: null, flow: null, suite: null, version: null, keyBits: null };
    case 'secure-renegotiation':
      return { ...base, id, rfc5746: null, version: null };
    case 'client-renegotiation':
      return { ...base, id, outcome: null, insecure: null, refusal: null, protocol: null };
    case 'ticketbleed':
      return { ...base, id, ticketIssued: null, sessionIdSent: 31, sessionIdEchoed: null, resumed: null };
    case 'downgrade-sentinel':
      return { ...base, id, tls13: null, tls12Sentinel: null, tls11Sentinel: null, lowVersion: null, anomalies: [] };
  }
}

interface BatteryCtx {
  open: OpenTransport;
  o: VulnBatteryOptions;
  out: VulnBatteryResult;
  run: Set<ActiveVulnId>;
  dialer: Dialer;
  timeoutMs: number;
  version: number;
  common: { serverName?: string; timeoutMs: number; dialer: Dialer };
}

type HelloA = {
  r: { ok: true; value: { fr: FlightRead; hb: Awaited<ReturnType<typeof heartbeatStep>> | null } } | { ok: false; error: string };
  ms: number;
} | null;

const ALL_ACTIVE: ActiveVulnId[] = [
  'heartbleed',
  'ccs-injection',
  'robot',
  'secure-renegotiation',
  'client-renegotiation',
  'ticketbleed',
  'downgrade-sentinel',
];

/** The tests to run; the others go to `skipped` with the reason. */
function selectTests(o: VulnBatteryOptions, out: VulnBatteryResult): Set<ActiveVulnId> {
  const intrusive = o.intrusive ?? true;
  return new Set(
    ALL_ACTIVE.filter((id) => {
      if (o.only && !o.only.includes(id)) out.skipped.push({ id, reason: 'not selected' });
      else if (!intrusive && VULN_TESTS[id].intrusive)
        out.skipped.push({ id, reason: 'intrusive (sends malformed records or padding); skipped by --no-intrusive' });
      else return true;
      return false;
    }),
  );
}

/** A TLS ≤ 1.2 version the inventory could not decide (null: no answer decided it; absent: not tested). */
function legacyUndecided(inv: BatteryInventory): boolean {
  return LEGACY_ORDER.some(([l]) => (inv.protocols[l] ?? null) === null);
}

/**
 * Does the inventory offer a TLS ≤ 1.2 suite of this kind? null without an inventory, or when it
 * shows none but a TLS ≤ 1.2 version was left undecided (its suites are unknown).
 */
function offered(inv: VulnBatteryOptions['inventory'], pred: (s: NonNullable<ReturnType<typeof suiteByName>>) => boolean): boolean | null {
  if (!inv?.cipherSuites) return null;
  const seen = Object.entries(inv.cipherSuites).some(
    ([v, names]) =>
      v !== 'TLSv1.3' &&
      v !== 'SSLv2' &&
      names?.some((n) => {
        const s = suiteByName(n);
        return !!s && pred(s);
      }),
  );
  return seen || (legacyUndecided(inv) ? null : false);
}

/** Hello A: the shared first flight, then Heartbleed's heartbeat on the same connection. */
async function helloAJob(c: BatteryCtx): Promise<HelloA> {
  if (!c.run.has('heartbleed') && !c.run.has('secure-renegotiation') && !c.run.has('downgrade-sentinel')) return null;
  const t = performance.now();
  const hello = legacyHello(c.version, c.o.serverName, {
    renegotiation: 'both',
    extraExtensions: [
      { type: EXT.status_request, data: STATUS_REQUEST_OCSP },
      { type: EXT.heartbeat, data: HEARTBEAT_PEER_ALLOWED },
    ],
  });
  const r = await withFlight(c.dialer, 'hello', hello, c.timeoutMs, async (conn, fr) => {
    const sh = fr.flight.serverHello;
    let hb: Awaited<ReturnType<typeof heartbeatStep>> | null = null;
    if (c.run.has('heartbleed') && sh && sh.version < 0x0304 && fr.flight.serverHelloDone)
      hb = await heartbeatStep(conn, sh.version, reactionWindow(fr.ms, c.timeoutMs));
    return { fr, hb };
  });
  return { r, ms: Math.round(performance.now() - t) };
}

/** Writes hello A's facts and verdicts into the result; returns RFC 5746 support. */
function applyHelloA(c: BatteryCtx, a: HelloA): { fr: FlightRead | null; rfc5746: boolean | null } {
  const { out, run } = c;
  const fr: FlightRead | null = a?.r.ok ? a.r.value.fr : null;
  const aError = a && !a.r.ok ? a.r.error : null;
  if (fr) {
    const f = fr.flight;
    out.handshake.version = f.serverHello ? versionName(f.serverHello.version) : null;
    out.handshake.certificateRequest = f.certificateRequest ?? null;
    out.handshake.stapledOcsp = f.certificateStatus ?? null;
    if (f.certificates?.length) out.handshake.chainDer = f.certificates;
    if (f.dhPrime) out.handshake.dhGroup = identifyDhPrime(f.dhPrime);
  }
  c.o.onFirstFlight?.({ ...out.handshake });
  if (run.has('heartbleed')) out.results.heartbleed = heartbleedFrom(a, fr, aError);
  if (!run.has('secure-renegotiation') && !run.has('client-renegotiation')) return { fr, rfc5746: null };
  const sr: SecureRenegotiationResult = fr
    ? { ...secureRenegotiationFromFlight(fr), connections: c.dialer.count('hello'), ms: a!.ms }
    : {
        ...(notApplicable('secure-renegotiation', '') as SecureRenegotiationResult),
        status: 'inconclusive',
        evidence: [aError ?? 'no hello'],
      };
  if (run.has('secure-renegotiation')) out.results['secure-renegotiation'] = sr;
  return { fr, rfc5746: sr.rfc5746 };
}

/** The full TLS 1.2 handshake's verdicts: client-initiated renegotiation, then Ticketbleed with its ticket. */
async function fullHandshakeJob(
  c: BatteryCtx,
  full: ReturnType<typeof clientRenegotiationWith>,
  rfc5746: Promise<boolean | null>,
): Promise<void> {
  const { out, run, dialer } = c;
  const t = performance.now();
  const f = await full;
  if (f.hs?.ocspResponse && !out.handshake.stapledOcsp) out.handshake.stapledOcsp = f.hs.ocspResponse;
  if (f.hs?.peerChain.length && !out.handshake.chainDer.length) out.handshake.chainDer = f.hs.peerChain;
  out.handshake.sessionTicketIssued = f.hs?.ok ? !!f.hs.ticket?.length : null;
  if (run.has('client-renegotiation')) {
    const base = {
      id: 'client-renegotiation' as const,
      intrusive: false,
      derived: false,
      connections: dialer.count('full-handshake'),
      ms: f.hs?.ms ?? 0,
    };
    out.results['client-renegotiation'] = f.hs
      ? { ...base, ...clientRenegotiationVerdict(f.hs, f.reneg, await rfc5746) }
      : {
          ...(notApplicable('client-renegotiation', '') as ClientRenegotiationResult),
          status: 'inconclusive',
          evidence: [f.error ?? 'no transport'],
        };
  }
  if (run.has('ticketbleed')) out.results.ticketbleed = await ticketbleedFrom(dialer, f, c.o, t);
}

/**
 * Runs the battery against one endpoint. `open` must return a socket ready for a ClientHello.
 * A test that came out inconclusive (a reply lost or late, reactions that changed: often a busy
 * server) while others were decided is run once more, alone and one connection at a time, so a
 * busy server gives the same verdicts from run to run; the evidence says it was asked twice.
 */
export async function runVulnBattery(open: OpenTransport, o: VulnBatteryOptions = {}): Promise<VulnBatteryResult> {
  const first = await runBatteryOnce(open, o);
  const results = Object.values(first.results) as ActiveVulnResult[];
  const again = results.filter((r) => r.status === 'inconclusive').map((r) => r.id as ActiveVulnId);
  // a server that answered none of the tests is not busy but silent or broken: asking again only costs time
  const someDecided = results.some((r) => r.status === 'vulnerable' || r.status === 'not-vulnerable');
  if (again.length === 0 || !someDecided || o.retryInconclusive === false) return first;
  // the first pass already told its first flight (onFirstFlight is said once)
  const second = await runBatteryOnce(open, { ...o, only: again, connections: 1, dhPrime: false, onFirstFlight: undefined });
  for (const id of again) {
    const was = first.results[id]!;
    const now = second.results[id];
    if (!now) continue;
    const last = was.evidence.at(-1) ?? 'no evidence';
    const why = `a first attempt was inconclusive (${last.length > 160 ? `${last.slice(0, 159)}…` : last}); asked again, alone`;
    Object.assign(now, { evidence: [why, ...now.evidence], connections: was.connections + now.connections, ms: was.ms + now.ms });
    (first.results as Record<ActiveVulnId, ActiveVulnResult>)[id] = now;
  }
  first.connections += second.connections;
  first.limited ||= second.limited;
  first.ms += second.ms;
  return first;
}

/** The highest TLS ≤ 1.2 version the inventory shows (TLS 1.2 when it left one undecided or there is none); null: TLS 1.3 only. */
function legacyOf(inv: BatteryInventory | null): [keyof Protocols, number] | null {
  if (!inv) return LEGACY_ORDER[0]!;
  return LEGACY_ORDER.find(([l]) => inv.protocols[l]) ?? (legacyUndecided(inv) ? LEGACY_ORDER[0]! : null);
}

/**
 * The version the battery speaks, and hello A. From the inventory when it is given; else hello A
 * goes out at TLS 1.2 and the version its ServerHello names is the server's highest TLS ≤ 1.2.
 * Only when that hello decides nothing (refused, intolerant, not run) does this wait for the
 * inventory. null: TLS 1.3 only.
 */
async function versionAndHelloA(
  c: Omit<BatteryCtx, 'version'>,
  inv: BatteryInventory | null,
  later: Promise<BatteryInventory | null> | null,
): Promise<{ version: number; helloA: Promise<HelloA> } | null> {
  if (!later) {
    const legacy = legacyOf(inv);
    return legacy && { version: legacy[1], helloA: helloAJob({ ...c, version: legacy[1] }) };
  }
  const first = await helloAJob({ ...c, version: 0x0303 });
  const v = first?.r.ok ? first.r.value.fr.flight.serverHello?.version : undefined;
  if (v !== undefined && v >= 0x0300 && v <= 0x0303) return { version: v, helloA: Promise.resolve(first) };
  const legacy = legacyOf(await later);
  if (!legacy) return null;
  return { version: legacy[1], helloA: legacy[1] === 0x0303 ? Promise.resolve(first) : helloAJob({ ...c, version: legacy[1] }) };
}

async function runBatteryOnce(open: OpenTransport, o: VulnBatteryOptions): Promise<VulnBatteryResult> {
  const t0 = performance.now();
  const timeoutMs = o.timeoutMs ?? 8000;
  const dialer = new Dialer(open, Math.max(1, o.connections ?? 4), undefined, undefined, o.openWithHello ?? null);
  const inv = o.inventory ?? null;
  const later = inv || !o.inventoryLater ? null : o.inventoryLater;
  /** the inventory where a test can wait for it (it saves connections there) */
  const invWhenKnown = async () => inv ?? (later ? await later : null);
  const out: VulnBatteryResult = {
    results: {},
    skipped: [],
    handshake: { version: null, certificateRequest: null, stapledOcsp: null, dhGroup: null, sessionTicketIssued: null, chainDer: [] },
    connections: 0,
    limited: false,
    ms: 0,
  };
  const run = selectTests(o, out);
  const finish = () => {
    out.connections = dialer.total;
    out.limited = dialer.limited;
    out.ms = Math.round(performance.now() - t0);
    return out;
  };
  const base = { open, o, out, run, dialer, timeoutMs, common: { serverName: o.serverName, timeoutMs, dialer } };
  const start = await versionAndHelloA(base, inv, later);
  if (!start) {
    for (const id of run) out.results[id] = notApplicable(id, 'the inventory shows no TLS ≤ 1.2 (TLS 1.3 only)');
    return finish();
  }
  const { version, helloA } = start;
  const common = base.common;
  const c: BatteryCtx = { ...base, version };

  const rsaOffered = offered(inv, (s) => s.kex === 'RSA' && !s.export);
  const jobs: Promise<void>[] = [];
  // ROBOT first: it has the longest chain of connections
  if (run.has('robot'))
    jobs.push(
      rsaOffered === false
        ? Promise.resolve(void (out.results.robot = notApplicable('robot', 'the inventory shows no RSA key exchange suite')))
        : testRobot(open, { ...common, version, rsaKnown: rsaOffered === true, clientChain: clientChainOf(o.credentials) }).then(
            (r) => void (out.results.robot = r),
          ),
    );
  const applied = helloA.then((a) => applyHelloA(c, a));
  if (run.has('client-renegotiation') || run.has('ticketbleed'))
    jobs.push(
      fullHandshakeJob(
        c,
        clientRenegotiationWith(dialer, { ...common, credentials: o.credentials }, 'full-handshake'),
        applied.then((x) => x.rfc5746),
      ),
    );
  if (run.has('ccs-injection'))
    jobs.push(testCcsInjection(open, { ...common, version }).then((r) => void (out.results['ccs-injection'] = r)));
  // the DHE prime when hello A chose another kex: LOGJAM's common-prime question, which only
  // matters for primes of 1024 bits or less (skipped when the inventory saw a larger one)
  if (o.dhPrime !== false)
    jobs.push(
      applied.then(async ({ fr }) => {
        if (fr?.flight.dhPrime) return;
        const known = await invWhenKnown();
        const dhBits = known?.dhBits;
        if (offered(known, (s) => s.kex === 'DHE' || s.kex === 'DHE_PSK') === false || (typeof dhBits === 'number' && dhBits > 1024))
          return;
        const g = await fetchDhGroup(open, { ...common, version });
        if (g) out.handshake.dhGroup = g;
      }),
    );
  if (run.has('downgrade-sentinel'))
    jobs.push(
      applied.then(async ({ fr }) => {
        const known = await invWhenKnown();
        out.results['downgrade-sentinel'] = await testDowngradeSentinel(open, {
          ...common,
          // null (undecided in the inventory) makes the test ask the server itself
          tls13: known ? (known.protocols['TLSv1.3'] ?? null) : null,
          legacyBelow12: known ? anyOf([known.protocols['TLSv1.1'], known.protocols['TLSv1.0'], known.protocols.SSLv3]) : null,
          tls12Flight: fr && fr.flight.serverHello?.version === 0x0303 ? fr : null,
        });
      }),
    );
  await Promise.all([applied, ...jobs]);
  return finish();
}

function clientChainOf(c: VulnBatteryOptions['credentials']): Buffer[] | undefined {
  if (!c) return undefined;
  if (c.chain) return c.chain;
  return pemToDer(Buffer.isBuffer(c.cert) ? c.cert.toString('latin1') : c.cert);
}

/**
 * The DH group of a DHE handshake: one hello offering only finite-field DHE suites (1 connection).
 * Null when the server accepts none or the transport fails.
 */
export async function fetchDhGroup(open: OpenTransport, o: ActiveOptions = {}): Promise<DhGroupFact | null> {
  const dialer = o.dialer ?? new Dialer(open, 1);
  const version = o.version ?? 0x0303;
  const hello = legacyHello(version, o.serverName, { suites: helloSuites(version, (s) => s.kex === 'DHE' || s.kex === 'DHE_PSK') });
  const r = await withFlight(dialer, 'dh-prime', hello, o.timeoutMs ?? 8000, async (_c, fr) => fr.flight.dhPrime ?? null);
  return r.ok && r.value ? identifyDhPrime(r.value) : null;
}

function heartbleedFrom(a: HelloA, fr: FlightRead | null, aError: string | null): HeartbleedResult {
  const base = notApplicable('heartbleed', '') as HeartbleedResult;
  const tail = { connections: 1, ms: a?.ms ?? 0 };
  if (!fr || !a?.r.ok) return { ...base, ...tail, status: 'inconclusive', evidence: [aError ?? 'no hello'] };
  const sh = fr.flight.serverHello;
  const ext = sh ? sh.extensions.some((x) => x.type === EXT.heartbeat) : null;
  const hb = a.r.value.hb;
  if (!hb) {
    const tls13 = sh && sh.version >= 0x0304;
    const refused = !sh && fr.flight.alert?.name === 'protocol_version';
    return {
      ...base,
      ...tail,
      heartbeatExtension: ext,
      status: tls13 || refused ? 'not-applicable' : 'inconclusive',
      evidence: [
        tls13 || refused
          ? 'no TLS ≤ 1.2 handshake (heartbeat is a TLS ≤ 1.2 extension)'
          : `first flight incomplete: ${fr.flight.error ?? fr.flight.kind}`,
      ],
    };
  }
  return {
    ...base,
    ...tail,
    status: hb.status,
    heartbeatExtension: ext,
    responseLength: hb.responseLength,
    responseClaimed: hb.responseClaimed,
    version: versionName(sh!.version),
    evidence: [
      `${versionName(sh!.version)} handshake; heartbeat extension ${ext ? 'acknowledged' : 'not acknowledged'} in the ServerHello`,
      ...hb.evidence,
    ],
  };
}

async function ticketbleedFrom(
  dialer: Dialer,
  f: Awaited<ReturnType<typeof clientRenegotiationWith>>,
  o: VulnBatteryOptions,
  t: number,
): Promise<TicketbleedResult> {
  const base = notApplicable('ticketbleed', '') as TicketbleedResult;
  const tail = () => ({ connections: dialer.count('full-handshake') + dialer.count('ticketbleed'), ms: Math.round(performance.now() - t) });
  if (!f.hs) return { ...base, ...tail(), status: 'inconclusive', evidence: [f.error ?? 'no transport'] };
  if (!f.hs.ok) {
    const na = f.hs.alert === 'protocol_version';
    return {
      ...base,
      ...tail(),
      status: na ? 'not-applicable' : 'inconclusive',
      evidence: [
        na
          ? 'no TLS ≤ 1.2'
          : `TLS 1.2 handshake failed: ${f.hs.alert ? `alert ${f.hs.alert}` : f.hs.error}${CERT_ALERTS.has(f.hs.alert ?? '') ? ' (the server requires a client certificate: give one to run this test)' : ''}`,
      ],
    };
  }
  if (!f.hs.ticket?.length)
    return { ...base, ...tail(), ticketIssued: false, evidence: ['the server issued no session ticket in a full TLS 1.2 handshake'] };
  const r = await ticketbleedWith(dialer, f.hs.ticket, { serverName: o.serverName, timeoutMs: o.timeoutMs });
  if (r.error) return { ...base, ...tail(), ticketIssued: true, status: 'inconclusive', evidence: [r.error] };
  return { ...base, ...ticketbleedVerdict(r.sent, r), ticketIssued: true, ...tail() };
}
