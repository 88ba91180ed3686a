// The cluster checks (src/checks/cluster) over groups built by the cluster view (src/cluster/view.ts)
// from node records and virtual-address samples: one finding per difference, naming the odd node
// and both values; passes when the nodes agree; standby nodes; host keys shared across the scan.
import { describe, expect, it } from 'vitest';
import type { Finding, VipSample } from '../../../src/model.js';
import { clusterView, type NodeRecord, type SampledVip } from '../../../src/cluster/view.js';
import type { GroupPlan } from '../../../src/cluster/plan.js';
import { CHECK_IDS, CLUSTER_CHECKS } from '../../../src/checks/registry.js';
import { BUILTIN_PROFILES } from '../../../src/profiles/builtin.js';
import { profileSelection } from '../../../src/profiles/index.js';

const ep = (host: string, port: number) => ({ input: `${host}:${port}`, host, port, scheme: null, expectedService: null });
const plan = (
  name: string,
  nodes: string[],
  opts: { standby?: string[]; vip?: boolean; service?: 'sftp' | 'ftps-explicit' } = {},
): GroupPlan => ({
  name,
  service: opts.service ?? 'sftp',
  nodes: nodes.map((n) => ({ endpoint: ep(n.split(':')[0]!, Number(n.split(':')[1])), standby: opts.standby?.includes(n) ?? false })),
  vip: opts.vip
    ? {
        entry: { target: { input: 'vip:22', host: 'vip', port: 22, scheme: null }, expectedService: null, file: '', line: 0 },
        samples: 6,
        coverage: 'c',
      }
    : null,
});
const rec = (endpoint: string, facts: Record<string, string>, over: Partial<NodeRecord> = {}): NodeRecord => ({
  endpoint,
  index: 0,
  address: endpoint.split(':')[0]!,
  state: 'open',
  service: 'sftp',
  facts,
  words: {},
  hostKeys: [],
  ...over,
});
const records = (...rs: NodeRecord[]) => new Map(rs.map((r) => [r.endpoint, r]));
const samples = (...facts: Record<string, string>[]): VipSample[] =>
  facts.map((f, index) => ({ index, ok: true, outcome: null, ms: 1, facts: f, node: null }));
const vip = (s: VipSample[]): SampledVip => ({
  endpoint: 'vip:22',
  address: '10.9.9.9',
  requested: s.length,
  coverage: 'c',
  samples: s,
  error: null,
});
const judging = { checkOptions: {} };
const failing = (fs: Finding[]) => fs.filter((f) => f.status === 'fail' || f.status === 'warn');

const A = 'SHA256:aaaa';
const B = 'SHA256:bbbb';
const X = 'SHA256:xxxx';

describe('cluster checks', () => {
  it('a drifted host key: one failing finding naming the odd node and both values, with what the VIP showed', () => {
    const v = clusterView(
      [plan('sftp', ['n1:22', 'n2:22', 'n3:22'], { vip: true })],
      records(
        rec('n1:22', { 'ssh.hostkey.ssh-ed25519': A }),
        rec('n2:22', { 'ssh.hostkey.ssh-ed25519': A }),
        rec('n3:22', { 'ssh.hostkey.ssh-ed25519': B }),
      ),
      new Map([
        ['sftp', vip(samples({ 'ssh.hostkey.ssh-ed25519': A }, { 'ssh.hostkey.ssh-ed25519': B }, { 'ssh.hostkey.ssh-ed25519': A }))],
      ]),
      [],
      judging,
    )!;
    const g = v.groups[0]!;
    const bad = failing(g.findings);
    expect(bad.map((f) => f.id)).toEqual(['CLUSTER-HOSTKEY-DRIFT']);
    expect(bad[0]!.detail).toContain('n3:22');
    expect(bad[0]!.detail).toContain(A);
    expect(bad[0]!.detail).toContain(B);
    expect(bad[0]!.detail).toMatch(/SHA256:aaaa 2×, SHA256:bbbb 1×/);
    expect(bad[0]!.remediation).toMatch(/same host keys/);
    // the VIP check says it is explained, not a second failure
    expect(g.findings.find((f) => f.id === 'CLUSTER-VIP-MULTIPLE-KEYS')!.status).toBe('info');
    // n1 and n2 hold the same key: only the drifted node can be named
    expect(g.vip!.samples.map((s) => s.node)).toEqual([null, 'n3:22', null]);
  });

  it('a consistent group passes every comparison it could make', () => {
    const same = { 'ssh.hostkey.ssh-ed25519': A, software: 'SSH-2.0-OpenSSH_9.2', 'ssh.kex': 'curve25519-sha256' };
    const v = clusterView(
      [plan('sftp', ['n1:22', 'n2:22', 'n3:22'], { vip: true })],
      records(rec('n1:22', same), rec('n2:22', same), rec('n3:22', same)),
      new Map([['sftp', vip(samples({ 'ssh.hostkey.ssh-ed25519': A }, { 'ssh.hostkey.ssh-ed25519': A }))]]),
      [],
      judging,
    )!;
    const g = v.groups[0]!;
    expect(failing(g.findings)).toEqual([]);
    expect(g.findings.filter((f) => f.status === 'pass').map((f) => f.id)).toEqual([
      'CLUSTER-HOSTKEY-DRIFT',
      'CLUSTER-SSH-ALGO-DRIFT',
      'CLUSTER-SOFTWARE-DRIFT',
      'CLUSTER-VIP-MULTIPLE-KEYS',
    ]);
    expect(g.findings.some((f) => f.id === 'CLUSTER-VIP-MULTIPLE-CERTS')).toBe(false);
  });

  it('a host key only the virtual address shows (an unlisted node) fails CLUSTER-VIP-MULTIPLE-KEYS with the counts', () => {
    const v = clusterView(
      [plan('sftp', ['n1:22', 'n2:22'], { vip: true })],
      records(rec('n1:22', { 'ssh.hostkey.ssh-ed25519': A }), rec('n2:22', { 'ssh.hostkey.ssh-ed25519': A })),
      new Map([['sftp', vip(samples({ 'ssh.hostkey.ssh-ed25519': A }, { 'ssh.hostkey.ssh-ed25519': X }))]]),
      [],
      judging,
    )!;
    const bad = failing(v.groups[0]!.findings);
    expect(bad.map((f) => f.id)).toEqual(['CLUSTER-VIP-MULTIPLE-KEYS']);
    expect(bad[0]!.detail).toMatch(/no listed node/);
    expect(bad[0]!.detail).toMatch(/SHA256:xxxx 1×/);
  });

  it('standby nodes: one that answers fails, one that is closed passes; nothing is compared with one node', () => {
    const v = clusterView(
      [plan('pair', ['a:22', 'b:22'], { standby: ['b:22'] }), plan('standby c:22', ['c:22'], { standby: ['c:22'] })],
      records(rec('a:22', { software: 'S' }), rec('b:22', { software: 'S' }), rec('c:22', {}, { state: 'closed', service: null })),
      new Map(),
      [],
      judging,
    )!;
    const [pair, single] = v.groups;
    expect(pair!.findings.filter((f) => f.id === 'CLUSTER-STANDBY-ANSWERS').map((f) => [f.status, f.title])).toEqual([
      ['fail', 'A standby node answers (b:22)'],
    ]);
    expect(single!.findings.map((f) => [f.id, f.status])).toEqual([['CLUSTER-STANDBY-ANSWERS', 'pass']]);
  });

  it('HOSTKEY-SHARED warns about a key at two addresses outside one group, and passes otherwise', () => {
    const key = (fp: string) => [{ type: 'ssh-ed25519', fingerprintSha256: fp }];
    const shared = clusterView(
      [],
      new Map(),
      new Map(),
      [
        { endpoint: 'a:22', address: '10.0.0.1', group: null, hostKeys: key(A) },
        { endpoint: 'b:22', address: '10.0.0.2', group: null, hostKeys: key(A) },
      ],
      judging,
    )!;
    expect(shared.findings.map((f) => [f.id, f.status])).toEqual([['HOSTKEY-SHARED', 'warn']]);
    expect(shared.findings[0]!.detail).toMatch(/a:22, b:22/);
    expect(shared.sharedHostKeys).toHaveLength(1);
    const fine = clusterView(
      [],
      new Map(),
      new Map(),
      [
        { endpoint: 'a:22', address: '10.0.0.1', group: null, hostKeys: key(A) },
        { endpoint: 'b:22', address: '10.0.0.2', group: null, hostKeys: key(B) },
      ],
      judging,
    )!;
    expect(fine.findings.map((f) => f.status)).toEqual(['pass']);
    // one SSH endpoint, no group: no cluster section at all
    expect(
      clusterView([], new Map(), new Map(), [{ endpoint: 'a:22', address: '10.0.0.1', group: null, hostKeys: key(A) }], judging),
    ).toBeNull();
  });

  it('profiles select cluster checks and map them to controls', () => {
    const pci = BUILTIN_PROFILES.find((p) => p.id === 'pci-dss-4.0.1')!;
    const v = clusterView(
      [plan('sftp', ['n1:22', 'n2:22'])],
      records(rec('n1:22', { 'ssh.hostkey.ssh-ed25519': A }), rec('n2:22', { 'ssh.hostkey.ssh-ed25519': B })),
      new Map(),
      [],
      { checkOptions: {}, selection: profileSelection(pci) },
    )!;
    const f = v.groups[0]!.findings.find((x) => x.id === 'CLUSTER-HOSTKEY-DRIFT')!;
    expect(f.controls).toEqual(expect.arrayContaining(['PCI DSS 4.0.1 2.2.1', 'PCI DSS 4.0.1 4.2.1.1']));
    expect(v.summary.fail).toBe(1);
    for (const c of CLUSTER_CHECKS) expect(CHECK_IDS).toContain(c.id);
  });
});
