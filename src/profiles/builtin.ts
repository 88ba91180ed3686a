// Built-in profiles, as data. Each is versioned: bump `version` when its mapping, thresholds or
// severities change, so a filed report names exactly the rules it was judged by.
// Sources: PCI DSS v4.0.1 (June 2024), 45 CFR 164.312, NIST SP 800-52 Rev. 2 (Aug 2019),
// Mozilla Server Side TLS 5.7 and 6.0.
import { CHECK_IDS } from '../checks/registry.js';
import type { Profile, ProfileControl } from './types.js';

import { CLUSTER_CONFIG, CLUSTER_IDENTITY, TLS_VULN_DERIVED, TLS_VULN_IMPL } from '../knowledge/control-catalogue.js';
import { MOZILLA_INTERMEDIATE_5_7, MOZILLA_INTERMEDIATE_6_0, NIST_800_52R2_SUITES } from '../knowledge/tls-suite-lists.js';

export { MOZILLA_INTERMEDIATE_5_7, MOZILLA_INTERMEDIATE_6_0, NIST_800_52R2_SUITES };

// ---- check groups ---------------------------------------------------------------------------

const TLS_PROTO = ['TLS-PROTO-SSL2', 'TLS-PROTO-SSL3', 'TLS-PROTO-TLS10', 'TLS-PROTO-TLS11', 'TLS-NO-TLS12', 'TLS-NO-TLS13'];
const TLS_WEAK_SUITES = ['TLS-CIPHER-NULL', 'TLS-CIPHER-ANON', 'TLS-CIPHER-EXPORT', 'TLS-CIPHER-RC4', 'TLS-CIPHER-DES', 'TLS-CIPHER-3DES'];
const TLS_CERT = [
  'TLS-CERT-EXPIRED',
  'TLS-CERT-NOT-YET-VALID',
  'TLS-CERT-UNTRUSTED',
  'TLS-CERT-NAME-MISMATCH',
  'TLS-CERT-WEAK-KEY',
  'TLS-CERT-WEAK-SIGNATURE',
];
// the named TLS vulnerabilities: implementation flaws and weaknesses derived from the suites
const TLS_VULN = [...TLS_VULN_IMPL, ...TLS_VULN_DERIVED];
const TLS_STATUS = ['TLS-OCSP-STAPLING', 'TLS-CERT-MUST-STAPLE'];
const SSH_CRYPTO = ['SSH-PROTO-1', 'SSH-KEX-WEAK', 'SSH-HOSTKEY-WEAK', 'SSH-CIPHER-WEAK', 'SSH-MAC-WEAK'];
const FTPS_CHANNELS = [
  'FTP-CLEARTEXT-SERVICE',
  'FTPS-AUTH-TLS',
  'FTPS-PROT-P',
  'FTPS-PROT-C-ALLOWED',
  'FTPS-DATA-NOT-TLS',
  'FTPS-CCC-ALLOWED',
];
const POLICY = ['NET-PORT-STATE', 'NET-UNEXPECTED-SERVICE', 'POLICY-EXPECTED-SERVICE', 'POLICY-KEY-PIN', 'CRYPTO-INVENTORY'];
// Clusters (src/checks/cluster): the identity a partner pins, and the configuration nodes share.
const CLUSTER_TLS = ['CLUSTER-TLS-DRIFT', 'CLUSTER-CERT-DRIFT', 'CLUSTER-VIP-MULTIPLE-CERTS'];
const allBut = (...ids: string[]) => CHECK_IDS.filter((id) => !ids.includes(id));
const tlsOnly = () =>
  CHECK_IDS.filter(
    (id) =>
      id.startsWith('TLS-') ||
      ['FTPS-AUTH-TLS', 'FTPS-PROT-P', 'FTPS-DATA-NOT-TLS', 'FTP-CLEARTEXT-SERVICE', ...POLICY, ...CLUSTER_TLS].includes(id),
  );

// What no network scan can prove, said the same way in every profile.
const CANNOT_STORAGE =
  'A network scan sees data in transit only. It cannot see whether files are encrypted at rest (e.g. PGP-encrypted before upload, encrypted volumes); confirm with configuration review and file samples.';
const CANNOT_LOGGING =
  'A network scan cannot see whether access and transfers are logged, reviewed and retained; confirm from the server and SIEM configuration and sample log entries.';
const CANNOT_KEYMGMT =
  'A network scan cannot see how keys are generated, stored, rotated and who can reach them; confirm from key-management procedures and records.';

function c(
  prefix: string,
  ref: string,
  title: string,
  testability: ProfileControl['testability'],
  checks: string[],
  note: string,
): ProfileControl {
  return { id: `${prefix} ${ref}`, ref, title, testability, checks, note };
}

// ---- PCI DSS v4.0.1 -------------------------------------------------------------------------

const P = 'PCI DSS 4.0.1';
export const PCI_DSS_4_0_1: Profile = {
  id: 'pci-dss-4.0.1',
  version: '2025.2',
  title: 'PCI DSS v4.0.1',
  standard: 'PCI DSS v4.0.1 (June 2024)',
  description:
    'Requirements a file-transfer endpoint that carries cardholder data is judged by: approved services only, strong cryptography in transit (PCI defers to NIST SP 800-52r2 for TLS), no cleartext authentication, current software, and an inventory of keys, certificates and suites.',
  checks: allBut(
    'TLS-CIPHER-CBC',
    'SSH-NO-PQ-KEX',
    'SSH-COMPRESSION',
    'FTPS-AUTH-SSL',
    'FTPS-IMPLICIT',
    'FTPS-SESSION-REUSE',
    'FTPS-TRANSFER-SEQUENCE',
    'FTPS-CLIENT-LIBS',
    'FTP-ALG-REWRITE',
  ),
  severity: {
    'TLS-PROTO-TLS10': 'critical', // early TLS: an automatic ASV scan failure
    'TLS-PROTO-TLS11': 'high',
    'TLS-CERT-EXPIRED': 'critical', // 4.2.1: certificates valid and not expired (mandatory since 31 Mar 2025)
    'TLS-CERT-UNTRUSTED': 'high',
    'FTP-CLEARTEXT-SERVICE': 'critical',
    'TLS-CIPHER-PROFILE': 'medium',
  },
  thresholds: {
    minTlsVersion: 'TLSv1.2',
    allowedSuites: NIST_800_52R2_SUITES,
    minRsaBits: 2048,
    minEcBits: 224,
    minDhBits: 2048,
    certExpiryWarnDays: 30,
    certMaxLifetimeDays: 398,
  },
  controls: [
    c(
      P,
      '1.2.5',
      'All allowed services, protocols and ports are identified, approved and have a business need',
      'partial',
      [
        'NET-PORT-STATE',
        'NET-UNEXPECTED-SERVICE',
        'POLICY-EXPECTED-SERVICE',
        'FTP-CLEARTEXT-SERVICE',
        'FTP-PASV-RANGE',
        'NET-PASV-FILTERED',
        'CLUSTER-PASV-DRIFT',
        'CLUSTER-STANDBY-ANSWERS',
      ],
      'The scan shows which ports and services are exposed and compares them with the partner policy (and, for a group of nodes, whether every node uses the same passive range and a standby node is really idle). The approval and business justification are documents the scan cannot see.',
    ),
    c(
      P,
      '1.2.6',
      'Security features are defined and implemented for insecure services',
      'partial',
      ['FTP-CLEARTEXT-SERVICE'],
      'The scan shows whether FTP is offered without TLS; compensating controls around an insecure service must be reviewed on paper.',
    ),
    c(
      P,
      '1.3.1',
      'Inbound traffic to the CDE is restricted to what is necessary',
      'partial',
      ['NET-UNEXPECTED-SERVICE', 'FTP-PASV-RANGE'],
      'The scan tests the ports it was told to try from one vantage point; a firewall rule review covers the rest.',
    ),
    c(
      P,
      '1.4.2',
      'Inbound traffic from untrusted networks is restricted',
      'partial',
      ['FTP-BOUNCE'],
      'Only the FTP bounce vector is tested; other inbound paths need a firewall rule review.',
    ),
    c(
      P,
      '1.4.5',
      'Disclosure of internal IP addresses is limited to authorised parties',
      'automated',
      ['FTP-PASV-ADDRESS'],
      'A PASV reply carrying a private address discloses it to every client.',
    ),
    c(
      P,
      '2.2.1',
      'Configuration standards are developed, implemented and maintained for all system components',
      'partial',
      CLUSTER_CONFIG,
      'For a group of nodes that serve one service, the scan compares the nodes with each other: a node whose keys, certificate, TLS or SSH algorithms, software, passive range, login policy or features differ shows that the standard is not applied consistently. Whether the standards exist and are reviewed is documentation.',
    ),
    c(
      P,
      '2.2.2',
      'Vendor default accounts are removed or disabled',
      'partial',
      ['FTP-ANONYMOUS'],
      'Anonymous FTP is tested; other default accounts would need credential testing the scan does not do.',
    ),
    c(
      P,
      '2.2.4',
      'Only necessary services, protocols and functions are enabled',
      'partial',
      ['NET-UNEXPECTED-SERVICE', 'POLICY-EXPECTED-SERVICE', 'FTP-CLEARTEXT-SERVICE', 'SSH-SFTP-ONLY'],
      'Exposed services and (with credentials) shell/forwarding on a file-transfer account are tested; services not reachable from the scanner are not seen.',
    ),
    c(
      P,
      '2.2.5',
      'Insecure services present are justified and mitigated',
      'partial',
      ['FTP-CLEARTEXT-SERVICE'],
      'The scan finds insecure services; their justification is documentation.',
    ),
    c(
      P,
      '2.2.7',
      'All non-console administrative access is encrypted with strong cryptography',
      'partial',
      [...SSH_CRYPTO, 'SSH-SFTP-ONLY'],
      'An SSH server also gives administrative (shell) access unless the account is SFTP-only: its cryptography, and whether a transfer account gets a shell, are tested. A file-transfer login is not administrative access (8.3.2 covers it); administrative interfaces elsewhere are not tested.',
    ),
    c(
      P,
      '4.2.1',
      'Strong cryptography protects PAN during transmission over open, public networks: trusted, valid certificates; no insecure versions, algorithms or key sizes',
      'automated',
      [
        ...TLS_PROTO,
        ...TLS_WEAK_SUITES,
        'TLS-CIPHER-NO-PFS',
        'TLS-CIPHER-PROFILE',
        'TLS-DH-WEAK',
        ...TLS_CERT,
        'TLS-CERT-REVOKED',
        'TLS-CERT-CHAIN',
        ...TLS_VULN,
        'TLS-DATA-CHANNEL-DIFFERS',
        ...FTPS_CHANNELS,
        ...SSH_CRYPTO,
        'POLICY-KEY-PIN',
      ],
      'Tested on the wire: protocol versions, cipher suites, key sizes, certificates (validity, trust, name, chain), named TLS implementation vulnerabilities (no insecure implementations; the suite-derived ones say so), FTPS data-channel protection and SSH algorithms. Revocation is asked of the CA only with --check-revocation (it contacts a third party); otherwise TLS-CERT-REVOKED is skipped. The requirement applies where the endpoint carries PAN over open, public networks; whether it does is for the assessor to scope.',
    ),
    c(
      P,
      '4.2.1.1',
      'An inventory of trusted keys and certificates is maintained',
      'partial',
      ['CRYPTO-INVENTORY', 'POLICY-KEY-PIN', 'TLS-CERT-EXPIRING', ...CLUSTER_IDENTITY],
      'The report lists every key and certificate seen, with fingerprints and expiry, as input to the inventory; for a group of nodes it shows keys and certificates that differ between nodes, or that appear through the virtual address only, and host keys shared by unrelated machines. Keeping the inventory is a process the scan cannot prove.',
    ),
    c(
      P,
      '6.3.3',
      'Security patches are installed within one month of release',
      'partial',
      ['FTP-SOFTWARE', 'SSH-SOFTWARE', 'SSH-TERRAPIN', 'CLUSTER-SOFTWARE-DRIFT', ...TLS_VULN_IMPL],
      'Software that discloses its version is compared with known advisories (and, within a group, with the other nodes; a hidden or back-ported version cannot be judged); TLS implementation flaws (Heartbleed, CCS injection, ROBOT, Ticketbleed, renegotiation, downgrade protection) are tested on the wire, whatever the version says.',
    ),
    c(
      P,
      '8.2.1',
      'All users have a unique ID',
      'partial',
      ['FTP-ANONYMOUS'],
      'Anonymous access is tested; account management is not visible to a scan.',
    ),
    c(
      P,
      '8.2.2',
      'Group, shared or generic accounts are used only by exception',
      'partial',
      ['FTP-ANONYMOUS'],
      'Anonymous FTP is a generic account: it is tested. Other shared accounts are not visible to a scan.',
    ),
    c(
      P,
      '8.3.1',
      'All user access is authenticated with at least one factor',
      'partial',
      ['SSH-AUTH-METHODS'],
      'Tested: whether the SSH server lets anyone in without authentication (method none). Which factor each account uses is not visible.',
    ),
    c(
      P,
      '8.3.2',
      'Strong cryptography renders authentication factors unreadable in transit',
      'automated',
      ['FTP-CLEARTEXT-LOGIN', 'FTPS-CCC-ALLOWED', 'TLS-PROTO-SSL2', 'TLS-PROTO-SSL3', 'SSH-PROTO-1'],
      'Tested: whether a login can cross the network before TLS, or after the control channel falls back to cleartext.',
    ),
    c(
      P,
      '12.3.3',
      'Cipher suites and protocols in use are documented and reviewed at least every 12 months',
      'partial',
      ['CRYPTO-INVENTORY'],
      'The report is the documentation of what is in use on these endpoints; the yearly review is a process.',
    ),
    c(
      P,
      '11.3.1',
      'Internal vulnerability scans at least every three months; high-risk and critical vulnerabilities resolved and rescanned',
      'partial',
      [...TLS_VULN, 'SSH-TERRAPIN'],
      'The named TLS vulnerabilities (active tests and those derived from the offered suites) and Terrapin are tested on this endpoint and can be part of internal-scan evidence; scope, cadence, risk ranking and rescans are a process the scan cannot prove. --no-intrusive skips Heartbleed, CCS injection and ROBOT.',
    ),
    c(P, '3.5.1', 'Stored PAN is rendered unreadable (storage encryption)', 'not-testable', [], CANNOT_STORAGE),
    c(
      P,
      '3.6.1',
      'Procedures protect cryptographic keys against disclosure and misuse (key management)',
      'not-testable',
      [],
      CANNOT_KEYMGMT,
    ),
    c(
      P,
      '8.4.2',
      'Multi-factor authentication for all access into the CDE',
      'not-testable',
      [],
      'Second factors are enforced after login; the scan does not complete an interactive login, so it cannot prove MFA.',
    ),
    c(P, '10.2.1', 'Audit logs are enabled and active for all system components', 'not-testable', [], CANNOT_LOGGING),
    c(
      P,
      '11.3.2',
      'External vulnerability scans by a PCI SSC Approved Scanning Vendor',
      'not-testable',
      [],
      'xferscan is not an ASV scan; its findings can support, not replace, the quarterly ASV scan.',
    ),
  ],
  source: 'built-in',
};

// ---- HIPAA Security Rule --------------------------------------------------------------------

const H = 'HIPAA 45 CFR 164.312';
export const HIPAA: Profile = {
  id: 'hipaa',
  version: '2025.2',
  title: 'HIPAA Security Rule (technical safeguards)',
  standard: 'HIPAA Security Rule, 45 CFR 164.312',
  description:
    'Technical safeguards for ePHI moving through a file-transfer endpoint. HHS treats transmission encryption that follows NIST SP 800-52r2 as meeting the encryption specification, so TLS is judged by 800-52r2 thresholds.',
  checks: allBut(
    'TLS-CIPHER-CBC',
    'SSH-NO-PQ-KEX',
    'SSH-COMPRESSION',
    'FTPS-AUTH-SSL',
    'FTPS-IMPLICIT',
    'FTPS-SESSION-REUSE',
    'FTPS-TRANSFER-SEQUENCE',
    'FTPS-CLIENT-LIBS',
    'FTP-ALG-REWRITE',
    'TLS-CERT-LIFETIME',
    'FTP-BOUNCE',
  ),
  severity: {
    'FTP-CLEARTEXT-SERVICE': 'critical',
    'FTPS-PROT-C-ALLOWED': 'critical',
    'TLS-PROTO-TLS10': 'high',
    'TLS-PROTO-TLS11': 'high',
  },
  thresholds: {
    minTlsVersion: 'TLSv1.2',
    allowedSuites: NIST_800_52R2_SUITES,
    minRsaBits: 2048,
    minEcBits: 256,
    minDhBits: 2048,
    certExpiryWarnDays: 30,
  },
  controls: [
    c(
      H,
      '(e)(1)',
      'Transmission security: guard against unauthorised access to ePHI transmitted over a network',
      'automated',
      [
        'FTP-CLEARTEXT-SERVICE',
        'FTP-CLEARTEXT-LOGIN',
        'FTPS-PROT-C-ALLOWED',
        'FTPS-DATA-NOT-TLS',
        ...TLS_PROTO.slice(0, 4),
        'SSH-PROTO-1',
        'TLS-CERT-EXPIRED',
        'TLS-CERT-UNTRUSTED',
        'TLS-CERT-NAME-MISMATCH',
        'TLS-CERT-REVOKED',
        'TLS-VULN-HEARTBLEED',
        'TLS-VULN-CCS-INJECTION',
        'TLS-VULN-ROBOT',
        'TLS-VULN-DROWN',
        'POLICY-KEY-PIN',
        ...CLUSTER_IDENTITY,
      ],
      'Tested on the wire: whether logins and files can cross the network unencrypted, whether the server proves its identity (valid, trusted, unrevoked certificate for the name — revocation only with --check-revocation; pinned host key; the same key and certificate on every node of a service), and TLS implementation flaws through which the channel can be intercepted or its keys read.',
    ),
    c(
      H,
      '(e)(2)(i)',
      'Integrity controls: transmitted ePHI is not improperly modified without detection',
      'automated',
      ['FTPS-CCC-ALLOWED', 'SSH-MAC-WEAK', 'TLS-CIPHER-NULL', 'TLS-PROTO-SSL2', 'TLS-PROTO-SSL3', 'SSH-TERRAPIN'],
      'Tested: integrity protection of the channel (MACs, no cleartext fallback). Integrity of files after they arrive is not visible.',
    ),
    c(
      H,
      '(e)(2)(ii)',
      'Encryption of ePHI in transit (addressable)',
      'automated',
      [
        'FTPS-AUTH-TLS',
        'FTPS-PROT-P',
        'FTPS-DATA-NOT-TLS',
        ...TLS_WEAK_SUITES,
        'TLS-CIPHER-PROFILE',
        'TLS-DH-WEAK',
        'TLS-CERT-WEAK-KEY',
        ...TLS_VULN_DERIVED.filter((id) => id !== 'TLS-VULN-DROWN'),
        'SSH-CIPHER-WEAK',
        'SSH-KEX-WEAK',
        'CLUSTER-TLS-DRIFT',
        'CLUSTER-SSH-ALGO-DRIFT',
      ],
      'Tested against NIST SP 800-52r2 thresholds (TLS 1.2+, approved suites, 2048-bit keys) and SSH algorithm strength. This specification is addressable: a failing finding is a risk to remedy, or to document an equivalent measure for, not by itself a violation.',
    ),
    c(
      H,
      '(d)',
      'Person or entity authentication: the person or entity seeking access is the one claimed',
      'partial',
      ['FTP-ANONYMOUS', 'SSH-AUTH-METHODS', 'TLS-CLIENT-CERT', 'CLUSTER-LOGIN-POLICY-DRIFT'],
      "The scan tests whether the endpoint lets anyone in without identifying them (anonymous FTP, SSH method none), which methods it offers and whether it asks for a client certificate (mutual TLS, reported as a fact); how users are enrolled and verified is not visible. (The server's own certificate is transmission security, (e)(1).)",
    ),
    c(H, '(a)(2)(iv)', 'Encryption and decryption of stored ePHI (addressable)', 'not-testable', [], CANNOT_STORAGE),
    c(H, '(b)', 'Audit controls: activity in systems with ePHI is recorded and examined', 'not-testable', [], CANNOT_LOGGING),
    c(
      H,
      '(c)(1)',
      'Integrity of ePHI at rest (not improperly altered or destroyed)',
      'not-testable',
      [],
      'A network scan cannot see what happens to files after they are stored; confirm with checksums, backups and access-control review.',
    ),
  ],
  source: 'built-in',
};

// ---- NIST SP 800-52 Rev. 2 ------------------------------------------------------------------

const N = 'NIST SP 800-52r2';
export const NIST_800_52R2: Profile = {
  id: 'nist-800-52r2',
  version: '2025.2',
  title: 'NIST SP 800-52 Rev. 2 (TLS servers)',
  standard: 'NIST SP 800-52 Revision 2 (August 2019)',
  description:
    'Guidelines for TLS server configuration: TLS 1.2 required and TLS 1.3 supported (since 1 Jan 2024), approved cipher suites only, 2048-bit RSA or P-256/P-384 certificates with SHA-256+, required extensions. Applies to TLS endpoints (FTPS); SSH is outside its scope.',
  checks: tlsOnly().filter((id) => id !== 'TLS-CIPHER-CBC'),
  severity: {
    'TLS-NO-TLS13': 'high',
    'TLS-PROTO-TLS11': 'high',
    'TLS-CIPHER-3DES': 'critical',
    'TLS-EXT-EMS': 'medium',
    'TLS-CIPHER-PROFILE': 'high',
  },
  thresholds: {
    minTlsVersion: 'TLSv1.2',
    allowedSuites: NIST_800_52R2_SUITES,
    minRsaBits: 2048,
    minEcBits: 256,
    minDhBits: 2048,
    certExpiryWarnDays: 30,
    certMaxLifetimeDays: 1095,
  },
  controls: [
    c(
      N,
      '§3.1',
      'Protocol version support: TLS 1.2 required, TLS 1.3 supported, SSL 3.0 / TLS 1.0 / 1.1 not used',
      'automated',
      [...TLS_PROTO, 'CLUSTER-TLS-DRIFT'],
      'Every protocol version is offered to the server and its answer recorded.',
    ),
    c(
      N,
      '§3.2',
      'Server certificates: X.509 v3, RSA ≥ 2048 or P-256/P-384, SHA-256+ signature, valid, matching name',
      'automated',
      [
        ...TLS_CERT,
        'TLS-CERT-LIFETIME',
        'TLS-CERT-CHAIN',
        'TLS-CERT-USAGE',
        'TLS-CERT-REVOKED',
        'CLUSTER-CERT-DRIFT',
        'CLUSTER-VIP-MULTIPLE-CERTS',
      ],
      'The certificate chain the server sends is examined (on every node of a group, and through its virtual address): validity, keys, signatures, the chain as sent (missing intermediates with their AIA URL), serverAuth key usage. Revocation (OCSP/CRL) is asked of the CA only with --check-revocation; otherwise it is reported as not checked.',
    ),
    c(
      N,
      '§3.3.1',
      'Cipher suites: only the approved ephemeral (EC)DHE suites with AES-GCM/CCM/CBC, server preference',
      'automated',
      [
        ...TLS_WEAK_SUITES,
        'TLS-CIPHER-NO-PFS',
        'TLS-CIPHER-PROFILE',
        'TLS-SERVER-PREFERENCE',
        'TLS-DH-WEAK',
        'TLS-DATA-CHANNEL-DIFFERS',
        'CLUSTER-TLS-DRIFT',
      ],
      'Accepted suites are enumerated per version and compared with the §3.3.1 list.',
    ),
    c(
      N,
      '§3.4',
      'TLS extensions: renegotiation indication, extended master secret, certificate status request (OCSP stapling), downgrade protection',
      'partial',
      ['TLS-EXT-RENEGOTIATION', 'TLS-EXT-EMS', 'TLS-FALLBACK-SCSV', ...TLS_STATUS, 'TLS-VULN-RENEG-INSECURE', 'TLS-VULN-DOWNGRADE'],
      'Renegotiation indication, extended master secret, the status_request extension (a stapled OCSP response, and Must-Staple honoured) and downgrade protection (fallback SCSV, the TLS 1.3 sentinel) are tested; SNI and signature-algorithm support are not.',
    ),
    c(N, '§3.2 keys', 'Server private keys are protected and managed (SP 800-57)', 'not-testable', [], CANNOT_KEYMGMT),
  ],
  source: 'built-in',
};

// ---- Mozilla intermediate -------------------------------------------------------------------

function mozilla(version: '6.0' | '5.7'): Profile {
  const M = `Mozilla intermediate ${version}`;
  return {
    id: version === '6.0' ? 'mozilla-intermediate' : 'mozilla-intermediate-5.7',
    version,
    title: `Mozilla Server Side TLS — intermediate (${version})`,
    standard: `Mozilla Server Side TLS guidelines ${version}, intermediate configuration`,
    description:
      version === '6.0'
        ? 'General-purpose TLS configuration: TLS 1.2 and 1.3, ECDHE with AES-GCM or ChaCha20-Poly1305 only, RSA 2048 / ECDSA P-256 certificates with SHA-256, lifetime at most 366 days. Applies to TLS endpoints (FTPS).'
        : 'Mozilla 5.7 intermediate: as 6.0, and the DHE-RSA AES-GCM / ChaCha20 suites are still allowed (with 2048-bit DH). Applies to TLS endpoints (FTPS).',
    checks: tlsOnly(),
    severity: { 'TLS-CIPHER-PROFILE': 'high', 'TLS-CIPHER-CBC': 'medium', 'TLS-CERT-LIFETIME': 'medium', 'TLS-PROTO-TLS11': 'high' },
    thresholds: {
      minTlsVersion: 'TLSv1.2',
      allowedSuites: version === '6.0' ? MOZILLA_INTERMEDIATE_6_0 : MOZILLA_INTERMEDIATE_5_7,
      minRsaBits: 2048,
      minEcBits: 256,
      minDhBits: 2048,
      certExpiryWarnDays: 30,
      certMaxLifetimeDays: 366,
    },
    controls: [
      c(
        M,
        'protocols',
        'Protocols: TLS 1.2 and TLS 1.3 only',
        'automated',
        [...TLS_PROTO, 'CLUSTER-TLS-DRIFT'],
        'Every protocol version is offered to the server (to every node of a group).',
      ),
      c(
        M,
        'cipher suites',
        `Cipher suites: only the ${M} list`,
        'automated',
        [...TLS_WEAK_SUITES, 'TLS-CIPHER-CBC', 'TLS-CIPHER-PROFILE', 'TLS-CIPHER-NO-PFS'],
        'Accepted suites are enumerated and compared with the list.',
      ),
      c(
        M,
        'certificate',
        'Certificate: RSA 2048 or ECDSA P-256, SHA-256 signature, lifetime ≤ 366 days',
        'automated',
        [...TLS_CERT, 'TLS-CERT-LIFETIME', 'TLS-CERT-EXPIRING', 'CLUSTER-CERT-DRIFT', 'CLUSTER-VIP-MULTIPLE-CERTS'],
        'The chain the server sends is examined.',
      ),
      c(
        M,
        'dh',
        'DH parameters: ffdhe2048 or larger',
        'automated',
        ['TLS-DH-WEAK'],
        'Measured from the DHE key exchange when a DHE suite is accepted.',
      ),
      c(
        M,
        'ocsp',
        'OCSP stapling',
        'automated',
        TLS_STATUS,
        'status_request is sent; whether a response is stapled, and what it says, is reported.',
      ),
    ],
    source: 'built-in',
  };
}
export const MOZILLA_INTERMEDIATE = mozilla('6.0');
export const MOZILLA_INTERMEDIATE_57 = mozilla('5.7');

// ---- baseline -------------------------------------------------------------------------------

const B = 'xferscan baseline';
export const BASELINE: Profile = {
  id: 'baseline',
  version: '2025.3',
  title: 'xferscan baseline',
  standard: 'xferscan baseline good practice (no external standard)',
  description:
    'Every check with its default severity: what a careful engineer would want of any file-transfer endpoint. Not a compliance standard; choose a compliance profile for audit evidence.',
  checks: 'all',
  severity: {},
  thresholds: {
    minTlsVersion: 'TLSv1.2',
    allowedSuites: MOZILLA_INTERMEDIATE_6_0,
    minRsaBits: 2048,
    minEcBits: 256,
    minDhBits: 2048,
    certExpiryWarnDays: 30,
    certMaxLifetimeDays: 398,
  },
  controls: [
    c(
      B,
      'B1',
      'Logins and files are encrypted in transit',
      'automated',
      [...FTPS_CHANNELS, 'FTP-CLEARTEXT-LOGIN', 'TLS-PROTO-SSL2', 'TLS-PROTO-SSL3', 'SSH-PROTO-1', 'FTPS-AUTH-SSL', 'FTPS-IMPLICIT'],
      'Tested on the wire.',
    ),
    c(
      B,
      'B2',
      'Current protocols and algorithms only',
      'automated',
      [
        ...TLS_PROTO,
        ...TLS_WEAK_SUITES,
        'TLS-CIPHER-NO-PFS',
        'TLS-CIPHER-CBC',
        'TLS-CIPHER-PROFILE',
        'TLS-SERVER-PREFERENCE',
        'TLS-DH-WEAK',
        'TLS-EXT-RENEGOTIATION',
        'TLS-EXT-EMS',
        'TLS-FALLBACK-SCSV',
        'TLS-DATA-CHANNEL-DIFFERS',
        ...TLS_VULN,
        ...SSH_CRYPTO,
        'SSH-TERRAPIN',
        'SSH-NO-PQ-KEX',
        'SSH-COMPRESSION',
      ],
      'Tested on the wire.',
    ),
    c(
      B,
      'B3',
      'Server identity can be verified (certificates, host keys)',
      'automated',
      [
        ...TLS_CERT,
        'TLS-CERT-EXPIRING',
        'TLS-CERT-LIFETIME',
        'TLS-CERT-CHAIN',
        'TLS-CERT-USAGE',
        'TLS-CERT-REVOKED',
        ...TLS_STATUS,
        'POLICY-KEY-PIN',
        'CRYPTO-INVENTORY',
        ...CLUSTER_IDENTITY,
      ],
      'Tested on the wire.',
    ),
    c(
      B,
      'B4',
      'Only the expected services are exposed, and data channels work through the firewall',
      'partial',
      [
        'NET-PORT-STATE',
        'NET-UNEXPECTED-SERVICE',
        'POLICY-EXPECTED-SERVICE',
        'FTP-PASV-ADDRESS',
        'FTP-PASV-RANGE',
        'NET-PASV-FILTERED',
        'FTP-BOUNCE',
        'FTP-DATA-PASSIVE',
        'FTP-DATA-ACTIVE',
        'FTPS-SESSION-REUSE',
        'FTPS-TRANSFER-SEQUENCE',
        'FTPS-CLIENT-LIBS',
        'FTP-ALG-REWRITE',
        'SSH-SFTP-SUBSYSTEM',
      ],
      'Only the ports tried, from this vantage point.',
    ),
    c(
      B,
      'B5',
      'No anonymous access; least functionality for transfer accounts',
      'partial',
      ['FTP-ANONYMOUS', 'SSH-SFTP-ONLY', 'SSH-AUTH-METHODS'],
      'Login-level checks need credentials.',
    ),
    c(B, 'B6', 'Server software is current', 'partial', ['FTP-SOFTWARE', 'SSH-SOFTWARE'], 'Only disclosed versions can be judged.'),
    c(
      B,
      'B10',
      'Every node of a service is configured alike, and standby nodes are idle',
      'partial',
      CLUSTER_CONFIG,
      'Nodes are compared when the inventory names them as a group; what partners get through the virtual address is sampled.',
    ),
    c(
      B,
      'B11',
      'The scan leaves nothing behind on the server',
      'automated',
      ['FTP-WRITE-TEST-LEFTOVER'],
      'Only --write-test writes; a file it could not delete is named with its path.',
    ),
    c(
      B,
      'B12',
      'The service lets its clients in',
      'automated',
      ['NET-SERVICE-REFUSED'],
      'From this vantage point only: a service that turns the scanner away may serve other addresses.',
    ),
    c(B, 'B7', 'Files are encrypted at rest', 'not-testable', [], CANNOT_STORAGE),
    c(B, 'B8', 'Transfers are logged and reviewed', 'not-testable', [], CANNOT_LOGGING),
    c(B, 'B9', 'Keys are managed (generation, storage, rotation)', 'not-testable', [], CANNOT_KEYMGMT),
  ],
  source: 'built-in',
};

export const BUILTIN_PROFILES: Profile[] = [BASELINE, PCI_DSS_4_0_1, HIPAA, NIST_800_52R2, MOZILLA_INTERMEDIATE, MOZILLA_INTERMEDIATE_57];
