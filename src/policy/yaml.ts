// YAML for policy files and inventories, read with the `yaml` package (YAML 1.2, core schema):
// flow mappings `{port: 2222, service: sftp}`, anchors and aliases, block scalars (`|`, `>`) all
// work as partners write them. What a scanner's input must not do is refused with the line number
// and one line of text: more than one document, duplicate keys, tags that build other types, too
// many aliases (an alias bomb), and nesting deeper than MAX_YAML_DEPTH (checked on the parsed
// tree without recursion, so a hostile file cannot overflow the stack). Callers read the file with
// a size limit (src/files.ts) before it gets here, and parsing is linear in the input.
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

// The yaml package is loaded when a YAML file is read, not on every scan's start-up.
const requireCjs = createRequire(import.meta.url);
let yamlModule: typeof YamlModule | null = null;
const Y = (): typeof YamlModule => (yamlModule ??= requireCjs('yaml') as typeof YamlModule);

export const MAX_YAML_DEPTH = 64;
/** aliases one document may use; yaml's own default (100) stops "billion laughs" expansion */
const MAX_ALIASES = 1000;

export class YamlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}
/** The name older callers use. */
export { YamlError as YamlSubsetError };

export type YamlValue = string | number | boolean | null | YamlValue[] | { [k: string]: YamlValue };

export interface ParsedYaml {
  value: YamlValue;
  /** 1-based line where each item of the list `path` names starts (the root list, or a key's list) */
  itemLines(key?: string): number[];
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Walks the tree without recursion: depth, key types and tags. */
function checkTree(doc: Document.Parsed, lines: LineCounter): void {
  const { isAlias, isMap, isPair, isScalar, isSeq } = Y();
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined) => (n?.range ? lines.linePos(n.range[0]).line : 1);
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (depth > MAX_YAML_DEPTH) throw new YamlError(`nested deeper than ${MAX_YAML_DEPTH} levels`, lineOf(node as Node));
    if (isAlias(node)) continue; // resolved (and counted) by toJS
    if (isScalar(node)) {
      const v = node.value;
      if (!(v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
        throw new YamlError(`tag ${node.tag ?? ''} is not supported here: write plain values`, lineOf(node));
      continue;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key;
        const mergeKey = isScalar(k) && typeof k.value === 'symbol';
        if (!isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number' && !mergeKey))
          throw new YamlError('a key must be a plain name', lineOf(k as Node));
        if (FORBIDDEN_KEYS.has(String(k.value))) throw new YamlError(`key "${String(k.value)}" is not allowed`, lineOf(k));
        stack.push({ node: pair.value, depth: depth + 1 });
      }
      continue;
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    throw new YamlError('unsupported YAML node', lineOf(node as Node));
  }
}

/** Parses one YAML document; every problem is a YamlError naming its line. */
export function parseYaml(text: string): ParsedYaml {
  const { LineCounter, parseAllDocuments, isMap, isSeq } = Y();
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    // `<<: *defaults` merge keys, as partners write them
    merge: true,
    prettyErrors: true,
    strict: true,
    // never build sets, binaries, dates or custom classes
    customTags: [],
    resolveKnownTags: false,
  });
  if (!Array.isArray(docs)) throw new YamlError('not a YAML document', 1);
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length);
  if (nonEmpty.length > 1)
    throw new YamlError('more than one YAML document ("---"): put everything in one', lines.linePos(nonEmpty[1].range[0]).line);
  const doc = nonEmpty[0] ?? docs[0];
  if (!doc) return { value: null, itemLines: () => [] };
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line ?? 1;
    if (problem.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(problem.message))
      throw new YamlError(`nested too deeply (at most ${MAX_YAML_DEPTH} levels)`, line);
    throw new YamlError(firstLine(problem.message), line);
  }
  checkTree(doc, lines);
  let value: YamlValue;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES }) as YamlValue;
  } catch (err) {
    throw new YamlError(firstLine((err as Error).message), 1);
  }
  return {
    value,
    itemLines(key?: string) {
      const list = key === undefined ? doc.contents : isMap(doc.contents) ? doc.contents.get(key, true) : null;
      if (!isSeq(list)) return [];
      return list.items.map((n) => {
        const r = (n as Node | null)?.range;
        return r ? lines.linePos(r[0]).line : 1;
      });
    },
  };
}

/** The value of one YAML document (for policies). */
export function parseYamlSubset(text: string): YamlValue {
  return parseYaml(text).value;
}

/**
 * Lines of the elements of a JSON document's list — the root array, or the root object's `key` —
 * in one pass over the text (linear: a 100k-entry inventory takes milliseconds).
 */
export function jsonListItemLines(text: string, key: string): number[] {
  const out: number[] = [];
  const stack: ('a' | 'o')[] = [];
  let target: number | null = null; // stack depth of the targets array
  let lastKey: string | null = null;
  let expectValue = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 58 /* : */) continue;
    if (c === 44 /* , */) {
      if (stack[stack.length - 1] === 'a') expectValue = true;
      continue;
    }
    const inTargets = target !== null && stack.length === target && stack[stack.length - 1] === 'a';
    if (inTargets && expectValue) {
      out.push(line);
      expectValue = false;
    }
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 34) {
        if (text.charCodeAt(j) === 10) line++;
        j += text.charCodeAt(j) === 92 ? 2 : 1;
      }
      if (stack.length === 1 && stack[0] === 'o') {
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k])) k++;
        if (text[k] === ':') lastKey = text.slice(i + 1, j);
      }
      i = j;
      continue;
    }
    if (c === 91 /* [ */ || c === 123 /* { */) {
      stack.push(c === 91 ? 'a' : 'o');
      if (c === 91 && target === null && (stack.length === 1 || (stack.length === 2 && stack[0] === 'o' && lastKey === key))) {
        target = stack.length;
        expectValue = true;
      } else if (c === 91) expectValue = true;
      continue;
    }
    if (c === 93 || c === 125) {
      stack.pop();
      continue;
    }
  }
  return out;
}
