// Cluster comparison, pure: from the nodes' digests and what the virtual-address connections
// showed to typed differences (which item, which node holds which value, the majority value),
// to the values seen through the virtual address, and to host keys shared by endpoints that are
// not one group. Checks (src/checks/cluster) turn these into findings; nothing here judges.
import type { ClusterDifference, ClusterNode, ClusterValue, SharedHostKey, VipSample, VipSeen } from '../model.js';
import { itemSpec, type ItemSpec } from './cluster-facts.js';

/** Nodes whose facts take part: those that answered (a standby that answers too). */
export const comparedNodes = (nodes: readonly ClusterNode[]): ClusterNode[] =>
  nodes.filter((n) => n.state === 'open' && Object.keys(n.facts).length > 0);

/** Values by how many nodes hold them, most first (ties: first seen); the majority when one value leads. */
function rank(values: ClusterValue[]): { values: ClusterValue[]; majority: string | null } {
  const sorted = [...values].sort((a, b) => b.nodes.length - a.nodes.length);
  const [first, second] = sorted;
  const majority = first && first.nodes.length > 0 && (!second || first.nodes.length > second.nodes.length) ? first.value : null;
  return { values: sorted, majority };
}

/** The distinct values a key has across nodes, and through the virtual address. */
function valuesOf(key: string, nodes: ClusterNode[], seen: VipSeen | undefined): ClusterValue[] {
  const byValue = new Map<string, ClusterValue>();
  for (const n of nodes) {
    const v = n.facts[key];
    if (v === undefined) continue;
    // a node's PASV addresses are a set; one connection shows one of them
    for (const one of key === 'ftp.pasv.advertised' ? v.split(', ') : [v]) {
      const e = byValue.get(one) ?? { value: one, nodes: [] };
      e.nodes.push(n.endpoint);
      byValue.set(one, e);
    }
  }
  for (const s of seen?.values ?? []) {
    const e = byValue.get(s.value) ?? { value: s.value, nodes: [] };
    e.vip = s.count;
    byValue.set(s.value, e);
  }
  return [...byValue.values()];
}

/** Host keys and certificates the nodes agree on, of which the virtual address shows more than one. */
const VIP_CHECK: Partial<Record<string, string>> = {
  'CLUSTER-HOSTKEY-DRIFT': 'CLUSTER-VIP-MULTIPLE-KEYS',
  'CLUSTER-CERT-DRIFT': 'CLUSTER-VIP-MULTIPLE-CERTS',
};

/**
 * One difference per item: nodes that hold different values, or (for items not compared across
 * nodes, or a group without nodes) a value seen through the virtual address that no node holds.
 */
function differenceOf(key: string, spec: ItemSpec, nodes: ClusterNode[], seen: VipSeen | undefined): ClusterDifference | null {
  const values = valuesOf(key, nodes, seen);
  const held = values.filter((v) => v.nodes.length > 0);
  const vipOnly = values.filter((v) => v.nodes.length === 0);
  // a summary item stands for details compared elsewhere: only a value no node holds is news
  const nodesDiffer = spec.kind !== 'summary' && held.length > 1;
  const vipNews = vipOnly.length > 0 && (held.length > 0 || values.length > 1);
  if (!nodesDiffer && !vipNews) return null;
  const { values: ranked, majority } = rank(values);
  const unknown = nodes.filter((n) => n.facts[key] === undefined).map((n) => n.endpoint);
  return {
    check: nodesDiffer ? spec.check : (VIP_CHECK[spec.check] ?? spec.check),
    key,
    item: spec.item,
    values: ranked,
    majority,
    odd: held.filter((v) => v.value !== majority).flatMap((v) => v.nodes),
    ...(unknown.length ? { unknown } : {}),
  };
}

const portsOf = (v: string | undefined): number[] =>
  v
    ? v
        .split(',')
        .map(Number)
        .filter((p) => Number.isInteger(p) && p > 0 && p < 65536)
    : [];
const hull = (ports: number[]): [number, number] => [Math.min(...ports), Math.max(...ports)];
const rangeWords = ([lo, hi]: [number, number], n: number) => `${lo === hi ? lo : `${lo}-${hi}`} (${n} port(s) seen)`;

/** Fewest passive ports a node must have shown before its range is compared. */
export const MIN_PORTS_COMPARED = 3;

/**
 * Passive ranges can only be sampled: a node's ports are told apart from the others' when every
 * one of them lies farther from the others' hull than that hull is wide. Ports drawn from one
 * range almost never do (the hull of n draws spans most of the range), while nodes with disjoint
 * ranges of similar size always do. Adjacent ranges are not told apart (no difference reported).
 */
export function passiveDifference(nodes: ClusterNode[], vipPorts: number[]): ClusterDifference | null {
  const known = nodes.map((n) => ({ n, ports: portsOf(n.facts['ftp.pasv.ports']) })).filter((x) => x.ports.length >= MIN_PORTS_COMPARED);
  if (known.length < 2) return null;
  const apart = known.filter((x) => {
    const others = known.filter((y) => y !== x).flatMap((y) => y.ports);
    const [lo, hi] = hull(others);
    const w = hi - lo;
    return x.ports.every((p) => p < lo - w || p > hi + w);
  });
  if (apart.length === 0) return null;
  const groups = [...apart.map((x) => [x]), known.filter((x) => !apart.includes(x))].filter((g) => g.length > 0);
  const values: ClusterValue[] = groups.map((g) => {
    const ports = g.flatMap((x) => x.ports);
    const h = hull(ports);
    const vip = vipPorts.filter((p) => p >= h[0] && p <= h[1]).length;
    return { value: rangeWords(h, new Set(ports).size), nodes: g.map((x) => x.n.endpoint), ...(vipPorts.length ? { vip } : {}) };
  });
  const { values: ranked, majority } = rank(values);
  const unknown = nodes.filter((n) => !known.some((k) => k.n === n)).map((n) => n.endpoint);
  return {
    check: 'CLUSTER-PASV-DRIFT',
    key: 'ftp.pasv.ports',
    item: 'passive port range',
    values: ranked,
    majority,
    odd: ranked.filter((v) => v.value !== majority).flatMap((v) => v.nodes),
    ...(unknown.length ? { unknown } : {}),
  };
}

/** Every difference between the nodes, and what the virtual address showed that no node holds. */
export function compareCluster(nodes: readonly ClusterNode[], seen: readonly VipSeen[]): ClusterDifference[] {
  const compared = comparedNodes(nodes);
  const keys = new Set([...compared.flatMap((n) => Object.keys(n.facts)), ...seen.map((s) => s.key)]);
  const out: ClusterDifference[] = [];
  for (const key of [...keys].sort()) {
    const spec = itemSpec(key);
    if (!spec || spec.kind === 'ports' || key === 'ftp.pasv.port') continue;
    const d = differenceOf(
      key,
      spec,
      compared,
      seen.find((s) => s.key === key),
    );
    if (d) out.push(d);
  }
  const vipPorts = (seen.find((s) => s.key === 'ftp.pasv.port')?.values ?? []).flatMap((v) => Array<number>(v.count).fill(Number(v.value)));
  const ports = passiveDifference(compared, vipPorts);
  if (ports) out.push(ports);
  return out;
}

/** Whether a node's facts agree with everything a connection showed that the node has too. */
function matches(n: ClusterNode, s: VipSample): boolean {
  let shared = 0;
  for (const [k, v] of Object.entries(s.facts)) {
    const mine = n.facts[k];
    if (mine === undefined) continue;
    // a node's PASV addresses are a set; one connection shows one of them
    if (k === 'ftp.pasv.advertised' ? !mine.split(', ').includes(v) : mine !== v) return false;
    shared++;
  }
  return shared > 0;
}

/** Each connection's node: the one node whose facts match what it showed (null: none, or several). */
export function attributeSamples(samples: readonly VipSample[], nodes: readonly ClusterNode[]): VipSample[] {
  const compared = comparedNodes(nodes);
  return samples.map((s) => {
    const m = s.ok ? compared.filter((n) => matches(n, s)) : [];
    return { ...s, node: m.length === 1 ? m[0]!.endpoint : null };
  });
}

/** Per item, the distinct values the connections showed, how often, and which nodes hold each. */
export function vipSeen(samples: readonly VipSample[], nodes: readonly ClusterNode[]): VipSeen[] {
  const counts = new Map<string, Map<string, number>>();
  for (const s of samples)
    for (const [k, v] of Object.entries(s.facts)) {
      const m = counts.get(k) ?? new Map<string, number>();
      m.set(v, (m.get(v) ?? 0) + 1);
      counts.set(k, m);
    }
  const compared = comparedNodes(nodes);
  return [...counts.entries()]
    .filter(([k]) => itemSpec(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, m]) => ({
      key,
      item: itemSpec(key)!.item,
      values: [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([value, count]) => ({
          value,
          count,
          nodes: compared
            .filter((n) => (key === 'ftp.pasv.advertised' ? n.facts[key]?.split(', ').includes(value) : n.facts[key] === value))
            .map((n) => n.endpoint),
        })),
    }));
}

export interface KeyHolder {
  endpoint: string;
  address: string | null;
  group: string | null;
  hostKeys: readonly { type: string; fingerprintSha256: string }[];
}

/**
 * Host keys presented at more than one address by endpoints that are not all nodes of one group:
 * cloned machines (or one machine with several addresses). Endpoints at one address are one
 * machine and may share keys (sshd on 22 and 2222).
 */
export function sharedHostKeys(holders: readonly KeyHolder[]): SharedHostKey[] {
  const byKey = new Map<string, { type: string; holders: KeyHolder[] }>();
  for (const h of holders)
    for (const k of h.hostKeys) {
      const e = byKey.get(k.fingerprintSha256) ?? { type: k.type, holders: [] };
      if (!e.holders.includes(h)) e.holders.push(h);
      byKey.set(k.fingerprintSha256, e);
    }
  const out: SharedHostKey[] = [];
  for (const [fp, e] of byKey) {
    const addresses = [...new Set(e.holders.map((h) => h.address ?? h.endpoint))];
    const groups = [...new Set(e.holders.map((h) => h.group).filter((g): g is string => g !== null))];
    const oneGroup = groups.length === 1 && e.holders.every((h) => h.group === groups[0]);
    if (addresses.length < 2 || oneGroup) continue;
    // sorted: the same scan twice says the same, whatever order the endpoints finished in
    out.push({
      type: e.type,
      fingerprintSha256: fp,
      endpoints: e.holders.map((h) => h.endpoint).sort(),
      addresses: addresses.sort(),
      groups: groups.sort(),
    });
  }
  return out.sort((a, b) => a.type.localeCompare(b.type) || a.fingerprintSha256.localeCompare(b.fingerprintSha256));
}
