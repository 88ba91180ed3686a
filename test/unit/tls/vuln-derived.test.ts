// The vulnerabilities derived from the inventory. Debian's OpenSSL offers no 3DES, RC4 or export
// suites, so a scripted server that offers them (SSLv2, SSLv3, export RSA/DH, RC4, 3DES, a
// 768-bit Oakley DH prime, DEFLATE) is enumerated by the real prober (probeTls) and its facts
// judged; a clean one must come out clean. The table of well-known DH primes is recomputed from
// node:crypto and from `openssl genpkey` (the oracle).
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { probeTls } from '../../../src/tls/prober.js';
import { toTlsFacts } from '../../../src/tls/index.js';
import { analyzeChain } from '../../../src/tls/certs.js';
import { derChildren, derContent, derRead } from '../../../src/tls/der.js';
import { deriveVulns, fetchDhGroup, identifyDhPrime, KNOWN_DH_PRIMES, type DerivedInput } from '../../../src/tls/vuln/index.js';
import {
  alertRecord,
  certificateMsg,
  dheServerKeyExchange,
  parseClientHello,
  record,
  serverHello,
  serverHelloDone,
  startResponder,
  testRsaMaterial,
  u16,
  type Responder,
} from '../../helpers/tls-responder.js';

const running: Responder[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

interface SimCfg {
  /** accepted suites per record version (0x0300 … 0x0303) */
  versions: Record<number, number[]>;
  sslv2Kinds?: number[];
  compression?: boolean;
  dhPrime?: Buffer;
}

function sslv2ServerHello(cert: Buffer, kinds: number[]): Buffer {
  const specs = Buffer.concat(kinds.map((k) => Buffer.from([(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff])));
  const connId = crypto.randomBytes(16);
  const msg = Buffer.concat([Buffer.from([4, 0, 1, 0, 2]), u16(cert.length), u16(specs.length), u16(connId.length), cert, specs, connId]);
  return Buffer.concat([Buffer.from([0x80 | (msg.length >> 8), msg.length & 0xff]), msg]);
}

async function sim(cfg: SimCfg): Promise<Responder> {
  const { certDer } = testRsaMaterial();
  const max = Math.max(...Object.keys(cfg.versions).map(Number));
  const r = await startResponder(async (src, sock) => {
    const rec = await src.next();
    if (!rec) return;
    if (rec.type === 0x80) {
      if (cfg.sslv2Kinds) sock.end(sslv2ServerHello(certDer, cfg.sslv2Kinds));
      else sock.destroy();
      return;
    }
    const ch = parseClientHello(rec.body);
    if (!ch) return void sock.destroy();
    const version = ch.supportedVersions ? Math.max(...ch.supportedVersions) : ch.version;
    const accepted = cfg.versions[version];
    if (!accepted) return void sock.end(alertRecord(70, Math.min(version, 0x0303)));
    if (ch.suites.includes(0x5600) && version < max) return void sock.end(alertRecord(86, version));
    const suite = ch.suites.find((s) => accepted.includes(s));
    if (suite === undefined) return void sock.end(alertRecord(40, version));
    const compression = cfg.compression && ch.compression.includes(1) ? 1 : 0;
    const dhe = [0x0011, 0x0014, 0x0033, 0x0039, 0x0016, 0x0067, 0x009e].includes(suite);
    const msgs = [
      serverHello({ version, suite, compression, extensions: version === 0x0300 ? undefined : [[0xff01, Buffer.from([0])]] }),
      certificateMsg([certDer]),
      ...(dhe && cfg.dhPrime ? [dheServerKeyExchange(cfg.dhPrime)] : []),
      serverHelloDone(),
    ];
    sock.end(record(22, version, Buffer.concat(msgs)));
  });
  running.push(r);
  return r;
}

const oakley1 = crypto.getDiffieHellman('modp1').getPrime();

describe('derived vulnerabilities from a scripted legacy server, enumerated by the real prober', () => {
  it('every derived finding is vulnerable on a server offering everything old, and says it is derived', async () => {
    const weak = await sim({
      versions: {
        0x0300: [0x002f, 0x0005, 0x000a], // AES128-SHA, RC4-SHA, 3DES
        0x0301: [0x002f, 0x000a, 0x0003, 0x0008, 0x0014, 0x0033], // + export RSA (RC4-40, DES40), export DHE, DHE
        0x0303: [0x009c, 0x002f, 0x0033],
      },
      sslv2Kinds: [0x010080, 0x020080, 0x0700c0],
      compression: true,
      dhPrime: oakley1,
    });
    const probe = await probeTls(weak.open, { timeoutMs: 3000, connections: 3, backoffMs: 10, nodeTlsChain: false });
    const facts = toTlsFacts(probe, analyzeChain(probe.chainDer, { systemRoots: false }));
    expect(facts.protocols).toMatchObject({ SSLv2: true, SSLv3: true, 'TLSv1.0': true, 'TLSv1.2': true });
    expect(facts.compression).toBe('DEFLATE');
    expect(facts.dhBits).toBe(768);
    const dhGroup = await fetchDhGroup(weak.open, { timeoutMs: 3000 });
    expect(dhGroup).toEqual({ bits: 768, commonName: 'RFC 2409 Oakley group 1' });
    const input: DerivedInput = { ...facts, dhGroups: [dhGroup!], certificateFingerprints: facts.chain.map((c) => c.fingerprintSha256) };
    const v = deriveVulns(input);
    const statuses = Object.fromEntries(Object.entries(v).map(([id, r]) => [id, r.status]));
    expect(statuses).toEqual({
      poodle: 'vulnerable',
      beast: 'vulnerable',
      lucky13: 'vulnerable',
      sweet32: 'vulnerable',
      freak: 'vulnerable',
      logjam: 'vulnerable',
      drown: 'vulnerable',
      rc4: 'vulnerable',
      crime: 'vulnerable',
    });
    for (const r of Object.values(v)) {
      expect(r.derived).toBe(true);
      expect(r.connections).toBe(0);
      expect(r.evidence.join(' ')).toMatch(/derived from the offered suites/);
    }
    expect(v.freak.suites).toEqual(
      expect.arrayContaining(['TLS_RSA_EXPORT_WITH_RC4_40_MD5 (TLSv1.0)', 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA (TLSv1.0)']),
    );
    expect(v.logjam.evidence[0]).toMatch(/export DH suites/);
    expect(v.sweet32.suites).toContain('TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3)');
    expect([...v.poodle.suites].sort()).toEqual(['TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3)', 'TLS_RSA_WITH_AES_128_CBC_SHA (SSLv3)']);
    expect(v.crime.evidence[0]).toMatch(/DEFLATE/);

    // LOGJAM without export suites: the 768-bit common prime alone decides it
    const noExport = deriveVulns({
      ...input,
      cipherSuites: { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA'] },
      protocols: { 'TLSv1.2': true },
    });
    expect(noExport.logjam.status).toBe('vulnerable');
    expect(noExport.logjam.evidence[0]).toMatch(/768-bit prime/);
  }, 60_000);

  it('a modern server (TLS 1.2 AEAD only, no compression, ffdhe2048) is not vulnerable to any', async () => {
    const prime = opensslPrime('group:ffdhe2048');
    const good = await sim({ versions: { 0x0303: [0x009e, 0x009c] }, dhPrime: prime });
    const probe = await probeTls(good.open, { timeoutMs: 3000, connections: 3, backoffMs: 10, nodeTlsChain: false });
    const facts = toTlsFacts(probe, analyzeChain(probe.chainDer, { systemRoots: false }));
    const dhGroup = await fetchDhGroup(good.open, { timeoutMs: 3000 });
    expect(dhGroup).toEqual({ bits: 2048, commonName: 'RFC 7919 ffdhe2048' });
    const v = deriveVulns({ ...facts, dhGroups: [dhGroup!] });
    for (const [id, r] of Object.entries(v)) expect([id, r.status]).toEqual([id, 'not-vulnerable']);
    expect(v.logjam.evidence.join(' ')).toMatch(/ffdhe2048.*beyond precomputation/);
  }, 60_000);
});

/** p of `openssl genpkey -genparam` output (PEM DHParameter / X9.42 DomainParameters: SEQUENCE { p, g, … }). */
function opensslPrime(opt: string): Buffer {
  const pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', opt]).toString();
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  const [p] = derChildren(der, derRead(der, 0));
  return Buffer.from(derContent(der, p!));
}

describe('derived rules (pure)', () => {
  const base: DerivedInput = {
    protocols: { 'TLSv1.2': true, 'TLSv1.3': true },
    cipherSuites: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] },
    compression: 'none',
    dhBits: null,
  };

  it('DROWN: the same certificate on another endpoint that speaks SSLv2', () => {
    const fp = 'AA:BB';
    const mine: DerivedInput = { ...base, certificateFingerprints: [fp] };
    const other = {
      label: '127.0.0.1:2990',
      facts: { protocols: { SSLv2: true }, cipherSuites: { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'] }, certificateFingerprints: [fp] },
    };
    const v = deriveVulns(mine, [other]);
    expect(v.drown.status).toBe('vulnerable');
    expect(v.drown.evidence[0]).toMatch(/127\.0\.0\.1:2990/);
    expect(deriveVulns(mine, [{ ...other, facts: { ...other.facts, certificateFingerprints: ['CC:DD'] } }]).drown.status).toBe(
      'not-vulnerable',
    );
    expect(deriveVulns(mine).drown.evidence.join(' ')).toMatch(/no other endpoints were compared/);
  });

  it('no inventory: not applicable; untested compression: inconclusive; TLS 1.3 only: CRIME not applicable', () => {
    expect(deriveVulns(null).poodle.status).toBe('not-applicable');
    expect(deriveVulns({ ...base, compression: null }).crime.status).toBe('inconclusive');
    expect(deriveVulns({ protocols: { 'TLSv1.3': true }, cipherSuites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] } }).crime.status).toBe(
      'not-applicable',
    );
  });

  it('a version the inventory could not decide makes "not vulnerable" inconclusive; vulnerable stays vulnerable', () => {
    const undecided = { ...base, protocols: { ...base.protocols, SSLv3: null } };
    const r = deriveVulns(undecided);
    expect(r.poodle.status).toBe('inconclusive');
    expect(r.poodle.evidence[0]).toMatch(/SSLv3 could not be decided/);
    expect(deriveVulns(base).poodle.status).toBe('not-vulnerable');
  });

  it('LOGJAM: DHE offered but no prime seen is inconclusive; 1024-bit Oakley group 2 is vulnerable', () => {
    const dhe: DerivedInput = { ...base, cipherSuites: { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] } };
    expect(deriveVulns(dhe).logjam.status).toBe('inconclusive');
    const g2 = identifyDhPrime(crypto.getDiffieHellman('modp2').getPrime());
    expect(g2).toEqual({ bits: 1024, commonName: 'RFC 2409 Oakley group 2' });
    expect(deriveVulns({ ...dhe, dhBits: 1024, dhGroups: [g2] }).logjam.status).toBe('vulnerable');
    expect(deriveVulns({ ...dhe, dhBits: 1024, dhGroups: [{ bits: 1024, commonName: null }] }).logjam.status).toBe('not-vulnerable');
    expect(deriveVulns({ ...dhe, dhBits: 512 }).logjam.status).toBe('vulnerable');
  });

  it('BEAST says when newer versions are also offered', () => {
    const v = deriveVulns({
      protocols: { 'TLSv1.0': true, 'TLSv1.2': true },
      cipherSuites: { 'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.2': ['TLS_RSA_WITH_AES_128_GCM_SHA256'] },
    });
    expect(v.beast.status).toBe('vulnerable');
    expect(v.beast.evidence.join(' ')).toMatch(/also offers newer versions/);
    expect(v.lucky13.suites).toEqual(['TLS_RSA_WITH_AES_128_CBC_SHA (TLSv1.0)']);
  });
});

describe('the well-known DH prime table', () => {
  it('matches node:crypto (RFC 2409/3526) and openssl genpkey (RFC 7919, RFC 5114)', () => {
    const want = new Map(KNOWN_DH_PRIMES.map((k) => [k.name, k]));
    const check = (name: string, p: Buffer) => expect(identifyDhPrime(p), name).toEqual({ bits: want.get(name)!.bits, commonName: name });
    for (const [g, name] of [
      ['modp1', 'RFC 2409 Oakley group 1'],
      ['modp2', 'RFC 2409 Oakley group 2'],
      ['modp5', 'RFC 3526 group 5'],
      ['modp14', 'RFC 3526 group 14'],
      ['modp18', 'RFC 3526 group 18'],
    ] as const)
      check(name, crypto.getDiffieHellman(g).getPrime());
    for (const [opt, name] of [
      ['group:ffdhe2048', 'RFC 7919 ffdhe2048'],
      ['group:ffdhe4096', 'RFC 7919 ffdhe4096'],
      ['dh_rfc5114:1', 'RFC 5114 1024-bit MODP group with 160-bit subgroup'],
      ['dh_rfc5114:3', 'RFC 5114 2048-bit MODP group with 256-bit subgroup'],
    ] as const) {
      check(name, opensslPrime(opt));
    }
    expect(identifyDhPrime(crypto.randomBytes(128)).commonName).toBeNull();
  });
});
