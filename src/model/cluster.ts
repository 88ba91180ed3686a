// Clusters: one service on several nodes (a group of the inventory), optionally behind a virtual
// address. The facts are each node's digest (what the comparison reads, derived from its endpoint
// facts) and what N connections through the virtual address showed; the differences and findings
// are derived from them (src/derive/cluster.ts, src/checks/cluster).
import Type, { type Static } from 'typebox';
import { Bool, Count, List, Opt, Str, StrList, dictionary, nullable, obj } from './util.js';
import { ConnectionOutcomeSchema, FindingSchema, PortStateSchema, ServiceSchema } from './common.js';
import { SummarySchema } from './views.js';

/** Item key → value: the facts a comparison reads. An item the scan did not learn is absent. */
const Facts = (description: string) => dictionary(Str(), description);

export const ClusterNodeSchema = obj({
  endpoint: Str('"host:port" of the node'),
  address: nullable(Str('the address connected to')),
  standby: Bool('expected to be closed or filtered now (--expect-standby or the inventory)'),
  state: PortStateSchema,
  service: nullable(ServiceSchema),
  endpointIndex: nullable(Count('the node in report.endpoints; null when the report does not keep endpoints (NDJSON)')),
  facts: Facts('what the comparison reads, by item key (e.g. "ssh.hostkey.ssh-ed25519"); an item the scan did not learn is absent'),
});
export type ClusterNode = Static<typeof ClusterNodeSchema>;

export const VipSampleSchema = obj({
  index: Count(),
  ok: Bool('the connection got as far as the facts it was opened for'),
  outcome: nullable(ConnectionOutcomeSchema),
  ms: Type.Number({ description: 'how long the connection took' }),
  facts: Facts('what this connection showed, by the same item keys as the nodes'),
  node: nullable(Str('the one node whose facts match everything this connection showed; null when none or several do')),
  error: Opt(Str()),
});
export type VipSample = Static<typeof VipSampleSchema>;

export const VipSeenSchema = obj({
  key: Str(),
  item: Str(),
  values: List(obj({ value: Str(), count: Count(), nodes: StrList('nodes that hold this value') })),
});
export type VipSeen = Static<typeof VipSeenSchema>;

export const ClusterVipSchema = obj(
  {
    endpoint: Str('"host:port" partners connect to'),
    address: nullable(Str()),
    requested: Count('connections asked for'),
    coverage: Str('why that many: the probability of seeing every node'),
    samples: List(VipSampleSchema),
    seen: List(VipSeenSchema, { description: 'per item, the distinct values the connections showed and how often' }),
    error: Opt(nullable(Str('why the virtual address could not be sampled'))),
  },
  'what connections through the virtual address showed',
);
export type ClusterVip = Static<typeof ClusterVipSchema>;

export const ClusterValueSchema = obj({
  value: Str(),
  nodes: StrList('nodes ("host:port") that hold this value'),
  vip: Opt(Count('connections through the virtual address that showed it')),
});
export type ClusterValue = Static<typeof ClusterValueSchema>;

export const ClusterDifferenceSchema = obj({
  check: Str('the check that reports it, e.g. CLUSTER-HOSTKEY-DRIFT'),
  key: Str('item key, e.g. "ssh.hostkey.ssh-ed25519"'),
  item: Str('what differs, in words'),
  values: List(ClusterValueSchema),
  majority: nullable(Str('the value held by more nodes than any other; null when none is')),
  odd: StrList('the nodes that do not hold the majority value (every node when there is none)'),
  unknown: Opt(StrList('nodes whose value for this item the scan did not learn')),
});
export type ClusterDifference = Static<typeof ClusterDifferenceSchema>;

export const ClusterGroupSchema = obj({
  name: Str('the service the group names'),
  service: nullable(ServiceSchema),
  nodes: List(ClusterNodeSchema),
  vip: nullable(ClusterVipSchema),
  differences: List(ClusterDifferenceSchema),
  descriptions: Opt(dictionary(Str(), 'values in words, e.g. a certificate fingerprint → its subject and expiry')),
  findings: List(FindingSchema),
});
export type ClusterGroup = Static<typeof ClusterGroupSchema>;

export const SharedHostKeySchema = obj({
  type: Str(),
  fingerprintSha256: Str(),
  endpoints: StrList('the endpoints ("host:port") that presented it'),
  addresses: StrList('their distinct addresses'),
  groups: StrList('the groups those endpoints belong to'),
});
export type SharedHostKey = Static<typeof SharedHostKeySchema>;

export const ClusterViewSchema = obj(
  {
    groups: List(ClusterGroupSchema),
    sharedHostKeys: List(SharedHostKeySchema, {
      description: 'SSH host keys presented at more than one address by endpoints that are not all in one group',
    }),
    findings: List(FindingSchema, { description: 'findings across the whole scan (HOSTKEY-SHARED)' }),
    summary: SummarySchema,
  },
  'consistency across the nodes of each group and through its virtual address; host keys shared across the scan',
);
export type ClusterView = Static<typeof ClusterViewSchema>;
