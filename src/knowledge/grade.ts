// The grading rules (docs/grades.md): a letter from A+ to F for one endpoint, computed from its
// findings only. Each failing finding caps the grade: by its own rule when the table has one,
// else by its severity; the worst cap wins. A failing critical finding always gives F, whatever
// the table says, so the grade never contradicts it. Nothing here depends on the service: an
// explicit FTPS endpoint (AUTH TLS) can reach A+ like an implicit one.
import type { Finding, Grade, GradeCap, GradeLetter, Severity } from '../model.js';
import { GRADES } from '../model.js';

export const GRADE_RULES_VERSION = 'xferscan-grade-1';

export interface GradeRule {
  /** finding ids this rule is for */
  ids: string[];
  cap: GradeLetter;
  why: string;
}

/** Caps for failing findings, by check id (the severity rule below covers every other check). */
export const GRADE_RULES: GradeRule[] = [
  { ids: ['FTP-CLEARTEXT-SERVICE', 'FTPS-AUTH-TLS'], cap: 'F', why: 'cleartext FTP: credentials and files cross the network readable' },
  { ids: ['FTP-CLEARTEXT-LOGIN'], cap: 'F', why: 'a login is accepted before TLS: the password can cross in cleartext' },
  { ids: ['FTPS-PROT-P', 'FTPS-DATA-NOT-TLS'], cap: 'F', why: 'files cross the data channel without TLS' },
  { ids: ['TLS-PROTO-SSL2', 'TLS-PROTO-SSL3', 'SSH-PROTO-1'], cap: 'F', why: 'a broken protocol version is accepted' },
  {
    ids: ['TLS-CIPHER-NULL', 'TLS-CIPHER-ANON', 'TLS-CIPHER-EXPORT', 'TLS-CIPHER-RC4', 'TLS-CIPHER-DES'],
    cap: 'F',
    why: 'a broken cipher suite (no encryption, no authentication, export, RC4 or DES) is accepted',
  },
  {
    ids: [
      'TLS-VULN-HEARTBLEED',
      'TLS-VULN-CCS-INJECTION',
      'TLS-VULN-ROBOT',
      'TLS-VULN-TICKETBLEED',
      'TLS-VULN-DROWN',
      'TLS-VULN-FREAK',
      'TLS-VULN-LOGJAM',
      'TLS-VULN-POODLE',
      'TLS-VULN-RENEG-INSECURE',
    ],
    cap: 'F',
    why: 'an exploitable TLS vulnerability',
  },
  { ids: ['TLS-CERT-REVOKED'], cap: 'F', why: 'the certificate is revoked' },
  {
    ids: ['TLS-NO-TLS12', 'TLS-CIPHER-3DES', 'TLS-VULN-SWEET32', 'TLS-VULN-CRIME', 'TLS-EXT-RENEGOTIATION'],
    cap: 'C',
    why: 'only obsolete protocols or ciphers, or a known attack on them',
  },
  {
    ids: ['TLS-CERT-EXPIRED', 'TLS-CERT-NOT-YET-VALID', 'TLS-CERT-WEAK-KEY', 'TLS-CERT-WEAK-SIGNATURE'],
    cap: 'C',
    why: 'a certificate a verifying client rejects or cannot trust to be unforgeable',
  },
  {
    ids: ['SSH-KEX-WEAK', 'SSH-CIPHER-WEAK', 'SSH-MAC-WEAK', 'SSH-HOSTKEY-WEAK'],
    cap: 'C',
    why: 'a weak SSH algorithm is offered (what ssh-audit marks as a failure)',
  },
  {
    ids: ['FTP-ANONYMOUS', 'FTP-BOUNCE', 'FTPS-PROT-C-ALLOWED'],
    cap: 'C',
    why: 'anonymous access, FTP bounce or a cleartext data channel on request',
  },
  { ids: ['TLS-PROTO-TLS10', 'TLS-PROTO-TLS11'], cap: 'B', why: 'TLS 1.0 or 1.1 is accepted (deprecated by RFC 8996)' },
  {
    ids: ['TLS-CIPHER-NO-PFS', 'TLS-DH-WEAK', 'TLS-VULN-DOWNGRADE', 'TLS-DATA-CHANNEL-DIFFERS', 'FTPS-CCC-ALLOWED'],
    cap: 'B',
    why: 'no forward secrecy, weak DH, a possible downgrade or a weaker data or control channel',
  },
  {
    ids: ['TLS-CERT-UNTRUSTED', 'TLS-CERT-NAME-MISMATCH'],
    cap: 'B',
    why: 'the certificate needs the partner to trust or pin it explicitly',
  },
  { ids: ['SSH-TERRAPIN'], cap: 'B', why: 'Terrapin preconditions (CVE-2023-48795)' },
  {
    ids: ['TLS-NO-TLS13', 'TLS-FALLBACK-SCSV', 'TLS-VULN-BEAST', 'TLS-VULN-LUCKY13'],
    cap: 'A-',
    why: 'a modern protection is missing (TLS 1.3, downgrade signalling, or CBC-only attacks of little practical weight)',
  },
];

/** The cap of a failing finding with no rule of its own. */
export const SEVERITY_CAPS: Record<Severity, GradeLetter> = { critical: 'F', high: 'C', medium: 'B', low: 'A-', info: 'A' };

/** The cap of a warn finding (a weakness or an undecided question): it keeps the grade from A+. */
export const WARN_CAP: GradeLetter = 'A';

const rank = (g: GradeLetter): number => GRADES.indexOf(g);
export const worse = (a: GradeLetter, b: GradeLetter): GradeLetter => (rank(a) >= rank(b) ? a : b);
const ruleById = new Map(GRADE_RULES.flatMap((r) => r.ids.map((id) => [id, r] as const)));

/** What one finding does to the grade, or null when nothing. */
export function capOf(f: Pick<Finding, 'id' | 'status' | 'severity'>): GradeCap | null {
  const base = { id: f.id, status: f.status, severity: f.severity };
  if (f.status === 'warn' && f.severity !== 'info')
    return { ...base, cap: WARN_CAP, rule: 'a warning (a weakness or an undecided question) keeps the grade below A+' };
  if (f.status !== 'fail') return null;
  if (f.severity === 'critical') return { ...base, cap: 'F', rule: 'a failing critical finding' };
  const rule = ruleById.get(f.id);
  if (rule) return { ...base, cap: rule.cap, rule: rule.why };
  return { ...base, cap: SEVERITY_CAPS[f.severity], rule: `a failing ${f.severity} finding` };
}

/** The endpoint's grade from its findings. */
export function gradeFindings(findings: Pick<Finding, 'id' | 'status' | 'severity'>[]): Grade {
  const judged = findings.some((f) => f.status === 'pass' || f.status === 'fail' || f.status === 'warn');
  const caps = findings.map(capOf).filter((c): c is GradeCap => c !== null);
  caps.sort((a, b) => rank(b.cap) - rank(a.cap));
  const grade = judged ? caps.reduce<GradeLetter>((g, c) => worse(g, c.cap), 'A+') : null;
  return { grade, rules: GRADE_RULES_VERSION, caps, complete: !findings.some((f) => f.status === 'error') };
}

/** "B", "B (incomplete)", or "—" for an endpoint nothing was judged on. */
export function gradeText(g: Grade | undefined): string {
  if (!g || g.grade === null) return '—';
  return g.complete ? g.grade : `${g.grade} (incomplete)`;
}
