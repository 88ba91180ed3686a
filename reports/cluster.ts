// The cluster section (report.clusters) as every format shows it: per group its nodes, what the
// virtual address showed, the differences (item, the value each node holds, how often the
// virtual address showed it) and its findings; then host keys shared across the scan. Pure:
// everything comes from the JSON report.
import type { ClusterDifference, ClusterGroup, ClusterView, Finding, Report } from '../src/model.js';
import { escapeHtml as h, sortedFindings, STATUS_LABEL } from './common.js';

export const clusterGroups = (r: Report): ClusterGroup[] => r.clusters?.groups ?? [];

/** A value in words (certificate fingerprints with their subject and expiry), capped for display. */
export function valueText(g: Pick<ClusterGroup, 'descriptions'>, value: string, max = 200): string {
  const words = g.descriptions?.[value];
  const t = words ? `${value} (${words})` : value;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The worst status among a group's findings, as its verdict. */
export function groupVerdict(g: Pick<ClusterGroup, 'findings'>): 'fail' | 'error' | 'warn' | 'pass' {
  const s = new Set(g.findings.map((f) => f.status));
  return s.has('fail') ? 'fail' : s.has('error') ? 'error' : s.has('warn') ? 'warn' : 'pass';
}

/** One line about a group: service, nodes (and standby ones), and the virtual address sampling. */
export function groupLine(g: ClusterGroup): string {
  const answering = g.nodes.filter((n) => n.state === 'open').length;
  const standby = g.nodes.filter((n) => n.standby).length;
  const parts = [
    g.service ?? 'service not named',
    `${g.nodes.length} node(s), ${answering} answering${standby ? `, ${standby} expected standby` : ''}`,
  ];
  if (g.vip) {
    const ok = g.vip.samples.filter((s) => s.ok).length;
    parts.push(
      `virtual address ${g.vip.endpoint}: ${ok} of ${g.vip.samples.length} connection(s) answered${g.vip.error ? ` (${g.vip.error})` : ''}`,
    );
  }
  return parts.join(' · ');
}

/** "value — nodes — N× through the VIP" for each value of a difference. */
export function differenceValues(g: ClusterGroup, d: ClusterDifference): string[] {
  return d.values.map(
    (v) =>
      `${v.value === d.majority ? '(majority) ' : ''}${valueText(g, v.value)} — ${v.nodes.length ? v.nodes.join(', ') : 'no listed node'}${v.vip !== undefined ? ` — ${v.vip}× through the virtual address` : ''}`,
  );
}

export const clusterAnchor = (gi: number | null, fi: number) => (gi === null ? `cl-s-${fi}` : `cl-${gi}-${fi}`);

// ---------------------------------------------------------------- HTML

function nodesTableHtml(g: ClusterGroup): string {
  const rows = g.nodes
    .map(
      (n) =>
        `<tr><td>${n.endpointIndex !== null ? `<a href="#ep-${n.endpointIndex}">${h(n.endpoint)}</a>` : h(n.endpoint)}</td><td>${h(n.address ?? '—')}</td><td>${h(n.state)}${n.standby ? ' (expected standby)' : ''}</td><td>${h(n.service ?? '—')}</td><td>${h(n.facts.software ?? '—')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>Node</th><th>Address</th><th>State</th><th>Service</th><th>Software</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function differencesHtml(g: ClusterGroup): string {
  if (!g.differences.length) return '<p class="muted">No difference between the nodes, nor through the virtual address.</p>';
  const rows = g.differences
    .map(
      (d) =>
        `<tr><td><b>${h(d.item)}</b><div class="ctl">${h(d.check)}</div></td><td>${differenceValues(g, d).map(h).join('<br>')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th style="width:25%">What differs</th><th>Value — held by — seen through the virtual address</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function vipHtml(g: ClusterGroup): string {
  const v = g.vip;
  if (!v) return '';
  const seen = v.seen
    .filter((s) => s.values.length > 1 || /^(ssh\.hostkey|tls\.cert)/.test(s.key))
    .map(
      (s) =>
        `<tr><td>${h(s.item)}</td><td>${s.values.map((x) => `${h(valueText(g, x.value, 120))} <b>${x.count}×</b> <span class="muted">${h(x.nodes.join(', ') || 'no listed node')}</span>`).join('<br>')}</td></tr>`,
    )
    .join('');
  return `<p>Virtual address <code>${h(v.endpoint)}</code>${v.address ? ` (${h(v.address)})` : ''}: ${v.samples.length} connection(s) made (${v.requested} per item sampled). <span class="muted">${h(v.coverage)}</span>${v.error ? ` <b>${h(v.error)}</b>` : ''}</p>${seen ? `<table><thead><tr><th style="width:25%">Seen through the virtual address</th><th>Value, count, nodes that hold it</th></tr></thead><tbody>${seen}</tbody></table>` : ''}`;
}

/** The HTML section; `finding` renders one finding block with the given anchor. */
export function clusterSectionHtml(
  r: Report,
  finding: (f: Finding, anchor: string) => string,
  badge: (s: string, t: string) => string,
): string {
  const v = r.clusters;
  if (!v) return '';
  let out = '<h2 id="clusters">Clusters</h2>';
  v.groups.forEach((g, gi) => {
    const verdict = groupVerdict(g);
    out += `<h3 id="cl-${gi}">Group ${h(g.name)} ${badge(verdict, verdict.toUpperCase())}</h3><p class="muted">${h(groupLine(g))}</p>`;
    out += nodesTableHtml(g) + vipHtml(g) + differencesHtml(g);
    out += sortedFindings(g.findings)
      .map(({ f, i }) => finding(f, clusterAnchor(gi, i)))
      .join('');
  });
  if (v.findings.length) {
    out += '<h3 id="cl-scan">Across the scan</h3>';
    out += sortedFindings(v.findings)
      .map(({ f, i }) => finding(f, clusterAnchor(null, i)))
      .join('');
  }
  return out;
}

// ---------------------------------------------------------------- Markdown and text

/** The Markdown section; `finding` renders one finding as a list item, `md` escapes inline text. */
export function clusterSectionMarkdown(r: Report, finding: (f: Finding) => string, md: (s: unknown) => string): string[] {
  const v: ClusterView | undefined = r.clusters;
  if (!v) return [];
  const out = ['## Clusters', ''];
  for (const g of v.groups) {
    out.push(`### Group ${md(g.name)} — ${groupVerdict(g).toUpperCase()}`, '', md(groupLine(g)), '');
    out.push('| Node | State | Software |', '|---|---|---|');
    for (const n of g.nodes)
      out.push(`| ${md(n.endpoint)} | ${md(n.state)}${n.standby ? ' (expected standby)' : ''} | ${md(n.facts.software ?? '—')} |`);
    out.push('');
    if (g.vip) out.push(`Virtual address ${md(g.vip.endpoint)}: ${md(g.vip.coverage)}`, '');
    if (g.differences.length) {
      out.push('| What differs | Value — held by — through the virtual address |', '|---|---|');
      for (const d of g.differences) out.push(`| ${md(d.item)} (\`${d.check}\`) | ${differenceValues(g, d).map(md).join('<br>')} |`);
      out.push('');
    }
    for (const { f } of sortedFindings(g.findings)) out.push(finding(f));
    out.push('');
  }
  if (v.findings.length) {
    out.push('### Across the scan', '');
    for (const { f } of sortedFindings(v.findings)) out.push(finding(f));
    out.push('');
  }
  return out;
}

/** Short lines for a finding list or a log: "FAIL CLUSTER-HOSTKEY-DRIFT group: title — detail". */
export function clusterFindingLines(r: Report): string[] {
  const line = (where: string) => (f: Finding) => `${STATUS_LABEL[f.status]} ${f.id} ${where}: ${f.title} — ${f.detail}`;
  return [...clusterGroups(r).flatMap((g) => g.findings.map(line(`group ${g.name}`))), ...(r.clusters?.findings ?? []).map(line('scan'))];
}
