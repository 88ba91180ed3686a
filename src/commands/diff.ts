// xferscan diff OLD.json NEW.json: what changed between two scans — endpoints, findings and their
// status, TLS protocols and suites, certificates, SSH algorithms and host keys. "Worse" (exit 3)
// means: a new failing or warning finding, a finding whose status got worse, a port that is
// newly open, or an SSH host key that was replaced. Changed suites, protocols and certificates
// are reported; whether they are bad is what the findings say. For groups of nodes (report.clusters)
// a new difference between the nodes (drift) and a host key newly shared by unrelated endpoints
// are worse; a difference that went away, or whose values moved, is reported.
import type { ClusterDifference, ClusterGroup, EndpointReport, Finding, FindingStatus, Report } from '../model.js';

export type DiffKind =
  | 'endpoint-added'
  | 'endpoint-removed'
  | 'state-changed'
  | 'service-changed'
  | 'finding-added'
  | 'finding-removed'
  | 'status-changed'
  | 'tls-protocols'
  | 'tls-suites'
  | 'certificate'
  | 'ssh-algorithms'
  | 'ssh-host-key'
  | 'cluster-added'
  | 'cluster-removed'
  | 'cluster-drift'
  | 'cluster-drift-gone'
  | 'cluster-drift-changed'
  | 'shared-host-key';

export interface DiffEntry {
  kind: DiffKind;
  endpoint: string;
  id?: string;
  before?: string | null;
  after?: string | null;
  worse: boolean;
  text: string;
}

export interface ReportDiff {
  old: { startedAt: string; profile: string; digest: string | null };
  new: { startedAt: string; profile: string; digest: string | null };
  entries: DiffEntry[];
  worse: boolean;
  counts: { worse: number; better: number; changed: number };
}

const RANK: Record<FindingStatus, number> = { pass: 0, info: 0, skipped: 0, warn: 1, error: 1, fail: 2 };
const name = (ep: Pick<EndpointReport, 'host' | 'port'>) => `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
const fkey = (f: Finding) => `${f.id}|${f.title}`;

function setDiff(a: string[], b: string[]): { added: string[]; removed: string[] } {
  const A = new Set(a);
  const B = new Set(b);
  return { added: b.filter((x) => !A.has(x)), removed: a.filter((x) => !B.has(x)) };
}

function listChange(
  out: DiffEntry[],
  kind: DiffKind,
  endpoint: string,
  label: string,
  a: string[],
  b: string[],
  worseIfRemoved = false,
): void {
  const { added, removed } = setDiff(a, b);
  if (!added.length && !removed.length) return;
  out.push({
    kind,
    endpoint,
    before: a.join(', ') || null,
    after: b.join(', ') || null,
    worse: worseIfRemoved && removed.length > 0,
    text: `${label}: ${[added.length ? `+ ${added.join(', ')}` : '', removed.length ? `- ${removed.join(', ')}` : ''].filter(Boolean).join('; ')}`,
  });
}

/** New, gone and changed findings of one endpoint (or cluster group). */
function findingsDiff(aFindings: Finding[], bFindings: Finding[], ep: string, out: DiffEntry[]): void {
  const before = new Map<string, Finding>();
  for (const f of aFindings) before.set(fkey(f), f);
  const after = new Map<string, Finding>();
  for (const f of bFindings) after.set(fkey(f), f);
  for (const [k, f] of after) {
    const o = before.get(k);
    if (!o) {
      out.push({
        kind: 'finding-added',
        endpoint: ep,
        id: f.id,
        before: null,
        after: f.status,
        worse: RANK[f.status] > 0,
        text: `new finding ${f.id} [${f.status}, ${f.severity}] ${f.title}: ${f.detail}`,
      });
    } else if (o.status !== f.status) {
      out.push({
        kind: 'status-changed',
        endpoint: ep,
        id: f.id,
        before: o.status,
        after: f.status,
        worse: RANK[f.status] > RANK[o.status],
        text: `${f.id} ${o.status} → ${f.status}: ${f.detail}`,
      });
    }
  }
  for (const [k, o] of before) {
    if (!after.has(k))
      out.push({
        kind: 'finding-removed',
        endpoint: ep,
        id: o.id,
        before: o.status,
        after: null,
        worse: false,
        text: `finding gone: ${o.id} [${o.status}] ${o.title}`,
      });
  }
}

function endpointDiff(a: EndpointReport, b: EndpointReport, out: DiffEntry[]): void {
  const ep = name(b);
  if (a.state !== b.state)
    out.push({
      kind: 'state-changed',
      endpoint: ep,
      before: a.state,
      after: b.state,
      worse: b.state === 'open',
      text: `port state ${a.state} → ${b.state}`,
    });
  if (a.service !== b.service)
    out.push({
      kind: 'service-changed',
      endpoint: ep,
      before: a.service,
      after: b.service,
      worse: false,
      text: `service ${a.service ?? 'none'} → ${b.service ?? 'none'}`,
    });

  findingsDiff(a.findings, b.findings, ep, out);

  const protos = (e: EndpointReport) =>
    Object.entries(e.tls?.protocols ?? {})
      .filter(([, on]) => on)
      .map(([p]) => p);
  listChange(out, 'tls-protocols', ep, 'TLS protocols', protos(a), protos(b));
  const suites = (e: EndpointReport) => Object.entries(e.tls?.cipherSuites ?? {}).flatMap(([v, l]) => (l ?? []).map((s) => `${v} ${s}`));
  listChange(out, 'tls-suites', ep, 'TLS suites', suites(a), suites(b));
  const certA = a.tls?.certificate;
  const certB = b.tls?.certificate;
  if ((certA?.fingerprintSha256 ?? null) !== (certB?.fingerprintSha256 ?? null) && (certA || certB)) {
    out.push({
      kind: 'certificate',
      endpoint: ep,
      before: certA ? `${certA.subject} (expires ${certA.notAfter}) ${certA.fingerprintSha256}` : null,
      after: certB ? `${certB.subject} (expires ${certB.notAfter}) ${certB.fingerprintSha256}` : null,
      worse: false,
      text: `certificate changed: ${certA ? `${certA.subject} until ${certA.notAfter}` : 'none'} → ${certB ? `${certB.subject} until ${certB.notAfter} (${certB.keyType} ${certB.keyBits ?? '?'})` : 'none'}`,
    });
  }
  if (a.ssh || b.ssh) {
    for (const k of ['kex', 'hostKeyAlgorithms', 'ciphers', 'macs'] as const)
      listChange(out, 'ssh-algorithms', ep, `SSH ${k}`, a.ssh?.[k] ?? [], b.ssh?.[k] ?? []);
    const keys = (e: EndpointReport) => (e.ssh?.hostKeys ?? []).map((k) => `${k.type} ${k.fingerprintSha256}`);
    // a host key that disappeared while keys are still offered was replaced: worth stopping for
    const { removed } = setDiff(keys(a), keys(b));
    listChange(out, 'ssh-host-key', ep, 'SSH host keys', keys(a), keys(b), removed.length > 0 && keys(b).length > 0);
  }
}

/** "value: nodes" per value of a difference, for comparing two runs. */
const holders = (d: ClusterDifference) =>
  d.values
    .map((v) => `${v.value}: ${v.nodes.join(', ') || 'virtual address only'}`)
    .sort()
    .join(' | ');

function groupDiff(a: ClusterGroup, b: ClusterGroup, out: DiffEntry[]): void {
  const where = `cluster ${b.name}`;
  const key = (d: ClusterDifference) => `${d.check}|${d.key}`;
  const before = new Map(a.differences.map((d) => [key(d), d]));
  const after = new Map(b.differences.map((d) => [key(d), d]));
  for (const [k, d] of after) {
    const o = before.get(k);
    if (!o)
      out.push({
        kind: 'cluster-drift',
        endpoint: where,
        id: d.check,
        before: null,
        after: holders(d),
        worse: true,
        text: `nodes now differ in ${d.item}: ${holders(d)}`,
      });
    else if (holders(o) !== holders(d))
      out.push({
        kind: 'cluster-drift-changed',
        endpoint: where,
        id: d.check,
        before: holders(o),
        after: holders(d),
        worse: false,
        text: `${d.item} still differs, now: ${holders(d)} (was: ${holders(o)})`,
      });
  }
  for (const [k, o] of before)
    if (!after.has(k))
      out.push({
        kind: 'cluster-drift-gone',
        endpoint: where,
        id: o.check,
        before: holders(o),
        after: null,
        worse: false,
        text: `nodes agree again on ${o.item} (was: ${holders(o)})`,
      });
  findingsDiff(a.findings, b.findings, where, out);
}

/** Cluster drift between two runs: groups, what differs between their nodes, and shared host keys. */
function clusterDiff(oldR: Report, newR: Report, out: DiffEntry[]): void {
  const olds = new Map((oldR.clusters?.groups ?? []).map((g) => [g.name, g]));
  const news = new Map((newR.clusters?.groups ?? []).map((g) => [g.name, g]));
  for (const [n, g] of news) {
    const o = olds.get(n);
    if (o) groupDiff(o, g, out);
    else
      out.push({
        kind: 'cluster-added',
        endpoint: `cluster ${n}`,
        before: null,
        after: `${g.differences.length} difference(s)`,
        worse: g.differences.length > 0,
        text: `group added (${g.nodes.length} node(s), ${g.differences.length} difference(s))`,
      });
  }
  for (const n of olds.keys())
    if (!news.has(n))
      out.push({
        kind: 'cluster-removed',
        endpoint: `cluster ${n}`,
        before: 'present',
        after: null,
        worse: false,
        text: 'group not in the new scan',
      });
  const oldKeys = new Set((oldR.clusters?.sharedHostKeys ?? []).map((k) => k.fingerprintSha256));
  for (const k of newR.clusters?.sharedHostKeys ?? [])
    if (!oldKeys.has(k.fingerprintSha256))
      out.push({
        kind: 'shared-host-key',
        endpoint: 'cluster (whole scan)',
        id: 'HOSTKEY-SHARED',
        before: null,
        after: k.endpoints.join(', '),
        worse: true,
        text: `${k.type} host key ${k.fingerprintSha256} now answers at ${k.endpoints.join(', ')}`,
      });
  findingsDiff(oldR.clusters?.findings ?? [], newR.clusters?.findings ?? [], 'cluster (whole scan)', out);
}

export function diffReports(oldR: Report, newR: Report): ReportDiff {
  const entries: DiffEntry[] = [];
  const olds = new Map(oldR.endpoints.map((e) => [name(e), e]));
  const news = new Map(newR.endpoints.map((e) => [name(e), e]));
  for (const [k, e] of news) {
    const o = olds.get(k);
    if (!o) {
      const fails = e.findings.filter((f) => RANK[f.status] > 0);
      entries.push({
        kind: 'endpoint-added',
        endpoint: k,
        before: null,
        after: e.state,
        worse: e.state === 'open' || fails.length > 0,
        text: `endpoint added (${e.state}${e.service ? `, ${e.service}` : ''}; ${fails.length} failing/warning finding(s))`,
      });
    } else endpointDiff(o, e, entries);
  }
  clusterDiff(oldR, newR, entries);
  for (const [k, o] of olds)
    if (!news.has(k))
      entries.push({
        kind: 'endpoint-removed',
        endpoint: k,
        before: o.state,
        after: null,
        worse: false,
        text: 'endpoint not in the new scan',
      });
  const worse = entries.filter((e) => e.worse).length;
  const better = entries.filter(
    (e) =>
      (e.kind === 'status-changed' && RANK[(e.after ?? 'pass') as FindingStatus] < RANK[(e.before ?? 'pass') as FindingStatus]) ||
      (e.kind === 'finding-removed' && RANK[(e.before ?? 'pass') as FindingStatus] > 0),
  ).length;
  return {
    old: { startedAt: oldR.startedAt, profile: oldR.profile, digest: oldR.integrity?.digest ?? null },
    new: { startedAt: newR.startedAt, profile: newR.profile, digest: newR.integrity?.digest ?? null },
    entries,
    worse: worse > 0,
    counts: { worse, better, changed: entries.length },
  };
}

export function renderDiffText(d: ReportDiff): string {
  const lines = [`xferscan diff: ${d.old.startedAt} (${d.old.profile}) → ${d.new.startedAt} (${d.new.profile})`];
  if (d.old.profile !== d.new.profile) lines.push(`note: the scans used different profiles; findings may differ because of that`);
  if (!d.entries.length) lines.push('no changes');
  const byEp = new Map<string, DiffEntry[]>();
  for (const e of d.entries) byEp.set(e.endpoint, [...(byEp.get(e.endpoint) ?? []), e]);
  for (const [ep, es] of byEp) {
    lines.push('', ep);
    for (const e of es)
      lines.push(`  ${e.worse ? 'WORSE ' : e.kind === 'finding-removed' || e.kind === 'status-changed' ? '      ' : '      '}${e.text}`);
  }
  lines.push(
    '',
    `${d.counts.changed} change(s): ${d.counts.worse} worse, ${d.counts.better} better${d.worse ? ' — something got worse (exit 3)' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
