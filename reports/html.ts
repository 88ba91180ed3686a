// HTML: one self-contained page an auditor can read and file. Summary and verdict first, then the
// per-control table, the findings with remediation and collapsible evidence, and the transcript
// appendix. No external assets; print CSS; a Content-Security-Policy that lets only this page's
// own script run, so nothing a server sent us can execute even if it slipped past escaping.
import crypto from 'node:crypto';
import type { EndpointReport, Finding, Report } from '../src/model.js';
import type { ComplianceView, ControlResult } from '../src/profiles/compliance.js';
import {
  durationText,
  endpointName,
  escapeHtml as h,
  gradeSummary,
  interruptionText,
  throttleSummary,
  inlineSpans,
  remediationBlocks,
  sortedFindings,
  STATUS_LABEL,
} from './common.js';
import { clusterSectionHtml } from './cluster.js';

// Opens the evidence of what needs action for printing (passes and transcripts stay folded: they
// are in the JSON report, and printing them made 55 pages of 7 endpoints).
const SCRIPT =
  "window.addEventListener('beforeprint',function(){document.querySelectorAll('details.ev').forEach(function(d){d.setAttribute('data-was-open',d.open?'1':'0');d.open=true;});});window.addEventListener('afterprint',function(){document.querySelectorAll('details.ev').forEach(function(d){d.open=d.getAttribute('data-was-open')==='1';});});";
const SCRIPT_HASH = crypto.createHash('sha256').update(SCRIPT).digest('base64');
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

const CSS = `
:root{--fail:#b00020;--warn:#a15c00;--pass:#1b6e20;--info:#2f5d8a;--muted:#5f6368;--line:#d7dbe0;--bg:#f6f7f9;--na:#6b4fa0}
*{box-sizing:border-box}
body{font:15px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d1f23;margin:0;background:#fff}
main{max-width:1100px;margin:0 auto;padding:28px 32px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid #1d1f23}
h3{font-size:17px;margin:24px 0 8px}
.sub{color:var(--muted);margin:0 0 18px}
table{border-collapse:collapse;width:100%;margin:8px 0 14px}
table.meta{table-layout:fixed}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere;word-break:normal}
td code{overflow-wrap:anywhere}
th{background:var(--bg);font-weight:600;font-size:13px;text-transform:uppercase;letter-spacing:.03em;color:#3c4043}
.meta th{width:210px;text-transform:none;letter-spacing:0;font-size:14px}
.verdict{border-radius:6px;padding:16px 20px;margin:14px 0;border-left:8px solid;background:var(--bg)}
.verdict.not-satisfied,.verdict.fail{border-color:var(--fail)}.verdict.incomplete{border-color:var(--warn)}.verdict.satisfied,.verdict.pass{border-color:var(--pass)}
.verdict strong{font-size:19px;display:block;margin-bottom:4px}
.badge{display:inline-block;min-width:64px;text-align:center;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;color:#fff;white-space:nowrap}
.b-fail,.b-not-satisfied{background:var(--fail)}.b-error{background:#7b1fa2}.b-warn{background:var(--warn)}
.b-pass,.b-satisfied{background:var(--pass)}.b-info{background:var(--info)}.b-skipped,.b-not-open,.b-not-assessed{background:#80868b}
.b-not-testable{background:var(--na)}
.sev{font-size:12px;font-weight:600;text-transform:uppercase;color:var(--muted)}
.sev-critical,.sev-high{color:var(--fail)}.sev-medium{color:var(--warn)}
.counts span{margin-right:14px}
.finding{border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:10px 0;page-break-inside:avoid;break-inside:avoid}
.finding.fail{border-left:6px solid var(--fail)}.finding.warn{border-left:6px solid var(--warn)}.finding.error{border-left:6px solid #7b1fa2}
.finding .head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.finding .id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;color:var(--muted)}
.finding .title{font-weight:600}
.fix{background:#fff8e5;border:1px solid #f0d9a0;border-radius:4px;padding:6px 10px;margin:6px 0}
.ctl{font-size:12.5px;color:var(--muted)}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--bg);border:1px solid var(--line);padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0;max-width:100%}
pre.code{background:#fff;border-left:3px solid #f0d9a0;white-space:pre-wrap;tab-size:4}
.fix p{margin:4px 0}
nav.toc{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 16px;margin:12px 0;font-size:14px}
nav.toc ol{margin:4px 0;padding-left:22px}nav.toc li{margin:1px 0}
.print-only{display:none}
h1,h2,h3,p,li,div{overflow-wrap:anywhere}
details summary{cursor:pointer;color:var(--info);font-size:13.5px}
.cannot{background:#f3effa;border:1px solid #d9cdee;border-radius:6px;padding:10px 16px}
.cannot li{margin:4px 0}
.muted{color:var(--muted)}
a{color:var(--info)}
.digest{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.passes summary{font-size:14px}
.controls .badge{min-width:0;font-size:10.5px;padding:0 6px}
a.ref{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
@media print{
 body{font-size:11pt}main{max-width:none;padding:0}
 h2{page-break-after:avoid;break-after:avoid}
 .verdict,tr,.finding .head,.fix,pre.code{page-break-inside:avoid;break-inside:avoid}
 .finding{break-inside:auto;page-break-inside:auto}
 details.ev-more{display:none}
 a{color:inherit;text-decoration:none}
 details summary{color:#000}
 .badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .verdict,.fix,.cannot,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 @page{size:auto;margin:16mm 14mm 18mm;@bottom-right{content:"page " counter(page) " of " counter(pages);font-size:9pt;color:#5f6368}@bottom-left{content:"xferscan report";font-size:9pt;color:#5f6368}}
 details.ev::details-content{content-visibility:visible;display:block}
 details.passes,details.tr{display:none}
 .print-only{display:block}
 main{max-width:100%}
 table{font-size:9.5pt}
 pre{font-size:8.5pt}
}`;

const badge = (cls: string, text: string) => `<span class="badge b-${h(cls)}">${h(text)}</span>`;
const findingAnchor = (ei: number, fi: number) => `f-${ei}-${fi}`;

/** A control's failing, erring or warning cluster findings, linked to the cluster section. */
function clusterRefsHtml(ctl: ControlResult): string[] {
  return (ctl.clusterFindings ?? [])
    .filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'warn')
    .map(
      (f) =>
        `${badge(f.status, STATUS_LABEL[f.status])} <a class="ref" href="#clusters">${h(f.id)}</a> <span class="muted">${h(f.group === null ? 'whole scan' : `group ${f.group}`)}</span>`,
    );
}

const CONTROL_LABEL: Record<ControlResult['status'], string> = {
  satisfied: 'satisfied',
  'not-satisfied': 'NOT satisfied',
  'not-testable': 'not testable by scan',
  'not-assessed': 'not assessed',
};
const VERDICT_LABEL: Record<ComplianceView['verdict'], string> = {
  'not-satisfied': 'Not satisfied',
  incomplete: 'Incomplete: no failure found, but not everything could be assessed',
  satisfied: 'Satisfied for what a network scan can observe',
};
const TESTABILITY_LABEL = { automated: 'automated', partial: 'partial', 'not-testable': 'not testable' } as const;

function metaTable(r: Report): string {
  const rows: [string, string][] = [];
  const c = r.compliance;
  rows.push([
    'Profile',
    c
      ? `${h(c.profile.title)} — profile <code>${h(c.profile.id)}</code> version ${h(c.profile.version)}${c.profile.source !== 'built-in' ? ` (from ${h(c.profile.source)})` : ''}`
      : h(r.profile),
  ]);
  if (c) rows.push(['Standard', h(c.profile.standard)]);
  rows.push(['Scan started / finished', `${h(r.startedAt)} — ${h(r.finishedAt)} (${h(durationText(r))})`]);
  rows.push(['Tool', `${h(r.tool.name)} ${h(r.tool.version)}`]);
  if (r.vantage?.proxy) rows.push(['Vantage point', `through the proxy <code>${h(r.vantage.proxy)}</code>: ${h(r.vantage.note ?? '')}`]);
  if (r.vantage?.family) rows.push(['Address family', r.vantage.family === 'ipv6' ? 'IPv6 only (-6)' : 'IPv4 only (-4)']);
  if (r.scanner) {
    rows.push([
      'Scanner host',
      `${h(r.scanner.hostname)}${r.scanner.user ? ` (user ${h(r.scanner.user)})` : ''} — ${h(r.scanner.platform)}, Node ${h(r.scanner.node)}`,
    ]);
    rows.push([
      'Source address(es)',
      r.scanner.sourceAddresses.map((s) => `${h(s.source ?? 'unknown')} → ${h(s.target)}`).join('<br>') ||
        '<span class="muted">none (no host resolved)</span>',
    ]);
  }
  if (r.options) {
    const o = r.options as Record<string, unknown>;
    const show = (k: string) => (o[k] === undefined ? '' : `${h(k)}: <code>${h(JSON.stringify(o[k]))}</code>`);
    rows.push([
      'Options',
      ['targets', 'ports', 'policy', 'user', 'credentials', 'timeoutMs', 'expectPassiveRange', 'active', 'writeTest']
        .map(show)
        .filter(Boolean)
        .join('<br>'),
    ]);
  }
  if (r.integrity)
    rows.push([
      'Report digest (SHA-256)',
      `<span class="digest">${h(r.integrity.digest)}</span><br><span class="muted">A checksum of the JSON report filed with this page: <code>xferscan verify report.json</code> shows the file was not damaged. It is not a signature (anyone editing the report can recompute it); a report signed with <code>--sign-key</code> is checked with <code>xferscan verify report.json --public-key KEY.pub</code>.</span>`,
    ]);
  return `<table class="meta">${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function summarySection(r: Report): string {
  const c = r.compliance;
  const s = r.summary;
  const counts = `<p class="counts"><span><b>${s.fail}</b> fail</span><span><b>${s.warn}</b> warn</span><span><b>${s.error}</b> error</span><span><b>${s.pass}</b> pass</span><span><b>${s.info}</b> info</span><span><b>${s.skipped}</b> skipped</span> across ${r.endpoints.length} endpoint(s)</p>`;
  let out = '<h2 id="summary">Summary</h2>';
  const stopped = interruptionText(r);
  if (stopped)
    out += `<div class="verdict fail interrupted"><strong>${h(stopped)}</strong>The endpoints that did not finish say why in their section.</div>`;
  if (c) {
    out += `<div class="verdict ${h(c.verdict)}"><strong>${h(c.profile.title)}: ${h(VERDICT_LABEL[c.verdict])}</strong>${h(c.statement)}</div>`;
  } else {
    const verdict = s.fail ? 'fail' : 'pass';
    out += `<div class="verdict ${verdict}"><strong>${s.fail ? `${s.fail} failing finding(s)` : 'No failing finding'}</strong>This report carries no per-control view (it was produced without a profile evaluation).</div>`;
  }
  out += counts;
  out +=
    '<h3>Verdict per endpoint</h3><table><thead><tr><th>Endpoint</th><th>Address</th><th>Service</th><th>State</th><th>Verdict</th><th>Grade</th><th>Failing checks</th></tr></thead><tbody>';
  r.endpoints.forEach((ep, i) => {
    const v = c?.endpoints[i];
    const verdict = v?.verdict ?? (ep.findings.some((f) => f.status === 'fail') ? 'fail' : 'pass');
    const failing = v ? v.failing : [...new Set(ep.findings.filter((f) => f.status === 'fail').map((f) => f.id))];
    out += `<tr><td><a href="#ep-${i}">${h(endpointName(ep))}</a></td><td>${h(ep.address ?? '—')}</td><td>${h(ep.service ?? '—')}</td><td>${h(ep.state)}</td><td>${badge(verdict, verdict.toUpperCase())}</td><td>${h(ep.grade?.grade ?? '—')}</td><td>${failing.map((id) => `<code>${h(id)}</code>`).join(', ') || '—'}</td></tr>`;
  });
  out += '</tbody></table>';
  return out;
}

function controlsSection(c: ComplianceView): string {
  let out = `<h2 id="controls">Controls: ${h(c.profile.title)}</h2>`;
  out += `<p class="muted">${h(c.profile.description)}</p>`;
  out +=
    '<table class="controls"><thead><tr><th style="width:8%">Control</th><th style="width:36%">Requirement</th><th style="width:9%">Scan can prove</th><th style="width:20%">Result</th><th>Evidence (findings)</th></tr></thead><tbody>';
  for (const ctl of c.controls) {
    // the findings that decide the result first, in full; the rest as a count
    const decisive = ctl.findings.filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'warn');
    const rest = ctl.findings.filter((f) => !decisive.includes(f));
    const refs = decisive.map(
      (f) =>
        `${badge(f.status, STATUS_LABEL[f.status])} <a class="ref" href="#${findingAnchor(f.endpointIndex, f.findingIndex)}">${h(f.id)}</a> <span class="muted">${h(f.endpoint)}</span>`,
    );
    refs.push(...clusterRefsHtml(ctl));
    const restCount = (st: string) => rest.filter((f) => f.status === st).length;
    const restText = ['pass', 'info', 'skipped']
      .filter((st) => restCount(st))
      .map((st) => `${restCount(st)} ${st}`)
      .join(', ');
    const shown =
      refs.slice(0, 8).join('<br>') +
      (refs.length > 8 ? `<br><span class="muted">… and ${refs.length - 8} more</span>` : '') +
      (restText
        ? `${refs.length ? '<br>' : ''}<span class="muted">${h(restText)} finding(s)${rest.length && !refs.length ? `: ${h([...new Set(rest.map((f) => f.id))].slice(0, 4).join(', '))}${new Set(rest.map((f) => f.id)).size > 4 ? ', …' : ''}` : ''}</span>`
        : '');
    out +=
      `<tr><td><b>${h(ctl.ref)}</b></td><td>${h(ctl.title)}<div class="ctl">${h(ctl.note)}</div></td><td>${h(TESTABILITY_LABEL[ctl.testability])}</td>` +
      `<td>${badge(ctl.status, CONTROL_LABEL[ctl.status])}<div class="ctl">${h(ctl.reason)}</div></td><td>${shown || '<span class="muted">—</span>'}</td></tr>`;
  }
  out += '</tbody></table>';
  const nt = c.controls.filter((x) => x.status === 'not-testable');
  if (nt.length) {
    out += `<h3 id="cannot">What this scan cannot prove</h3><div class="cannot"><p>A network scan observes what the endpoints offer on the wire. These controls need other evidence (configuration review, procedures, logs):</p><ul>${nt
      .map((x) => `<li><b>${h(x.ref)}</b> ${h(x.title)} — ${h(x.note)}</li>`)
      .join('')}</ul></div>`;
  }
  return out;
}

const MAX_EVIDENCE = 20_000;
const PRINTED_EVIDENCE = 8;

function evidenceBlock(f: Finding): string {
  if (!f.evidence.length) return '';
  const line = (e: Finding['evidence'][number]) => `${e.label}: ${e.value}${e.conn ? `   [${e.conn}${e.t ? ` ${e.t}` : ''}]` : ''}`;
  const cap = (t: string) =>
    t.length > MAX_EVIDENCE ? `${t.slice(0, MAX_EVIDENCE)}\n… ${t.length - MAX_EVIDENCE} more characters in the JSON report` : t;
  // paper gets the first lines; the rest stays on screen (and in the JSON report)
  const head = cap(f.evidence.slice(0, PRINTED_EVIDENCE).map(line).join('\n'));
  const rest = f.evidence.length - PRINTED_EVIDENCE;
  const more = rest > 0 ? cap(f.evidence.slice(PRINTED_EVIDENCE).map(line).join('\n')) : '';
  return (
    `<details class="ev"><summary>Evidence (${f.evidence.length})</summary><pre>${h(head)}</pre>` +
    (more
      ? `<details class="ev-more"><summary>${rest} more</summary><pre>${h(more)}</pre></details><p class="print-only muted">… ${rest} more evidence line(s) on screen and in the JSON report</p>`
      : '') +
    '</details>'
  );
}

/** Inline text with `code` spans as <code>. */
const inline = (s: string) =>
  inlineSpans(s)
    .map((x) => (x.code ? `<code>${h(x.text)}</code>` : h(x.text)))
    .join('');

/** A remediation: prose paragraphs and configuration blocks kept as blocks (copy-paste gives a working config). */
export function remediationHtml(text: string): string {
  return remediationBlocks(text)
    .map((b) => (b.kind === 'code' ? `<pre class="code">${h(b.text)}</pre>` : `<p>${inline(b.text)}</p>`))
    .join('');
}

function findingBlock(f: Finding, anchor: string): string {
  return (
    `<div class="finding ${h(f.status)}" id="${h(anchor)}"><div class="head">${badge(f.status, STATUS_LABEL[f.status])}<span class="sev sev-${h(f.severity)}">${h(f.severity)}</span><span class="title">${h(f.title)}</span><span class="id">${h(f.id)}</span></div>` +
    `<div>${h(f.detail)}</div>` +
    (f.remediation ? `<div class="fix"><b>How to fix:</b>${remediationHtml(f.remediation)}</div>` : '') +
    (f.controls.length ? `<div class="ctl">Controls: ${f.controls.map(h).join('; ')}</div>` : '') +
    evidenceBlock(f) +
    '</div>'
  );
}

function endpointSection(ep: EndpointReport, ei: number, c: ComplianceView | undefined): string {
  const v = c?.endpoints[ei];
  let out = `<h3 id="ep-${ei}">${h(endpointName(ep))} ${v ? badge(v.verdict, v.verdict.toUpperCase()) : ''}</h3>`;
  out += `<p class="muted">address ${h(ep.address ?? 'unresolved')} · ${h(ep.state)}${ep.service ? ` · ${h(ep.service)}` : ''}${ep.connectMs !== null ? ` · ${h(ep.connectMs)} ms` : ''}${ep.error ? ` · ${h(ep.error)}` : ''}</p>`;
  if (ep.banner) out += `<p>Banner: <code>${h(ep.banner)}</code></p>`;
  for (const extra of [gradeSummary(ep), throttleSummary(ep)]) if (extra) out += `<p class="grade">${h(extra)}</p>`;
  const sorted = sortedFindings(ep.findings);
  const important = sorted.filter(({ f }) => f.status !== 'pass' && f.status !== 'skipped');
  const quiet = sorted.filter(({ f }) => f.status === 'pass' || f.status === 'skipped');
  out += important.map(({ f, i }) => findingBlock(f, findingAnchor(ei, i))).join('');
  if (quiet.length)
    out +=
      `<details class="passes"><summary>${quiet.length} passed or skipped check(s)</summary>${quiet.map(({ f, i }) => findingBlock(f, findingAnchor(ei, i))).join('')}</details>` +
      `<p class="print-only muted">${quiet.length} passed or skipped check(s), not printed (on screen and in the JSON report): ${h(quiet.map(({ f }) => `${f.id} ${f.status}`).join(', '))}</p>`;
  if (!ep.findings.length) out += '<p class="muted">No findings.</p>';
  return out;
}

function firewallSection(r: Report): string {
  const fw = r.firewall;
  if (!fw) return '';
  let out = `<h2 id="firewall">Firewall</h2><p>${h(fw.statement)}</p>`;
  out += '<table class="firewall"><thead><tr><th>Endpoint</th><th>Rule a transfer needs</th><th>Seen</th><th>Why</th></tr></thead><tbody>';
  for (const e of fw.endpoints) {
    for (const rule of e.rules) {
      const seen =
        rule.status === 'blocked'
          ? badge('fail', `BLOCKED${rule.blockage ? ` (${rule.blockage})` : ''}`)
          : rule.status === 'ok'
            ? badge('pass', 'OK')
            : badge('skipped', 'UNTESTED');
      out += `<tr><td>${h(e.endpoint)}</td><td>${h(rule.text)}</td><td>${seen}</td><td>${h(rule.evidence)}</td></tr>`;
    }
  }
  out += '</tbody></table>';
  return out;
}

function transcriptAppendix(r: Report): string {
  let out =
    '<h2 id="transcript">Appendix: transcripts</h2><p class="muted">Every line exchanged with each endpoint, timestamped; passwords are redacted before they are recorded.</p><p class="print-only muted">Transcripts are not printed: open this page on screen, or read them in the JSON report.</p>';
  r.endpoints.forEach((ep, i) => {
    const text = ep.transcript
      .map((l) => `${l.t}  ${l.conn.padEnd(10)} ${l.dir === 'client' ? '>' : l.dir === 'server' ? '<' : '#'} ${l.text}`)
      .join('\n');
    out += `<details class="tr" id="tr-${i}"><summary>${h(endpointName(ep))} — ${ep.transcript.length} line(s)</summary><pre>${h(text || '(empty)')}</pre></details>`;
  });
  return out;
}

function toc(r: Report): string {
  const c = r.compliance;
  const items = [
    '<li><a href="#summary">Summary and verdict per endpoint</a></li>',
    c ? `<li><a href="#controls">Controls: ${h(c.profile.title)}</a></li>` : '',
    c?.controls.some((x) => x.status === 'not-testable') ? '<li><a href="#cannot">What this scan cannot prove</a></li>' : '',
    r.firewall ? '<li><a href="#firewall">Firewall</a></li>' : '',
    r.clusters ? '<li><a href="#clusters">Clusters</a></li>' : '',
    `<li><a href="#findings">Findings by endpoint</a><ol>${r.endpoints
      .slice(0, 50)
      .map((ep, i) => `<li><a href="#ep-${i}">${h(endpointName(ep))}</a></li>`)
      .join('')}${r.endpoints.length > 50 ? `<li>… ${r.endpoints.length - 50} more</li>` : ''}</ol></li>`,
    '<li><a href="#transcript">Appendix: transcripts</a></li>',
  ];
  return `<nav class="toc"><b>Contents</b><ol>${items.join('')}</ol></nav>`;
}

export function renderHtml(report: Report): string {
  const c = report.compliance;
  const title = `xferscan report — ${report.endpoints.map(endpointName).slice(0, 3).join(', ')}${report.endpoints.length > 3 ? ', …' : ''}`;
  const body = [
    `<h1>Secure file transfer assessment</h1><p class="sub">${h(report.endpoints.length)} endpoint(s) scanned ${h(report.startedAt.slice(0, 10))} by ${h(report.tool.name)} ${h(report.tool.version)}${c ? ` against ${h(c.profile.title)}` : ''}</p>`,
    toc(report),
    metaTable(report),
    summarySection(report),
    c ? controlsSection(c) : '',
    firewallSection(report),
    clusterSectionHtml(report, findingBlock, badge),
    `<h2 id="findings">Findings by endpoint</h2>${report.endpoints.map((ep, i) => endpointSection(ep, i, c)).join('')}`,
    transcriptAppendix(report),
    report.integrity
      ? `<p class="muted">Report digest (SHA-256, ${h(report.integrity.canonicalization)}): <span class="digest">${h(report.integrity.digest)}</span></p>`
      : '',
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${h(report.tool.name)} ${h(report.tool.version)}">
<title>${h(title)}</title>
<style>${CSS}</style>
</head><body><main>
${body}
</main><script>${SCRIPT}</script></body></html>
`;
}
