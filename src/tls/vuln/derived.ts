// Vulnerabilities read off the inventory: pure functions over the protocols, suites, compression
// and DH facts the prober gathered. None of them attempts an exploit; every result says so
// ("derived from the offered suites and protocols"), and lists the suites that decided it.
// Imports only the suite registry (data), so it can run wherever facts are judged.
import { suiteByName, type CipherSuiteInfo } from '../../knowledge/tls-registry.js';
import { DERIVED_NOTE, type DerivedVulnId, type VulnResultBase, type VulnStatus } from './types.js';

export interface DerivedInput {
  protocols: Partial<Record<'SSLv2' | 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', boolean | null>>;
  /** IANA names per version, as in TlsFacts.cipherSuites */
  cipherSuites: Record<string, string[] | undefined>;
  /** TLS compression chosen when offered ('none', 'DEFLATE', …); null = untested */
  compression?: string | null;
  /** smallest DHE prime (bits); null when no DHE suite was negotiated */
  dhBits?: number | null;
  /** DH groups seen, identified (identifyDhPrime); absent when the primes were not captured */
  dhGroups?: { bits: number; commonName: string | null }[] | null;
  /** SHA-256 fingerprints of the certificates this endpoint presents (leaf first) */
  certificateFingerprints?: string[];
  /** SHA-256 of the leaf's public key (SubjectPublicKeyInfo), when known (certs.ts publicKeyFingerprint) */
  publicKeyFingerprints?: string[];
}

/** Another endpoint of the same scan (DROWN: the same key on an SSLv2 server). */
export interface OtherEndpoint {
  label: string;
  facts: DerivedInput;
}

export interface DerivedVulnResult extends VulnResultBase {
  id: DerivedVulnId;
  derived: true;
  /** the offered suites that decided it (IANA names with their version) */
  suites: string[];
}

type Offer = { version: string; name: string; info: CipherSuiteInfo | undefined };

function offers(f: DerivedInput): Offer[] {
  const out: Offer[] = [];
  for (const [version, names] of Object.entries(f.cipherSuites ?? {})) {
    if (!names || !f.protocols[version as keyof DerivedInput['protocols']]) continue;
    for (const name of names) out.push({ version, name, info: suiteByName(name) });
  }
  return out;
}

function list(o: Offer[], max = 6): string {
  const s = o.slice(0, max).map((x) => `${x.name} (${x.version})`);
  return s.join(', ') + (o.length > max ? ` and ${o.length - max} more` : '');
}

function result(id: DerivedVulnId, status: VulnStatus, evidence: string[], matched: Offer[] = []): DerivedVulnResult {
  return {
    id,
    status,
    evidence: [...evidence, DERIVED_NOTE],
    intrusive: false,
    derived: true,
    connections: 0,
    ms: 0,
    suites: matched.map((x) => `${x.name} (${x.version})`),
  };
}

const SMALL_BLOCK = new Set(['3DES', 'DES', 'IDEA', 'RC2']);

function poodle(f: DerivedInput, all: Offer[]): DerivedVulnResult {
  if (!f.protocols.SSLv3) return result('poodle', 'not-vulnerable', ['SSLv3 is not offered']);
  const cbc = all.filter((o) => o.version === 'SSLv3' && o.info?.cbc);
  if (!f.cipherSuites.SSLv3) return result('poodle', 'inconclusive', ['SSLv3 is offered but its suites are unknown']);
  return cbc.length
    ? result('poodle', 'vulnerable', [`SSLv3 is offered with CBC suites: ${list(cbc)}`], cbc)
    : result('poodle', 'not-vulnerable', ['SSLv3 is offered, but with no CBC suite (see RC4)']);
}

function beast(f: DerivedInput, all: Offer[]): DerivedVulnResult {
  const cbc = all.filter((o) => (o.version === 'TLSv1.0' || o.version === 'SSLv3') && o.info?.cbc);
  if (!f.protocols['TLSv1.0'] && !f.protocols.SSLv3) return result('beast', 'not-vulnerable', ['neither TLS 1.0 nor SSLv3 is offered']);
  if (!cbc.length) return result('beast', 'not-vulnerable', ['TLS 1.0/SSLv3 offered without CBC suites']);
  const higher = f.protocols['TLSv1.1'] || f.protocols['TLSv1.2'] || f.protocols['TLSv1.3'];
  return result(
    'beast',
    'vulnerable',
    [
      `CBC suites at TLS 1.0/SSLv3 (implicit IVs): ${list(cbc)}`,
      higher
        ? 'the server also offers newer versions, which modern clients prefer; clients also split records (1/n-1) against BEAST'
        : 'no newer version is offered',
    ],
    cbc,
  );
}

function lucky13(all: Offer[]): DerivedVulnResult {
  const cbc = all.filter((o) => o.version !== 'SSLv2' && o.version !== 'TLSv1.3' && o.info?.cbc);
  return cbc.length
    ? result('lucky13', 'vulnerable', [`CBC (MAC-then-encrypt) suites are offered, whose padding check can leak timing: ${list(cbc)}`], cbc)
    : result('lucky13', 'not-vulnerable', ['no CBC suite is offered']);
}

function sweet32(all: Offer[]): DerivedVulnResult {
  const m = all.filter((o) => o.info && SMALL_BLOCK.has(o.info.cipher));
  return m.length
    ? result('sweet32', 'vulnerable', [`64-bit block ciphers are offered (birthday bound after ~32 GiB): ${list(m)}`], m)
    : result('sweet32', 'not-vulnerable', ['no 64-bit block cipher (3DES, DES, IDEA, RC2) is offered']);
}

function freak(all: Offer[]): DerivedVulnResult {
  const m = all.filter((o) => o.info?.export && o.info.kex === 'RSA');
  return m.length
    ? result('freak', 'vulnerable', [`export RSA suites are offered (512-bit RSA keys): ${list(m)}`], m)
    : result('freak', 'not-vulnerable', ['no export RSA suite is offered']);
}

function logjam(f: DerivedInput, all: Offer[]): DerivedVulnResult {
  const exp = all.filter((o) => o.info?.export && (o.info.kex === 'DHE' || o.info.kex === 'DH'));
  if (exp.length) return result('logjam', 'vulnerable', [`export DH suites are offered (512-bit DH): ${list(exp)}`], exp);
  const dhe = all.filter((o) => o.info && (o.info.kex === 'DHE' || o.info.kex === 'DHE_PSK') && o.version !== 'TLSv1.3');
  if (!dhe.length) return result('logjam', 'not-vulnerable', ['no finite-field DHE suite is offered']);
  const bits = f.dhBits ?? null;
  if (bits !== null && bits < 1024) return result('logjam', 'vulnerable', [`DHE with a ${bits}-bit prime`], dhe);
  const common = (f.dhGroups ?? []).filter((g) => g.commonName && g.bits <= 1024);
  if (common.length)
    return result(
      'logjam',
      'vulnerable',
      [`DHE with a well-known ${common[0]!.bits}-bit prime (${common[0]!.commonName}): worth precomputing against`],
      dhe,
    );
  if (bits === null) return result('logjam', 'inconclusive', ['DHE suites are offered but no DH prime was seen']);
  const ev = [`DHE with a ${bits}-bit prime`];
  const known = (f.dhGroups ?? []).find((g) => g.commonName);
  if (known) ev.push(`a well-known group (${known.commonName}), but ${known.bits} bits is beyond precomputation`);
  else if (!f.dhGroups) ev.push('the prime itself was not captured, so a common 1024-bit prime cannot be excluded beyond the size');
  return result('logjam', 'not-vulnerable', ev);
}

function drown(f: DerivedInput, others: OtherEndpoint[]): DerivedVulnResult {
  if (f.protocols.SSLv2) {
    const m = (f.cipherSuites.SSLv2 ?? []).map((name) => ({ version: 'SSLv2', name, info: suiteByName(name) }));
    return result('drown', 'vulnerable', ['SSLv2 is offered on this endpoint'], m);
  }
  const mine = new Set([...(f.certificateFingerprints ?? []).slice(0, 1), ...(f.publicKeyFingerprints ?? []).slice(0, 1)]);
  const shared = others.filter(
    (o) =>
      o.facts.protocols.SSLv2 &&
      [...(o.facts.certificateFingerprints ?? []), ...(o.facts.publicKeyFingerprints ?? [])].some((x) => mine.has(x)),
  );
  if (shared.length)
    return result('drown', 'vulnerable', [
      `no SSLv2 here, but the same certificate or key is served with SSLv2 on ${shared.map((s) => s.label).join(', ')}: an attacker can use that server to decrypt this one's RSA sessions`,
    ]);
  const ev = ['SSLv2 is not offered'];
  if (!mine.size) ev.push('the certificate is unknown, so a shared key elsewhere was not checked');
  else
    ev.push(
      others.length
        ? `no SSLv2 endpoint among ${others.length} other endpoint(s) of this scan shares its key`
        : 'no other endpoints were compared (a shared key elsewhere cannot be excluded)',
    );
  return result('drown', 'not-vulnerable', ev);
}

function rc4(all: Offer[]): DerivedVulnResult {
  const m = all.filter((o) => o.info?.cipher === 'RC4');
  return m.length
    ? result('rc4', 'vulnerable', [`RC4 suites are offered: ${list(m)}`], m)
    : result('rc4', 'not-vulnerable', ['no RC4 suite is offered']);
}

function crime(f: DerivedInput): DerivedVulnResult {
  const legacy = f.protocols.SSLv3 || f.protocols['TLSv1.0'] || f.protocols['TLSv1.1'] || f.protocols['TLSv1.2'];
  if (!legacy) return result('crime', 'not-applicable', ['no TLS ≤ 1.2 (TLS 1.3 has no compression)']);
  const c = f.compression ?? null;
  if (c === null) return result('crime', 'inconclusive', ['TLS compression was not tested']);
  return c === 'none'
    ? result('crime', 'not-vulnerable', ['offered DEFLATE and LZS compression, the server chose none'])
    : result('crime', 'vulnerable', [`the server accepted TLS compression (${c})`]);
}

/** Every derived vulnerability for one endpoint; `others` are the other endpoints of the scan (DROWN). */
export function deriveVulns(f: DerivedInput | null | undefined, others: OtherEndpoint[] = []): Record<DerivedVulnId, DerivedVulnResult> {
  const ids: DerivedVulnId[] = ['poodle', 'beast', 'lucky13', 'sweet32', 'freak', 'logjam', 'drown', 'rc4', 'crime'];
  if (!f || !Object.values(f.protocols ?? {}).some(Boolean)) {
    return Object.fromEntries(ids.map((id) => [id, result(id, 'not-applicable', ['no TLS inventory for this endpoint'])])) as Record<
      DerivedVulnId,
      DerivedVulnResult
    >;
  }
  const all = offers(f);
  const derived: Record<DerivedVulnId, DerivedVulnResult> = {
    poodle: poodle(f, all),
    beast: beast(f, all),
    lucky13: lucky13(all),
    sweet32: sweet32(all),
    freak: freak(all),
    logjam: logjam(f, all),
    drown: drown(f, others),
    rc4: rc4(all),
    crime: crime(f),
  };
  // "not offered" is only as good as the inventory: a version nothing decided may hold the suites
  const undecided = Object.entries(f.protocols)
    .filter(([, v]) => v === null)
    .map(([k]) => k);
  if (undecided.length === 0) return derived;
  for (const id of ids) {
    const r = derived[id];
    // not applicable (CRIME: "no TLS ≤ 1.2") is as undecided as "not offered"
    if (r.status === 'not-vulnerable' || r.status === 'not-applicable')
      derived[id] = {
        ...r,
        status: 'inconclusive',
        evidence: [`not seen, but ${undecided.join(', ')} could not be decided (no answer)`, ...r.evidence],
      };
  }
  return derived;
}
