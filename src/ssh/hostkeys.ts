// Host keys: parsing the public-key blob (RFC 4253 §6.6, RFC 5656, RFC 8709, PROTOCOL.certkeys,
// PROTOCOL.u2f), fingerprints as ssh-keygen prints them, and fetching every key the server has.
import { createHash } from 'node:crypto';
import { loadSsh2 } from './ssh2util.js';
import { Reader, encString, mpintBits } from './wire.js';
import { ssh2AlgorithmsFor } from './ssh2util.js';
import type { KexInit } from './kexinit.js';
import type { Dialer } from '../net/dialer.js';
import { dialError, dialIdentified } from './conn.js';

export interface ParsedHostKey {
  /** key type from the blob, e.g. ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256, ssh-ed25519-cert-v01@openssh.com */
  type: string;
  bits: number | null;
  /** ECDSA curve identifier (nistp256 …) */
  curve?: string;
  certificate: boolean;
  /** the plain public key inside a certificate (what ssh-keygen fingerprints) */
  plainBlob: Buffer;
}

export type HostKeyParse = ({ ok: true } & ParsedHostKey) | { ok: false; error: string };

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

function printable(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, '?');
}

/** Reads the key fields of `plainType` from `r` and returns bits/curve and the fields' bytes. */
function readKeyFields(plainType: string, r: Reader): { bits: number | null; curve?: string; fields: Buffer } | { error: string } {
  const start = r.pos;
  let bits: number | null;
  let curve: string | undefined;
  if (plainType === 'ssh-rsa') {
    const e = r.mpint();
    const n = r.mpint();
    if (!e || !n) return { error: 'truncated RSA key' };
    bits = mpintBits(n);
  } else if (plainType === 'ssh-dss') {
    const p = r.mpint();
    const q = r.mpint();
    const g = r.mpint();
    const y = r.mpint();
    if (!p || !q || !g || !y) return { error: 'truncated DSA key' };
    bits = mpintBits(p);
  } else if (plainType.startsWith('ecdsa-sha2-') || plainType === 'sk-ecdsa-sha2-nistp256@openssh.com') {
    const c = r.string(64);
    const q = r.string();
    if (!c || !q) return { error: 'truncated ECDSA key' };
    curve = printable(c.toString('latin1'));
    bits = CURVE_BITS[curve] ?? null;
    if (plainType.startsWith('sk-')) {
      if (!r.string()) return { error: 'truncated security-key application' };
    }
  } else if (plainType === 'ssh-ed25519' || plainType === 'sk-ssh-ed25519@openssh.com') {
    const pk = r.string();
    if (!pk) return { error: 'truncated Ed25519 key' };
    bits = pk.length === 32 ? 256 : pk.length * 8;
    if (plainType.startsWith('sk-')) {
      if (!r.string()) return { error: 'truncated security-key application' };
    }
  } else if (plainType === 'ssh-ed448') {
    const pk = r.string();
    if (!pk) return { error: 'truncated Ed448 key' };
    bits = 456;
  } else {
    return { bits: null, fields: r.buf.subarray(start, start) };
  }
  return { bits, curve, fields: r.buf.subarray(start, r.pos) };
}

/** Parses a host-key blob. Never throws. */
export function parseHostKeyBlob(blob: Buffer): HostKeyParse {
  const r = new Reader(blob);
  const t = r.string(128);
  if (!t) return { ok: false, error: 'host key blob without a type string' };
  const type = printable(t.toString('latin1'));
  const certificate = type.endsWith('-cert-v01@openssh.com');
  if (certificate) {
    let plainType = type.replace('-cert-v01@openssh.com', '');
    if (plainType.startsWith('sk-')) plainType = `${plainType}@openssh.com`;
    if (!r.string()) return { ok: false, error: 'truncated certificate nonce' };
    const f = readKeyFields(plainType, r);
    if ('error' in f) return { ok: false, error: f.error };
    return { ok: true, type, bits: f.bits, curve: f.curve, certificate, plainBlob: Buffer.concat([encString(plainType), f.fields]) };
  }
  const f = readKeyFields(type, r);
  if ('error' in f) return { ok: false, error: f.error };
  return { ok: true, type, bits: f.bits, curve: f.curve, certificate, plainBlob: blob };
}

/** `SHA256:` + unpadded base64 of SHA-256 over the blob — what `ssh-keygen -lf` prints. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export interface HostKeyFamily {
  /** one name per distinct key, e.g. 'ssh-rsa' for rsa-sha2-512/rsa-sha2-256/ssh-rsa */
  family: string;
  /** the algorithm we ask for to get this key */
  request: string;
  /** every offered algorithm that uses this key */
  algorithms: string[];
}

function familyOf(alg: string): string {
  if (alg === 'rsa-sha2-256' || alg === 'rsa-sha2-512' || alg === 'ssh-rsa') return 'ssh-rsa';
  if (
    alg === 'rsa-sha2-256-cert-v01@openssh.com' ||
    alg === 'rsa-sha2-512-cert-v01@openssh.com' ||
    alg === 'ssh-rsa-cert-v01@openssh.com'
  ) {
    return 'ssh-rsa-cert-v01@openssh.com';
  }
  return alg;
}

const RSA_PREF = [
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'ssh-rsa-cert-v01@openssh.com',
];

/** Groups the server's host-key algorithms into distinct keys, in the server's order. */
export function hostKeyFamilies(algs: readonly string[]): HostKeyFamily[] {
  const out = new Map<string, HostKeyFamily>();
  for (const a of algs) {
    const f = familyOf(a);
    const e = out.get(f);
    if (e) e.algorithms.push(a);
    else out.set(f, { family: f, request: a, algorithms: [a] });
  }
  for (const e of out.values()) {
    const pref = RSA_PREF.find((p) => e.algorithms.includes(p));
    if (pref) e.request = pref;
  }
  return [...out.values()];
}

export interface HostKeyFact {
  /** key type from the blob (ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256, *-cert-v01@openssh.com) */
  type: string;
  bits: number | null;
  fingerprintSha256: string;
  curve?: string;
  certificate?: boolean;
  /** algorithm negotiated to obtain it */
  algorithm: string;
  /** all offered algorithms that use this key */
  algorithms: string[];
  /** how it was fetched */
  via: 'raw' | 'ssh2';
}

export interface HostKeyMiss {
  algorithm: string;
  algorithms: string[];
  reason: string;
}

export function hostKeyFact(blob: Buffer, fam: HostKeyFamily, via: 'raw' | 'ssh2'): HostKeyFact | HostKeyMiss {
  const p = parseHostKeyBlob(blob);
  if (!p.ok) return { algorithm: fam.request, algorithms: fam.algorithms, reason: `unparseable host key: ${p.error}` };
  const fact: HostKeyFact = {
    type: p.type,
    bits: p.bits,
    fingerprintSha256: fingerprintSha256(p.plainBlob),
    algorithm: fam.request,
    algorithms: fam.algorithms,
    via,
  };
  if (p.curve) fact.curve = p.curve;
  if (p.certificate) fact.certificate = true;
  return fact;
}

/**
 * Fetches one host key with the ssh2 client: `serverHostKey: [alg]` and a hostVerifier that
 * records the blob and refuses, so no login is attempted. Resolves null blob with a reason.
 */
export async function fetchHostKeyWithSsh2(
  host: string,
  port: number,
  algorithm: string,
  kexinit: KexInit | null,
  timeoutMs: number,
  dialer: Dialer,
): Promise<{ blob: Buffer | null; error: string | null }> {
  const plan = ssh2AlgorithmsFor(kexinit, algorithm);
  if (plan.missing.length) return { blob: null, error: `ssh2 cannot negotiate ${algorithm} (no common ${plan.missing.join(', ')})` };
  // ssh2 gets its socket from the endpoint's dialer (budget, cap, deadline).
  const dialled = await dialIdentified(dialer, port, timeoutMs);
  if (!dialled.socket) return { blob: null, error: dialError(dialled) };
  const sock = dialled.socket;
  const { Client } = await loadSsh2();
  return new Promise((resolve) => {
    let blob: Buffer | null = null;
    let settled = false;
    const c = new Client();
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.removeAllListeners();
      c.on('error', () => {});
      c.end();
      sock.destroy();
      resolve({ blob, error: blob ? null : error });
    };
    const timer = setTimeout(() => finish('timed out'), timeoutMs + 500);
    c.on('error', (err) => finish(err.message));
    c.on('close', () => finish('connection closed'));
    try {
      c.connect({
        sock,
        host,
        port,
        username: 'xferscan',
        readyTimeout: timeoutMs,
        algorithms: plan.algorithms,
        hostVerifier: (key: Buffer) => {
          blob = Buffer.from(key);
          return false;
        },
      });
    } catch (err) {
      finish((err as Error).message);
    }
  });
}
