// A scan with groups: the endpoints (every group's nodes among them) are scanned as usual, each
// virtual address is sampled at the same time, and the cluster section is built from what both
// found. The comparison costs nothing more; the sampling is the only extra traffic. Finished
// endpoints are reduced to small records as they finish, so streaming output keeps memory flat.
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Report, Service } from '../model.js';
import type { Credentials } from '../probe.js';
import type { Endpoint } from '../targets.js';
import { redactDeep, scan, type ScanOptions } from '../scan.js';
import { SocketBudget } from '../net/dialer.js';
import { clusterFindings, tally } from '../knowledge/summary.js';
import { endpointName, schemeService } from '../knowledge/services.js';
import type { KeyHolder } from '../derive/cluster.js';
import type { GroupPlan } from './plan.js';
import { sampleVip } from './sample.js';
import { clusterView, nodeRecord, type NodeRecord, type SampledVip } from './view.js';

export interface ClusterScanOptions {
  groups: GroupPlan[];
  /** credentials for a group's virtual address (its entry's, else the scan's) */
  vipCredentials: (g: GroupPlan) => Credentials | null;
  /** most connections at once through one virtual address (default 8; never more than --connections per node) */
  vipConcurrency?: number;
}

/** Finished endpoints, by name, with a way to wait for the ones a group needs. */
class Finished {
  readonly records = new Map<string, NodeRecord>();
  readonly holders: KeyHolder[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly groupOf: Map<string, string>) {}

  add(r: NodeRecord): void {
    if (this.groupOf.has(r.endpoint)) this.records.set(r.endpoint, r);
    if (r.hostKeys.length)
      this.holders.push({ endpoint: r.endpoint, address: r.address, group: this.groupOf.get(r.endpoint) ?? null, hostKeys: r.hostKeys });
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `ready()` holds, re-checked as endpoints finish. */
  async until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((r) => this.waiters.push(r));
  }
}

async function resolve(host: string): Promise<string> {
  return net.isIP(host) ? host : (await dns.lookup(host)).address;
}

/** The service to sample a virtual address as: the group's, its URL's, else what its first node turned out to be. */
async function serviceFor(g: GroupPlan, finished: Finished): Promise<Service | null> {
  const declared = g.service ?? (g.vip?.entry.target.scheme ? schemeService(g.vip.entry.target.scheme) : null);
  if (declared) return declared;
  const names = g.nodes.map((n) => endpointName(n.endpoint));
  const found = () => names.map((n) => finished.records.get(n)).find((r) => r?.state === 'open' && r.service)?.service ?? null;
  await finished.until(() => found() !== null || names.every((n) => finished.records.has(n)));
  return found();
}

async function sampleGroup(g: GroupPlan, opts: ScanOptions, c: ClusterScanOptions, finished: Finished): Promise<SampledVip | null> {
  const vip = g.vip;
  if (!vip) return null;
  const t = vip.entry.target;
  const endpoint = endpointName({ host: t.host, port: t.port ?? 0 });
  const base = { endpoint, requested: vip.samples, coverage: vip.coverage, samples: [] };
  const sshWords = ` SSH: the first host-key type is asked ${vip.samples} times; a type whose keys differ between the nodes until each of those keys was seen (at most ${vip.samples}).`;
  let address: string;
  try {
    // through a proxy the proxy resolves the name, as for every endpoint of the scan
    address = opts.proxy ? t.host : await resolve(t.host);
  } catch (err) {
    return { ...base, address: null, error: `cannot resolve ${t.host} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  const service = await serviceFor(g, finished);
  if (!service) return { ...base, address, error: 'the service is unknown (no node answered and the group names none)' };
  const names = g.nodes.filter((n) => !n.standby).map((n) => endpointName(n.endpoint));
  const nodeFacts = async () => {
    await finished.until(() => names.every((n) => finished.records.has(n)));
    return names
      .map((n) => finished.records.get(n)!)
      .filter((r) => r.state === 'open')
      .map((r) => r.facts);
  };
  const r = await sampleVip({
    nodeFacts,
    nodeCount: names.length,
    host: t.host,
    port: t.port!,
    address,
    service,
    samples: vip.samples,
    // the connections spread over the nodes: --connections per node, at most 8 at once
    concurrency: Math.max(1, Math.min(c.vipConcurrency ?? 8, opts.connections * Math.max(1, names.length))),
    timeoutMs: opts.timeoutMs,
    credentials: c.vipCredentials(g),
    allowCleartextLogin: opts.allowCleartextLogin,
    sockets: opts.sockets ?? new SocketBudget(),
    rate: opts.rates?.for(address) ?? null,
    proxy: opts.proxy ?? null,
    deadlineMs: opts.endpointTimeoutMs,
  });
  return { ...base, ...(service === 'sftp' ? { coverage: `${vip.coverage}.${sshWords}` } : {}), address, ...r };
}

/** Scans the endpoints and samples every group's virtual address; the report carries the cluster section. */
export async function scanWithClusters(endpoints: Endpoint[], opts: ScanOptions, c: ClusterScanOptions): Promise<Report> {
  const groupOf = new Map<string, string>();
  for (const g of c.groups)
    for (const n of g.nodes) if (!groupOf.has(endpointName(n.endpoint))) groupOf.set(endpointName(n.endpoint), g.name);
  const finished = new Finished(groupOf);
  const sockets = opts.sockets ?? new SocketBudget();
  const inner = opts.onEndpointDone;
  const scanOpts: ScanOptions = {
    ...opts,
    sockets,
    onEndpointDone: (ep, done, total, index) => {
      finished.add(nodeRecord(ep, index));
      inner?.(ep, done, total, index);
    },
  };
  const [report, sampled] = await Promise.all([
    scan(endpoints, scanOpts),
    Promise.all(c.groups.map((g) => sampleGroup(g, scanOpts, c, finished).then((s) => [g.name, s] as const))),
  ]);
  const view = clusterView(
    c.groups,
    finished.records,
    new Map(sampled.filter((x): x is [string, SampledVip] => x[1] !== null)),
    finished.holders,
    { checkOptions: opts.checkOptions, selection: opts.selection },
  );
  if (!view) return report;
  tally(report.summary, clusterFindings(view));
  // a hostile server may echo a password in a later greeting: scrub every string, as for endpoints
  const secrets = [opts.credentials?.password, ...c.groups.map((g) => c.vipCredentials(g)?.password)].filter((x): x is string => !!x);
  // the sampling may end after the last endpoint
  return { ...report, finishedAt: new Date().toISOString(), clusters: secrets.length ? redactDeep(view, secrets) : view };
}
