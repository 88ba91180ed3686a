// JUnit XML for CI dashboards, valid against Jenkins xunit's junit-10.xsd (the schema most
// consumers follow): one <testsuite> per endpoint and per group of report.clusters, one <testcase>
// per check (a check with several outcomes is one testcase, judged by its worst outcome): fail → <failure>, error →
// <error>, skipped → <skipped>; warn → <failure> only with --junit-fail-on-warn, else it passes
// with its text in <system-out>, like info and pass. Suite times are the endpoint's real time
// (its transcript's first to last line); <testsuites> carries the scan's. `hostname` is the
// machine that ran the scan, never the target.
import type { Finding, Report } from '../src/model.js';
import { endpointName, escapeXml as x, interruptionText, STATUS_ORDER, throttleSummary } from './common.js';

export interface JunitOptions {
  /** report WARN findings as <failure> (the scan's exit code is 2 for them) */
  junitFailOnWarn?: boolean;
}

const MAX_TEXT = 20_000;
const cap = (s: string) =>
  s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)} … (${s.length - MAX_TEXT} more characters in the JSON report)` : s;

function findingText(f: Finding): string {
  const lines = [`[${f.status}] ${f.title}: ${f.detail}`];
  if (f.remediation) lines.push(`Fix: ${f.remediation}`);
  if (f.controls.length) lines.push(`Controls: ${f.controls.join('; ')}`);
  for (const e of f.evidence) lines.push(`  ${e.label}: ${e.value}`);
  return cap(lines.join('\n'));
}

/** Seconds for SUREFIRE_TIME: digits, at most three decimals. */
const secs = (ms: number | null | undefined) => (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? (ms / 1000).toFixed(3) : null);

interface Cases {
  cases: string[];
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** One testcase per check (judged by its worst outcome) for a list of findings. */
function checkCases(findings: Finding[], classname: string, opts: JunitOptions): Cases {
  const byCheck = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byCheck.get(f.id);
    if (list) list.push(f);
    else byCheck.set(f.id, [f]);
  }
  const cases: string[] = [];
  let sf = 0;
  let se = 0;
  let ss = 0;
  const tc = (caseName: string, inner: string) => `    <testcase classname="${x(classname)}" name="${x(caseName)}">${inner}</testcase>`;
  for (const [id, fs] of byCheck) {
    const worst = [...fs].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status))[0];
    const title = fs.length === 1 ? fs[0].title : fs[0].title.replace(/ \(.*\)$/, '');
    const text = fs.map(findingText).join('\n\n');
    const message = cap(
      fs
        .filter((f) => f.status === worst.status)
        .map((f) => f.detail)
        .join('; '),
    );
    let inner: string;
    if (worst.status === 'fail' || (worst.status === 'warn' && opts.junitFailOnWarn)) {
      sf++;
      inner = `<failure message="${x(message)}" type="${x(`${id} ${worst.status === 'warn' ? 'warn' : worst.severity}`)}">${x(text)}</failure>`;
    } else if (worst.status === 'error') {
      se++;
      inner = `<error message="${x(message)}" type="${x(id)}">${x(text)}</error>`;
    } else if (worst.status === 'skipped') {
      ss++;
      inner = `<skipped message="${x(message)}"/>`;
    } else {
      inner = `<system-out>${x(text)}</system-out>`;
    }
    cases.push(tc(`${id} ${title}`, inner));
  }
  return { cases, tests: byCheck.size, failures: sf, errors: se, skipped: ss };
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
}

const propsXml = (props: string[][]) => props.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`).join('\n');

function suiteXml(name: string, c: Cases, props: string[][], time: string | null, stamp: string, machine: string | undefined): string {
  return (
    `  <testsuite name="${x(name)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"${time ? ` time="${time}"` : ''} timestamp="${x(stamp)}"${machine ? ` hostname="${x(machine)}"` : ''}>\n` +
    `    <properties>\n${propsXml(props)}\n    </properties>\n${c.cases.join('\n')}\n  </testsuite>`
  );
}

/** An endpoint's suite: its checks, and the firewall view as one testcase that fails when rules are missing. */
function endpointSuite(report: Report, ei: number, opts: JunitOptions): Suite {
  const ep = report.endpoints[ei]!;
  const name = endpointName(ep);
  const c = checkCases(ep.findings, `xferscan.${name}`, opts);
  const tc = (caseName: string, inner: string) =>
    `    <testcase classname="${x(`xferscan.${name}`)}" name="${x(caseName)}">${inner}</testcase>`;
  const fwe = report.firewall?.endpoints.find((e) => e.endpointIndex === ei);
  if (fwe) {
    c.tests += 1;
    const lines = fwe.rules.map((r) => `[${r.status}${r.blockage ? ` ${r.blockage}` : ''}] ${r.text} — ${r.evidence}`).join('\n');
    if (fwe.missing.length > 0) {
      c.failures += 1;
      const message = `missing: ${fwe.missing.map((r) => r.text).join('; ')}`;
      c.cases.push(tc('FIREWALL rules a transfer needs', `<failure message="${x(message)}" type="FIREWALL">${x(lines)}</failure>`));
    } else {
      c.cases.push(tc('FIREWALL rules a transfer needs', `<system-out>${x(lines)}</system-out>`));
    }
  }
  const props = [
    ['endpoint', name],
    ['address', ep.address ?? ''],
    ['state', ep.state],
    ['service', ep.service ?? ''],
    ['banner', cap(ep.banner ?? '')],
    ['profile', report.profile],
    ...(ep.grade
      ? [
          ['grade', ep.grade.grade ?? ''],
          ['grade.caps', ep.grade.caps.map((c) => `${c.id}→${c.cap}`).join('; ')],
          ['grade.rules', ep.grade.rules],
        ]
      : []),
    ...(ep.throttled ? [['throttled', throttleSummary(ep) ?? '']] : []),
    ...(fwe ? [['firewall.missing', fwe.missing.map((r) => r.text).join('; ')]] : []),
  ];
  const timing = report.overview?.endpoints[ei]?.timing;
  const stamp = (timing?.startedAt ?? report.startedAt).replace(/Z$/, '');
  return { xml: suiteXml(name, c, props, secs(timing?.ms), stamp, report.scanner?.hostname), ...c };
}

/** One suite per group of report.clusters, and one for the findings across the scan. */
function clusterSuites(report: Report, opts: JunitOptions): Suite[] {
  const v = report.clusters;
  if (!v) return [];
  const stamp = report.startedAt.replace(/Z$/, '');
  const machine = report.scanner?.hostname;
  const suite = (name: string, findings: Finding[], props: string[][]): Suite => {
    const c = checkCases(findings, `xferscan.${name}`, opts);
    return { xml: suiteXml(name, c, [...props, ['profile', report.profile]], null, stamp, machine), ...c };
  };
  return [
    ...v.groups.map((g) =>
      suite(`cluster ${g.name}`, g.findings, [
        ['group', g.name],
        ['service', g.service ?? ''],
        ['nodes', g.nodes.map((n) => `${n.endpoint}${n.standby ? ' (standby)' : ''}`).join(', ')],
        ['vip', g.vip?.endpoint ?? ''],
      ]),
    ),
    ...(v.findings.length ? [suite('cluster (whole scan)', v.findings, [])] : []),
  ];
}

/**
 * An interrupted scan as one suite with one <error> testcase. A property alone is shown by no CI
 * dashboard and leaves the build green; an error testcase is counted and shown by Jenkins,
 * GitLab and the GitHub test-report actions, and fits junit-10.xsd without new elements.
 */
function interruptionSuite(report: Report): Suite[] {
  const stopped = interruptionText(report);
  if (!stopped) return [];
  const kase = `    <testcase classname="xferscan.scan" name="scan completed"><error message="${x(stopped)}" type="INTERRUPTED">${x(stopped)}</error></testcase>`;
  const c: Cases = { cases: [kase], tests: 1, failures: 0, errors: 1, skipped: 0 };
  const props = [
    ['interrupted', report.interrupted ?? ''],
    ['profile', report.profile],
  ];
  const xml = suiteXml('xferscan scan', c, props, null, report.startedAt.replace(/Z$/, ''), report.scanner?.hostname);
  return [{ xml, ...c }];
}

export function renderJunit(report: Report, opts: JunitOptions = {}): string {
  const suites = [
    ...interruptionSuite(report),
    ...report.endpoints.map((_, ei) => endpointSuite(report, ei, opts)),
    ...clusterSuites(report, opts),
  ];
  const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((a, su) => a + su[k], 0);
  const scanTime = secs(Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  const digest = report.integrity ? ` <!-- report digest sha256:${x(report.integrity.digest)} -->` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>${digest}\n<testsuites name="${x(`xferscan ${report.profile}`)}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}"${scanTime ? ` time="${scanTime}"` : ''}>\n${suites.map((su) => su.xml).join('\n')}\n</testsuites>\n`;
}
