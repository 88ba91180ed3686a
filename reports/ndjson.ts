// NDJSON for big runs: one endpoint per line, each line a complete JSON object that names the scan
// it belongs to, so lines can be streamed, grepped and loaded one at a time.
import type { Report } from '../src/model.js';
import { safeJson } from './common.js';

export function renderNdjson(report: Report): string {
  const scan = {
    tool: report.tool,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    profile: report.profile,
    ...(report.integrity ? { reportDigest: report.integrity.digest } : {}),
  };
  const lines = report.endpoints
    .map((endpoint, i) => {
      const verdict = report.compliance?.endpoints[i];
      const firewall = report.firewall?.endpoints.find((e) => e.endpointIndex === i);
      return `${safeJson({ type: 'endpoint', index: i, scan, ...(verdict ? { verdict: verdict.verdict, counts: verdict.counts } : {}), ...(endpoint.grade ? { grade: endpoint.grade.grade } : {}), ...(firewall ? { firewall } : {}), endpoint })}\n`;
    })
    .join('');
  // the cluster section (src/cluster), as the streaming scan writes it after its endpoints
  return report.clusters ? `${lines}${safeJson({ type: 'clusters', scan, clusters: report.clusters })}\n` : lines;
}
