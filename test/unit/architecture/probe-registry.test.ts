// The probe registry (probes/index.ts), as the catalogue test checks the checks: every probe module
// in probes/ is registered, each probe once; ids are unique; what a probe needs is a registered
// probe listed before it that runs on the same services; the needs form no cycle; every service
// named is one the model knows; sections and connection allowances are what the scheduler expects.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBES } from '../../../probes/index.js';
import type { AnyProbe } from '../../../src/probe.js';
import { SERVICES } from '../../../src/model/common.js';
import { findCycles } from '../../helpers/graph.js';

const DIR = path.resolve(import.meta.dirname, '../../../probes');
/** Not probes: the registry itself, and detection, which runs before every probe (src/scheduler.ts). */
const NOT_PROBES = new Set(['index.ts', 'detect.ts']);

const isProbe = (v: unknown): v is AnyProbe =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as AnyProbe).id === 'string' &&
  Array.isArray((v as AnyProbe).services) &&
  Array.isArray((v as AnyProbe).needs) &&
  typeof (v as AnyProbe).run === 'function';

async function probeModules(): Promise<{ file: string; probes: AnyProbe[] }[]> {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts') && !NOT_PROBES.has(f));
  return Promise.all(
    files.map(async (file) => ({
      file,
      probes: Object.values((await import(path.join(DIR, file))) as Record<string, unknown>).filter(isProbe),
    })),
  );
}

describe('probe registry', () => {
  it('every probe module in probes/ exports a probe, and each exported probe is registered exactly once', async () => {
    const modules = await probeModules();
    expect(modules.length).toBeGreaterThan(0);
    for (const m of modules) {
      expect(m.probes.length, `${m.file} exports no probe: register one, or move the helper out of probes/`).toBeGreaterThan(0);
      for (const p of m.probes)
        expect(
          PROBES.filter((q) => q === p),
          `${p.id} (${m.file}) in probes/index.ts`,
        ).toHaveLength(1);
    }
    // and nothing registered comes from elsewhere
    const exported = new Set(modules.flatMap((m) => m.probes));
    for (const p of PROBES) expect(exported.has(p), `${p.id} is not exported by a module of probes/`).toBe(true);
  });

  it('ids are unique', () => {
    const ids = PROBES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('detect');
    expect(ids).not.toContain('scheduler');
  });

  it('needs name registered probes, listed before the probe, that run on its services', () => {
    const index = new Map(PROBES.map((p, i) => [p.id, i]));
    for (const [i, p] of PROBES.entries())
      for (const need of p.needs) {
        const at = index.get(need);
        expect(at, `${p.id} needs "${need}", which is not registered`).toBeDefined();
        expect(at!, `${p.id} needs ${need}, which comes after it`).toBeLessThan(i);
        expect(need).not.toBe(p.id);
        // a need that cannot run on one of the probe's services would always be "not run" there
        const other = PROBES[at!]!;
        for (const s of p.services) expect(other.services, `${p.id} runs on ${s}, ${need} does not`).toContain(s);
      }
  });

  it('the needs form a DAG', () => {
    const graph = new Map(PROBES.map((p) => [p.id, [...p.needs] as string[]]));
    expect(findCycles(graph)).toEqual([]);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).not.toEqual([]);
  });

  it('services are the model’s, sections and allowances are sound', () => {
    for (const p of PROBES) {
      expect(p.services.length, p.id).toBeGreaterThan(0);
      expect(new Set(p.services).size, `${p.id} lists a service twice`).toBe(p.services.length);
      for (const s of p.services) expect(SERVICES, `${p.id}: unknown service ${s}`).toContain(s);
      expect(['tls', 'ssh', 'ftp'], p.id).toContain(p.section);
      // a whole number, or Infinity: as many as the endpoint's --connections allow
      expect(
        (Number.isInteger(p.connections) || p.connections === Infinity) && p.connections >= 1,
        `${p.id}: connections ${p.connections}`,
      ).toBe(true);
      expect(p.description.trim(), p.id).not.toBe('');
    }
  });
});
