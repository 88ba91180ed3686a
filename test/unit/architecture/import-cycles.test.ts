// No import cycle between the modules of src/, probes/ and reports/, type imports included: each
// layer (model → knowledge/derive → checks → profiles → reports, net → probes → scan) only looks
// down. The imports are read from the source text (import/export … from, side-effect imports and
// import()), so a cycle tsc would erase (type-only) still counts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, type Graph } from '../../helpers/graph.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const LAYERS = ['src', 'probes', 'reports'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative module specifiers a file imports (comments removed first). */
function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!).filter((s) => s.startsWith('.'));
}

/** A specifier as the file it names ('./x.js' is x.ts, a directory its index.ts); null when there is none. */
function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
  return null;
}

function moduleGraph(): { graph: Graph; unresolved: string[] } {
  const graph: Graph = new Map();
  const unresolved: string[] = [];
  const rel = (f: string) => path.relative(ROOT, f);
  for (const file of LAYERS.flatMap((l) => sourceFiles(path.join(ROOT, l)))) {
    const deps: string[] = [];
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      const target = resolve(file, spec);
      if (target) deps.push(rel(target));
      else unresolved.push(`${rel(file)}: ${spec}`);
    }
    graph.set(rel(file), deps);
  }
  return { graph, unresolved };
}

describe('module imports', () => {
  const { graph, unresolved } = moduleGraph();

  it('are read: every relative import names a file, and the graph is the real one', () => {
    expect(unresolved).toEqual([]);
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/scan.ts')).toContain('probes/index.ts');
    // a type-only import is an edge too
    expect(graph.get('reports/ndjson.ts')).toContain('src/model.ts');
  });

  it('form no cycle', () => {
    const cycles = findCycles(graph).map((c) => c.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('the cycle finder finds a cycle, through type imports and re-exports', () => {
    const text = `import type { A } from './a.js';\nexport * from "./b.js";\nimport './c.js';\nconst x = await import('./d.js');\n// import { no } from './comment.js';`;
    expect(importsOf(text)).toEqual(['./a.js', './b.js', './c.js', './d.js']);
    const g: Graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });
});
