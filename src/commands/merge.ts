// xferscan merge A.json B.json … : combines reports of shards (or of separate runs) into one.
// Inputs are JSON reports (--format json) or NDJSON streams (--format ndjson). Endpoints are
// concatenated and de-duplicated by host:port — when one appears in several inputs, the one from
// the input that finished last wins (ties: the later argument). The summary, the per-control
// compliance view (for the inputs' profile), the firewall view and the SHA-256 digest are
// recomputed, as a fresh scan's would be.
import type { ClusterView, EndpointReport, Report } from '../model.js';
import { clusterFindings, tally } from '../knowledge/summary.js';
import { mergeClusterViews } from '../cluster/view.js';
import { UsageError } from '../targets.js';
import { readReportFile } from './read-report.js';
import { summarize } from '../scan.js';
import { finalizeReport } from '../report-meta.js';
import { builtinProfile, ProfileError, profileCheckOptions, profileSelection, resolveProfile, type Profile } from '../profiles/index.js';
import { endpointName } from '../profiles/compliance.js';
import { readTextFile } from '../files.js';
import { validateClusters, validateEndpoint } from '../model/validate.js';
import type { ClustersLine, EndpointLine, SummaryLine } from '../../reports/ndjson.js';

/** A line as read, before validation: any of the shapes reports/ndjson.ts writes. */
type LineRead = Partial<Omit<EndpointLine, 'type' | 'scan'> & Omit<ClustersLine, 'type' | 'scan'> & Omit<SummaryLine, 'type'>> & {
  type?: string;
};

export interface MergeInput {
  file: string;
  report: Report;
  /** where the report came from: a JSON report or an NDJSON stream */
  kind: 'json' | 'ndjson';
}

/** The reasons an interrupted scan can carry (report.interrupted); anything else in a file is not ours. */
const INTERRUPT_REASONS: readonly string[] = ['SIGINT', 'SIGTERM', 'internal-error'];

function interruptedOf(file: string, v: unknown): Pick<Report, 'interrupted'> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'string' || !INTERRUPT_REASONS.includes(v))
    throw new UsageError(`${file}: "interrupted" is ${JSON.stringify(v)}, not one of ${INTERRUPT_REASONS.join(', ')}`);
  return { interrupted: v as Report['interrupted'] };
}

export interface NdjsonRead {
  report: Report;
  /** whether the stream has the summary line a scan writes last (a scan cut off, or `report --format ndjson`, has none) */
  complete: boolean;
}

/** Parses an NDJSON stream written by `scan --format ndjson` (or `report --format ndjson`) back into a report (without compliance/digest). */
export function parseNdjson(file: string, text: string): NdjsonRead {
  const endpoints: { index: number; ep: EndpointReport }[] = [];
  let meta: Partial<SummaryLine['scan']> = {};
  let clusters: ClusterView | undefined;
  let sawSummary = false;
  let interrupted: unknown;
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    let o: LineRead;
    try {
      o = JSON.parse(l);
    } catch (err) {
      throw new UsageError(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    if (o.type === 'endpoint' && o.endpoint) {
      const valid = validateEndpoint(o.endpoint);
      if (!valid.ok) throw new UsageError(`${file}:${i + 1}: not a valid xferscan endpoint: ${valid.error}`);
      endpoints.push({ index: typeof o.index === 'number' ? o.index : endpoints.length, ep: o.endpoint });
      meta = { ...o.scan, ...meta };
      interrupted ??= o.scan?.interrupted;
    } else if (o.type === 'clusters') {
      const valid = validateClusters(o.clusters);
      if (!valid.ok) throw new UsageError(`${file}:${i + 1}: not a valid xferscan clusters line: ${valid.error}`);
      clusters = valid.value;
    } else if (o.type === 'summary') {
      sawSummary = true;
      meta = { ...meta, ...o.scan };
      interrupted = o.interrupted ?? interrupted;
    } else {
      throw new UsageError(`${file}:${i + 1}: not an xferscan NDJSON line (type "endpoint" with host, port and findings, or "summary")`);
    }
  });
  if (!meta.tool || meta.tool.name !== 'xferscan') throw new UsageError(`${file}: no xferscan NDJSON lines in it`);
  endpoints.sort((a, b) => a.index - b.index);
  const eps = endpoints.map((e) => e.ep);
  const report: Report = {
    schemaVersion: 1,
    tool: meta.tool,
    startedAt: meta.startedAt ?? '',
    finishedAt: meta.finishedAt ?? meta.startedAt ?? '',
    profile: meta.profile ?? 'baseline',
    ...(meta.options ? { options: meta.options } : {}),
    ...(meta.vantage ? { vantage: meta.vantage } : {}),
    endpoints: eps,
    summary: tally(summarize(eps), clusterFindings(clusters)),
    ...(clusters ? { clusters } : {}),
    ...interruptedOf(file, interrupted),
  };
  return { report, complete: sawSummary };
}

/** Reads an NDJSON stream for merge: a stream without its summary line is merged, with a warning. */
export function readNdjsonReport(file: string, text: string): Report {
  const { report, complete } = parseNdjson(file, text);
  if (!complete) process.stderr.write(`xferscan: warning: ${file} has no summary line: the scan that wrote it may not have finished\n`);
  return report;
}

/** A JSON report is one document; an NDJSON stream has one object per line. */
export function isNdjson(file: string, text: string): boolean {
  if (/\.ndjson$|\.jsonl$/i.test(file)) return true;
  try {
    const o = JSON.parse(text.split('\n', 1)[0]!) as { type?: string };
    return o !== null && typeof o === 'object' && (o.type === 'endpoint' || o.type === 'summary');
  } catch {
    return false;
  }
}

export function readMergeInput(file: string): MergeInput {
  const text = readTextFile(file);
  return isNdjson(file, text)
    ? { file, report: readNdjsonReport(file, text), kind: 'ndjson' }
    : { file, report: readReportFile(file), kind: 'json' };
}

/**
 * The profile the inputs were judged with; all inputs must agree. Only a built-in profile is
 * looked up by the name a report carries: a report is data, and a path inside it (a profile
 * "file" such as /dev/zero or ~/.ssh/id_rsa) is never opened. A custom profile comes from the
 * user's own --profile FILE.
 */
function profileOf(inputs: MergeInput[], profileFile?: string): Profile {
  const ids = [...new Set(inputs.map((i) => i.report.profile))];
  if (ids.length > 1)
    throw new UsageError(
      `the reports were judged with different profiles (${ids.map((x) => JSON.stringify(x)).join(', ')}): merge reports of one profile, or re-render them first`,
    );
  const id = ids[0];
  if (profileFile) {
    let p: Profile;
    try {
      p = resolveProfile(profileFile);
    } catch (err) {
      if (err instanceof ProfileError) throw new UsageError(err.message);
      throw err;
    }
    if (p.id !== id) throw new UsageError(`--profile ${profileFile} is "${p.id}", but the reports were judged with "${id}"`);
    return p;
  }
  const builtin = builtinProfile(id);
  if (builtin) return builtin;
  throw new UsageError(
    `cannot recompute compliance: the reports were judged with profile ${JSON.stringify(id)}, which is not built in; give its file with --profile FILE`,
  );
}

/** The inputs' endpointSources (inventory lines per endpoint, for SARIF), combined. */
function mergedSources(inputs: MergeInput[]): { endpointSources?: Record<string, string> } {
  const out: Record<string, string> = {};
  for (const i of inputs) {
    const m = i.report.options?.endpointSources;
    if (m && typeof m === 'object' && !Array.isArray(m))
      for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  }
  return Object.keys(out).length ? { endpointSources: out } : {};
}

export interface MergeResult {
  report: Report;
  duplicates: string[];
}

/** Merges reports (pure but for resolving a profile file). */
export function mergeReports(inputs: MergeInput[], profileFile?: string): MergeResult {
  if (inputs.length === 0) throw new UsageError('merge: give at least one report');
  const profile = profileOf(inputs, profileFile);
  // Later-finishing inputs win on duplicates; order otherwise follows the arguments.
  const rank = inputs.map((inp, k) => ({ inp, k, t: Date.parse(inp.report.finishedAt) || 0 }));
  const winner = new Map<string, { rank: number; k: number }>();
  const seen = new Map<string, number>();
  rank.forEach(({ inp, k, t }) => {
    for (const ep of inp.report.endpoints) {
      const key = endpointName(ep);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const w = winner.get(key);
      if (!w || t > w.rank || (t === w.rank && k > w.k)) winner.set(key, { rank: t, k });
    }
  });
  const endpoints: EndpointReport[] = [];
  const placed = new Set<string>();
  inputs.forEach((inp, k) => {
    for (const ep of inp.report.endpoints) {
      const key = endpointName(ep);
      if (placed.has(key) || winner.get(key)!.k !== k) continue;
      placed.add(key);
      endpoints.push(ep);
    }
  });
  const duplicates = [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k);
  const started = inputs
    .map((i) => i.report.startedAt)
    .filter(Boolean)
    .sort();
  const finished = inputs
    .map((i) => i.report.finishedAt)
    .filter(Boolean)
    .sort();
  const first = inputs[0].report;
  const scannerSources = inputs.flatMap((i) => i.report.scanner?.sourceAddresses ?? []);
  const uniqueSources = [...new Map(scannerSources.map((s) => [`${s.target}|${s.source}`, s])).values()];
  const merged: Report = {
    schemaVersion: 1,
    tool: first.tool,
    startedAt: started[0] ?? first.startedAt,
    finishedAt: finished[finished.length - 1] ?? first.finishedAt,
    profile: profile.id,
    options: {
      ...(first.options ?? {}),
      merged: inputs.map((i) => ({
        file: i.file,
        format: i.kind,
        startedAt: i.report.startedAt,
        finishedAt: i.report.finishedAt,
        endpoints: i.report.endpoints.length,
        digest: i.report.integrity?.digest ?? null,
        shard: (i.report.options?.shard as string | undefined) ?? null,
      })),
      shard: null,
      ...mergedSources(inputs),
    },
    endpoints,
    summary: summarize(endpoints),
    // a shard that was interrupted leaves the whole partial: the merged report says so
    ...interruptedOf('merge', inputs.find((i) => i.report.interrupted)?.report.interrupted),
  };
  const clusters = mergeClusterViews(
    inputs.flatMap((i) => (i.report.clusters ? [i.report.clusters] : [])),
    endpoints,
    { checkOptions: profileCheckOptions(profile), selection: profileSelection(profile) },
  );
  if (clusters) {
    merged.clusters = clusters;
    tally(merged.summary, clusterFindings(clusters));
  }
  const scanner = first.scanner ? { ...first.scanner, sourceAddresses: uniqueSources } : null;
  return { report: finalizeReport(merged, profile, scanner), duplicates };
}
