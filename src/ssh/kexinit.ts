// SSH_MSG_KEXINIT (RFC 4253 §7.1): building ours and parsing the server's without ever throwing.
// The one-call inventory read over a connection (`readServerKexinit`) lives in session.ts.
import { randomBytes } from 'node:crypto';
import { MSG, Reader, encNameList, encUint32 } from './wire.js';

/** Names in the kex list that are protocol markers, not key-exchange algorithms. */
export function isKexMarker(name: string): boolean {
  return name === 'ext-info-s' || name === 'ext-info-c' || name.startsWith('kex-strict-') || name.startsWith('ext-info-');
}

export const STRICT_KEX_SERVER = 'kex-strict-s-v00@openssh.com';

export interface KexInit {
  cookie: string;
  /** key-exchange algorithms, markers removed */
  kex: string[];
  /** markers found in the kex list (kex-strict-s-v00@openssh.com, ext-info-s, …) */
  kexMarkers: string[];
  /** the kex name-list exactly as sent (markers included, in order) */
  kexRaw: string[];
  hostKeyAlgorithms: string[];
  ciphersCtoS: string[];
  ciphersStoC: string[];
  macsCtoS: string[];
  macsStoC: string[];
  compressionCtoS: string[];
  compressionStoC: string[];
  languagesCtoS: string[];
  languagesStoC: string[];
  firstKexPacketFollows: boolean;
  reserved: number;
  /** odd things noticed while parsing (invalid names, trailing bytes) */
  warnings: string[];
}

export type KexInitParse = { ok: true; kexinit: KexInit } | { ok: false; error: string };

const LIST_NAMES = [
  'kex_algorithms',
  'server_host_key_algorithms',
  'encryption_algorithms_client_to_server',
  'encryption_algorithms_server_to_client',
  'mac_algorithms_client_to_server',
  'mac_algorithms_server_to_client',
  'compression_algorithms_client_to_server',
  'compression_algorithms_server_to_client',
  'languages_client_to_server',
  'languages_server_to_client',
] as const;

function printable(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Parses a KEXINIT payload (starting with the message number). Never throws. */
export function parseKexinit(payload: Buffer): KexInitParse {
  try {
    const r = new Reader(payload);
    const msg = r.byte();
    if (msg === null) return { ok: false, error: 'empty payload' };
    if (msg !== MSG.KEXINIT) return { ok: false, error: `expected SSH_MSG_KEXINIT (20), got message ${msg}` };
    const cookie = r.bytes(16);
    if (!cookie) return { ok: false, error: 'payload too short for the 16-byte cookie' };
    const lists: string[][] = [];
    const warnings: string[] = [];
    for (const name of LIST_NAMES) {
      const at = r.pos;
      const len = r.uint32();
      if (len === null) return { ok: false, error: `payload ends before ${name} (offset ${at})` };
      if (len > r.remaining)
        return { ok: false, error: `${name} length ${len} overruns the payload (${r.remaining} bytes left, offset ${at})` };
      const raw = r.bytes(len)!.toString('latin1');
      const names = raw.length === 0 ? [] : raw.split(',');
      const clean: string[] = [];
      for (const n of names) {
        if (n.length === 0) {
          warnings.push(`${name}: empty name`);
          continue;
        }
        if (/[^\x21-\x7e]/.test(n)) warnings.push(`${name}: name with non-printable or non-ASCII bytes`);
        if (n.length > 64) warnings.push(`${name}: name longer than 64 characters`);
        clean.push(printable(n));
      }
      lists.push(clean);
    }
    const follows = r.bool();
    if (follows === null) return { ok: false, error: 'payload ends before first_kex_packet_follows' };
    const reserved = r.uint32();
    if (reserved === null) return { ok: false, error: 'payload ends before the reserved uint32' };
    if (r.remaining > 0) warnings.push(`${r.remaining} trailing bytes after KEXINIT`);
    const kexRaw = lists[0]!;
    return {
      ok: true,
      kexinit: {
        cookie: cookie.toString('hex'),
        kex: kexRaw.filter((n) => !isKexMarker(n)),
        kexMarkers: kexRaw.filter(isKexMarker),
        kexRaw,
        hostKeyAlgorithms: lists[1]!,
        ciphersCtoS: lists[2]!,
        ciphersStoC: lists[3]!,
        macsCtoS: lists[4]!,
        macsStoC: lists[5]!,
        compressionCtoS: lists[6]!,
        compressionStoC: lists[7]!,
        languagesCtoS: lists[8]!,
        languagesStoC: lists[9]!,
        firstKexPacketFollows: follows,
        reserved,
        warnings,
      },
    };
  } catch (err) {
    // Reader never throws by design; this is a last line of defence.
    return { ok: false, error: `malformed KEXINIT: ${(err as Error).message}` };
  }
}

export interface KexInitLists {
  kex: readonly string[];
  hostKey: readonly string[];
  ciphersCtoS: readonly string[];
  ciphersStoC: readonly string[];
  macsCtoS: readonly string[];
  macsStoC: readonly string[];
  compressionCtoS: readonly string[];
  compressionStoC: readonly string[];
}

export function buildKexinit(l: KexInitLists, cookie: Buffer = randomBytes(16)): Buffer {
  return Buffer.concat([
    Buffer.from([MSG.KEXINIT]),
    cookie,
    encNameList(l.kex),
    encNameList(l.hostKey),
    encNameList(l.ciphersCtoS),
    encNameList(l.ciphersStoC),
    encNameList(l.macsCtoS),
    encNameList(l.macsStoC),
    encNameList(l.compressionCtoS),
    encNameList(l.compressionStoC),
    encNameList([]),
    encNameList([]),
    Buffer.from([0]),
    encUint32(0),
  ]);
}

/** A wide offer, so that any server finds something in common and answers. */
export const WIDE_OFFER: KexInitLists = (() => {
  const kex = [
    'mlkem768x25519-sha256',
    'sntrup761x25519-sha512',
    'sntrup761x25519-sha512@openssh.com',
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'curve448-sha512',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
    'diffie-hellman-group15-sha512',
    'diffie-hellman-group17-sha512',
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group-exchange-sha1',
    'diffie-hellman-group1-sha1',
    'ext-info-c',
  ];
  const hostKey = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'sk-ssh-ed25519@openssh.com',
    'sk-ecdsa-sha2-nistp256@openssh.com',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
    'ssh-dss',
    'ssh-ed448',
    'ssh-ed25519-cert-v01@openssh.com',
    'ecdsa-sha2-nistp256-cert-v01@openssh.com',
    'ecdsa-sha2-nistp384-cert-v01@openssh.com',
    'ecdsa-sha2-nistp521-cert-v01@openssh.com',
    'rsa-sha2-512-cert-v01@openssh.com',
    'rsa-sha2-256-cert-v01@openssh.com',
    'ssh-rsa-cert-v01@openssh.com',
    'ssh-dss-cert-v01@openssh.com',
  ];
  const ciphers = [
    'chacha20-poly1305@openssh.com',
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'aes128-ctr',
    'aes192-ctr',
    'aes256-ctr',
    'aes128-cbc',
    'aes192-cbc',
    'aes256-cbc',
    'rijndael-cbc@lysator.liu.se',
    '3des-cbc',
    '3des-ctr',
    'blowfish-cbc',
    'blowfish-ctr',
    'cast128-cbc',
    'cast128-ctr',
    'twofish-cbc',
    'twofish128-cbc',
    'twofish256-cbc',
    'twofish128-ctr',
    'twofish256-ctr',
    'serpent128-ctr',
    'serpent256-ctr',
    'arcfour256',
    'arcfour128',
    'arcfour',
    'des-cbc',
    'none',
  ];
  const macs = [
    'hmac-sha2-256-etm@openssh.com',
    'hmac-sha2-512-etm@openssh.com',
    'umac-128-etm@openssh.com',
    'hmac-sha2-256',
    'hmac-sha2-512',
    'umac-128@openssh.com',
    'hmac-sha1-etm@openssh.com',
    'hmac-sha1',
    'umac-64-etm@openssh.com',
    'umac-64@openssh.com',
    'hmac-sha1-96-etm@openssh.com',
    'hmac-sha1-96',
    'hmac-sha2-256-96',
    'hmac-sha2-512-96',
    'hmac-md5-etm@openssh.com',
    'hmac-md5',
    'hmac-md5-96-etm@openssh.com',
    'hmac-md5-96',
    'hmac-ripemd160-etm@openssh.com',
    'hmac-ripemd160',
    'hmac-ripemd160@openssh.com',
    'none',
  ];
  const compression = ['none', 'zlib@openssh.com', 'zlib'];
  return {
    kex,
    hostKey,
    ciphersCtoS: ciphers,
    ciphersStoC: ciphers,
    macsCtoS: macs,
    macsStoC: macs,
    compressionCtoS: compression,
    compressionStoC: compression,
  };
})();

/** One-line summaries of a KEXINIT, for the transcript and evidence. */
export function summarizeKexinit(k: KexInit): string[] {
  return [
    `KEXINIT kex_algorithms: ${k.kexRaw.join(',')}`,
    `KEXINIT server_host_key_algorithms: ${k.hostKeyAlgorithms.join(',')}`,
    `KEXINIT encryption c2s: ${k.ciphersCtoS.join(',')}`,
    `KEXINIT encryption s2c: ${k.ciphersStoC.join(',')}`,
    `KEXINIT mac c2s: ${k.macsCtoS.join(',')}`,
    `KEXINIT mac s2c: ${k.macsStoC.join(',')}`,
    `KEXINIT compression c2s: ${k.compressionCtoS.join(',')}`,
    `KEXINIT compression s2c: ${k.compressionStoC.join(',')}`,
    ...(k.languagesCtoS.length || k.languagesStoC.length
      ? [`KEXINIT languages: ${k.languagesCtoS.join(',')} / ${k.languagesStoC.join(',')}`]
      : []),
    `KEXINIT first_kex_packet_follows=${k.firstKexPacketFollows} reserved=${k.reserved}`,
  ];
}
