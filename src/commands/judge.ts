// xferscan judge FACTS.json|FACTS.ndjson --profile P: checks are pure functions of an endpoint's facts, so a
// saved scan is judged again under another profile without a connection: the checks run on the
// report's facts with the profile's selection, severities and thresholds, and the summary, the
// compliance and firewall views, the cluster findings and the digest are recomputed.
import type { EndpointReport, Report } from '../model.js';
import { runChecks, type CheckOptions } from '../checks/engine.js';
import { ALL_CHECKS } from '../checks/registry.js';
import { ProfileError, profileCheckOptions, profileSelection, resolveProfile, type Profile } from '../profiles/index.js';
import { loadPolicy, PolicyError, type Policy } from '../policy/index.js';
import { rejudgeClusterView } from '../cluster/view.js';
import { clusterFindings, tally } from '../knowledge/summary.js';
import { finalizeReport } from '../report-meta.js';
import { summarize } from '../scan.js';
import { UsageError } from '../targets.js';
import { readTextFile } from '../files.js';
import { readReportFile } from './read-report.js';
import { isNdjson, parseNdjson, type MergeInput } from './merge.js';

export interface JudgeInput {
  /** the partner policy the checks are given (never a path read from the report: a report is data) */
  policy?: Policy | null;
}

/**
 * The check options a saved report's endpoint is judged with: the profile's thresholds, what the
 * scan was asked to do (from the report's options), the passive range it expected, and "now" as
 * of the scan, so that a certificate is judged as it was on the day it was seen.
 */
function judgeOptions(report: Report, ep: EndpointReport, profile: Profile, policy: Policy | null): CheckOptions {
  const started = Date.parse(report.startedAt);
  const range = ep.expectedPassiveRange;
  return {
    ...profileCheckOptions(profile),
    expectPassiveRange: range && range.length === 2 ? [range[0]!, range[1]!] : null,
    policy,
    // what the scan was asked for; unknown (a report without options) stays unknown
    activeRequested: report.options?.active,
    writeTestRequested: report.options?.writeTest,
    ...(Number.isNaN(started) ? {} : { now: new Date(started) }),
  };
}

/** The report's endpoints with their findings judged again under `profile` (pure). */
export function judgeEndpoints(report: Report, profile: Profile, input: JudgeInput = {}): EndpointReport[] {
  const selection = profileSelection(profile);
  return report.endpoints.map((ep) => ({
    ...ep,
    findings: runChecks(ep, ALL_CHECKS, judgeOptions(report, ep, profile, input.policy ?? null), selection),
  }));
}

/** A saved report judged again under `profile`: findings, summary, views and digest recomputed. */
export function judgeReport(report: Report, profile: Profile, input: JudgeInput & { file?: string; policyFile?: string } = {}): Report {
  const endpoints = judgeEndpoints(report, profile, input);
  const summary = summarize(endpoints);
  const clusters = report.clusters
    ? rejudgeClusterView(report.clusters, endpoints, {
        checkOptions: { ...profileCheckOptions(profile), policy: input.policy ?? null },
        selection: profileSelection(profile),
      })
    : null;
  if (clusters) tally(summary, clusterFindings(clusters));
  const { compliance: _c, firewall: _f, overview: _o, integrity: _i, clusters: _k, ...facts } = report;
  const judged: Report = {
    ...facts,
    profile: profile.id,
    options: {
      ...(report.options ?? {}),
      profile: profile.id,
      profileVersion: profile.version,
      profileSource: profile.source,
      policy: input.policy
        ? { file: input.policyFile ?? '', name: input.policy.name ?? null, hosts: input.policy.hosts.map((h) => h.host) }
        : null,
      judged: {
        file: input.file ?? '',
        profile: report.profile,
        digest: report.integrity?.digest ?? null,
        policy: input.policy ? (input.policyFile ?? '') : null,
      },
    },
    endpoints,
    summary,
    ...(clusters ? { clusters } : {}),
  };
  return finalizeReport(judged, profile, report.scanner ?? null);
}

/** --profile and --policy for judge: bad input is one line (exit 1). */
export function judgeInputs(profileArg: string, policyFile: string | undefined): { profile: Profile; policy: Policy | null } {
  try {
    return { profile: resolveProfile(profileArg), policy: policyFile ? loadPolicy(policyFile) : null };
  } catch (err) {
    if (err instanceof ProfileError || err instanceof PolicyError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * A saved scan for judge: a JSON report, or a whole NDJSON stream (`scan --format ndjson`). A
 * stream without its summary line is refused: a scan cut off would be judged as if it were all of
 * it, and NDJSON rendered from a report (`report --format ndjson`) lacks the scan's options
 * (--active, --write-test) the checks are judged with; its JSON report is the input for that.
 */
export function readScanFile(file: string): MergeInput {
  const text = readTextFile(file);
  if (!isNdjson(file, text)) return { file, report: readReportFile(file), kind: 'json' };
  const { report, complete } = parseNdjson(file, text);
  if (!complete)
    throw new UsageError(
      `${file}: NDJSON without its summary line: the scan that wrote it did not finish, or the file was cut short (NDJSON from \`report --format ndjson\` has none: judge the JSON report)`,
    );
  return { file, report, kind: 'ndjson' };
}
