// The check engine: runs checks over an endpoint's facts under a profile's selection, severities
// and control map. A finding's controls come from the profile in force (a default catalogue when
// none is), so a finding and the compliance view can never disagree.
import type { EndpointReport, Finding, Severity } from '../model.js';
import type { Check, CheckOptions, CheckOutcome } from './types.js';
import { CATALOGUE_CONTROLS, controlsByCheck } from '../knowledge/control-catalogue.js';

export type { Check, CheckContext, CheckOptions, CheckOutcome } from './types.js';

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
  try {
    const outcomes = check.run({ endpoint, options });
    return outcomes === null ? [] : Array.isArray(outcomes) ? outcomes : [outcomes];
  } catch (err) {
    // A check must never take the scan down; a bug in one becomes an 'error' finding.
    return [{ status: 'error', detail: `internal error in check: ${(err as Error).message}` }];
  }
}

export function runChecks(
  endpoint: EndpointReport,
  checks: readonly Check[],
  options: CheckOptions,
  profile: ProfileSelection = {},
): Finding[] {
  const controlsOf = profile.controls ?? catalogueControls;
  const findings: Finding[] = [];
  for (const check of checks) {
    // Findings about the scan itself (a probe that broke) are never left out by a profile.
    const selectable = check.family !== 'scan';
    if (selectable && profile.include && !profile.include.includes(check.id)) continue;
    if (selectable && profile.exclude?.includes(check.id)) continue;
    for (const o of runOne(check, endpoint, options)) {
      findings.push({
        id: check.id,
        status: o.status,
        severity: o.severity ?? profile.severity?.[check.id] ?? check.severity,
        title: o.title ?? (o.titleSuffix ? `${check.title} (${o.titleSuffix})` : check.title),
        // Server text can span lines; a finding's detail is one paragraph.
        detail: o.detail.replace(/\s*[\r\n]+\s*/g, ' '),
        // Remediation is advice for something to fix; a pass or a plain fact needs none.
        remediation: o.remediation ?? (o.status === 'fail' || o.status === 'warn' ? check.remediation : ''),
        controls: controlsOf(check.id),
        evidence: o.evidence ?? [],
      });
    }
  }
  return findings;
}
