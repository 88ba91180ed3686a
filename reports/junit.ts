// JUnit XML for CI dashboards: one <testsuite> per endpoint, one <testcase> per check per
// endpoint (a check with several outcomes is one testcase, judged by its worst outcome):
// fail → <failure>, error → <error>, skipped → <skipped>; pass, info and warn pass (warn and info
// text goes to <system-out>).
import type { Finding, Report } from '../src/model.js';
import { endpointName, escapeXml as x, STATUS_ORDER } from './common.js';

function findingText(f: Finding): string {
  const lines = [`[${f.status}] ${f.title}: ${f.detail}`];
  if (f.remediation) lines.push(`Fix: ${f.remediation}`);
  if (f.controls.length) lines.push(`Controls: ${f.controls.join('; ')}`);
  for (const e of f.evidence) lines.push(`  ${e.label}: ${e.value}`);
  return lines.join('\n');
}

export function renderJunit(report: Report): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const seconds = Math.max(0, (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000) || 0;
  report.endpoints.forEach((ep) => {
    const name = endpointName(ep);
    const byCheck = new Map<string, Finding[]>();
    for (const f of ep.findings) byCheck.set(f.id, [...(byCheck.get(f.id) ?? []), f]);
    const cases: string[] = [];
    let sf = 0;
    let se = 0;
    let ss = 0;
    for (const [id, fs] of byCheck) {
      const worst = [...fs].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status))[0];
      const title = fs.length === 1 ? fs[0].title : fs[0].title.replace(/ \(.*\)$/, '');
      const text = fs.map(findingText).join('\n\n');
      const message = fs
        .filter((f) => f.status === worst.status)
        .map((f) => f.detail)
        .join('; ');
      let inner: string;
      if (worst.status === 'fail') {
        sf++;
        inner = `<failure message="${x(message)}" type="${x(`${id} ${worst.severity}`)}">${x(text)}</failure>`;
      } else if (worst.status === 'error') {
        se++;
        inner = `<error message="${x(message)}" type="${x(id)}">${x(text)}</error>`;
      } else if (worst.status === 'skipped') {
        ss++;
        inner = `<skipped message="${x(message)}"/>`;
      } else {
        inner = `<system-out>${x(text)}</system-out>`;
      }
      cases.push(`    <testcase classname="${x(`xferscan.${name}`)}" name="${x(`${id} ${title}`)}" time="0">${inner}</testcase>`);
    }
    // The firewall view (report.firewall) as one testcase: fails when rules are missing.
    const fwe = report.firewall?.endpoints.find((e) => e.endpointIndex === report.endpoints.indexOf(ep));
    let fwCase = 0;
    if (fwe) {
      fwCase = 1;
      const lines = fwe.rules.map((r) => `[${r.status}${r.blockage ? ` ${r.blockage}` : ''}] ${r.text} — ${r.evidence}`).join('\n');
      if (fwe.missing.length > 0) {
        sf++;
        cases.push(
          `    <testcase classname="${x(`xferscan.${name}`)}" name="FIREWALL rules a transfer needs" time="0"><failure message="${x(`missing: ${fwe.missing.map((r) => r.text).join('; ')}`)}" type="FIREWALL">${x(lines)}</failure></testcase>`,
        );
      } else {
        cases.push(
          `    <testcase classname="${x(`xferscan.${name}`)}" name="FIREWALL rules a transfer needs" time="0"><system-out>${x(lines)}</system-out></testcase>`,
        );
      }
    }
    tests += byCheck.size + fwCase;
    failures += sf;
    errors += se;
    skipped += ss;
    const props = [
      ['address', ep.address ?? ''],
      ['state', ep.state],
      ['service', ep.service ?? ''],
      ['banner', ep.banner ?? ''],
      ['profile', report.profile],
      ...(fwe ? [['firewall.missing', fwe.missing.map((r) => r.text).join('; ')]] : []),
    ].map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`);
    suites.push(
      `  <testsuite name="${x(name)}" tests="${byCheck.size + fwCase}" failures="${sf}" errors="${se}" skipped="${ss}" time="0" timestamp="${x(report.startedAt.replace(/Z$/, ''))}" hostname="${x(ep.host)}">\n` +
        `    <properties>\n${props.join('\n')}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
    );
  });
  const digest = report.integrity ? ` <!-- report digest sha256:${x(report.integrity.digest)} -->` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>${digest}\n<testsuites name="${x(`xferscan ${report.profile}`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
