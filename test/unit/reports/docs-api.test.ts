// The library surface and the generated docs: `import('xferscan')` gives render() and the
// integrity helpers with types; docs/checks.md (every SARIF helpUri's target) matches the checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkDocs } from '../../../src/check-docs.js';
import { checkCatalogueMarkdown } from '../../../reports/checks-doc.js';
import { ROOT } from '../../helpers/cli.js';
import { loadFixture } from '../../helpers/reports.js';
import { renderSarif } from '../../../reports/sarif.js';

describe('docs/checks.md', () => {
  it('is generated from the checks (npm run docs) and has an anchor for every SARIF helpUri', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/checks.md'), 'utf8');
    expect(text).toBe(checkCatalogueMarkdown(checkDocs()));
    const sarif = JSON.parse(renderSarif(loadFixture(), { sarifAll: true }));
    for (const rule of sarif.runs[0].tool.driver.rules as { helpUri: string }[]) {
      const anchor = rule.helpUri.split('#')[1];
      expect(text, anchor).toContain(`<a id="${anchor}"></a>`);
    }
  });
});

describe('package surface', () => {
  it("import('xferscan') works from the built package, with types, exports and a LICENSE", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', import: './dist/src/index.js' });
    expect(pkg.repository.url).toMatch(/github\.com/);
    expect(pkg.files).toContain('LICENSE');
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(fs.existsSync(path.join(ROOT, 'dist/src/index.d.ts'))).toBe(true);
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('xferscan'); const fs = await import('node:fs'); const r = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(ROOT, 'test/fixtures/report-pci.json'))}, 'utf8')); console.log(typeof m.render, m.FORMATS.join(','), m.verifyDigest(r).ok, m.render(r, 'table', { width: 80, quiet: true }).split('\\n')[0].slice(0, 4));`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function table,json,html,markdown,junit,sarif,ndjson true FAIL');
  });

  it('a plain scan starts without node-forge, yaml or csv-parse (each loaded only by the code that needs it)', () => {
    const hook = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-hook-')), 'hook.cjs');
    fs.writeFileSync(
      hook,
      "const m = require('module'); const o = m._load; m._load = function (r, ...a) { if (/node-forge|^yaml$|csv-parse/.test(r)) process.stderr.write('LOADED ' + r + '\\n'); return o.call(this, r, ...a); };",
    );
    const r = spawnSync(
      process.execPath,
      ['--require', hook, path.join(ROOT, 'bin/xferscan.js'), 'scan', '127.0.0.1:1', '--format', 'json', '--timeout', '500'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/LOADED/);
  });

  it('the production dependencies carry no demo server and no terminal-table package', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).not.toContain('ftp-srv');
    expect(Object.keys(pkg.dependencies)).not.toContain('table');
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['yaml', 'csv-parse']));
  });
});
