// Terminal format, for a person: per endpoint one verdict line (verdict, endpoint, service,
// counts, software/TLS/SSH facts), then only what needs action (fail, error, warn; more with
// --level / --all), one line each and grouped by area, then the fixes, where text several
// findings share is said once; last a summary naming the failing checks and, under a profile, the
// failed controls by number and title. No box grids: every line fits the width it is given
// (≥ 40 cells; wide characters counted), so it reads the same at 60, 80 or 200 columns. Colour
// only when asked (the CLI asks on a TTY without NO_COLOR). Server text is made inert first.
import type { EndpointReport, Finding, FindingStatus, Report } from '../src/model.js';
import type { EndpointOverview } from '../src/report-meta.js';
import {
  endpointName,
  gradeWhy,
  groupFixes,
  interruptionText,
  throttleSummary,
  inlineSpans,
  SEVERITY_ORDER,
  STATUS_ORDER,
  type FixUnit,
} from './common.js';
import { capText, cellWidth, inert, truncate, wrap, wrapCode } from './text.js';
import { groupLine, groupVerdict } from './cluster.js';

export type TableLevel = 'fail' | 'warn' | 'info' | 'all';

export interface TableOptions {
  /** terminal width to fit (default 80; at least 40 is used) */
  width?: number;
  color?: boolean;
  /** which findings to list: fail (fail, error), warn (+ warn; default), info (+ info), all (+ pass, skipped) */
  level?: TableLevel;
  /** verdict lines only */
  quiet?: boolean;
  /** details and evidence under each finding */
  verbose?: boolean;
}

const LEVEL_STATUSES: Record<TableLevel, FindingStatus[]> = {
  fail: ['fail', 'error'],
  warn: ['fail', 'error', 'warn'],
  info: ['fail', 'error', 'warn', 'info'],
  all: ['fail', 'error', 'warn', 'info', 'skipped', 'pass'],
};

const LABEL: Record<FindingStatus, string> = { fail: 'FAIL', error: 'ERR ', warn: 'WARN', info: 'info', skipped: 'skip', pass: 'pass' };
const SEV: Record<string, string> = { critical: 'crit', high: 'high', medium: 'med ', low: 'low ', info: 'info' };
const COLORS: Record<string, string> = {
  fail: '31;1',
  error: '35;1',
  warn: '33;1',
  pass: '32',
  skipped: '2',
  info: '36',
  'not-open': '2',
  dim: '2',
  bold: '1',
};

/** Areas findings are grouped by, in reading order. */
const AREAS: [RegExp, string][] = [
  [/^(NET-|POLICY-)/, 'Network and policy'],
  [/^FTPS?-/, 'FTP and FTPS'],
  [/^TLS-(PROTO|NO-)/, 'TLS versions'],
  [/^TLS-CERT-/, 'Certificate'],
  [/^TLS-/, 'TLS cipher suites and extensions'],
  [/^SSH-/, 'SSH and SFTP'],
  [/^(CLUSTER-|HOSTKEY-SHARED)/, 'Clusters'],
  [/./, 'Other'],
];
const areaOf = (id: string) => AREAS.find(([re]) => re.test(id))![1];

const MAX_DETAIL = 2000;

class Out {
  readonly lines: string[] = [];
  constructor(
    readonly width: number,
    private readonly color: boolean,
  ) {}
  paint(text: string, key: string): string {
    const c = COLORS[key];
    return this.color && c ? `\x1b[${c}m${text}\x1b[0m` : text;
  }
  /** a line whose plain text is already inert and fits */
  push(line = ''): void {
    this.lines.push(line);
  }
  /** word-wrapped untrusted text */
  text(s: string, first: string, rest = ' '.repeat(cellWidth(first))): void {
    for (const l of wrap(inert(s), this.width, first, rest)) this.lines.push(l);
  }
}

function verdictLabel(o: Pick<EndpointOverview, 'verdict'>, ep: EndpointReport): string {
  return o.verdict === 'not-open' ? ep.state.toUpperCase() : o.verdict.toUpperCase();
}

function countsText(c: Report['summary']): string {
  const parts = (['fail', 'error', 'warn', 'pass', 'info', 'skipped'] as const).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return parts.join(', ') || 'no findings';
}

/** The overview of an endpoint, from the report or (older reports) from its findings. */
function overviewOf(report: Report, ep: EndpointReport, i: number): EndpointOverview {
  const o = report.overview?.endpoints[i];
  if (o) return o;
  const counts = { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 };
  for (const f of ep.findings) counts[f.status] += 1;
  const v = report.compliance?.endpoints[i]?.verdict;
  return {
    endpoint: endpointName(ep),
    verdict: v ?? (counts.fail ? 'fail' : counts.error ? 'error' : counts.warn ? 'warn' : ep.state !== 'open' ? 'not-open' : 'pass'),
    counts,
    software: null,
    facts: [],
    timing: { startedAt: null, finishedAt: null, ms: null },
  };
}

function verdictLine(out: Out, report: Report, ep: EndpointReport, i: number): void {
  const o = overviewOf(report, ep, i);
  const label = verdictLabel(o, ep);
  const pad = ' '.repeat(Math.max(1, 6 - label.length));
  const where = inert(endpointName(ep));
  const svc = ep.state === 'open' ? inert(ep.service ?? 'unknown service') : inert(ep.outcome ?? ep.state);
  const sw = o.software ? inert(`${o.software.product}${o.software.version ? ` ${o.software.version}` : ''}`) : null;
  const grade = ep.grade?.grade ? [`grade ${ep.grade.grade}${ep.grade.complete ? '' : ' (incomplete)'}`] : [];
  const facts = [svc, ...(sw ? [sw] : []), ...o.facts.map(inert), ...grade].join(' · ');
  const counts = ep.state === 'open' || ep.findings.length ? countsText(o.counts) : '';
  const time = o.timing.ms !== null ? ` · ${(o.timing.ms / 1000).toFixed(1)} s` : '';
  const plain = `${label}${pad}${where}  ${facts}`;
  const lines = wrap(plain, out.width, '', '      ');
  lines[0] = lines[0].replace(label, out.paint(label, o.verdict === 'not-open' ? 'not-open' : o.verdict));
  for (const l of lines) out.push(l);
  if (counts) out.text(`${counts}${time}`, '      ');
  for (const extra of [gradeWhy(ep), throttleSummary(ep)]) if (extra) out.text(inert(extra), '      ');
  if (ep.error) out.text(capText(ep.error, 400), '      ');
}

function findingLine(out: Out, f: Finding, idWidth: number, verbose: boolean): void {
  // below 80 columns the severity column and the id padding give way to the text
  const head =
    out.width >= 80
      ? `  ${LABEL[f.status]} ${SEV[f.severity] ?? f.severity.slice(0, 4)} ${f.id.padEnd(idWidth)} `
      : `  ${LABEL[f.status]} ${f.id} `;
  const headW = cellWidth(head);
  const title = inert(f.title);
  const detail = inert(capText(f.detail, MAX_DETAIL));
  if (!verbose) {
    const text = detail ? `${title} — ${detail}` : title;
    const line = head + truncate(text, out.width - headW);
    out.push(line.replace(LABEL[f.status], out.paint(LABEL[f.status], f.status)));
    return;
  }
  const lines = wrap(title, out.width, head, ' '.repeat(headW));
  lines[0] = lines[0].replace(LABEL[f.status], out.paint(LABEL[f.status], f.status));
  for (const l of lines) out.push(l);
  if (detail) out.text(detail, ' '.repeat(Math.min(headW, 10)));
  if (f.controls.length) out.text(`controls: ${f.controls.join('; ')}`, ' '.repeat(Math.min(headW, 10)));
  for (const e of f.evidence.slice(0, 6)) out.text(`${e.label}: ${capText(e.value, 300)}`, ' '.repeat(Math.min(headW, 10)) + '· ');
  if (f.evidence.length > 6)
    out.text(`… ${f.evidence.length - 6} more evidence item(s) in the JSON report`, ' '.repeat(Math.min(headW, 10)));
}

function sortByWorst(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.f.status) - STATUS_ORDER.indexOf(b.f.status) ||
        SEVERITY_ORDER.indexOf(a.f.severity) - SEVERITY_ORDER.indexOf(b.f.severity) ||
        a.i - b.i,
    )
    .map((x) => x.f);
}

/** A text unit with `code` spans shown as their plain text (no backticks reach the terminal). */
const plainInline = (s: string) =>
  inlineSpans(s)
    .map((x) => x.text)
    .join('');

function fixUnitsOut(out: Out, units: FixUnit[], indent: string): void {
  let prose: string[] = [];
  const flush = () => {
    if (prose.length) out.text(prose.join(' '), indent);
    prose = [];
  };
  for (const u of units) {
    if (u.kind === 'text') {
      prose.push(plainInline(capText(u.text, MAX_DETAIL)));
      continue;
    }
    flush();
    for (const raw of u.text.split('\n').slice(0, 40)) for (const l of wrapCode(inert(raw), out.width, `${indent}  `, '↪ ')) out.push(l);
  }
  flush();
}

/** Fix texts already printed for an earlier endpoint (a fleet repeats them): signature → where. */
type SeenFixes = Map<string, string>;

function fixesOut(out: Out, findings: Finding[], where: string, seen: SeenFixes | null): void {
  const groups = groupFixes(findings.filter((f) => f.status !== 'pass').map((f) => ({ id: f.id, remediation: f.remediation })));
  if (!groups.length) return;
  out.push('');
  out.push(`  ${out.paint('How to fix', 'bold')}`);
  for (const g of groups) {
    const signature = `${g.ids.join(',')}\n${[...g.own.flatMap((o) => o.units), ...g.shared].map((u) => u.text).join('\n')}`;
    const earlier = seen?.get(signature);
    if (earlier) {
      out.text(`${g.ids.join(', ')}: as for ${earlier} above`, '  ▸ ', '    ');
      continue;
    }
    seen?.set(signature, where);
    out.text(g.ids.join(', '), '  ▸ ', '    ');
    if (g.ids.length === 1 && !g.shared.length) {
      fixUnitsOut(out, g.own[0].units, '    ');
      continue;
    }
    for (const o of g.own) if (o.before.length) fixUnitsOut(out, o.before, '    ');
    fixUnitsOut(out, g.shared, '    ');
    for (const o of g.own) if (o.after.length) fixUnitsOut(out, o.after, `    ${o.id}: `);
  }
}

function endpointBlock(
  out: Out,
  report: Report,
  ep: EndpointReport,
  i: number,
  o: Required<Pick<TableOptions, 'level' | 'verbose'>>,
  seen: SeenFixes,
): void {
  verdictLine(out, report, ep, i);
  const shown = sortByWorst(ep.findings.filter((f) => LEVEL_STATUSES[o.level].includes(f.status)));
  const shownSet = new Set(shown);
  const hidden = ep.findings.length - shown.length;
  if (shown.length) {
    const idWidth = Math.min(26, Math.max(...shown.map((f) => f.id.length)), Math.max(10, out.width - 34));
    const byArea = new Map<string, Finding[]>();
    for (const f of shown) byArea.set(areaOf(f.id), [...(byArea.get(areaOf(f.id)) ?? []), f]);
    const areas = AREAS.map(([, a]) => a).filter((a) => byArea.has(a));
    for (const a of areas) {
      if (areas.length > 1) out.push(`  ${out.paint(a, 'dim')}`);
      for (const f of byArea.get(a)!) findingLine(out, f, idWidth, o.verbose);
    }
    fixesOut(
      out,
      areas.flatMap((a) => byArea.get(a)!),
      inert(endpointName(ep)),
      o.verbose ? null : seen,
    );
  }
  if (hidden > 0) {
    const c = { pass: 0, skipped: 0, info: 0, warn: 0, fail: 0, error: 0 };
    for (const f of ep.findings) if (!shownSet.has(f)) c[f.status] += 1;
    const what = (['pass', 'info', 'skipped', 'warn'] as const)
      .filter((k) => c[k])
      .map((k) => `${c[k]} ${k === 'pass' ? 'passed' : k}`)
      .join(', ');
    out.text(`${what} not shown (${o.level === 'info' ? '--all' : '--level info or --all'} lists them)`, '  ');
  }
}

/** One verdict line per group (and the scan-wide cluster findings), then its findings as for an endpoint. */
function clustersOut(
  out: Out,
  report: Report,
  o: Required<Pick<TableOptions, 'level' | 'verbose'>> & { quiet: boolean },
  seen: SeenFixes,
): void {
  const v = report.clusters;
  if (!v) return;
  const blocks: { head: string; verdict: string; findings: Finding[]; where: string }[] = [
    ...v.groups.map((g) => ({
      head: `group ${g.name}  ${groupLine(g)}`,
      verdict: groupVerdict(g),
      findings: g.findings,
      where: `group ${g.name}`,
    })),
    ...(v.findings.length ? [{ head: 'across the scan', verdict: groupVerdict(v), findings: v.findings, where: 'the scan' }] : []),
  ];
  for (const b of blocks) {
    if (!o.quiet) out.push('');
    const label = b.verdict.toUpperCase();
    const lines = wrap(inert(`${label}${' '.repeat(Math.max(1, 6 - label.length))}${b.head}`), out.width, '', '      ');
    lines[0] = lines[0].replace(label, out.paint(label, b.verdict));
    for (const l of lines) out.push(l);
    if (o.quiet) continue;
    const shown = sortByWorst(b.findings.filter((f) => LEVEL_STATUSES[o.level].includes(f.status)));
    const idWidth = Math.min(30, Math.max(10, ...shown.map((f) => f.id.length)), Math.max(10, out.width - 34));
    for (const f of shown) {
      findingLine(out, f, idWidth, o.verbose);
      // a difference is only useful with the nodes and values it names: the detail in full
      if (!o.verbose && f.status !== 'pass') out.text(capText(f.detail, MAX_DETAIL), '      ');
    }
    if (shown.length) fixesOut(out, shown, inert(b.where), o.verbose ? null : seen);
  }
}

/** An interrupted scan says so in one line (its first word painted as a failure). */
function interruptionOut(out: Out, report: Report): void {
  const t = interruptionText(report);
  if (!t) return;
  const first = out.lines.length;
  out.text(t, '', '  ');
  out.lines[first] = out.lines[first]!.replace('INTERRUPTED', out.paint('INTERRUPTED', 'fail'));
}

function summaryOut(out: Out, report: Report): void {
  const s = report.summary;
  out.push('');
  out.text(
    `${report.endpoints.length} endpoint(s), profile ${report.profile}: ${countsText(s)} · ${(Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000 || 0).toFixed(1)} s`,
    '',
    '  ',
  );
  interruptionOut(out, report);
  if (report.vantage?.proxy)
    out.text(`scanned through the proxy ${report.vantage.proxy}: active mode and FTP bounce untestable from there`, '', '  ');
  const failing = report.overview?.failingChecks ?? [
    ...new Set(report.endpoints.flatMap((e) => e.findings.filter((f) => f.status === 'fail').map((f) => f.id))),
  ];
  if (failing.length) out.text(failing.join(', '), 'Failing checks: ', '  ');
  const c = report.compliance;
  if (c) {
    const bad = c.controls.filter((x) => x.status === 'not-satisfied');
    const verdict = c.verdict === 'not-satisfied' ? 'NOT SATISFIED' : c.verdict.toUpperCase();
    out.text(
      `${c.profile.title}: ${verdict} — ${c.counts['not-satisfied']} control(s) not satisfied, ${c.counts.satisfied} satisfied, ${c.counts['not-assessed']} not assessed, ${c.counts['not-testable']} not testable by a scan`,
      '',
      '  ',
    );
    for (const x of bad) out.text(inert(x.title), `  ${inert(x.ref).padEnd(8)} `);
  }
  const fw = report.firewall;
  if (fw) {
    const missing = fw.endpoints.flatMap((e) => e.missing.map((r) => `${e.endpoint}: ${r.text}`));
    if (missing.length) {
      out.text(fw.statement, 'Firewall: ', '  ');
      for (const m of missing) out.text(m, '  - ', '    ');
    }
  }
  if (report.integrity)
    out.text(`sha256:${report.integrity.digest} (a checksum against accidental change, not a signature)`, 'Report digest ', '  ');
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const width = Math.max(40, Math.min(opts.width || 80, 400));
  const out = new Out(width, opts.color ?? false);
  const level = opts.level ?? 'warn';
  const verbose = opts.verbose ?? false;
  const seen: SeenFixes = new Map();
  if (opts.quiet) {
    report.endpoints.forEach((ep, i) => verdictLine(out, report, ep, i));
    clustersOut(out, report, { level, verbose, quiet: true }, seen);
    interruptionOut(out, report);
    return `${out.lines.join('\n')}\n`;
  }
  report.endpoints.forEach((ep, i) => {
    if (i > 0) out.push('');
    endpointBlock(out, report, ep, i, { level, verbose }, seen);
  });
  clustersOut(out, report, { level, verbose, quiet: false }, seen);
  summaryOut(out, report);
  return `${out.lines.join('\n')}\n`;
}
