// The catalogue test (as ESLint checks its rule files): every check is registered once with
// complete metadata, documented in docs/checks.md, mapped by a built-in profile, and has
// table-driven rows; the default catalogue and the profiles name only known checks; and, under
// every built-in profile, the controls a finding cites and the compliance view agree.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import './all-cases.js';
import { registeredCases, statusesShown } from './harness.js';
import { ALL_CHECKS, CHECK_IDS, CLUSTER_CHECKS, isKnownCheckId } from '../../../src/checks/registry.js';
import { runChecks } from '../../../src/checks/engine.js';
import { BUILTIN_PROFILES } from '../../../src/profiles/builtin.js';
import { computeCompliance } from '../../../src/profiles/compliance.js';
import { CATALOGUE_CONTROLS } from '../../../src/knowledge/control-catalogue.js';
import { loadPolicy } from '../../../src/policy/index.js';
import { validateEndpoint } from '../../../src/model/validate.js';
import { judgeEndpoint } from '../../../src/scan.js';
import { judgeEndpoints } from '../../../src/commands/judge.js';
import { SEVERITIES, type EndpointReport, type Report } from '../../../src/model.js';
import { NOW, endpoint } from './facts.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HERE = import.meta.dirname;

/**
 * Checks that report facts and never fail or warn (their rows show only pass/info/skipped/error):
 * they need no remediation and carry severity info. Any other check must have a row that fails
 * or warns — a check that cannot is a bug.
 */
const INFORMATIONAL = new Set([
  'NET-PORT-STATE',
  'CRYPTO-INVENTORY',
  'FTPS-AUTH-SSL',
  'FTPS-IMPLICIT',
  'FTP-ALG-REWRITE',
  'TLS-SERVER-PREFERENCE',
  'SSH-NO-PQ-KEX',
  'PROBE-ERROR',
  'TLS-CLIENT-CERT',
  'FTPS-CLIENT-LIBS',
]);

describe('every check: metadata', () => {
  it('the registry lists each check once, CHECK_IDS in the same order', () => {
    // endpoint checks, then the checks over a group of nodes (src/checks/cluster)
    const all = [...ALL_CHECKS, ...CLUSTER_CHECKS];
    expect(new Set(CHECK_IDS).size).toBe(all.length);
    expect([...CHECK_IDS]).toEqual(all.map((c) => c.id));
  });

  for (const c of [...ALL_CHECKS, ...CLUSTER_CHECKS]) {
    it(`${c.id}: id, title, what it observes, severity, family; remediation unless informational`, () => {
      expect(c.id).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)*$/);
      expect(c.title.trim()).not.toBe('');
      expect(c.observes.trim()).not.toBe('');
      expect(SEVERITIES).toContain(c.severity);
      expect(['net', 'policy', 'ftp', 'firewall', 'tls', 'ssh', 'scan', 'cluster']).toContain(c.family);
      if (!INFORMATIONAL.has(c.id)) expect(c.remediation.trim(), 'remediation').not.toBe('');
      expect(isKnownCheckId(c.id)).toBe(true);
    });
  }
});

describe('every check: documented in docs/checks.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/checks.md'), 'utf8');
  const anchors = [...doc.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]);

  for (const c of ALL_CHECKS) {
    it(`${c.id}: an anchor, a section and a row of the index`, () => {
      const anchor = c.id.toLowerCase();
      expect(anchors).toContain(anchor);
      expect(doc).toContain(`## ${c.id}: `);
      expect(doc).toContain(`| [${c.id}](#${anchor}) |`);
    });
  }

  it('documents no check that does not exist', () => {
    expect(anchors.sort()).toEqual(CHECK_IDS.map((id) => id.toLowerCase()).sort());
  });
});

describe('every check: mapped by a built-in profile', () => {
  const mapped = new Set(BUILTIN_PROFILES.flatMap((p) => p.controls.flatMap((c) => c.checks)));

  for (const c of ALL_CHECKS.filter((x) => x.family !== 'scan')) {
    it(`${c.id}: listed by a control of some built-in profile`, () => {
      const where = BUILTIN_PROFILES.flatMap((p) => p.controls.filter((k) => k.checks.includes(c.id)).map((k) => k.id));
      expect(where.length, `${c.id} is evidence for no control`).toBeGreaterThan(0);
    });
  }

  it("the scan's own checks map to no control and run whatever a profile selects", () => {
    const scan = ALL_CHECKS.filter((c) => c.family === 'scan');
    expect(scan.map((c) => c.id)).toEqual(['PROBE-ERROR']);
    for (const c of scan) expect(mapped.has(c.id)).toBe(false);
    const ep = endpoint();
    ep.probeRuns = [{ probe: 'ftp-channels', status: 'error', detail: 'internal: boom' }];
    const findings = runChecks(ep, ALL_CHECKS, {}, { include: [], exclude: ['PROBE-ERROR'] });
    expect(findings.map((f) => f.id)).toEqual(['PROBE-ERROR']);
  });
});

describe('every check: table-driven rows', () => {
  const cases = registeredCases();

  it('every *.cases.test.ts file is read by all-cases.ts', () => {
    const files = fs.readdirSync(HERE).filter((f) => f.endsWith('.cases.test.ts'));
    const imported = fs.readFileSync(path.join(HERE, 'all-cases.ts'), 'utf8');
    for (const f of files) expect(imported, f).toContain(`'./${f.replace(/\.ts$/, '.js')}'`);
  });

  it("every row's facts are a valid endpoint of the report schema (closed: no field a scan would not write)", () => {
    const invalid: string[] = [];
    for (const [id, { rows }] of cases) {
      for (const row of rows) {
        // JSON round trip: the schema describes the report as written (undefined fields dropped)
        const v = validateEndpoint(JSON.parse(JSON.stringify(row.endpoint)));
        if (!v.ok) invalid.push(`${id} / ${row.name}: ${v.error}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  it("no check throws on any row's facts (every check × every fixture, whatever its service)", () => {
    const endpoints = [...cases.values()].flatMap((r) => r.rows.map((row) => row.endpoint));
    const broken = new Set<string>();
    for (const ep of endpoints)
      for (const f of runChecks(ep, ALL_CHECKS, { now: NOW }))
        if (f.status === 'error' && f.detail.startsWith('internal error in check')) broken.add(`${f.id}: ${f.detail}`);
    expect([...broken]).toEqual([]);
  });

  it('rows exist only for registered checks', () => {
    for (const id of cases.keys()) expect(isKnownCheckId(id), id).toBe(true);
  });

  for (const c of ALL_CHECKS) {
    it(`${c.id}: has rows, and a failing or warning one unless informational`, () => {
      const rows = cases.get(c.id)?.rows ?? [];
      expect(rows.length, `no rows for ${c.id}`).toBeGreaterThan(0);
      const shown = statusesShown(c.id);
      if (INFORMATIONAL.has(c.id)) {
        expect(c.severity, 'an informational check').toBe('info');
        expect(shown.has('fail') || shown.has('warn'), `${c.id} fails or warns: it is not informational`).toBe(false);
      } else {
        expect(shown.has('fail') || shown.has('warn'), `no row shows ${c.id} failing or warning`).toBe(true);
      }
    });
  }

  it('the rows of checks written directly (no wrapper) show every status their code names', () => {
    const missing: string[] = [];
    for (const c of ALL_CHECKS) {
      // `status: 'fail'` or `status: cond ? 'warn' : 'fail'`, in whatever quotes the transform left
      const exprs = [...c.run.toString().matchAll(/status:\s*([^,}\n]+)/g)].map((m) => m[1]!);
      const named = new Set(exprs.flatMap((e) => [...e.matchAll(/["'](pass|fail|warn|info|skipped|error)["']/g)].map((m) => m[1]!)));
      const shown = statusesShown(c.id);
      for (const s of named) if (!shown.has(s as never)) missing.push(`${c.id}: ${s}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('the default catalogue and the built-in profiles name only known checks', () => {
  it('the default catalogue', () => {
    const unknown = CATALOGUE_CONTROLS.flatMap((c) => c.checks.filter((id) => !isKnownCheckId(id)).map((id) => `${c.id}: ${id}`));
    expect(unknown).toEqual([]);
    expect(new Set(CATALOGUE_CONTROLS.map((c) => c.id)).size).toBe(CATALOGUE_CONTROLS.length);
  });

  for (const p of BUILTIN_PROFILES) {
    it(`${p.id}: its check list, severities and controls`, () => {
      const named = [...(p.checks === 'all' ? [] : p.checks), ...Object.keys(p.severity), ...p.controls.flatMap((c) => c.checks)];
      expect(named.filter((id) => !isKnownCheckId(id))).toEqual([]);
      expect(new Set(p.controls.map((c) => c.id)).size, 'control ids are unique').toBe(p.controls.length);
      // A control's checks must run under the profile, or the control can never be assessed.
      if (p.checks !== 'all') {
        const run = new Set(p.checks);
        expect(p.controls.flatMap((c) => c.checks.filter((id) => !run.has(id)).map((id) => `${c.ref}: ${id}`))).toEqual([]);
      }
    });
  }
});

/**
 * Controls a scan can test whose every check is informational can never be "not satisfied".
 * Only an inventory is meant to be like that; the default catalogue's §3.3.1 is reported.
 */
const INFORMATIONAL_CONTROLS = new Set([
  'PCI DSS 4.0.1 12.3.3', // the cryptographic inventory: the evidence is the inventory itself
  'NIST SP 800-52r2 §3.3.1', // default catalogue only: cites TLS-SERVER-PREFERENCE alone (the profile lists more)
]);

describe('a testable control can fail', () => {
  const onlyInformational = (checks: string[]) => checks.length > 0 && checks.every((id) => INFORMATIONAL.has(id));

  it('in the built-in profiles, only the known informational controls rest on informational checks alone', () => {
    const found = BUILTIN_PROFILES.flatMap((p) =>
      p.controls.filter((c) => c.testability !== 'not-testable' && onlyInformational(c.checks)).map((c) => c.id),
    );
    for (const id of found) expect(INFORMATIONAL_CONTROLS, `${id} can never be not-satisfied`).toContain(id);
  });

  it('in the default catalogue too', () => {
    const found = CATALOGUE_CONTROLS.filter((c) => onlyInformational(c.checks)).map((c) => c.id);
    for (const id of found) expect(INFORMATIONAL_CONTROLS, `${id} can never be not-satisfied`).toContain(id);
  });

  it('a testable control lists at least one check', () => {
    const empty = BUILTIN_PROFILES.flatMap((p) =>
      p.controls.filter((c) => c.testability !== 'not-testable' && c.checks.length === 0).map((c) => c.id),
    );
    expect(empty).toEqual([]);
  });
});

// ---- the "Done when": findings and the compliance view agree, under every profile ----

const fixture = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/report-pci.json'), 'utf8')) as Report;
const policy = loadPolicy(path.join(ROOT, 'test/fixtures/policy-demo.yaml'));

/** The fixture's endpoints judged again under `p`, by what `xferscan judge` runs. */
function rejudge(p: (typeof BUILTIN_PROFILES)[number]): EndpointReport[] {
  return judgeEndpoints(fixture, p, { policy });
}

describe('scan level: every control a finding cites is a compliance row that lists it, and back', () => {
  for (const p of BUILTIN_PROFILES) {
    it(p.id, () => {
      const endpoints = rejudge(p);
      const view = computeCompliance({ endpoints }, p);
      const rows = new Map(view.controls.map((c) => [c.id, c]));
      let cited = 0;
      endpoints.forEach((ep, ei) =>
        ep.findings.forEach((f, fi) => {
          for (const id of f.controls) {
            const row = rows.get(id);
            expect(row, `${f.id} cites ${id}, which is no row of ${p.id}`).toBeDefined();
            expect(row!.checks, `${id} does not list ${f.id}`).toContain(f.id);
            expect(row!.findings.some((r) => r.endpointIndex === ei && r.findingIndex === fi)).toBe(true);
            cited += 1;
          }
        }),
      );
      let failing = 0;
      for (const row of view.controls)
        for (const ref of row.findings) {
          const f = endpoints[ref.endpointIndex]!.findings[ref.findingIndex]!;
          expect(f.id).toBe(ref.id);
          expect(f.controls, `${f.id} (${f.status}) is listed under ${row.id} but does not cite it`).toContain(row.id);
          if (f.status === 'fail') failing += 1;
        }
      // not vacuous: the fixture has failures under every profile's controls
      expect(cited).toBeGreaterThan(0);
      expect(failing).toBeGreaterThan(0);
    });
  }

  it('a probe that broke is reported once', () => {
    const ep = endpoint();
    ep.probeRuns = [{ probe: 'ftp-channels', status: 'error', detail: 'internal: boom' }];
    expect(judgeEndpoint(ep, {}).filter((f) => f.id === 'PROBE-ERROR')).toHaveLength(1);
  });
});
