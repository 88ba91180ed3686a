// Terminal format: one block per endpoint, its findings worst first, then the summary.
import { createRequire } from 'node:module';
import type * as TableModule from 'table';
import type { EndpointReport, Finding, FindingStatus, Report } from '../src/model.js';

// `table` (and its string-width/emoji tables) is loaded only when a table is drawn: a JSON scan
// should not pay its ~30 ms of start-up.
const requireCjs = createRequire(import.meta.url);
let tableModule: typeof TableModule | null = null;
const loadTable = (): typeof TableModule => (tableModule ??= requireCjs('table') as typeof TableModule);

const ORDER: FindingStatus[] = ['fail', 'error', 'warn', 'info', 'skipped', 'pass'];
const LABEL: Record<FindingStatus, string> = { fail: 'FAIL', error: 'ERROR', warn: 'WARN', info: 'info', skipped: 'skip', pass: 'pass' };

export interface TableOptions {
  /** terminal width to wrap to */
  width?: number;
  color?: boolean;
}

const COLORS: Partial<Record<FindingStatus, string>> = { fail: '31;1', error: '35', warn: '33', pass: '32', skipped: '2' };

function paint(text: string, status: FindingStatus, color: boolean): string {
  const c = COLORS[status];
  return color && c ? `\x1b[${c}m${text}\x1b[0m` : text;
}

function endpointHeader(ep: EndpointReport): string {
  const where = `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
  const addr = ep.address && ep.address !== ep.host ? ` (${ep.address})` : '';
  const svc = ep.service ? `  ${ep.service}` : '';
  const time = ep.connectMs !== null ? `  ${ep.connectMs} ms` : '';
  const err = ep.error ? `\n  ${ep.error}` : '';
  const banner = ep.banner ? `\n  banner: ${ep.banner.split('\n')[0].slice(0, 100)}` : '';
  return `${where}${addr}  ${ep.state}${svc}${time}${banner}${err}`;
}

function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const width = Math.max(80, Math.min(opts.width ?? 120, 200));
  const color = opts.color ?? false;
  const detailWidth = Math.max(30, width - 48);
  const { table, getBorderCharacters } = loadTable();
  const parts: string[] = [];
  for (const ep of report.endpoints) {
    parts.push(endpointHeader(ep));
    const rows = sortFindings(ep.findings).map((f) => [
      paint(LABEL[f.status], f.status, color),
      f.severity,
      f.id,
      `${f.title}\n${f.detail}${f.remediation && (f.status === 'fail' || f.status === 'warn') ? `\nFix: ${f.remediation}` : ''}`,
    ]);
    if (rows.length > 0) {
      parts.push(
        table([['status', 'sev', 'check', 'finding'], ...rows], {
          border: getBorderCharacters('norc'),
          columns: { 0: { width: 6 }, 1: { width: 8 }, 2: { width: 24, wrapWord: true }, 3: { width: detailWidth, wrapWord: true } },
          drawHorizontalLine: (i, size) => i === 0 || i === 1 || i === size,
        }),
      );
    } else {
      parts.push('');
    }
  }
  const s = report.summary;
  parts.push(
    `${report.endpoints.length} endpoint(s) in ${((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1)} s, profile ${report.profile}: ` +
      `${s.fail} fail, ${s.warn} warn, ${s.error} error, ${s.info} info, ${s.skipped} skipped, ${s.pass} pass`,
  );
  const c = report.compliance;
  if (c) {
    const bad = c.controls.filter((x) => x.status === 'not-satisfied').map((x) => x.ref);
    parts.push(
      `${c.profile.title} (profile ${c.profile.id} ${c.profile.version}): ${c.verdict.toUpperCase()} — controls ${c.counts.satisfied} satisfied, ${c.counts['not-satisfied']} not satisfied${bad.length ? ` (${bad.join(', ')})` : ''}, ${c.counts['not-assessed']} not assessed, ${c.counts['not-testable']} not testable by a network scan`,
    );
  }
  const fw = report.firewall;
  if (fw) {
    parts.push(`Firewall: ${fw.statement}`);
    for (const e of fw.endpoints) for (const r of e.missing) parts.push(`  ${e.endpoint}: ${r.text}\n    (${r.evidence})`);
  }
  if (report.integrity) parts.push(`report digest sha256:${report.integrity.digest}`);
  return `${parts.join('\n')}\n`;
}
