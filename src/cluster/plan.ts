// The groups of a scan, from the inventory (entries with `group`/`role`, or `groups:`) and
// --expect-standby: each group's nodes among the scan's endpoints, which of them should be
// standby now, and its virtual address with how many connections to sample it with.
import type { Service } from '../model.js';
import type { Endpoint } from '../targets.js';
import { UsageError, parseTarget } from '../targets.js';
import type { InventoryEntry } from '../fleet/targets-file.js';
import { endpointName, schemeService } from '../knowledge/services.js';
import { defaultSamples, givenSamplesWhy } from '../knowledge/coverage.js';

export interface GroupPlan {
  name: string;
  /** the service the group names (its entries' service or URL scheme), if any */
  service: Service | null;
  nodes: { endpoint: Endpoint; standby: boolean }[];
  vip: { entry: InventoryEntry; samples: number; coverage: string } | null;
}

const where = (e: InventoryEntry) => (e.file ? `${e.file}:${e.line}: ` : '');
const sameNode = (ep: Endpoint, e: { host: string; port: number | null }) => ep.host === e.host && ep.port === e.port;

function groupOf(name: string, entries: InventoryEntry[], endpoints: Endpoint[], samplesOverride: number | null): GroupPlan {
  const vips = entries.filter((e) => e.role === 'vip');
  if (vips.length > 1)
    throw new UsageError(`${where(vips[1]!)}group ${name} names a second virtual address (it has one: ${vips[0]!.target.input})`);
  const nodes: GroupPlan['nodes'] = [];
  for (const e of entries.filter((x) => x.role !== 'vip')) {
    const ep = endpoints.find((x) => sameNode(x, e.target));
    if (!ep) continue; // not in this shard
    const known = nodes.find((n) => n.endpoint === ep);
    if (known) known.standby ||= e.role === 'standby';
    else nodes.push({ endpoint: ep, standby: e.role === 'standby' });
  }
  const service =
    entries.map((e) => e.expectedService).find((s) => s) ??
    entries.map((e) => (e.target.scheme ? schemeService(e.target.scheme) : null)).find((s) => s) ??
    null;
  const vipEntry = vips[0];
  let vip: GroupPlan['vip'] = null;
  if (vipEntry) {
    const active = nodes.filter((n) => !n.standby).length;
    const given = samplesOverride ?? vipEntry.samples ?? null;
    vip = given
      ? { entry: vipEntry, samples: given, coverage: givenSamplesWhy(given, active) }
      : { entry: vipEntry, ...(({ samples, why }) => ({ samples, coverage: why }))(defaultSamples(active)) };
  }
  return { name, service, nodes, vip };
}

/**
 * The groups of the scan. `endpoints` are those this run scans (a shard's); a group none of whose
 * nodes is among them and that has no virtual address is left out. `expectStandby` ("host:port")
 * marks nodes standby; one that is in no group becomes a group of its own.
 */
export function planGroups(
  entries: InventoryEntry[],
  endpoints: Endpoint[],
  expectStandby: string[],
  samplesOverride: number | null,
  /** whether this run (shard) scans the group; default every group */
  owns: (group: string) => boolean = () => true,
): GroupPlan[] {
  const byName = new Map<string, InventoryEntry[]>();
  for (const e of entries) if (e.group && owns(e.group)) byName.set(e.group, [...(byName.get(e.group) ?? []), e]);
  const groups = [...byName.entries()].map(([name, es]) => groupOf(name, es, endpoints, samplesOverride));
  for (const text of expectStandby) {
    const t = parseTarget(text);
    if (t.port === null) throw new UsageError(`--expect-standby ${text}: name the node as host:port`);
    const ep = endpoints.find((x) => sameNode(x, t));
    if (!ep) throw new UsageError(`--expect-standby ${text}: not one of the endpoints scanned (add it as a target or a group node)`);
    const inGroups = groups.flatMap((g) => g.nodes.filter((n) => n.endpoint === ep));
    for (const n of inGroups) n.standby = true;
    if (inGroups.length === 0)
      groups.push({
        name: `standby ${endpointName(ep)}`,
        service: ep.expectedService,
        nodes: [{ endpoint: ep, standby: true }],
        vip: null,
      });
  }
  return groups.filter((g) => g.nodes.length > 0 || g.vip);
}
