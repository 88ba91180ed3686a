// SARIF 2.1.0 for code-scanning dashboards: one rule per check id, one result per finding.
// kind/level follow the spec: only kind "fail" carries a level other than "none"
// (fail → error for critical/high, warning for medium, note for low/info; warn → warning);
// pass → kind "pass", info → "informational", skipped → "notApplicable", error → "open"
// plus a tool execution notification.
import type { Finding, Report, Severity } from '../src/model.js';
import { endpointName, endpointUri } from './common.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

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

export function renderSarif(report: Report): string {
  const rules: object[] = [];
  const ruleIndex = new Map<string, number>();
  const all = report.endpoints.flatMap((ep) => ep.findings);
  for (const f of all) {
    if (ruleIndex.has(f.id)) continue;
    // the first finding of a check stands for the rule's texts; the title without its per-outcome suffix
    const name = f.title.replace(/ \([^)]*\)$/, '');
    const withFix = all.find((g) => g.id === f.id && g.remediation);
    ruleIndex.set(f.id, rules.length);
    rules.push({
      id: f.id,
      name: f.id.toLowerCase().replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase()),
      shortDescription: { text: name },
      fullDescription: { text: `${name}. Controls: ${f.controls.join('; ') || 'none'}` },
      help: { text: withFix?.remediation || 'No remediation needed when this check passes.' },
      defaultConfiguration: { level: FAIL_LEVEL[f.severity] },
      properties: {
        tags: ['security', ...f.controls],
        'security-severity': SECURITY_SEVERITY[f.severity],
        severity: f.severity,
        controls: f.controls,
      },
    });
  }
  const results: object[] = [];
  const notifications: object[] = [];
  report.endpoints.forEach((ep, ei) => {
    const uri = endpointUri(ep);
    ep.findings.forEach((f, fi) => {
      const { kind, level } = resultKindLevel(f);
      results.push({
        ruleId: f.id,
        ruleIndex: ruleIndex.get(f.id),
        kind,
        level,
        message: {
          text: `${endpointName(ep)}: ${f.title}: ${f.detail}${f.remediation && (f.status === 'fail' || f.status === 'warn') ? ` Fix: ${f.remediation}` : ''}`,
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri, description: { text: `${ep.service ?? 'unknown service'} at ${ep.address ?? ep.host}` } },
            },
            logicalLocations: [{ name: endpointName(ep), fullyQualifiedName: uri, kind: 'resource' }],
          },
        ],
        partialFingerprints: { 'xferscan/v1': `${uri}|${f.id}|${f.title}` },
        properties: {
          status: f.status,
          severity: f.severity,
          controls: f.controls,
          remediation: f.remediation,
          evidence: f.evidence,
          endpointIndex: ei,
          findingIndex: fi,
        },
      });
      if (f.status === 'error') {
        notifications.push({ level: 'error', message: { text: `${endpointName(ep)} ${f.id}: ${f.detail}` }, descriptor: { id: f.id } });
      }
    });
  });
  // Missing firewall rules (report.firewall) as notifications; the whole view as a run property.
  for (const e of report.firewall?.endpoints ?? []) {
    for (const r of e.missing)
      notifications.push({
        level: 'warning',
        message: { text: `${e.endpoint} firewall: ${r.text} — ${r.evidence}` },
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
            informationUri: 'https://github.com/xferscan/xferscan',
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: !all.some((f) => f.status === 'error'),
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            ...(report.scanner ? { machine: report.scanner.hostname } : {}),
            toolExecutionNotifications: notifications,
          },
        ],
        automationDetails: { id: `xferscan/${report.profile}/${report.startedAt}` },
        properties: {
          profile: report.profile,
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
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
