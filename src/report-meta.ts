// Report metadata an auditor needs: who scanned from where, with which profile, an overview for
// verdict lines, a SHA-256 digest over the canonical JSON (detects accidental change, not
// tampering: anyone can recompute it) and detached Ed25519 signatures over the same bytes, which
// are tamper evidence (`xferscan verify REPORT.json [--public-key PUB]`).
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import type { EndpointOverview, EndpointReport, Integrity, Report, ReportOverview, ScannerInfo } from './model.js';

export type { EndpointOverview, Integrity, ReportOverview, ScannerInfo } from './model.js';
import type { Profile } from './profiles/types.js';
import { computeCompliance } from './profiles/compliance.js';
import { computeFirewall } from './firewall/index.js';
import { identifyFtpSoftware } from './knowledge/ftp-software.js';
import { clusterFindings, countFindings } from './knowledge/summary.js';
import { endpointName } from './knowledge/services.js';

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
        'SHA-256 over the report as canonical JSON (keys sorted, no whitespace) without this "integrity" member. It detects accidental change (a damaged or truncated copy); it is not a signature: anyone who edits the report can recompute it. For tamper evidence, scan with --sign-key KEY and check with: xferscan verify REPORT.json --public-key PUB',
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

// ---------------------------------------------------------------- detached Ed25519 signatures

/** REPORT.json.sig: a detached signature over the same canonical bytes the digest covers. */
export interface ReportSignature {
  type: 'xferscan-report-signature';
  version: 1;
  algorithm: 'ed25519';
  canonicalization: 'xferscan-c14n-1';
  /** SHA-256 (hex) of the signed bytes, for the reader; the signature is what proves anything */
  digest: string;
  /** SHA-256 of the public key (SPKI DER), "SHA256:" + base64 without padding, as ssh-keygen prints */
  keyFingerprint: string;
  /** base64 Ed25519 signature over the canonical JSON of the report without its "integrity" member */
  signature: string;
  signedAt: string;
}

export class SigningError extends Error {
  override name = 'SigningError';
}

export function keyFingerprint(key: crypto.KeyObject): string {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  const der = pub.export({ type: 'spki', format: 'der' });
  return `SHA256:${crypto.createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

/** An Ed25519 private key from PEM text (PKCS#8, or OpenSSL's "BEGIN PRIVATE KEY"); anything else is a SigningError. */
export function loadSigningKey(pem: string | Buffer): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(pem);
  } catch (err) {
    throw new SigningError(`not a PEM private key (${(err as Error).message.split('\n')[0]})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningError(
      `an Ed25519 key is needed, got ${key.asymmetricKeyType ?? 'an unknown key type'} (make one: openssl genpkey -algorithm ed25519 -out sign.pem)`,
    );
  return key;
}

export function loadPublicKey(pem: string | Buffer): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch (err) {
    throw new SigningError(`not a PEM public key (${(err as Error).message.split('\n')[0]})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningError(`an Ed25519 public key is needed, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  return key;
}

function signedBytes(report: object): Buffer {
  const { integrity: _omit, ...rest } = report as { integrity?: unknown };
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export function signReport(report: object, key: crypto.KeyObject, now = new Date()): ReportSignature {
  const bytes = signedBytes(report);
  return {
    type: 'xferscan-report-signature',
    version: 1,
    algorithm: 'ed25519',
    canonicalization: 'xferscan-c14n-1',
    digest: crypto.createHash('sha256').update(bytes).digest('hex'),
    keyFingerprint: keyFingerprint(key),
    signature: crypto.sign(null, bytes, key).toString('base64'),
    signedAt: now.toISOString(),
  };
}

export type SignatureCheck =
  { ok: true; keyFingerprint: string } | { ok: false; reason: 'malformed' | 'other-key' | 'invalid'; detail: string };

export function verifySignature(report: object, sig: unknown, key: crypto.KeyObject): SignatureCheck {
  const s = sig as Partial<ReportSignature> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.algorithm !== 'ed25519' ||
    typeof s.signature !== 'string' ||
    s.canonicalization !== 'xferscan-c14n-1'
  )
    return { ok: false, reason: 'malformed', detail: 'not an xferscan Ed25519 signature file' };
  const fp = keyFingerprint(key);
  const ok = crypto.verify(null, signedBytes(report), key, Buffer.from(s.signature, 'base64'));
  if (ok) return { ok: true, keyFingerprint: fp };
  if (typeof s.keyFingerprint === 'string' && s.keyFingerprint !== fp)
    return { ok: false, reason: 'other-key', detail: `signed by key ${s.keyFingerprint}, not by the given key ${fp}` };
  return { ok: false, reason: 'invalid', detail: 'the signature does not match the report content' };
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

const TLS_ORDER = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
const TLS_SHORT: Record<string, string> = {
  SSLv2: 'SSL 2',
  SSLv3: 'SSL 3',
  'TLSv1.0': '1.0',
  'TLSv1.1': '1.1',
  'TLSv1.2': '1.2',
  'TLSv1.3': '1.3',
};

/** "TLS 1.0–1.2", "TLS 1.2, 1.3", "SSL 3, TLS 1.0–1.2": accepted versions, runs joined. */
export function tlsVersionsText(protocols: Partial<Record<string, boolean | null>>): string | null {
  const on = TLS_ORDER.filter((v) => protocols[v] === true);
  if (!on.length) return null;
  const ssl = on.filter((v) => v.startsWith('SSL')).map((v) => TLS_SHORT[v]);
  const tlsIdx = on.filter((v) => v.startsWith('TLS')).map((v) => TLS_ORDER.indexOf(v));
  const runs: string[] = [];
  for (let i = 0; i < tlsIdx.length;) {
    let j = i;
    while (j + 1 < tlsIdx.length && tlsIdx[j + 1] === tlsIdx[j] + 1) j++;
    const a = TLS_SHORT[TLS_ORDER[tlsIdx[i]]];
    const b = TLS_SHORT[TLS_ORDER[tlsIdx[j]]];
    runs.push(j - i >= 2 ? `${a}–${b}` : j > i ? `${a}, ${b}` : a);
    i = j + 1;
  }
  return [...ssl, ...(runs.length ? [`TLS ${runs.join(', ')}`] : [])].join(', ');
}

const SEV_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

function endpointFacts(ep: EndpointReport): { software: EndpointOverview['software']; facts: string[] } {
  const facts: string[] = [];
  let software: EndpointOverview['software'] = null;
  if (ep.ftp) {
    const sw = identifyFtpSoftware([...(ep.ftp.greeting ?? []), ...(ep.ftp.syst ? [ep.ftp.syst] : [])]);
    if (sw) software = { product: sw.product, version: sw.version };
    if (ep.ftp.authTls === false && ep.service === 'ftp') facts.push('no TLS (AUTH TLS refused)');
  }
  if (ep.ssh) {
    if (ep.ssh.software) software ??= { product: ep.ssh.software, version: null };
    const keys = ep.ssh.hostKeys.map((k) => `${k.type.replace(/^ssh-/, '')}${k.bits ? `-${k.bits}` : ''}`);
    if (keys.length) facts.push(`host keys ${[...new Set(keys)].join(', ')}`);
    if (ep.ssh.authMethods.length) facts.push(`auth ${ep.ssh.authMethods.join(', ')}`);
  }
  if (ep.tls) {
    const v = tlsVersionsText(ep.tls.protocols);
    if (v) facts.push(v);
    const c = ep.tls.certificate;
    if (c && !c.parseError) {
      const parts = [`${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}`];
      if (c.signatureHash) parts.push(c.signatureHash);
      if (c.selfSigned) parts.push('self-signed');
      if (c.notAfter) parts.push(`valid to ${c.notAfter.slice(0, 10)}`);
      facts.push(`certificate ${parts.join(', ')}`);
    }
  }
  return { software, facts };
}

function endpointTiming(ep: EndpointReport): EndpointOverview['timing'] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of ep.transcript) {
    const t = Date.parse(l.t);
    if (!Number.isFinite(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (!Number.isFinite(lo)) return { startedAt: null, finishedAt: null, ms: null };
  return { startedAt: new Date(lo).toISOString(), finishedAt: new Date(hi).toISOString(), ms: hi - lo };
}

/** The overview of a report: pure, from the endpoints' facts and findings. */
export function computeOverview(report: Pick<Report, 'endpoints' | 'clusters'>): ReportOverview {
  const worst = new Map<string, number>();
  const endpoints = report.endpoints.map((ep) => {
    const c = countFindings(ep.findings);
    for (const f of ep.findings) if (f.status === 'fail') worst.set(f.id, Math.min(worst.get(f.id) ?? 9, SEV_RANK[f.severity] ?? 5));
    const verdict: EndpointOverview['verdict'] = c.fail
      ? 'fail'
      : c.error
        ? 'error'
        : c.warn
          ? 'warn'
          : ep.state !== 'open'
            ? 'not-open'
            : 'pass';
    return { endpoint: endpointName(ep), verdict, counts: c, ...endpointFacts(ep), timing: endpointTiming(ep) };
  });
  for (const f of clusterFindings(report.clusters))
    if (f.status === 'fail') worst.set(f.id, Math.min(worst.get(f.id) ?? 9, SEV_RANK[f.severity] ?? 5));
  const failingChecks = [...worst.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([id]) => id);
  return { endpoints, failingChecks };
}

/** Adds profile details, the per-control view, scanner metadata and the digest. Pure but for `scanner`, which the caller gathers. */
export function finalizeReport(report: Report, profile: Profile, scanner: ScannerInfo | null): Report {
  const withMeta: Report = {
    ...report,
    profile: profile.id,
    ...(scanner ? { scanner } : {}),
    compliance: computeCompliance(report, profile),
    firewall: computeFirewall(report),
    overview: computeOverview(report),
  };
  return seal(withMeta);
}
