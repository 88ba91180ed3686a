// Renegotiation. Two results:
// - secure-renegotiation: does the ServerHello carry renegotiation_info (RFC 5746)? Without it a
//   renegotiated handshake cannot be bound to the session it replaces (CVE-2009-3555). Hello
//   level, one connection (the battery reuses the Heartbleed connection's flight).
// - client-renegotiation: after a completed TLS 1.2 handshake (node:tls), ask for a new
//   handshake inside the encrypted session (SSL_renegotiate: a ClientHello, no HelloRequest). A
//   server that completes it lets any client make it repeat the expensive side of a handshake at
//   will (a denial-of-service lever), and without RFC 5746 opens the CVE-2009-3555 prefix
//   injection. A refusal (no_renegotiation alert, handshake_failure, close) is decisive; so is a
//   completed renegotiation. One connection.
import crypto from 'node:crypto';
import type tls from 'node:tls';
import type { OpenTransport } from '../prober.js';
import { nodeHandshake, type ClientCredentials, type NodeHandshakeResult } from '../handshake.js';
import {
  dialerOf,
  legacyHello,
  transportError,
  versionName,
  withFlight,
  type ActiveOptions,
  type Dialer,
  type FlightRead,
} from './conn.js';
import type { VulnResultBase } from './types.js';

export interface SecureRenegotiationResult extends VulnResultBase {
  id: 'secure-renegotiation';
  /** renegotiation_info in the ServerHello; null without a TLS ≤ 1.2 ServerHello */
  rfc5746: boolean | null;
  version: string | null;
}

export interface ClientRenegotiationResult extends VulnResultBase {
  id: 'client-renegotiation';
  /** 'accepted' (a second handshake completed), 'refused', or null when it could not be tried */
  outcome: 'accepted' | 'refused' | null;
  /** the server also lacks RFC 5746: an accepted renegotiation is the insecure kind */
  insecure: boolean | null;
  /** how the server refused (alert name or close) */
  refusal: string | null;
  protocol: string | null;
}

/** The verdict on RFC 5746 from a first flight (shared with the battery's hello). */
export function secureRenegotiationFromFlight(fr: FlightRead): Omit<SecureRenegotiationResult, 'connections' | 'ms'> {
  const base = { id: 'secure-renegotiation' as const, intrusive: false, derived: false };
  const sh = fr.flight.serverHello;
  if (sh && sh.version >= 0x0304)
    return {
      ...base,
      status: 'not-applicable',
      evidence: ['TLS 1.3 only: TLS 1.3 has no renegotiation'],
      rfc5746: null,
      version: versionName(sh.version),
    };
  if (!sh) {
    const refused = fr.flight.alert?.name === 'protocol_version';
    return {
      ...base,
      status: refused ? 'not-applicable' : 'inconclusive',
      evidence: [
        refused ? 'the server refuses TLS ≤ 1.2 (protocol_version alert)' : `no ServerHello (${fr.flight.error ?? fr.flight.kind})`,
      ],
      rfc5746: null,
      version: null,
    };
  }
  const v = versionName(sh.version);
  return sh.secureRenegotiation
    ? { ...base, status: 'not-vulnerable', evidence: [`${v} ServerHello carries renegotiation_info (RFC 5746)`], rfc5746: true, version: v }
    : {
        ...base,
        status: 'vulnerable',
        evidence: [
          `${v} ServerHello has no renegotiation_info although the hello offered it: no RFC 5746, a renegotiation cannot be bound to the session (CVE-2009-3555)`,
        ],
        rfc5746: false,
        version: v,
      };
}

export async function testSecureRenegotiation(open: OpenTransport, o: ActiveOptions = {}): Promise<SecureRenegotiationResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const hello = legacyHello(o.version ?? 0x0303, o.serverName, { renegotiation: 'both' });
  const r = await withFlight(dialer, 'secure-renegotiation', hello, o.timeoutMs ?? 8000, async (_c, fr) =>
    secureRenegotiationFromFlight(fr),
  );
  const tail = { connections: dialer.count('secure-renegotiation'), ms: Math.round(performance.now() - t0) };
  if (!r.ok)
    return {
      id: 'secure-renegotiation',
      intrusive: false,
      derived: false,
      status: 'inconclusive',
      evidence: [r.error],
      rfc5746: null,
      version: null,
      ...tail,
    };
  return { ...r.value, ...tail };
}

/** Legacy options: connect to a server without RFC 5746 and let it renegotiate, so its answer can be seen. */
export const LEGACY_RENEGOTIATION_OPTIONS =
  crypto.constants.SSL_OP_LEGACY_SERVER_CONNECT | crypto.constants.SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION;

/** Asks for a renegotiation on a connected TLS ≤ 1.2 socket; resolves with what the server did. */
export function renegotiateOnce(
  s: tls.TLSSocket,
  waitMs: number,
): Promise<{ outcome: 'accepted' | 'refused' | 'no-answer' | 'not-started'; detail: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: { outcome: 'accepted' | 'refused' | 'no-answer' | 'not-started'; detail: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.off('error', onErr);
      s.off('close', onClose);
      resolve(v);
    };
    const onErr = (e: NodeJS.ErrnoException) =>
      finish({ outcome: 'refused', detail: `${e.code ?? 'error'}: ${e.message.split('\n')[0]!.trim()}` });
    const onClose = () => finish({ outcome: 'refused', detail: 'the server closed the connection' });
    const timer = setTimeout(() => finish({ outcome: 'no-answer', detail: `neither completed nor refused within ${waitMs} ms` }), waitMs);
    s.on('error', onErr);
    s.once('close', onClose);
    // application data (an implicit-FTPS greeting) may arrive meanwhile: read and drop it
    s.on('data', () => {});
    const started = s.renegotiate({ rejectUnauthorized: false }, (err) => {
      if (err) onErr(err as NodeJS.ErrnoException);
      else finish({ outcome: 'accepted', detail: `a second handshake completed (${s.getProtocol()} ${s.getCipher()?.name ?? ''})` });
    });
    if (!started) finish({ outcome: 'not-started', detail: 'node:tls could not start a renegotiation on this connection' });
  });
}

export interface ClientRenegotiationOptions extends ActiveOptions {
  /** RFC 5746 support seen at hello level, to say whether an accepted renegotiation is insecure */
  rfc5746?: boolean | null;
  /** our client certificate, for servers that require one */
  credentials?: ClientCredentials | null;
}

/** Alerts with which a server refuses a handshake that lacks (an acceptable) client certificate. */
export const CERT_ALERTS = new Set(['handshake_failure', 'certificate_required', 'bad_certificate', 'unknown_ca', 'access_denied']);

function verdict(
  hs: NodeHandshakeResult,
  reneg: Awaited<ReturnType<typeof renegotiateOnce>> | undefined,
  rfc5746: boolean | null,
): Pick<ClientRenegotiationResult, 'status' | 'evidence' | 'outcome' | 'insecure' | 'refusal' | 'protocol'> {
  if (!hs.ok) {
    const tls13Only = hs.alert === 'protocol_version' || /unsupported protocol|wrong version/i.test(hs.error ?? '');
    return {
      status: tls13Only ? 'not-applicable' : 'inconclusive',
      evidence: [
        tls13Only
          ? 'no TLS ≤ 1.2 handshake possible (TLS 1.3 has no renegotiation)'
          : `TLS 1.2 handshake failed: ${hs.alert ? `alert ${hs.alert}` : hs.error}${CERT_ALERTS.has(hs.alert ?? '') ? ' (the server requires a client certificate: give one to run this test)' : ''}`,
      ],
      outcome: null,
      insecure: null,
      refusal: null,
      protocol: null,
    };
  }
  const head = `${hs.protocol} handshake completed (${hs.cipher}); a renegotiation was requested inside the session`;
  if (!reneg || reneg.outcome === 'not-started' || reneg.outcome === 'no-answer')
    return {
      status: 'inconclusive',
      evidence: [head, reneg?.detail ?? 'not tried'],
      outcome: null,
      insecure: null,
      refusal: null,
      protocol: hs.protocol,
    };
  if (reneg.outcome === 'refused')
    return {
      status: 'not-vulnerable',
      evidence: [head, `refused: ${reneg.detail}`],
      outcome: 'refused',
      insecure: false,
      refusal: reneg.detail,
      protocol: hs.protocol,
    };
  const insecure = rfc5746 === false;
  return {
    status: 'vulnerable',
    evidence: [
      head,
      `accepted: ${reneg.detail}`,
      insecure
        ? 'and the server lacks RFC 5746: this is insecure renegotiation (CVE-2009-3555 prefix injection)'
        : 'client-initiated renegotiation lets any client make the server redo handshakes at will (denial of service)',
    ],
    outcome: 'accepted',
    insecure: rfc5746 === null ? null : insecure,
    refusal: null,
    protocol: hs.protocol,
  };
}

/** Runs the client-initiated renegotiation test on one transport of `dialer` (tag 'client-renegotiation'). */
export async function clientRenegotiationWith(dialer: Dialer, o: ClientRenegotiationOptions, tag = 'client-renegotiation') {
  const timeoutMs = o.timeoutMs ?? 8000;
  try {
    return await dialer.with(tag, async (raw) => {
      const { result, value } = await nodeHandshake(
        raw,
        {
          serverName: o.serverName,
          timeoutMs,
          maxVersion: 'TLSv1.2',
          secureOptions: LEGACY_RENEGOTIATION_OPTIONS,
          requestOCSP: true,
          credentials: o.credentials ?? undefined,
        },
        (s) => renegotiateOnce(s, timeoutMs),
      );
      return { hs: result, reneg: value, error: null as string | null };
    });
  } catch (err) {
    return { hs: null, reneg: undefined, error: transportError(err) };
  }
}

export async function testClientRenegotiation(open: OpenTransport, o: ClientRenegotiationOptions = {}): Promise<ClientRenegotiationResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const r = await clientRenegotiationWith(dialer, o);
  const base = { id: 'client-renegotiation' as const, intrusive: false, derived: false };
  const tail = { connections: dialer.count('client-renegotiation'), ms: Math.round(performance.now() - t0) };
  if (!r.hs)
    return {
      ...base,
      status: 'inconclusive',
      evidence: [r.error ?? 'no transport'],
      outcome: null,
      insecure: null,
      refusal: null,
      protocol: null,
      ...tail,
    };
  return { ...base, ...verdict(r.hs, r.reneg, o.rfc5746 ?? null), ...tail };
}

export { verdict as clientRenegotiationVerdict };
