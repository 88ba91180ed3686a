// Helpers for driving the npm `ssh2` client against servers whose algorithm lists we already
// know from the raw KEXINIT: only offer what both ssh2 and the server support, so legacy-only
// servers still negotiate.
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';
import type { Algorithms } from 'ssh2';
import type { KexInit } from './kexinit.js';

interface Ssh2Supported {
  kex: string[];
  hostKey: string[];
  cipher: string[];
  mac: string[];
  compress: string[];
}

let cached: Ssh2Supported | null = null;

/** What this ssh2 build can negotiate (read from its constants; a static fallback otherwise). */
export function ssh2Supported(): Ssh2Supported {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    const c = require('ssh2/lib/protocol/constants.js') as Record<string, string[]>;
    cached = {
      kex: [...(c.SUPPORTED_KEX ?? [])],
      hostKey: [...(c.SUPPORTED_SERVER_HOST_KEY ?? [])],
      cipher: [...(c.SUPPORTED_CIPHER ?? [])],
      mac: [...(c.SUPPORTED_MAC ?? [])],
      compress: [...(c.SUPPORTED_COMPRESSION ?? [])],
    };
    if (cached.kex.length && cached.cipher.length) return cached;
  } catch {
    // fall through
  }
  cached = {
    kex: [
      'curve25519-sha256',
      'curve25519-sha256@libssh.org',
      'ecdh-sha2-nistp256',
      'ecdh-sha2-nistp384',
      'ecdh-sha2-nistp521',
      'diffie-hellman-group-exchange-sha256',
      'diffie-hellman-group14-sha256',
      'diffie-hellman-group16-sha512',
      'diffie-hellman-group18-sha512',
      'diffie-hellman-group14-sha1',
      'diffie-hellman-group-exchange-sha1',
      'diffie-hellman-group1-sha1',
    ],
    hostKey: [
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ],
    cipher: [
      'aes128-gcm@openssh.com',
      'aes256-gcm@openssh.com',
      'aes128-ctr',
      'aes192-ctr',
      'aes256-ctr',
      'aes256-cbc',
      'aes192-cbc',
      'aes128-cbc',
      '3des-cbc',
    ],
    mac: [
      'hmac-sha2-256-etm@openssh.com',
      'hmac-sha2-512-etm@openssh.com',
      'hmac-sha1-etm@openssh.com',
      'hmac-sha2-256',
      'hmac-sha2-512',
      'hmac-sha1',
      'hmac-md5',
    ],
    compress: ['none', 'zlib@openssh.com', 'zlib'],
  };
  return cached;
}

function common(ours: string[], theirs: readonly string[]): string[] {
  return ours.filter((a) => theirs.includes(a));
}

export interface Ssh2AlgorithmPlan {
  algorithms: Algorithms;
  /** categories without any algorithm both sides support (ssh2 cannot connect) */
  missing: string[];
}

/**
 * ssh2 `algorithms` restricted to what the server offers (ssh2's preference order), optionally
 * forcing one host-key algorithm.
 */
export function ssh2AlgorithmsFor(k: KexInit | null, hostKey?: string): Ssh2AlgorithmPlan {
  const sup = ssh2Supported();
  if (!k) {
    return { algorithms: hostKey ? { serverHostKey: [hostKey] as Algorithms['serverHostKey'] } : {}, missing: [] };
  }
  const kex = common(sup.kex, k.kex);
  const hk = hostKey
    ? sup.hostKey.includes(hostKey) && k.hostKeyAlgorithms.includes(hostKey)
      ? [hostKey]
      : []
    : common(sup.hostKey, k.hostKeyAlgorithms);
  // ssh2 uses one list for both directions: take what works client→server and server→client.
  const cipher = common(sup.cipher, k.ciphersCtoS).filter((c) => k.ciphersStoC.includes(c));
  const mac = common(sup.mac, k.macsCtoS).filter((c) => k.macsStoC.includes(c));
  const compress = common(sup.compress, k.compressionCtoS).filter((c) => k.compressionStoC.includes(c));
  const missing: string[] = [];
  if (!kex.length) missing.push('kex');
  if (!hk.length) missing.push('serverHostKey');
  if (!cipher.length) missing.push('cipher');
  // AEAD ciphers need no MAC; ssh2 still wants a non-empty list.
  const macList = mac.length ? mac : sup.mac.slice(0, 1);
  if (!mac.length && !cipher.some((c) => c.includes('gcm') || c.includes('chacha20'))) missing.push('hmac');
  return {
    algorithms: {
      kex: kex as Algorithms['kex'],
      serverHostKey: hk as Algorithms['serverHostKey'],
      cipher: cipher as Algorithms['cipher'],
      hmac: macList as Algorithms['hmac'],
      compress: (compress.length ? compress : ['none']) as Algorithms['compress'],
    },
    missing,
  };
}

/**
 * ssh2 is loaded only when an SSH login-level step needs it: FTP-only scans start faster. With
 * require, not import(): the launcher's code-cached bundle cannot run a dynamic import().
 */
export async function loadSsh2(): Promise<typeof Ssh2> {
  return createRequire(import.meta.url)('ssh2') as typeof Ssh2;
}
