import { describe, expect, it } from 'vitest';
import { checksOf } from '../../../src/checks/registry.js';

const tlsChecks = checksOf('tls');
import { runChecks } from '../../../src/checks/engine.js';
import type { EndpointReport, TlsFacts } from '../../../src/model.js';

function ep(tls: TlsFacts | null, service: EndpointReport['service'] = 'ftps-explicit'): EndpointReport {
  return {
    host: 'h',
    port: 21,
    address: '127.0.0.1',
    state: 'open',
    connectMs: 1,
    service,
    banner: null,
    tls,
    ssh: null,
    ftp: null,
    findings: [],
    transcript: [],
    error: tls ? null : 'TLS handshake failed',
  };
}

const weak: TlsFacts = {
  protocols: { SSLv2: false, SSLv3: true, 'TLSv1.0': true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false },
  cipherSuites: {
    SSLv3: ['TLS_RSA_WITH_RC4_128_SHA'],
    'TLSv1.0': [
      'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_DH_anon_WITH_AES_128_CBC_SHA',
      'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA',
      'TLS_RSA_WITH_NULL_SHA',
      'TLS_RSA_WITH_DES_CBC_SHA',
    ],
    'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  },
  serverPreference: false,
  groups: ['secp256r1'],
  certificate: null,
  chain: [],
  dhBits: 1024,
  secureRenegotiation: false,
  extendedMasterSecret: false,
  fallbackScsv: 'not-protected',
  compression: 'none',
  probe: {
    handshakes: 20,
    ms: 100,
    limited: false,
    errors: [],
    chainSource: null,
    evidence: [{ label: 'TLSv1.2 ServerHello', value: 'server-hello TLSv1.2 …' }],
  },
};

const good: TlsFacts = {
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
  cipherSuites: {
    'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
    'TLSv1.3': ['TLS_AES_128_GCM_SHA256'],
  },
  serverPreference: true,
  serverPreferenceByVersion: { 'TLSv1.2': true },
  groups: ['x25519'],
  certificate: null,
  chain: [],
  dhBits: null,
  secureRenegotiation: true,
  extendedMasterSecret: true,
  fallbackScsv: 'protected',
  compression: 'none',
  probe: { handshakes: 20, ms: 100, limited: false, errors: [], chainSource: null, evidence: [] },
};

const statuses = (e: EndpointReport) => Object.fromEntries(runChecks(e, tlsChecks, {}).map((f) => [f.id, f.status]));

describe('TLS checks', () => {
  it('cover every TLS-* id of docs/checks.md once', () => {
    const ids = tlsChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'TLS-PROTO-SSL2',
      'TLS-PROTO-SSL3',
      'TLS-PROTO-TLS10',
      'TLS-PROTO-TLS11',
      'TLS-NO-TLS12',
      'TLS-NO-TLS13',
      'TLS-CIPHER-NULL',
      'TLS-CIPHER-ANON',
      'TLS-CIPHER-EXPORT',
      'TLS-CIPHER-RC4',
      'TLS-CIPHER-DES',
      'TLS-CIPHER-3DES',
      'TLS-CIPHER-NO-PFS',
      'TLS-CIPHER-CBC',
      'TLS-CIPHER-PROFILE',
      'TLS-SERVER-PREFERENCE',
      'TLS-DH-WEAK',
      'TLS-EXT-RENEGOTIATION',
      'TLS-EXT-EMS',
      'TLS-FALLBACK-SCSV',
      'TLS-CERT-EXPIRED',
      'TLS-CERT-NOT-YET-VALID',
      'TLS-CERT-EXPIRING',
      'TLS-CERT-UNTRUSTED',
      'TLS-CERT-NAME-MISMATCH',
      'TLS-CERT-WEAK-KEY',
      'TLS-CERT-WEAK-SIGNATURE',
      'TLS-CERT-LIFETIME',
      'TLS-DATA-CHANNEL-DIFFERS',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('fail a weak configuration', () => {
    const s = statuses(ep(weak));
    for (const id of [
      'TLS-PROTO-SSL3',
      'TLS-PROTO-TLS10',
      'TLS-PROTO-TLS11',
      'TLS-CIPHER-NULL',
      'TLS-CIPHER-ANON',
      'TLS-CIPHER-EXPORT',
      'TLS-CIPHER-RC4',
      'TLS-CIPHER-DES',
      'TLS-CIPHER-3DES',
      'TLS-CIPHER-NO-PFS',
      'TLS-CIPHER-PROFILE',
      'TLS-DH-WEAK',
      'TLS-EXT-RENEGOTIATION',
      'TLS-FALLBACK-SCSV',
    ])
      expect(s[id], id).toBe('fail');
    expect(s['TLS-PROTO-SSL2']).toBe('pass');
    expect(s['TLS-NO-TLS13']).toBe('warn');
    expect(s['TLS-CIPHER-CBC']).toBe('warn');
    expect(s['TLS-EXT-EMS']).toBe('warn');
    expect(s['TLS-CERT-EXPIRED']).toBe('skipped');
    expect(s['TLS-DATA-CHANNEL-DIFFERS']).toBe('skipped');
  });

  it('pass a good configuration', () => {
    const s = statuses(ep(good));
    for (const id of [
      'TLS-PROTO-SSL2',
      'TLS-PROTO-SSL3',
      'TLS-PROTO-TLS10',
      'TLS-PROTO-TLS11',
      'TLS-NO-TLS12',
      'TLS-NO-TLS13',
      'TLS-CIPHER-NULL',
      'TLS-CIPHER-RC4',
      'TLS-CIPHER-NO-PFS',
      'TLS-CIPHER-CBC',
      'TLS-CIPHER-PROFILE',
      'TLS-DH-WEAK',
      'TLS-EXT-RENEGOTIATION',
      'TLS-EXT-EMS',
      'TLS-FALLBACK-SCSV',
    ])
      expect(s[id], id).toBe('pass');
    expect(s['TLS-SERVER-PREFERENCE']).toBe('info');
  });

  it('carry controls and evidence', () => {
    const f = runChecks(ep(weak), tlsChecks, {}).find((x) => x.id === 'TLS-CIPHER-RC4')!;
    expect(f.controls).toContain('PCI DSS 4.0.1 4.2.1');
    expect(f.evidence[0]!.value).toContain('TLS_RSA_WITH_RC4_128_SHA');
    expect(f.remediation).toMatch(/ssl_ciphers/);
    const p = runChecks(ep(weak), tlsChecks, {}).find((x) => x.id === 'TLS-PROTO-TLS10')!;
    expect(p.controls).toContain('NIST SP 800-52r2 §3.1');
  });

  it('skip without facts, and stay silent on non-TLS services', () => {
    const s = runChecks(ep(null), tlsChecks, {});
    expect(s.length).toBe(tlsChecks.length);
    expect(s.every((f) => f.status === 'skipped')).toBe(true);
    expect(runChecks(ep(good, 'sftp'), tlsChecks, {})).toEqual([]);
    expect(runChecks(ep(good, 'ftp'), tlsChecks, {})).toEqual([]);
  });

  it('honour profile thresholds', () => {
    const s = runChecks(ep(weak), tlsChecks, { minDhBits: 1024 }).find((f) => f.id === 'TLS-DH-WEAK')!;
    expect(s.status).toBe('pass');
  });
});
