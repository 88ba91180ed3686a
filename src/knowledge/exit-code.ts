// The exit code a pipeline gates on, in one place: 3 on any failing finding; else 1 when a target
// had no open port at all or a finding is an error; else 2 on warnings; else 0.
import type { EndpointReport, Finding, Report } from '../model.js';
import { clusterFindings } from './summary.js';
import { endpointName } from './services.js';

export const EXIT = { OK: 0, SCAN_ERROR: 1, WARN: 2, FAIL: 3 } as const;

/** The exit code, computed as endpoints finish (streamed output keeps no report to look at). */
export class ExitTracker {
  private fail = false;
  private error = false;
  private warn = false;
  private readonly reached = new Map<string, boolean>();

  /**
   * `input` is the target the endpoint came from: a target none of whose ports was open is a scan
   * error, unless it is expected to be down (a standby node: CLUSTER-STANDBY-ANSWERS judges it).
   */
  add(ep: Pick<EndpointReport, 'findings' | 'state'>, input: string, expectedDown = false): void {
    this.addFindings(ep.findings);
    this.reached.set(input, (this.reached.get(input) ?? false) || ep.state === 'open' || expectedDown);
  }

  /** Findings that belong to no one endpoint (the cluster section's). */
  addFindings(findings: readonly Pick<Finding, 'status'>[]): void {
    for (const f of findings) {
      if (f.status === 'fail') this.fail = true;
      else if (f.status === 'error') this.error = true;
      else if (f.status === 'warn') this.warn = true;
    }
  }

  code(): number {
    if (this.fail) return EXIT.FAIL;
    if (this.error || [...this.reached.values()].some((r) => !r)) return EXIT.SCAN_ERROR;
    if (this.warn) return EXIT.WARN;
    return EXIT.OK;
  }
}

/** `targets[i]` is the target behind `report.endpoints[i]`. */
export function exitCodeFor(report: Pick<Report, 'endpoints' | 'clusters'>, targets: { input: string; expectedDown?: boolean }[]): number {
  const t = new ExitTracker();
  report.endpoints.forEach((ep, i) => t.add(ep, targets[i]!.input, targets[i]!.expectedDown));
  t.addFindings(clusterFindings(report.clusters));
  return t.code();
}

/** Exit code of a merged or saved report: each endpoint counts as its own target. */
export function exitCodeForReport(report: Pick<Report, 'endpoints' | 'clusters'>): number {
  return exitCodeFor(
    report,
    report.endpoints.map((e) => ({ input: endpointName(e) })),
  );
}
