// The TLS cipher-suite registry as data: every IANA-assigned code point (iana-suites.ts) with
// attributes parsed from the IANA name, plus the SSLv2 cipher kinds. Knowledge lives here so
// probes and checks never guess from strings themselves.
import { IANA_SUITES } from './iana-suites.js';

export type Kex =
  | 'NULL'
  | 'RSA'
  | 'DH'
  | 'DHE'
  | 'ECDH'
  | 'ECDHE'
  | 'PSK'
  | 'DHE_PSK'
  | 'RSA_PSK'
  | 'ECDHE_PSK'
  | 'KRB5'
  | 'SRP'
  | 'ECCPWD'
  | 'GOST'
  | 'TLS13'
  | 'SSLv2'
  | 'SCSV';
export type Auth = 'NULL' | 'RSA' | 'DSS' | 'ECDSA' | 'PSK' | 'KRB5' | 'SRP' | 'ECCPWD' | 'GOST' | 'anon' | 'any';
export type CipherFamily =
  | 'NULL'
  | 'RC4'
  | 'RC2'
  | 'DES'
  | '3DES'
  | 'IDEA'
  | 'SEED'
  | 'AES-CBC'
  | 'AES-GCM'
  | 'AES-CCM'
  | 'AES-CCM8'
  | 'CAMELLIA-CBC'
  | 'CAMELLIA-GCM'
  | 'ARIA-CBC'
  | 'ARIA-GCM'
  | 'CHACHA20'
  | 'SM4-GCM'
  | 'SM4-CCM'
  | 'AEGIS'
  | 'GOST'
  | 'NONE';

export interface CipherSuiteInfo {
  /** 16-bit code point (SSLv2 kinds: 24-bit) */
  code: number;
  /** "0xC0,0x2F" as IANA writes it */
  hex: string;
  /** IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (SSLv2: SSL_CK_…) */
  name: string;
  /** OpenSSL name where one exists, e.g. ECDHE-RSA-AES128-GCM-SHA256 */
  openssl: string | null;
  kex: Kex;
  auth: Auth;
  anon: boolean;
  export: boolean;
  cipher: CipherFamily;
  /** symmetric key bits (effective: export suites 40/56); 0 for NULL */
  bits: number;
  /** MD5 | SHA1 | SHA256 | SHA384 | SM3 | AEAD | NULL | GOST */
  mac: string;
  aead: boolean;
  cbc: boolean;
  /** forward secrecy: ephemeral (EC)DH key exchange (all TLS 1.3 suites) */
  pfs: boolean;
  /** usable only with TLS 1.3 */
  tls13Only: boolean;
  /** needs TLS 1.2 (AEAD or SHA-256/384 PRF suites) */
  tls12Only: boolean;
  /** signalling value, not a real suite (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV) */
  scsv: boolean;
  sslv2: boolean;
}

const KEX_TABLE: Record<string, [Kex, Auth]> = {
  NULL: ['NULL', 'NULL'],
  RSA: ['RSA', 'RSA'],
  DH_DSS: ['DH', 'DSS'],
  DH_RSA: ['DH', 'RSA'],
  DHE_DSS: ['DHE', 'DSS'],
  DHE_RSA: ['DHE', 'RSA'],
  DH_anon: ['DHE', 'anon'],
  KRB5: ['KRB5', 'KRB5'],
  PSK: ['PSK', 'PSK'],
  DHE_PSK: ['DHE_PSK', 'PSK'],
  PSK_DHE: ['DHE_PSK', 'PSK'],
  RSA_PSK: ['RSA_PSK', 'RSA'],
  ECDH_ECDSA: ['ECDH', 'ECDSA'],
  ECDHE_ECDSA: ['ECDHE', 'ECDSA'],
  ECDH_RSA: ['ECDH', 'RSA'],
  ECDHE_RSA: ['ECDHE', 'RSA'],
  ECDH_anon: ['ECDHE', 'anon'],
  ECDHE_PSK: ['ECDHE_PSK', 'PSK'],
  SRP_SHA: ['SRP', 'SRP'],
  SRP_SHA_RSA: ['SRP', 'RSA'],
  SRP_SHA_DSS: ['SRP', 'DSS'],
  ECCPWD: ['ECCPWD', 'ECCPWD'],
  GOSTR341112_256: ['GOST', 'GOST'],
};

function parseCipher(c: string): { cipher: CipherFamily; bits: number; aead: boolean; cbc: boolean } {
  const m = (re: RegExp) => re.exec(c);
  let r: RegExpExecArray | null;
  if (c === 'NULL') return { cipher: 'NULL', bits: 0, aead: false, cbc: false };
  if ((r = m(/^RC4_(\d+)$/))) return { cipher: 'RC4', bits: +r[1]!, aead: false, cbc: false };
  if ((r = m(/^RC2_CBC_(\d+)$/))) return { cipher: 'RC2', bits: +r[1]!, aead: false, cbc: true };
  if (c === 'IDEA_CBC') return { cipher: 'IDEA', bits: 128, aead: false, cbc: true };
  if (c === 'DES40_CBC' || c === 'DES_CBC_40') return { cipher: 'DES', bits: 40, aead: false, cbc: true };
  if (c === 'DES_CBC') return { cipher: 'DES', bits: 56, aead: false, cbc: true };
  if (c === '3DES_EDE_CBC') return { cipher: '3DES', bits: 112, aead: false, cbc: true };
  if (c === 'SEED_CBC') return { cipher: 'SEED', bits: 128, aead: false, cbc: true };
  if (c === 'CHACHA20_POLY1305') return { cipher: 'CHACHA20', bits: 256, aead: true, cbc: false };
  if ((r = m(/^(AES|CAMELLIA|ARIA)_(\d+)_(CBC|GCM|CCM_8|CCM)$/))) {
    const fam = r[1]!;
    const mode = r[3]!;
    const cipher = (mode === 'CCM_8' ? `${fam}-CCM8` : `${fam}-${mode}`) as CipherFamily;
    return { cipher, bits: +r[2]!, aead: mode !== 'CBC', cbc: mode === 'CBC' };
  }
  if (c.startsWith('KUZNYECHIK') || c.startsWith('MAGMA') || c.startsWith('28147'))
    return { cipher: 'GOST', bits: 256, aead: /MGM/.test(c), cbc: false };
  return { cipher: 'NONE', bits: 0, aead: false, cbc: false };
}

const TLS13_SPECIAL: Record<string, { cipher: CipherFamily; bits: number; aead: boolean; mac: string }> = {
  TLS_AES_128_GCM_SHA256: { cipher: 'AES-GCM', bits: 128, aead: true, mac: 'AEAD' },
  TLS_AES_256_GCM_SHA384: { cipher: 'AES-GCM', bits: 256, aead: true, mac: 'AEAD' },
  TLS_CHACHA20_POLY1305_SHA256: { cipher: 'CHACHA20', bits: 256, aead: true, mac: 'AEAD' },
  TLS_AES_128_CCM_SHA256: { cipher: 'AES-CCM', bits: 128, aead: true, mac: 'AEAD' },
  TLS_AES_128_CCM_8_SHA256: { cipher: 'AES-CCM8', bits: 128, aead: true, mac: 'AEAD' },
  TLS_AEGIS_256_SHA384: { cipher: 'AEGIS', bits: 256, aead: true, mac: 'AEAD' },
  TLS_AEGIS_128L_SHA256: { cipher: 'AEGIS', bits: 128, aead: true, mac: 'AEAD' },
  TLS_SM4_GCM_SM3: { cipher: 'SM4-GCM', bits: 128, aead: true, mac: 'AEAD' },
  TLS_SM4_CCM_SM3: { cipher: 'SM4-CCM', bits: 128, aead: true, mac: 'AEAD' },
  // RFC 9150 integrity-only suites: no encryption at all
  TLS_SHA256_SHA256: { cipher: 'NULL', bits: 0, aead: false, mac: 'SHA256' },
  TLS_SHA384_SHA384: { cipher: 'NULL', bits: 0, aead: false, mac: 'SHA384' },
};

export function hexCode(code: number): string {
  if (code > 0xffff) {
    return [code >> 16, (code >> 8) & 0xff, code & 0xff].map((b) => '0x' + b.toString(16).toUpperCase().padStart(2, '0')).join(',');
  }
  return `0x${(code >> 8).toString(16).toUpperCase().padStart(2, '0')},0x${(code & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
}

type SuiteBase = Pick<CipherSuiteInfo, 'code' | 'hex' | 'name' | 'openssl' | 'sslv2'>;
type SuiteTraits = Omit<CipherSuiteInfo, keyof SuiteBase>;

/** A suite that names no key exchange or cipher we can read (and the base of the SCSVs). */
const OPAQUE_SUITE: SuiteTraits = {
  kex: 'NULL',
  auth: 'NULL',
  anon: false,
  export: false,
  cipher: 'NONE',
  bits: 0,
  mac: 'NULL',
  aead: false,
  cbc: false,
  pfs: false,
  tls13Only: false,
  tls12Only: false,
  scsv: false,
};

/** Derives the attributes of a suite from its IANA name. Unknown shapes get kex/cipher 'NONE'-ish values, never throw. */
export function parseSuiteName(code: number, name: string, openssl: string | null = null): CipherSuiteInfo {
  const base: SuiteBase = { code, hex: hexCode(code), name, openssl, sslv2: false };
  if (name.endsWith('_SCSV')) return { ...base, ...OPAQUE_SUITE, kex: 'SCSV', scsv: true };
  const special = TLS13_SPECIAL[name];
  if (special) {
    return {
      ...base,
      ...OPAQUE_SUITE,
      kex: 'TLS13',
      auth: 'any',
      cipher: special.cipher,
      bits: special.bits,
      mac: special.mac,
      aead: special.aead,
      pfs: true,
      tls13Only: true,
    };
  }
  if (name.startsWith('TLS_GOSTR341112_256_WITH_')) return { ...base, ...gostSuite(name) };
  const m = /^TLS_(.+?)_(EXPORT_)?WITH_(.+)$/.exec(name);
  if (!m) return { ...base, ...OPAQUE_SUITE };
  return { ...base, ...classicSuite(name, m[1]!, !!m[2], m[3]!) };
}

/** GOST suites: 0xC100-0xC102 are TLS 1.2 (RFC 9189), 0xC103-0xC106 TLS 1.3. */
function gostSuite(name: string): SuiteTraits {
  const tls13 = /_MGM_/.test(name.slice('TLS_GOSTR341112_256_WITH_'.length));
  return {
    ...OPAQUE_SUITE,
    kex: tls13 ? 'TLS13' : 'GOST',
    auth: tls13 ? 'any' : 'GOST',
    cipher: 'GOST',
    bits: 256,
    mac: tls13 ? 'AEAD' : 'GOST',
    aead: tls13,
    pfs: true,
    tls13Only: tls13,
    tls12Only: !tls13,
  };
}

/** TLS_<kex>[_EXPORT]_WITH_<cipher>[_<mac>]: the suites of TLS 1.2 and before. */
function classicSuite(name: string, kexName: string, exportWith: boolean, rest: string): SuiteTraits {
  const isExport = exportWith || /_EXPORT$/.test(kexName);
  const kexPart = kexName.replace(/_EXPORT$/, '');
  const [kex, auth] = KEX_TABLE[kexPart] ?? (['NULL', 'NULL'] as [Kex, Auth]);
  // split cipher and MAC: the MAC is the last token when it is a hash name
  let cipherPart = rest;
  let mac = 'AEAD';
  const mm = /^(.*)_(MD5|SHA|SHA256|SHA384|NULL)$/.exec(rest);
  if (mm && !/^(AES|CAMELLIA|ARIA)_\d+_(GCM|CCM)$/.test(rest)) {
    cipherPart = mm[1]!;
    mac = mm[2] === 'SHA' ? 'SHA1' : mm[2]!;
  }
  const c = parseCipher(cipherPart);
  if (name === 'TLS_NULL_WITH_NULL_NULL') mac = 'NULL';
  if (c.aead) {
    // GCM/CCM/ChaCha suites are AEAD; the trailing hash only names the PRF.
    mac = 'AEAD';
  }
  // CCM / CCM_8 suites have no trailing hash (e.g. TLS_RSA_WITH_AES_128_CCM)
  if (!mm && !c.aead) mac = 'NULL';
  const bits = isExport && c.bits > 0 ? (c.cipher === 'DES' ? 40 : Math.min(c.bits, 40)) : c.bits;
  const pfs = kex === 'DHE' || kex === 'ECDHE' || kex === 'DHE_PSK' || kex === 'ECDHE_PSK' || kex === 'ECCPWD';
  // AEAD needs TLS 1.2; so do the RFC 5246/5289 SHA-256/384 PRF suites — but not the PSK ones of
  // RFC 5487/5489/6367, which are defined for TLS 1.0 onwards (OpenSSL lists them as "TLSv1").
  const pskKex = kex === 'PSK' || kex === 'DHE_PSK' || kex === 'RSA_PSK' || kex === 'ECDHE_PSK';
  const tls12Only = c.aead || (/_SHA(256|384)$/.test(name) && !pskKex);
  return {
    kex,
    auth,
    anon: auth === 'anon',
    export: isExport,
    cipher: c.cipher,
    bits,
    mac,
    aead: c.aead,
    cbc: c.cbc,
    pfs,
    tls13Only: false,
    tls12Only,
    scsv: false,
  };
}

/** SSLv2 cipher kinds (3-byte codes) from the SSL 2.0 draft. */
export const SSLV2_KINDS: readonly CipherSuiteInfo[] = (
  [
    [0x010080, 'SSL_CK_RC4_128_WITH_MD5', 'RC4-MD5', 'RC4', 128, false],
    [0x020080, 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', 'EXP-RC4-MD5', 'RC4', 40, true],
    [0x030080, 'SSL_CK_RC2_128_CBC_WITH_MD5', 'RC2-CBC-MD5', 'RC2', 128, false],
    [0x040080, 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5', 'EXP-RC2-CBC-MD5', 'RC2', 40, true],
    [0x050080, 'SSL_CK_IDEA_128_CBC_WITH_MD5', 'IDEA-CBC-MD5', 'IDEA', 128, false],
    [0x060040, 'SSL_CK_DES_64_CBC_WITH_MD5', 'DES-CBC-MD5', 'DES', 56, false],
    [0x0700c0, 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', 'DES-CBC3-MD5', '3DES', 112, false],
    [0x080080, 'SSL_CK_RC4_64_WITH_MD5', 'RC4-64-MD5', 'RC4', 64, false],
  ] as const
).map(([code, name, openssl, cipher, bits, exp]) => ({
  code,
  hex: hexCode(code),
  name,
  openssl,
  kex: 'SSLv2' as Kex,
  auth: 'RSA' as Auth,
  anon: false,
  export: exp,
  cipher: cipher as CipherFamily,
  bits,
  mac: 'MD5',
  aead: false,
  cbc: cipher !== 'RC4',
  pfs: false,
  tls13Only: false,
  tls12Only: false,
  scsv: false,
  sslv2: true,
}));

/** All IANA entries (including the two SCSVs), in code order. */
export const CIPHER_SUITES: readonly CipherSuiteInfo[] = IANA_SUITES.map(([code, name, openssl]) => parseSuiteName(code, name, openssl));

const byCode = new Map<number, CipherSuiteInfo>();
const byName = new Map<string, CipherSuiteInfo>();
for (const s of [...CIPHER_SUITES, ...SSLV2_KINDS]) {
  byCode.set(s.code, s);
  byName.set(s.name, s);
  if (s.openssl && !byName.has(s.openssl) && !s.sslv2) byName.set(s.openssl, s);
}

export const SCSV_RENEGOTIATION = 0x00ff;
export const SCSV_FALLBACK = 0x5600;

export function suiteByCode(code: number): CipherSuiteInfo | undefined {
  return byCode.get(code);
}

/** Looks up by IANA name or OpenSSL name. */
export function suiteByName(name: string): CipherSuiteInfo | undefined {
  return byName.get(name);
}

/** The name to report for a code: IANA name, or "0xXX,0xYY" for unassigned codes (a server may pick one). */
export function suiteName(code: number): string {
  return byCode.get(code)?.name ?? `UNKNOWN_${hexCode(code)}`;
}

/** Suites to offer when enumerating TLS 1.3. */
export function tls13Suites(): CipherSuiteInfo[] {
  return CIPHER_SUITES.filter((s) => s.tls13Only);
}

/** Suites to offer when enumerating SSLv3 … TLS 1.2: every real suite that is not TLS 1.3-only. */
export function legacySuites(): CipherSuiteInfo[] {
  return CIPHER_SUITES.filter((s) => !s.tls13Only && !s.scsv);
}

// --- Named groups (supported_groups), IANA TLS Supported Groups registry -----------------
export interface GroupInfo {
  code: number;
  name: string;
  kind: 'ec' | 'ecx' | 'ffdhe' | 'hybrid' | 'brainpool-tls13' | 'gost';
  bits: number;
  tls13: boolean;
}

export const NAMED_GROUPS: readonly GroupInfo[] = (
  [
    [1, 'sect163k1', 'ec', 163, false],
    [2, 'sect163r1', 'ec', 163, false],
    [3, 'sect163r2', 'ec', 163, false],
    [4, 'sect193r1', 'ec', 193, false],
    [5, 'sect193r2', 'ec', 193, false],
    [6, 'sect233k1', 'ec', 233, false],
    [7, 'sect233r1', 'ec', 233, false],
    [8, 'sect239k1', 'ec', 239, false],
    [9, 'sect283k1', 'ec', 283, false],
    [10, 'sect283r1', 'ec', 283, false],
    [11, 'sect409k1', 'ec', 409, false],
    [12, 'sect409r1', 'ec', 409, false],
    [13, 'sect571k1', 'ec', 571, false],
    [14, 'sect571r1', 'ec', 571, false],
    [15, 'secp160k1', 'ec', 160, false],
    [16, 'secp160r1', 'ec', 160, false],
    [17, 'secp160r2', 'ec', 160, false],
    [18, 'secp192k1', 'ec', 192, false],
    [19, 'secp192r1', 'ec', 192, false],
    [20, 'secp224k1', 'ec', 224, false],
    [21, 'secp224r1', 'ec', 224, false],
    [22, 'secp256k1', 'ec', 256, false],
    [23, 'secp256r1', 'ec', 256, true],
    [24, 'secp384r1', 'ec', 384, true],
    [25, 'secp521r1', 'ec', 521, true],
    [26, 'brainpoolP256r1', 'ec', 256, false],
    [27, 'brainpoolP384r1', 'ec', 384, false],
    [28, 'brainpoolP512r1', 'ec', 512, false],
    [29, 'x25519', 'ecx', 253, true],
    [30, 'x448', 'ecx', 448, true],
    [31, 'brainpoolP256r1tls13', 'brainpool-tls13', 256, true],
    [32, 'brainpoolP384r1tls13', 'brainpool-tls13', 384, true],
    [33, 'brainpoolP512r1tls13', 'brainpool-tls13', 512, true],
    [34, 'GC256A', 'gost', 256, true],
    [35, 'GC256B', 'gost', 256, true],
    [36, 'GC256C', 'gost', 256, true],
    [37, 'GC256D', 'gost', 256, true],
    [38, 'GC512A', 'gost', 512, true],
    [39, 'GC512B', 'gost', 512, true],
    [40, 'GC512C', 'gost', 512, true],
    [41, 'curveSM2', 'ec', 256, true],
    [256, 'ffdhe2048', 'ffdhe', 2048, true],
    [257, 'ffdhe3072', 'ffdhe', 3072, true],
    [258, 'ffdhe4096', 'ffdhe', 4096, true],
    [259, 'ffdhe6144', 'ffdhe', 6144, true],
    [260, 'ffdhe8192', 'ffdhe', 8192, true],
    [0x0200, 'MLKEM512', 'hybrid', 512, true],
    [0x0201, 'MLKEM768', 'hybrid', 768, true],
    [0x0202, 'MLKEM1024', 'hybrid', 1024, true],
    [0x11eb, 'SecP256r1MLKEM768', 'hybrid', 256, true],
    [0x11ec, 'X25519MLKEM768', 'hybrid', 253, true],
    [0x11ed, 'SecP384r1MLKEM1024', 'hybrid', 384, true],
    [0x6399, 'X25519Kyber768Draft00', 'hybrid', 253, true],
  ] as const
).map(([code, name, kind, bits, tls13]) => ({ code, name, kind, bits, tls13 }));

const groupByCode = new Map(NAMED_GROUPS.map((g) => [g.code, g]));
export function groupName(code: number): string {
  return groupByCode.get(code)?.name ?? `group_0x${code.toString(16).padStart(4, '0')}`;
}
export function groupByCodeInfo(code: number): GroupInfo | undefined {
  return groupByCode.get(code);
}
