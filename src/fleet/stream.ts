// Streaming NDJSON for fleet scans (--format ndjson): one line per endpoint, written as it
// finishes (so memory stays flat for thousands of targets), then one summary line with the counts
// and a SHA-256 over the endpoint lines. The lines come from reports/ndjson.ts, the one NDJSON
// writer; this class only keeps the running counts and the hash, and writes where it is told.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { ClusterView, EndpointReport, EndpointVerdict, PortState, ReportSummary } from '../model.js';
import { clusterFindings } from '../knowledge/summary.js';
import { endpointVerdict } from '../profiles/compliance.js';
import { clustersLine, endpointLine, ndjsonLine, type NdjsonScan, type SummaryLine } from '../../reports/ndjson.js';

export type StreamScanMeta = Omit<NdjsonScan, 'finishedAt' | 'reportDigest'>;
export type StreamSummaryLine = SummaryLine;

export class NdjsonStream {
  private readonly hash = crypto.createHash('sha256');
  private readonly fd: number | null;
  private count = 0;
  private readonly states: Partial<Record<PortState, number>> = {};
  private readonly services: Record<string, number> = {};
  private readonly verdicts: Partial<Record<EndpointVerdict, number>> = {};
  private readonly summary: ReportSummary = { pass: 0, fail: 0, warn: 0, info: 0, error: 0, skipped: 0 };

  /** `output`: a file path (written synchronously, line by line) or a stream (stdout). */
  constructor(
    private readonly meta: StreamScanMeta,
    private readonly output: string | NodeJS.WritableStream,
  ) {
    this.fd = typeof output === 'string' ? fs.openSync(output, 'w') : null;
  }

  private emit(line: string): void {
    if (this.fd !== null) fs.writeSync(this.fd, line);
    else (this.output as NodeJS.WritableStream).write(line);
  }

  endpoint(ep: EndpointReport, index: number): void {
    const v = endpointVerdict(ep, index);
    const line = endpointLine(this.meta, index, ep, v);
    this.hash.update(line, 'utf8');
    this.emit(line);
    this.count += 1;
    this.states[ep.state] = (this.states[ep.state] ?? 0) + 1;
    const svc = ep.service ?? 'none';
    this.services[svc] = (this.services[svc] ?? 0) + 1;
    this.verdicts[v.verdict] = (this.verdicts[v.verdict] ?? 0) + 1;
    for (const f of ep.findings) this.summary[f.status] += 1;
  }

  /** The cluster section (src/cluster), one line after the endpoints; its findings count in the summary. */
  clusters(view: ClusterView): void {
    const line = clustersLine(this.meta, view);
    this.hash.update(line, 'utf8');
    this.emit(line);
    for (const f of clusterFindings(view)) this.summary[f.status] += 1;
  }

  finish(extra: {
    finishedAt: string;
    options?: Record<string, unknown>;
    sockets?: StreamSummaryLine['sockets'];
    shard?: string | null;
    interrupted?: StreamSummaryLine['interrupted'];
  }): StreamSummaryLine {
    const line: StreamSummaryLine = {
      type: 'summary',
      scan: { ...this.meta, finishedAt: extra.finishedAt, ...(extra.options ? { options: extra.options } : {}) },
      endpoints: this.count,
      states: this.states,
      services: this.services,
      verdicts: this.verdicts,
      summary: this.summary,
      ...(extra.sockets ? { sockets: extra.sockets } : {}),
      ...(extra.shard !== undefined ? { shard: extra.shard } : {}),
      ...(extra.interrupted ? { interrupted: extra.interrupted } : {}),
      integrity: {
        algorithm: 'sha256',
        description: 'SHA-256 over the bytes (UTF-8) of the endpoint (and clusters) lines above, in the order written, newlines included',
        digest: this.hash.digest('hex'),
      },
    };
    this.emit(ndjsonLine(line));
    if (this.fd !== null) fs.closeSync(this.fd);
    return line;
  }
}
