// Helpers shared by the renderers: escaping and presentation order. Nothing here judges: every
// status, verdict and control result comes from the JSON report.
import type { EndpointReport, Finding, FindingStatus, Report, Severity } from '../src/model.js';

export const STATUS_ORDER: FindingStatus[] = ['fail', 'error', 'warn', 'info', 'skipped', 'pass'];
export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const STATUS_LABEL: Record<FindingStatus, string> = {
  fail: 'FAIL',
  error: 'ERROR',
  warn: 'WARN',
  info: 'info',
  skipped: 'skipped',
  pass: 'pass',
};

export function endpointName(ep: Pick<EndpointReport, 'host' | 'port'>): string {
  return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
}

/** A URI naming the endpoint (for SARIF locations and JUnit class names). */
export function endpointUri(ep: Pick<EndpointReport, 'host' | 'port' | 'service'>): string {
  const scheme =
    ep.service === 'sftp'
      ? 'sftp'
      : ep.service === 'ftps-implicit'
        ? 'ftps'
        : ep.service === 'ftps-explicit'
          ? 'ftpes'
          : ep.service === 'ftp'
            ? 'ftp'
            : 'tcp';
  return `${scheme}://${endpointName(ep)}`;
}

/** Findings worst first (status, then severity), keeping each one's index in the endpoint. */
export function sortedFindings(findings: Finding[]): { f: Finding; i: number }[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.f.status) - STATUS_ORDER.indexOf(b.f.status) ||
        SEVERITY_ORDER.indexOf(a.f.severity) - SEVERITY_ORDER.indexOf(b.f.severity) ||
        a.i - b.i,
    );
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// Characters XML 1.0 does not allow at all (C0 controls but tab/CR/LF, lone surrogates, U+FFFE/FFFF).

const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content and attributes; characters XML cannot carry become U+FFFD. */
export function escapeXml(s: unknown): string {
  return visible(s)
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Durations from the report's own timestamps, for display. */
export function durationText(report: Pick<Report, 'startedAt' | 'finishedAt'>): string {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '?';
}

export type RemediationBlock = { kind: 'text'; text: string } | { kind: 'code'; text: string };

/**
 * A remediation as text paragraphs and code blocks: check texts mark configuration snippets with
 * ``` fences (sshd Match blocks, config lines) and inline names with `backticks`. One pass, linear.
 */
export function remediationBlocks(s: string): RemediationBlock[] {
  const out: RemediationBlock[] = [];
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('```', i);
    if (open < 0) break;
    const close = s.indexOf('```', open + 3);
    if (close < 0) break;
    const before = s.slice(i, open).trim();
    if (before) out.push({ kind: 'text', text: before });
    // skip an info string ("```conf") up to the first newline
    let body = s.slice(open + 3, close);
    const nl = body.indexOf('\n');
    if (nl >= 0 && /^[\w+-]*$/.test(body.slice(0, nl).trim())) body = body.slice(nl + 1);
    body = body.replace(/\n$/, '');
    out.push({ kind: 'code', text: body });
    i = close + 3;
  }
  const rest = s.slice(i).trim();
  if (rest) out.push({ kind: 'text', text: rest });
  return out;
}

/** Inline text split into plain and `code` spans (an unpaired backtick stays text). */
export function inlineSpans(s: string): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  let i = 0;
  while (i < s.length) {
    const a = s.indexOf('`', i);
    if (a < 0) break;
    const b = s.indexOf('`', a + 1);
    if (b < 0) break;
    if (a > i) out.push({ code: false, text: s.slice(i, a) });
    out.push({ code: true, text: s.slice(a + 1, b) });
    i = b + 1;
  }
  if (i < s.length) out.push({ code: false, text: s.slice(i) });
  return out;
}

export interface FixUnit {
  kind: 'text' | 'code';
  text: string;
}

/**
 * A remediation cut into units a reader can share between findings: sentences and "; " clauses
 * of text, and whole code blocks. "Disable TLS 1.0. vsftpd: …; ProFTPD: …" → three units.
 */
export function fixUnits(remediation: string): FixUnit[] {
  const units: FixUnit[] = [];
  for (const b of remediationBlocks(remediation)) {
    if (b.kind === 'code') {
      units.push({ kind: 'code', text: b.text });
      continue;
    }
    const t = b.text.replace(/\s+/g, ' ');
    let start = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      const endSentence =
        c === '.' &&
        t[i + 1] === ' ' &&
        /[A-Za-z(]/.test(t[i + 2] ?? '') &&
        !/\b(e\.g|i\.e|etc|vs)$/.test(t.slice(Math.max(start, i - 4), i));
      const endClause = c === ';' && t[i + 1] === ' ';
      if (endSentence || endClause) {
        const u = t.slice(start, i + 1).trim();
        if (u) units.push({ kind: 'text', text: u });
        start = i + 2;
        i++;
      }
    }
    const last = t.slice(start).trim();
    if (last) units.push({ kind: 'text', text: last });
  }
  return units;
}

export interface FixGroup {
  /** the checks (ids) this fix covers, in the order given */
  ids: string[];
  /** per check, the units only it has: those before the first shared unit, and those after */
  own: { id: string; units: FixUnit[]; before: FixUnit[]; after: FixUnit[] }[];
  /** units every check of the group shares, said once */
  shared: FixUnit[];
}

const unitKey = (u: FixUnit) => `${u.kind}:${u.text.replace(/[.;]$/, '')}`;

/**
 * Groups remediations so that text several findings share is said once: findings that share a
 * unit (≥ 20 characters) fall into one group. Presentation only: the texts are the checks' own.
 */
export function groupFixes(items: { id: string; remediation: string }[]): FixGroup[] {
  const seen = new Set<string>();
  const list = items.filter((x) => x.remediation.trim() && !seen.has(x.id) && seen.add(x.id));
  const units = list.map((x) => fixUnits(x.remediation));
  // union-find over findings that share a substantial unit
  const parent = list.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const owner = new Map<string, number>();
  units.forEach((us, i) => {
    for (const u of us) {
      if (u.text.length < 20) continue;
      const k = unitKey(u);
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, number[]>();
  list.forEach((_, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  });
  return [...groups.values()].map((members) => {
    if (members.length === 1) {
      const u = units[members[0]];
      return { ids: [list[members[0]].id], own: [{ id: list[members[0]].id, units: u, before: u, after: [] }], shared: [] };
    }
    const count = new Map<string, number>();
    for (const m of members) for (const k of new Set(units[m].map(unitKey))) count.set(k, (count.get(k) ?? 0) + 1);
    const isShared = (u: FixUnit) => (count.get(unitKey(u)) ?? 0) > 1;
    const shared: FixUnit[] = [];
    const sharedSeen = new Set<string>();
    for (const m of members)
      for (const u of units[m])
        if (isShared(u) && !sharedSeen.has(unitKey(u))) {
          sharedSeen.add(unitKey(u));
          shared.push(u);
        }
    return {
      ids: members.map((m) => list[m].id),
      own: members.map((m) => {
        const firstShared = units[m].findIndex(isShared);
        const cut = firstShared < 0 ? units[m].length : firstShared;
        return {
          id: list[m].id,
          units: units[m].filter((u) => !isShared(u)),
          before: units[m].slice(0, cut).filter((u) => !isShared(u)),
          after: units[m].slice(cut).filter((u) => !isShared(u)),
        };
      }),
      shared,
    };
  });
}

/** Joins text units back into prose. */
export function unitsText(units: FixUnit[]): string {
  return units
    .filter((u) => u.kind === 'text')
    .map((u) => u.text)
    .join(' ');
}

// Controls a server could send that no document should carry raw: C0 but TAB/LF/CR, DEL, C1,
// bidi embeddings/overrides/isolates and marks, zero-width characters, BOM, line/paragraph
// separators, lone surrogates.
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Makes control, bidi and zero-width characters visible as \xHH / \uHHHH; lone surrogates become U+FFFD. */
export function visible(s: unknown): string {
  return String(s ?? '').replace(INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\uFFFD';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// What JSON.stringify leaves raw but a terminal, log viewer or browser would act on.
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** JSON.stringify, with C1, bidi and zero-width characters written as \u escapes (same value, inert bytes). */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** "capped by TLS-PROTO-TLS10 (why) and 2 more", or null when nothing capped the grade. */
export function gradeWhy(ep: Pick<EndpointReport, 'grade'>): string | null {
  const g = ep.grade;
  const worst = g?.caps[0];
  if (!g || !worst) return null;
  return `capped by ${worst.id} (${worst.rule})${g.caps.length > 1 ? ` and ${g.caps.length - 1} more` : ''}`;
}

/** "grade B — capped by TLS-PROTO-TLS10 (why)", from the report's grade (docs/grades.md); null without one. */
export function gradeSummary(ep: Pick<EndpointReport, 'grade'>): string | null {
  const g = ep.grade;
  if (!g) return null;
  if (g.grade === null) return 'grade — (nothing was judged)';
  const why = gradeWhy(ep);
  return `grade ${g.grade}${g.complete ? '' : ' (incomplete: a probe broke)'}${why ? ` — ${why}` : ''}`;
}

/** "throttled: 3 refused or delayed connection(s), waited 4.5 s, …", or null when the server never throttled us. */
export function throttleSummary(ep: Pick<EndpointReport, 'throttled'>): string | null {
  const t = ep.throttled;
  if (!t || t.events === 0) return null;
  const kinds = [...new Set(t.log.map((e) => e.kind))].join(', ');
  const gave = t.gaveUp ? `; ${t.gaveUp} still refused after the last attempt (left undecided)` : '';
  return `throttled by the server: ${t.events} refused or delayed connection(s) (${kinds}), backed off ${(t.backoffMs / 1000).toFixed(1)} s${gave}`;
}

/**
 * An endpoint the interrupted scan did not finish: the scheduler's error without an outcome is
 * what src/scan.ts records for an endpoint stopped mid-way or never started (a deadline's carries
 * the outcome "timeout").
 */
const unfinished = (ep: Pick<EndpointReport, 'notScanned' | 'probeRuns'>) =>
  !!ep.notScanned || !!ep.probeRuns?.some((r) => r.probe === 'scheduler' && r.status === 'error' && !r.outcome);

/** Why the scan stopped and what that means, for every renderer to show beside its verdict; null when it finished. */
export function interruptionText(report: Pick<Report, 'interrupted' | 'endpoints'>): string | null {
  if (!report.interrupted) return null;
  const why = report.interrupted === 'internal-error' ? 'internal error' : report.interrupted;
  const n = report.endpoints.filter(unfinished).length;
  return `INTERRUPTED (${why}): results are partial — ${n} of ${report.endpoints.length} endpoint(s) not finished`;
}
