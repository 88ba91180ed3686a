// Validation of reports read back from disk (report, diff, merge, verify, judge) against the
// same schema the types come from: a malformed or foreign file is a one-line error naming the
// first field that is wrong, never a crash further on.
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import { EndpointReportSchema, ReportSchema, type EndpointReport, type Report } from './report.js';
import { ClusterViewSchema, type ClusterView } from './cluster.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

function check<T>(schema: TSchema, doc: unknown): Validated<T> {
  if (Value.Check(schema, doc)) return { ok: true, value: doc as T };
  const first = Value.Errors(schema, doc)[0];
  const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : 'the document';
  const message =
    first?.keyword === 'boolean' ? 'is not a field of the report schema' : (first?.message ?? 'does not match the report schema');
  return { ok: false, error: `${where}: ${message}` };
}

export function validateReport(doc: unknown): Validated<Report> {
  return check<Report>(ReportSchema, doc);
}

export function validateEndpoint(doc: unknown): Validated<EndpointReport> {
  return check<EndpointReport>(EndpointReportSchema, doc);
}

export function validateClusters(doc: unknown): Validated<ClusterView> {
  return check<ClusterView>(ClusterViewSchema, doc);
}
