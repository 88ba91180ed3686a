// Scan the demo servers through the CLI with --profile pci-dss-4.0.1 and a partner policy that
// pins a wrong SSH host key and leaves the FTPS port off the allowlist (so there are failures
// whatever the other checks find), then check that json/html/markdown/junit/sarif all carry the
// same failing findings with controls, evidence and remediation. With Debian's chromium
// installed (/usr/bin/chromium) the HTML is also rendered headless to a PNG.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServers, type DemoServers } from '../../src/demo.js';
import { runCli } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import { assertWellFormedXml, failingKeys, junitXsdErrors, sarifErrors } from '../helpers/reports.js';
import crypto from 'node:crypto';
import type { Report } from '../../src/model.js';

const CHROMIUM = '/usr/bin/chromium';
let servers: DemoServers;
let dir: string;
let jsonFile: string;
let report: Report;

beforeAll(async () => {
  servers = await startDemoServers();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-reports-'));
  const policy = path.join(dir, 'partner.yaml');
  fs.writeFileSync(
    policy,
    `version: 1\nname: demo partner\nhosts:\n  - host: 127.0.0.1\n    ports:\n      - port: ${servers.sftpPort}\n        service: sftp\n        sshHostKeys: [SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA]\n`,
  );
  jsonFile = path.join(dir, 'scan.json');
  const r = await runCli([
    'scan',
    `127.0.0.1:${servers.sftpPort}`,
    `127.0.0.1:${servers.ftpsPort}`,
    '--profile',
    'pci-dss-4.0.1',
    '--policy',
    policy,
    '--format',
    'json',
    '--output',
    jsonFile,
  ]);
  expect(r.code, r.stderr).toBe(3);
  report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
}, 120_000);

afterAll(async () => {
  await servers?.close();
});

const render = async (format: string) => {
  const r = await runCli(['report', jsonFile, '--format', format]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
};

/**
 * The print rules applied on screen at the printable width (A4: 210 mm - 2 x 14 mm margins;
 * Letter: 8.5 in - 28 mm), and a script that lists every element reaching past it.
 */
function checkPrintWidth(html: string, name: string): void {
  for (const [paper, widthMm] of [
    ['A4', 182],
    ['Letter', 187.9],
  ] as const) {
    const probe = html
      .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
      .replace('@media print{', '@media all{')
      .replace(
        '</body>',
        `<script>document.querySelectorAll('details').forEach(function(d){if(!d.closest('.passes')&&!d.classList.contains('tr')&&!d.classList.contains('ev-more'))d.open=true;});document.body.style.width='${widthMm}mm';document.body.style.margin='0';var lim=document.body.getBoundingClientRect().right+0.5;var bad=[];document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();if(r.width>0&&r.right>lim&&getComputedStyle(e).display!=='none')bad.push(e.tagName+'.'+e.className+' '+Math.round(r.right-lim)+'px: '+(e.textContent||'').slice(0,60));});var o=document.createElement('pre');o.id='overflow-result';o.textContent=JSON.stringify(bad.slice(0,10));document.body.appendChild(o);</script></body>`,
      );
    const file = path.join(dir, `probe-${name}-${paper}.html`);
    fs.writeFileSync(file, probe);
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-chromium-'));
    const r = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profileDir}`, '--dump-dom', `file://${file}`],
      { timeout: 60_000, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    fs.rmSync(profileDir, { recursive: true, force: true });
    const m = /<pre id="overflow-result">([^<]*)<\/pre>/.exec(r.stdout);
    expect(m, r.stderr.slice(0, 500)).not.toBeNull();
    expect(
      JSON.parse(
        m![1]
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>'),
      ),
      paper,
    ).toEqual([]);
  }
}

describe('PCI DSS scan of the demo servers, every format', () => {
  it('JSON: valid, profiled, sealed, with failures that carry controls, evidence and remediation', async () => {
    expectValidReport(report);
    expect(report.profile).toBe('pci-dss-4.0.1');
    expect(report.compliance?.verdict).toBe('not-satisfied');
    expect(report.scanner?.sourceAddresses).toEqual([{ target: '127.0.0.1', source: '127.0.0.1' }]);
    const keys = failingKeys(report);
    expect(keys).toEqual(
      expect.arrayContaining([`127.0.0.1:${servers.sftpPort} POLICY-KEY-PIN`, `127.0.0.1:${servers.ftpsPort} NET-UNEXPECTED-SERVICE`]),
    );
    for (const ep of report.endpoints) {
      for (const f of ep.findings.filter((x) => x.status === 'fail')) {
        expect(f.remediation, f.id).not.toBe('');
        expect(f.evidence.length, f.id).toBeGreaterThan(0);
      }
    }
    const pin = report.endpoints[0].findings.find((f) => f.id === 'POLICY-KEY-PIN')!;
    expect(pin.controls).toContain('PCI DSS 4.0.1 4.2.1.1');
    const ctl = report.compliance!.controls.find((c) => c.ref === '4.2.1.1')!;
    expect(ctl.status).toBe('not-satisfied');
    expect(ctl.findings.map((f) => f.id)).toContain('POLICY-KEY-PIN');
    expect((await runCli(['verify', jsonFile])).code).toBe(0);
  });

  it('HTML, Markdown, JUnit and SARIF tell the same failing story', async () => {
    const failing = report.endpoints.flatMap((ep) => ep.findings.filter((f) => f.status === 'fail').map((f) => ({ ep, f })));
    const [html, markdown, junit, sarifText] = await Promise.all(['html', 'markdown', 'junit', 'sarif'].map(render));
    const sarif = JSON.parse(sarifText);
    expect(sarifErrors(sarif)).toBeNull();
    assertWellFormedXml(junit);
    const sarifFails = (
      sarif.runs[0].results as {
        ruleId: string;
        kind: string;
        properties: { controls: string[]; evidence: unknown[]; remediation: string; endpoint: string; status: string };
      }[]
    ).filter((r) => r.properties.status === 'fail');
    expect(junitXsdErrors(junit)).toBeNull();
    const junitFailNames = [...junit.matchAll(/<testcase classname="xferscan\.([^"]+)" name="([A-Z0-9-]+) [^"]*"><failure /g)]
      .map((m) => `${m[1]} ${m[2]}`)
      .sort();
    expect(junitFailNames).toEqual(failingKeys(report));
    expect([...new Set(sarifFails.map((r) => `${r.properties.endpoint} ${r.ruleId}`))].sort()).toEqual(failingKeys(report));
    // the policy host entry (line 4 of partner.yaml) is where code scanning shows them
    const located = (
      sarif.runs[0].results as {
        locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      }[]
    )
      .map((r) => r.locations[0].physicalLocation)
      .filter(Boolean);
    expect(located.length).toBeGreaterThan(0);
    for (const l of located) {
      expect(l!.artifactLocation.uri).toMatch(/partner\.yaml$/);
      expect(l!.region.startLine).toBe(4);
    }
    for (const { ep, f } of failing) {
      const s = sarifFails.find((r) => r.ruleId === f.id && r.properties.endpoint.endsWith(`:${ep.port}`))!;
      expect(s.properties.controls).toEqual(f.controls);
      expect(s.properties.evidence).toEqual(f.evidence);
      expect(s.properties.remediation).toBe(f.remediation);
      expect(html).toContain(`<span class="id">${f.id}</span>`);
      expect(markdown).toContain(`\`${f.id}\``);
      // the first control and first evidence label reach every human format
      if (f.controls[0]) {
        expect(html).toContain(f.controls[0]);
        expect(markdown).toContain(f.controls[0].replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`));
        expect(junit).toContain(f.controls[0]);
      }
      expect(junit).toContain(f.evidence[0].label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(html).toContain('PCI DSS v4.0.1: Not satisfied');
    expect(markdown).toContain('**Verdict: not satisfied.**');
  });

  it('scan --format html writes the same report shape directly', async () => {
    const out = path.join(dir, 'direct.html');
    const r = await runCli(['scan', `127.0.0.1:${servers.sftpPort}`, '--profile', 'pci-dss-4.0.1', '--format', 'html', '--output', out]);
    expect([0, 2, 3]).toContain(r.code);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Controls: PCI DSS v4.0.1');
  });

  it('scan --sign-key writes REPORT.sig; verify --public-key accepts it, and rejects a report whose FAILs were flipped and digest recomputed', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const key = path.join(dir, 'sign.pem');
    const pub = path.join(dir, 'sign.pub.pem');
    fs.writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const out = path.join(dir, 'signed.json');
    const r = await runCli(['scan', `127.0.0.1:${servers.ftpsPort}`, '--format', 'json', '-o', out, '--sign-key', key]);
    expect([0, 2, 3]).toContain(r.code);
    expect(fs.existsSync(`${out}.sig`)).toBe(true);
    expect((await runCli(['verify', out, '--public-key', pub])).code).toBe(0);
    const t = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
    for (const ep of t.endpoints) for (const f of ep.findings) if (f.status === 'fail' || f.status === 'warn') f.status = 'pass';
    const { seal } = await import('../../src/report-meta.js');
    fs.writeFileSync(out, JSON.stringify(seal(t), null, 2));
    expect((await runCli(['verify', out])).code).toBe(0); // a digest cannot tell
    const v = await runCli(['verify', out, '--public-key', pub]);
    expect(v.code).toBe(3);
    expect(v.stderr).toMatch(/SIGNATURE INVALID/);
    // --sign-key without -o, or with a key that is not Ed25519: one line, before any scan
    expect((await runCli(['scan', '127.0.0.1:1', '--format', 'json', '--sign-key', key])).stderr).toMatch(/give --output FILE/);
  }, 90_000);

  it('prints on A4 and Letter in headless chromium with nothing wider than the printable area (skipped without /usr/bin/chromium)', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) {
      ctx.skip();
      return;
    }
    const html = await render('html');
    // and a report made to overflow: many targets without break opportunities, a long banner
    const wide = structuredClone(report);
    wide.options = { ...wide.options, targets: Array.from({ length: 14 }, (_, i) => `sftp://partner${i}.files.example.com:2222`) };
    wide.endpoints[0].banner = 'X'.repeat(400);
    wide.endpoints[0].findings[0].evidence.push({ label: 'long', value: 'Y'.repeat(600) });
    const { renderHtml } = await import('../../reports/html.js');
    for (const [name, doc] of [
      ['scan', html],
      ['wide', renderHtml(wide)],
    ] as const)
      checkPrintWidth(doc, name);
  }, 120_000);

  it('prints with page numbers on every page and a contents list (skipped without /usr/bin/chromium)', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) {
      ctx.skip();
      return;
    }
    const html = await render('html');
    // and the real print: page numbers on every page
    const htmlFile = path.join(dir, 'print.html');
    fs.writeFileSync(htmlFile, html);
    const pdf = path.join(dir, 'report.pdf');
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-chromium-'));
    spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${profileDir}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${pdf}`,
        `file://${htmlFile}`,
      ],
      { timeout: 60_000, encoding: 'utf8' },
    );
    fs.rmSync(profileDir, { recursive: true, force: true });
    expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    if (fs.existsSync('/usr/bin/pdftotext')) {
      const text = spawnSync('/usr/bin/pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout;
      const pages = text.split('\f').filter((p) => p.trim());
      expect(pages.length).toBeGreaterThan(0);
      pages.forEach((p, i) => expect(p).toContain(`page ${i + 1} of ${pages.length}`));
      expect(text).toContain('Contents');
    }
  }, 120_000);

  it('renders to a PNG in headless chromium (skipped without /usr/bin/chromium)', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) {
      console.warn(`skipping the HTML screenshot: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
      ctx.skip();
      return;
    }
    const htmlFile = path.join(dir, 'report.html');
    fs.writeFileSync(htmlFile, await render('html'));
    const png = path.join(dir, 'report.png');
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-chromium-'));
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profileDir}`,
        `--screenshot=${png}`,
        '--window-size=1200,2000',
        `file://${htmlFile}`,
      ],
      { timeout: 60_000, encoding: 'utf8' },
    );
    expect(fs.existsSync(png), r.stderr).toBe(true);
    const buf = fs.readFileSync(png);
    expect(buf.subarray(1, 4).toString()).toBe('PNG');
    expect(buf.length).toBeGreaterThan(20_000); // a blank page compresses to a few KB
    fs.rmSync(profileDir, { recursive: true, force: true });
  }, 90_000);
});
