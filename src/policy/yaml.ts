// A small, strict YAML subset for policy files, so no YAML package is needed. Supported: block
// mappings and sequences by indentation (spaces only), `- key: value` items, plain / "double" /
// 'single' quoted scalars, integers, true/false/null, and flow lists of scalars `[a, "b", 3]`.
// Everything else (anchors, aliases, tags, block scalars | >, flow mappings {}, multiple
// documents, duplicate keys) is rejected with the line number, never guessed at.

export class YamlSubsetError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  indent: number;
  text: string;
  no: number;
}

export type YamlValue = string | number | boolean | null | YamlValue[] | { [k: string]: YamlValue };

/** Removes a trailing comment that is outside quotes. */
function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = null;
    } else if (c === '"' || c === "'") {
      q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) {
      return s.slice(0, i);
    }
  }
  return s;
}

function toLines(text: string): Line[] {
  const out: Line[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  raw.forEach((l, i) => {
    const no = i + 1;
    if (/^\s*$/.test(l) || /^\s*#/.test(l)) return;
    const lead = /^[ \t]*/.exec(l)![0];
    if (lead.includes('\t')) throw new YamlSubsetError('tab in indentation (use spaces)', no);
    const text = stripComment(l.slice(lead.length)).replace(/\s+$/, '');
    if (text === '') return;
    if (text === '---' && out.length === 0) return;
    if (text === '---' || text === '...') throw new YamlSubsetError('multiple documents are not supported', no);
    out.push({ indent: lead.length, text, no });
  });
  return out;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"[\]{},:#&*!|>%@`-][^:]*?|-[^\s:][^:]*?)\s*:(?:\s+|$)/;

function parseScalar(s: string, no: number): YamlValue {
  if (s.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(s)) throw new YamlSubsetError(`unterminated or malformed quoted string: ${s}`, no);
    try {
      return JSON.parse(s) as string;
    } catch {
      throw new YamlSubsetError(`bad escape in quoted string: ${s}`, no);
    }
  }
  if (s.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(s)) throw new YamlSubsetError(`unterminated or malformed quoted string: ${s}`, no);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new YamlSubsetError(`unterminated flow list: ${s}`, no);
    const inner = s.slice(1, -1).trim();
    if (inner === '') return [];
    const items: string[] = [];
    let cur = '';
    let q: string | null = null;
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (q) {
        cur += c;
        if (c === '\\' && q === '"') cur += inner[++i] ?? '';
        else if (c === q) q = null;
      } else if (c === '"' || c === "'") {
        q = c;
        cur += c;
      } else if (c === ',') {
        items.push(cur.trim());
        cur = '';
      } else if (c === '[' || c === '{') {
        throw new YamlSubsetError('nested flow collections are not supported', no);
      } else cur += c;
    }
    items.push(cur.trim());
    return items.map((it) => {
      if (it === '') throw new YamlSubsetError(`empty item in flow list: ${s}`, no);
      return parseScalar(it, no);
    });
  }
  if (/^[{&*!|>%@`]/.test(s)) {
    throw new YamlSubsetError(
      `"${s[0]}" (flow mappings, anchors, aliases, tags, block scalars) is not supported by xferscan's YAML subset; write the value plainly or use JSON`,
      no,
    );
  }
  if (s === 'null' || s === '~') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/:\s/.test(s) || s.endsWith(':')) throw new YamlSubsetError(`unexpected ": " in a plain value (quote it): ${s}`, no);
  return s;
}

export function parseYamlSubset(text: string): YamlValue {
  const lines = toLines(text);
  let i = 0;

  function parseNode(indent: number): YamlValue {
    const first = lines[i];
    if (first.text === '-' || first.text.startsWith('- ')) return parseSeq(first.indent);
    if (KEY.test(first.text)) return parseMap(first.indent);
    if (first.indent < indent) throw new YamlSubsetError('bad indentation', first.no);
    i++;
    return parseScalar(first.text, first.no);
  }

  function parseSeq(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (i < lines.length && lines[i].indent === indent && (lines[i].text === '-' || lines[i].text.startsWith('- '))) {
      const l = lines[i];
      const rest = l.text === '-' ? '' : l.text.slice(2).replace(/^\s+/, '');
      if (rest === '') {
        i++;
        if (i < lines.length && lines[i].indent > indent) out.push(parseNode(lines[i].indent));
        else out.push(null);
      } else {
        // re-read the rest of the line as a node indented past the dash
        const inner = l.indent + (l.text.length - rest.length);
        lines[i] = { indent: inner, text: rest, no: l.no };
        out.push(parseNode(inner));
      }
    }
    if (i < lines.length && lines[i].indent > indent) throw new YamlSubsetError('bad indentation', lines[i].no);
    return out;
  }

  function parseMap(indent: number): { [k: string]: YamlValue } {
    const out: { [k: string]: YamlValue } = {};
    while (i < lines.length && lines[i].indent === indent) {
      const l = lines[i];
      const m = KEY.exec(l.text);
      if (!m) throw new YamlSubsetError(`expected "key: value", got: ${l.text}`, l.no);
      const rawKey = m[1];
      const key = rawKey.startsWith('"') || rawKey.startsWith("'") ? (parseScalar(rawKey, l.no) as string) : rawKey;
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new YamlSubsetError(`duplicate key "${key}"`, l.no);
      if (key === '__proto__' || key === 'constructor' || key === 'prototype')
        throw new YamlSubsetError(`key "${key}" is not allowed`, l.no);
      const rest = l.text.slice(m[0].length);
      i++;
      if (rest === '') {
        if (i < lines.length && lines[i].indent > indent) out[key] = parseNode(lines[i].indent);
        // YAML allows a sequence at the same indentation as its key
        else if (i < lines.length && lines[i].indent === indent && (lines[i].text === '-' || lines[i].text.startsWith('- ')))
          out[key] = parseSeq(indent);
        else out[key] = null;
      } else {
        out[key] = parseScalar(rest, l.no);
      }
    }
    if (i < lines.length && lines[i].indent > indent) throw new YamlSubsetError('bad indentation', lines[i].no);
    return out;
  }

  if (lines.length === 0) return null;
  const v = parseNode(lines[0].indent);
  if (i < lines.length) throw new YamlSubsetError(`unexpected content (indentation?): ${lines[i].text}`, lines[i].no);
  return v;
}
