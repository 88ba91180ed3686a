// Checks over the TLS facts of an FTPS (or other TLS) endpoint: protocol versions, cipher
// suites, key exchange, extensions and the certificate chain (checks.md, TLS-* rows). Pure:
// they read ctx.endpoint.tls as the hello-level prober (src/tls) and certs.ts filled it.
import { MOZILLA_INTERMEDIATE_6_0 } from '../knowledge/tls-suite-lists.js';
import type { Check, CheckContext, CheckOptions, CheckOutcome } from './engine.js';
import type { EndpointReport, Evidence, TlsCertificateFacts, TlsFacts } from '../model.js';
import { pci, hipaa, nist80052 } from './controls.js';
import { suiteByName, type CipherSuiteInfo } from '../tls/registry.js';

/** CheckOptions the TLS checks honour: tlsCipherProfile, certMaxLifetimeDays, certExpiryWarnDays, minRsaBits, minEcBits, minDhBits, now. */
export type TlsCheckOptions = CheckOptions;

/** The default cipher-suite yardstick when no profile names one. */
export const MOZILLA_INTERMEDIATE = MOZILLA_INTERMEDIATE_6_0;

type Proto = 'SSLv2' | 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const RANK: Record<string, number> = { SSLv2: 0, SSLv3: 1, 'TLSv1.0': 2, TLSv1: 2, 'TLSv1.1': 3, 'TLSv1.2': 4, 'TLSv1.3': 5 };

const isTlsService = (ep: EndpointReport) =>
  ep.service === 'ftps-implicit' || ep.service === 'ftps-explicit' || ep.service === 'tls-unknown';

/** null: check does not concern this endpoint; CheckOutcome: skip; TlsFacts: go on. */
function tlsOf(ep: EndpointReport): TlsFacts | CheckOutcome | null {
  if (!isTlsService(ep)) return null;
  if (!ep.tls) return { status: 'skipped', detail: `no TLS facts were gathered${ep.error ? ` (${ep.error})` : ''}` };
  return ep.tls;
}

function isOutcome(x: TlsFacts | CheckOutcome): x is CheckOutcome {
  return (x as CheckOutcome).status !== undefined && (x as TlsFacts).protocols === undefined;
}

/** Wraps a check body: handles non-TLS endpoints and missing facts. */
function withTls(fn: (tls: TlsFacts, ctx: CheckContext) => CheckOutcome | CheckOutcome[]): Check['run'] {
  return (ctx) => {
    const t = tlsOf(ctx.endpoint);
    if (t === null) return null;
    if (isOutcome(t)) return t;
    return fn(t, ctx);
  };
}

function probeEvidence(tls: TlsFacts, match?: RegExp): Evidence[] {
  return (tls.probe?.evidence ?? []).filter((e) => !match || match.test(e.label)).map((e) => ({ label: e.label, value: e.value }));
}

function protoEvidence(tls: TlsFacts, p: Proto): Evidence[] {
  const ev: Evidence[] = [{ label: `${p} accepted`, value: String(tls.protocols[p]) }];
  const suites = tls.cipherSuites[p];
  if (suites?.length) ev.push({ label: `${p} suites`, value: suites.join(', ') });
  return [...ev, ...probeEvidence(tls, new RegExp(`^${p.replace('.', '\\.')} `))];
}

const enumerated = (tls: TlsFacts) => !!tls.probe || Object.keys(tls.cipherSuites ?? {}).length > 0;

interface AcceptedSuite {
  version: string;
  name: string;
  info: CipherSuiteInfo | undefined;
}

function acceptedSuites(tls: TlsFacts): AcceptedSuite[] {
  const out: AcceptedSuite[] = [];
  for (const [version, names] of Object.entries(tls.cipherSuites ?? {})) {
    for (const name of names ?? []) out.push({ version, name, info: suiteByName(name) });
  }
  return out;
}

function suiteEvidence(list: AcceptedSuite[], label: string, max = 25): Evidence[] {
  const ev = list
    .slice(0, max)
    .map((s) => ({ label, value: `${s.version}: ${s.name}${s.info?.openssl && s.info.openssl !== s.name ? ` (${s.info.openssl})` : ''}` }));
  if (list.length > max) ev.push({ label, value: `… and ${list.length - max} more` });
  return ev;
}

function protocolCheck(
  id: string,
  p: Proto,
  title: string,
  severity: Check['severity'],
  controls: string[],
  remediation: string,
  why: string,
): Check {
  return {
    id,
    title,
    severity,
    controls,
    remediation,
    run: withTls((tls) => {
      const v = tls.protocols[p];
      if (v === undefined) return { status: 'skipped', detail: `${p} was not tested` };
      return v
        ? { status: 'fail', detail: `${p} is accepted: ${why}`, evidence: protoEvidence(tls, p) }
        : { status: 'pass', detail: `${p} is refused`, evidence: [{ label: `${p} accepted`, value: 'false' }] };
    }),
  };
}

function suiteCheck(
  id: string,
  title: string,
  severity: Check['severity'],
  controls: string[],
  remediation: string,
  pred: (s: CipherSuiteInfo) => boolean,
  what: string,
  status: 'fail' | 'warn' = 'fail',
): Check {
  return {
    id,
    title,
    severity,
    controls,
    remediation,
    run: withTls((tls) => {
      if (!enumerated(tls)) return { status: 'skipped', detail: 'cipher suites were not enumerated' };
      const all = acceptedSuites(tls);
      const bad = all.filter((s) => s.info && pred(s.info));
      if (!bad.length) return { status: 'pass', detail: `no ${what} accepted (${all.length} suites accepted in all)` };
      const versions = [...new Set(bad.map((b) => b.version))].join(', ');
      return { status, detail: `${bad.length} ${what} accepted (${versions})`, evidence: suiteEvidence(bad, what) };
    }),
  };
}

const VSFTPD_PROTOS = 'vsftpd: ssl_sslv2=NO, ssl_sslv3=NO, ssl_tlsv1=NO, ssl_tlsv1_1=NO, ssl_tlsv1_2=YES';
const PROFTPD_PROTOS = 'ProFTPD (mod_tls): TLSProtocol TLSv1.2 TLSv1.3';
const PUREFTPD_PROTOS =
  'Pure-FTPd: the protocol floor follows OpenSSL (MinProtocol = TLSv1.2 in openssl.cnf), or prefix the -J/--tlsciphersuite list with -TLSv1:-TLSv1.1 on builds that support it';
const CIPHER_HINT =
  'vsftpd: ssl_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305; ProFTPD: TLSCipherSuite with the same list (and TLSServerCipherPreference on); Pure-FTPd: -J / --tlsciphersuite with the same list';

function certsToCheck(tls: TlsFacts, includeSelfSignedRoot = false): TlsCertificateFacts[] {
  const chain = tls.chain?.length ? tls.chain : tls.certificate ? [tls.certificate] : [];
  // A self-signed certificate after the leaf is a root: clients trust it by identity, not signature.
  return chain.filter((c, i) => i === 0 || includeSelfSignedRoot || !c.selfSigned);
}

function certLabel(c: TlsCertificateFacts, i: number): string {
  return `${i === 0 ? 'leaf' : `chain[${i}]`} ${c.subject}`;
}

function certEvidence(c: TlsCertificateFacts, i: number, fields: (keyof TlsCertificateFacts)[]): Evidence {
  return { label: certLabel(c, i), value: fields.map((f) => `${f}=${JSON.stringify(c[f])}`).join(' ') };
}

function noCert(tls: TlsFacts): CheckOutcome | null {
  if (!tls.certificate && !tls.chain?.length) return { status: 'skipped', detail: 'no certificate was obtained from the server' };
  return null;
}

const STATUS_RANK: Record<string, number> = { fail: 0, error: 1, warn: 2, info: 3, pass: 4, skipped: 5 };

function keyOf(c: TlsCertificateFacts | undefined): string {
  return c ? `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}` : 'no certificate';
}

/**
 * A certificate check run on every certificate the server presents (e.g. an RSA and an ECDSA
 * one): the worst result decides, and the detail names each certificate by its key.
 */
function withCerts(fn: (tls: TlsFacts, ctx: CheckContext) => CheckOutcome): Check['run'] {
  return withTls((tls, ctx) => {
    const others = tls.otherCertificates ?? [];
    if (!others.length) return fn(tls, ctx);
    const views: TlsFacts[] = [
      tls,
      ...others.map((o) => ({ ...tls, certificate: o.chain[0] ?? null, chain: o.chain, validation: o.validation })),
    ];
    const results = views.map((v) => fn(v, ctx));
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

function nowOf(o: CheckOptions): Date {
  return o.now ?? new Date();
}

const DAY = 86_400_000;

export const tlsChecks: Check[] = [
  protocolCheck(
    'TLS-PROTO-SSL2',
    'SSLv2',
    'SSL 2.0 accepted',
    'critical',
    [...pci('4.2.1', '2.2.7', '8.3.2', 'A2'), ...nist80052('§3.1')],
    `Disable SSL 2.0. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; modern OpenSSL builds cannot speak SSL 2.0 at all: an endpoint that does runs an obsolete TLS library.`,
    'SSL 2.0 is broken (DROWN, export ciphers, no handshake integrity)',
  ),
  protocolCheck(
    'TLS-PROTO-SSL3',
    'SSLv3',
    'SSL 3.0 accepted',
    'critical',
    [...pci('4.2.1', '2.2.7', '8.3.2', 'A2'), ...nist80052('§3.1')],
    `Disable SSL 3.0. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; ${PUREFTPD_PROTOS}.`,
    'SSL 3.0 is broken (POODLE) and not strong cryptography',
  ),
  protocolCheck(
    'TLS-PROTO-TLS10',
    'TLSv1.0',
    'TLS 1.0 accepted',
    'high',
    [...pci('A2'), ...nist80052('§3.1'), 'RFC 8996'],
    `Disable TLS 1.0. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; ${PUREFTPD_PROTOS}.`,
    'TLS 1.0 is "early TLS" (PCI DSS Appendix A2), deprecated by RFC 8996',
  ),
  protocolCheck(
    'TLS-PROTO-TLS11',
    'TLSv1.1',
    'TLS 1.1 accepted',
    'medium',
    [...nist80052('§3.1'), 'RFC 8996'],
    `Disable TLS 1.1. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; ${PUREFTPD_PROTOS}.`,
    'TLS 1.1 is deprecated by RFC 8996 and not allowed by NIST SP 800-52r2',
  ),
  {
    id: 'TLS-NO-TLS12',
    title: 'TLS 1.2 not offered',
    severity: 'high',
    controls: nist80052('§3.1'),
    remediation:
      'Enable TLS 1.2 (required by NIST SP 800-52r2). vsftpd: ssl_tlsv1_2=YES (vsftpd ≥ 3.0.3); ProFTPD: TLSProtocol TLSv1.2 TLSv1.3; Pure-FTPd: upgrade to a build linked against OpenSSL ≥ 1.0.1.',
    run: withTls((tls) => {
      const v = tls.protocols['TLSv1.2'];
      if (v === undefined) return { status: 'skipped', detail: 'TLS 1.2 was not tested' };
      return v
        ? { status: 'pass', detail: 'TLS 1.2 is accepted', evidence: protoEvidence(tls, 'TLSv1.2') }
        : { status: 'fail', detail: 'TLS 1.2 is not accepted', evidence: protoEvidence(tls, 'TLSv1.2') };
    }),
  },
  {
    id: 'TLS-NO-TLS13',
    title: 'TLS 1.3 not offered',
    severity: 'low',
    controls: nist80052('§3.1'),
    remediation:
      'Enable TLS 1.3 (NIST SP 800-52r2 requires support since 1 January 2024): link the server against OpenSSL ≥ 1.1.1. ProFTPD ≥ 1.3.7: TLSProtocol TLSv1.2 TLSv1.3; vsftpd ≥ 3.0.4 and Pure-FTPd ≥ 1.0.47 negotiate TLS 1.3 when OpenSSL allows it.',
    run: withTls((tls) => {
      const v = tls.protocols['TLSv1.3'];
      if (v === undefined) return { status: 'skipped', detail: 'TLS 1.3 was not tested' };
      return v
        ? { status: 'pass', detail: 'TLS 1.3 is accepted', evidence: protoEvidence(tls, 'TLSv1.3') }
        : { status: 'warn', detail: 'TLS 1.3 is not accepted', evidence: protoEvidence(tls, 'TLSv1.3') };
    }),
  },
  suiteCheck(
    'TLS-CIPHER-NULL',
    'NULL (unencrypted) cipher suites accepted',
    'critical',
    [...pci('4.2.1'), ...hipaa('(e)(2)(ii)')],
    `Remove NULL suites (they encrypt nothing). Use an explicit list: ${CIPHER_HINT}; or at least append :!eNULL.`,
    (s) => s.cipher === 'NULL',
    'NULL-cipher suites',
  ),
  suiteCheck(
    'TLS-CIPHER-ANON',
    'Anonymous (unauthenticated) cipher suites accepted',
    'critical',
    [...pci('4.2.1'), ...hipaa('(e)(2)(ii)')],
    `Remove anonymous suites (no server authentication: trivially man-in-the-middled). ${CIPHER_HINT}; or at least append :!aNULL.`,
    (s) => s.anon,
    'anonymous suites',
  ),
  suiteCheck(
    'TLS-CIPHER-EXPORT',
    'Export-grade cipher suites accepted',
    'critical',
    [...pci('4.2.1'), ...hipaa('(e)(2)(ii)')],
    `Remove export suites (40/56-bit, FREAK/Logjam). ${CIPHER_HINT}; or at least append :!EXPORT.`,
    (s) => s.export,
    'export suites',
  ),
  suiteCheck(
    'TLS-CIPHER-RC4',
    'RC4 cipher suites accepted',
    'critical',
    [...pci('4.2.1'), ...hipaa('(e)(2)(ii)'), 'RFC 7465'],
    `Remove RC4 suites (RFC 7465 prohibits them). ${CIPHER_HINT}; or at least append :!RC4.`,
    (s) => s.cipher === 'RC4',
    'RC4 suites',
  ),
  suiteCheck(
    'TLS-CIPHER-DES',
    'Single-DES / weak block cipher suites accepted',
    'critical',
    [...pci('4.2.1'), ...hipaa('(e)(2)(ii)')],
    `Remove DES (56-bit) and RC2 suites. ${CIPHER_HINT}; or at least append :!DES:!RC2.`,
    (s) => s.cipher === 'DES' || s.cipher === 'RC2',
    'DES/RC2 suites',
  ),
  suiteCheck(
    'TLS-CIPHER-3DES',
    '3DES cipher suites accepted (SWEET32)',
    'high',
    ['NIST SP 800-131A', ...pci('4.2.1')],
    `Remove 3DES suites (64-bit block: SWEET32; disallowed by SP 800-131A after 2023). ${CIPHER_HINT}; or at least append :!3DES.`,
    (s) => s.cipher === '3DES',
    '3DES suites',
  ),
  suiteCheck(
    'TLS-CIPHER-NO-PFS',
    'Cipher suites without forward secrecy accepted',
    'medium',
    nist80052('App. D'),
    `Prefer ephemeral (EC)DHE key exchange and remove static RSA key transport (TLS_RSA_WITH_*). ${CIPHER_HINT}; or append :!kRSA.`,
    (s) => !s.pfs && !s.anon && !s.sslv2 && s.kex !== 'SCSV',
    'suites without forward secrecy',
  ),
  suiteCheck(
    'TLS-CIPHER-CBC',
    'CBC-mode cipher suites accepted',
    'low',
    ['Mozilla Server Side TLS (intermediate)'],
    `Prefer AEAD suites (AES-GCM, ChaCha20-Poly1305) and drop CBC suites where clients allow. ${CIPHER_HINT}.`,
    (s) => s.cbc,
    'CBC-mode suites',
    'warn',
  ),
  {
    id: 'TLS-CIPHER-PROFILE',
    title: 'Cipher suites outside the profile',
    severity: 'medium',
    controls: [],
    remediation: `Restrict the suites to the profile's list. ${CIPHER_HINT}.`,
    run: withTls((tls, ctx) => {
      if (!enumerated(tls)) return { status: 'skipped', detail: 'cipher suites were not enumerated' };
      const profile = ctx.options.tlsCipherProfile ?? MOZILLA_INTERMEDIATE;
      const outside = acceptedSuites(tls).filter((s) => !(profile.suites[s.version] ?? []).includes(s.name));
      if (!outside.length) return { status: 'pass', detail: `every accepted suite is in ${profile.name}` };
      return {
        status: 'fail',
        detail: `${outside.length} accepted suites are outside ${profile.name}`,
        evidence: suiteEvidence(outside, 'outside profile'),
      };
    }),
  },
  {
    id: 'TLS-SERVER-PREFERENCE',
    title: 'Server cipher order',
    severity: 'info',
    controls: nist80052('§3.3.1'),
    remediation: 'vsftpd always uses the server order; ProFTPD: TLSServerCipherPreference on; Pure-FTPd follows its -J list order.',
    run: withTls((tls) => {
      const per = tls.serverPreferenceByVersion ?? {};
      const evidence = Object.entries(per).map(([v, p]) => ({ label: `${v} server preference`, value: String(p) }));
      if (tls.serverPreference === null || tls.serverPreference === undefined) {
        return {
          status: 'info',
          detail: enumerated(tls)
            ? 'cipher order could not be determined (fewer than two suites per version, or inconclusive)'
            : 'cipher order was not tested',
          evidence,
        };
      }
      return {
        status: 'info',
        detail: tls.serverPreference
          ? 'the server enforces its own cipher-suite order'
          : "the server follows the client's cipher-suite order",
        evidence,
      };
    }),
  },
  {
    id: 'TLS-DH-WEAK',
    title: 'Weak finite-field Diffie-Hellman group',
    severity: 'high',
    controls: [...pci('4.2.1'), 'PCI DSS 4.0.1 strong cryptography (DH ≥ 2048)'],
    remediation:
      'Use DH parameters of at least 2048 bits (or drop DHE suites in favour of ECDHE). ProFTPD: TLSDHParamFile /etc/proftpd/dhparams.pem (openssl dhparam 2048); Pure-FTPd: /etc/ssl/private/pure-ftpd-dhparams.pem; vsftpd: remove DHE suites from ssl_ciphers on old builds with 1024-bit defaults.',
    run: withTls((tls, ctx) => {
      const min = ctx.options.minDhBits ?? 2048;
      if (tls.dhBits === undefined) return { status: 'skipped', detail: 'DH parameters were not probed' };
      if (tls.dhBits === null) return { status: 'pass', detail: 'no finite-field DHE suite is accepted (TLS ≤ 1.2)' };
      const ev = [{ label: 'DH prime (ServerKeyExchange)', value: `${tls.dhBits} bits` }];
      return tls.dhBits < min
        ? { status: 'fail', detail: `the server's DHE group is ${tls.dhBits} bits (< ${min})`, evidence: ev }
        : { status: 'pass', detail: `the server's DHE group is ${tls.dhBits} bits`, evidence: ev };
    }),
  },
  {
    id: 'TLS-EXT-RENEGOTIATION',
    title: 'Secure renegotiation (RFC 5746) missing',
    severity: 'medium',
    controls: nist80052('§3.4'),
    remediation:
      'Upgrade the TLS library (RFC 5746 support is in every OpenSSL since 0.9.8m); ProFTPD: TLSRenegotiate none disables renegotiation altogether.',
    run: withTls((tls) => {
      if (tls.secureRenegotiation === undefined) return { status: 'skipped', detail: 'renegotiation_info was not probed' };
      if (tls.secureRenegotiation === null) {
        return tls.protocols['TLSv1.3']
          ? { status: 'pass', detail: 'only TLS 1.3 is accepted: it has no renegotiation' }
          : { status: 'skipped', detail: 'no TLS ≤ 1.2 handshake completed' };
      }
      const ev = probeEvidence(tls, /ServerHello/);
      return tls.secureRenegotiation
        ? { status: 'pass', detail: 'the server answers renegotiation_info (RFC 5746)', evidence: ev }
        : {
            status: 'fail',
            detail: 'the ServerHello has no renegotiation_info: insecure legacy renegotiation (CVE-2009-3555)',
            evidence: ev,
          };
    }),
  },
  {
    id: 'TLS-EXT-EMS',
    title: 'Extended master secret (RFC 7627) missing',
    severity: 'low',
    controls: nist80052('§3.4'),
    remediation: 'Upgrade the TLS library: OpenSSL ≥ 1.1.0 negotiates extended_master_secret automatically.',
    run: withTls((tls) => {
      if (tls.extendedMasterSecret === undefined) return { status: 'skipped', detail: 'extended_master_secret was not probed' };
      if (tls.extendedMasterSecret === null) {
        return tls.protocols['TLSv1.3']
          ? { status: 'pass', detail: 'only TLS 1.3 is accepted: its key schedule binds the transcript' }
          : { status: 'skipped', detail: 'no TLS ≤ 1.2 handshake completed' };
      }
      const ev = probeEvidence(tls, /ServerHello/);
      return tls.extendedMasterSecret
        ? { status: 'pass', detail: 'the server answers extended_master_secret', evidence: ev }
        : { status: 'warn', detail: 'the ServerHello has no extended_master_secret (triple-handshake attacks)', evidence: ev };
    }),
  },
  {
    id: 'TLS-FALLBACK-SCSV',
    title: 'Downgrade protection (TLS_FALLBACK_SCSV)',
    severity: 'medium',
    controls: nist80052('§3.4'),
    remediation: `Upgrade the TLS library (OpenSSL ≥ 1.0.1j honours TLS_FALLBACK_SCSV) and disable legacy versions. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}.`,
    run: withTls((tls) => {
      const f = tls.fallbackScsv;
      if (f === undefined) return { status: 'skipped', detail: 'TLS_FALLBACK_SCSV was not probed' };
      if (f === null)
        return {
          status: 'skipped',
          detail: `the fallback test was inconclusive${tls.probe?.errors.length ? `: ${tls.probe.errors.filter((e) => /fallback/.test(e)).join('; ')}` : ''}`,
        };
      if (f === 'n/a') return { status: 'pass', detail: 'only one protocol version is accepted: there is nothing to fall back to' };
      const ev = [
        {
          label: 'hello at the second-highest version with TLS_FALLBACK_SCSV',
          value: f === 'protected' ? 'alert inappropriate_fallback' : 'ServerHello (accepted)',
        },
      ];
      return f === 'protected'
        ? { status: 'pass', detail: 'a downgraded hello with TLS_FALLBACK_SCSV is refused with inappropriate_fallback', evidence: ev }
        : { status: 'fail', detail: 'legacy versions are enabled and a downgraded hello with TLS_FALLBACK_SCSV is accepted', evidence: ev };
    }),
  },
  {
    id: 'TLS-CERT-EXPIRED',
    title: 'Certificate expired',
    severity: 'high',
    controls: [...pci('4.2.1'), ...hipaa('(d)')],
    remediation:
      'Renew the certificate and install it with its intermediates (vsftpd rsa_cert_file, ProFTPD TLSRSACertificateFile/TLSCertificateChainFile, Pure-FTPd /etc/ssl/private/pure-ftpd.pem); then restart or reload the server.',
    run: withCerts((tls, ctx) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const now = nowOf(ctx.options);
      const certs = certsToCheck(tls);
      const bad = certs.map((c, i) => [c, i] as const).filter(([c]) => Date.parse(c.notAfter) < now.getTime());
      if (!bad.length)
        return { status: 'pass', detail: `no certificate in the chain has expired (leaf valid until ${certs[0]!.notAfter})` };
      return {
        status: 'fail',
        detail: `${bad.length} certificate(s) expired: ${bad.map(([c, i]) => `${certLabel(c, i)} on ${c.notAfter}`).join('; ')}`,
        evidence: bad.map(([c, i]) => certEvidence(c, i, ['notBefore', 'notAfter'])),
      };
    }),
  },
  {
    id: 'TLS-CERT-NOT-YET-VALID',
    title: 'Certificate not yet valid',
    severity: 'high',
    controls: [...pci('4.2.1'), ...hipaa('(d)')],
    remediation: "Check the server's and the CA's clocks, or install a certificate whose validity has started.",
    run: withCerts((tls, ctx) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const now = nowOf(ctx.options);
      const certs = certsToCheck(tls);
      const bad = certs.map((c, i) => [c, i] as const).filter(([c]) => Date.parse(c.notBefore) > now.getTime());
      if (!bad.length) return { status: 'pass', detail: 'every certificate in the chain has started its validity' };
      return {
        status: 'fail',
        detail: `${bad.length} certificate(s) not yet valid: ${bad.map(([c, i]) => `${certLabel(c, i)} from ${c.notBefore}`).join('; ')}`,
        evidence: bad.map(([c, i]) => certEvidence(c, i, ['notBefore', 'notAfter'])),
      };
    }),
  },
  {
    id: 'TLS-CERT-EXPIRING',
    title: 'Certificate expiring soon',
    severity: 'low',
    controls: pci('4.2.1.1'),
    remediation: "Renew the certificate before it expires and automate renewal (ACME or your CA's tooling).",
    run: withCerts((tls, ctx) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const days = ctx.options.certExpiryWarnDays ?? 30;
      const now = nowOf(ctx.options).getTime();
      const leaf = certsToCheck(tls)[0]!;
      const left = (Date.parse(leaf.notAfter) - now) / DAY;
      const ev = [certEvidence(leaf, 0, ['notAfter'])];
      if (left < 0) return { status: 'pass', detail: 'the certificate has already expired (see TLS-CERT-EXPIRED)', evidence: ev };
      if (left <= days)
        return { status: 'warn', detail: `the leaf certificate expires in ${Math.floor(left)} days (${leaf.notAfter})`, evidence: ev };
      return { status: 'pass', detail: `the leaf certificate expires in ${Math.floor(left)} days`, evidence: ev };
    }),
  },
  {
    id: 'TLS-CERT-UNTRUSTED',
    title: 'Certificate not trusted',
    severity: 'medium',
    controls: pci('4.2.1'),
    remediation:
      "Install a certificate issued by a publicly trusted CA (or your organisation's CA, and give scanners and partners that CA as --ca-file), and send the intermediate certificates (ProFTPD TLSCertificateChainFile; vsftpd/Pure-FTPd: append intermediates to the certificate file).",
    run: withCerts((tls) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const v = tls.validation;
      if (!v) return { status: 'skipped', detail: 'certificate path validation was not run' };
      const ev: Evidence[] = [
        { label: 'path validation', value: v.trusted ? `trusted via ${v.trustAnchor} (${v.trustSource})` : (v.error ?? 'not trusted') },
      ];
      if (v.chainOrderProblem) ev.push({ label: 'chain order', value: v.chainOrderProblem });
      if (v.trusted)
        return {
          status: 'pass',
          detail: `the chain verifies to ${v.trustAnchor} (${v.trustSource === 'ca-file' ? 'CA file' : 'system roots'})`,
          evidence: ev,
        };
      const leaf = certsToCheck(tls)[0]!;
      return {
        status: 'fail',
        detail: leaf.selfSigned ? `the certificate is self-signed (${leaf.subject})` : `the chain does not verify: ${v.error}`,
        evidence: ev,
      };
    }),
  },
  {
    id: 'TLS-CERT-NAME-MISMATCH',
    title: 'Certificate name mismatch',
    severity: 'medium',
    controls: [...pci('4.2.1'), ...nist80052('§3.2')],
    remediation:
      'Issue the certificate with the host name clients use in its subjectAltName (DNS: entries; IP: entries for address-based access).',
    run: withCerts((tls) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const v = tls.validation;
      if (!v || v.hostnameMatch === null || !v.hostname)
        return { status: 'skipped', detail: 'no host name to check the certificate against' };
      const leaf = certsToCheck(tls)[0]!;
      const ev = [
        { label: 'target', value: v.hostname },
        { label: 'leaf names', value: `subject ${leaf.subject}; SAN ${leaf.subjectAltNames.join(', ') || '(none)'}` },
      ];
      return v.hostnameMatch
        ? { status: 'pass', detail: `the certificate is valid for ${v.hostname}`, evidence: ev }
        : { status: 'fail', detail: `the certificate is not valid for ${v.hostname}`, evidence: ev };
    }),
  },
  {
    id: 'TLS-CERT-WEAK-KEY',
    title: 'Weak certificate key',
    severity: 'high',
    controls: [...pci('4.2.1'), ...nist80052('§3.2')],
    remediation: 'Re-key: RSA 2048 bits or more (openssl req -newkey rsa:3072), or ECDSA P-256/P-384.',
    run: withCerts((tls, ctx) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const certs = certsToCheck(tls);
      const minRsa = ctx.options.minRsaBits ?? 2048;
      const minEc = ctx.options.minEcBits ?? 256;
      const weak = certs
        .map((c, i) => [c, i] as const)
        .filter(([c]) => {
          if (c.keyBits === null || c.keyBits === undefined) return false;
          if (c.keyType === 'RSA' || c.keyType === 'RSA-PSS' || c.keyType === 'DSA') return c.keyBits < minRsa;
          if (c.keyType === 'EC') return c.keyBits < minEc;
          return false;
        });
      const ev = certs.map((c, i) => certEvidence(c, i, ['keyType', 'keyBits']));
      if (!weak.length)
        return {
          status: 'pass',
          detail: `key sizes are adequate (leaf ${certs[0]!.keyType} ${certs[0]!.keyBits ?? '?'} bits)`,
          evidence: ev,
        };
      return {
        status: 'fail',
        detail: weak.map(([c, i]) => `${certLabel(c, i)}: ${c.keyType} ${c.keyBits} bits`).join('; '),
        evidence: ev,
      };
    }),
  },
  {
    id: 'TLS-CERT-WEAK-SIGNATURE',
    title: 'Weak certificate signature (MD5/SHA-1)',
    severity: 'high',
    controls: [...pci('4.2.1'), ...nist80052('§3.2')],
    remediation: 'Re-issue the certificate (and use intermediates) signed with SHA-256 or stronger.',
    run: withCerts((tls) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const certs = certsToCheck(tls);
      const weakHash = (c: TlsCertificateFacts) => {
        const h = c.signatureHash ?? (/md5|sha1(?!\d)|sha-1|md2|md4/i.test(c.signatureAlgorithm) ? 'weak' : null);
        return h !== null && /^(md2|md4|md5|sha1|weak)$/.test(h);
      };
      const weak = certs.map((c, i) => [c, i] as const).filter(([c]) => weakHash(c));
      const ev = certs.map((c, i) => certEvidence(c, i, ['signatureAlgorithm']));
      if (!weak.length)
        return {
          status: 'pass',
          detail: `signatures use ${[...new Set(certs.map((c) => c.signatureAlgorithm))].join(', ')}`,
          evidence: ev,
        };
      return { status: 'fail', detail: weak.map(([c, i]) => `${certLabel(c, i)}: ${c.signatureAlgorithm}`).join('; '), evidence: ev };
    }),
  },
  {
    id: 'TLS-CERT-LIFETIME',
    title: 'Certificate lifetime over 398 days',
    severity: 'low',
    controls: [],
    remediation: 'Issue certificates valid for at most 398 days (CA/Browser Forum), and automate renewal.',
    run: withCerts((tls, ctx) => {
      const nc = noCert(tls);
      if (nc) return nc;
      const max = ctx.options.certMaxLifetimeDays ?? 398;
      const leaf = certsToCheck(tls)[0]!;
      const days = leaf.lifetimeDays ?? Math.floor((Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)) / DAY);
      const ev = [certEvidence(leaf, 0, ['notBefore', 'notAfter'])];
      if (Number.isNaN(days)) return { status: 'skipped', detail: 'validity dates unreadable' };
      return days > max
        ? { status: 'warn', detail: `the leaf certificate is valid for ${days} days (> ${max})`, evidence: ev }
        : { status: 'pass', detail: `the leaf certificate is valid for ${days} days`, evidence: ev };
    }),
  },
  {
    id: 'TLS-DATA-CHANNEL-DIFFERS',
    title: 'Data channel TLS weaker than control channel',
    severity: 'medium',
    controls: pci('4.2.1'),
    remediation:
      'Configure the data channel with the same TLS settings and certificate as the control channel (ProFTPD: one mod_tls config for both; vsftpd and Pure-FTPd share them by design — a difference points at a proxy or load balancer).',
    run: withTls((tls) => {
      const d = tls.dataChannel;
      if (d === undefined || d === null)
        return { status: 'skipped', detail: 'the data channel TLS was not probed (needs a PROT P data connection)' };
      const ctl = tls.negotiated ?? null;
      const ev: Evidence[] = [
        {
          label: 'control channel',
          value: `${ctl?.protocol ?? '?'} ${ctl?.cipher ?? '?'} ${tls.certificate?.fingerprintSha256 ?? ''}`.trim(),
        },
        { label: 'data channel', value: `${d.protocol ?? '?'} ${d.cipher ?? '?'} ${d.fingerprintSha256 ?? ''}`.trim() },
      ];
      const diffs: string[] = [];
      const rc = ctl?.protocol ? RANK[ctl.protocol] : undefined;
      const rd = d.protocol ? RANK[d.protocol] : undefined;
      if (rc !== undefined && rd !== undefined && rd < rc) diffs.push(`version ${d.protocol} < ${ctl!.protocol}`);
      if (ctl?.cipher && d.cipher && ctl.cipher !== d.cipher) diffs.push(`cipher ${d.cipher} instead of ${ctl.cipher}`);
      if (d.fingerprintSha256 && tls.certificate?.fingerprintSha256 && d.fingerprintSha256 !== tls.certificate.fingerprintSha256)
        diffs.push('a different certificate');
      if (!diffs.length) return { status: 'pass', detail: 'the data channel negotiates the same TLS as the control channel', evidence: ev };
      return { status: 'fail', detail: `the data channel differs: ${diffs.join(', ')}`, evidence: ev };
    }),
  },
];
