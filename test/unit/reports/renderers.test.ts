// Every renderer on the fixture report: same failing findings, controls, evidence and remediation;
// hostile server text (a banner with <script> and ]]>) comes out inert in HTML, XML and Markdown.
import { describe, expect, it } from 'vitest';
import { render, FORMATS } from '../../../reports/index.js';
import { remediationHtml, renderHtml } from '../../../reports/html.js';
import { renderJunit } from '../../../reports/junit.js';
import { renderSarif } from '../../../reports/sarif.js';
import { renderMarkdown } from '../../../reports/markdown.js';
import { renderNdjson } from '../../../reports/ndjson.js';
import { expectValidReport } from '../../helpers/schema.js';
import { assertWellFormedXml, failingKeys, junitXsdErrors, loadFixture, sarifErrors } from '../../helpers/reports.js';
import type { Report } from '../../../src/model.js';

const report = loadFixture();
const failing = report.endpoints.flatMap((ep) => ep.findings.filter((f) => f.status === 'fail').map((f) => ({ ep, f })));

describe('fixture report', () => {
  it('is valid against the schema and has failures with controls, evidence and remediation', () => {
    expectValidReport(report);
    expect(failing.length).toBeGreaterThan(5);
    expect(failing.every(({ f }) => f.remediation.length > 0)).toBe(true);
    expect(failing.some(({ f }) => f.controls.length > 0 && f.evidence.length > 0)).toBe(true);
    expect(report.compliance?.verdict).toBe('not-satisfied');
  });
});

describe('renderers are pure', () => {
  it.each(FORMATS.map((f) => [f]))('%s: same input, same output, input untouched', (format) => {
    const before = JSON.stringify(report);
    const a = render(report, format);
    const b = render(JSON.parse(before) as Report, format);
    expect(a).toBe(b);
    expect(JSON.stringify(report)).toBe(before);
  });
});

describe('html', () => {
  const html = renderHtml(report);
  it('is self-contained, summary first, with verdicts, controls, findings and transcript', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link\b/);
    expect(html).toMatch(/@media print/);
    const order = ['id="summary"', 'id="controls"', 'id="findings"', 'id="transcript"'].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('What this scan cannot prove');
    expect(html).toContain(report.integrity!.digest);
    for (const { f } of failing) {
      expect(html).toContain(f.id);
      expect(html).toContain(remediationHtml(f.remediation));
    }
    for (const c of report.compliance!.controls) expect(html).toContain(`<b>${c.ref}</b>`);
    expect(html).toMatch(/<details class="ev"><summary>Evidence/);
  });
  it('renders the hostile banner inert: one script element (ours, CSP-hashed), nothing a server sent', () => {
    expect(html.match(/<script\b/gi)?.length).toBe(1);
    expect(html).not.toContain('alert("xss")</script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<\/pre><script>/);
    expect(html).toMatch(
      /Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-/,
    );
  });
});

describe('remediation code blocks (sshd Match blocks, config lines)', () => {
  const r = structuredClone(report);
  const f = r.endpoints[0].findings.find((x) => x.status === 'fail')!;
  f.remediation =
    'Restrict file-transfer accounts to SFTP in sshd_config:\n```\nMatch User <account>   # or Match Group sftponly\n    ForceCommand internal-sftp\n    ChrootDirectory /srv/sftp/%u\n```\nand give the account a non-login shell (`/usr/sbin/nologin`).';
  it('HTML keeps them as blocks, line by line, with no literal backticks', () => {
    const html = renderHtml(r);
    expect(html).toContain(
      '<pre class="code">Match User &lt;account&gt;   # or Match Group sftponly\n    ForceCommand internal-sftp\n    ChrootDirectory /srv/sftp/%u</pre>',
    );
    expect(html).toContain('<code>/usr/sbin/nologin</code>');
    expect(html).not.toContain('```');
  });
  it('Markdown keeps them fenced and indented under the finding', () => {
    const text = renderMarkdown(r);
    expect(text).toMatch(/\n {4}```\n {4}Match User <account> {3}# or Match Group sftponly\n {4} {4}ForceCommand internal-sftp\n/);
    expect(text).toContain('`/usr/sbin/nologin`');
  });
  it('the terminal shows the block as lines, never wider than the terminal', () => {
    const t = render(r, 'table', { width: 60 });
    expect(t).toMatch(/\n {6}Match User <account> {3}# or Match Group sftponly\n {6} {4}ForceCommand internal-sftp\n/);
    expect(t).not.toContain('```');
  });
});

describe('markdown control cells', () => {
  it('name only what decides the result (fail, error, warn); passes as a count', () => {
    const text = renderMarkdown(report);
    const rows = text.split('\n').filter((l) => /^\| [^|]+ \| .* \| (automated|partial|not-testable) \|/.test(l));
    expect(rows.length).toBe(report.compliance!.controls.length);
    for (const row of rows) expect(row).not.toMatch(/` \S+ pass(<br>| \|)/);
    expect(rows.some((r) => /\d+ pass/.test(r))).toBe(true);
  });
});

describe('junit', () => {
  const xml = renderJunit(report);
  it('is valid against Jenkins xunit junit-10.xsd (xmllint), with and without --junit-fail-on-warn', () => {
    expect(junitXsdErrors(xml)).toBeNull();
    const strict = renderJunit(report, { junitFailOnWarn: true });
    expect(junitXsdErrors(strict)).toBeNull();
    const warnChecks = report.endpoints.reduce(
      (n, ep) =>
        n +
        new Set(
          ep.findings
            .filter((f) => f.status === 'warn' && !ep.findings.some((g) => g.id === f.id && (g.status === 'fail' || g.status === 'error')))
            .map((f) => f.id),
        ).size,
      0,
    );
    expect(strict.match(/<failure /g)!.length - xml.match(/<failure /g)!.length).toBe(warnChecks);
    expect(xml).not.toMatch(/<testsuites[^>]*skipped=/);
    for (const ep of report.endpoints) expect(xml).not.toContain(`hostname="${ep.host}"`);
  });
  it('is well-formed XML even with a hostile banner (<script>, ]]>, control characters)', () => {
    assertWellFormedXml(xml);
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('\u0007');
    expect(xml).toContain('&lt;script&gt;');
  });
  it('has one testcase per check per endpoint, failure/error/skipped by worst outcome', () => {
    const perEp = report.endpoints.map((ep) => new Set(ep.findings.map((f) => f.id)));
    const total = perEp.reduce((n, s) => n + s.size, 0);
    expect(xml.match(/<testcase /g)?.length).toBe(total);
    const failChecks = report.endpoints.reduce(
      (n, ep) => n + new Set(ep.findings.filter((f) => f.status === 'fail').map((f) => f.id)).size,
      0,
    );
    expect(xml.match(/<failure /g)?.length).toBe(failChecks);
    const fwFails = report.firewall?.endpoints.filter((e) => e.missing.length).length ?? 0;
    expect(xml).toMatch(
      new RegExp(`<testsuites [^>]*tests="${total + (report.firewall?.endpoints.length ?? 0)}" failures="${failChecks + fwFails}"`),
    );
    for (const { ep, f } of failing)
      expect(xml).toMatch(new RegExp(`classname="xferscan\\.${ep.host.replace(/\./g, '\\.')}:${ep.port}" name="${f.id} `));
    expect(xml).toMatch(/<skipped message=/);
  });
});

describe('sarif', () => {
  const text = renderSarif(report);
  const doc = JSON.parse(text);
  it('validates against the SARIF 2.1.0 structural schema subset', () => {
    expect(sarifErrors(doc)).toBeNull();
    expect(doc.version).toBe('2.1.0');
  });
  it('carries only what needs action by default: fail, warn and error results, one rule each, with helpUri and help', () => {
    const rules = doc.runs[0].tool.driver.rules as { id: string; helpUri: string; help: { text: string } }[];
    const actionable = report.endpoints.flatMap((ep) => ep.findings.filter((f) => ['fail', 'warn', 'error'].includes(f.status)));
    expect(rules.map((r) => r.id).sort()).toEqual([...new Set(actionable.map((f) => f.id))].sort());
    const results = doc.runs[0].results as {
      ruleId: string;
      ruleIndex: number;
      kind: string;
      level: string;
      locations: { logicalLocations: { name: string; fullyQualifiedName: string }[] }[];
      partialFingerprints: Record<string, string>;
      properties: { controls: string[]; evidence: unknown[]; remediation: string; endpoint: string };
    }[];
    expect(results.length).toBe(actionable.length);
    for (const r of results) {
      expect(rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.locations[0].logicalLocations[0].name).toMatch(/:\d+$/);
      expect(Object.values(r.partialFingerprints)[0]).toMatch(/^[0-9a-f]{32}$/);
    }
    for (const rule of rules) {
      expect(rule.helpUri).toMatch(new RegExp(`/docs/checks\\.md#${rule.id.toLowerCase()}$`));
      expect(rule.help.text).not.toMatch(/No remediation needed/);
      expect(rule.help.text.length).toBeGreaterThan(30);
    }
    const fails = results.filter((r) => r.kind === 'fail');
    expect([...new Set(fails.filter((r) => r.level !== 'warning' || true).map((r) => `${r.properties.endpoint} ${r.ruleId}`))]).toEqual(
      expect.arrayContaining(failingKeys(report)),
    );
    expect(fails.every((r) => r.level !== 'none' && r.properties.remediation.length > 0)).toBe(true);
    // stable fingerprints: same endpoint and check, same print
    expect(JSON.parse(renderSarif(report)).runs[0].results.map((r: { partialFingerprints: object }) => r.partialFingerprints)).toEqual(
      results.map((r) => r.partialFingerprints),
    );
  });

  it('--sarif-all keeps every finding, still valid, and no rule says "No remediation needed"', () => {
    const all = JSON.parse(renderSarif(report, { sarifAll: true }));
    expect(sarifErrors(all)).toBeNull();
    expect(all.runs[0].results.length).toBe(report.endpoints.reduce((n, ep) => n + ep.findings.length, 0));
    expect(JSON.stringify(all)).not.toMatch(/No remediation needed/);
  });

  it('puts a physical location on the inventory line when the report names one', () => {
    const r = structuredClone(report);
    r.options = { ...r.options, endpointSources: { [`${r.endpoints[0].host}:${r.endpoints[0].port}`]: 'inventory/partners.csv:7' } };
    const d = JSON.parse(renderSarif(r));
    expect(sarifErrors(d)).toBeNull();
    const located = d.runs[0].results.filter((x: { locations: { physicalLocation?: unknown }[] }) => x.locations[0].physicalLocation);
    expect(located.length).toBeGreaterThan(0);
    expect(located[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'inventory/partners.csv', uriBaseId: '%SRCROOT%' },
      region: { startLine: 7 },
    });
  });
});

describe('markdown', () => {
  const text = renderMarkdown(report);
  it('carries every failing finding with its fix, and the per-control table', () => {
    for (const { f } of failing) expect(text).toContain(`\`${f.id}\``);
    expect(text).toContain('## Controls: PCI DSS v4.0.1');
    expect(text).toContain('❌ NOT satisfied');
    expect(text).toContain('### What this scan cannot prove');
  });
  it('keeps hostile text inert: raw <script> only inside fenced code blocks', () => {
    const outsideFences = text.replace(/^ *(`{3,})text\n[\s\S]*?\n *\1$/gm, '');
    expect(outsideFences).not.toMatch(/<script/i);
    expect(outsideFences).toContain('&lt;script&gt;');
  });
});

describe('ndjson', () => {
  it('has one endpoint per line, each line complete JSON', () => {
    const lines = renderNdjson(report).trimEnd().split('\n');
    expect(lines.length).toBe(report.endpoints.length);
    lines.forEach((l, i) => {
      const o = JSON.parse(l);
      expect(o.endpoint).toEqual(report.endpoints[i]);
      expect(o.scan.profile).toBe('pci-dss-4.0.1');
      expect(o.verdict).toBe(report.compliance!.endpoints[i].verdict);
    });
  });
});

describe('json', () => {
  it('round-trips exactly', () => {
    expect(JSON.parse(render(report, 'json'))).toEqual(report);
  });
});

describe('table', () => {
  it('still renders with compliance data present', () => {
    const t = render(report, 'table', { width: 120 });
    for (const { f } of failing) expect(t).toContain(f.id);
  });
});
