// NDJSON for big runs: one endpoint per line, each line a complete JSON object that names the scan
// it belongs to, so lines can be streamed, grepped and loaded one at a time. This module is the
// only writer of NDJSON lines: `report --format ndjson` (renderNdjson, from a finished report) and
// the streaming scan (src/fleet/stream.ts, as endpoints finish) write the same line shapes, and
// `merge` reads them back (src/commands/merge.ts).
import type { ClusterView, EndpointReport, EndpointVerdict, FirewallEndpoint, PortState, Report, ReportSummary } from '../src/model.js';
import { safeJson } from './common.js';

/** The scan an NDJSON line belongs to: a finished report knows when it ended, a stream does not yet. */
export interface NdjsonScan {
  tool: { name: 'xferscan'; version: string };
  startedAt: string;
  finishedAt?: string;
  profile: string;
  /** the finished report's SHA-256 digest (report.integrity) */
  reportDigest?: string;
  /** --proxy, -4/-6, --resolve: where the scan ran from */
  vantage?: Report['vantage'];
  /** a finished report of an interrupted scan (report.interrupted); a stream says it on its summary line */
  interrupted?: Report['interrupted'];
}

export interface EndpointLine {
  type: 'endpoint';
  /** the endpoint's position in the scan's input */
  index: number;
  scan: NdjsonScan;
  verdict?: EndpointVerdict;
  counts?: ReportSummary;
  /** the endpoint's grade (src/knowledge/grade.ts), repeated here for grep and jq */
  grade?: string;
  firewall?: FirewallEndpoint;
  endpoint: EndpointReport;
}

export interface ClustersLine {
  type: 'clusters';
  scan: NdjsonScan;
  clusters: ClusterView;
}

/** The last line of a streamed scan: what it counted, and a SHA-256 over the lines above. */
export interface SummaryLine {
  type: 'summary';
  scan: NdjsonScan & { finishedAt: string; options?: Record<string, unknown> };
  endpoints: number;
  states: Partial<Record<PortState, number>>;
  services: Record<string, number>;
  verdicts: Partial<Record<EndpointVerdict, number>>;
  summary: ReportSummary;
  sockets?: { max: number | null; peak: number; total: number; waited: number };
  shard?: string | null;
  /** the scan did not finish (report.interrupted): SIGINT, SIGTERM or internal-error; absent when it did */
  interrupted?: Report['interrupted'];
  integrity: { algorithm: 'sha256'; description: string; digest: string };
}

export type NdjsonLine = EndpointLine | ClustersLine | SummaryLine;

/**
 * One line of NDJSON. C1 and bidi characters a server sent are written as \u escapes
 * (reports/common.ts safeJson), so a line never carries a raw control character.
 */
export function ndjsonLine(line: NdjsonLine): string {
  return `${safeJson(line)}\n`;
}

/** An endpoint's line; its verdict and counts (and firewall view) when known. */
export function endpointLine(
  scan: NdjsonScan,
  index: number,
  endpoint: EndpointReport,
  judged: { verdict: EndpointVerdict; counts: ReportSummary } | null,
  firewall?: FirewallEndpoint,
): string {
  return ndjsonLine({
    type: 'endpoint',
    index,
    scan,
    ...(judged ? { verdict: judged.verdict, counts: judged.counts } : {}),
    ...(endpoint.grade?.grade ? { grade: endpoint.grade.grade } : {}),
    ...(firewall ? { firewall } : {}),
    endpoint,
  });
}

/** The cluster section (src/cluster), one line after the endpoints. */
export function clustersLine(scan: NdjsonScan, clusters: ClusterView): string {
  return ndjsonLine({ type: 'clusters', scan, clusters });
}

/** A finished report as NDJSON: its endpoints, then its cluster section. */
export function renderNdjson(report: Report): string {
  const scan: NdjsonScan = {
    tool: report.tool,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    profile: report.profile,
    ...(report.vantage ? { vantage: report.vantage } : {}),
    ...(report.integrity ? { reportDigest: report.integrity.digest } : {}),
    ...(report.interrupted ? { interrupted: report.interrupted } : {}),
  };
  const lines = report.endpoints
    .map((endpoint, i) =>
      endpointLine(
        scan,
        i,
        endpoint,
        report.compliance?.endpoints[i] ?? null,
        report.firewall?.endpoints.find((e) => e.endpointIndex === i),
      ),
    )
    .join('');
  return report.clusters ? `${lines}${clustersLine(scan, report.clusters)}` : lines;
}
