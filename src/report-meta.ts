// Report metadata an auditor needs: who scanned from where, with which profile, and a SHA-256
// digest over the canonical JSON so a filed report can be checked for tampering
// (`xferscan verify REPORT.json`).
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import type { Integrity, Report, ScannerInfo } from './model.js';

export type { Integrity, ScannerInfo } from './model.js';
import type { Profile } from './profiles/types.js';
import { computeCompliance } from './profiles/compliance.js';
import { computeFirewall } from './firewall/index.js';

/**
 * Canonical JSON (xferscan-c14n-1): JSON with object keys sorted by UTF-16 code units, no
 * whitespace, undefined members dropped as JSON.stringify drops them. Numbers and strings are
 * written as JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((obj as { toJSON(): unknown }).toJSON());
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of the report with its top-level `integrity` member removed. */
export function reportDigest(report: object): string {
  const { integrity: _omit, ...rest } = report as { integrity?: unknown };
  return crypto.createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

export function seal<T extends object>(report: T): T & { integrity: Integrity } {
  const { integrity: _old, ...rest } = report as T & { integrity?: unknown };
  return {
    ...(rest as T),
    integrity: {
      algorithm: 'sha256',
      canonicalization: 'xferscan-c14n-1',
      description:
        'SHA-256 over the report as canonical JSON (keys sorted, no whitespace) without this "integrity" member. Check with: xferscan verify REPORT.json',
      digest: reportDigest(rest),
    },
  };
}

export type VerifyResult =
  { ok: true; digest: string } | { ok: false; reason: 'no-digest' | 'mismatch'; expected: string | null; actual: string };

export function verifyDigest(report: unknown): VerifyResult {
  const actual = reportDigest(report as object);
  const integ = (report as { integrity?: { digest?: unknown; algorithm?: unknown } }).integrity;
  if (!integ || typeof integ.digest !== 'string') return { ok: false, reason: 'no-digest', expected: null, actual };
  if (integ.algorithm !== 'sha256') return { ok: false, reason: 'mismatch', expected: String(integ.digest), actual };
  return integ.digest.toLowerCase() === actual
    ? { ok: true, digest: actual }
    : { ok: false, reason: 'mismatch', expected: integ.digest, actual };
}

/** The local address the kernel would use to reach `target`: a UDP socket's connect() picks a route and sends nothing. */
function sourceFor(target: string): Promise<string | null> {
  const family = net.isIP(target);
  if (!family) return Promise.resolve(null);
  return new Promise((resolve) => {
    const sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (v: string | null) => {
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(v);
    };
    sock.on('error', () => done(null));
    try {
      sock.connect(9, target, () => {
        try {
          done(sock.address().address);
        } catch {
          done(null);
        }
      });
    } catch {
      done(null);
    }
  });
}

export async function scannerInfo(targetAddresses: (string | null)[]): Promise<ScannerInfo> {
  const unique = [...new Set(targetAddresses.filter((a): a is string => !!a))];
  const sourceAddresses = await Promise.all(unique.map(async (target) => ({ target, source: await sourceFor(target) })));
  let user: string | null;
  try {
    user = os.userInfo().username;
  } catch {
    user = null;
  }
  return {
    hostname: os.hostname(),
    sourceAddresses,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    user,
  };
}

/** Adds profile details, the per-control view, scanner metadata and the digest. Pure but for `scanner`, which the caller gathers. */
export function finalizeReport(report: Report, profile: Profile, scanner: ScannerInfo | null): Report {
  const withMeta: Report = {
    ...report,
    profile: profile.id,
    ...(scanner ? { scanner } : {}),
    compliance: computeCompliance(report, profile),
    firewall: computeFirewall(report),
  };
  return seal(withMeta);
}
