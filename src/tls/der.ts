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
