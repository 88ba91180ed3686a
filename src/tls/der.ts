// Just enough DER to find a certificate's issuer and subject names without parsing the whole
// certificate: matching a chain against ~140 system roots this way costs a few base64 decodes,
// where building an X509Certificate for every root costs ~30 ms of CPU on every scan.

interface Tlv {
  tag: number;
  /** first content byte */
  start: number;
  /** one past the last content byte */
  end: number;
}

function readTlv(buf: Buffer, off: number, limit = buf.length): Tlv {
  if (off + 2 > limit) throw new Error('DER: truncated');
  const tag = buf[off]!;
  let len = buf[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  if (start + len > limit) throw new Error('DER: truncated');
  return { tag, start, end: start + len };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.start; off < parent.end;) {
    const t = readTlv(buf, off, parent.end);
    out.push(t);
    off = t.end;
  }
  return out;
}

/**
 * A comparable key for an X.501 Name: attribute OIDs with their values, whatever the string type,
 * lower-cased with runs of white space collapsed (the canonical form OpenSSL compares names in).
 */
function nameKey(buf: Buffer, name: Tlv): string {
  const parts: string[] = [];
  for (const rdn of children(buf, name)) {
    const avas = children(buf, rdn).map((ava) => {
      const [oid, value] = children(buf, ava);
      if (!oid || !value) throw new Error('DER: bad attribute');
      const text =
        value.tag === 0x1e
          ? Buffer.from(buf.subarray(value.start, value.end)).swap16().toString('utf16le')
          : buf.subarray(value.start, value.end).toString(value.tag === 0x0c ? 'utf8' : 'latin1');
      return `${buf.subarray(oid.start, oid.end).toString('hex')}=${text.trim().replace(/\s+/g, ' ').toLowerCase()}`;
    });
    parts.push(avas.sort().join('+'));
  }
  return parts.join(',');
}

/** Issuer and subject name keys of a DER certificate; null when it is not one. */
export function certificateNameKeys(der: Buffer): { issuer: string; subject: string } | null {
  try {
    const cert = readTlv(der, 0);
    const tbs = readTlv(der, cert.start, cert.end);
    const fields = children(der, tbs);
    // version [0] is optional: serial, signature, issuer, validity, subject follow it
    const i = fields[0]?.tag === 0xa0 ? 1 : 0;
    const issuer = fields[i + 2];
    const subject = fields[i + 4];
    if (!issuer || !subject || issuer.tag !== 0x30 || subject.tag !== 0x30) return null;
    return { issuer: nameKey(der, issuer), subject: nameKey(der, subject) };
  } catch {
    return null;
  }
}

/** Dotted form of a DER OBJECT IDENTIFIER's content bytes. */
function oidText(bytes: Buffer): string {
  const parts: number[] = [];
  let v = 0;
  for (const b of bytes) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/**
 * The certificate's outer signatureAlgorithm OID and, for RSASSA-PSS, the hash OID from its
 * parameters ([0] hashAlgorithm; null when absent, i.e. the SHA-1 default). Null when not DER.
 */
export function certificateSignatureOids(der: Buffer): { oid: string; pssHashOid: string | null } | null {
  try {
    const cert = readTlv(der, 0);
    const [, algId] = children(der, cert);
    if (!algId || algId.tag !== 0x30) return null;
    const [oid, params] = children(der, algId);
    if (!oid || oid.tag !== 0x06) return null;
    let pssHashOid: string | null = null;
    if (params?.tag === 0x30) {
      const hashField = children(der, params).find((t) => t.tag === 0xa0);
      const hashAlg = hashField && children(der, hashField)[0];
      const hashOid = hashAlg && children(der, hashAlg)[0];
      if (hashOid?.tag === 0x06) pssHashOid = oidText(der.subarray(hashOid.start, hashOid.end));
    }
    return { oid: oidText(der.subarray(oid.start, oid.end)), pssHashOid };
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------------
// A small general DER reader for what node:crypto does not expose: certificate extensions (key
// usage, AIA, CRL distribution points, TLS feature), OCSP responses and CRLs. Every function
// throws on malformed input (callers guard); nothing here allocates more than its input.

export interface DerNode {
  tag: number;
  /** offset of the tag byte (the whole TLV is buf[offset, end)) */
  offset: number;
  /** first content byte */
  start: number;
  /** one past the last content byte */
  end: number;
}

export function derRead(buf: Buffer, off = 0, limit = buf.length): DerNode {
  const t = readTlv(buf, off, limit);
  return { ...t, offset: off };
}

export function derChildren(buf: Buffer, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let off = node.start; off < node.end;) {
    const t = derRead(buf, off, node.end);
    out.push(t);
    off = t.end;
  }
  return out;
}

/** The content bytes of a node. */
export function derContent(buf: Buffer, node: DerNode): Buffer {
  return buf.subarray(node.start, node.end);
}

/** The whole TLV of a node (e.g. to hash or verify a signed structure). */
export function derTlv(buf: Buffer, node: DerNode): Buffer {
  return buf.subarray(node.offset, node.end);
}

export function derOid(buf: Buffer, node: DerNode): string {
  if (node.tag !== 0x06) throw new Error('DER: not an OID');
  return oidText(buf.subarray(node.start, node.end));
}

/** UTCTime (0x17) or GeneralizedTime (0x18) as a Date; null for anything else. */
export function derTime(buf: Buffer, node: DerNode): Date | null {
  const s = buf.subarray(node.start, node.end).toString('latin1');
  let m: RegExpExecArray | null;
  if (node.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s))) {
    const y = +m[1]! >= 50 ? 1900 + +m[1]! : 2000 + +m[1]!;
    return new Date(Date.UTC(y, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0)));
  }
  if (node.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d+))?Z$/.exec(s))) {
    const ms = m[7] ? Math.round(+`0.${m[7]}` * 1000) : 0;
    return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), ms));
  }
  return null;
}

/** An INTEGER's content as upper-case hex without leading zero bytes (how serial numbers are compared). */
export function derIntegerHex(buf: Buffer, node: DerNode): string {
  if (node.tag !== 0x02) throw new Error('DER: not an INTEGER');
  let b = buf.subarray(node.start, node.end);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex').toUpperCase();
}

const NAME_ATTRS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** An X.501 Name (DER, whole TLV) as "CN=…, O=…" in the order it is encoded (as certs.ts shows subjects). */
export function derNameToString(der: Buffer): string {
  const name = derRead(der, 0);
  const parts: string[] = [];
  for (const rdn of derChildren(der, name)) {
    for (const ava of derChildren(der, rdn)) {
      const [oid, value] = derChildren(der, ava);
      if (!oid || !value) throw new Error('DER: bad attribute');
      const o = derOid(der, oid);
      const text =
        value.tag === 0x1e
          ? Buffer.from(der.subarray(value.start, value.end)).swap16().toString('utf16le')
          : der.subarray(value.start, value.end).toString(value.tag === 0x0c ? 'utf8' : 'latin1');
      parts.push(`${NAME_ATTRS[o] ?? o}=${text}`);
    }
  }
  return parts.join(', ');
}

export interface CertificateDerParts {
  /** tbsCertificate, whole TLV */
  tbs: Buffer;
  serialHex: string;
  /** issuer and subject Names, whole TLV (OCSP CertID hashes the issuer's subject name) */
  issuerName: Buffer;
  subjectName: Buffer;
  /** subjectPublicKeyInfo, whole TLV */
  spki: Buffer;
  /** the subjectPublicKey BIT STRING's bytes without the unused-bits byte (OCSP issuerKeyHash input) */
  publicKeyBits: Buffer;
  extensions: { oid: string; critical: boolean; value: Buffer }[];
}

/** The parts of a DER certificate that checks on keys, names and extensions need; null when not a certificate. */
export function certificateDerParts(der: Buffer): CertificateDerParts | null {
  try {
    const cert = derRead(der, 0);
    const [tbsNode] = derChildren(der, cert);
    if (!tbsNode || tbsNode.tag !== 0x30) return null;
    const fields = derChildren(der, tbsNode);
    const i = fields[0]?.tag === 0xa0 ? 1 : 0;
    const serial = fields[i];
    const issuer = fields[i + 2];
    const subject = fields[i + 4];
    const spki = fields[i + 5];
    if (!serial || !issuer || !subject || !spki || spki.tag !== 0x30) return null;
    const [, bits] = derChildren(der, spki);
    if (!bits || bits.tag !== 0x03) return null;
    const extensions: CertificateDerParts['extensions'] = [];
    const extWrap = fields.slice(i + 6).find((f) => f.tag === 0xa3);
    if (extWrap) {
      const [seq] = derChildren(der, extWrap);
      for (const e of seq ? derChildren(der, seq) : []) {
        const kids = derChildren(der, e);
        const oid = kids[0];
        const critical = kids.length === 3 && kids[1]!.tag === 0x01 && der[kids[1]!.start] !== 0;
        const value = kids[kids.length - 1];
        if (!oid || !value || value.tag !== 0x04) continue;
        extensions.push({ oid: derOid(der, oid), critical, value: Buffer.from(derContent(der, value)) });
      }
    }
    return {
      tbs: derTlv(der, tbsNode),
      serialHex: derIntegerHex(der, serial),
      issuerName: derTlv(der, issuer),
      subjectName: derTlv(der, subject),
      spki: derTlv(der, spki),
      publicKeyBits: der.subarray(bits.start + 1, bits.end),
      extensions,
    };
  } catch {
    return null;
  }
}
