// The cluster comparison (src/derive/cluster.ts, src/derive/cluster-facts.ts) and the coverage
// math (src/knowledge/coverage.ts): pure functions, table-driven.
import { describe, expect, it } from 'vitest';
import type { ClusterNode, EndpointReport, VipSample } from '../../../src/model.js';
import { attributeSamples, compareCluster, passiveDifference, sharedHostKeys, vipSeen } from '../../../src/derive/cluster.js';
import { nodeFacts, setValue } from '../../../src/derive/cluster-facts.js';
import { coverageProbability, defaultSamples, samplesForCoverage } from '../../../src/knowledge/coverage.js';
import { emptyEndpoint } from '../../../src/scan.js';

const node = (endpoint: string, facts: Record<string, string>, over: Partial<ClusterNode> = {}): ClusterNode => ({
  endpoint,
  address: endpoint.split(':')[0]!,
  standby: false,
  state: 'open',
  service: 'sftp',
  endpointIndex: null,
  facts,
  ...over,
});
const sample = (index: number, facts: Record<string, string>, ok = true): VipSample => ({
  index,
  ok,
  outcome: null,
  ms: 1,
  facts,
  node: null,
});

const A = 'SHA256:aaaa';
const B = 'SHA256:bbbb';

describe('compareCluster', () => {
  it('reports each differing item once, naming the odd node, both values and the majority', () => {
    const nodes = [
      node('n1:22', { 'ssh.hostkey.ssh-ed25519': A, 'ssh.hostkey.ssh-rsa': 'R', software: 'SSH-2.0-OpenSSH_9.2' }),
      node('n2:22', { 'ssh.hostkey.ssh-ed25519': A, 'ssh.hostkey.ssh-rsa': 'R', software: 'SSH-2.0-OpenSSH_9.2' }),
      node('n3:22', { 'ssh.hostkey.ssh-ed25519': B, 'ssh.hostkey.ssh-rsa': 'R', software: 'SSH-2.0-OpenSSH_8.4' }),
    ];
    const diffs = compareCluster(nodes, []);
    expect(diffs.map((d) => [d.check, d.item, d.majority, d.odd])).toEqual([
      ['CLUSTER-SOFTWARE-DRIFT', 'server software', 'SSH-2.0-OpenSSH_9.2', ['n3:22']],
      ['CLUSTER-HOSTKEY-DRIFT', 'ssh-ed25519 host key', A, ['n3:22']],
    ]);
    expect(diffs[1]!.values).toEqual([
      { value: A, nodes: ['n1:22', 'n2:22'] },
      { value: B, nodes: ['n3:22'] },
    ]);
  });

  it('says there is no majority when the nodes split evenly', () => {
    const [d] = compareCluster([node('n1:22', { 'tls.cert': A }), node('n2:22', { 'tls.cert': B })], []);
    expect(d!.majority).toBeNull();
    expect(d!.odd.sort()).toEqual(['n1:22', 'n2:22']);
  });

  it('ignores nodes that did not answer, items not learnt, and summary items the details cover', () => {
    const nodes = [
      node('n1:22', { 'tls.versions': setValue(['TLSv1.2']), 'tls.negotiated': 'TLSv1.2 X' }),
      node('n2:22', { 'tls.versions': setValue(['TLSv1.2']), 'tls.negotiated': 'TLSv1.3 Y' }),
      node('n3:22', {}, { state: 'closed' }),
      node('n4:22', { 'tls.versions': setValue(['TLSv1.0', 'TLSv1.2']) }, { state: 'closed' }),
    ];
    expect(compareCluster(nodes, [])).toEqual([]);
  });

  it('adds how often the virtual address showed each value, and a value no node holds', () => {
    const nodes = [node('n1:22', { 'ssh.hostkey.ssh-ed25519': A }), node('n2:22', { 'ssh.hostkey.ssh-ed25519': A })];
    const seen = vipSeen(
      [
        sample(0, { 'ssh.hostkey.ssh-ed25519': A }),
        sample(1, { 'ssh.hostkey.ssh-ed25519': B }),
        sample(2, { 'ssh.hostkey.ssh-ed25519': A }),
      ],
      nodes,
    );
    const [d] = compareCluster(nodes, seen);
    // the nodes agree: a key only the virtual address shows is a VIP finding, not node drift
    expect(d!.check).toBe('CLUSTER-VIP-MULTIPLE-KEYS');
    expect(d!.values).toEqual([
      { value: A, nodes: ['n1:22', 'n2:22'], vip: 2 },
      { value: B, nodes: [], vip: 1 },
    ]);
  });

  it('a group with only a virtual address: more than one value of an item is a difference', () => {
    const seen = vipSeen([sample(0, { 'tls.cert': A }), sample(1, { 'tls.cert': B })], []);
    expect(compareCluster([], seen).map((d) => d.check)).toEqual(['CLUSTER-VIP-MULTIPLE-CERTS']);
    expect(compareCluster([], vipSeen([sample(0, { 'tls.cert': A })], []))).toEqual([]);
  });
});

describe('passiveDifference', () => {
  const ports = (lo: number, n: number, step = 3) => Array.from({ length: n }, (_, i) => lo + ((i * step) % 20)).join(',');
  it.each([
    ['disjoint ranges of one size', ports(25200, 6), ports(25200, 6), ports(25300, 6), ['n3:21']],
    ['one range sampled thrice', ports(25200, 6), ports(25201, 6, 7), ports(25202, 6, 5), null],
    ['adjacent ranges cannot be told apart', ports(25200, 6), ports(25200, 6), ports(25220, 6), null],
  ])('%s', (_label, a, b, c, odd) => {
    const nodes = [node('n1:21', { 'ftp.pasv.ports': a }), node('n2:21', { 'ftp.pasv.ports': b }), node('n3:21', { 'ftp.pasv.ports': c })];
    const d = passiveDifference(nodes, []);
    expect(d?.odd ?? null).toEqual(odd);
  });
  it('needs three ports per node', () => {
    expect(
      passiveDifference([node('a:21', { 'ftp.pasv.ports': '1000,1001' }), node('b:21', { 'ftp.pasv.ports': '5000,5001,5002' })], []),
    ).toBeNull();
  });
  it('counts the passive ports the virtual address showed inside each range', () => {
    const nodes = [
      node('n1:21', { 'ftp.pasv.ports': '100,105,110' }),
      node('n2:21', { 'ftp.pasv.ports': '101,106,111' }),
      node('n3:21', { 'ftp.pasv.ports': '500,505,510' }),
    ];
    const d = passiveDifference(nodes, [100, 102, 507]);
    expect(d!.values.map((v) => [v.value, v.vip])).toEqual([
      ['100-111 (6 port(s) seen)', 2],
      ['500-510 (3 port(s) seen)', 1],
    ]);
  });
});

describe('attributeSamples and vipSeen', () => {
  const nodes = [
    node('n1:22', { 'ssh.hostkey.ssh-ed25519': A, software: 'S' }),
    node('n2:22', { 'ssh.hostkey.ssh-ed25519': B, software: 'S' }),
  ];
  it('names the one node a connection matches; none when several or none do', () => {
    const s = attributeSamples(
      [sample(0, { 'ssh.hostkey.ssh-ed25519': B, software: 'S' }), sample(1, { software: 'S' }), sample(2, { software: 'T' })],
      nodes,
    );
    expect(s.map((x) => x.node)).toEqual(['n2:22', null, null]);
  });
  it('counts values and names their holders; a PASV address matches a node that advertises it among others', () => {
    const seen = vipSeen(
      [sample(0, { 'ftp.pasv.advertised': '10.0.0.2' }), sample(1, { 'ftp.pasv.advertised': '10.0.0.2' })],
      [node('n1:21', { 'ftp.pasv.advertised': '10.0.0.1, 10.0.0.2' })],
    );
    expect(seen).toEqual([
      { key: 'ftp.pasv.advertised', item: 'address in PASV replies', values: [{ value: '10.0.0.2', count: 2, nodes: ['n1:21'] }] },
    ]);
  });
});

describe('sharedHostKeys', () => {
  const h = (endpoint: string, address: string, group: string | null, fp: string) => ({
    endpoint,
    address,
    group,
    hostKeys: [{ type: 'ssh-ed25519', fingerprintSha256: fp }],
  });
  it.each([
    ['two unrelated addresses', [h('a:22', '10.0.0.1', null, A), h('b:22', '10.0.0.2', null, A)], 1],
    ['one machine, two ports', [h('a:22', '10.0.0.1', null, A), h('a:2222', '10.0.0.1', null, A)], 0],
    ['nodes of one group', [h('a:22', '10.0.0.1', 'g', A), h('b:22', '10.0.0.2', 'g', A)], 0],
    ['a group node and an outsider', [h('a:22', '10.0.0.1', 'g', A), h('c:22', '10.0.0.3', null, A)], 1],
    ['nodes of two groups', [h('a:22', '10.0.0.1', 'g', A), h('b:22', '10.0.0.2', 'h', A)], 1],
    ['different keys', [h('a:22', '10.0.0.1', null, A), h('b:22', '10.0.0.2', null, B)], 0],
  ])('%s', (_l, holders, n) => {
    expect(sharedHostKeys(holders)).toHaveLength(n as number);
  });
});

describe('nodeFacts', () => {
  it('reads host keys, algorithms, certificate, TLS, PASV and login facts into item keys', () => {
    const ep: EndpointReport = {
      ...emptyEndpoint({ input: 'x', host: '10.0.0.1', port: 21, scheme: null, expectedService: null }),
      address: '10.0.0.1',
      state: 'open',
      service: 'ftps-explicit',
      tls: {
        protocols: { 'TLSv1.2': true, 'TLSv1.0': false },
        cipherSuites: { 'TLSv1.2': ['B', 'A'] },
        serverPreference: null,
        groups: [],
        certificate: {
          subject: 'CN=x',
          issuer: 'CN=x',
          notBefore: '2025-01-01T00:00:00Z',
          notAfter: '2026-01-01T00:00:00Z',
          subjectAltNames: [],
          keyType: 'RSA',
          keyBits: 2048,
          signatureAlgorithm: 'sha256WithRSAEncryption',
          selfSigned: true,
          fingerprintSha256: 'AA:BB',
        },
        chain: [],
      },
      ftp: {
        greeting: ['220 (vsFTPd 3.0.3)'],
        features: [' EPSV', 'PASV '],
        authTls: true,
        authSsl: false,
        pbsz: null,
        protP: null,
        protC: null,
        ccc: null,
        cleartextLogin: false,
        anonymousLogin: null,
        sessionReuseRequired: null,
        dataChannels: [],
        passivePortsSeen: [40002, 40001],
        passiveSamples: [{ command: 'PASV', advertisedAddress: '10.0.0.1', port: 40001, reachable: null, reply: '', channel: 'tls' }],
      },
    };
    const { facts, words } = nodeFacts(ep);
    expect(facts).toEqual({
      software: 'vsftpd 3.0.3',
      greeting: '220 (vsFTPd 3.0.3)',
      'tls.cert': 'AA:BB',
      'tls.versions': 'TLSv1.2',
      'tls.suites.TLSv1.2': 'A, B',
      'ftp.features': 'EPSV, PASV',
      'ftp.auth': 'AUTH TLS accepted, AUTH SSL refused',
      'ftp.cleartextLogin': 'refused',
      'ftp.pasv.advertised': '10.0.0.1',
      'ftp.pasv.address': 'its own address',
      'ftp.pasv.ports': '40001,40002',
    });
    expect(words['AA:BB']).toBe('CN=x, RSA 2048, valid 2025-01-01 to 2026-01-01');
    expect(nodeFacts({ ...ep, state: 'closed' }).facts).toEqual({});
  });
});

describe('coverage', () => {
  it('matches the closed form for small cases', () => {
    expect(coverageProbability(1, 1)).toBe(1);
    expect(coverageProbability(2, 2)).toBeCloseTo(0.5, 12);
    expect(coverageProbability(3, 3)).toBeCloseTo(6 / 27, 12);
    expect(coverageProbability(3, 2)).toBe(0);
  });
  it('agrees with a simulation', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const trials = 20000;
    let all = 0;
    for (let t = 0; t < trials; t++) {
      const seen = new Set<number>();
      for (let i = 0; i < 10; i++) seen.add(Math.floor(rnd() * 4));
      if (seen.size === 4) all++;
    }
    expect(Math.abs(all / trials - coverageProbability(4, 10))).toBeLessThan(0.015);
  });
  it.each([
    [1, 15],
    [2, 15],
    [3, 15],
    [4, 21],
    [5, 28],
  ])('the default for %i listed node(s) is %i connections (≥ 99%)', (nodes, n) => {
    expect(defaultSamples(nodes).samples).toBe(n);
    expect(coverageProbability(Math.max(3, nodes), n)).toBeGreaterThanOrEqual(0.99);
    expect(coverageProbability(Math.max(3, nodes), n - 1)).toBeLessThan(0.99);
  });
  it('is monotone', () => {
    for (let k = 1; k < 8; k++) expect(samplesForCoverage(k + 1)).toBeGreaterThanOrEqual(samplesForCoverage(k));
  });
});
