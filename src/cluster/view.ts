// The cluster section of a report, from what the scan gathered: each group's nodes (their
// digests), what its virtual address showed, the differences (src/derive/cluster.ts) and the
// findings of the cluster checks; and host keys shared across the scan. Pure.
import type { ClusterGroup, ClusterNode, ClusterView, ClusterVip, EndpointReport, PortState, Service } from '../model.js';
import { attributeSamples, compareCluster, sharedHostKeys, vipSeen, type KeyHolder } from '../derive/cluster.js';
import { nodeFacts } from '../derive/cluster-facts.js';
import { runClusterChecks, type CheckOptions, type ProfileSelection } from '../checks/engine.js';
import { CLUSTER_CHECKS } from '../checks/registry.js';
import { clusterFindings, emptySummary, tally } from '../knowledge/summary.js';
import { endpointName } from '../knowledge/services.js';
import type { GroupPlan } from './plan.js';
import type { VipSampled } from './sample.js';

/** What the cluster section keeps of a finished endpoint (a few hundred bytes; the endpoint itself may be streamed away). */
export interface NodeRecord {
  endpoint: string;
  index: number;
  address: string | null;
  state: PortState;
  service: Service | null;
  facts: Record<string, string>;
  words: Record<string, string>;
  hostKeys: { type: string; fingerprintSha256: string }[];
}

export function nodeRecord(ep: EndpointReport, index: number): NodeRecord {
  const { facts, words } = nodeFacts(ep);
  return {
    endpoint: endpointName(ep),
    index,
    address: ep.address,
    state: ep.state,
    service: ep.service,
    facts,
    words,
    hostKeys: (ep.ssh?.hostKeys ?? []).map((k) => ({ type: k.type, fingerprintSha256: k.fingerprintSha256 })),
  };
}

export interface SampledVip extends VipSampled {
  endpoint: string;
  address: string | null;
  requested: number;
  coverage: string;
}

function groupView(g: GroupPlan, records: Map<string, NodeRecord>, sampled: SampledVip | null): Omit<ClusterGroup, 'findings'> {
  const descriptions: Record<string, string> = {};
  const nodes: ClusterNode[] = g.nodes.map((n) => {
    const name = endpointName(n.endpoint);
    const r = records.get(name);
    if (r) Object.assign(descriptions, r.words);
    return {
      endpoint: name,
      address: r?.address ?? null,
      standby: n.standby,
      state: r?.state ?? 'unreachable',
      service: r?.service ?? null,
      endpointIndex: r ? r.index : null,
      facts: r?.facts ?? {},
    };
  });
  let vip: ClusterVip | null = null;
  if (sampled) {
    const samples = attributeSamples(sampled.samples, nodes);
    vip = {
      endpoint: sampled.endpoint,
      address: sampled.address,
      requested: sampled.requested,
      coverage: sampled.coverage,
      samples,
      seen: vipSeen(samples, nodes),
      ...(sampled.error ? { error: sampled.error } : {}),
    };
  }
  return {
    name: g.name,
    service: g.service,
    nodes,
    vip,
    differences: compareCluster(nodes, vip?.seen ?? []),
    ...(Object.keys(descriptions).length ? { descriptions } : {}),
  };
}

export interface ClusterJudging {
  checkOptions: CheckOptions;
  selection?: ProfileSelection;
}

/** The group-scope cluster checks over one group's view. */
function groupFindings(v: Omit<ClusterGroup, 'findings'>, judging: ClusterJudging) {
  return runClusterChecks(
    { group: { ...v, findings: [] }, shared: null, options: judging.checkOptions },
    CLUSTER_CHECKS,
    judging.selection,
  );
}

/** The cluster section; null when the scan had no group and no two SSH endpoints at different addresses. */
export function clusterView(
  groups: GroupPlan[],
  records: Map<string, NodeRecord>,
  sampled: Map<string, SampledVip>,
  holders: KeyHolder[],
  judging: ClusterJudging,
): ClusterView | null {
  const views: ClusterGroup[] = groups.map((g) => {
    const v = groupView(g, records, sampled.get(g.name) ?? null);
    return { ...v, findings: groupFindings(v, judging) };
  });
  const withKeys = holders.filter((h) => h.hostKeys.length > 0);
  const addresses = new Set(withKeys.map((h) => h.address ?? h.endpoint)).size;
  const shared = sharedHostKeys(withKeys);
  const findings = runClusterChecks(
    { group: null, shared: { keys: shared, endpoints: withKeys.length, addresses }, options: judging.checkOptions },
    CLUSTER_CHECKS,
    judging.selection,
  );
  if (views.length === 0 && findings.length === 0) return null;
  const summary = tally(emptySummary(), clusterFindings({ groups: views, findings }));
  return { groups: views, sharedHostKeys: shared, findings, summary };
}

/** Host-key holders of finished endpoints, with the group each belongs to. */
export function keyHolders(endpoints: readonly EndpointReport[], groups: readonly Pick<ClusterGroup, 'name' | 'nodes'>[]): KeyHolder[] {
  const groupOf = new Map<string, string>();
  for (const g of groups) for (const n of g.nodes) if (!groupOf.has(n.endpoint)) groupOf.set(n.endpoint, g.name);
  return endpoints
    .filter((ep) => ep.ssh?.hostKeys.length)
    .map((ep) => ({
      endpoint: endpointName(ep),
      address: ep.address,
      group: groupOf.get(endpointName(ep)) ?? null,
      hostKeys: ep.ssh!.hostKeys,
    }));
}

/**
 * The cluster sections of several reports (shards) as one: groups by name (a later report's
 * wins), node indexes pointed at the merged endpoints, and host keys shared across all of them
 * judged anew.
 */
export function mergeClusterViews(
  views: readonly ClusterView[],
  endpoints: readonly EndpointReport[],
  judging: ClusterJudging,
): ClusterView | null {
  const byName = new Map<string, ClusterGroup>();
  for (const v of views) for (const g of v.groups) byName.set(g.name, g);
  const index = new Map(endpoints.map((ep, i) => [endpointName(ep), i]));
  const groups = [...byName.values()].map((g) => ({
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, endpointIndex: index.get(n.endpoint) ?? null })),
  }));
  const holders = keyHolders(endpoints, groups);
  const addresses = new Set(holders.map((h) => h.address ?? h.endpoint)).size;
  const shared = sharedHostKeys(holders);
  const findings = runClusterChecks(
    { group: null, shared: { keys: shared, endpoints: holders.length, addresses }, options: judging.checkOptions },
    CLUSTER_CHECKS,
    judging.selection,
  );
  if (groups.length === 0 && findings.length === 0) return null;
  return { groups, sharedHostKeys: shared, findings, summary: tally(emptySummary(), clusterFindings({ groups, findings })) };
}

/** A saved cluster section judged again (xferscan judge): each group's checks and the shared host keys, under `judging`. */
export function rejudgeClusterView(view: ClusterView, endpoints: readonly EndpointReport[], judging: ClusterJudging): ClusterView | null {
  const groups = view.groups.map(({ findings: _old, ...g }) => ({ ...g, findings: groupFindings(g, judging) }));
  return mergeClusterViews([{ ...view, groups }], endpoints, judging);
}
