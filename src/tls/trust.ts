// Trust across several stores, the chain as sent, and the leaf's fitness for a TLS server.
// - Every store is judged on its own (the system roots, each --ca-file), so a report can say
//   "trusted by the partner's CA file, not by the public roots".
// - The chain is reported in the order sent: who issued whom, what is out of order or unrelated.
// - A missing intermediate (the path ends at a certificate whose issuer was not sent and is in no
//   store) is named with its AIA caIssuers URL; fetching it contacts a third party and happens
//   only with `fetchMissing`.
// - Key usage / extended key usage: digitalSignature for (EC)DHE and TLS 1.3 signatures,
//   keyEncipherment for RSA key transport, serverAuth (or anyExtendedKeyUsage, or no EKU at all).
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { analyzeChain, certificateExtensionFacts, pemToDer, type KeyUsageName } from './certs.js';
import { certificateNameKeys, derChildren, derRead, derTlv } from './der.js';
import { httpFetch } from './fetch.js';
import { suiteByName } from '../knowledge/tls-registry.js';

export interface TrustStore {
  /** how the report names it: 'system', or the CA file's path */
  name: string;
  /** PEM bundle; ignored for 'system' */
  pem?: string;
}

export interface ChainEntry {
  index: number;
  subject: string;
  issuer: string;
  fingerprintSha256: string;
  isCA: boolean;
  selfSigned: boolean;
  /** the next certificate as sent signed this one; null for the last one */
  issuedByNext: boolean | null;
  /** index of the sent certificate that issued this one, or null */
  issuerIndex: number | null;
}

export interface StoreVerdict {
  store: string;
  trusted: boolean;
  anchor: string | null;
  error: string | null;
  hostnameMatch: boolean | null;
}

export interface MissingIssuer {
  /** the certificate whose issuer was neither sent nor in any store */
  subject: string;
  issuer: string;
  caIssuersUrls: string[];
  fetched: { url: string; ok: boolean; subject: string | null; error: string | null } | null;
}

export interface UsageFitness {
  fit: boolean;
  keyType: string | null;
  keyUsage: KeyUsageName[] | null;
  extendedKeyUsage: string[] | null;
  problems: string[];
  notes: string[];
}

export interface TrustResult {
  chain: ChainEntry[];
  order: 'ok' | 'out-of-order' | 'unrelated-certificates' | 'empty';
  orderProblems: string[];
  stores: StoreVerdict[];
  trustedBy: string[];
  missingIssuers: MissingIssuer[];
  /** with the fetched intermediates, per store (only when fetchMissing found something) */
  storesWithFetched: StoreVerdict[] | null;
  usage: UsageFitness | null;
  /** URLs contacted (fetchMissing) */
  contacted: string[];
  evidence: string[];
}

export interface TrustOptions {
  /** CA files (name + PEM); the system roots are added as store 'system' unless systemRoots is false */
  stores?: TrustStore[];
  systemRoots?: boolean;
  hostname?: string | null;
  /** fetch missing intermediates from AIA caIssuers (contacts a third party) */
  fetchMissing?: boolean;
  fetchTimeoutMs?: number;
  /** suites offered (IANA names), to check the key usage each key exchange needs */
  offeredSuites?: string[];
  now?: Date;
}

function parse(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

function signed(child: X509Certificate | null, issuer: X509Certificate | null): boolean {
  if (!child || !issuer) return false;
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

const dn = (s: string | undefined) => (s ?? '').split('\n').filter(Boolean).join(', ');

/** The chain as sent: who issued whom. */
export function chainAsSent(chainDer: Buffer[]): { chain: ChainEntry[]; order: TrustResult['order']; problems: string[] } {
  const certs = chainDer.map(parse);
  const chain: ChainEntry[] = chainDer.map((d, i) => {
    const c = certs[i];
    const issuerIndex = certs.findIndex((p, j) => j !== i && signed(c ?? null, p));
    return {
      index: i,
      subject: dn(c?.subject),
      issuer: dn(c?.issuer),
      fingerprintSha256: c?.fingerprint256 ?? '',
      isCA: c?.ca ?? false,
      selfSigned: !!c && c.subject === c.issuer && signed(c, c),
      issuedByNext: i + 1 < chainDer.length ? signed(c ?? null, certs[i + 1] ?? null) : null,
      issuerIndex: issuerIndex >= 0 ? issuerIndex : null,
    };
  });
  if (!chain.length) return { chain, order: 'empty', problems: [] };
  const problems: string[] = [];
  // the path from the leaf through the certificates as sent
  const used = new Set([0]);
  for (let i = 0; chain[i]?.issuerIndex !== null && chain[i]?.issuerIndex !== undefined;) {
    const next = chain[i]!.issuerIndex!;
    if (used.has(next)) break;
    if (next !== i + 1)
      problems.push(`certificate ${next} (${chain[next]!.subject}) issued certificate ${i} but was sent at position ${next}, not ${i + 1}`);
    used.add(next);
    i = next;
  }
  const unrelated = chain.filter((c) => !used.has(c.index));
  for (const u of unrelated) problems.push(`certificate ${u.index} (${u.subject}) is not on the path from the leaf`);
  const order = unrelated.length ? 'unrelated-certificates' : problems.length ? 'out-of-order' : 'ok';
  return { chain, order, problems };
}

/** What a TLS server key needs: digitalSignature for signed key exchanges, keyEncipherment for RSA transport, serverAuth. */
export function usageFitness(leafDer: Buffer, offeredSuites?: string[]): UsageFitness {
  const ext = certificateExtensionFacts(leafDer);
  const cert = parse(leafDer);
  const keyType = cert?.publicKey.asymmetricKeyType ?? null;
  const f: UsageFitness = {
    fit: true,
    keyType,
    keyUsage: ext?.keyUsage ?? null,
    extendedKeyUsage: ext?.extendedKeyUsage ?? null,
    problems: [],
    notes: [],
  };
  if (!ext || !cert) return { ...f, fit: false, problems: ['the leaf certificate is unreadable'] };
  const eku = ext.extendedKeyUsage;
  if (eku && !eku.includes('serverAuth') && !eku.includes('anyExtendedKeyUsage'))
    f.problems.push(`extended key usage ${eku.join(', ')} does not include serverAuth: clients refuse it for a TLS server`);
  if (!eku) f.notes.push('no extended key usage extension (no restriction)');
  const ku = ext.keyUsage;
  if (ku) {
    const kexes = new Set(
      (offeredSuites ?? []).map((n) => suiteByName(n)).flatMap((s) => (s ? [s.kex === 'TLS13' ? 'TLS13' : s.kex] : [])),
    );
    const signs = !offeredSuites || [...kexes].some((k) => k === 'ECDHE' || k === 'DHE' || k === 'TLS13');
    const transports = keyType === 'rsa' && (!offeredSuites || kexes.has('RSA'));
    if (keyType === 'rsa') {
      if (signs && !ku.includes('digitalSignature'))
        f.problems.push('key usage lacks digitalSignature: the RSA key cannot sign (EC)DHE or TLS 1.3 handshakes');
      if (transports && !ku.includes('keyEncipherment'))
        f[offeredSuites ? 'problems' : 'notes'].push('key usage lacks keyEncipherment: RSA key-transport suites cannot use this key');
    } else if (keyType === 'ec' || keyType === 'ed25519' || keyType === 'ed448') {
      if (!ku.includes('digitalSignature') && !(keyType === 'ec' && ku.includes('keyAgreement')))
        f.problems.push('key usage lacks digitalSignature: the key cannot sign handshakes');
    }
    if (ku.includes('keyCertSign')) f.notes.push('the leaf may sign certificates (keyCertSign)');
  } else f.notes.push('no key usage extension (no restriction)');
  if (cert.ca) f.notes.push('the leaf is a CA certificate (basicConstraints CA:TRUE)');
  f.fit = f.problems.length === 0;
  return f;
}

function storeVerdict(chainDer: Buffer[], store: TrustStore, o: TrustOptions): StoreVerdict {
  const a =
    store.name === 'system'
      ? analyzeChain(chainDer, { hostname: o.hostname ?? null, systemRoots: true, now: o.now })
      : analyzeChain(chainDer, { hostname: o.hostname ?? null, caPem: store.pem ?? '', systemRoots: false, now: o.now });
  return { store: store.name, trusted: a.trusted, anchor: a.trustAnchor, error: a.trustError, hostnameMatch: a.hostnameMatch };
}

/** Certificates from a caIssuers answer: DER, PEM, or a PKCS#7 certs-only bundle (.p7c). */
export function certificatesFromIssuerFile(body: Buffer): Buffer[] {
  if (body.subarray(0, 64).toString('latin1').includes('-----BEGIN')) return pemToDer(body.toString('latin1'));
  if (parse(body)) return [body];
  try {
    // ContentInfo { contentType signedData, [0] SignedData { version, digestAlgs, contentInfo, [0] certificates … } }
    const ci = derRead(body, 0);
    const [, wrap] = derChildren(body, ci);
    const sd = derChildren(body, wrap!)[0]!;
    const certs = derChildren(body, sd).find((n) => n.tag === 0xa0);
    return certs ? derChildren(body, certs).map((c) => Buffer.from(derTlv(body, c))) : [];
  } catch {
    return [];
  }
}

function storeAnchors(stores: TrustStore[], systemRoots: boolean): Buffer[] {
  const out: Buffer[] = [];
  for (const s of stores) if (s.pem) out.push(...pemToDer(s.pem));
  if (systemRoots) for (const pem of tls.rootCertificates) out.push(...pemToDer(pem));
  return out;
}

/** Validates the chain against every store, reports the order, missing intermediates and usage. */
export async function analyzeTrust(chainDer: Buffer[], o: TrustOptions = {}): Promise<TrustResult> {
  const stores: TrustStore[] = [...(o.systemRoots === false ? [] : [{ name: 'system' }]), ...(o.stores ?? [])];
  const { chain, order, problems } = chainAsSent(chainDer);
  const out: TrustResult = {
    chain,
    order,
    orderProblems: problems,
    stores: stores.map((s) => storeVerdict(chainDer, s, o)),
    trustedBy: [],
    missingIssuers: [],
    storesWithFetched: null,
    usage: chainDer[0] ? usageFitness(chainDer[0], o.offeredSuites) : null,
    contacted: [],
    evidence: [],
  };
  out.trustedBy = out.stores.filter((s) => s.trusted).map((s) => s.store);
  if (!chainDer.length) {
    out.evidence.push('no certificate');
    return out;
  }
  // the end of the path as sent: is its issuer missing everywhere?
  let end = 0;
  const seen = new Set([0]);
  while (chain[end]!.issuerIndex !== null && !seen.has(chain[end]!.issuerIndex!)) {
    end = chain[end]!.issuerIndex!;
    seen.add(end);
  }
  const last = chain[end]!;
  if (!last.selfSigned) {
    const lastCert = parse(chainDer[end]!);
    const issuerKey = certificateNameKeys(chainDer[end]!)?.issuer;
    const anchors = storeAnchors(
      stores.filter((s) => s.name !== 'system'),
      stores.some((s) => s.name === 'system'),
    );
    const inStore = anchors.some((a) => certificateNameKeys(a)?.subject === issuerKey && signed(lastCert, parse(a)));
    if (!inStore) {
      const urls = certificateExtensionFacts(chainDer[end]!)?.caIssuersUrls ?? [];
      const m: MissingIssuer = { subject: last.subject, issuer: last.issuer, caIssuersUrls: urls, fetched: null };
      out.missingIssuers.push(m);
      out.evidence.push(
        `the issuer of ${last.subject} (${last.issuer}) was not sent and is in no store${urls.length ? `; AIA caIssuers: ${urls.join(', ')}` : '; no AIA caIssuers URL'}`,
      );
      if (o.fetchMissing && urls[0]) {
        out.contacted.push(urls[0]);
        try {
          const res = await httpFetch(urls[0], { timeoutMs: o.fetchTimeoutMs ?? 8000, maxBytes: 256 * 1024 });
          const got = res.status === 200 ? certificatesFromIssuerFile(res.body) : [];
          const issuer = got.find((g) => signed(lastCert, parse(g)));
          m.fetched = {
            url: urls[0],
            ok: !!issuer,
            subject: issuer ? dn(parse(issuer)?.subject) : null,
            error: res.status !== 200 ? `HTTP ${res.status}` : issuer ? null : 'no certificate there issued it',
          };
          if (issuer) out.storesWithFetched = stores.map((s) => storeVerdict([...chainDer, issuer], s, o));
        } catch (err) {
          m.fetched = { url: urls[0], ok: false, subject: null, error: (err as Error).message };
        }
      }
    } else out.evidence.push(`the chain ends below a root that is in a store (the root need not be sent)`);
  }
  out.evidence.push(
    `chain as sent: ${chain.map((c) => `[${c.index}] ${c.subject}`).join(' ← ')}${problems.length ? ` (${problems.join('; ')})` : ''}`,
    `trusted by: ${out.trustedBy.length ? out.trustedBy.join(', ') : 'no store'} (of ${stores.map((s) => s.name).join(', ') || 'none'})`,
  );
  if (out.usage && !out.usage.fit) out.evidence.push(...out.usage.problems);
  return out;
}
