// Helpers for renderer tests: the fixture report, a small XML well-formedness check, SARIF validation.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { Report } from '../../src/model.js';
import { officialSarifErrors } from './sarif-schema.js';

export const FIXTURE = path.join(import.meta.dirname, '../fixtures/report-pci.json');

export function loadFixture(): Report {
  return JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Report;
}

/** The failing findings of a report as "host:port ID" strings (the story every format must tell). */
export function failingKeys(r: Report): string[] {
  return [
    ...new Set(r.endpoints.flatMap((ep) => ep.findings.filter((f) => f.status === 'fail').map((f) => `${ep.host}:${ep.port} ${f.id}`))),
  ].sort();
}

/**
 * Minimal XML 1.0 well-formedness: one root, balanced and properly nested tags, quoted attributes,
 * no "<" or stray "&" in text or attribute values, no CDATA. Enough to show that hostile text
 * cannot break out of its element.
 */
export function assertWellFormedXml(xml: string): void {
  let s = xml.replace(/^<\?xml[^?]*\?>/, '');
  s = s.replace(/<!--(?:(?!--)[\s\S])*-->/g, '');
  if (s.includes('<![CDATA[')) throw new Error('CDATA section present');
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const checkText = (t: string) => {
    if (t.includes('<')) throw new Error(`unescaped "<" in text near: ${t.slice(0, 80)}`);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(t)) throw new Error(`stray "&" near: ${t.slice(0, 80)}`);
    if (t.includes(']]>')) throw new Error('"]]>" in text');
  };
  while ((m = re.exec(s))) {
    checkText(s.slice(last, m.index));
    last = re.lastIndex;
    const [, close, name, attrs, selfClose] = m;
    for (const a of attrs.matchAll(/="([^"]*)"/g)) checkText(a[1]);
    if (close) {
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  checkText(s.slice(last));
  if (stack.length) throw new Error(`unclosed <${stack.at(-1)}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
}

/** SARIF validated against the official 2.1.0 schema (vendored). */
export function sarifErrors(doc: unknown): string | null {
  return officialSarifErrors(doc);
}

export const JUNIT_XSD = path.join(import.meta.dirname, '../fixtures/schemas/junit-10.xsd');
export const XMLLINT = '/usr/bin/xmllint';

/**
 * JUnit validated against Jenkins xunit's junit-10.xsd with xmllint (Debian's libxml2-utils,
 * installed by test/lab/install.sh). Returns null when valid, else xmllint's complaint.
 */
export function junitXsdErrors(xml: string): string | null {
  if (!fs.existsSync(XMLLINT)) throw new Error(`${XMLLINT} is missing: apt-get install libxml2-utils (test/lab/install.sh does)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-junit-'));
  const file = path.join(dir, 'report.xml');
  fs.writeFileSync(file, xml);
  const r = spawnSync(XMLLINT, ['--noout', '--nonet', '--schema', JUNIT_XSD, file], { encoding: 'utf8', timeout: 30_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return r.status === 0 ? null : `${r.stderr}`.slice(0, 2000);
}
