// Profiles as data, their plug into the engine, the per-control view, custom profile files,
// policy files (JSON and the YAML subset) and the policy checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_PROFILES,
  ProfileError,
  profileCheckOptions,
  profileSelection,
  resolveProfile,
  validateProfile,
} from '../../../src/profiles/index.js';
import { computeCompliance } from '../../../src/profiles/compliance.js';
import { CHECK_IDS, checksOf } from '../../../src/checks/registry.js';
import { runChecks } from '../../../src/checks/engine.js';
import { ALL_CHECKS } from '../../../src/checks/registry.js';

import { parsePolicy, PolicyError } from '../../../src/policy/index.js';
import { parseYamlSubset } from '../../../src/policy/yaml.js';
import { emptyEndpoint } from '../../../src/scan.js';
import type { EndpointReport, Finding } from '../../../src/model.js';
import { runCli, looksLikeStackTrace } from '../../helpers/cli.js';
import { expectValidReport } from '../../helpers/schema.js';
import { loadFixture } from '../../helpers/reports.js';

const policyChecks = checksOf('policy');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-prof-'));

describe('built-in profiles', () => {
  it.each(BUILTIN_PROFILES.map((p) => [p.id, p]))('%s is consistent data', (_id, p) => {
    const known = new Set<string>(CHECK_IDS);
    if (p.checks !== 'all') for (const id of p.checks) expect(known.has(id), id).toBe(true);
    for (const id of Object.keys(p.severity)) expect(known.has(id), id).toBe(true);
    for (const c of p.controls) {
      for (const id of c.checks) expect(known.has(id), `${c.id}: ${id}`).toBe(true);
      if (c.testability !== 'not-testable') expect(c.checks.length, c.id).toBeGreaterThan(0);
      expect(c.note.length, c.id).toBeGreaterThan(10);
    }
    // a profile's own data passes the custom-profile validator (the file format is the same)
    expect(validateProfile(JSON.parse(JSON.stringify({ ...p, source: undefined })), 'copy')).toMatchObject({
      id: p.id,
      controls: p.controls,
    });
    expect(p.version).toMatch(/\S/);
  });
  it('say plainly what a scan cannot prove (storage encryption, logging, key management)', () => {
    for (const id of ['pci-dss-4.0.1', 'hipaa', 'baseline']) {
      const notes = resolveProfile(id)
        .controls.filter((c) => c.testability === 'not-testable')
        .map((c) => c.note)
        .join(' ');
      expect(notes).toMatch(/at rest/);
      expect(notes).toMatch(/logged/);
    }
    expect(resolveProfile('pci-dss-4.0.1').controls.find((c) => c.ref === '3.6.1')?.note).toMatch(/keys/);
  });
  it('plug into the engine: selection and thresholds', () => {
    const pci = resolveProfile('pci-dss-4.0.1');
    const sel = profileSelection(pci);
    expect(sel.include).toContain('TLS-PROTO-TLS10');
    expect(sel.include).not.toContain('TLS-CIPHER-CBC');
    expect(sel.severity?.['TLS-PROTO-TLS10']).toBe('critical');
    expect(profileCheckOptions(pci)).toMatchObject({
      profileId: 'pci-dss-4.0.1',
      minTlsVersion: 'TLSv1.2',
      minRsaBits: 2048,
      certExpiryWarnDays: 30,
    });
    expect(profileCheckOptions(resolveProfile('mozilla-intermediate')).tlsCipherProfile?.suites['TLSv1.2']).not.toContain(
      'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
    );
    expect(profileCheckOptions(resolveProfile('mozilla-intermediate-5.7')).tlsCipherProfile?.suites['TLSv1.2']).toContain(
      'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
    );
    expect(resolveProfile('mozilla-intermediate@6.0').id).toBe('mozilla-intermediate');
    // a custom profile that allows TLS 1.1 stops judging it
    const lax = validateProfile({ extends: 'baseline', thresholds: { minTlsVersion: 'TLSv1.1' } }, 'lax');
    expect(profileSelection(lax).exclude).toEqual(['TLS-PROTO-TLS11']);
  });
});

describe('custom profile files', () => {
  const file = (name: string, doc: unknown) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return f;
  };
  it('extends a built-in profile', () => {
    const p = resolveProfile(
      file('ok.json', {
        extends: 'pci-dss-4.0.1',
        id: 'acme-pci',
        severity: { 'TLS-CIPHER-CBC': 'high' },
        thresholds: { certExpiryWarnDays: 45 },
      }),
    );
    expect(p).toMatchObject({
      id: 'acme-pci',
      thresholds: { certExpiryWarnDays: 45, minRsaBits: 2048 },
      severity: { 'TLS-CIPHER-CBC': 'high', 'TLS-PROTO-TLS10': 'critical' },
    });
    expect(p.controls.length).toBe(resolveProfile('pci-dss-4.0.1').controls.length);
  });
  it.each([
    ['bad-json.json', '{', /not valid JSON/],
    ['unknown-check.json', { extends: 'baseline', severity: { 'TLS-FOO': 'high' } }, /unknown check id "TLS-FOO"/],
    ['bad-sev.json', { extends: 'baseline', severity: { 'TLS-CIPHER-CBC': 'urgent' } }, /must be one of critical/],
    ['no-controls.json', { id: 'x', checks: 'all' }, /controls is required/],
    [
      'bad-control.json',
      { id: 'x', checks: 'all', controls: [{ id: 'C1', title: 't', testability: 'automated', checks: [] }] },
      /needs at least one check id/,
    ],
    ['bad-extends.json', { extends: 'pci-dss-3.2' }, /unknown built-in profile "pci-dss-3.2"/],
    ['extra.json', { extends: 'baseline', colour: 'red' }, /unknown field "colour"/],
    [
      'bad-suite.json',
      { extends: 'baseline', thresholds: { allowedSuites: { suites: { 'TLSv1.2': ['ECDHE-RSA-AES128-GCM-SHA256'] } } } },
      /IANA suite names/,
    ],
  ])('%s → one-line error naming the file', (name, doc, msg) => {
    const f = file(name, doc);
    expect(() => resolveProfile(f)).toThrow(ProfileError);
    try {
      resolveProfile(f);
    } catch (err) {
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).toContain(f);
      expect((err as Error).message).not.toContain('\n');
    }
  });
  it('unknown names list what is available', () => {
    expect(() => resolveProfile('pci-dss-9')).toThrow(/available: baseline, pci-dss-4.0.1, hipaa, nist-800-52r2, mozilla-intermediate/);
  });
});

function ep(partial: Partial<EndpointReport>): EndpointReport {
  return {
    ...emptyEndpoint({ input: 'x', host: '127.0.0.1', port: 22, expectedService: null, scheme: null }),
    state: 'open',
    address: '127.0.0.1',
    ...partial,
  };
}
const finding = (id: string, status: Finding['status']): Finding => ({
  id,
  status,
  severity: 'high',
  title: id,
  detail: '',
  remediation: '',
  controls: [],
  evidence: [],
});

describe('per-control view', () => {
  const pci = resolveProfile('pci-dss-4.0.1');
  it('satisfied / not satisfied / not testable / not assessed, with the findings behind each', () => {
    const report = {
      endpoints: [
        ep({
          port: 22,
          findings: [finding('SSH-CIPHER-WEAK', 'pass'), finding('FTP-SOFTWARE', 'skipped'), finding('CRYPTO-INVENTORY', 'info')],
        }),
        ep({ port: 990, findings: [finding('TLS-PROTO-TLS10', 'fail'), finding('FTP-PASV-ADDRESS', 'error')] }),
      ],
    };
    const v = computeCompliance(report, pci);
    const by = (ref: string) => v.controls.find((c) => c.ref === ref)!;
    expect(by('4.2.1')).toMatchObject({ status: 'not-satisfied' });
    expect(by('4.2.1').findings).toContainEqual(
      expect.objectContaining({ endpoint: '127.0.0.1:990', endpointIndex: 1, findingIndex: 0, id: 'TLS-PROTO-TLS10', status: 'fail' }),
    );
    expect(by('2.2.7')).toMatchObject({ status: 'satisfied' });
    expect(by('12.3.3')).toMatchObject({ status: 'satisfied', reason: expect.stringMatching(/network scan can observe/) });
    expect(by('1.4.5')).toMatchObject({ status: 'not-assessed', reason: expect.stringMatching(/could not finish/) });
    expect(by('6.3.3')).toMatchObject({ status: 'not-assessed', reason: expect.stringMatching(/skipped/) });
    expect(by('8.2.1')).toMatchObject({ status: 'not-assessed', reason: expect.stringMatching(/no check behind it applied/) });
    expect(by('3.5.1')).toMatchObject({ status: 'not-testable', findings: [] });
    expect(v.verdict).toBe('not-satisfied');
    expect(v.endpoints.map((e) => e.verdict)).toEqual(['pass', 'fail']);
    expect(v.notTestable).toContain('PCI DSS 4.0.1 10.2.1');
    expect(v.statement).toMatch(/cannot be proved by a network scan/);
  });
  it('is pure and deterministic', () => {
    const r = loadFixture();
    const before = JSON.stringify(r);
    expect(computeCompliance(r, pci)).toEqual(computeCompliance(JSON.parse(before), pci));
    expect(JSON.stringify(r)).toBe(before);
    expect(computeCompliance(r, pci)).toEqual(r.compliance);
  });
  it('incomplete when nothing fails but a testable control was not assessed', () => {
    const v = computeCompliance({ endpoints: [ep({ findings: [finding('SSH-CIPHER-WEAK', 'pass')] })] }, pci);
    expect(v.verdict).toBe('incomplete');
  });
});

describe('YAML subset', () => {
  it('parses mappings, sequences, `- key:` items, flow lists, quotes and comments', () => {
    const y = `# c\nversion: 1\nname: "a # not a comment"\nhosts:\n- host: files.example.com  # trailing\n  ports:\n    - 22\n    - port: 990\n      service: 'ftps-implicit'\n      certificates: [ "AB:CD", 'x' ]\n  passiveRange: 50000-50100\nempty:\n`;
    expect(parseYamlSubset(y)).toEqual({
      version: 1,
      name: 'a # not a comment',
      hosts: [
        {
          host: 'files.example.com',
          ports: [22, { port: 990, service: 'ftps-implicit', certificates: ['AB:CD', 'x'] }],
          passiveRange: '50000-50100',
        },
      ],
      empty: null,
    });
  });
  it('deep nesting is a one-line error, not a stack overflow', () => {
    expect(() => parseYamlSubset(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toThrow(/line 1: .*(deep|nest)/);
  });
  it('reads what partners write: flow mappings, anchors and aliases, block scalars (the yaml package)', () => {
    expect(parseYamlSubset('a: &x {b: 1}\nc: *x\nd: |\n  text\n')).toEqual({ a: { b: 1 }, c: { b: 1 }, d: 'text\n' });
  });
  it.each([
    ['a: 1\na: 2', /line 2: Map keys must be unique/],
    ['a:\n\t- 1', /line 2: /],
    ['a: 1\n---\nb: 2', /line 2: more than one YAML document/],
    ['a: "unterminated', /line 1: /],
    ['a: !!binary aGVsbG8=', /line 1: /],
  ])('%j is rejected with a line number', (text, msg) => {
    expect(() => parseYamlSubset(text)).toThrow(msg);
  });
});

const FP = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';

describe('policy files', () => {
  it('accepts JSON and YAML with the same meaning', () => {
    const yaml = `version: 1\nprofile: hipaa\nhosts:\n  - host: Files.Example.com\n    ports:\n      - port: 22\n        service: sftp\n        sshHostKeys: ${FP}=\n      - 990\n    passiveRange: 50000-50100\n    credentials:\n      user: partner\n      passwordEnv: PARTNER_PW\n`;
    const json = JSON.stringify({
      version: 1,
      profile: 'hipaa',
      hosts: [
        {
          host: 'files.example.com',
          ports: [{ port: 22, service: 'sftp', sshHostKeys: [FP] }, 990],
          passiveRange: [50000, 50100],
          credentials: { user: 'partner', passwordEnv: 'PARTNER_PW' },
        },
      ],
    });
    const a = parsePolicy(yaml, 'p.yaml');
    expect(a).toEqual(parsePolicy(json, 'p.json'));
    expect(a.hosts[0]).toMatchObject({
      host: 'files.example.com',
      passiveRange: [50000, 50100],
      ports: [{ port: 22, sshHostKeys: [FP] }, { port: 990 }],
    });
  });
  it.each([
    ['version: 2\nhosts: []', /version must be 1/],
    ['version: 1\nhosts: []', /hosts must be a non-empty list/],
    ['version: 1\nhosts:\n  - host: h\n    ports: [70000]', /hosts\[0\]\.ports\[0\] must be a port number/],
    [
      'version: 1\nhosts:\n  - host: h\n    ports:\n      - port: 22\n        service: scp',
      /hosts\[0\]\.ports\[0\]\.service must be one of sftp/,
    ],
    ['version: 1\nhosts:\n  - host: h\n    ports:\n      - port: 22\n        sshHostKeys: [abc]', /sshHostKeys\[0\] must be a SHA256:/],
    [
      'version: 1\nhosts:\n  - host: h\n    ports:\n      - port: 990\n        certificates: [zz]',
      /certificates\[0\] must be a SHA-256 fingerprint/,
    ],
    ['version: 1\nhosts:\n  - host: h\n    ports: [22]\n    credentials:\n      user: u\n      password: hunter2', /password is refused/],
    ['version: 1\nhosts:\n  - host: h\n    ports: [22, 22]', /port 22 is listed twice/],
    ['version: 1\nhosts:\n  - host: h\n    ports: [22]\n    passiveRange: 9-1', /start is above end/],
    ['version: 1\nhosts:\n  - host: h\n    prots: [22]', /unknown field "prots"/],
    ['version: 1\nhosts:\n  - host: h\n    ports: 22 23', /ports must be a list/],
    ['{"version": 1,', /not valid JSON/],
  ])('%j → one-line error', (text, msg) => {
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(PolicyError);
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(msg);
  });
  it('CLI: a bad policy file is exit 1 with the file and field named', async () => {
    const f = path.join(tmp, 'bad-policy.yaml');
    fs.writeFileSync(f, 'version: 1\nhosts:\n  - host: 127.0.0.1\n    ports:\n      - port: 22\n        service: telnet\n');
    const r = await runCli(['scan', '127.0.0.1:1', '--policy', f, '--timeout', '500']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${f}: hosts\\[0\\]\\.ports\\[0\\]\\.service must be one of`));
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(looksLikeStackTrace(r.stderr)).toBe(false);
  });
});

describe('policy checks', () => {
  const policy = parsePolicy(
    `version: 1\nhosts:\n  - host: 127.0.0.1\n    ports:\n      - port: 22\n        service: sftp\n        sshHostKeys: [${FP}]\n      - port: 990\n        certificates: ["${'ab:'.repeat(31)}ab"]\n`,
    'p.yaml',
  );
  const run = (e: EndpointReport) => runChecks(e, policyChecks, { policy });
  const sshFacts = (fp: string) => ({
    banner: '',
    protoVersion: '2.0',
    software: '',
    kex: ['curve25519-sha256'],
    hostKeyAlgorithms: [],
    ciphers: [],
    macs: [],
    compression: [],
    hostKeys: [{ type: 'ssh-ed25519', bits: 256, fingerprintSha256: fp }],
    authMethods: [],
    strictKex: true,
    sftp: null,
  });
  it('POLICY-KEY-PIN passes on the pinned key and fails (critical) on another', () => {
    const ok = run(ep({ port: 22, service: 'sftp', ssh: sshFacts(FP) }));
    expect(ok.find((f) => f.id === 'POLICY-KEY-PIN')).toMatchObject({ status: 'pass' });
    const bad = run(ep({ port: 22, service: 'sftp', ssh: sshFacts('SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') }));
    expect(bad.find((f) => f.id === 'POLICY-KEY-PIN')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(
      bad
        .find((f) => f.id === 'POLICY-KEY-PIN')!
        .evidence.map((e) => e.value)
        .join(' '),
    ).toContain(FP);
  });
  it('certificate pins compare fingerprints in any hex spelling', () => {
    const cert = {
      subject: 'CN=x',
      issuer: 'CN=x',
      notBefore: '',
      notAfter: '',
      subjectAltNames: [],
      keyType: 'RSA',
      keyBits: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      selfSigned: true,
      fingerprintSha256: `${'AB:'.repeat(31)}AB`,
    };
    const tls = { protocols: {}, cipherSuites: {}, serverPreference: null, groups: [], certificate: cert, chain: [cert] };
    expect(run(ep({ port: 990, service: 'ftps-implicit', tls })).find((f) => f.id === 'POLICY-KEY-PIN')).toMatchObject({ status: 'pass' });
  });
  it('NET-UNEXPECTED-SERVICE and POLICY-EXPECTED-SERVICE read the allowlist', () => {
    const extra = run(ep({ port: 2121, service: 'ftp' }));
    expect(extra.find((f) => f.id === 'NET-UNEXPECTED-SERVICE')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/allows only 22, 990/),
    });
    const wrong = run(ep({ port: 22, service: 'ftp' }));
    expect(wrong.find((f) => f.id === 'POLICY-EXPECTED-SERVICE')).toMatchObject({
      status: 'fail',
      detail: 'the policy expects sftp, found ftp',
    });
    expect(wrong.find((f) => f.id === 'NET-UNEXPECTED-SERVICE')).toMatchObject({ status: 'pass' });
    const closed = run(ep({ port: 22, state: 'closed' }));
    expect(closed.find((f) => f.id === 'POLICY-EXPECTED-SERVICE')).toMatchObject({ status: 'fail' });
    expect(closed.find((f) => f.id === 'NET-UNEXPECTED-SERVICE')).toBeUndefined();
    // without a policy the allowlist check does not speak
    expect(runChecks(ep({ port: 2121, service: 'ftp' }), policyChecks, {}).map((f) => f.id)).not.toContain('NET-UNEXPECTED-SERVICE');
  });
  it('CRYPTO-INVENTORY lists keys and algorithms as evidence', () => {
    const f = run(ep({ port: 22, service: 'sftp', ssh: sshFacts(FP) })).find((x) => x.id === 'CRYPTO-INVENTORY')!;
    expect(f.status).toBe('info');
    expect(f.controls).toEqual(['PCI DSS 4.0.1 12.3.3', 'PCI DSS 4.0.1 4.2.1.1']);
    expect(f.evidence.map((e) => e.value).join('\n')).toContain(FP);
  });
  it('are registered with the engine', () => {
    for (const id of ['POLICY-EXPECTED-SERVICE', 'POLICY-KEY-PIN', 'NET-UNEXPECTED-SERVICE', 'CRYPTO-INVENTORY'])
      expect(ALL_CHECKS.map((c) => c.id)).toContain(id);
  });
});

describe('--profile on the CLI', () => {
  it.each(['baseline', 'pci-dss-4.0.1', 'hipaa', 'nist-800-52r2', 'mozilla-intermediate'])(
    '%s works and lands in the report',
    async (name) => {
      const r = await runCli(['scan', '127.0.0.1:1', '--profile', name, '--format', 'json', '--timeout', '1000']);
      const report = JSON.parse(r.stdout);
      expectValidReport(report);
      expect(report.profile).toBe(name);
      expect(report.compliance.profile.id).toBe(name);
      expect(report.options.profileVersion).toBe(resolveProfile(name).version);
      expect(report.integrity.digest).toMatch(/^[0-9a-f]{64}$/);
    },
  );
  it('unknown profile → exit 1, one line', async () => {
    const r = await runCli(['scan', '127.0.0.1:1', '--profile', 'pci-dss-9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown profile "pci-dss-9"; available: baseline/);
  });
});
