// Well-known finite-field DH primes, by SHA-256 of the prime (big-endian, no leading zeros).
// LOGJAM's lesson is that a prime shared by many servers is worth precomputing against when it is
// small (≤ 1024 bits). Values: node:crypto's MODP groups (RFC 2409/3526) and OpenSSL's RFC 7919
// and RFC 5114 groups (`openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdheN |
// dh_rfc5114:N`); test/unit/tls/vuln-derived.test.ts recomputes them.
import crypto from 'node:crypto';

export interface KnownPrime {
  name: string;
  bits: number;
  sha256: string;
}

export const KNOWN_DH_PRIMES: readonly KnownPrime[] = [
  { name: 'RFC 2409 Oakley group 1', bits: 768, sha256: 'b52ba6a3026520a6c49d37e4587601801bee500123b3259b6bf03e7cecc3e63d' },
  { name: 'RFC 2409 Oakley group 2', bits: 1024, sha256: '3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0' },
  { name: 'RFC 3526 group 5', bits: 1536, sha256: '64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b' },
  { name: 'RFC 3526 group 14', bits: 2048, sha256: 'd66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e' },
  { name: 'RFC 3526 group 15', bits: 3072, sha256: '48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c' },
  { name: 'RFC 3526 group 16', bits: 4096, sha256: '4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33' },
  { name: 'RFC 3526 group 17', bits: 6144, sha256: 'd1bfe6d0925ce7e4da262b62861514a7755e35831e429f343e7b864848657efd' },
  { name: 'RFC 3526 group 18', bits: 8192, sha256: '39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf' },
  { name: 'RFC 7919 ffdhe2048', bits: 2048, sha256: '9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966' },
  { name: 'RFC 7919 ffdhe3072', bits: 3072, sha256: '0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17' },
  { name: 'RFC 7919 ffdhe4096', bits: 4096, sha256: '4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e' },
  { name: 'RFC 7919 ffdhe6144', bits: 6144, sha256: '227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7' },
  { name: 'RFC 7919 ffdhe8192', bits: 8192, sha256: '770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833' },
  {
    name: 'RFC 5114 1024-bit MODP group with 160-bit subgroup',
    bits: 1024,
    sha256: '44c55cfee5c075927cf682da5b681bdecbd5c3eb0784c14f5dce7610f0ef133d',
  },
  {
    name: 'RFC 5114 2048-bit MODP group with 224-bit subgroup',
    bits: 2048,
    sha256: 'bfe545862ca102ad1eeddb5fbfa5bf855ac4995c56a8b408ce3fe099dce93a9d',
  },
  {
    name: 'RFC 5114 2048-bit MODP group with 256-bit subgroup',
    bits: 2048,
    sha256: '0b7835722cb619827610c2549fdda5587421686c4409a13865e76225522ddcc9',
  },
];

export interface DhGroupFact {
  bits: number;
  /** the well-known group this prime is, or null */
  commonName: string | null;
}

/** Size and well-known name of a DH prime (as sent in a ServerKeyExchange). */
export function identifyDhPrime(prime: Buffer): DhGroupFact {
  let p = prime;
  while (p.length > 1 && p[0] === 0) p = p.subarray(1);
  const bits = p.length ? (p.length - 1) * 8 + (32 - Math.clz32(p[0]!)) : 0;
  const h = crypto.createHash('sha256').update(p).digest('hex');
  return { bits, commonName: KNOWN_DH_PRIMES.find((k) => k.sha256 === h)?.name ?? null };
}
