// An interrupted scan (report.interrupted: SIGINT, SIGTERM or the last resort) says so in every
// format: one line beside the verdict in table, HTML and Markdown; an error testcase in JUnit; a
// failed invocation in SARIF; the summary line (or, from a finished report, every line's scan) in
// NDJSON. A finished scan says nothing of the kind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { render, FORMATS } from '../../../reports/index.js';
import { renderJunit } from '../../../reports/junit.js';
import { renderSarif } from '../../../reports/sarif.js';
import { renderNdjson } from '../../../reports/ndjson.js';
import { NdjsonStream } from '../../../src/fleet/stream.js';
import { parseNdjson } from '../../../src/commands/merge.js';
import { junitXsdErrors, loadFixture, sarifErrors } from '../../helpers/reports.js';
import { expectValidReport } from '../../helpers/schema.js';
import type { Report } from '../../../src/model.js';

/** The fixture as a scan stopped by `reason`: its first endpoint never started, the others finished. */
function interrupted(reason: NonNullable<Report['interrupted']>): Report {
  const r = loadFixture();
  const why = `the scan was interrupted (${reason}) before this endpoint was scanned`;
  r.endpoints[0] = { ...r.endpoints[0]!, notScanned: why, error: why, probeRuns: [{ probe: 'scheduler', status: 'error', detail: why }] };
  r.interrupted = reason;
  return r;
}

const finished = loadFixture();
const stopped = interrupted('SIGINT');
const n = stopped.endpoints.length;
const LINE = `INTERRUPTED (SIGINT): results are partial — 1 of ${n} endpoint(s) not finished`;

describe('an interrupted report', () => {
  it('is a valid report (the field is in the model and the schema)', () => {
    expectValidReport(stopped);
  });

  it.each([['table'], ['html'], ['markdown']] as const)('%s: one line says it, before the per-endpoint verdicts', (format) => {
    const text = render(stopped, format, { width: 200 });
    // Markdown escapes its punctuation (the parentheses show as such)
    const line = format === 'markdown' ? LINE.replace(/[()]/g, '\\$&') : LINE;
    expect(text.split(line)).toHaveLength(2);
    expect(render(finished, format, { width: 200 })).not.toContain('INTERRUPTED');
    if (format !== 'table') expect(text.indexOf(line)).toBeLessThan(text.indexOf('Verdict'));
  });

  it('table --quiet still says it', () => {
    expect(render(stopped, 'table', { quiet: true, width: 200 })).toContain(LINE);
  });

  it('the last resort is named as an internal error', () => {
    expect(render(interrupted('internal-error'), 'table', { width: 200 })).toContain('INTERRUPTED (internal error): results are partial');
  });

  it('junit: one error testcase (counted in <testsuites>), still valid against junit-10.xsd', () => {
    const xml = renderJunit(stopped);
    expect(junitXsdErrors(xml)).toBeNull();
    expect(xml).toMatch(
      /<testcase classname="xferscan\.scan" name="scan completed"><error message="INTERRUPTED \(SIGINT\)[^"]*" type="INTERRUPTED">/,
    );
    expect(xml).toContain('<property name="interrupted" value="SIGINT"/>');
    const errors = (x: string) => Number(/<testsuites [^>]*errors="(\d+)"/.exec(x)![1]);
    const tests = (x: string) => Number(/<testsuites [^>]*tests="(\d+)"/.exec(x)![1]);
    const plain = renderJunit({ ...stopped, interrupted: null });
    expect(errors(xml) - errors(plain)).toBe(1);
    expect(tests(xml) - tests(plain)).toBe(1);
    expect(renderJunit(finished)).not.toContain('INTERRUPTED');
  });

  it('sarif: the invocation did not succeed, names the signal and says why in a notification', () => {
    const doc = JSON.parse(renderSarif(stopped));
    expect(sarifErrors(doc)).toBeNull();
    const inv = doc.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.exitSignalName).toBe('SIGINT');
    expect(inv.toolExecutionNotifications[0]).toEqual({ level: 'error', message: { text: LINE }, descriptor: { id: 'INTERRUPTED' } });
    expect(doc.runs[0].properties.interrupted).toBe('SIGINT');
    const last = JSON.parse(renderSarif(interrupted('internal-error'))).runs[0].invocations[0];
    expect(last.executionSuccessful).toBe(false);
    expect(last.exitSignalName).toBeUndefined();
    const ok = JSON.parse(renderSarif(finished));
    expect(ok.runs[0].invocations[0].exitSignalName).toBeUndefined();
    expect(
      ok.runs[0].invocations[0].toolExecutionNotifications.some((x: { descriptor: { id: string } }) => x.descriptor.id === 'INTERRUPTED'),
    ).toBe(false);
    expect(ok.runs[0].properties.interrupted).toBeUndefined();
  });

  it('ndjson from a finished report: every line names it, and the reader gives it back', () => {
    const lines = renderNdjson(stopped)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { scan: { interrupted?: string } });
    expect(lines.every((l) => l.scan.interrupted === 'SIGINT')).toBe(true);
    expect(parseNdjson('r.ndjson', renderNdjson(stopped)).report.interrupted).toBe('SIGINT');
    expect(renderNdjson(finished)).not.toContain('interrupted');
    expect(parseNdjson('r.ndjson', renderNdjson(finished)).report.interrupted).toBeUndefined();
  });

  it('ndjson streamed by a scan: the summary line carries it (only when set), and the reader gives it back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-interrupted-'));
    try {
      const stream = (file: string, reason?: 'SIGTERM') => {
        const s = new NdjsonStream({ tool: stopped.tool, startedAt: stopped.startedAt, profile: stopped.profile }, file);
        stopped.endpoints.forEach((ep, i) => s.endpoint(ep, i));
        s.finish({ finishedAt: stopped.finishedAt, ...(reason ? { interrupted: reason } : {}) });
        return fs.readFileSync(file, 'utf8');
      };
      const text = stream(path.join(dir, 'a.ndjson'), 'SIGTERM');
      const summary = JSON.parse(text.trim().split('\n').at(-1)!);
      expect(summary.type).toBe('summary');
      expect(summary.interrupted).toBe('SIGTERM');
      expect(parseNdjson('a.ndjson', text).report.interrupted).toBe('SIGTERM');
      const whole = stream(path.join(dir, 'b.ndjson'));
      expect(JSON.parse(whole.trim().split('\n').at(-1)!)).not.toHaveProperty('interrupted');
      expect(parseNdjson('b.ndjson', whole).report.interrupted).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every format renders it without throwing', () => {
    for (const f of FORMATS) expect(render(stopped, f).length).toBeGreaterThan(0);
  });
});
