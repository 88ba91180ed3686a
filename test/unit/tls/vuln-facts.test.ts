// What is not a check row (those are in test/unit/checks/tls-vulns.cases.test.ts and
// tls-depth.cases.test.ts): one check per vulnerability test with ids that fit the terminal
// table, and the pure parts of the tls-vulns probe (vulnFact, DROWN across endpoints).
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../../src/checks/registry.js';
import { TLS_VULN_CHECKS } from '../../../src/checks/tls/vulns.js';
import { TLS_DEPTH_CHECKS } from '../../../src/checks/tls/depth.js';
import { deriveVulns, VULN_TESTS } from '../../../src/tls/vuln/index.js';
import { derivedInputOf, drownAcrossEndpoints, vulnFact } from '../../../probes/tls-vulns.js';
import type { EndpointReport, TlsFacts } from '../../../src/model.js';

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
});

/** An endpoint the tls-vulns probe scanned: its derived results computed from its facts. */
function scanned(port: number, protocols: TlsFacts['protocols'], key: string): EndpointReport {
  const tls: TlsFacts = {
    protocols,
    cipherSuites: {
      'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      ...(protocols.SSLv2 ? { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'] } : {}),
    },
    serverPreference: true,
    groups: [],
    certificate: null,
    chain: [],
  };
  const derived = Object.values(deriveVulns(derivedInputOf({ ...tls, publicKeySha256: key }))).map(vulnFact);
  return {
    host: 'h',
    port,
    address: '127.0.0.1',
    state: 'open',
    connectMs: 1,
    service: 'ftps-implicit',
    banner: null,
    tls: {
      ...tls,
      vulnerabilities: { intrusive: true, active: [], derived, skipped: [], connections: 0, limited: false, ms: 0, publicKeySha256: key },
    },
    ssh: null,
    ftp: null,
    findings: [],
    transcript: [],
  };
}

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

  it('DROWN across endpoints: the same key on an SSLv2 endpoint makes another one vulnerable; pure, so a second pass changes nothing', () => {
    const a = scanned(1, { SSLv2: true, 'TLSv1.2': true }, 'K');
    const b = scanned(2, { SSLv2: false, 'TLSv1.2': true }, 'K');
    const c = scanned(3, { SSLv2: false, 'TLSv1.2': true }, 'OTHER');
    const drown = (ep: EndpointReport) => ep.tls!.vulnerabilities!.derived.find((r) => r.id === 'drown')!;
    expect(drown(b).status).toBe('not-vulnerable');
    const changed = drownAcrossEndpoints([a, b, c]);
    expect(changed).toContain(b);
    expect(drown(b).status).toBe('vulnerable');
    expect(drown(b).evidence.join(' ')).toMatch(/served with SSLv2 on h:1/);
    expect(drown(c).status).toBe('not-vulnerable');
    expect(c.tls!.vulnerabilities!.comparedEndpoints).toBe(2);
    expect(drownAcrossEndpoints([a, b, c])).toEqual([]);
  });
});
