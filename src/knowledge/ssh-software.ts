// What the SSH identification's software/version says, as data. Facts only: a version string
// "indicates" a release; vendors (Debian, Ubuntu, RHEL) backport fixes without changing the
// upstream version, so their suffix is read too and never over-interpreted.

export interface SshSoftware {
  product: 'OpenSSH' | 'Dropbear' | 'other';
  /** e.g. "9.2p1" */
  version: string | null;
  major: number | null;
  minor: number | null;
  portable: number | null;
  /** vendor build from the comments, e.g. "Debian-2+deb12u3" */
  vendor: string | null;
}

export function parseSshSoftware(software: string, comments = ''): SshSoftware {
  const m = /^OpenSSH_(\d+)\.(\d+)(?:p(\d+))?/.exec(software);
  const vendorMatch =
    /\b((?:Debian|Ubuntu|Raspbian|FreeBSD|NetBSD)[-_][^\s]+)/.exec(comments) ??
    /\b((?:Debian|Ubuntu|Raspbian|FreeBSD|NetBSD)[-_][^\s]+)/.exec(software);
  const vendor = vendorMatch ? vendorMatch[1]! : null;
  if (m) {
    return {
      product: 'OpenSSH',
      version: `${m[1]}.${m[2]}${m[3] ? `p${m[3]}` : ''}`,
      major: Number(m[1]),
      minor: Number(m[2]),
      portable: m[3] ? Number(m[3]) : null,
      vendor,
    };
  }
  const d = /^dropbear_(\d+)\.(\d+)/i.exec(software);
  if (d) return { product: 'Dropbear', version: `${d[1]}.${d[2]}`, major: Number(d[1]), minor: Number(d[2]), portable: null, vendor };
  return { product: 'other', version: null, major: null, minor: null, portable: null, vendor };
}

export interface SoftwareAdvisory {
  id: string;
  /** 'vulnerable' when the version alone says so; 'check-vendor' when a vendor build may carry a fix; 'fixed-by-vendor' when the vendor revision is at or past the known fix */
  verdict: 'vulnerable' | 'check-vendor' | 'fixed-by-vendor';
  text: string;
}

function vcmp(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Vendor revisions that carry the regreSSHion (CVE-2024-6387) fix, by upstream version. */
const REGRESSHION_VENDOR_FIXES: { upstream: string; pattern: RegExp; minRevision: number; text: string }[] = [
  // Debian 12 bookworm: DSA-5724-1, 1:9.2p1-2+deb12u3
  { upstream: '9.2p1', pattern: /^Debian-2\+deb12u(\d+)/, minRevision: 3, text: 'Debian 12 fixed it in 1:9.2p1-2+deb12u3 (DSA-5724-1)' },
  // Ubuntu 22.04: USN-6859-1, 1:8.9p1-3ubuntu0.10
  {
    upstream: '8.9p1',
    pattern: /^Ubuntu-3ubuntu0\.(\d+)/,
    minRevision: 10,
    text: 'Ubuntu 22.04 fixed it in 1:8.9p1-3ubuntu0.10 (USN-6859-1)',
  },
  // Ubuntu 24.04: USN-6859-1, 1:9.6p1-3ubuntu13.3
  {
    upstream: '9.6p1',
    pattern: /^Ubuntu-3ubuntu13\.(\d+)/,
    minRevision: 3,
    text: 'Ubuntu 24.04 fixed it in 1:9.6p1-3ubuntu13.3 (USN-6859-1)',
  },
];

/** Advisories the version string points at (server side only). */
export function softwareAdvisories(sw: SshSoftware): SoftwareAdvisory[] {
  const out: SoftwareAdvisory[] = [];
  if (sw.product !== 'OpenSSH' || sw.major === null || sw.minor === null) return out;
  const v: [number, number, number] = [sw.major, sw.minor, sw.portable ?? 0];
  // CVE-2024-6387 "regreSSHion": signal-handler race in sshd, 8.5p1 ≤ version < 9.8p1 (glibc Linux).
  if (vcmp(v, [8, 5, 1]) >= 0 && vcmp(v, [9, 8, 1]) < 0) {
    const fix = REGRESSHION_VENDOR_FIXES.find((f) => f.upstream === sw.version && sw.vendor && f.pattern.test(sw.vendor));
    if (fix && sw.vendor) {
      const rev = Number(fix.pattern.exec(sw.vendor)![1]);
      if (rev >= fix.minRevision) {
        out.push({
          id: 'CVE-2024-6387',
          verdict: 'fixed-by-vendor',
          text: `upstream ${sw.version} is in the regreSSHion range (8.5p1–9.7p1), but the vendor build ${sw.vendor} is at or past the fix: ${fix.text}`,
        });
      } else {
        out.push({
          id: 'CVE-2024-6387',
          verdict: 'vulnerable',
          text: `version indicates regreSSHion (CVE-2024-6387, unauthenticated RCE in sshd, 8.5p1–9.7p1): vendor build ${sw.vendor} predates the fix (${fix.text})`,
        });
      }
    } else if (sw.vendor) {
      out.push({
        id: 'CVE-2024-6387',
        verdict: 'check-vendor',
        text: `version indicates regreSSHion (CVE-2024-6387, 8.5p1–9.7p1); the vendor build ${sw.vendor} may carry a backported fix — check the installed package against the vendor advisory`,
      });
    } else {
      out.push({
        id: 'CVE-2024-6387',
        verdict: 'vulnerable',
        text: `version indicates regreSSHion (CVE-2024-6387, unauthenticated remote code execution in sshd, affects 8.5p1–9.7p1; fixed in 9.8p1)`,
      });
    }
  }
  // Releases before 4.4p1 have the original signal-handler race (CVE-2006-5051) that regreSSHion revived.
  if (vcmp(v, [4, 4, 1]) < 0) {
    out.push({
      id: 'CVE-2006-5051',
      verdict: sw.vendor ? 'check-vendor' : 'vulnerable',
      text: `version indicates a release before 4.4p1 (CVE-2006-5051 signal-handler race; long end-of-life)`,
    });
  } else if (vcmp(v, [7, 4, 0]) < 0) {
    out.push({
      id: 'EOL',
      verdict: sw.vendor ? 'check-vendor' : 'vulnerable',
      text: `version indicates OpenSSH ${sw.version}, released before 7.4 (2016): upstream end-of-life with many fixed vulnerabilities since`,
    });
  }
  return out;
}
