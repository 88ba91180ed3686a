// The cluster section in every format, on the fixture report with a cluster section added (built
// by the cluster view from node records and samples, then finalized like a scan's): the JSON is
// valid against the schema, SARIF against the official schema, JUnit against junit-10.xsd; every
// format names the drifted node and both values. `diff` shows cluster drift between two runs, and
// `merge` reads the NDJSON clusters line back.
import { describe, expect, it } from 'vitest';
import { render, FORMATS } from '../../../reports/index.js';
import { renderJunit } from '../../../reports/junit.js';
import { renderSarif } from '../../../reports/sarif.js';
import { renderNdjson } from '../../../reports/ndjson.js';
import { expectValidReport } from '../../helpers/schema.js';
import { assertWellFormedXml, junitXsdErrors, loadFixture, sarifErrors } from '../../helpers/reports.js';
import type { Report } from '../../../src/model.js';
import { clusterView, type NodeRecord } from '../../../src/cluster/view.js';
import type { GroupPlan } from '../../../src/cluster/plan.js';
import { finalizeReport } from '../../../src/report-meta.js';
import { resolveProfile, profileSelection, profileCheckOptions } from '../../../src/profiles/index.js';
import { diffReports, renderDiffText } from '../../../src/commands/diff.js';
import { readNdjsonReport, mergeReports } from '../../../src/commands/merge.js';
import { exitCodeForReport } from '../../../src/knowledge/exit-code.js';
import { clusterFindings, tally } from '../../../src/knowledge/summary.js';

const ODD = 'SHA256:bbbbOddNodeKey';
const MAJ = 'SHA256:aaaaMajorityKey';
const pci = resolveProfile('pci-dss-4.0.1');

function withClusters(oddKey: string | null): Report {
  const base = loadFixture();
  const plan: GroupPlan = {
    name: 'partner-sftp',
    service: 'sftp',
    nodes: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((host) => ({
      endpoint: { input: host, host, port: 22, scheme: null, expectedService: null },
      standby: false,
    })),
    vip: null,
  };
  const rec = (host: string, key: string): NodeRecord => ({
    endpoint: `${host}:22`,
    index: 0,
    address: host,
    state: 'open',
    service: 'sftp',
    facts: { 'ssh.hostkey.ssh-ed25519': key, software: 'SSH-2.0-OpenSSH_9.2' },
    words: {},
    hostKeys: [],
  });
  const records = new Map([rec('10.0.0.1', MAJ), rec('10.0.0.2', MAJ), rec('10.0.0.3', oddKey ?? MAJ)].map((r) => [r.endpoint, r]));
  const samples = [MAJ, MAJ, oddKey ?? MAJ].map((k, index) => ({
    index,
    ok: true,
    outcome: null,
    ms: 3,
    facts: { 'ssh.hostkey.ssh-ed25519': k },
    node: null,
  }));
  const view = clusterView(
    [
      {
        ...plan,
        vip: {
          entry: { target: { input: 'vip', host: 'vip.example.com', port: 22, scheme: null }, expectedService: null, file: '', line: 0 },
          samples: 3,
          coverage: 'three',
        },
      },
    ],
    records,
    new Map([
      ['partner-sftp', { endpoint: 'vip.example.com:22', address: '10.0.0.100', requested: 3, coverage: 'three', samples, error: null }],
    ]),
    [
      {
        endpoint: 'a.example.com:22',
        address: '10.1.0.1',
        group: null,
        hostKeys: [{ type: 'ssh-ed25519', fingerprintSha256: 'SHA256:clone' }],
      },
      {
        endpoint: 'b.example.com:22',
        address: '10.1.0.2',
        group: null,
        hostKeys: [{ type: 'ssh-ed25519', fingerprintSha256: 'SHA256:clone' }],
      },
    ],
    { checkOptions: profileCheckOptions(pci), selection: profileSelection(pci) },
  )!;
  const { compliance: _c, overview: _o, integrity: _i, ...rest } = base;
  // as a scan does (src/cluster/run.ts): the cluster findings count in the summary
  const summary = tally({ ...base.summary }, clusterFindings(view));
  return finalizeReport({ ...rest, summary, clusters: view }, pci, base.scanner ?? null);
}

const drifted = withClusters(ODD);
const fixed = withClusters(null);

describe('cluster section in every format', () => {
  it('the JSON report is valid and carries the groups, differences and findings', () => {
    expectValidReport(drifted);
    expectValidReport(fixed);
    const g = drifted.clusters!.groups[0]!;
    expect(g.differences.map((d) => [d.check, d.odd])).toEqual([['CLUSTER-HOSTKEY-DRIFT', ['10.0.0.3:22']]]);
    expect(
      clusterFindings(drifted.clusters)
        .filter((f) => f.status === 'fail')
        .map((f) => f.id),
    ).toEqual(['CLUSTER-HOSTKEY-DRIFT']);
    expect(drifted.overview!.failingChecks).toContain('CLUSTER-HOSTKEY-DRIFT');
    const ctl = drifted.compliance!.controls.find((c) => c.ref === '4.2.1.1')!;
    expect(ctl.status).toBe('not-satisfied');
    expect(ctl.clusterFindings!.map((f) => [f.group, f.id, f.status])).toContainEqual(['partner-sftp', 'CLUSTER-HOSTKEY-DRIFT', 'fail']);
    expect(exitCodeForReport(drifted)).toBe(3);
  });

  it.each(FORMATS.filter((f) => f !== 'json').map((f) => [f]))('%s names the odd node and both values', (format) => {
    const text = render(drifted, format, { width: 200 });
    for (const s of ['partner-sftp', '10.0.0.3:22', ODD, MAJ, 'CLUSTER-HOSTKEY-DRIFT']) expect(text, s).toContain(s);
    expect(text).toContain('HOSTKEY-SHARED');
  });

  it('SARIF stays valid against the official schema, with cluster results', () => {
    const sarif = JSON.parse(renderSarif(drifted, { sarifAll: true }));
    expect(sarifErrors(sarif)).toBeNull();
    const results = sarif.runs[0].results as { ruleId: string; locations: { logicalLocations: { name: string }[] }[] }[];
    expect(results.filter((r) => r.ruleId === 'CLUSTER-HOSTKEY-DRIFT').map((r) => r.locations[0]!.logicalLocations[0]!.name)).toEqual([
      'cluster partner-sftp',
    ]);
  });

  it('JUnit stays valid against junit-10.xsd, one suite per group', () => {
    const xml = renderJunit(drifted);
    assertWellFormedXml(xml);
    expect(junitXsdErrors(xml)).toBeNull();
    expect(xml).toMatch(/<testsuite name="cluster partner-sftp" tests="\d+" failures="1"/);
  });

  it('NDJSON ends with a clusters line that merge reads back', () => {
    const lines = renderNdjson(drifted)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1).type).toBe('clusters');
    const back = readNdjsonReport('x.ndjson', `${renderNdjson(drifted)}{"type":"summary","scan":{}}\n`);
    expect(back.clusters!.groups[0]!.name).toBe('partner-sftp');
    const merged = mergeReports([{ file: 'x.ndjson', report: back, kind: 'ndjson' }]).report;
    expectValidReport(merged);
    expect(merged.clusters!.groups[0]!.differences).toHaveLength(1);
    expect(merged.summary.fail).toBe(drifted.summary.fail);
  });
});

describe('diff shows cluster drift', () => {
  it('a new difference is worse; one that went away is reported', () => {
    const worse = diffReports(fixed, drifted);
    const e = worse.entries.find((x) => x.kind === 'cluster-drift')!;
    expect(e).toMatchObject({ endpoint: 'cluster partner-sftp', id: 'CLUSTER-HOSTKEY-DRIFT', worse: true });
    expect(e.text).toContain(ODD);
    expect(worse.worse).toBe(true);
    const better = diffReports(drifted, fixed);
    expect(better.entries.map((x) => x.kind)).toContain('cluster-drift-gone');
    expect(renderDiffText(better)).toMatch(/cluster partner-sftp\n.*nodes agree again on ssh-ed25519 host key/);
  });
});
