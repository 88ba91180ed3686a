// Hello-level TLS: builds ClientHello records (SSLv2-compatible, SSLv3 … TLS 1.3) and parses what
// the server answers up to the end of its first flight (ServerHello … ServerHelloDone, or an
// alert, or an SSLv2 SERVER-HELLO). No key exchange is ever completed. Parsers never throw:
// malformed input becomes a typed error result.
import crypto from 'node:crypto';
import { groupName, SCSV_FALLBACK, SCSV_RENEGOTIATION, suiteByCode } from '../knowledge/tls-registry.js';

export const PROTOCOL_VERSIONS = {
  SSLv2: 0x0002,
  SSLv3: 0x0300,
  'TLSv1.0': 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
} as const;
export type ProtocolName = keyof typeof PROTOCOL_VERSIONS;
export const PROTOCOL_NAMES = Object.keys(PROTOCOL_VERSIONS) as ProtocolName[];

export function protocolName(version: number): ProtocolName | null {
  for (const [k, v] of Object.entries(PROTOCOL_VERSIONS)) if (v === version) return k as ProtocolName;
  return null;
}

export function versionLabel(version: number): string {
  return protocolName(version) ?? `0x${version.toString(16).padStart(4, '0')}`;
}

/** SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

export const EXT = {
  server_name: 0,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  alpn: 16,
  heartbeat: 15,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  session_ticket: 35,
  supported_versions: 43,
  psk_key_exchange_modes: 45,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;

/** Signature schemes, wide on purpose so old and new servers both find one they can sign with. */
export const SIGNATURE_ALGORITHMS: readonly number[] = [
  0x0403,
  0x0503,
  0x0603, // ecdsa_secp256r1_sha256 … secp521r1_sha512
  0x0807,
  0x0808, // ed25519, ed448
  0x0804,
  0x0805,
  0x0806, // rsa_pss_rsae_sha256/384/512
  0x0809,
  0x080a,
  0x080b, // rsa_pss_pss_*
  0x0401,
  0x0501,
  0x0601, // rsa_pkcs1_sha256/384/512
  0x081a,
  0x081b,
  0x081c, // ecdsa_brainpool*tls13
  0x0303,
  0x0301,
  0x0302, // sha224 ecdsa/rsa/dsa
  0x0402,
  0x0502,
  0x0602, // dsa sha256/384/512
  0x0203,
  0x0201,
  0x0202, // sha1 ecdsa/rsa/dsa
  0x0101,
  0x0102,
  0x0103, // md5 rsa/dsa/ecdsa
];

export const TLS13_SIGNATURE_ALGORITHMS: readonly number[] = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x081a, 0x081b, 0x081c, 0x0401, 0x0501, 0x0601,
  0x0203, 0x0201,
];

/** Groups offered in supported_groups for TLS ≤ 1.2 ECDHE enumeration (all curves that were ever used). */
export const LEGACY_GROUPS: readonly number[] = [
  29, 23, 30, 25, 24, 26, 27, 28, 22, 21, 20, 19, 18, 17, 16, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 256, 257, 258, 259, 260,
];

/** Groups offered when probing TLS 1.3. */
export const TLS13_GROUPS: readonly number[] = [
  29, 23, 24, 25, 30, 0x11ec, 0x11eb, 0x11ed, 0x6399, 0x0200, 0x0201, 0x0202, 31, 32, 33, 41, 256, 257, 258, 259, 260, 34, 35, 36, 37, 38,
  39, 40,
];

export interface KeyShare {
  group: number;
  key: Buffer;
}

/** A real key share for the groups node:crypto can generate (x25519, x448, P-256/384/521); null otherwise. */
export function makeKeyShare(group: number): KeyShare | null {
  try {
    if (group === 29 || group === 30) {
      const { publicKey } = group === 29 ? crypto.generateKeyPairSync('x25519') : crypto.generateKeyPairSync('x448');
      const der = publicKey.export({ format: 'der', type: 'spki' });
      const len = group === 29 ? 32 : 56;
      return { group, key: Buffer.from(der.subarray(der.length - len)) };
    }
    const curve = group === 23 ? 'prime256v1' : group === 24 ? 'secp384r1' : group === 25 ? 'secp521r1' : null;
    if (curve) {
      const ecdh = crypto.createECDH(curve);
      return { group, key: ecdh.generateKeys() };
    }
  } catch {
    return null;
  }
  return null;
}

export interface ClientHelloOptions {
  /** ClientHello.client_version (for TLS 1.3 the legacy_version 0x0303 is used automatically) */
  version: number;
  /** record-layer version; default 0x0300 for SSLv3, else 0x0301 (what most clients send) */
  recordVersion?: number;
  suites: readonly number[];
  serverName?: string | null;
  groups?: readonly number[];
  ecPointFormats?: boolean;
  signatureAlgorithms?: readonly number[];
  /** how to signal RFC 5746 support; default 'extension' (TLS) / 'scsv' (SSLv3) */
  renegotiation?: 'extension' | 'scsv' | 'both' | 'none';
  fallbackScsv?: boolean;
  extendedMasterSecret?: boolean;
  sessionTicket?: boolean;
  /** compression methods, default [0] (null) */
  compression?: readonly number[];
  /** when set, sends supported_versions (TLS 1.3 style hello) */
  supportedVersions?: readonly number[];
  keyShares?: readonly KeyShare[];
  pskKeyExchangeModes?: boolean;
  /** false = no extensions block at all (SSLv3-style hello); default true except for SSLv3 */
  extensions?: boolean;
  /** pad 256..511-byte hellos to 512 (RFC 7685) to dodge a known middlebox bug; default true */
  padding?: boolean;
  random?: Buffer;
  sessionId?: Buffer;
  /** contents of the session_ticket extension (a ticket to resume); default empty (asks for one) */
  sessionTicketData?: Buffer;
  /** further extensions, appended as given (status_request, heartbeat, …) */
  extraExtensions?: readonly { type: number; data: Buffer }[];
}

/** status_request (RFC 6066): OCSP, no responder ids, no request extensions. */
export const STATUS_REQUEST_OCSP = Buffer.from([1, 0, 0, 0, 0]);
/** heartbeat (RFC 6520): peer_allowed_to_send. */
export const HEARTBEAT_PEER_ALLOWED = Buffer.from([1]);

function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function vec8(b: Buffer): Buffer {
  return Buffer.concat([u8(b.length), b]);
}
function vec16(b: Buffer): Buffer {
  return Buffer.concat([u16(b.length), b]);
}
function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}
function list16(values: readonly number[]): Buffer {
  return Buffer.concat(values.map(u16));
}

function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':');
}

/** Builds the handshake body of a ClientHello (without handshake header). */
export function buildClientHelloBody(o: ClientHelloOptions): Buffer {
  const isSsl3 = o.version === 0x0300;
  const withExtensions = o.extensions ?? !isSsl3;
  const reneg = o.renegotiation ?? (withExtensions ? 'extension' : 'scsv');
  const legacyVersion = o.version >= 0x0304 ? 0x0303 : o.version;
  const suites = [...o.suites];
  if (reneg === 'scsv' || reneg === 'both') suites.push(SCSV_RENEGOTIATION);
  if (o.fallbackScsv) suites.push(SCSV_FALLBACK);
  const random = o.random ?? crypto.randomBytes(32);
  const sessionId = o.sessionId ?? (o.supportedVersions ? crypto.randomBytes(32) : Buffer.alloc(0));
  const parts: Buffer[] = [u16(legacyVersion), random, vec8(sessionId), vec16(list16(suites)), vec8(Buffer.from(o.compression ?? [0]))];
  if (withExtensions) {
    const exts: Buffer[] = [];
    if (o.serverName && !isIpLiteral(o.serverName)) {
      const host = Buffer.from(o.serverName, 'ascii');
      exts.push(ext(EXT.server_name, vec16(Buffer.concat([u8(0), vec16(host)]))));
    }
    if (reneg === 'extension' || reneg === 'both') exts.push(ext(EXT.renegotiation_info, Buffer.from([0])));
    const groups = o.groups ?? (o.supportedVersions ? TLS13_GROUPS : LEGACY_GROUPS);
    if (groups.length) exts.push(ext(EXT.supported_groups, vec16(list16(groups))));
    if (o.ecPointFormats ?? true) exts.push(ext(EXT.ec_point_formats, vec8(Buffer.from([0, 1, 2]))));
    if (o.version >= 0x0303) {
      const sa = o.signatureAlgorithms ?? (o.supportedVersions ? TLS13_SIGNATURE_ALGORITHMS : SIGNATURE_ALGORITHMS);
      exts.push(ext(EXT.signature_algorithms, vec16(list16(sa))));
    }
    if (o.sessionTicket ?? true) exts.push(ext(EXT.session_ticket, o.sessionTicketData ?? Buffer.alloc(0)));
    if (o.extendedMasterSecret ?? true) exts.push(ext(EXT.extended_master_secret, Buffer.alloc(0)));
    if (o.supportedVersions) {
      exts.push(ext(EXT.supported_versions, vec8(list16(o.supportedVersions))));
      if (o.pskKeyExchangeModes ?? true) exts.push(ext(EXT.psk_key_exchange_modes, vec8(Buffer.from([1]))));
      const shares = (o.keyShares ?? []).map((k) => Buffer.concat([u16(k.group), vec16(k.key)]));
      exts.push(ext(EXT.key_share, vec16(Buffer.concat(shares))));
    }
    for (const x of o.extraExtensions ?? []) exts.push(ext(x.type, x.data));
    let extBlock = Buffer.concat(exts);
    if (o.padding ?? true) {
      // total hello length = 4 (hs header) + parts + 2 + extBlock; pad into [512, ...) if in [256, 511]
      const partsLen = parts.reduce((n, p) => n + p.length, 0);
      const helloLen = 4 + partsLen + 2 + extBlock.length;
      if (helloLen >= 256 && helloLen < 512) {
        const padLen = Math.max(0, 512 - helloLen - 4);
        extBlock = Buffer.concat([extBlock, ext(EXT.padding, Buffer.alloc(padLen))]);
      }
    }
    parts.push(vec16(extBlock));
  }
  return Buffer.concat(parts);
}

/** Wraps handshake bytes into records of at most 16 KiB each. */
export function wrapRecords(contentType: number, recordVersion: number, payload: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let off = 0; off < payload.length || off === 0; off += 16384) {
    const frag = payload.subarray(off, off + 16384);
    out.push(Buffer.concat([u8(contentType), u16(recordVersion), u16(frag.length), frag]));
    if (payload.length === 0) break;
  }
  return Buffer.concat(out);
}

/** A complete ClientHello record (or records, for hellos over 16 KiB). */
export function buildClientHello(o: ClientHelloOptions): Buffer {
  const body = buildClientHelloBody(o);
  const hs = Buffer.concat([u8(1), u24(body.length), body]);
  const recordVersion = o.recordVersion ?? (o.version === 0x0300 ? 0x0300 : 0x0301);
  return wrapRecords(22, recordVersion, hs);
}

/**
 * An SSLv2 CLIENT-HELLO (2-byte record header). version 0x0002 asks for SSL 2.0 itself;
 * `tlsSuites` adds 3-byte-encoded TLS suites (0x00XXYY), as SSLv2-compatible TLS clients did.
 */
export function buildSSLv2ClientHello(
  kinds: readonly number[],
  opts: { version?: number; tlsSuites?: readonly number[]; challenge?: Buffer } = {},
): Buffer {
  const specs = Buffer.concat([
    ...kinds.map((k) => Buffer.from([(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff])),
    ...(opts.tlsSuites ?? []).map((k) => Buffer.from([0, (k >> 8) & 0xff, k & 0xff])),
  ]);
  const challenge = opts.challenge ?? crypto.randomBytes(16);
  const msg = Buffer.concat([u8(1), u16(opts.version ?? 0x0002), u16(specs.length), u16(0), u16(challenge.length), specs, challenge]);
  return Buffer.concat([u16(0x8000 | msg.length), msg]);
}

// ------------------------------------------------------------------------------------------
// Parsing

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

class ParseError extends Error {}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public off = 0,
    private readonly end = buf.length,
  ) {}
  get remaining(): number {
    return this.end - this.off;
  }
  need(n: number, what: string): void {
    if (n < 0 || this.off + n > this.end) throw new ParseError(`truncated ${what} (need ${n}, have ${this.end - this.off})`);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.off++]!;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u24(what = 'u24'): number {
    this.need(3, what);
    const v = (this.buf[this.off]! << 16) | (this.buf[this.off + 1]! << 8) | this.buf[this.off + 2]!;
    this.off += 3;
    return v;
  }
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  vec8(what: string): Buffer {
    return this.bytes(this.u8(what), what);
  }
  vec16(what: string): Buffer {
    return this.bytes(this.u16(what), what);
  }
  vec24(what: string): Buffer {
    return this.bytes(this.u24(what), what);
  }
}

function guard<T>(fn: () => T): Parsed<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, error: err instanceof ParseError ? err.message : `parser failure: ${(err as Error)?.message ?? String(err)}` };
  }
}

export interface ServerHelloInfo {
  /** ServerHello.legacy_version / server_version */
  legacyVersion: number;
  /** the negotiated version: supported_versions when present, else legacyVersion */
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  compression: number;
  isHelloRetryRequest: boolean;
  extensions: { type: number; length: number }[];
  /** renegotiation_info present (RFC 5746) */
  secureRenegotiation: boolean;
  extendedMasterSecret: boolean;
  sessionTicket: boolean;
  encryptThenMac: boolean;
  /** key_share group (ServerHello) or the requested group (HelloRetryRequest) */
  keyShareGroup: number | null;
}

export function parseServerHello(body: Buffer): Parsed<ServerHelloInfo> {
  return guard(() => {
    const r = new Reader(body);
    const legacyVersion = r.u16('server_version');
    const random = Buffer.from(r.bytes(32, 'random'));
    const sessionId = Buffer.from(r.vec8('session_id'));
    const cipherSuite = r.u16('cipher_suite');
    const compression = r.u8('compression_method');
    const isHrr = random.equals(HRR_RANDOM);
    const info: ServerHelloInfo = {
      legacyVersion,
      version: legacyVersion,
      random,
      sessionId,
      cipherSuite,
      compression,
      isHelloRetryRequest: isHrr,
      extensions: [],
      secureRenegotiation: false,
      extendedMasterSecret: false,
      sessionTicket: false,
      encryptThenMac: false,
      keyShareGroup: null,
    };
    if (r.remaining === 0) return info; // no extensions (SSLv3 / old TLS)
    const extBlock = r.vec16('extensions');
    const er = new Reader(extBlock);
    while (er.remaining > 0) {
      const type = er.u16('extension type');
      const data = er.vec16('extension data');
      info.extensions.push({ type, length: data.length });
      const dr = new Reader(data);
      switch (type) {
        case EXT.supported_versions:
          info.version = dr.u16('selected_version');
          break;
        case EXT.renegotiation_info:
          info.secureRenegotiation = true;
          break;
        case EXT.extended_master_secret:
          info.extendedMasterSecret = true;
          break;
        case EXT.session_ticket:
          info.sessionTicket = true;
          break;
        case EXT.encrypt_then_mac:
          info.encryptThenMac = true;
          break;
        case EXT.key_share:
          info.keyShareGroup = dr.u16('key_share group');
          break;
      }
    }
    if (r.remaining > 0) throw new ParseError(`${r.remaining} trailing bytes after ServerHello`);
    return info;
  });
}

/** TLS ≤ 1.2 Certificate message: the DER chain as sent. */
export function parseCertificateMessage(body: Buffer): Parsed<Buffer[]> {
  return guard(() => {
    const r = new Reader(body);
    const list = r.vec24('certificate_list');
    const lr = new Reader(list);
    const certs: Buffer[] = [];
    while (lr.remaining > 0) certs.push(Buffer.from(lr.vec24('certificate')));
    return certs;
  });
}

export interface ServerKeyExchangeInfo {
  kind: 'dh' | 'ecdh' | 'other';
  /** DH prime size in bits */
  dhBits?: number;
  /** ECDHE named curve code (curve_type 3) */
  namedCurve?: number;
  curveName?: string;
  /** 1 explicit_prime, 2 explicit_char2, 3 named_curve */
  curveType?: number;
}

function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/** ServerKeyExchange for (EC)DHE suites; the suite decides the layout. */
export function parseServerKeyExchange(body: Buffer, cipherSuite: number): Parsed<ServerKeyExchangeInfo> {
  return guard(() => {
    const s = suiteByCode(cipherSuite);
    const kex = s?.kex;
    const r = new Reader(body);
    if (kex === 'DHE_PSK' || kex === 'ECDHE_PSK') r.vec16('psk_identity_hint');
    if (kex === 'DHE' || kex === 'DHE_PSK') {
      const p = r.vec16('dh_p');
      return { kind: 'dh', dhBits: bitLength(p) };
    }
    if (kex === 'ECDHE' || kex === 'ECDHE_PSK') {
      const curveType = r.u8('curve_type');
      if (curveType === 3) {
        const namedCurve = r.u16('named_curve');
        return { kind: 'ecdh', curveType, namedCurve, curveName: groupName(namedCurve) };
      }
      return { kind: 'ecdh', curveType };
    }
    return { kind: 'other' };
  });
}

export interface CertificateRequestInfo {
  /** ClientCertificateType codes (1 rsa_sign, 2 dss_sign, 64 ecdsa_sign, …) */
  certificateTypes: number[];
  /** TLS 1.2 supported_signature_algorithms; null before TLS 1.2 (the field does not exist) */
  signatureAlgorithms: number[] | null;
  /** DER DistinguishedNames of the CAs whose client certificates the server accepts (may be empty) */
  certificateAuthorities: Buffer[];
}

/** TLS ≤ 1.2 CertificateRequest (RFC 5246 §7.4.4; before TLS 1.2 without signature algorithms). */
export function parseCertificateRequest(body: Buffer, version: number): Parsed<CertificateRequestInfo> {
  return guard(() => {
    const r = new Reader(body);
    const certificateTypes = [...r.vec8('certificate_types')];
    let signatureAlgorithms: number[] | null = null;
    if (version >= 0x0303) {
      const sa = r.vec16('supported_signature_algorithms');
      signatureAlgorithms = [];
      for (let i = 0; i + 1 < sa.length; i += 2) signatureAlgorithms.push(sa.readUInt16BE(i));
    }
    const cas = new Reader(r.vec16('certificate_authorities'));
    const certificateAuthorities: Buffer[] = [];
    while (cas.remaining > 0) certificateAuthorities.push(Buffer.from(cas.vec16('distinguished name')));
    return { certificateTypes, signatureAlgorithms, certificateAuthorities };
  });
}

/** TLS ≤ 1.2 CertificateStatus (RFC 6066 §8): the stapled OCSPResponse, DER. */
export function parseCertificateStatus(body: Buffer): Parsed<Buffer> {
  return guard(() => {
    const r = new Reader(body);
    const type = r.u8('status_type');
    if (type !== 1) throw new ParseError(`status_type ${type} is not ocsp`);
    return Buffer.from(r.vec24('ocsp_response'));
  });
}

/** The prime p of a (DHE) ServerKeyExchange; null when the suite has no finite-field DH. */
export function parseDhPrime(body: Buffer, cipherSuite: number): Parsed<Buffer | null> {
  return guard(() => {
    const kex = suiteByCode(cipherSuite)?.kex;
    if (kex !== 'DHE' && kex !== 'DHE_PSK') return null;
    const r = new Reader(body);
    if (kex === 'DHE_PSK') r.vec16('psk_identity_hint');
    return Buffer.from(r.vec16('dh_p'));
  });
}

export const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
  121: 'ech_required',
};

export interface AlertInfo {
  level: number;
  description: number;
  name: string;
}

export function parseAlert(body: Buffer): Parsed<AlertInfo> {
  return guard(() => {
    const r = new Reader(body);
    const level = r.u8('alert level');
    const description = r.u8('alert description');
    return { level, description, name: ALERT_DESCRIPTIONS[description] ?? `alert_${description}` };
  });
}

export interface SSLv2ServerHelloInfo {
  sessionIdHit: number;
  certificateType: number;
  version: number;
  certificate: Buffer | null;
  cipherKinds: number[];
}

/** Parses an SSLv2 SERVER-HELLO message body (after the record header, starting at the type byte 4). */
export function parseSSLv2ServerHello(msg: Buffer): Parsed<SSLv2ServerHelloInfo> {
  return guard(() => {
    const r = new Reader(msg);
    const type = r.u8('msg type');
    if (type !== 4) throw new ParseError(`SSLv2 message type ${type} is not SERVER-HELLO`);
    const sessionIdHit = r.u8('session_id_hit');
    const certificateType = r.u8('certificate_type');
    const version = r.u16('server_version');
    const certLen = r.u16('certificate_length');
    const specsLen = r.u16('cipher_specs_length');
    const connIdLen = r.u16('connection_id_length');
    const cert = r.bytes(certLen, 'certificate');
    const specs = r.bytes(specsLen, 'cipher_specs');
    r.bytes(connIdLen, 'connection_id');
    if (specsLen % 3 !== 0) throw new ParseError('SSLv2 cipher specs length not a multiple of 3');
    const cipherKinds: number[] = [];
    for (let i = 0; i < specs.length; i += 3) cipherKinds.push((specs[i]! << 16) | (specs[i + 1]! << 8) | specs[i + 2]!);
    return { sessionIdHit, certificateType, version, certificate: certLen ? Buffer.from(cert) : null, cipherKinds };
  });
}

// ------------------------------------------------------------------------------------------
// The server's first flight, fed chunk by chunk as it arrives from TCP.

export interface FlightLimits {
  /** hard cap on bytes read from the server */
  maxBytes: number;
  /** largest record payload accepted (RFC: 2^14 + 2048 for ciphertext) */
  maxRecord: number;
  /** largest handshake message accepted */
  maxHandshakeMessage: number;
}

export const DEFAULT_LIMITS: FlightLimits = { maxBytes: 256 * 1024, maxRecord: 16384 + 2048, maxHandshakeMessage: 128 * 1024 };

export interface FlightResult {
  kind: 'server-hello' | 'hello-retry-request' | 'alert' | 'sslv2-server-hello' | 'sslv2-error' | 'not-tls' | 'malformed' | 'incomplete';
  serverHello: ServerHelloInfo | null;
  certificates: Buffer[] | null;
  serverKeyExchange: ServerKeyExchangeInfo | null;
  serverHelloDone: boolean;
  alert: AlertInfo | null;
  sslv2: SSLv2ServerHelloInfo | null;
  /** record versions seen, for evidence */
  recordVersion: number | null;
  error: string | null;
  /** printable preview of non-TLS bytes (e.g. an FTP "421 …" reply) */
  preview: string | null;
  bytes: number;
  /** TLS ≤ 1.2 CertificateRequest in the first flight (the server asks for a client certificate) */
  certificateRequest?: CertificateRequestInfo;
  /** TLS ≤ 1.2 CertificateStatus: the stapled OCSPResponse (DER), when status_request was offered */
  certificateStatus?: Buffer;
  /** the DHE prime p of the ServerKeyExchange */
  dhPrime?: Buffer;
}

/**
 * Incremental parser of the server's first flight. push() every chunk; `done` turns true when
 * nothing more is needed (ServerHelloDone, a TLS 1.3 ServerHello/HRR, an alert, an SSLv2 reply,
 * or an error). Never throws.
 */
export class ServerFlight {
  private buf: Buffer = Buffer.alloc(0);
  private hs: Buffer = Buffer.alloc(0);
  private total = 0;
  done = false;
  readonly result: FlightResult = {
    kind: 'incomplete',
    serverHello: null,
    certificates: null,
    serverKeyExchange: null,
    serverHelloDone: false,
    alert: null,
    sslv2: null,
    recordVersion: null,
    error: null,
    preview: null,
    bytes: 0,
  };

  constructor(
    private readonly limits: FlightLimits = DEFAULT_LIMITS,
    private readonly stopAfterServerHello = false,
  ) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    try {
      this.total += chunk.length;
      this.result.bytes = this.total;
      if (this.total > this.limits.maxBytes)
        return this.fail('malformed', `server sent more than ${this.limits.maxBytes} bytes without completing its hello`);
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.drain();
    } catch (err) {
      this.fail('malformed', `parser failure: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** Call when the connection ended; turns an unfinished parse into a definite result. */
  end(reason = 'connection closed'): FlightResult {
    if (!this.done) {
      this.done = true;
      if (this.result.serverHello) {
        // got a ServerHello but not the whole flight: still a ServerHello for our purposes
        this.result.kind = this.result.serverHello.isHelloRetryRequest ? 'hello-retry-request' : 'server-hello';
        this.result.error = `${reason} before end of server flight`;
      } else if (this.result.kind === 'incomplete') {
        this.result.error = this.total === 0 ? `${reason} without reply` : `${reason} mid-record (${this.total} bytes)`;
      }
    }
    return this.result;
  }

  private fail(kind: FlightResult['kind'], error: string): void {
    if (!(this.result.serverHello && kind === 'malformed')) this.result.kind = kind;
    this.result.error = error;
    this.done = true;
  }

  private drain(): void {
    while (!this.done && this.buf.length > 0) {
      const b0 = this.buf[0]!;
      if (this.total === this.buf.length && this.result.recordVersion === null && b0 & 0x80) {
        // SSLv2 record header (2-byte form)
        if (this.buf.length < 3) return;
        const len = ((b0 & 0x7f) << 8) | this.buf[1]!;
        if (this.buf.length < 2 + len) {
          if (len > this.limits.maxRecord * 2) return this.fail('malformed', `SSLv2 record of ${len} bytes`);
          return;
        }
        const msg = this.buf.subarray(2, 2 + len);
        if (msg[0] === 0) {
          this.result.kind = 'sslv2-error';
          this.result.error = `SSLv2 ERROR ${msg.length >= 3 ? msg.readUInt16BE(1) : '?'}`;
          this.done = true;
          return;
        }
        const p = parseSSLv2ServerHello(Buffer.from(msg));
        if (!p.ok) return this.fail('malformed', `SSLv2: ${p.error}`);
        this.result.sslv2 = p.value;
        this.result.kind = 'sslv2-server-hello';
        this.done = true;
        return;
      }
      if (b0 < 20 || b0 > 24) {
        const preview = this.buf
          .subarray(0, 120)
          .toString('latin1')
          .replace(/[^\x20-\x7e]/g, '.');
        this.result.preview = preview;
        return this.fail('not-tls', `not a TLS record (first byte 0x${b0.toString(16)}): ${JSON.stringify(preview)}`);
      }
      if (this.buf.length < 5) return;
      const major = this.buf[1]!;
      if (major !== 3) {
        const preview = this.buf
          .subarray(0, 120)
          .toString('latin1')
          .replace(/[^\x20-\x7e]/g, '.');
        this.result.preview = preview;
        return this.fail('not-tls', `record version ${major}.${this.buf[2]} is not TLS: ${JSON.stringify(preview)}`);
      }
      const len = this.buf.readUInt16BE(3);
      if (len > this.limits.maxRecord) return this.fail('malformed', `record length ${len} over limit ${this.limits.maxRecord}`);
      if (this.buf.length < 5 + len) return;
      this.result.recordVersion ??= this.buf.readUInt16BE(1);
      const payload = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onRecord(b0, Buffer.from(payload));
    }
  }

  private onRecord(type: number, payload: Buffer): void {
    if (type === 21) {
      const a = parseAlert(payload);
      if (!a.ok) return this.fail('malformed', `alert: ${a.error}`);
      this.result.alert = a.value;
      if (!this.result.serverHello) this.result.kind = 'alert';
      this.done = true;
      return;
    }
    if (type === 22) {
      if (this.result.serverHello && this.result.serverHello.version >= 0x0304) {
        this.done = true;
        return;
      }
      this.hs = this.hs.length ? Buffer.concat([this.hs, payload]) : payload;
      while (!this.done && this.hs.length >= 4) {
        const mt = this.hs[0]!;
        const ml = (this.hs[1]! << 16) | (this.hs[2]! << 8) | this.hs[3]!;
        if (ml > this.limits.maxHandshakeMessage) return this.fail('malformed', `handshake message of ${ml} bytes over limit`);
        if (this.hs.length < 4 + ml) return;
        const body = Buffer.from(this.hs.subarray(4, 4 + ml));
        this.hs = this.hs.subarray(4 + ml);
        this.onHandshake(mt, body);
      }
      return;
    }
    if (type === 20) return; // ChangeCipherSpec (TLS 1.3 middlebox compatibility)
    // application data (encrypted TLS 1.3 flight) or heartbeat: nothing we can read in the clear
    if (this.result.serverHello) {
      this.done = true;
      return;
    }
    this.fail('malformed', `unexpected record type ${type} before ServerHello`);
  }

  private onHandshake(type: number, body: Buffer): void {
    const r = this.result;
    if (!r.serverHello) {
      if (type === 0) return; // HelloRequest: ignore
      if (type !== 2) return this.fail('malformed', `expected ServerHello, got handshake type ${type}`);
      const sh = parseServerHello(body);
      if (!sh.ok) return this.fail('malformed', `ServerHello: ${sh.error}`);
      r.serverHello = sh.value;
      r.kind = sh.value.isHelloRetryRequest ? 'hello-retry-request' : 'server-hello';
      if (sh.value.isHelloRetryRequest || sh.value.version >= 0x0304 || this.stopAfterServerHello) this.done = true;
      return;
    }
    switch (type) {
      case 11: {
        const c = parseCertificateMessage(body);
        if (c.ok) r.certificates = c.value;
        else r.error = `Certificate: ${c.error}`;
        break;
      }
      case 12: {
        const k = parseServerKeyExchange(body, r.serverHello.cipherSuite);
        if (k.ok) r.serverKeyExchange = k.value;
        else r.error = `ServerKeyExchange: ${k.error}`;
        const p = parseDhPrime(body, r.serverHello.cipherSuite);
        if (p.ok && p.value) r.dhPrime = p.value;
        break;
      }
      case 13: {
        const c = parseCertificateRequest(body, r.serverHello.version);
        if (c.ok) r.certificateRequest = c.value;
        else r.error = `CertificateRequest: ${c.error}`;
        break;
      }
      case 22: {
        const c = parseCertificateStatus(body);
        if (c.ok) r.certificateStatus = c.value;
        else r.error = `CertificateStatus: ${c.error}`;
        break;
      }
      case 14:
        r.serverHelloDone = true;
        this.done = true;
        break;
      default:
        break;
    }
  }
}
