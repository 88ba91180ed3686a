// The check catalogue of checks.md, as data: every id a finding may carry. Profiles and policy
// files are validated against it (a typo in a custom profile is an error, not a silent no-op).
// Ids are stable: add new ones here when checks.md grows, never rename.
export const CHECK_IDS = [
  // exposure and FTP control channel
  'FTP-CLEARTEXT-SERVICE',
  'FTP-CLEARTEXT-LOGIN',
  'FTP-ANONYMOUS',
  'FTP-BOUNCE',
  'FTP-SOFTWARE',
  'FTPS-AUTH-TLS',
  'FTPS-AUTH-SSL',
  'FTPS-IMPLICIT',
  'FTPS-PROT-P',
  'FTPS-PROT-C-ALLOWED',
  'FTPS-DATA-NOT-TLS',
  'FTPS-CCC-ALLOWED',
  'FTPS-SESSION-REUSE',
  // data channels and firewall
  'NET-PORT-STATE',
  'NET-UNEXPECTED-SERVICE',
  'FTP-DATA-PASSIVE',
  'FTP-DATA-ACTIVE',
  'FTP-PASV-ADDRESS',
  'FTP-PASV-RANGE',
  'NET-PASV-FILTERED',
  'FTP-ALG-REWRITE',
  // TLS
  'TLS-PROTO-SSL2',
  'TLS-PROTO-SSL3',
  'TLS-PROTO-TLS10',
  'TLS-PROTO-TLS11',
  'TLS-NO-TLS12',
  'TLS-NO-TLS13',
  'TLS-CIPHER-NULL',
  'TLS-CIPHER-ANON',
  'TLS-CIPHER-EXPORT',
  'TLS-CIPHER-RC4',
  'TLS-CIPHER-DES',
  'TLS-CIPHER-3DES',
  'TLS-CIPHER-NO-PFS',
  'TLS-CIPHER-CBC',
  'TLS-CIPHER-PROFILE',
  'TLS-SERVER-PREFERENCE',
  'TLS-DH-WEAK',
  'TLS-EXT-RENEGOTIATION',
  'TLS-EXT-EMS',
  'TLS-FALLBACK-SCSV',
  'TLS-CERT-EXPIRED',
  'TLS-CERT-NOT-YET-VALID',
  'TLS-CERT-EXPIRING',
  'TLS-CERT-UNTRUSTED',
  'TLS-CERT-NAME-MISMATCH',
  'TLS-CERT-WEAK-KEY',
  'TLS-CERT-WEAK-SIGNATURE',
  'TLS-CERT-LIFETIME',
  'TLS-DATA-CHANNEL-DIFFERS',
  // SSH / SFTP
  'SSH-PROTO-1',
  'SSH-KEX-WEAK',
  'SSH-HOSTKEY-WEAK',
  'SSH-CIPHER-WEAK',
  'SSH-MAC-WEAK',
  'SSH-TERRAPIN',
  'SSH-NO-PQ-KEX',
  'SSH-COMPRESSION',
  'SSH-SOFTWARE',
  'SSH-AUTH-METHODS',
  'SSH-SFTP-SUBSYSTEM',
  'SSH-SFTP-ONLY',
  // policy and evidence
  'POLICY-EXPECTED-SERVICE',
  'POLICY-KEY-PIN',
  'CRYPTO-INVENTORY',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

const KNOWN = new Set<string>(CHECK_IDS);
/** Also accepts ids that are not in checks.md but follow its spelling when `loose` (e.g. PROBE-ERROR). */
export function isKnownCheckId(id: string): boolean {
  return KNOWN.has(id) || id === 'PROBE-ERROR';
}
