// Certificate facts from a DER chain as the server sent it: names, validity, key, signature
// algorithm, fingerprints, chain verification against the system roots (tls.rootCertificates)
// or a user CA bundle, and hostname match. node:crypto X509Certificate does the X.509 work
// (it handles RSA, EC, Ed25519 and DSA keys); what Node 20 does not expose (the signature
// algorithm OID and its RSASSA-PSS hash) is read with a few lines of DER (der.ts), and
// node-forge's OID table names an algorithm outside our own table.
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { createRequire } from 'node:module';
import type forge from 'node-forge';

// node-forge only for the name of a signature algorithm we do not know (its OID table), and
// only its OID table: the whole library costs ~35 ms of CPU to load.
const requireCjs = createRequire(import.meta.url);
let forgeModule: typeof forge | null = null;
const loadForge = (): typeof forge => {
  if (!forgeModule) {
    forgeModule = requireCjs('node-forge/lib/forge') as typeof forge;
    requireCjs('node-forge/lib/oids');
  }
  return forgeModule;
};
import type { TlsCertificateFacts } from '../model.js';
import {
  certificateDerParts,
  certificateNameKeys,
  certificateSignatureOids,
  derChildren,
  derContent,
  derIntegerHex,
  derOid,
  derRead,
  type DerNode,
} from './der.js';

export interface CertificateFacts extends TlsCertificateFacts {
  /** position in the chain as sent (0 = leaf) */
  index: number;
  serialNumber: string;
  /** EC curve name (e.g. prime256v1) for EC keys */
  keyCurve: string | null;
  /** notAfter - notBefore, in days (rounded down) */
  lifetimeDays: number | null;
  isCA: boolean;
  /** 'md5' | 'sha1' | 'sha256' | … : the hash behind signatureAlgorithm, when known */
  signatureHash: string | null;
  fingerprintSha1: string;
  /** set when the DER could not be parsed at all; the other fields are then placeholders */
  parseError?: string;
}

export interface ChainAnalysis {
  certificates: CertificateFacts[];
  /** the chain verifies (signatures + issuer names) to a trust anchor */
  trusted: boolean;
  trustError: string | null;
  /** subject of the anchor the chain ended at */
  trustAnchor: string | null;
  /** where the anchor came from */
  trustSource: 'system' | 'ca-file' | null;
  /** the name checked, if any */
  hostname: string | null;
  hostnameMatch: boolean | null;
  /** the presented chain is not in leaf → root order, or has certificates not in the path */
  chainOrderProblem: string | null;
}

export interface AnalyzeOptions {
  /** the target host name or IP; checked against SAN (and CN when no SAN) */
  hostname?: string | null;
  /** extra trust anchors: PEM bundle text (see readCaFile) */
  caPem?: string | null;
  /** also trust node's bundled roots (tls.rootCertificates); default true */
  systemRoots?: boolean;
  now?: Date;
}

const SIG_OIDS: Record<string, [string, string | null]> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'md2'],
  '1.2.840.113549.1.1.3': ['md4WithRSAEncryption', 'md4'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'md5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'sha1'],
  '1.3.14.3.2.29': ['sha1WithRSASignature', 'sha1'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'sha224'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'sha256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'sha384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'sha512'],
  '1.2.840.113549.1.1.10': ['RSASSA-PSS', null],
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'sha1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224', 'sha224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'sha256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'sha384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'sha512'],
  '1.2.840.10040.4.3': ['dsa-with-SHA1', 'sha1'],
  '2.16.840.1.101.3.4.3.1': ['dsa-with-SHA224', 'sha224'],
  '2.16.840.1.101.3.4.3.2': ['dsa-with-SHA256', 'sha256'],
  '1.3.101.112': ['Ed25519', 'sha512'],
  '1.3.101.113': ['Ed448', 'shake256'],
  '1.2.156.10197.1.501': ['SM2-with-SM3', 'sm3'],
};
const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
};

/** Signature algorithm of a DER certificate (outer AlgorithmIdentifier, and the RSASSA-PSS hash). */
export function signatureAlgorithmOf(der: Buffer): { name: string; hash: string | null; oid: string | null } {
  const o = certificateSignatureOids(der);
  if (!o) return { name: 'unknown', hash: null, oid: null };
  const known = SIG_OIDS[o.oid];
  if (!known) return { name: loadForge().pki.oids[o.oid] ?? o.oid, hash: null, oid: o.oid };
  if (o.oid === '1.2.840.113549.1.1.10') {
    // RSASSA-PSS-params: [0] hashAlgorithm, SHA-1 when absent
    const hash = o.pssHashOid ? (HASH_OIDS[o.pssHashOid] ?? o.pssHashOid) : 'sha1';
    return { name: `RSASSA-PSS(${hash})`, hash, oid: o.oid };
  }
  return { name: known[0], hash: known[1], oid: o.oid };
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  'P-256': 256,
  secp256k1: 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  secp224r1: 224,
  'P-224': 224,
  prime192v1: 192,
  secp192k1: 192,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
  SM2: 256,
};

function dn(s: string): string {
  return s.split('\n').filter(Boolean).join(', ');
}

function colonHex(hex: string): string {
  return hex.toUpperCase();
}

function parseSans(s: string | undefined): string[] {
  if (!s) return [];
  // "DNS:a.example, IP Address:127.0.0.1, email:x@y"
  return s
    .split(/,\s*(?=[A-Za-z ]+:)/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** What is known of a certificate node:crypto cannot parse: its bytes' fingerprints and signature algorithm. */
function unparsedCertificate(
  index: number,
  sig: ReturnType<typeof signatureAlgorithmOf>,
  fp256: string,
  fp1: string,
  err: unknown,
): CertificateFacts {
  return {
    index,
    subject: '',
    issuer: '',
    notBefore: '',
    notAfter: '',
    subjectAltNames: [],
    keyType: 'unknown',
    keyBits: null,
    signatureAlgorithm: sig.name,
    selfSigned: false,
    fingerprintSha256: fp256,
    serialNumber: '',
    keyCurve: null,
    lifetimeDays: null,
    isCA: false,
    signatureHash: sig.hash,
    fingerprintSha1: fp1,
    parseError: (err as Error).message,
  };
}

const KEY_TYPE_NAMES: Record<string, string> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ec: 'EC',
  dsa: 'DSA',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
  dh: 'DH',
  x25519: 'X25519',
  x448: 'X448',
};

/** The certificate's public key: type, size in bits, curve (unknown when node cannot read the key). */
function publicKeyFacts(x: X509Certificate): { keyType: string; keyBits: number | null; keyCurve: string | null } {
  let keyType = 'unknown';
  let keyBits: number | null = null;
  let keyCurve: string | null = null;
  try {
    const pk = x.publicKey;
    const t = pk.asymmetricKeyType ?? 'unknown';
    const d = pk.asymmetricKeyDetails ?? {};
    keyType = KEY_TYPE_NAMES[t] ?? t;
    if (d.modulusLength) keyBits = d.modulusLength;
    if (d.namedCurve) {
      keyCurve = d.namedCurve;
      keyBits = CURVE_BITS[d.namedCurve] ?? null;
    }
    if (t === 'ed25519') keyBits = 256;
    if (t === 'ed448') keyBits = 456;
  } catch {
    /* unsupported key type: leave unknown */
  }
  return { keyType, keyBits, keyCurve };
}

/** Self-signed: subject and issuer are the same name and its own key verifies its signature. */
function isSelfSigned(x: X509Certificate): boolean {
  if (x.subject !== x.issuer) return false;
  try {
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** Facts of one DER certificate. Never throws: unparsable input yields parseError. */
export function parseCertificate(der: Buffer, index = 0): CertificateFacts {
  const fp256 = crypto.createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
  const fp1 = crypto.createHash('sha1').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
  const sig = signatureAlgorithmOf(der);
  let x: X509Certificate;
  try {
    x = new X509Certificate(der);
  } catch (err) {
    return unparsedCertificate(index, sig, fp256, fp1, err);
  }
  const notBefore = new Date(x.validFrom);
  const notAfter = new Date(x.validTo);
  const { keyType, keyBits, keyCurve } = publicKeyFacts(x);
  const valid = !Number.isNaN(notBefore.getTime()) && !Number.isNaN(notAfter.getTime());
  return {
    index,
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    notBefore: valid ? notBefore.toISOString() : x.validFrom,
    notAfter: valid ? notAfter.toISOString() : x.validTo,
    subjectAltNames: parseSans(x.subjectAltName),
    keyType,
    keyBits,
    signatureAlgorithm: sig.name,
    selfSigned: isSelfSigned(x),
    fingerprintSha256: colonHex(fp256),
    serialNumber: x.serialNumber,
    keyCurve,
    lifetimeDays: valid ? Math.floor((notAfter.getTime() - notBefore.getTime()) / 86_400_000) : null,
    isCA: x.ca,
    signatureHash: sig.hash,
    fingerprintSha1: fp1,
  };
}

/** Splits a PEM bundle into DER certificates (ignores anything that is not a CERTIFICATE block). */
export function pemToDer(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED )?CERTIFICATE-----/g;
  let m: RegExpExecArray | null;
  // Buffer's base64 decoder skips white space: no need to strip the line breaks first
  while ((m = re.exec(pem))) out.push(Buffer.from(m[1]!, 'base64'));
  return out;
}

export function derToPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Reads a --ca-file bundle (PEM). This is the only I/O in this module. */
export function readCaFile(path: string): string {
  return fs.readFileSync(path, 'utf8');
}

interface Anchor {
  der: Buffer;
  /** name keys (see certificateNameKeys): anchors are matched by name before anything is parsed */
  subjectKey: string;
  source: 'system' | 'ca-file';
  /** parsed on first use */
  cert?: X509Certificate;
}

function toAnchor(der: Buffer, source: Anchor['source']): Anchor | null {
  const names = certificateNameKeys(der);
  return names ? { der, subjectKey: names.subject, source } : null;
}

function anchorCert(a: Anchor): X509Certificate | null {
  if (!a.cert) {
    try {
      a.cert = new X509Certificate(a.der);
    } catch {
      return null;
    }
  }
  return a.cert;
}

let systemAnchors: Anchor[] | null = null;
function getSystemAnchors(): Anchor[] {
  systemAnchors ??= tls.rootCertificates.flatMap((pem) =>
    pemToDer(pem)
      .map((d) => toAnchor(d, 'system'))
      .filter((a): a is Anchor => a !== null),
  );
  return systemAnchors;
}

function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function isIp(host: string): boolean {
  return net.isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}

/**
 * Analyses a chain as sent: per-certificate facts, path validation to the trust anchors
 * (signatures and issuer names; validity dates are reported per certificate, not folded in
 * here), and hostname match of the leaf.
 */
export function analyzeChain(chainDer: readonly Buffer[], opts: AnalyzeOptions = {}): ChainAnalysis {
  const certificates = chainDer.map((d, i) => parseCertificate(d, i));
  const hostname = opts.hostname ?? null;
  const result: ChainAnalysis = {
    certificates,
    trusted: false,
    trustError: null,
    trustAnchor: null,
    trustSource: null,
    hostname,
    hostnameMatch: null,
    chainOrderProblem: null,
  };
  if (!chainDer.length) {
    result.trustError = 'no certificate';
    return result;
  }
  const presented: (X509Certificate | null)[] = chainDer.map((d) => {
    try {
      return new X509Certificate(d);
    } catch {
      return null;
    }
  });
  const leaf = presented[0];
  if (!leaf) {
    result.trustError = `leaf certificate unparsable: ${certificates[0]!.parseError ?? 'unknown error'}`;
    return result;
  }
  if (hostname) result.hostnameMatch = hostnameMatches(leaf, hostname);
  walkChain(result, leaf, chainDer, presented, trustAnchors(opts));
  return result;
}

/** Whether the leaf names the host (an IP literal is matched against its IP SANs). */
function hostnameMatches(leaf: X509Certificate, hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  try {
    return isIp(h) ? leaf.checkIP(h) !== undefined : leaf.checkHost(h) !== undefined;
  } catch {
    return false;
  }
}

/** The trust anchors: --ca-file's, then the system's (unless told not to). */
function trustAnchors(opts: AnalyzeOptions): Anchor[] {
  const anchors: Anchor[] = [];
  if (opts.caPem)
    for (const d of pemToDer(opts.caPem)) {
      const a = toAnchor(d, 'ca-file');
      if (a) anchors.push(a);
    }
  if (opts.systemRoots ?? true) anchors.push(...getSystemAnchors());
  return anchors;
}

/** Builds the path from the leaf up through the presented certificates to an anchor; fills the result's trust fields. */
function walkChain(
  result: ChainAnalysis,
  leaf: X509Certificate,
  chainDer: readonly Buffer[],
  presented: readonly (X509Certificate | null)[],
  anchors: readonly Anchor[],
): void {
  const usedIdx = new Set<number>([0]);
  let current = leaf;
  let currentDer = chainDer[0]!;
  for (let depth = 0; depth < 12; depth++) {
    const names = certificateNameKeys(currentDer);
    const asAnchor = names && anchors.find((a) => a.subjectKey === names.subject && a.der.equals(currentDer));
    const byAnchor =
      asAnchor ??
      (names &&
        anchors.find((a) => {
          const c = a.subjectKey === names.issuer ? anchorCert(a) : null;
          return c !== null && signedBy(current, c);
        }));
    if (byAnchor) {
      result.trusted = true;
      result.trustAnchor = dn(anchorCert(byAnchor)?.subject ?? '');
      result.trustSource = byAnchor.source;
      break;
    }
    const nextIdx = presented.findIndex((p, i) => p && !usedIdx.has(i) && signedBy(current, p));
    if (nextIdx < 0) {
      const selfSigned = current.subject === current.issuer && signedBy(current, current);
      result.trustError = selfSigned
        ? `${depth === 0 ? 'self-signed certificate' : 'self-signed certificate in chain'}: ${dn(current.subject)}`
        : `unable to get issuer certificate for ${dn(current.subject)} (issuer ${dn(current.issuer)})`;
      break;
    }
    const next = presented[nextIdx]!;
    if (!next.ca) {
      result.trustError = `issuer ${dn(next.subject)} is not a CA certificate`;
      break;
    }
    if (nextIdx !== depth + 1) result.chainOrderProblem = `certificate ${nextIdx} is used at depth ${depth + 1}: chain not sent in order`;
    usedIdx.add(nextIdx);
    current = next;
    currentDer = chainDer[nextIdx]!;
  }
  if (!result.trusted && !result.trustError) result.trustError = 'chain too long';
}

// ------------------------------------------------------------------------------------------
// Extensions node:crypto does not expose (read with der.ts): key usage, extended key usage, where
// to find the issuer and revocation status (AIA, CRL distribution points), and Must-Staple.

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

export const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

export interface CertificateExtensionFacts {
  /** key usage bits set; null when the extension is absent (no restriction) */
  keyUsage: KeyUsageName[] | null;
  /** extended key usages (names where known, else OIDs); null when absent (no restriction) */
  extendedKeyUsage: string[] | null;
  /** AIA id-ad-ocsp URLs */
  ocspUrls: string[];
  /** AIA id-ad-caIssuers URLs (where the issuer certificate can be fetched) */
  caIssuersUrls: string[];
  /** CRL distribution point URLs */
  crlUrls: string[];
  /** TLS feature extension (RFC 7633) features; null when absent */
  tlsFeatures: number[] | null;
  /** TLS feature status_request (5): the certificate demands a stapled OCSP response (Must-Staple) */
  mustStaple: boolean;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
}

/** URIs ([6] IA5String) anywhere inside a DER structure. */
function urisIn(buf: Buffer, node: DerNode, out: string[] = []): string[] {
  if (node.tag === 0x86) out.push(buf.subarray(node.start, node.end).toString('latin1'));
  else if (node.tag & 0x20) for (const c of derChildren(buf, node)) urisIn(buf, c, out);
  return out;
}

/** Extension facts of a DER certificate; null when it cannot be parsed. Never throws. */
export function certificateExtensionFacts(der: Buffer): CertificateExtensionFacts | null {
  const parts = certificateDerParts(der);
  if (!parts) return null;
  const f: CertificateExtensionFacts = {
    keyUsage: null,
    extendedKeyUsage: null,
    ocspUrls: [],
    caIssuersUrls: [],
    crlUrls: [],
    tlsFeatures: null,
    mustStaple: false,
    subjectKeyId: null,
    authorityKeyId: null,
  };
  for (const e of parts.extensions) {
    try {
      const v = e.value;
      const root = derRead(v, 0);
      switch (e.oid) {
        case '2.5.29.15': {
          const bits = derContent(v, root);
          f.keyUsage = KEY_USAGE_BITS.filter((_, i) => 1 + (i >> 3) < bits.length && bits[1 + (i >> 3)]! & (0x80 >> (i & 7)));
          break;
        }
        case '2.5.29.37':
          f.extendedKeyUsage = derChildren(v, root).map((o) => {
            const oid = derOid(v, o);
            return EKU_NAMES[oid] ?? oid;
          });
          break;
        case '1.3.6.1.5.5.7.1.1':
          for (const ad of derChildren(v, root)) {
            const [method, loc] = derChildren(v, ad);
            if (!method || !loc) continue;
            const m = derOid(v, method);
            const uris = urisIn(v, loc);
            if (m === '1.3.6.1.5.5.7.48.1') f.ocspUrls.push(...uris);
            if (m === '1.3.6.1.5.5.7.48.2') f.caIssuersUrls.push(...uris);
          }
          break;
        case '2.5.29.31':
          f.crlUrls.push(...urisIn(v, root));
          break;
        case '1.3.6.1.5.5.7.1.24':
          f.tlsFeatures = derChildren(v, root).map((i) => parseInt(derIntegerHex(v, i), 16));
          f.mustStaple = f.tlsFeatures.includes(5);
          break;
        case '2.5.29.14':
          f.subjectKeyId = derContent(v, root).toString('hex').toUpperCase();
          break;
        case '2.5.29.35': {
          const kid = derChildren(v, root).find((c) => c.tag === 0x80);
          if (kid) f.authorityKeyId = derContent(v, kid).toString('hex').toUpperCase();
          break;
        }
      }
    } catch {
      /* a malformed extension is skipped, not fatal */
    }
  }
  return f;
}

/** SHA-256 of the certificate's SubjectPublicKeyInfo (the same key under another certificate matches). */
export function publicKeyFingerprint(der: Buffer): string | null {
  const p = certificateDerParts(der);
  return p ? crypto.createHash('sha256').update(p.spki).digest('hex').toUpperCase().match(/../g)!.join(':') : null;
}
