import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeReports, readMergeInput } from '../../../src/commands/merge.js';
import { finalizeReport, verifyDigest } from '../../../src/report-meta.js';
import { resolveProfile } from '../../../src/profiles/index.js';
import { summarize } from '../../../src/scan.js';
import { NdjsonStream } from '../../../src/fleet/stream.js';
import type { EndpointReport, Finding, Report } from '../../../src/model.js';

const finding = (id: string, status: Finding['status']): Finding => ({
  id,
  status,
  severity: 'high',
  title: id,
  detail: '',
  remediation: '',
  controls: [],
  evidence: [],
});

function ep(host: string, port: number, findings: Finding[], state: EndpointReport['state'] = 'open'): EndpointReport {
  return {
    host,
    port,
    address: host,
    state,
    connectMs: 1,
    service: state === 'open' ? 'sftp' : null,
    banner: null,
    outcome: null,
    error: null,
    tls: null,
    ssh: null,
    ftp: null,
    findings,
    transcript: [],
  };
}

function report(endpoints: EndpointReport[], finishedAt: string, profile = 'baseline'): Report {
  const r: Report = {
    schemaVersion: 1,
    tool: { name: 'xferscan', version: '0.1.0' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt,
    profile,
    options: { shard: '1/2' },
    endpoints,
    summary: summarize(endpoints),
  };
  return finalizeReport(r, resolveProfile(profile), null);
}

describe('merge', () => {
  const a = report(
    [ep('10.0.0.1', 22, [finding('SSH-KEX-WEAK', 'fail')]), ep('10.0.0.2', 22, [finding('SSH-KEX-WEAK', 'pass')])],
    '2026-01-01T00:01:00.000Z',
  );
  const b = report([ep('10.0.0.3', 21, [], 'closed'), ep('10.0.0.2', 22, [finding('SSH-KEX-WEAK', 'warn')])], '2026-01-01T00:02:00.000Z');

  it('concatenates, de-duplicates by host:port (latest input wins), recomputes summary, compliance and digest', () => {
    const { report: m, duplicates } = mergeReports([
      { file: 'a.json', report: a, kind: 'json' },
      { file: 'b.json', report: b, kind: 'json' },
    ]);
    expect(m.endpoints.map((e) => `${e.host}:${e.port}`)).toEqual(['10.0.0.1:22', '10.0.0.3:21', '10.0.0.2:22']);
    expect(m.endpoints[2].findings[0].status).toBe('warn');
    expect(duplicates).toEqual(['10.0.0.2:22']);
    expect(m.summary).toEqual({ pass: 0, fail: 1, warn: 1, info: 0, error: 0, skipped: 0 });
    expect(m.compliance?.endpoints.map((e) => e.endpoint)).toEqual(['10.0.0.1:22', '10.0.0.3:21', '10.0.0.2:22']);
    expect(m.compliance?.endpoints.map((e) => e.endpointIndex)).toEqual([0, 1, 2]);
    expect(m.finishedAt).toBe('2026-01-01T00:02:00.000Z');
    expect(verifyDigest(m).ok).toBe(true);
    expect(m.integrity?.digest).not.toBe(a.integrity?.digest);
    expect((m.options?.merged as unknown[]).length).toBe(2);
  });

  it('an interrupted input leaves the merged report marked interrupted; whole inputs do not', () => {
    const inputs = (bi: Report['interrupted']) => [
      { file: 'a.json', report: a, kind: 'json' as const },
      { file: 'b.json', report: { ...b, interrupted: bi }, kind: 'json' as const },
    ];
    expect(mergeReports(inputs('SIGTERM')).report.interrupted).toBe('SIGTERM');
    expect(mergeReports(inputs(null)).report).not.toHaveProperty('interrupted');
  });

  it('refuses reports judged with different profiles', () => {
    const c = report([ep('10.0.0.9', 22, [])], '2026-01-01T00:03:00.000Z', 'pci-dss-4.0.1');
    expect(() =>
      mergeReports([
        { file: 'a.json', report: a, kind: 'json' },
        { file: 'c.json', report: c, kind: 'json' },
      ]),
    ).toThrow(/different profiles \("baseline", "pci-dss-4.0.1"\)/);
  });

  it('reads JSON reports and NDJSON streams from files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-merge-'));
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(a));
    const s = new NdjsonStream(
      { tool: { name: 'xferscan', version: '0.1.0' }, startedAt: '2026-01-01T00:00:00.000Z', profile: 'baseline' },
      path.join(dir, 'b.ndjson'),
    );
    s.endpoint(b.endpoints[1], 1);
    s.endpoint(b.endpoints[0], 0);
    const sum = s.finish({ finishedAt: '2026-01-01T00:02:00.000Z' });
    expect(sum.endpoints).toBe(2);
    const lines = fs.readFileSync(path.join(dir, 'b.ndjson'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const inb = readMergeInput(path.join(dir, 'b.ndjson'));
    expect(inb.kind).toBe('ndjson');
    // input order restored from the index field
    expect(inb.report.endpoints.map((e) => e.host)).toEqual(['10.0.0.3', '10.0.0.2']);
    const { report: m } = mergeReports([readMergeInput(path.join(dir, 'a.json')), inb]);
    expect(m.endpoints).toHaveLength(3);
    expect(verifyDigest(m).ok).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
