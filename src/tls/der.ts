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
  for (let off = parent.start; off < parent.end; ) {
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
      const text = value.tag === 0x1e
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
