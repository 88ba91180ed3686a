// The check engine: runs checks over an endpoint's facts under a profile's selection, severities
// and control map. A finding's controls come from the profile in force (a default catalogue when
// none is), so a finding and the compliance view can never disagree.
import type { EndpointReport, Finding, Severity } from '../model.js';
import type { Check, CheckOptions, CheckOutcome, ClusterCheck, ClusterCheckContext } from './types.js';
import { CATALOGUE_CONTROLS, controlsByCheck } from '../knowledge/control-catalogue.js';

export type { Check, CheckContext, CheckOptions, CheckOutcome, ClusterCheck, ClusterCheckContext } from './types.js';

export interface ProfileSelection {
  /** ids to run; undefined = all */
  include?: string[];
  /** ids not to run (applied after include) */
  exclude?: string[];
  severity?: Record<string, Severity>;
  /** the controls a finding of each check is evidence for, under the profile in force */
  controls?: (checkId: string) => string[];
}

const catalogueControls = controlsByCheck(CATALOGUE_CONTROLS);

function runOne(check: Check, endpoint: EndpointReport, options: CheckOptions): CheckOutcome[] {
  return outcomesOf(() => check.run({ endpoint, options }));
}

/** A check's outcomes as a list; a check that throws becomes one 'error' outcome. */
function outcomesOf(run: () => CheckOutcome | CheckOutcome[] | null): CheckOutcome[] {
  try {
    const outcomes = run();
    return outcomes === null ? [] : Array.isArray(outcomes) ? outcomes : [outcomes];
  } catch (err) {
    // A check must never take the scan down; a bug in one becomes an 'error' finding.
    return [{ status: 'error', detail: `internal error in check: ${(err as Error).message}` }];
  }
}

/** Whether the profile runs a check (findings about the scan itself are never left out). */
function selected(check: Pick<Check, 'id' | 'family'>, profile: ProfileSelection): boolean {
  if (check.family === 'scan') return true;
  if (profile.include && !profile.include.includes(check.id)) return false;
  return !profile.exclude?.includes(check.id);
}

/** An outcome as a finding, with the profile's severity and controls. */
/** Lines joined with one space, the whitespace around each break dropped; linear in the text (no backtracking regex). */
function oneParagraph(text: string): string {
  if (!/[\r\n]/.test(text)) return text;
  const lines = text.split(/[\r\n]+/);
  return lines
    .map((l, i) => (i > 0 ? l.trimStart() : l))
    .map((l, i) => (i < lines.length - 1 ? l.trimEnd() : l))
    .join(' ');
}

function findingOf(check: Pick<Check, 'id' | 'title' | 'severity' | 'remediation'>, o: CheckOutcome, profile: ProfileSelection): Finding {
  const controlsOf = profile.controls ?? catalogueControls;
  return {
    id: check.id,
    status: o.status,
    severity: o.severity ?? profile.severity?.[check.id] ?? check.severity,
    title: o.title ?? (o.titleSuffix ? `${check.title} (${o.titleSuffix})` : check.title),
    // Server text can span lines; a finding's detail is one paragraph.
    detail: oneParagraph(o.detail),
    // Remediation is advice for something to fix; a pass or a plain fact needs none.
    remediation: o.remediation ?? (o.status === 'fail' || o.status === 'warn' ? check.remediation : ''),
    controls: controlsOf(check.id),
    evidence: o.evidence ?? [],
  };
}

export function runChecks(
  endpoint: EndpointReport,
  checks: readonly Check[],
  options: CheckOptions,
  profile: ProfileSelection = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const check of checks) {
    if (!selected(check, profile)) continue;
    for (const o of runOne(check, endpoint, options)) findings.push(findingOf(check, o, profile));
  }
  return findings;
}

/** Runs cluster checks of one scope over a group (or over the whole scan). */
export function runClusterChecks(ctx: ClusterCheckContext, checks: readonly ClusterCheck[], profile: ProfileSelection = {}): Finding[] {
  const scope = ctx.group ? 'group' : 'scan';
  return checks
    .filter((c) => c.scope === scope && selected(c, profile))
    .flatMap((c) => outcomesOf(() => c.run(ctx)).map((o) => findingOf(c, o, profile)));
}
