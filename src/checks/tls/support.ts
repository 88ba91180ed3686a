// Shared pieces of the TLS checks: which endpoints they concern, the accepted suites, evidence
// from the prober's ServerHello records, and running a certificate check on every certificate
// the server presents.
import { MOZILLA_INTERMEDIATE_6_0 } from '../../knowledge/tls-suite-lists.js';
import { suiteByName, type CipherSuiteInfo } from '../../knowledge/tls-registry.js';
import { isTlsService } from '../../knowledge/services.js';
import type { EndpointReport, Evidence, ProtocolVersion, TlsCertificateFacts, TlsFacts } from '../../model.js';
import type { Check, CheckContext, CheckOptions, CheckOutcome } from '../types.js';

/** The default cipher-suite yardstick when no profile names one. */
export const MOZILLA_INTERMEDIATE = MOZILLA_INTERMEDIATE_6_0;

export type Proto = ProtocolVersion;
export const RANK: Record<string, number> = { SSLv2: 0, SSLv3: 1, 'TLSv1.0': 2, TLSv1: 2, 'TLSv1.1': 3, 'TLSv1.2': 4, 'TLSv1.3': 5 };

export const VSFTPD_PROTOS = 'vsftpd: ssl_sslv2=NO, ssl_sslv3=NO, ssl_tlsv1=NO, ssl_tlsv1_1=NO, ssl_tlsv1_2=YES';
export const PROFTPD_PROTOS = 'ProFTPD (mod_tls): TLSProtocol TLSv1.2 TLSv1.3';
export const PUREFTPD_PROTOS =
  'Pure-FTPd: the protocol floor follows OpenSSL (MinProtocol = TLSv1.2 in openssl.cnf), or prefix the -J/--tlsciphersuite list with -TLSv1:-TLSv1.1 on builds that support it';
export const CIPHER_HINT =
  'vsftpd: ssl_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305; ProFTPD: TLSCipherSuite with the same list (and TLSServerCipherPreference on); Pure-FTPd: -J / --tlsciphersuite with the same list';

/** null: check does not concern this endpoint; CheckOutcome: skip; TlsFacts: go on. */
function tlsOf(ep: EndpointReport): TlsFacts | CheckOutcome | null {
  if (!isTlsService(ep.service)) return null;
  if (!ep.tls) return { status: 'skipped', detail: `no TLS facts were gathered${ep.error ? ` (${ep.error})` : ''}` };
  return ep.tls;
}

function isOutcome(x: TlsFacts | CheckOutcome): x is CheckOutcome {
  return (x as CheckOutcome).status !== undefined && (x as TlsFacts).protocols === undefined;
}

/** Wraps a check body: handles non-TLS endpoints and missing facts. */
export function withTls(fn: (tls: TlsFacts, ctx: CheckContext) => CheckOutcome | CheckOutcome[]): Check['run'] {
  return (ctx) => {
    const t = tlsOf(ctx.endpoint);
    if (t === null) return null;
    if (isOutcome(t)) return t;
    return fn(t, ctx);
  };
}

/** The prober's ServerHello record for each accepted version (or one version). */
export function serverHelloEvidence(tls: TlsFacts, version?: Proto): Evidence[] {
  const labels = version ? [`${version} ServerHello`] : null;
  return (tls.probe?.evidence ?? [])
    .filter((e) => (labels ? labels.includes(e.label) : e.label.endsWith(' ServerHello')))
    .map((e) => ({ label: e.label, value: e.value }));
}

export function protoEvidence(tls: TlsFacts, p: Proto): Evidence[] {
  const ev: Evidence[] = [{ label: `${p} accepted`, value: String(tls.protocols[p]) }];
  const suites = tls.cipherSuites[p];
  if (suites?.length) ev.push({ label: `${p} suites`, value: suites.join(', ') });
  return [...ev, ...serverHelloEvidence(tls, p)];
}

export const enumerated = (tls: TlsFacts) => !!tls.probe || Object.keys(tls.cipherSuites ?? {}).length > 0;

/** The versions the inventory could not decide (no answer either way): their suites are unknown. */
export const undecidedVersions = (tls: TlsFacts): string[] =>
  Object.entries(tls.protocols)
    .filter(([, v]) => v === null)
    .map(([k]) => k);

export interface AcceptedSuite {
  version: string;
  name: string;
  info: CipherSuiteInfo | undefined;
}

export function acceptedSuites(tls: TlsFacts): AcceptedSuite[] {
  const out: AcceptedSuite[] = [];
  for (const [version, names] of Object.entries(tls.cipherSuites ?? {})) {
    for (const name of names ?? []) out.push({ version, name, info: suiteByName(name) });
  }
  return out;
}

export function suiteEvidence(list: AcceptedSuite[], label: string, max = 25): Evidence[] {
  const ev = list
    .slice(0, max)
    .map((s) => ({ label, value: `${s.version}: ${s.name}${s.info?.openssl && s.info.openssl !== s.name ? ` (${s.info.openssl})` : ''}` }));
  if (list.length > max) ev.push({ label, value: `… and ${list.length - max} more` });
  return ev;
}

export function certsToCheck(tls: TlsFacts, includeSelfSignedRoot = false): TlsCertificateFacts[] {
  const chain = tls.chain?.length ? tls.chain : tls.certificate ? [tls.certificate] : [];
  // A self-signed certificate after the leaf is a root: clients trust it by identity, not signature.
  return chain.filter((c, i) => i === 0 || includeSelfSignedRoot || !c.selfSigned);
}

export function certLabel(c: TlsCertificateFacts, i: number): string {
  return `${i === 0 ? 'leaf' : `chain[${i}]`} ${c.subject}`;
}

export function certEvidence(c: TlsCertificateFacts, i: number, fields: (keyof TlsCertificateFacts)[]): Evidence {
  return { label: certLabel(c, i), value: fields.map((f) => `${f}=${JSON.stringify(c[f])}`).join(' ') };
}

/** Skipped when there is no certificate, or when the one there is could not be parsed. */
export function noCert(tls: TlsFacts): CheckOutcome | null {
  if (!tls.certificate && !tls.chain?.length) return { status: 'skipped', detail: 'no certificate was obtained from the server' };
  const unreadable = certsToCheck(tls, true).find((c) => c.parseError);
  if (unreadable) return { status: 'error', detail: `the server's certificate could not be parsed: ${unreadable.parseError}` };
  return null;
}

const STATUS_RANK: Record<string, number> = { fail: 0, error: 1, warn: 2, info: 3, pass: 4, skipped: 5 };

function keyOf(c: TlsCertificateFacts | undefined): string {
  return c ? `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}` : 'no certificate';
}

/**
 * A certificate check run on every certificate the server presents (e.g. an RSA and an ECDSA
 * one): the worst result decides, and the detail names each certificate by its key. A
 * certificate that could not be parsed makes the check an error, never a pass.
 */
export function withCerts(fn: (tls: TlsFacts, ctx: CheckContext) => CheckOutcome): Check['run'] {
  return withTls((tls, ctx) => {
    const guarded = (t: TlsFacts) => noCert(t) ?? fn(t, ctx);
    const others = tls.otherCertificates ?? [];
    if (!others.length) return guarded(tls);
    const views: TlsFacts[] = [
      tls,
      ...others.map((o) => ({ ...tls, certificate: o.chain[0] ?? null, chain: o.chain, validation: o.validation })),
    ];
    const results = views.map(guarded);
    const worst = results.reduce((a, b) => (STATUS_RANK[b.status]! < STATUS_RANK[a.status]! ? b : a));
    const name = (i: number) =>
      `certificate ${i + 1} of ${views.length} (${keyOf(views[i]!.chain[0] ?? views[i]!.certificate ?? undefined)})`;
    return {
      ...worst,
      detail: results.map((r, i) => `${name(i)}: ${r.detail}`).join(' | '),
      evidence: results.flatMap((r, i) => (r.evidence ?? []).map((e) => ({ ...e, label: `${name(i)}: ${e.label}` }))),
    };
  });
}

export function nowOf(o: CheckOptions): Date {
  return o.now ?? new Date();
}

export const DAY = 86_400_000;
