// Typed results of the TLS vulnerability battery. Every test says what decided it (evidence),
// how many connections it opened and how long it took, and whether it is intrusive (sends
// malformed records or padding) or derived (read off the inventory, no exploit attempted).

export type VulnStatus = 'vulnerable' | 'not-vulnerable' | 'inconclusive' | 'not-applicable';

export type ActiveVulnId =
  'heartbleed' | 'ccs-injection' | 'robot' | 'secure-renegotiation' | 'client-renegotiation' | 'ticketbleed' | 'downgrade-sentinel';

export type DerivedVulnId = 'poodle' | 'beast' | 'lucky13' | 'sweet32' | 'freak' | 'logjam' | 'drown' | 'rc4' | 'crime';

export type VulnId = ActiveVulnId | DerivedVulnId;

export interface VulnResultBase {
  id: VulnId;
  status: VulnStatus;
  /** what decided the status, in plain words (handshake facts, alerts, lengths; never leaked bytes) */
  evidence: string[];
  /** sends malformed records or padding: skipped by `intrusive: false` (--no-intrusive) */
  intrusive: boolean;
  /** read off the offered suites/protocols (no exploit attempted) */
  derived: boolean;
  /** transports opened by this test (0 for derived ones) */
  connections: number;
  ms: number;
}

export interface VulnTestInfo {
  id: VulnId;
  title: string;
  cve: string[];
  kind: 'active' | 'derived';
  intrusive: boolean;
  /** connections an active test opens, as documented in its module */
  connections: string;
  /** the check id the report is expected to use */
  checkId: string;
}

export const VULN_TESTS: Record<VulnId, VulnTestInfo> = {
  heartbleed: {
    id: 'heartbleed',
    title: 'Heartbleed (heartbeat over-read)',
    cve: ['CVE-2014-0160'],
    kind: 'active',
    intrusive: true,
    connections: '1',
    checkId: 'TLS-VULN-HEARTBLEED',
  },
  'ccs-injection': {
    id: 'ccs-injection',
    title: 'CCS injection (early ChangeCipherSpec)',
    cve: ['CVE-2014-0224'],
    kind: 'active',
    intrusive: true,
    connections: '1',
    checkId: 'TLS-VULN-CCS-INJECTION',
  },
  robot: {
    id: 'robot',
    title: "ROBOT (Bleichenbacher's RSA padding oracle)",
    cve: ['CVE-2017-13099', 'CVE-2017-17382', 'CVE-2017-17427', 'CVE-2017-1000385'],
    kind: 'active',
    intrusive: true,
    connections: '1 (no RSA key exchange) / 10 (no oracle) / 15 (oracle found and confirmed)',
    checkId: 'TLS-VULN-ROBOT',
  },
  'secure-renegotiation': {
    id: 'secure-renegotiation',
    title: 'Secure renegotiation (RFC 5746)',
    cve: ['CVE-2009-3555'],
    kind: 'active',
    intrusive: false,
    connections: '1 (shared with Heartbleed in the battery)',
    checkId: 'TLS-VULN-RENEG-INSECURE',
  },
  'client-renegotiation': {
    id: 'client-renegotiation',
    title: 'Client-initiated renegotiation',
    cve: [],
    kind: 'active',
    intrusive: false,
    connections: '1 (a full TLS 1.2 handshake; in the battery it also yields the Ticketbleed ticket and an OCSP staple)',
    checkId: 'TLS-VULN-RENEG-CLIENT',
  },
  ticketbleed: {
    id: 'ticketbleed',
    title: 'Ticketbleed (session ID echo)',
    cve: ['CVE-2016-9244'],
    kind: 'active',
    intrusive: false,
    connections: '2 alone (a full handshake for a ticket, then one hello); 1 in the battery; 0-1 without tickets',
    checkId: 'TLS-VULN-TICKETBLEED',
  },
  'downgrade-sentinel': {
    id: 'downgrade-sentinel',
    title: 'TLS 1.3 downgrade protection (RFC 8446 §4.1.3)',
    cve: [],
    kind: 'active',
    intrusive: false,
    connections: '1-3 alone; 0-2 in the battery (the TLS 1.2 hello is shared, the inventory answers the rest)',
    checkId: 'TLS-VULN-DOWNGRADE',
  },
  poodle: {
    id: 'poodle',
    title: 'POODLE (SSLv3 with CBC)',
    cve: ['CVE-2014-3566'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-POODLE',
  },
  beast: {
    id: 'beast',
    title: 'BEAST (TLS 1.0 / SSLv3 with CBC)',
    cve: ['CVE-2011-3389'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-BEAST',
  },
  lucky13: {
    id: 'lucky13',
    title: 'LUCKY13 (CBC MAC-then-encrypt timing)',
    cve: ['CVE-2013-0169'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-LUCKY13',
  },
  sweet32: {
    id: 'sweet32',
    title: 'SWEET32 (64-bit block ciphers)',
    cve: ['CVE-2016-2183', 'CVE-2016-6329'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-SWEET32',
  },
  freak: {
    id: 'freak',
    title: 'FREAK (export RSA)',
    cve: ['CVE-2015-0204'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-FREAK',
  },
  logjam: {
    id: 'logjam',
    title: 'LOGJAM (export or weak/common DH groups)',
    cve: ['CVE-2015-4000'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-LOGJAM',
  },
  drown: {
    id: 'drown',
    title: 'DROWN (SSLv2, or the same key on an SSLv2 endpoint)',
    cve: ['CVE-2016-0800'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-DROWN',
  },
  rc4: {
    id: 'rc4',
    title: 'RC4 (biased keystream)',
    cve: ['CVE-2013-2566', 'CVE-2015-2808'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-RC4',
  },
  crime: {
    id: 'crime',
    title: 'CRIME (TLS compression)',
    cve: ['CVE-2012-4929'],
    kind: 'derived',
    intrusive: false,
    connections: '0',
    checkId: 'TLS-VULN-CRIME',
  },
};

/** What every derived result says so nobody mistakes it for an exploit test. */
export const DERIVED_NOTE = 'derived from the offered suites and protocols (no exploit attempted)';
