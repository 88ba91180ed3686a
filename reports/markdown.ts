// Markdown: the same story as the HTML report, for tickets, wikis and pull requests.
import type { Finding, Report } from '../src/model.js';
import { durationText, endpointName, sortedFindings, STATUS_LABEL } from './common.js';

/** Inline text: inert in Markdown and in renderers that pass HTML through. */
export function md(s: unknown): string {
  return String(s ?? '')
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}

const CONTROL_LABEL = {
  satisfied: '✅ satisfied',
  'not-satisfied': '❌ NOT satisfied',
  'not-testable': '⬜ not testable by scan',
  'not-assessed': '❔ not assessed',
} as const;

function finding(f: Finding): string {
  const lines = [`- **${STATUS_LABEL[f.status]}** (${f.severity}) \`${f.id}\` — ${md(f.title)}: ${md(f.detail)}`];
  if (f.remediation) lines.push(`  - Fix: ${md(f.remediation)}`);
  if (f.controls.length) lines.push(`  - Controls: ${f.controls.map(md).join('; ')}`);
  if (f.evidence.length) {
    const ev = f.evidence.map((e) => `${e.label}: ${e.value}`).join('\n');
    lines.push(`  <details><summary>Evidence (${f.evidence.length})</summary>\n\n${fence(ev).replace(/^/gm, '  ')}\n\n  </details>`);
  }
  return lines.join('\n');
}

export function renderMarkdown(report: Report): string {
  const c = report.compliance;
  const out: string[] = [];
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
  if (report.integrity) out.push(`| Digest (SHA-256) | \`${report.integrity.digest}\` (check: \`xferscan verify report.json\`) |`);
  out.push('');
  out.push('## Summary', '');
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
  if (c) {
    out.push(`## Controls: ${md(c.profile.title)}`, '');
    out.push('| Control | Requirement | Scan can prove | Result | Findings |', '|---|---|---|---|---|');
    for (const ctl of c.controls) {
      const refs = [
        ...new Set(
          ctl.findings.filter((f) => f.status !== 'skipped').map((f) => `\`${f.id}\` ${md(f.endpoint)} ${STATUS_LABEL[f.status]}`),
        ),
      ];
      out.push(
        `| ${md(ctl.ref)} | ${md(ctl.title)} | ${ctl.testability} | ${CONTROL_LABEL[ctl.status]} — ${md(ctl.reason)} | ${refs.slice(0, 6).join('<br>') || '—'}${refs.length > 6 ? ` … +${refs.length - 6}` : ''} |`,
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
  out.push('## Findings', '');
  for (const ep of report.endpoints) {
    out.push(`### ${md(endpointName(ep))}`, '');
    out.push(
      `${md(ep.state)}${ep.service ? `, ${md(ep.service)}` : ''}, address ${md(ep.address ?? 'unresolved')}${ep.banner ? `; banner: ${md(ep.banner)}` : ''}${ep.error ? `; ${md(ep.error)}` : ''}`,
      '',
    );
    for (const { f } of sortedFindings(ep.findings)) out.push(finding(f));
    out.push('');
  }
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
  return `${out.join('\n')}\n`;
}
