// The default control catalogue: which controls of PCI DSS v4.0.1, the HIPAA Security Rule
// (45 CFR 164.312), NIST SP 800-52r2 and a few RFCs each check's findings are evidence for, when
// no profile is chosen. It has the shape of a profile's controls (src/profiles/builtin.ts) and is
// read the same way: a finding cites exactly the rows that list its check.
export interface CatalogueControl {
  /** the reference as findings carry it, e.g. "PCI DSS 4.0.1 4.2.1" */
  id: string;
  title: string;
  checks: string[];
}

const pci = (ref: string, title: string, checks: string[]): CatalogueControl => ({ id: `PCI DSS 4.0.1 ${ref}`, title, checks });
const hipaa = (ref: string, title: string, checks: string[]): CatalogueControl => ({ id: `HIPAA 45 CFR 164.312${ref}`, title, checks });
const nist = (ref: string, title: string, checks: string[]): CatalogueControl => ({ id: `NIST SP 800-52r2 ${ref}`, title, checks });

const TLS_PROTOCOLS = ['TLS-PROTO-SSL2', 'TLS-PROTO-SSL3', 'TLS-PROTO-TLS10', 'TLS-PROTO-TLS11', 'TLS-NO-TLS12', 'TLS-NO-TLS13'];
const TLS_WEAK = ['TLS-CIPHER-NULL', 'TLS-CIPHER-ANON', 'TLS-CIPHER-EXPORT', 'TLS-CIPHER-RC4', 'TLS-CIPHER-DES', 'TLS-CIPHER-3DES'];
const CERT_VALIDITY = ['TLS-CERT-EXPIRED', 'TLS-CERT-NOT-YET-VALID', 'TLS-CERT-UNTRUSTED', 'TLS-CERT-NAME-MISMATCH'];
/** The named TLS vulnerabilities (src/checks/tls/vulns.ts): implementation flaws a patch fixes; the built-in profiles use these lists too. */
export const TLS_VULN_IMPL = [
  'TLS-VULN-HEARTBLEED',
  'TLS-VULN-CCS-INJECTION',
  'TLS-VULN-ROBOT',
  'TLS-VULN-TICKETBLEED',
  'TLS-VULN-RENEG-INSECURE',
  'TLS-VULN-RENEG-CLIENT',
  'TLS-VULN-DOWNGRADE',
];
/** ...and weaknesses read off the offered suites (derived). */
export const TLS_VULN_DERIVED = [
  'TLS-VULN-POODLE',
  'TLS-VULN-BEAST',
  'TLS-VULN-LUCKY13',
  'TLS-VULN-SWEET32',
  'TLS-VULN-FREAK',
  'TLS-VULN-LOGJAM',
  'TLS-VULN-DROWN',
  'TLS-VULN-RC4',
  'TLS-VULN-CRIME',
];
const SSH_CRYPTO = ['SSH-PROTO-1', 'SSH-KEX-WEAK', 'SSH-HOSTKEY-WEAK', 'SSH-CIPHER-WEAK', 'SSH-MAC-WEAK'];
/** Cluster checks (src/checks/cluster): the identity a partner pins; the built-in profiles use these lists too. */
export const CLUSTER_IDENTITY = [
  'CLUSTER-HOSTKEY-DRIFT',
  'CLUSTER-CERT-DRIFT',
  'CLUSTER-VIP-MULTIPLE-KEYS',
  'CLUSTER-VIP-MULTIPLE-CERTS',
  'HOSTKEY-SHARED',
];
/** Cluster checks: the configuration the nodes of one service share. */
export const CLUSTER_CONFIG = [
  'CLUSTER-HOSTKEY-DRIFT',
  'CLUSTER-CERT-DRIFT',
  'CLUSTER-TLS-DRIFT',
  'CLUSTER-SSH-ALGO-DRIFT',
  'CLUSTER-SOFTWARE-DRIFT',
  'CLUSTER-PASV-DRIFT',
  'CLUSTER-LOGIN-POLICY-DRIFT',
  'CLUSTER-FEATURES-DRIFT',
  'CLUSTER-STANDBY-ANSWERS',
];

export const CATALOGUE_CONTROLS: CatalogueControl[] = [
  pci('1.2.5', 'All allowed services, protocols and ports are identified, approved and have a business need', [
    'NET-PORT-STATE',
    'POLICY-EXPECTED-SERVICE',
    'NET-UNEXPECTED-SERVICE',
    'FTP-CLEARTEXT-SERVICE',
    'FTP-PASV-RANGE',
    'NET-PASV-FILTERED',
    'CLUSTER-PASV-DRIFT',
    'CLUSTER-STANDBY-ANSWERS',
  ]),
  pci('1.2.6', 'Security features are defined and implemented for insecure services', ['FTP-CLEARTEXT-SERVICE']),
  pci('1.3.1', 'Inbound traffic to the CDE is restricted to what is necessary', ['NET-UNEXPECTED-SERVICE']),
  pci('1.4.2', 'Inbound traffic from untrusted networks is restricted', ['FTP-BOUNCE']),
  pci('1.4.5', 'Disclosure of internal IP addresses is limited to authorised parties', ['FTP-PASV-ADDRESS']),
  pci('2.2.1', 'Configuration standards are developed, implemented and maintained', CLUSTER_CONFIG),
  pci('2.2.2', 'Vendor default accounts are removed or disabled', ['FTP-ANONYMOUS']),
  pci('2.2.4', 'Only necessary services, protocols and functions are enabled', [
    'POLICY-EXPECTED-SERVICE',
    'NET-UNEXPECTED-SERVICE',
    'FTP-CLEARTEXT-SERVICE',
    'SSH-SFTP-ONLY',
  ]),
  pci('2.2.5', 'Insecure services present are justified and mitigated', ['FTP-CLEARTEXT-SERVICE']),
  // administrative access: an SSH server also serves shells unless the account is SFTP-only
  pci('2.2.7', 'All non-console administrative access is encrypted with strong cryptography', [...SSH_CRYPTO, 'SSH-SFTP-ONLY']),
  pci('4.2.1', 'Strong cryptography protects PAN during transmission over open, public networks', [
    ...TLS_PROTOCOLS.slice(0, 4),
    ...TLS_WEAK,
    'TLS-DH-WEAK',
    ...CERT_VALIDITY,
    'TLS-CERT-WEAK-KEY',
    'TLS-CERT-WEAK-SIGNATURE',
    'TLS-CERT-REVOKED',
    'TLS-CERT-CHAIN',
    ...TLS_VULN_IMPL,
    ...TLS_VULN_DERIVED,
    'TLS-DATA-CHANNEL-DIFFERS',
    'FTPS-AUTH-TLS',
    'FTP-CLEARTEXT-LOGIN',
    'FTPS-PROT-P',
    'FTPS-PROT-C-ALLOWED',
    'FTPS-DATA-NOT-TLS',
    'FTPS-CCC-ALLOWED',
    'SSH-HOSTKEY-WEAK',
    'SSH-CIPHER-WEAK',
    'POLICY-KEY-PIN',
  ]),
  pci('4.2.1.1', 'An inventory of trusted keys and certificates is maintained', [
    'POLICY-KEY-PIN',
    'CRYPTO-INVENTORY',
    'TLS-CERT-EXPIRING',
    ...CLUSTER_IDENTITY,
  ]),
  pci('6.3.3', 'Security patches are installed within one month of release', [
    'FTP-SOFTWARE',
    'SSH-SOFTWARE',
    'SSH-TERRAPIN',
    'CLUSTER-SOFTWARE-DRIFT',
    ...TLS_VULN_IMPL,
  ]),
  pci('8.2.1', 'All users have a unique ID', ['FTP-ANONYMOUS']),
  pci('8.2.2', 'Shared or generic accounts are used only by exception', ['FTP-ANONYMOUS']),
  pci('8.3.1', 'All user access is authenticated with at least one factor', ['SSH-AUTH-METHODS']),
  pci('8.3.2', 'Strong cryptography renders authentication factors unreadable in transit', [
    'FTP-CLEARTEXT-LOGIN',
    'TLS-PROTO-SSL2',
    'TLS-PROTO-SSL3',
    'SSH-PROTO-1',
  ]),
  pci('11.3.1', 'Internal vulnerability scans; high-risk and critical vulnerabilities resolved and rescanned', [
    ...TLS_VULN_IMPL,
    ...TLS_VULN_DERIVED,
    'SSH-TERRAPIN',
  ]),
  pci('12.3.3', 'Cipher suites and protocols in use are documented and reviewed at least every 12 months', ['CRYPTO-INVENTORY']),
  hipaa('(d)', 'Person or entity authentication (the party seeking access)', ['FTP-ANONYMOUS', 'SSH-AUTH-METHODS', 'TLS-CLIENT-CERT']),
  hipaa('(e)(1)', 'Transmission security', [
    'FTP-CLEARTEXT-SERVICE',
    'FTP-CLEARTEXT-LOGIN',
    'FTPS-PROT-C-ALLOWED',
    ...CERT_VALIDITY,
    'TLS-CERT-REVOKED',
    'TLS-VULN-HEARTBLEED',
    'TLS-VULN-CCS-INJECTION',
    'TLS-VULN-ROBOT',
    'TLS-VULN-DROWN',
    'POLICY-KEY-PIN',
  ]),
  hipaa('(e)(2)(i)', 'Integrity controls for transmitted ePHI', ['FTPS-CCC-ALLOWED']),
  hipaa('(e)(2)(ii)', 'Encryption of transmitted ePHI (addressable)', [
    'FTP-CLEARTEXT-SERVICE',
    'FTPS-AUTH-TLS',
    'FTPS-PROT-P',
    'FTPS-PROT-C-ALLOWED',
    'FTPS-DATA-NOT-TLS',
    ...TLS_WEAK.slice(0, 5),
    ...TLS_VULN_DERIVED.filter((id) => id !== 'TLS-VULN-DROWN'),
  ]),
  nist('§3.1', 'Protocol version support', TLS_PROTOCOLS),
  nist('§3.2', 'Server certificates', [
    'TLS-CERT-NAME-MISMATCH',
    'TLS-CERT-WEAK-KEY',
    'TLS-CERT-WEAK-SIGNATURE',
    'TLS-CERT-CHAIN',
    'TLS-CERT-USAGE',
    'TLS-CERT-REVOKED',
  ]),
  nist('§3.3.1', 'Cipher suites', ['TLS-SERVER-PREFERENCE']),
  nist('§3.4', 'TLS extensions (incl. certificate status request)', [
    'TLS-EXT-RENEGOTIATION',
    'TLS-EXT-EMS',
    'TLS-FALLBACK-SCSV',
    'TLS-OCSP-STAPLING',
    'TLS-CERT-MUST-STAPLE',
    'TLS-VULN-RENEG-INSECURE',
    'TLS-VULN-DOWNGRADE',
  ]),
  nist('App. D', 'Static key transport (RSA) is a transition only', ['TLS-CIPHER-NO-PFS']),
  { id: 'NIST SP 800-131A', title: 'Transitioning cryptographic algorithms (3DES disallowed after 2023)', checks: ['TLS-CIPHER-3DES'] },
  { id: 'RFC 7465', title: 'Prohibiting RC4 cipher suites', checks: ['TLS-CIPHER-RC4', 'TLS-VULN-RC4'] },
  { id: 'RFC 5746', title: 'TLS renegotiation indication extension', checks: ['TLS-VULN-RENEG-INSECURE'] },
  { id: 'RFC 7633', title: 'X.509v3 TLS feature extension (Must-Staple)', checks: ['TLS-CERT-MUST-STAPLE'] },
  { id: 'RFC 8446 §4.1.3', title: 'TLS 1.3 downgrade protection', checks: ['TLS-VULN-DOWNGRADE'] },
  { id: 'RFC 8996', title: 'Deprecating TLS 1.0 and TLS 1.1', checks: ['TLS-PROTO-TLS10', 'TLS-PROTO-TLS11'] },
  { id: 'RFC 9142', title: 'Key exchange methods for SSH', checks: ['SSH-KEX-WEAK'] },
  { id: 'RFC 8270', title: 'Increase the SSH minimum recommended DH modulus size to 2048 bits', checks: ['SSH-KEX-WEAK'] },
  { id: 'Mozilla Server Side TLS (intermediate)', title: 'Mozilla intermediate configuration', checks: ['TLS-CIPHER-CBC'] },
];

/** For each check id, the ids of the controls that list it (sorted, so a finding's list is stable). */
export function controlsByCheck(controls: readonly { id: string; checks: readonly string[] }[]): (checkId: string) => string[] {
  const map = new Map<string, string[]>();
  for (const c of controls) for (const id of c.checks) if (!map.get(id)?.includes(c.id)) map.set(id, [...(map.get(id) ?? []), c.id]);
  for (const list of map.values()) list.sort();
  return (checkId) => [...(map.get(checkId) ?? [])];
}
