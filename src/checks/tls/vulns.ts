// Named TLS vulnerabilities (issue 16): one check per test of the battery (active: a crafted
// handshake decided it) or per weakness read off the offered suites (derived: no exploit was
// attempted, and the detail says so). Each judges tls.vulnerabilities, written by the tls-vulns
// probe; DROWN's cross-endpoint part is already in the facts (src/scan.ts).
import type { Evidence, Severity, TlsFacts, TlsVulnResult, VulnIdFact } from '../../model.js';
import { defineCheck, type CheckOutcome } from '../types.js';
import { withTls } from './support.js';

export const DERIVED_WORDS = 'derived from the offered suites and protocols; no exploit was attempted';

interface VulnMeta {
  title: string;
  observes: string;
  severity: Severity;
  remediation: string;
  /**
   * the flaw needs more than the offered suites show (an unpatched library, an old client): a
   * derived "vulnerable" is then a warning (potentially vulnerable), never a proven fail
   */
  potential?: boolean;
}

function evidenceOf(r: TlsVulnResult): Evidence[] {
  return [
    ...r.evidence.map((value) => ({ label: r.derived ? 'derived' : 'handshake', value })),
    ...(r.facts ?? []).map((f) => ({ label: f.label, value: f.value })),
    ...(r.suites ?? []).slice(0, 12).map((value) => ({ label: 'offered suite', value })),
    ...(r.derived ? [] : [{ label: 'cost', value: `${r.connections} connection(s), ${r.ms} ms${r.intrusive ? '; intrusive test' : ''}` }]),
  ];
}

/** The evidence lines that say why, for the detail (the full list is in the evidence). */
function why(r: TlsVulnResult): string {
  const lines = r.evidence.filter((e) => !/^derived from the offered suites/.test(e));
  const text = lines.slice(0, 3).join('; ');
  if (text.length <= 500) return text;
  // too long for one line (ROBOT's rounds): the conclusion, which a test states last
  const last = lines.at(-1)!;
  return last.length > 500 ? `${last.slice(0, 497)}…` : last;
}

/**
 * The verdict of one result: vulnerable fails (warns when `potential`), not vulnerable (or not
 * applicable) passes, inconclusive warns.
 */
export function vulnOutcome(r: TlsVulnResult, title: string, potential = false): CheckOutcome {
  const how = r.derived ? ` (${DERIVED_WORDS})` : '';
  const first = why(r);
  const evidence = evidenceOf(r);
  switch (r.status) {
    case 'vulnerable':
      return potential
        ? { status: 'warn', detail: `${title}: potentially vulnerable — ${first}${how}`, evidence }
        : { status: 'fail', detail: `${title}: vulnerable — ${first}${how}`, evidence };
    case 'not-vulnerable':
      return { status: 'pass', detail: `${title}: not vulnerable — ${first}${how}`, evidence };
    case 'not-applicable':
      return { status: 'pass', detail: `${title}: not applicable — ${first}${how}`, evidence };
    case 'inconclusive':
      return {
        status: 'warn',
        detail: `${title}: could not be decided — ${first}${how}`,
        evidence,
        remediation: 'Scan again (a larger --timeout helps a slow or loaded server); the evidence says which step did not complete.',
      };
  }
}

function judge(tls: TlsFacts, id: VulnIdFact, title: string, potential: boolean): CheckOutcome {
  const v = tls.vulnerabilities;
  if (!v) return { status: 'skipped', detail: 'the TLS vulnerability battery did not run on this endpoint' };
  const r = [...v.active, ...v.derived].find((x) => x.id === id);
  if (r) return vulnOutcome(r, title, potential);
  const skipped = v.skipped.find((s) => s.id === id);
  return { status: 'skipped', detail: skipped ? `not tested: ${skipped.reason}` : 'not tested' };
}

function vulnCheck<const Id extends string>(id: Id, vuln: VulnIdFact, m: VulnMeta) {
  return defineCheck({
    id,
    family: 'tls',
    title: m.title,
    observes: m.observes,
    severity: m.severity,
    remediation: m.remediation,
    run: withTls((tls) => judge(tls, vuln, m.title, m.potential === true)),
  });
}

const UPDATE = 'Update the TLS library (OpenSSL or the appliance firmware) to a supported release and restart the FTP server';
const SUITES = 'vsftpd ssl_ciphers, ProFTPD TLSCipherSuite, Pure-FTPd -J/--tlsciphersuite: ECDHE with AES-GCM or ChaCha20-Poly1305 only';

export const tlsVulnHeartbleed = vulnCheck('TLS-VULN-HEARTBLEED', 'heartbleed', {
  title: 'Heartbleed (CVE-2014-0160)',
  observes:
    'a heartbeat claiming more bytes than it carries is answered with the claimed length (active, intrusive; no leaked byte is kept)',
  severity: 'critical',
  remediation: `${UPDATE}; then replace the private key and revoke the old certificate: its memory, keys included, may have leaked.`,
});

export const tlsVulnCcsInjection = vulnCheck('TLS-VULN-CCS-INJECTION', 'ccs-injection', {
  title: 'CCS injection (CVE-2014-0224)',
  observes: 'an early ChangeCipherSpec before the key exchange is accepted (active, intrusive)',
  severity: 'high',
  remediation: `${UPDATE} (OpenSSL 0.9.8za / 1.0.0m / 1.0.1h fixed it).`,
});

export const tlsVulnRobot = vulnCheck('TLS-VULN-ROBOT', 'robot', {
  title: 'ROBOT (Bleichenbacher RSA padding oracle)',
  observes: 'the server reacts differently to the ROBOT paper’s malformed-padding RSA ClientKeyExchange variants (active, intrusive)',
  severity: 'high',
  remediation: `Disable RSA key-exchange suites (TLS_RSA_*; ${SUITES}), and ${UPDATE.toLowerCase()}.`,
});

export const tlsVulnInsecureRenegotiation = vulnCheck('TLS-VULN-RENEG-INSECURE', 'secure-renegotiation', {
  title: 'Insecure renegotiation (CVE-2009-3555)',
  observes: 'the server does not answer RFC 5746 renegotiation indication in a TLS ≤ 1.2 handshake (active)',
  severity: 'medium',
  remediation: `${UPDATE}: every current library supports RFC 5746 secure renegotiation.`,
});

export const tlsVulnClientRenegotiation = vulnCheck('TLS-VULN-RENEG-CLIENT', 'client-renegotiation', {
  title: 'Client-initiated renegotiation',
  observes:
    'a client may start a renegotiation after a completed TLS 1.2 handshake (denial of service; with no RFC 5746, injection) (active)',
  severity: 'medium',
  remediation:
    'Refuse client-initiated renegotiation: ProFTPD TLSRenegotiate none; OpenSSL 3 refuses it by default (update the server’s TLS library).',
});

export const tlsVulnTicketbleed = vulnCheck('TLS-VULN-TICKETBLEED', 'ticketbleed', {
  title: 'Ticketbleed (CVE-2016-9244)',
  observes: 'a session-ticket resumption echoes more session-id bytes than we sent (active; the extra bytes are not kept)',
  severity: 'high',
  remediation: 'Update the TLS stack (F5 BIG-IP: a fixed release), or disable session tickets until then.',
});

export const tlsVulnDowngradeSentinel = vulnCheck('TLS-VULN-DOWNGRADE', 'downgrade-sentinel', {
  title: 'TLS 1.3 downgrade protection',
  observes: 'a TLS 1.3 server marks a TLS 1.2 (or lower) ServerHello random with DOWNGRD (RFC 8446 §4.1.3) (active)',
  severity: 'medium',
  remediation: `${UPDATE}: a TLS 1.3 library must mark lower-version handshakes so clients can detect a downgrade.`,
});

export const tlsVulnPoodle = vulnCheck('TLS-VULN-POODLE', 'poodle', {
  title: 'POODLE (CVE-2014-3566)',
  observes: 'SSLv3 with CBC suites offered (derived from the offered suites)',
  severity: 'high',
  remediation: 'Disable SSLv3: vsftpd ssl_sslv3=NO; ProFTPD TLSProtocol TLSv1.2 TLSv1.3; Pure-FTPd: MinProtocol in openssl.cnf.',
});

export const tlsVulnBeast = vulnCheck('TLS-VULN-BEAST', 'beast', {
  title: 'BEAST (CVE-2011-3389)',
  observes: 'CBC suites offered at TLS 1.0 or SSLv3 (derived from the offered suites; a warning: current clients split records against it)',
  severity: 'low',
  potential: true,
  remediation: 'Disable TLS 1.0 and SSLv3 (vsftpd ssl_tlsv1=NO, ssl_sslv3=NO; ProFTPD TLSProtocol TLSv1.2 TLSv1.3).',
});

export const tlsVulnLucky13 = vulnCheck('TLS-VULN-LUCKY13', 'lucky13', {
  title: 'LUCKY13 (CVE-2013-0169)',
  observes:
    'CBC (MAC-then-encrypt) suites offered (derived from the offered suites; a warning: a patched library decodes CBC in constant time, which no scan can see)',
  severity: 'low',
  potential: true,
  remediation: `Prefer AEAD suites and drop CBC ones (${SUITES}); keep the TLS library current (constant-time CBC decoding).`,
});

export const tlsVulnSweet32 = vulnCheck('TLS-VULN-SWEET32', 'sweet32', {
  title: 'SWEET32 (CVE-2016-2183)',
  observes: '64-bit block ciphers (3DES, DES, IDEA, RC2) offered (derived from the offered suites)',
  severity: 'medium',
  remediation: `Remove 3DES, DES, IDEA and RC2 suites (${SUITES}).`,
});

export const tlsVulnFreak = vulnCheck('TLS-VULN-FREAK', 'freak', {
  title: 'FREAK (CVE-2015-0204)',
  observes: 'export-grade RSA suites offered (derived from the offered suites)',
  severity: 'high',
  remediation: `Remove every EXPORT suite (${SUITES}) and ${UPDATE.toLowerCase()}.`,
});

export const tlsVulnLogjam = vulnCheck('TLS-VULN-LOGJAM', 'logjam', {
  title: 'LOGJAM (CVE-2015-4000)',
  observes:
    'export DH suites, a DHE prime under 1024 bits, or a common 1024-bit prime (derived from the offered suites and the DH group seen)',
  severity: 'high',
  remediation:
    'Remove export DH suites and use DH groups of 2048 bits or more (ffdhe2048; ProFTPD TLSDHParamFile, vsftpd dh_param_file) — or ECDHE only.',
});

export const tlsVulnDrown = vulnCheck('TLS-VULN-DROWN', 'drown', {
  title: 'DROWN (CVE-2016-0800)',
  observes:
    'SSLv2 offered, or this certificate/key served with SSLv2 by another endpoint of the same scan (derived from the offered suites)',
  severity: 'high',
  remediation: 'Disable SSLv2 on every server that uses this key (vsftpd ssl_sslv2=NO), or give the SSLv2 server a key of its own.',
});

export const tlsVulnRc4 = vulnCheck('TLS-VULN-RC4', 'rc4', {
  title: 'RC4 biases (CVE-2013-2566, CVE-2015-2808)',
  observes: 'RC4 suites offered (derived from the offered suites)',
  severity: 'high',
  remediation: `Remove RC4 suites (RFC 7465; ${SUITES}).`,
});

export const tlsVulnCrime = vulnCheck('TLS-VULN-CRIME', 'crime', {
  title: 'CRIME (CVE-2012-4929)',
  observes: 'TLS compression accepted (derived from the compression methods the server chose)',
  severity: 'medium',
  remediation: 'Disable TLS compression (current OpenSSL builds have it off; update the TLS library).',
});

export const TLS_VULN_CHECKS = [
  tlsVulnHeartbleed,
  tlsVulnCcsInjection,
  tlsVulnRobot,
  tlsVulnInsecureRenegotiation,
  tlsVulnClientRenegotiation,
  tlsVulnTicketbleed,
  tlsVulnDowngradeSentinel,
  tlsVulnPoodle,
  tlsVulnBeast,
  tlsVulnLucky13,
  tlsVulnSweet32,
  tlsVulnFreak,
  tlsVulnLogjam,
  tlsVulnDrown,
  tlsVulnRc4,
  tlsVulnCrime,
] as const;
