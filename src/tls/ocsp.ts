// OCSP stapling and revocation. The stapled response (TLS ≤ 1.2 CertificateStatus in the first
// flight, or node:tls's OCSPResponse under TLS 1.3) is parsed and judged: its status for OUR leaf
// (CertID: serial, issuer name and key hashes), its age and validity window, who produced it, and
// whether its signature verifies (by the issuer, or a responder certificate the issuer delegated
// to with id-kp-OCSPSigning). Must-Staple (RFC 7633) comes from the certificate.
//
// Revocation by asking the CA (OCSP POST to the AIA URL, CRL from the distribution point) contacts
// a third party: checkRevocation() is only called when the user asked for it (--check-revocation),
// and its result lists every URL it contacted.
import crypto, { X509Certificate } from 'node:crypto';
import type { OpenTransport } from './prober.js';
import { certificateExtensionFacts, EKU_NAMES } from './certs.js';
import {
  certificateDerParts,
  derChildren,
  derContent,
  derIntegerHex,
  derNameToString,
  derOid,
  derRead,
  derTime,
  derTlv,
  type DerNode,
} from './der.js';
import { EXT, STATUS_REQUEST_OCSP } from './hello.js';
import { nodeHandshake } from './handshake.js';
import { httpFetch } from './fetch.js';
import { Dialer, legacyHello, transportError, versionName, withFlight } from './vuln/conn.js';

export type CertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspSingleResponse {
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialHex: string;
  certStatus: CertStatus;
  revocationTime: string | null;
  revocationReason: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
}

export interface OcspResponseFacts {
  responseStatus: string;
  /** id-pkix-ocsp-basic for every response we can read */
  responseType: string | null;
  /** "CN=…" (byName) or "key SHA-1 …" (byKey) */
  responderId: string | null;
  responderKeyHash: string | null;
  producedAt: string | null;
  responses: OcspSingleResponse[];
  signatureAlgorithm: string | null;
  /** responder certificates included in the response */
  certificates: Buffer[];
  /** the nonce extension's value, when present */
  nonce: string | null;
  parseError: string | null;
}

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'status_4', 'sigRequired', 'unauthorized'];
const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'reason_7',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** signature algorithm OID → [name, node hash (null: the key type decides, e.g. Ed25519)] */
const SIGNATURES: Record<string, [string, string | null]> = {
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'sha1'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'sha256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'sha384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'sha512'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'sha224'],
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'sha1'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'sha256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'sha384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'sha512'],
  '1.3.101.112': ['Ed25519', null],
  '1.3.101.113': ['Ed448', null],
};
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface Parsed {
  facts: OcspResponseFacts;
  /** the DER of tbsResponseData, the signature and its algorithm: what verification needs */
  tbs: Buffer | null;
  signature: Buffer | null;
  sigOid: string | null;
}

function parseInternal(der: Buffer): Parsed {
  const facts: OcspResponseFacts = {
    responseStatus: 'unparsed',
    responseType: null,
    responderId: null,
    responderKeyHash: null,
    producedAt: null,
    responses: [],
    signatureAlgorithm: null,
    certificates: [],
    nonce: null,
    parseError: null,
  };
  const out: Parsed = { facts, tbs: null, signature: null, sigOid: null };
  try {
    const top = derRead(der, 0);
    const [status, bytesWrap] = derChildren(der, top);
    if (!status || status.tag !== 0x0a) throw new Error('no responseStatus');
    const code = der[status.start]!;
    facts.responseStatus = RESPONSE_STATUS[code] ?? `status_${code}`;
    if (!bytesWrap) return out;
    const [rb] = derChildren(der, bytesWrap);
    const [type, octets] = derChildren(der, rb!);
    facts.responseType = derOid(der, type!);
    if (facts.responseType !== OCSP_BASIC) return out;
    const basic = Buffer.from(derContent(der, octets!));
    const b = derRead(basic, 0);
    const [tbs, sigAlg, sig, certsWrap] = derChildren(basic, b);
    if (!tbs || !sigAlg || !sig) throw new Error('BasicOCSPResponse incomplete');
    out.tbs = Buffer.from(derTlv(basic, tbs));
    out.sigOid = derOid(basic, derChildren(basic, sigAlg)[0]!);
    facts.signatureAlgorithm = SIGNATURES[out.sigOid]?.[0] ?? out.sigOid;
    out.signature = Buffer.from(basic.subarray(sig.start + 1, sig.end));
    if (certsWrap?.tag === 0xa0) {
      const [seq] = derChildren(basic, certsWrap);
      if (seq) facts.certificates = derChildren(basic, seq).map((c) => Buffer.from(derTlv(basic, c)));
    }
    parseResponseData(basic, tbs, facts);
  } catch (err) {
    facts.parseError = (err as Error).message;
  }
  return out;
}

function parseResponseData(buf: Buffer, tbs: DerNode, facts: OcspResponseFacts): void {
  const fields = derChildren(buf, tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const rid = fields[i++]!;
  const inner = derChildren(buf, rid)[0]!;
  if (rid.tag === 0xa1) facts.responderId = derNameToString(Buffer.from(derTlv(buf, inner)));
  else if (rid.tag === 0xa2) {
    facts.responderKeyHash = derContent(buf, inner).toString('hex').toUpperCase();
    facts.responderId = `key SHA-1 ${facts.responderKeyHash}`;
  }
  facts.producedAt = iso(derTime(buf, fields[i++]!));
  const list = fields[i++]!;
  for (const sr of derChildren(buf, list)) facts.responses.push(parseSingle(buf, sr));
  const extWrap = fields[i];
  if (extWrap?.tag === 0xa1) {
    for (const e of derChildren(buf, derChildren(buf, extWrap)[0]!)) {
      const kids = derChildren(buf, e);
      const oid = kids[0];
      const val = kids[kids.length - 1]; // [oid, critical?, value]
      if (oid && val && val.tag === 0x04 && derOid(buf, oid) === OCSP_NONCE) facts.nonce = derContent(buf, val).toString('hex');
    }
  }
}

function parseSingle(buf: Buffer, sr: DerNode): OcspSingleResponse {
  const [certId, status, thisUpdate, ...rest] = derChildren(buf, sr);
  const [alg, nameHash, keyHash, serial] = derChildren(buf, certId!);
  const hashOid = derOid(buf, derChildren(buf, alg!)[0]!);
  let certStatus: CertStatus = 'unknown';
  let revocationTime: string | null = null;
  let revocationReason: string | null = null;
  if (status!.tag === 0x80) certStatus = 'good';
  else if (status!.tag === 0xa1) {
    certStatus = 'revoked';
    const [t, reason] = derChildren(buf, status!);
    revocationTime = iso(derTime(buf, t!));
    if (reason?.tag === 0xa0) {
      const e = derChildren(buf, reason)[0]!;
      revocationReason = CRL_REASONS[buf[e.start]!] ?? `reason_${buf[e.start]}`;
    }
  }
  const next = rest.find((n) => n.tag === 0xa0);
  return {
    hashAlgorithm: HASHES[hashOid] ?? hashOid,
    issuerNameHash: derContent(buf, nameHash!).toString('hex').toUpperCase(),
    issuerKeyHash: derContent(buf, keyHash!).toString('hex').toUpperCase(),
    serialHex: derIntegerHex(buf, serial!),
    certStatus,
    revocationTime,
    revocationReason,
    thisUpdate: iso(derTime(buf, thisUpdate!)),
    nextUpdate: next ? iso(derTime(buf, derChildren(buf, next)[0]!)) : null,
  };
}

/** Parses a DER OCSPResponse. Never throws: parseError says what went wrong. */
export function parseOcspResponse(der: Buffer): OcspResponseFacts {
  return parseInternal(der).facts;
}

function verifySig(data: Buffer, sigOid: string | null, signature: Buffer | null, key: crypto.KeyObject): boolean | string {
  if (!sigOid || !signature) return 'no signature';
  const alg = SIGNATURES[sigOid];
  if (!alg) return `signature algorithm ${sigOid} not supported here`;
  try {
    return crypto.verify(alg[1], data, key, signature);
  } catch (err) {
    return (err as Error).message;
  }
}

function hashHex(alg: string, data: Buffer): string | null {
  try {
    return crypto.createHash(alg).update(data).digest('hex').toUpperCase();
  } catch {
    return null;
  }
}

export interface OcspVerification {
  /** true: signed by the issuer or a responder it delegated to; false: a bad signature; null: could not check */
  signatureValid: boolean | null;
  signer: 'issuer' | 'delegated-responder' | null;
  detail: string;
}

/** Verifies an OCSP response's signature against the leaf's issuer (DER). */
export function verifyOcspResponse(der: Buffer, issuerDer: Buffer | null): OcspVerification {
  const p = parseInternal(der);
  if (!p.tbs) return { signatureValid: null, signer: null, detail: p.facts.parseError ?? 'not a basic OCSP response' };
  if (!issuerDer) return { signatureValid: null, signer: null, detail: 'the issuer certificate is unknown: signature not checked' };
  let issuer: X509Certificate;
  try {
    issuer = new X509Certificate(issuerDer);
  } catch {
    return { signatureValid: null, signer: null, detail: 'the issuer certificate is unreadable' };
  }
  const byIssuer = verifySig(p.tbs, p.sigOid, p.signature, issuer.publicKey);
  if (byIssuer === true) return { signatureValid: true, signer: 'issuer', detail: 'signed by the issuing CA' };
  for (const c of p.facts.certificates) {
    let rc: X509Certificate;
    try {
      rc = new X509Certificate(c);
    } catch {
      continue;
    }
    const eku = certificateExtensionFacts(c)?.extendedKeyUsage ?? [];
    if (verifySig(p.tbs, p.sigOid, p.signature, rc.publicKey) !== true) continue;
    const issued = (() => {
      try {
        return rc.checkIssued(issuer) && rc.verify(issuer.publicKey);
      } catch {
        return false;
      }
    })();
    if (!issued)
      return {
        signatureValid: false,
        signer: null,
        detail: `signed by ${rc.subject.replace(/\n/g, ', ')}, which the issuing CA did not issue`,
      };
    if (!eku.includes(EKU_NAMES['1.3.6.1.5.5.7.3.9']!))
      return { signatureValid: false, signer: null, detail: 'signed by a certificate of the CA without id-kp-OCSPSigning' };
    return {
      signatureValid: true,
      signer: 'delegated-responder',
      detail: `signed by the CA's delegated responder ${rc.subject.replace(/\n/g, ', ')}`,
    };
  }
  return {
    signatureValid: false,
    signer: null,
    detail: typeof byIssuer === 'string' ? byIssuer : 'the signature does not verify with the issuer or an included responder',
  };
}

export interface StapleAssessment {
  stapled: boolean;
  /** the leaf's status in the staple; null without a usable staple */
  status: CertStatus | null;
  /** the staple's single response matches our leaf (serial, issuer name and key hashes when the issuer is known) */
  forLeaf: boolean | null;
  responseStatus: string | null;
  producedAt: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  /** seconds since thisUpdate */
  ageSeconds: number | null;
  /** past nextUpdate */
  expired: boolean | null;
  responder: string | null;
  revocationTime: string | null;
  revocationReason: string | null;
  signatureValid: boolean | null;
  signer: OcspVerification['signer'];
  /** the certificate demands stapling (TLS feature status_request, RFC 7633) */
  mustStaple: boolean;
  evidence: string[];
}

/** The single response about `leafDer`, matched by CertID against its issuer when known. */
function matchLeaf(facts: OcspResponseFacts, leafDer: Buffer, issuerDer: Buffer | null): { r: OcspSingleResponse | null; exact: boolean } {
  const leaf = certificateDerParts(leafDer);
  if (!leaf) return { r: null, exact: false };
  const issuer = issuerDer ? certificateDerParts(issuerDer) : null;
  for (const r of facts.responses) {
    if (r.serialHex !== leaf.serialHex) continue;
    if (!issuer) return { r, exact: false };
    if (
      hashHex(r.hashAlgorithm, issuer.subjectName) === r.issuerNameHash &&
      hashHex(r.hashAlgorithm, issuer.publicKeyBits) === r.issuerKeyHash
    )
      return { r, exact: true };
  }
  return { r: null, exact: false };
}

/**
 * Judges a stapled OCSP response (DER; null when none was stapled) for a chain as sent. `issuerDer`
 * is the leaf's issuer when the chain lacks it (e.g. a trust anchor).
 */
export function assessStaple(
  ocspDer: Buffer | null,
  chainDer: Buffer[],
  o: { issuerDer?: Buffer | null; now?: Date } = {},
): StapleAssessment {
  const now = o.now ?? new Date();
  const leaf = chainDer[0] ?? null;
  const issuerDer = o.issuerDer ?? chainDer[1] ?? null;
  const mustStaple = leaf ? (certificateExtensionFacts(leaf)?.mustStaple ?? false) : false;
  const a: StapleAssessment = {
    stapled: !!ocspDer?.length,
    status: null,
    forLeaf: null,
    responseStatus: null,
    producedAt: null,
    thisUpdate: null,
    nextUpdate: null,
    ageSeconds: null,
    expired: null,
    responder: null,
    revocationTime: null,
    revocationReason: null,
    signatureValid: null,
    signer: null,
    mustStaple,
    evidence: [],
  };
  if (mustStaple) a.evidence.push('the certificate carries the TLS feature status_request (Must-Staple)');
  if (!ocspDer?.length) {
    a.evidence.push(mustStaple ? 'no OCSP response stapled although the certificate demands one' : 'no OCSP response stapled');
    return a;
  }
  const facts = parseOcspResponse(ocspDer);
  a.responseStatus = facts.responseStatus;
  a.producedAt = facts.producedAt;
  a.responder = facts.responderId;
  if (facts.parseError) {
    a.evidence.push(`stapled response unreadable: ${facts.parseError}`);
    return a;
  }
  if (facts.responseStatus !== 'successful') {
    a.evidence.push(`stapled response status ${facts.responseStatus}`);
    return a;
  }
  const m = leaf ? matchLeaf(facts, leaf, issuerDer) : { r: null, exact: false };
  a.forLeaf = m.r !== null;
  if (!m.r) {
    a.evidence.push(`the stapled response is about another certificate (serials ${facts.responses.map((r) => r.serialHex).join(', ')})`);
    return a;
  }
  a.status = m.r.certStatus;
  a.thisUpdate = m.r.thisUpdate;
  a.nextUpdate = m.r.nextUpdate;
  a.revocationTime = m.r.revocationTime;
  a.revocationReason = m.r.revocationReason;
  if (m.r.thisUpdate) a.ageSeconds = Math.round((now.getTime() - Date.parse(m.r.thisUpdate)) / 1000);
  if (m.r.nextUpdate) a.expired = now.getTime() > Date.parse(m.r.nextUpdate);
  const v = verifyOcspResponse(ocspDer, issuerDer);
  a.signatureValid = v.signatureValid;
  a.signer = v.signer;
  a.evidence.push(
    `stapled OCSP response: ${a.status}${a.revocationTime ? ` (revoked ${a.revocationTime}${a.revocationReason ? `, ${a.revocationReason}` : ''})` : ''}; produced ${a.producedAt} by ${a.responder}`,
    `thisUpdate ${a.thisUpdate}${a.ageSeconds !== null ? ` (${a.ageSeconds} s old)` : ''}, nextUpdate ${a.nextUpdate ?? 'none'}${a.expired ? ' — EXPIRED' : ''}`,
    `signature: ${v.detail}${m.exact ? '' : '; matched by serial only (issuer unknown)'}`,
  );
  return a;
}

export interface FetchStapleResult {
  ocspDer: Buffer | null;
  via: 'tls12-flight' | 'node-tls' | null;
  protocol: string | null;
  /** the chain as the server sent it in that handshake */
  chainDer: Buffer[];
  connections: number;
  error: string | null;
}

/**
 * Asks for a stapled response: a TLS ≤ 1.2 hello with status_request (the staple is in the clear),
 * or, when the server speaks only TLS 1.3, a node:tls handshake with requestOCSP. 1 connection.
 */
export async function fetchStaple(
  open: OpenTransport,
  o: {
    serverName?: string;
    timeoutMs?: number;
    dialer?: Dialer;
    /** 'tls13': straight to a node:tls TLS 1.3 handshake */ via?: 'auto' | 'tls13';
  } = {},
): Promise<FetchStapleResult> {
  const dialer = o.dialer ?? new Dialer(open, 1);
  const timeoutMs = o.timeoutMs ?? 8000;
  if (o.via === 'tls13') return stapleViaNodeTls(dialer, o.serverName, timeoutMs);
  const hello = legacyHello(0x0303, o.serverName, { extraExtensions: [{ type: EXT.status_request, data: STATUS_REQUEST_OCSP }] });
  const r = await withFlight(dialer, 'ocsp-staple', hello, timeoutMs, async (_c, fr) => fr);
  const count = () => dialer.count('ocsp-staple');
  if (!r.ok) return { ocspDer: null, via: null, protocol: null, chainDer: [], connections: count(), error: r.error };
  const f = r.value.flight;
  if (f.serverHello && f.serverHello.version < 0x0304 && f.serverHelloDone)
    return {
      ocspDer: f.certificateStatus ?? null,
      via: 'tls12-flight',
      protocol: versionName(f.serverHello.version),
      chainDer: f.certificates ?? [],
      connections: count(),
      error: null,
    };
  if (!(f.alert?.name === 'protocol_version' || (f.serverHello && f.serverHello.version >= 0x0304)))
    return {
      ocspDer: null,
      via: null,
      protocol: null,
      chainDer: [],
      connections: count(),
      error: `TLS ≤ 1.2 first flight incomplete: ${f.error ?? f.kind}`,
    };
  return stapleViaNodeTls(dialer, o.serverName, timeoutMs);
}

async function stapleViaNodeTls(dialer: Dialer, serverName: string | undefined, timeoutMs: number): Promise<FetchStapleResult> {
  const count = () => dialer.count('ocsp-staple');
  try {
    return await dialer.with('ocsp-staple', async (raw) => {
      const { result } = await nodeHandshake(raw, { serverName, timeoutMs, minVersion: 'TLSv1.3', requestOCSP: true });
      return {
        ocspDer: result.ocspResponse,
        via: 'node-tls' as const,
        protocol: result.protocol,
        chainDer: result.peerChain,
        connections: count(),
        error: result.ok ? null : result.error,
      };
    });
  } catch (err) {
    return { ocspDer: null, via: null, protocol: null, chainDer: [], connections: count(), error: transportError(err) };
  }
}

// ------------------------------------------------------------------------------------------
// Revocation by asking the CA (third-party contact: only when the user asked).

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

/** An OCSPRequest (RFC 6960) for `leafDer` issued by `issuerDer`: SHA-1 CertID, with a nonce. */
export function buildOcspRequest(leafDer: Buffer, issuerDer: Buffer, nonce: Buffer = crypto.randomBytes(16)): Buffer {
  const leaf = certificateDerParts(leafDer);
  const issuer = certificateDerParts(issuerDer);
  if (!leaf || !issuer) throw new Error('unreadable certificate');
  const sha1 = (b: Buffer) => crypto.createHash('sha1').update(b).digest();
  const algId = tlv(0x30, Buffer.concat([Buffer.from('06052b0e03021a', 'hex'), Buffer.from([5, 0])]));
  let serial = Buffer.from(leaf.serialHex.length % 2 ? `0${leaf.serialHex}` : leaf.serialHex, 'hex');
  if (serial[0]! & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  const certId = tlv(
    0x30,
    Buffer.concat([algId, tlv(0x04, sha1(issuer.subjectName)), tlv(0x04, sha1(issuer.publicKeyBits)), tlv(0x02, serial)]),
  );
  const request = tlv(0x30, certId);
  const nonceExt = tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from('2b0601050507300102', 'hex')), tlv(0x04, tlv(0x04, nonce))]));
  const exts = tlv(0xa2, tlv(0x30, nonceExt));
  const tbs = tlv(0x30, Buffer.concat([tlv(0x30, request), exts]));
  return tlv(0x30, tbs);
}

export interface CrlFacts {
  issuer: string | null;
  thisUpdate: string | null;
  nextUpdate: string | null;
  /** revoked serials (upper-case hex), at most `maxEntries` kept */
  revoked: Map<string, { revocationDate: string | null }>;
  entries: number;
  tbs: Buffer | null;
  signature: Buffer | null;
  sigOid: string | null;
  parseError: string | null;
}

/** Parses a DER (or PEM) CRL. Never throws. */
export function parseCrl(input: Buffer): CrlFacts {
  const f: CrlFacts = {
    issuer: null,
    thisUpdate: null,
    nextUpdate: null,
    revoked: new Map(),
    entries: 0,
    tbs: null,
    signature: null,
    sigOid: null,
    parseError: null,
  };
  try {
    let der = input;
    const text = input.subarray(0, 64).toString('latin1');
    if (text.includes('-----BEGIN'))
      der = Buffer.from(
        input
          .toString('latin1')
          .replace(/-----[^-]+-----/g, '')
          .replace(/\s/g, ''),
        'base64',
      );
    const top = derRead(der, 0);
    const [tbs, sigAlg, sig] = derChildren(der, top);
    if (!tbs || !sigAlg || !sig) throw new Error('CertificateList incomplete');
    f.tbs = Buffer.from(derTlv(der, tbs));
    f.sigOid = derOid(der, derChildren(der, sigAlg)[0]!);
    f.signature = Buffer.from(der.subarray(sig.start + 1, sig.end));
    const fields = derChildren(der, tbs);
    let i = fields[0]?.tag === 0x02 ? 1 : 0; // version
    i++; // signature
    f.issuer = derNameToString(Buffer.from(derTlv(der, fields[i++]!)));
    f.thisUpdate = iso(derTime(der, fields[i++]!));
    if (fields[i] && (fields[i]!.tag === 0x17 || fields[i]!.tag === 0x18)) f.nextUpdate = iso(derTime(der, fields[i++]!));
    if (fields[i]?.tag === 0x30) {
      for (const e of derChildren(der, fields[i]!)) {
        const [serial, date] = derChildren(der, e);
        f.entries++;
        f.revoked.set(derIntegerHex(der, serial!), { revocationDate: date ? iso(derTime(der, date)) : null });
      }
    }
  } catch (err) {
    f.parseError = (err as Error).message;
  }
  return f;
}

export interface RevocationCheck {
  status: CertStatus | 'error';
  evidence: string[];
  /** every URL contacted (third parties) */
  contacted: string[];
  ocsp: {
    url: string;
    status: CertStatus | null;
    responseStatus: string | null;
    signatureValid: boolean | null;
    nonceMatched: boolean | null;
    error: string | null;
  } | null;
  crl: {
    url: string;
    listed: boolean | null;
    entries: number;
    thisUpdate: string | null;
    nextUpdate: string | null;
    signatureValid: boolean | null;
    error: string | null;
  } | null;
  ms: number;
}

export interface RevocationOptions {
  timeoutMs?: number;
  /** answer size caps */
  maxOcspBytes?: number;
  maxCrlBytes?: number;
  /** the leaf's issuer when the chain as sent lacks it */
  issuerDer?: Buffer | null;
  /** ask the OCSP responder (default true) and fetch the CRL (default true) */
  ocsp?: boolean;
  crl?: boolean;
  allowHttps?: boolean;
}

type OcspCheck = NonNullable<RevocationCheck['ocsp']>;
type CrlCheck = NonNullable<RevocationCheck['crl']>;

async function askOcsp(url: string, chainDer: Buffer[], issuerDer: Buffer | null, o: RevocationOptions): Promise<OcspCheck> {
  const out: OcspCheck = { url, status: null, responseStatus: null, signatureValid: null, nonceMatched: null, error: null };
  if (!issuerDer) return { ...out, error: 'the issuer certificate is unknown: no OCSP request can be built' };
  const nonce = crypto.randomBytes(16);
  try {
    const res = await httpFetch(url, {
      method: 'POST',
      body: buildOcspRequest(chainDer[0]!, issuerDer, nonce),
      contentType: 'application/ocsp-request',
      timeoutMs: o.timeoutMs ?? 8000,
      maxBytes: o.maxOcspBytes ?? 64 * 1024,
      allowHttps: o.allowHttps,
    });
    if (res.status !== 200) return { ...out, error: `HTTP ${res.status}` };
    const a = assessStaple(res.body, chainDer, { issuerDer });
    const facts = parseOcspResponse(res.body);
    return {
      ...out,
      responseStatus: a.responseStatus,
      status: a.forLeaf ? a.status : null,
      signatureValid: a.signatureValid,
      // the nonce is an OCTET STRING inside the extension value
      nonceMatched: facts.nonce === null ? null : facts.nonce.endsWith(nonce.toString('hex')),
      error: a.forLeaf ? null : (a.evidence.at(-1) ?? 'no answer about this certificate'),
    };
  } catch (err) {
    return { ...out, error: (err as Error).message };
  }
}

async function fetchCrl(url: string, serialHex: string, issuerKey: crypto.KeyObject | null, o: RevocationOptions): Promise<CrlCheck> {
  const out: CrlCheck = { url, listed: null, entries: 0, thisUpdate: null, nextUpdate: null, signatureValid: null, error: null };
  try {
    const res = await httpFetch(url, {
      timeoutMs: o.timeoutMs ?? 8000,
      maxBytes: o.maxCrlBytes ?? 8 * 1024 * 1024,
      allowHttps: o.allowHttps,
    });
    if (res.status !== 200) return { ...out, error: `HTTP ${res.status}` };
    const crl = parseCrl(res.body);
    if (crl.parseError) return { ...out, error: `CRL unreadable: ${crl.parseError}` };
    const v = issuerKey ? verifySig(crl.tbs!, crl.sigOid, crl.signature, issuerKey) : null;
    return {
      ...out,
      entries: crl.entries,
      thisUpdate: crl.thisUpdate,
      nextUpdate: crl.nextUpdate,
      listed: crl.revoked.has(serialHex),
      signatureValid: v === null ? null : v === true,
    };
  } catch (err) {
    return { ...out, error: (err as Error).message };
  }
}

const sigWord = (v: boolean | null) => (v === null ? 'not checked' : v ? 'valid' : 'INVALID');

/**
 * Asks the CA about the leaf: OCSP (POST to the AIA responder) and the CRL (distribution point).
 * CONTACTS THIRD PARTIES — call only when the user asked (--check-revocation). Never throws.
 */
export async function checkRevocation(chainDer: Buffer[], o: RevocationOptions = {}): Promise<RevocationCheck> {
  const t0 = performance.now();
  const out: RevocationCheck = { status: 'error', evidence: [], contacted: [], ocsp: null, crl: null, ms: 0 };
  const leaf = chainDer[0];
  const issuerDer = o.issuerDer ?? chainDer[1] ?? null;
  const ext = leaf ? certificateExtensionFacts(leaf) : null;
  const leafParts = leaf ? certificateDerParts(leaf) : null;
  if (!leaf || !ext || !leafParts) {
    out.evidence.push('no readable leaf certificate');
    return out;
  }
  const issuerKey = ((): crypto.KeyObject | null => {
    try {
      return issuerDer ? new X509Certificate(issuerDer).publicKey : null;
    } catch {
      return null;
    }
  })();
  const ocspUrl = o.ocsp !== false ? ext.ocspUrls[0] : undefined;
  const crlUrl = o.crl !== false ? ext.crlUrls[0] : undefined;
  if (ocspUrl && issuerDer) out.contacted.push(ocspUrl);
  if (crlUrl) out.contacted.push(crlUrl);
  [out.ocsp, out.crl] = await Promise.all([
    ocspUrl ? askOcsp(ocspUrl, [leaf, ...chainDer.slice(1)], issuerDer, o) : null,
    crlUrl ? fetchCrl(crlUrl, leafParts.serialHex, issuerKey, o) : null,
  ]);
  if (!ext.ocspUrls[0] && !ext.crlUrls[0]) out.evidence.push('the certificate names no OCSP responder and no CRL distribution point');
  const { ocsp, crl } = out;
  if (ocsp)
    out.evidence.push(
      `OCSP ${ocsp.url}: ${ocsp.error ?? `${ocsp.status} (signature ${sigWord(ocsp.signatureValid)}${ocsp.nonceMatched === false ? ', nonce mismatch' : ''})`}`,
    );
  if (crl)
    out.evidence.push(
      `CRL ${crl.url}: ${crl.error ?? `${crl.listed ? 'serial LISTED' : 'serial not listed'} among ${crl.entries} entries (signature ${sigWord(crl.signatureValid)}, nextUpdate ${crl.nextUpdate ?? 'none'})`}`,
    );
  const ocspTrusted = ocsp?.status && ocsp.signatureValid !== false ? ocsp.status : null;
  const crlTrusted = crl && crl.listed !== null && crl.signatureValid !== false ? (crl.listed ? 'revoked' : 'good') : null;
  out.status = ocspTrusted === 'revoked' || crlTrusted === 'revoked' ? 'revoked' : (ocspTrusted ?? crlTrusted ?? 'error');
  out.ms = Math.round(performance.now() - t0);
  return out;
}
