// xferscan judge: a saved scan judged again under another profile, without a connection. The
// library function is the one the catalogue test's rejudge uses; here it is compared with the
// checks run by hand, and the CLI with the exit-code rule and the schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeEndpoints, judgeReport } from '../../../src/commands/judge.js';
import { runChecks } from '../../../src/checks/engine.js';
import { ALL_CHECKS } from '../../../src/checks/registry.js';
import { builtinProfile, profileCheckOptions, profileSelection, type Profile } from '../../../src/profiles/index.js';
import { loadPolicy } from '../../../src/policy/index.js';
import { summarize } from '../../../src/scan.js';
import { EXIT, exitCodeForReport } from '../../../src/knowledge/exit-code.js';
import type { Report } from '../../../src/model.js';
import { clusterView, type NodeRecord } from '../../../src/cluster/view.js';
import { clusterFindings, tally } from '../../../src/knowledge/summary.js';
import { finalizeReport, verifyDigest } from '../../../src/report-meta.js';
import { expectValidReport } from '../../helpers/schema.js';
import { looksLikeStackTrace, runCli } from '../../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/report-pci.json');
const POLICY = path.join(ROOT, 'test/fixtures/policy-demo.yaml');
const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Report;
const policy = loadPolicy(POLICY);
const hipaa = builtinProfile('hipaa')!;
const pci = builtinProfile('pci-dss-4.0.1')!;

/** The checks run by hand over the fixture's facts, as the catalogue test's rejudge did before judge existed. */
function byHand(p: Profile) {
  const options = {
    ...profileCheckOptions(p),
    policy,
    activeRequested: false,
    writeTestRequested: false,
    now: new Date(fixture.startedAt),
  };
  return fixture.endpoints.map((ep) => runChecks(ep, ALL_CHECKS, options, profileSelection(p)));
}

describe('judgeReport', () => {
  const judged = judgeReport(fixture, hipaa, { policy, file: 'report-pci.json', policyFile: 'policy-demo.yaml' });

  it('runs the checks on the facts under the new profile', () => {
    expect(judged.endpoints.map((e) => e.findings)).toEqual(byHand(hipaa));
    expect(judgeEndpoints(fixture, hipaa, { policy }).map((e) => e.findings)).toEqual(byHand(hipaa));
  });

  it('keeps the facts and recomputes summary, compliance and digest', () => {
    expect(judged.profile).toBe('hipaa');
    judged.endpoints.forEach((ep, i) => {
      const { findings: _a, ...facts } = ep;
      const { findings: _b, ...saved } = fixture.endpoints[i]!;
      expect(facts).toEqual(saved);
    });
    expect(judged.summary).toEqual(summarize(judged.endpoints));
    expect(judged.compliance?.profile.id).toBe('hipaa');
    expect(verifyDigest(judged).ok).toBe(true);
    expect(judged.integrity?.digest).not.toBe(fixture.integrity?.digest);
    expect(judged.options?.judged).toEqual({
      file: 'report-pci.json',
      profile: 'pci-dss-4.0.1',
      digest: fixture.integrity!.digest,
      policy: 'policy-demo.yaml',
    });
    expect(judged.options?.profile).toBe('hipaa');
    expectValidReport(judged);
  });

  it('cites only the new profile’s controls', () => {
    const rows = new Set(hipaa.controls.map((c) => c.id));
    const cited = judged.endpoints.flatMap((e) => e.findings.flatMap((f) => f.controls));
    expect(cited.length).toBeGreaterThan(0);
    for (const id of cited) expect(rows).toContain(id);
  });

  it('under the profile the scan used, gives back the saved verdicts', () => {
    const again = judgeReport(fixture, pci, { policy });
    const verdicts = (r: Report) =>
      r.endpoints.map((e) => e.findings.map((f) => `${f.id} ${f.status} ${f.severity} ${f.controls.join(',')}`));
    expect(verdicts(again)).toEqual(verdicts(fixture));
    expect(again.summary).toEqual(fixture.summary);
    expect(again.compliance).toEqual(fixture.compliance);
  });

  it('without a policy, the policy checks have nothing to judge against', () => {
    const bare = judgeReport(fixture, pci);
    expect(bare.options?.policy).toBeNull();
    const withPolicy = judgeReport(fixture, pci, { policy });
    const policyFindings = (r: Report) => r.endpoints.flatMap((e) => e.findings.filter((f) => f.id.startsWith('POLICY-')));
    expect(policyFindings(bare)).not.toEqual(policyFindings(withPolicy));
  });
});

/** The fixture with a group of three SSH nodes, one of which shows another host key, judged under `p`. */
function withDrift(p: Profile): Report {
  const host = (h: string) => ({ endpoint: { input: h, host: h, port: 22, scheme: null, expectedService: null }, standby: false });
  const rec = (h: string, key: string): NodeRecord => ({
    endpoint: `${h}:22`,
    index: 0,
    address: h,
    state: 'open',
    service: 'sftp',
    facts: { 'ssh.hostkey.ssh-ed25519': key },
    words: {},
    hostKeys: [],
  });
  const records = [rec('10.0.0.1', 'SHA256:a'), rec('10.0.0.2', 'SHA256:a'), rec('10.0.0.3', 'SHA256:b')];
  const view = clusterView(
    [{ name: 'partner-sftp', service: 'sftp', nodes: ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map(host), vip: null }],
    new Map(records.map((r) => [r.endpoint, r])),
    new Map(),
    [],
    { checkOptions: profileCheckOptions(p), selection: profileSelection(p) },
  )!;
  const { compliance: _c, overview: _o, integrity: _i, ...rest } = fixture;
  return finalizeReport({ ...rest, summary: tally({ ...fixture.summary }, clusterFindings(view)), clusters: view }, p, null);
}

describe('judgeReport with a cluster section', () => {
  it('judges the groups again under the new profile and counts their findings', () => {
    const judged = judgeReport(withDrift(pci), hipaa, { policy });
    const direct = withDrift(hipaa);
    const ids = (r: Report) => clusterFindings(r.clusters).map((f) => `${f.id} ${f.status} ${f.controls.join(',')}`);
    expect(ids(judged).length).toBeGreaterThan(0);
    expect(ids(judged)).toEqual(ids(direct));
    expect(judged.clusters?.groups[0]?.differences).toEqual(direct.clusters?.groups[0]?.differences);
    expect(judged.summary).toEqual(tally(summarize(judged.endpoints), clusterFindings(judged.clusters)));
    expectValidReport(judged);
  });
});

describe('xferscan judge (CLI)', () => {
  it('prints the judged report and exits by the exit-code rule', async () => {
    const r = await runCli(['judge', FIXTURE, '--profile', 'hipaa', '--policy', POLICY, '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    expect(report.profile).toBe('hipaa');
    expect(report.endpoints.map((e) => e.findings)).toEqual(byHand(hipaa));
    expect(r.code).toBe(exitCodeForReport(report));
    expect(r.code).toBe(EXIT.FAIL);
    expect(r.stderr).toBe('');
  });

  it('writes -o FILE in the format asked for', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferscan-judge-'));
    const out = path.join(dir, 'hipaa.md');
    const r = await runCli(['judge', FIXTURE, '--profile', 'hipaa', '--format', 'markdown', '-o', out]);
    expect(r.code).toBe(EXIT.FAIL);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toMatch(/hipaa/i);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['judge', FIXTURE], /Missing required argument: profile/],
    [['judge', FIXTURE, '--profile', 'pci-dss-9'], /unknown profile "pci-dss-9"/],
    [['judge', '/dev/zero', '--profile', 'hipaa'], /contains NUL bytes/],
    [['judge', path.join(ROOT, 'package.json'), '--profile', 'hipaa'], /not an xferscan JSON report/],
    [['judge', FIXTURE, '--profile', 'hipaa', '--policy', '/nonexistent/policy.yaml'], /cannot read/],
  ])('%j → exit 1 with a one-line error', async (args, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
    expect(looksLikeStackTrace(r.stderr)).toBe(false);
  });
});
