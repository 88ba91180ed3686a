// One NDJSON writer (reports/ndjson.ts): the streaming scan and `report --format ndjson` write the
// same line for the same endpoint, and `merge` reads both back to the same endpoints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NdjsonStream } from '../../../src/fleet/stream.js';
import { renderNdjson } from '../../../reports/ndjson.js';
import { readNdjsonReport } from '../../../src/commands/merge.js';
import { loadFixture } from '../../helpers/reports.js';

describe('NDJSON lines', () => {
  it('a streamed endpoint line is the rendered one, but for what only a finished report knows', () => {
    const report = loadFixture();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-ndjson-'));
    const file = path.join(dir, 's.ndjson');
    const s = new NdjsonStream({ tool: report.tool, startedAt: report.startedAt, profile: report.profile }, file);
    report.endpoints.forEach((ep, i) => s.endpoint(ep, i));
    s.finish({ finishedAt: report.finishedAt });
    const streamed = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rendered = renderNdjson(report)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(streamed).toHaveLength(rendered.length + 1);
    rendered.forEach((r, i) => {
      const { scan: _a, ...line } = r;
      const { scan: _b, ...same } = streamed[i]!;
      expect(Object.keys(same)).toEqual(Object.keys(line).filter((k) => k !== 'firewall'));
      expect(same).toEqual(Object.fromEntries(Object.entries(line).filter(([k]) => k !== 'firewall')));
    });
    expect(streamed.at(-1)!.type).toBe('summary');
    expect(readNdjsonReport(file, fs.readFileSync(file, 'utf8')).endpoints).toEqual(report.endpoints);
    expect(readNdjsonReport('r.ndjson', renderNdjson(report)).endpoints).toEqual(report.endpoints);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
