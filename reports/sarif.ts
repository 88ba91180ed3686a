// SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning and others). By default only
// what needs action becomes a result — fail, warn and error — so a dashboard shows alerts, not
// every passed check (--sarif-all keeps them all, with kind pass/informational/notApplicable).
// One rule per check with a help page in this repository (docs/checks.md), real help text (the
// check's own remediation), a stable partialFingerprint per endpoint and check, a logical
// location per endpoint, and a physical location on the inventory file line the endpoint came
// from when the report names one (options.endpointSources). kind/level follow the spec: only
// kind "fail" carries a level other than "none" (fail → error for critical/high, warning for
// medium, note for low/info; warn → warning).
import crypto from 'node:crypto';
import type { EndpointReport, Finding, Report, Severity } from '../src/model.js';
import { endpointName, endpointUri, interruptionText, safeJson, visible } from './common.js';
import { clusterFindings } from '../src/knowledge/summary.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const REPOSITORY_URL = 'https://github.com/xferscan/xferscan';
export const checkHelpUri = (id: string) => `${REPOSITORY_URL}/blob/main/docs/checks.md#${id.toLowerCase()}`;

export interface SarifOptions {
  /** every finding as a result (passes, info and skips too); default: fail, warn and error only */
  sarifAll?: boolean;
}

const FAIL_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

function resultKindLevel(f: Finding): { kind: string; level: string } {
  switch (f.status) {
    case 'fail':
      return { kind: 'fail', level: FAIL_LEVEL[f.severity] };
    case 'warn':
      return { kind: 'fail', level: 'warning' };
    case 'pass':
      return { kind: 'pass', level: 'none' };
    case 'info':
      return { kind: 'informational', level: 'none' };
    case 'skipped':
      return { kind: 'notApplicable', level: 'none' };
    case 'error':
      return { kind: 'open', level: 'none' };
  }
}

const ACTIONABLE = new Set(['fail', 'warn', 'error']);

/** Where an endpoint came from: "file:line" per "host:port" (options.endpointSources), if the report says. */
function sourceOf(report: Report, ep: EndpointReport): { file: string; line: number } | null {
  const map = report.options?.endpointSources as Record<string, unknown> | undefined;
  const v = map && typeof map === 'object' ? map[endpointName(ep)] : undefined;
  if (typeof v !== 'string') return null;
  const m = /^(.*):(\d+)$/.exec(v);
  return m && m[1] ? { file: m[1], line: Math.max(1, Number(m[2])) } : null;
}

function artifactUri(file: string): { uri: string; uriBaseId?: string } {
  const posix = file.replace(/\\/g, '/');
  if (posix.startsWith('/')) return { uri: `file://${encodeURI(posix)}` };
  return { uri: encodeURI(posix.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

function fingerprint(ep: EndpointReport, f: Finding): string {
  return crypto
    .createHash('sha256')
    .update(`${endpointName(ep)}|${f.id}|${f.title}`)
    .digest('hex')
    .slice(0, 32);
}

function ruleFor(f: Finding, all: Finding[]): object {
  // the first finding of a check stands for the rule's texts; the title without its per-outcome suffix
  const name = visible(f.title.replace(/ \([^)]*\)$/, ''));
  const withFix = all.find((g) => g.id === f.id && g.remediation);
  const help = withFix
    ? `${visible(withFix.remediation)}\n\nMore: ${checkHelpUri(f.id)}`
    : `${name}: this check passed or did not apply on every endpoint of this scan. What it tests, and how to fix it when it fails: ${checkHelpUri(f.id)}`;
  return {
    id: f.id,
    name: f.id.toLowerCase().replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: name },
    fullDescription: { text: `${name}.${f.controls.length ? ` Evidence for: ${f.controls.map(visible).join('; ')}.` : ''}` },
    help: { text: help },
    helpUri: checkHelpUri(f.id),
    defaultConfiguration: { level: FAIL_LEVEL[f.severity] },
    properties: {
      tags: [...new Set(['security', ...f.controls.map(visible)])],
      'security-severity': SECURITY_SEVERITY[f.severity],
      severity: f.severity,
      controls: f.controls,
    },
  };
}

/** One result per kept finding; every error finding also as a tool notification. */
function sarifResults(
  report: Report,
  keep: (f: Finding) => boolean,
  ruleIndex: Map<string, number>,
): { results: object[]; notifications: object[] } {
  const results: object[] = [];
  const notifications: object[] = [];
  report.endpoints.forEach((ep, ei) => {
    const uri = endpointUri(ep);
    const src = sourceOf(report, ep);
    const logical = { name: visible(endpointName(ep)), fullyQualifiedName: visible(uri), kind: 'resource' };
    ep.findings.forEach((f, fi) => {
      if (f.status === 'error')
        notifications.push({
          level: 'error',
          message: { text: `${endpointName(ep)} ${f.id}: ${visible(f.detail)}` },
          descriptor: { id: f.id },
        });
      if (!keep(f)) return;
      const { kind, level } = resultKindLevel(f);
      results.push({
        ruleId: f.id,
        ruleIndex: ruleIndex.get(f.id),
        kind,
        level,
        message: {
          text: `${visible(endpointName(ep))}: ${visible(f.title)}: ${visible(f.detail)}${f.remediation && ACTIONABLE.has(f.status) ? ` Fix: ${visible(f.remediation)}` : ''}`,
        },
        locations: [
          {
            ...(src
              ? {
                  physicalLocation: {
                    artifactLocation: artifactUri(src.file),
                    region: { startLine: src.line },
                  },
                }
              : {}),
            logicalLocations: [logical],
            message: { text: `${visible(uri)} (${visible(ep.service ?? 'unknown service')} at ${visible(ep.address ?? ep.host)})` },
          },
        ],
        partialFingerprints: { 'xferscanFinding/v1': fingerprint(ep, f) },
        properties: {
          endpoint: endpointName(ep),
          endpointUri: uri,
          status: f.status,
          severity: f.severity,
          controls: f.controls,
          remediation: f.remediation,
          evidence: f.evidence,
          endpointIndex: ei,
          findingIndex: fi,
          ...(ep.grade ? { endpointGrade: ep.grade.grade } : {}),
        },
      });
    });
  });
  return { results, notifications };
}

/** Results for the cluster section: one logical location per group ("cluster NAME"), and one for the whole scan. */
function clusterResults(report: Report, keep: (f: Finding) => boolean, ruleIndex: Map<string, number>): object[] {
  const v = report.clusters;
  if (!v) return [];
  const where = [
    ...v.groups.map((g) => ({ name: `cluster ${g.name}`, findings: g.findings, nodes: g.nodes.map((n) => n.endpoint) })),
    { name: 'cluster (whole scan)', findings: v.findings, nodes: [] as string[] },
  ];
  return where.flatMap((w) =>
    w.findings.filter(keep).map((f) => {
      const { kind, level } = resultKindLevel(f);
      const uri = `xferscan-cluster:${encodeURIComponent(w.name)}`;
      return {
        ruleId: f.id,
        ruleIndex: ruleIndex.get(f.id),
        kind,
        level,
        message: {
          text: `${visible(w.name)}: ${visible(f.title)}: ${visible(f.detail)}${f.remediation && ACTIONABLE.has(f.status) ? ` Fix: ${visible(f.remediation)}` : ''}`,
        },
        locations: [
          {
            logicalLocations: [{ name: visible(w.name), fullyQualifiedName: visible(uri), kind: 'resource' }],
            message: { text: `nodes: ${visible(w.nodes.join(', ') || 'every endpoint of the scan')}` },
          },
        ],
        partialFingerprints: {
          'xferscanFinding/v1': crypto.createHash('sha256').update(`${w.name}|${f.id}|${f.title}`).digest('hex').slice(0, 32),
        },
        properties: {
          cluster: w.name,
          status: f.status,
          severity: f.severity,
          controls: f.controls,
          remediation: f.remediation,
          evidence: f.evidence,
        },
      };
    }),
  );
}

/**
 * The run's invocation. An interrupted scan did not complete: executionSuccessful is false, an
 * error notification says what is partial, and a signal is named in exitSignalName (SARIF 2.1.0 §3.20).
 */
function invocation(report: Report, all: Finding[], notifications: object[]): object {
  const stopped = interruptionText(report);
  return {
    executionSuccessful: !stopped && !all.some((f) => f.status === 'error'),
    ...(report.interrupted && report.interrupted !== 'internal-error' ? { exitSignalName: report.interrupted } : {}),
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
    toolExecutionNotifications: stopped
      ? [{ level: 'error', message: { text: stopped }, descriptor: { id: 'INTERRUPTED' } }, ...notifications]
      : notifications,
  };
}

export function renderSarif(report: Report, opts: SarifOptions = {}): string {
  const keep = (f: Finding) => opts.sarifAll || ACTIONABLE.has(f.status);
  const all = [...report.endpoints.flatMap((ep) => ep.findings), ...clusterFindings(report.clusters)];
  const rules: object[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of all) {
    if (!keep(f) || ruleIndex.has(f.id)) continue;
    ruleIndex.set(f.id, rules.length);
    rules.push(ruleFor(f, all));
  }
  const { results, notifications } = sarifResults(report, keep, ruleIndex);
  results.push(...clusterResults(report, keep, ruleIndex));
  // Missing firewall rules (report.firewall) as notifications; the whole view as a run property.
  for (const e of report.firewall?.endpoints ?? []) {
    for (const r of e.missing)
      notifications.push({
        level: 'warning',
        message: { text: `${visible(e.endpoint)} firewall: ${visible(r.text)} — ${visible(r.evidence)}` },
        descriptor: { id: 'FIREWALL' },
      });
  }
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: REPOSITORY_URL,
            rules,
          },
        },
        invocations: [invocation(report, all, notifications)],
        automationDetails: { id: `xferscan/${report.profile}/` },
        properties: {
          profile: report.profile,
          ...(report.interrupted ? { interrupted: report.interrupted } : {}),
          results: opts.sarifAll ? 'all findings' : 'fail, warn and error findings only (--sarif-all for every finding)',
          summary: report.summary,
          grades: report.endpoints.map((ep) => ({
            endpoint: endpointName(ep),
            grade: ep.grade?.grade ?? null,
            caps: ep.grade?.caps.map((c) => `${c.id}→${c.cap}`) ?? [],
            ...(ep.throttled ? { throttled: ep.throttled } : {}),
          })),
          ...(report.compliance
            ? {
                compliance: {
                  verdict: report.compliance.verdict,
                  statement: report.compliance.statement,
                  controls: report.compliance.controls.map((c) => ({
                    id: c.id,
                    status: c.status,
                    testability: c.testability,
                    findings: c.findings.map((r) => `${r.endpoint} ${r.id} ${r.status}`),
                  })),
                },
              }
            : {}),
          ...(report.firewall ? { firewall: report.firewall } : {}),
          ...(report.integrity ? { reportDigestSha256: report.integrity.digest } : {}),
        },
        results,
      },
    ],
  };
  return `${safeJson(sarif, 2)}\n`;
}
