// xferscan judge on an NDJSON stream: the stream is written by the project's own writer (the
// streaming scan's NdjsonStream over reports/ndjson.ts), read back by merge's reader, and judged
// exactly as the JSON report with the same facts. A stream cut short or a JSON document that is
// not a report is one line on stderr and exit 1, as any other bad input of judge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeReport, readScanFile } from '../../../src/commands/judge.js';
import { NdjsonStream } from '../../../src/fleet/stream.js';
import { renderNdjson } from '../../../reports/ndjson.js';
import { builtinProfile } from '../../../src/profiles/index.js';
import { EXIT, exitCodeForReport } from '../../../src/knowledge/exit-code.js';
import { UsageError } from '../../../src/targets.js';
import type { Report } from '../../../src/model.js';
import { expectValidReport } from '../../helpers/schema.js';
import { loadFixture } from '../../helpers/reports.js';
import { looksLikeStackTrace, runCli } from '../../helpers/cli.js';

const fixture = loadFixture();
const hipaa = builtinProfile('hipaa')!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-judge-ndjson-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The fixture's endpoints as `scan --format ndjson` streams them; `finish: false` leaves the summary line out (a scan cut off). */
function streamed(name: string, finish = true): string {
  const file = path.join(dir, name);
  const s = new NdjsonStream({ tool: fixture.tool, startedAt: fixture.startedAt, profile: fixture.profile }, file);
  // in another order than the input: the reader restores it from each line's index
  [...fixture.endpoints.keys()].reverse().forEach((i) => s.endpoint(fixture.endpoints[i]!, i));
  if (finish) s.finish({ finishedAt: fixture.finishedAt, ...(fixture.options ? { options: fixture.options } : {}) });
  return file;
}

const findings = (r: Report) => r.endpoints.map((e) => e.findings);

describe('judge reads an NDJSON stream', () => {
  it('judges it as the JSON report with the same facts', () => {
    const input = readScanFile(streamed('scan.ndjson'));
    expect(input.kind).toBe('ndjson');
    expect(input.report.endpoints).toEqual(fixture.endpoints);
    const judged = judgeReport(input.report, hipaa, { file: 'scan.ndjson' });
    expectValidReport(judged);
    expect(judged.profile).toBe('hipaa');
    expect(findings(judged)).toEqual(findings(judgeReport(fixture, hipaa)));
    expect(judged.summary).toEqual(judgeReport(fixture, hipaa).summary);
    expect(judged.options?.judged).toMatchObject({ file: 'scan.ndjson', profile: fixture.profile });
  });

  it('refuses the NDJSON of a finished report (report --format ndjson): it lacks the options the checks need', () => {
    const file = path.join(dir, 'rendered.ndjson');
    fs.writeFileSync(file, renderNdjson(fixture));
    expect(() => readScanFile(file)).toThrow(/judge the JSON report/);
  });

  it('refuses a stream without its summary line (the scan did not finish, or the file was cut)', () => {
    expect(() => readScanFile(streamed('cut.ndjson', false))).toThrow(UsageError);
    expect(() => readScanFile(streamed('cut.ndjson', false))).toThrow(/without its summary line/);
  });

  it('the CLI: judged output and exit code as for a JSON report; bad input is one line, exit 1', async () => {
    const ok = await runCli(['judge', streamed('cli.ndjson'), '--profile', 'hipaa', '--format', 'json']);
    const report = JSON.parse(ok.stdout) as Report;
    expectValidReport(report);
    expect(findings(report)).toEqual(findings(judgeReport(fixture, hipaa)));
    expect(ok.code).toBe(exitCodeForReport(report));

    const notReport = path.join(dir, 'other.json');
    fs.writeFileSync(notReport, '{"name":"not a report","endpoints":3}\n');
    const half = path.join(dir, 'half.ndjson');
    const text = fs.readFileSync(streamed('whole.ndjson'), 'utf8');
    fs.writeFileSync(half, text.slice(0, Math.floor(text.length / 2)));
    for (const [file, why] of [
      [streamed('cli-cut.ndjson', false), /without its summary line/],
      [half, /not JSON/],
      [notReport, /not an xferscan JSON report/],
    ] as const) {
      const r = await runCli(['judge', file, '--profile', 'hipaa', '--format', 'json']);
      expect(r.code).toBe(EXIT.SCAN_ERROR);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(why);
      expect(looksLikeStackTrace(r.stderr)).toBe(false);
    }
  });
});
