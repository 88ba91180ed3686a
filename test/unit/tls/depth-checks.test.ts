// Table-driven tests of the TLS depth checks (src/checks/tls/vulns.ts, depth.ts) from fact
// fixtures, and of the pure parts of the tls-vulns probe (vulnFact, DROWN across endpoints).
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/engine.js';
import { ALL_CHECKS, CHECK_IDS } from '../../../src/checks/registry.js';
import { TLS_VULN_CHECKS } from '../../../src/checks/tls/vulns.js';
import { TLS_DEPTH_CHECKS } from '../../../src/checks/tls/depth.js';
import { VULN_TESTS } from '../../../src/tls/vuln/types.js';
import { drownAcrossEndpoints, vulnFact } from '../../../probes/tls-vulns.js';
import type { EndpointReport, Finding, TlsFacts, TlsVulnResult, TlsVulnerabilities } from '../../../src/model.js';

const base: TlsFacts = {
  protocols: { 'TLSv1.2': true, 'TLSv1.3': true },
  cipherSuites: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
  serverPreference: true,
  groups: [],
  certificate: null,
  chain: [],
};
const leaf: NonNullable<TlsFacts['certificate']> = {
  subject: 'CN=localhost',
  issuer: 'CN=issuing CA',
  notBefore: '2025-01-01T00:00:00Z',
  notAfter: '2030-01-01T00:00:00Z',
  subjectAltNames: ['DNS:localhost'],
  keyType: 'RSA',
  keyBits: 2048,
  signatureAlgorithm: 'sha256WithRSAEncryption',
  selfSigned: false,
  fingerprintSha256: 'AA:BB',
};

function ep(tls: Partial<TlsFacts> | null, service: EndpointReport['service'] = 'ftps-explicit'): EndpointReport {
  return {
    host: 'h',
    port: 21,
    address: '127.0.0.1',
    state: 'open',
    connectMs: 1,
    service,
    banner: null,
    tls: tls ? { ...base, certificate: leaf, chain: [leaf], ...tls } : null,
    ssh: null,
    ftp: null,
    findings: [],
    transcript: [],
  };
}

const judge = (e: EndpointReport, id: string): Finding | undefined =>
  runChecks(
    e,
    ALL_CHECKS.filter((c) => c.id === id),
    {},
  )[0];

function result(id: TlsVulnResult['id'], status: TlsVulnResult['status'], derived = false): TlsVulnResult {
  return {
    id,
    status,
    evidence: [`${id} evidence`, ...(derived ? ['derived from the offered suites and protocols (no exploit attempted)'] : [])],
    intrusive: false,
    derived,
    connections: derived ? 0 : 1,
    ms: 1,
    facts: [{ label: 'fact', value: '1' }],
    ...(derived ? { suites: ['TLS_RSA_WITH_RC4_128_SHA (TLSv1.2)'] } : {}),
  };
}

function vulns(results: TlsVulnResult[], skipped: TlsVulnerabilities['skipped'] = []): TlsVulnerabilities {
  return {
    intrusive: true,
    active: results.filter((r) => !r.derived),
    derived: results.filter((r) => r.derived),
    skipped,
    connections: 1,
    limited: false,
    ms: 1,
  };
}

describe('TLS-VULN checks', () => {
  it('one check per vulnerability, with the id VULN_TESTS names; every id fits the id column of the terminal table (≤ 26 characters)', () => {
    expect(TLS_VULN_CHECKS.map((c) => c.id).sort()).toEqual(
      Object.values(VULN_TESTS)
        .map((t) => t.checkId)
        .sort(),
    );
    for (const c of [...TLS_VULN_CHECKS, ...TLS_DEPTH_CHECKS]) expect(CHECK_IDS).toContain(c.id);
    for (const id of CHECK_IDS) expect(id.length, id).toBeLessThanOrEqual(26);
  });

  const rows: [string, TlsVulnResult['status'], string, RegExp][] = [
    ['vulnerable', 'vulnerable', 'fail', /: vulnerable — /],
    ['not vulnerable', 'not-vulnerable', 'pass', /: not vulnerable — /],
    ['not applicable', 'not-applicable', 'pass', /: not applicable — /],
    ['inconclusive', 'inconclusive', 'warn', /could not be decided/],
  ];
  for (const info of Object.values(VULN_TESTS)) {
    for (const [name, status, expected, detail] of rows) {
      it(`${info.checkId}: ${name}`, () => {
        const derived = info.kind === 'derived';
        const f = judge(ep({ vulnerabilities: vulns([result(info.id, status, derived)]) }), info.checkId)!;
        const potential = status === 'vulnerable' && (info.id === 'beast' || info.id === 'lucky13');
        expect(f.status).toBe(potential ? 'warn' : expected);
        expect(f.detail).toMatch(potential ? /potentially vulnerable — / : detail);
        expect(f.detail.includes('derived from the offered suites')).toBe(derived);
        expect(f.evidence.map((e) => e.value)).toContain(`${info.id} evidence`);
        if (derived) expect(f.evidence.some((e) => e.label === 'offered suite')).toBe(true);
      });
    }
  }

  it('skipped with the reason (--no-intrusive), skipped without a battery, absent for SSH', () => {
    const skipped = judge(
      ep({ vulnerabilities: vulns([], [{ id: 'heartbleed', reason: 'intrusive; skipped by --no-intrusive' }]) }),
      'TLS-VULN-HEARTBLEED',
    )!;
    expect(skipped).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/--no-intrusive/) });
    expect(judge(ep({}), 'TLS-VULN-ROBOT')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/did not run/) });
    expect(judge(ep(null, 'sftp'), 'TLS-VULN-ROBOT')).toBeUndefined();
  });
});

const attempt = (outcome: 'completed' | 'refused' | 'failed') => ({
  protocol: 'TLSv1.2',
  outcome,
  alert: outcome === 'refused' ? 'handshake_failure' : null,
  afterHandshake: false,
  detail: outcome,
});

describe('TLS-CLIENT-CERT', () => {
  const ca = (status: NonNullable<TlsFacts['clientAuth']>['status'], extra: Partial<NonNullable<TlsFacts['clientAuth']>> = {}) =>
    ep({
      clientAuth: {
        status,
        requested: true,
        acceptedCAs: ['CN=partner CA'],
        certificateTypes: null,
        withoutCertificate: attempt('refused'),
        withCertificate: null,
        clientCertificate: null,
        evidence: ['e'],
        connections: 2,
        ms: 1,
        ...extra,
      },
    });
  const table: [string, EndpointReport, string, RegExp][] = [
    ['required', ca('required'), 'info', /requires your client certificate; send them its public part — .*CN=partner CA/],
    ['optional', ca('optional'), 'info', /asks for a client certificate but does not insist/],
    ['not requested', ca('not-requested', { requested: false, acceptedCAs: null }), 'info', /does not ask/],
    ['TLS 1.3 not required', ca('not-required', { acceptedCAs: null }), 'info', /without a client certificate/],
    ['inconclusive', ca('inconclusive'), 'skipped', /could not be decided/],
    ['ours refused', ca('required', { withCertificate: attempt('refused') }), 'warn', /refused the client certificate we were given/],
    ['ours accepted', ca('required', { withCertificate: attempt('completed') }), 'info', /was accepted/],
    ['not gathered', ep({}), 'skipped', /gathered no such facts/],
  ];
  for (const [name, e, status, detail] of table)
    it(name, () => expect(judge(e, 'TLS-CLIENT-CERT')).toMatchObject({ status, detail: expect.stringMatching(detail) }));
});

const ocsp = (o: Partial<NonNullable<TlsFacts['ocsp']>>): NonNullable<TlsFacts['ocsp']> => ({
  requested: true,
  stapled: true,
  status: 'good',
  forLeaf: true,
  responseStatus: 'successful',
  producedAt: '2025-01-01T00:00:00Z',
  thisUpdate: '2025-01-01T00:00:00Z',
  nextUpdate: '2025-01-02T00:00:00Z',
  ageSeconds: 3600,
  expired: false,
  responder: 'CN=ocsp',
  revocationTime: null,
  revocationReason: null,
  signatureValid: true,
  signer: 'delegated-responder',
  mustStaple: false,
  protocol: 'TLSv1.2',
  evidence: ['stapled'],
  ...o,
});

describe('TLS-OCSP-STAPLING and TLS-CERT-MUST-STAPLE', () => {
  const table: [string, NonNullable<TlsFacts['ocsp']>, string, string][] = [
    ['good', ocsp({}), 'pass', 'pass'],
    ['nothing stapled', ocsp({ stapled: false, status: null, forLeaf: null }), 'warn', 'pass'],
    ['revoked', ocsp({ status: 'revoked', revocationReason: 'keyCompromise' }), 'fail', 'pass'],
    ['unknown', ocsp({ status: 'unknown' }), 'warn', 'pass'],
    ['expired staple', ocsp({ expired: true }), 'warn', 'pass'],
    ['Must-Staple, stapled', ocsp({ mustStaple: true }), 'pass', 'pass'],
    ['Must-Staple, nothing stapled', ocsp({ mustStaple: true, stapled: false, status: null, forLeaf: null }), 'warn', 'fail'],
  ];
  for (const [name, o, stapling, must] of table)
    it(name, () => {
      const e = ep({ ocsp: o });
      expect(judge(e, 'TLS-OCSP-STAPLING')!.status).toBe(stapling);
      expect(judge(e, 'TLS-CERT-MUST-STAPLE')!.status).toBe(must);
    });
  it('a revoked staple is critical', () => {
    expect(judge(ep({ ocsp: ocsp({ status: 'revoked' }) }), 'TLS-OCSP-STAPLING')).toMatchObject({
      severity: 'critical',
      detail: /REVOKED/,
    });
  });
});

describe('TLS-CERT-REVOKED (only with --check-revocation)', () => {
  const rev = (status: NonNullable<TlsFacts['revocation']>['status'], contacted = ['http://127.0.0.1:1/ocsp']) =>
    ep({ revocation: { status, contacted, ocsp: null, crl: null, evidence: ['asked'], ms: 1 } });
  const table: [string, EndpointReport, string][] = [
    ['not asked', ep({ revocation: null }), 'skipped'],
    ['good', rev('good'), 'pass'],
    ['revoked', rev('revoked'), 'fail'],
    ['unknown', rev('unknown'), 'warn'],
    ['no answer', rev('error'), 'warn'],
    ['nothing to ask', rev('error', []), 'skipped'],
  ];
  for (const [name, e, status] of table) it(name, () => expect(judge(e, 'TLS-CERT-REVOKED')!.status).toBe(status));
});

describe('TLS-CERT-CHAIN and TLS-CERT-USAGE', () => {
  const entry = (index: number) => ({
    index,
    subject: `CN=c${index}`,
    issuer: `CN=c${index + 1}`,
    fingerprintSha256: 'AA',
    isCA: index > 0,
    selfSigned: false,
    issuedByNext: true,
    issuerIndex: index + 1,
  });
  const trust = (t: Partial<NonNullable<TlsFacts['trust']>>): Partial<TlsFacts> => ({
    trust: {
      chain: [entry(0), entry(1)],
      order: 'ok',
      orderProblems: [],
      stores: [{ store: 'system', trusted: true, anchor: 'CN=root', error: null, hostnameMatch: true }],
      trustedBy: ['system'],
      missingIssuers: [],
      storesWithFetched: null,
      usage: { fit: true, keyType: 'rsa', keyUsage: ['digitalSignature'], extendedKeyUsage: ['serverAuth'], problems: [], notes: [] },
      contacted: [],
      evidence: [],
      ...t,
    },
  });
  const missing = {
    subject: 'CN=leaf',
    issuer: 'CN=intermediate',
    caIssuersUrls: ['http://127.0.0.1:1/ca.der'],
    fetched: { url: 'http://127.0.0.1:1/ca.der', ok: true, subject: 'CN=intermediate', error: null },
  };
  const untrusted = [{ store: 'root.pem', trusted: false, anchor: null, error: 'unable to get issuer', hostnameMatch: true }];
  const table: [string, Partial<TlsFacts>, string][] = [
    ['complete and in order', trust({}), 'pass'],
    ['out of order', trust({ order: 'out-of-order', orderProblems: ['certificate 2 issued certificate 0'] }), 'warn'],
    [
      'issuer missing (intermediate or unknown root)',
      trust({ missingIssuers: [{ ...missing, fetched: null }], stores: untrusted }),
      'warn',
    ],
    [
      'missing intermediate proved by the fetched one',
      trust({ missingIssuers: [missing], stores: untrusted, storesWithFetched: [{ ...untrusted[0]!, trusted: true }] }),
      'fail',
    ],
  ];
  for (const [name, t, status] of table) it(`chain: ${name}`, () => expect(judge(ep(t), 'TLS-CERT-CHAIN')!.status).toBe(status));
  it('chain: the AIA URL is in the detail', () => {
    expect(judge(ep(trust({ missingIssuers: [{ ...missing, fetched: null }] })), 'TLS-CERT-CHAIN')!.detail).toContain(
      missing.caIssuersUrls[0],
    );
  });
  it('an unparsable certificate makes them errors, never a pass', () => {
    const broken = { ...leaf, parseError: 'bad DER' };
    for (const id of ['TLS-CERT-CHAIN', 'TLS-CERT-USAGE', 'TLS-CERT-MUST-STAPLE', 'TLS-CERT-REVOKED'])
      expect([id, judge(ep({ ...trust({}), certificate: broken, chain: [broken] }), id)!.status]).toEqual([id, 'error']);
  });
  it('usage: fit passes, unfit fails with the problem, no facts skipped', () => {
    expect(judge(ep(trust({})), 'TLS-CERT-USAGE')!.status).toBe('pass');
    const bad = trust({
      usage: { fit: false, keyType: 'rsa', keyUsage: null, extendedKeyUsage: ['clientAuth'], problems: ['no serverAuth'], notes: [] },
    });
    expect(judge(ep(bad), 'TLS-CERT-USAGE')).toMatchObject({ status: 'fail', detail: 'no serverAuth' });
    expect(judge(ep({}), 'TLS-CERT-USAGE')!.status).toBe('skipped');
  });
});

describe('the probe’s pure parts', () => {
  it('vulnFact keeps words and numbers, never bytes', () => {
    const f = vulnFact({
      id: 'heartbleed',
      status: 'vulnerable',
      evidence: ['x'],
      intrusive: true,
      derived: false,
      connections: 1,
      ms: 2,
      heartbeatExtension: true,
      payloadSent: 16,
      payloadClaimed: 64,
      responseLength: 83,
      responseClaimed: 64,
      version: 'TLSv1.2',
      leaked: Buffer.from('SECRET'),
    } as never);
    expect(f.facts).toContainEqual({ label: 'responseLength', value: '83' });
    expect(JSON.stringify(f)).not.toContain('SECRET');
    expect(f.facts).toContainEqual({ label: 'leaked', value: '(6 bytes, not kept)' });
  });

  it('DROWN across endpoints: the same key on an SSLv2 endpoint makes another one vulnerable; the result is a fact, judged again', () => {
    const drownOf = (sslv2: boolean) =>
      vulnFact({ ...result('drown', sslv2 ? 'vulnerable' : 'not-vulnerable', true), suites: [] } as never);
    const withKey = (port: number, sslv2: boolean, key: string): EndpointReport => ({
      ...ep({
        protocols: { SSLv2: sslv2, 'TLSv1.2': true },
        certificate: null,
        chain: [],
        vulnerabilities: { ...vulns([drownOf(sslv2)]), publicKeySha256: key },
      }),
      port,
    });
    const a = withKey(1, true, 'K');
    const b = withKey(2, false, 'K');
    const c = withKey(3, false, 'OTHER');
    const changed = drownAcrossEndpoints([a, b, c]);
    expect(changed).toContain(b);
    const d = b.tls!.vulnerabilities!.derived.find((r) => r.id === 'drown')!;
    expect(d.status).toBe('vulnerable');
    expect(d.evidence.join(' ')).toMatch(/served with SSLv2 on h:1/);
    expect(c.tls!.vulnerabilities!.derived.find((r) => r.id === 'drown')!.status).toBe('not-vulnerable');
    expect(c.tls!.vulnerabilities!.comparedEndpoints).toBe(2);
    expect(judge(b, 'TLS-VULN-DROWN')!.status).toBe('fail');
    // pure: the same scan twice gives the same facts
    expect(drownAcrossEndpoints([a, b, c])).toEqual([]);
  });
});
