// Groups in the inventory (src/fleet/targets-file.ts: `groups:` in YAML/JSON, group/role columns
// in CSV) and the plan of a scan's groups (src/cluster/plan.ts), --expect-standby included.
import { describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../../src/fleet/targets-file.js';
import { expandInventory } from '../../../src/fleet/inventory.js';
import { planGroups } from '../../../src/cluster/plan.js';
import { inShard } from '../../../src/fleet/shard.js';
import { UsageError } from '../../../src/targets.js';

const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toMatch(/\n/);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

const YAML = `targets:
  - host: other.example.com
    port: 22
groups:
  - name: partner-sftp
    service: sftp
    vip: sftp.example.com
    nodes: [10.0.0.1, "10.0.0.2:2222", 10.0.0.3]
    standby: [10.0.0.3]
    user: partner
    passwordEnv: PARTNER_PW
  - name: ftps
    vip: ftpes://files.example.com
    samples: 30
`;

describe('groups in the inventory', () => {
  it('YAML groups: name, service, vip, nodes, standby, samples and credentials become entries of the group', () => {
    const es = parseTargetsFile(YAML, 'inv.yaml');
    expect(es.map((e) => [e.target.host, e.target.port, e.group ?? null, e.role ?? null, e.line])).toEqual([
      ['other.example.com', 22, null, null, 2],
      ['10.0.0.1', 22, 'partner-sftp', 'node', 5],
      ['10.0.0.2', 2222, 'partner-sftp', 'node', 5],
      ['10.0.0.3', 22, 'partner-sftp', 'standby', 5],
      ['sftp.example.com', 22, 'partner-sftp', 'vip', 5],
      ['files.example.com', 21, 'ftps', 'vip', 12],
    ]);
    expect(es[1]).toMatchObject({ user: 'partner', passwordEnv: 'PARTNER_PW', expectedService: 'sftp' });
    expect(es[5]).toMatchObject({ samples: 30, expectedService: 'ftps-explicit' });
  });

  it('JSON groups, with their lines', () => {
    const text = `{
  "groups": [
    {"name": "g", "nodes": ["sftp://a:22", "sftp://b:22"]}
  ]
}`;
    const es = parseTargetsFile(text, 'inv.json');
    expect(es.map((e) => [e.target.host, e.role, e.line])).toEqual([
      ['a', 'node', 3],
      ['b', 'node', 3],
    ]);
  });

  it('CSV group and role columns', () => {
    const text =
      'host,port,service,group,role,samples\n10.0.0.1,22,sftp,g,,\n10.0.0.2,22,sftp,g,standby,\nvip.example.com,22,sftp,g,vip,9\n';
    const es = parseTargetsFile(text, 'inv.csv');
    expect(es.map((e) => [e.target.host, e.group, e.role, e.samples ?? null])).toEqual([
      ['10.0.0.1', 'g', 'node', null],
      ['10.0.0.2', 'g', 'standby', null],
      ['vip.example.com', 'g', 'vip', 9],
    ]);
  });

  it.each([
    ['groups:\n  - nodes: [a:22]\n', /inv\.yaml:2: a group needs a name/],
    ['groups:\n  - name: g\n', /group g names no nodes and no vip/],
    ['groups:\n  - name: g\n    nodes: [a]\n', /"a" in group g needs a port/],
    ['groups:\n  - name: g\n    nodes: [a:22]\n    password: x\n', /a literal password/],
    ['groups:\n  - name: g\n    nodes: [a:22]\n    members: [b:22]\n', /unknown group field "members"/],
    ['groups:\n  - name: g\n    nodes: [5]\n', /nodes must list host:port strings/],
    ['groups:\n  - name: "a b"\n    nodes: [a:22]\n', /group "a b": use letters/],
    ['groups:\n  - name: g\n    vip: v:22\n    samples: 0\n', /samples must be a whole number from 1 to 500/],
    ['groups: x\n', /"groups:" must hold a list/],
  ])('rejects %j', (text, re) => {
    expect(err(() => parseTargetsFile(text, 'inv.yaml'))).toMatch(re);
  });

  it('rejects role without group, and unknown roles', () => {
    expect(err(() => parseTargetsFile('host,port,role\na,22,node\n', 'i.csv'))).toMatch(/i\.csv:2: role given without group/);
    expect(err(() => parseTargetsFile('host,port,group,role\na,22,g,primary\n', 'i.csv'))).toMatch(/unknown role "primary"/);
  });
});

describe('planGroups', () => {
  const es = parseTargetsFile(YAML, 'inv.yaml');
  const inv = expandInventory(es, [22]);

  it('a virtual address is sampled, never scanned as an endpoint', () => {
    expect(inv.endpoints.map((e) => `${e.host}:${e.port}`)).toEqual([
      'other.example.com:22',
      '10.0.0.1:22',
      '10.0.0.2:2222',
      '10.0.0.3:22',
    ]);
  });

  it('nodes, standby, the vip and the default number of connections with its reason', () => {
    const [g, f] = planGroups(es, inv.endpoints, [], null);
    expect(g!.name).toBe('partner-sftp');
    expect(g!.service).toBe('sftp');
    expect(g!.nodes.map((n) => [n.endpoint.host, n.standby])).toEqual([
      ['10.0.0.1', false],
      ['10.0.0.2', false],
      ['10.0.0.3', true],
    ]);
    expect(g!.vip!.samples).toBe(15);
    expect(g!.vip!.coverage).toMatch(/15 connections reach each of 3 nodes .* 99\.\d\d%/);
    expect(f!.vip!.samples).toBe(30);
    expect(planGroups(es, inv.endpoints, [], 4)[1]!.vip!.samples).toBe(4);
  });

  it('--expect-standby marks a group node, or makes a group of an ungrouped endpoint, and refuses an unknown one', () => {
    const gs = planGroups(es, inv.endpoints, ['10.0.0.1:22', 'other.example.com:22'], null);
    expect(gs[0]!.nodes.find((n) => n.endpoint.host === '10.0.0.1')!.standby).toBe(true);
    expect(gs.at(-1)).toMatchObject({ name: 'standby other.example.com:22', nodes: [{ standby: true }] });
    expect(err(() => planGroups(es, inv.endpoints, ['10.9.9.9:22'], null))).toMatch(
      /--expect-standby 10\.9\.9\.9:22: not one of the endpoints scanned/,
    );
    expect(err(() => planGroups(es, inv.endpoints, ['10.0.0.1'], null))).toMatch(/name the node as host:port/);
  });

  it('shards keep a group together, and only the shard that owns a group samples its virtual address', () => {
    const shards = [1, 2, 3].map((index) => inShard(inv.endpoints, { index, count: 3 }, (e) => inv.entryOf.get(e)?.group ?? null));
    const holding = shards.map((s) => s.filter((e) => e.host.startsWith('10.')).length);
    expect(holding.sort()).toEqual([0, 0, 3]);
  });
});
