// FTP server software as disclosed in greetings and SYST replies: how to recognise it, and
// versions known to be end-of-life or vulnerable. Data, so it can grow without code changes.

export interface FtpSoftwareRule {
  product: string;
  /** matched against greeting + SYST; group 1 is the version when present */
  pattern: RegExp;
}

export interface FtpSoftwareAdvisory {
  product: string;
  /** true when the disclosed version is affected */
  affects(version: string): boolean;
  reason: string;
  source: string;
}

export const FTP_SOFTWARE_RULES: FtpSoftwareRule[] = [
  { product: 'vsftpd', pattern: /\(vsFTPd ([0-9][\w.]*)\)/i },
  { product: 'vsftpd', pattern: /\bvsftpd\b(?:\s+([0-9][\w.]*))?/i },
  { product: 'ProFTPD', pattern: /ProFTPD(?: Server)?\s+([0-9][\w.]*)/i },
  { product: 'ProFTPD', pattern: /\bProFTPD\b()/i },
  { product: 'Pure-FTPd', pattern: /Pure-FTPd(?:\s+([0-9][\w.]*))?/i },
  { product: 'FileZilla Server', pattern: /FileZilla Server(?: version)?\s*v?([0-9][\w.]*)?/i },
  { product: 'Microsoft FTP Service', pattern: /Microsoft FTP Service()/i },
  { product: 'Serv-U', pattern: /Serv-U FTP Server v?([0-9][\w.]*)?/i },
  { product: 'Wing FTP Server', pattern: /Wing FTP Server(?:\s+v?([0-9][\w.]*))?/i },
  { product: 'CrushFTP', pattern: /CrushFTP(?:\s*v?([0-9][\w.]*))?/i },
  { product: 'Titan FTP Server', pattern: /Titan FTP Server(?:\s+v?([0-9][\w.]*))?/i },
  { product: 'Cerberus FTP Server', pattern: /Cerberus FTP Server(?:\s+v?([0-9][\w.]*))?/i },
  { product: 'GoAnywhere', pattern: /GoAnywhere(?:\s+v?([0-9][\w.]*))?/i },
  { product: 'MOVEit', pattern: /MOVEit(?:\s+DMZ)?(?:\s+v?([0-9][\w.]*))?/i },
  { product: 'glFTPd', pattern: /glFTPd\s*([0-9][\w.]*)?/i },
  { product: 'IBM z/OS FTP', pattern: /IBM FTP CS\s*(V[\w.]+)?/i },
  { product: 'Node ftp-srv', pattern: /\bftp-srv\b()/i },
  { product: 'GNU inetutils ftpd', pattern: /GNU inetutils\s+([0-9][\w.]*)/i },
  { product: 'netkit ftpd (Linux-ftpd)', pattern: /Linux-ftpd-([0-9][\w.]*)/i },
  { product: 'pyftpdlib', pattern: /\bpyftpdlib\b(?:\s+v?([0-9][\w.]*))?/i },
  { product: 'Twisted FTP', pattern: /\bTwisted\s+([0-9][\w.]*)\s+FTP/i },
  // BSD-derived servers: "FTP server (Version 6.4/OpenBSD…) ready."
  { product: 'BSD ftpd', pattern: /FTP server \(Version ([^)\s/]+)/i },
];

/** Compares dotted versions numerically ("3.0.10" > "3.0.3"); letters after digits are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const FTP_SOFTWARE_ADVISORIES: FtpSoftwareAdvisory[] = [
  {
    product: 'vsftpd',
    affects: (v) => v === '2.3.4',
    reason: 'vsftpd 2.3.4 source archives were backdoored (CVE-2011-2523)',
    source: 'NVD CVE-2011-2523',
  },
  {
    product: 'ProFTPD',
    affects: (v) => compareVersions(v, '1.3.6') < 0,
    reason: 'ProFTPD before 1.3.6 is end-of-life and affected by mod_copy CVE-2015-3306 / CVE-2019-12815',
    source: 'NVD CVE-2015-3306, CVE-2019-12815; ProFTPD release notes',
  },
  {
    product: 'FileZilla Server',
    affects: (v) => compareVersions(v, '1.0.0') < 0,
    reason: 'FileZilla Server 0.9.x is the legacy line, no longer maintained',
    source: 'FileZilla Server release history',
  },
  {
    product: 'Pure-FTPd',
    affects: (v) => compareVersions(v, '1.0.49') < 0,
    reason: 'Pure-FTPd before 1.0.49 is affected by CVE-2019-20176 (stack exhaustion) and CVE-2020-9365 (OOB read)',
    source: 'NVD CVE-2019-20176, CVE-2020-9365',
  },
];

export interface FtpSoftware {
  product: string;
  version: string | null;
  /** the text it was read from */
  source: string;
}

export function identifyFtpSoftware(texts: string[]): FtpSoftware | null {
  for (const text of texts) {
    for (const rule of FTP_SOFTWARE_RULES) {
      const m = rule.pattern.exec(text);
      if (m) return { product: rule.product, version: m[1] ? m[1] : null, source: text };
    }
  }
  return null;
}

export function advisoriesFor(sw: FtpSoftware): FtpSoftwareAdvisory[] {
  if (!sw.version) return [];
  return FTP_SOFTWARE_ADVISORIES.filter((a) => a.product === sw.product && a.affects(sw.version!));
}

/**
 * Servers that log an anonymous user in at USER (230) whenever anonymous FTP is on. From them a
 * 331 to "USER anonymous" means the name is being treated as an ordinary account, so anonymous
 * FTP is off, and no made-up password needs to be sent (they delay a failed login by seconds).
 */
export const ANONYMOUS_AT_USER: { product: string; source: string }[] = [
  {
    product: 'Pure-FTPd',
    source:
      'observed on Pure-FTPd 1.0.50: anonymous on → "230 Anonymous user logged in" at USER; -E → "331 User anonymous OK. Password required", then 530 about 5 s after PASS',
  },
];

/** Why a 331 to USER anonymous already settles it, for software that says 230 at USER; else null. */
export function anonymousRefusedAtUser(texts: string[], userCode: number): string | null {
  if (userCode !== 331) return null;
  const sw = identifyFtpSoftware(texts);
  const rule = sw && ANONYMOUS_AT_USER.find((r) => r.product === sw.product);
  return rule
    ? `${rule.product} logs anonymous users in at USER when anonymous FTP is on; a 331 means "anonymous" is an ordinary account name, so no password was sent (${rule.source})`
    : null;
}
