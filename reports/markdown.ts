// Markdown: the same story as the HTML report, for tickets, wikis and pull requests.
import type { ControlResult, Finding, Report } from '../src/model.js';
import {
  durationText,
  endpointName,
  gradeSummary,
  interruptionText,
  throttleSummary,
  inlineSpans,
  remediationBlocks,
  sortedFindings,
  STATUS_LABEL,
  visible,
} from './common.js';
import { clusterSectionMarkdown } from './cluster.js';

/** Inline text: inert in Markdown and in renderers that pass HTML through. */
export function md(s: unknown): string {
  return visible(s)
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text with `code` spans kept as code spans (their content made inert), the rest escaped. */
function mdInline(s: string): string {
  return inlineSpans(s)
    .map((x) => (x.code ? codeSpan(x.text) : md(x.text)))
    .join('');
}

function codeSpan(s: string): string {
  const t = visible(s).replace(/\r?\n/g, ' ');
  let longest = 0;
  let run = 0;
  for (const ch of t) {
    run = ch === '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const f = '`'.repeat(longest + 1);
  return `${f}${t.startsWith('`') || t.endsWith('`') ? ` ${t} ` : t}${f}`;
}

/** A fenced block whose fence is longer than any backtick run inside (counted in one pass). */
function fence(text: string, info = 'text'): string {
  let longest = 2;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const f = '`'.repeat(longest + 1);
  return `${f}${info}\n${visible(text)}\n${f}`;
}

const CONTROL_LABEL = {
  satisfied: '✅ satisfied',
  'not-satisfied': '❌ NOT satisfied',
  'not-testable': '⬜ not testable by scan',
  'not-assessed': '❔ not assessed',
} as const;

/** A control's deciding cluster findings (fail, error, warn), as the controls table lists them. */
function clusterRefsMd(ctl: ControlResult): string[] {
  return (ctl.clusterFindings ?? [])
    .filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'warn')
    .map((f) => `\`${f.id}\` ${md(f.group === null ? 'whole scan' : `group ${f.group}`)} ${STATUS_LABEL[f.status]}`);
}

function finding(f: Finding): string {
  const lines = [`- **${STATUS_LABEL[f.status]}** (${f.severity}) \`${f.id}\` — ${md(f.title)}: ${md(f.detail)}`];
  if (f.remediation) {
    // prose as inline text, configuration as fenced blocks (a Match block stays a block)
    const blocks = remediationBlocks(f.remediation);
    const first = blocks[0]?.kind === 'text' ? blocks.shift()!.text : '';
    lines.push(`  - Fix: ${mdInline(first)}`);
    for (const b of blocks)
      lines.push(b.kind === 'code' ? `\n${fence(visible(b.text), '').replace(/^/gm, '    ')}\n` : `    ${mdInline(b.text)}`);
  }
  if (f.controls.length) lines.push(`  - Controls: ${f.controls.map(md).join('; ')}`);
  if (f.evidence.length) {
    const ev = f.evidence.map((e) => `${e.label}: ${e.value}`).join('\n');
    lines.push(`  <details><summary>Evidence (${f.evidence.length})</summary>\n\n${fence(ev).replace(/^/gm, '  ')}\n\n  </details>`);
  }
  return lines.join('\n');
}

/** The title and the table of what was scanned, when, with what, from where. */
function headerMarkdown(report: Report): string[] {
  const out: string[] = [];
  const c = report.compliance;
  out.push('# Secure file transfer assessment', '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| Profile | ${c ? `${md(c.profile.title)} (\`${md(c.profile.id)}\` version ${md(c.profile.version)})` : md(report.profile)} |`);
  out.push(`| Scan | ${md(report.startedAt)} — ${md(report.finishedAt)} (${durationText(report)}) |`);
  out.push(`| Tool | ${md(report.tool.name)} ${md(report.tool.version)} |`);
  if (report.scanner) {
    out.push(`| Scanner | ${md(report.scanner.hostname)} — ${md(report.scanner.platform)} |`);
    out.push(
      `| Source address(es) | ${report.scanner.sourceAddresses.map((s) => `${md(s.source ?? 'unknown')} → ${md(s.target)}`).join(', ') || '—'} |`,
    );
  }
  if (report.integrity)
    out.push(
      `| Digest (SHA-256) | \`${report.integrity.digest}\` — detects a damaged copy (\`xferscan verify report.json\`); not a signature: a signed report is checked with \`--public-key\` |`,
    );
  out.push('');
  return out;
}

/** The verdict and one row per endpoint. */
function summaryMarkdown(report: Report): string[] {
  const out: string[] = [];
  const c = report.compliance;
  out.push('## Summary', '');
  const stopped = interruptionText(report);
  if (stopped) out.push(`> **${md(stopped)}**`, '');
  if (c) out.push(`**Verdict: ${c.verdict.replace('-', ' ')}.** ${md(c.statement)}`, '');
  const s = report.summary;
  out.push(
    `${s.fail} fail, ${s.warn} warn, ${s.error} error, ${s.pass} pass, ${s.info} info, ${s.skipped} skipped across ${report.endpoints.length} endpoint(s).`,
    '',
  );
  out.push('| Endpoint | Address | Service | State | Verdict | Failing checks |', '|---|---|---|---|---|---|');
  report.endpoints.forEach((ep, i) => {
    const v = c?.endpoints[i];
    out.push(
      `| ${md(endpointName(ep))} | ${md(ep.address ?? '—')} | ${md(ep.service ?? '—')} | ${md(ep.state)} | ${v ? `**${v.verdict.toUpperCase()}**` : '—'} | ${(v?.failing ?? []).map((id) => `\`${id}\``).join(', ') || '—'} |`,
    );
  });
  out.push('');
  return out;
}

/** The per-control view of the profile, and what the scan cannot prove. */
function controlsMarkdown(report: Report): string[] {
  const out: string[] = [];
  const c = report.compliance;
  if (c) {
    out.push(`## Controls: ${md(c.profile.title)}`, '');
    out.push('| Control | Requirement | Scan can prove | Result | Findings |', '|---|---|---|---|---|');
    for (const ctl of c.controls) {
      // only what decides the result (fail, error, warn) by name; the rest as counts
      const decisive = ctl.findings.filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'warn');
      const refs = [...new Set([...decisive.map((f) => `\`${f.id}\` ${md(f.endpoint)} ${STATUS_LABEL[f.status]}`), ...clusterRefsMd(ctl)])];
      const rest = (['pass', 'info', 'skipped'] as const)
        .map((st) => [st, ctl.findings.filter((f) => f.status === st).length] as const)
        .filter(([, n]) => n > 0)
        .map(([st, n]) => `${n} ${st}`)
        .join(', ');
      const cell = [refs.slice(0, 6).join('<br>') + (refs.length > 6 ? ` … +${refs.length - 6}` : ''), rest].filter(Boolean).join('<br>');
      out.push(
        `| ${md(ctl.ref)} | ${md(ctl.title)} | ${ctl.testability} | ${CONTROL_LABEL[ctl.status]} — ${md(ctl.reason)} | ${cell || '—'} |`,
      );
    }
    out.push('');
    const nt = c.controls.filter((x) => x.status === 'not-testable');
    if (nt.length) {
      out.push('### What this scan cannot prove', '');
      for (const x of nt) out.push(`- **${md(x.ref)}** ${md(x.title)} — ${md(x.note)}`);
      out.push('');
    }
  }
  return out;
}

/** The firewall view and the missing rules. */
function firewallMarkdown(report: Report): string[] {
  const out: string[] = [];
  const fw = report.firewall;
  if (fw) {
    out.push('## Firewall', '', md(fw.statement), '');
    out.push('| Endpoint | Control | Passive ports (observed / expected) | Active mode | Missing rules |', '|---|---|---|---|---|');
    for (const e of fw.endpoints) {
      const p = e.passive;
      const pass = p
        ? `${p.observed.join(', ') || '—'} / ${p.expectedRange ? p.expectedRange.join('-') : '—'}${p.filtered.length ? `; filtered: ${p.filtered.join(', ')}` : ''}${p.closed.length ? `; closed: ${p.closed.join(', ')}` : ''}${p.outsideExpected.length ? `; outside expected: ${p.outsideExpected.join(', ')}` : ''}`
        : '—';
      const act =
        !e.active || !e.active.tested
          ? 'not tested'
          : e.active.ok
            ? 'works'
            : e.active.noConnectBack
              ? 'does not connect back'
              : 'refused by the server';
      out.push(`| ${md(e.endpoint)} | ${md(`${e.control.port} ${e.control.state}`)} | ${md(pass)} | ${act} | ${e.missing.length || '—'} |`);
    }
    out.push('');
    const missing = fw.endpoints.flatMap((e) => e.missing.map((r) => `${e.endpoint}: ${r.text}\n    why: ${r.evidence}`));
    if (missing.length) out.push('### Missing rules (for the firewall team)', '', fence(missing.join('\n')), '');
  }
  return out;
}

/** Every endpoint's findings. */
function findingsMarkdown(report: Report): string[] {
  const out: string[] = [];
  out.push('## Findings', '');
  for (const ep of report.endpoints) {
    out.push(`### ${md(endpointName(ep))}`, '');
    out.push(
      `${md(ep.state)}${ep.service ? `, ${md(ep.service)}` : ''}, address ${md(ep.address ?? 'unresolved')}${ep.banner ? `; banner: ${md(ep.banner)}` : ''}${ep.error ? `; ${md(ep.error)}` : ''}`,
      '',
    );
    for (const extra of [gradeSummary(ep), throttleSummary(ep)]) if (extra) out.push(md(extra), '');
    for (const { f } of sortedFindings(ep.findings)) out.push(finding(f));
    out.push('');
  }
  return out;
}

/** The transcripts, folded. */
function transcriptsMarkdown(report: Report): string[] {
  const out: string[] = [];
  out.push('## Appendix: transcripts', '');
  for (const ep of report.endpoints) {
    out.push(`<details><summary>${md(endpointName(ep))} — ${ep.transcript.length} line(s)</summary>`, '');
    out.push(
      fence(
        ep.transcript.map((l) => `${l.t} ${l.conn} ${l.dir === 'client' ? '>' : l.dir === 'server' ? '<' : '#'} ${l.text}`).join('\n') ||
          '(empty)',
      ),
      '',
      '</details>',
      '',
    );
  }
  return out;
}

export function renderMarkdown(report: Report): string {
  const out = [
    ...headerMarkdown(report),
    ...summaryMarkdown(report),
    ...controlsMarkdown(report),
    ...firewallMarkdown(report),
    ...clusterSectionMarkdown(report, finding, md),
    ...findingsMarkdown(report),
    ...transcriptsMarkdown(report),
  ];
  return `${out.join('\n')}\n`;
}
