// Inventory files for --targets-file: CSV, YAML (the strict subset of src/policy/yaml.ts), JSON,
// or the original text format (one target per line, # comments). Chosen by extension, else by
// sniffing the content. Every entry may say: host (or a target URL / host:port), port, the
// expected service, credentials by environment-variable name (user + passwordEnv, or keyFile;
// never a literal password) and a per-target policy file. Errors are one line: "FILE:LINE: …".
import path from 'node:path';
import type { Service } from '../model.js';
import { UsageError, parsePort, parseTarget, type Scheme, type Target } from '../targets.js';
import { parseYamlSubset, YamlSubsetError, type YamlValue } from '../policy/yaml.js';

export type TargetsFormat = 'text' | 'csv' | 'yaml' | 'json';

export const EXPECTED_SERVICES = ['sftp', 'ftps-explicit', 'ftps-implicit', 'ftp'] as const;
export type ExpectedService = (typeof EXPECTED_SERVICES)[number];

const SCHEME_FOR: Record<ExpectedService, Scheme> = { sftp: 'sftp', 'ftps-explicit': 'ftpes', 'ftps-implicit': 'ftps', ftp: 'ftp' };
const SERVICE_FOR_SCHEME: Record<Scheme, ExpectedService | null> = {
  sftp: 'sftp',
  ftpes: 'ftps-explicit',
  ftps: 'ftps-implicit',
  ftp: null,
};
const DEFAULT_PORT: Record<ExpectedService, number> = { sftp: 22, 'ftps-explicit': 21, 'ftps-implicit': 990, ftp: 21 };

export interface InventoryEntry {
  target: Target;
  /** the service this entry demands (from its `service` field or its URL scheme) */
  expectedService: Service | null;
  user?: string;
  passwordEnv?: string;
  keyFile?: string;
  /** per-target partner policy file, resolved against the inventory file's folder */
  policy?: string;
  /** where it came from, for error messages */
  file: string;
  line: number;
}

/** Field names accepted in every format (and their spellings in CSV headers). */
const FIELD_ALIASES: Record<string, keyof RawEntry> = {
  host: 'host',
  target: 'host',
  port: 'port',
  service: 'service',
  expect: 'service',
  expectedservice: 'service',
  user: 'user',
  username: 'user',
  passwordenv: 'passwordEnv',
  keyfile: 'keyFile',
  key: 'keyFile',
  policy: 'policy',
};
const PASSWORD_FIELDS = ['password', 'pass', 'passwd', 'pw', 'secret'];

interface RawEntry {
  host?: unknown;
  port?: unknown;
  service?: unknown;
  user?: unknown;
  passwordEnv?: unknown;
  keyFile?: unknown;
  policy?: unknown;
}

const normKey = (k: string) =>
  k
    .trim()
    .toLowerCase()
    .replace(/[_\s-]/g, '');

export function detectTargetsFormat(fileName: string, text: string): TargetsFormat {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.txt' || ext === '.list') return 'text';
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  const first = lines[0]?.trim() ?? '';
  if (first.startsWith('[') || first.startsWith('{')) return 'json';
  if (first.startsWith('- ') || first === '-' || /^targets\s*:/.test(first) || /^---\s*$/.test(first)) return 'yaml';
  if (first.includes(',')) return 'csv';
  return 'text';
}

class EntryError extends Error {}

function fieldString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new EntryError(`${name} must be a string`);
  return v.trim() === '' ? undefined : v.trim();
}

/** Validates one entry (already split into fields). Throws EntryError with a message without location. */
function toEntry(raw: RawEntry, file: string, line: number, baseDir: string): InventoryEntry {
  const hostText = fieldString(raw.host, 'host');
  if (!hostText) throw new EntryError('no host');
  let target: Target;
  try {
    target = parseTarget(hostText);
  } catch (err) {
    throw new EntryError((err as Error).message);
  }
  const portText = fieldString(raw.port, 'port');
  if (portText !== undefined) {
    let port: number;
    try {
      port = parsePort(portText);
    } catch (err) {
      throw new EntryError((err as Error).message);
    }
    if (target.port !== null && target.scheme === null && target.port !== port)
      throw new EntryError(`"${hostText}" names port ${target.port} but the port field says ${port}`);
    target = { ...target, port };
  }
  let expectedService: Service | null = target.scheme ? SERVICE_FOR_SCHEME[target.scheme] : null;
  const serviceText = fieldString(raw.service, 'service');
  if (serviceText !== undefined) {
    const s = serviceText.toLowerCase() as ExpectedService;
    if (!EXPECTED_SERVICES.includes(s))
      throw new EntryError(`unknown service "${serviceText}": expected one of ${EXPECTED_SERVICES.join(', ')}`);
    if (target.scheme && SCHEME_FOR[s] !== target.scheme && !(target.scheme === 'ftp' && s === 'ftps-explicit')) {
      throw new EntryError(`service ${s} contradicts the URL scheme ${target.scheme}://`);
    }
    expectedService = s;
    const scheme = target.scheme === 'ftp' && s === 'ftps-explicit' ? 'ftpes' : SCHEME_FOR[s];
    target = { ...target, scheme, port: target.port ?? DEFAULT_PORT[s] };
  }
  const e: InventoryEntry = { target, expectedService, file, line };
  const user = fieldString(raw.user, 'user');
  const passwordEnv = fieldString(raw.passwordEnv, 'passwordEnv');
  const keyFile = fieldString(raw.keyFile, 'keyFile');
  if (passwordEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
    throw new EntryError(
      `passwordEnv must name an environment variable (letters, digits, _), got "${passwordEnv}"; never put the password itself in the file`,
    );
  }
  if ((passwordEnv || keyFile) && !user) throw new EntryError('passwordEnv/keyFile given without user');
  if (user) e.user = user;
  if (passwordEnv) e.passwordEnv = passwordEnv;
  if (keyFile) e.keyFile = path.resolve(baseDir, keyFile);
  const policy = fieldString(raw.policy, 'policy');
  if (policy) e.policy = path.resolve(baseDir, policy);
  return e;
}

function mapFields(obj: Record<string, unknown>): RawEntry {
  const raw: RawEntry = {};
  for (const [k, v] of Object.entries(obj)) {
    const n = normKey(k);
    if (PASSWORD_FIELDS.includes(n)) {
      throw new EntryError(`a literal password ("${k}") is refused: put it in an environment variable and name that with passwordEnv`);
    }
    const f = FIELD_ALIASES[n];
    if (!f) throw new EntryError(`unknown field "${k}" (allowed: host, port, service, user, passwordEnv, keyFile, policy)`);
    if (raw[f] !== undefined) throw new EntryError(`field "${k}" given twice`);
    raw[f] = v;
  }
  return raw;
}

// ---------------------------------------------------------------- CSV (RFC 4180)

interface CsvRow {
  cells: string[];
  line: number;
}

/** RFC 4180 CSV: "quoted" cells with "" escapes, commas and newlines inside quotes; # comment lines. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const s = text.replace(/^\uFEFF/, '');
  let i = 0;
  let line = 1;
  while (i < s.length) {
    const rowLine = line;
    // comment or blank line
    const eol = s.indexOf('\n', i);
    const lineText = s.slice(i, eol < 0 ? s.length : eol).replace(/\r$/, '');
    if (lineText.trim() === '' || /^\s*#/.test(lineText)) {
      i = eol < 0 ? s.length : eol + 1;
      line++;
      continue;
    }
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let wasQuoted = false;
    for (;;) {
      if (i >= s.length) {
        if (quoted) throw new EntryErrorAt('unterminated quoted field', rowLine);
        cells.push(wasQuoted ? cell : cell.trim());
        break;
      }
      const c = s[i];
      if (quoted) {
        if (c === '"') {
          if (s[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          // only spaces may follow a closing quote before the separator
          while (s[i] === ' ' || s[i] === '\t') i++;
          if (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r')
            throw new EntryErrorAt('unexpected text after a closing quote', line);
          continue;
        }
        if (c === '\n') line++;
        cell += c;
        i++;
        continue;
      }
      if (c === '"') {
        if (cell.trim() !== '')
          throw new EntryErrorAt('a quote in the middle of an unquoted field (quote the whole field and double inner quotes)', line);
        cell = '';
        quoted = true;
        wasQuoted = true;
        i++;
        continue;
      }
      if (c === ',') {
        cells.push(wasQuoted ? cell : cell.trim());
        cell = '';
        wasQuoted = false;
        i++;
        continue;
      }
      if (c === '\r' && s[i + 1] === '\n') {
        i++;
        continue;
      }
      if (c === '\n') {
        cells.push(wasQuoted ? cell : cell.trim());
        i++;
        line++;
        break;
      }
      cell += c;
      i++;
    }
    rows.push({ cells, line: rowLine });
  }
  return rows;
}

class EntryErrorAt extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const DEFAULT_COLUMNS: (keyof RawEntry)[] = ['host', 'port', 'service', 'user', 'passwordEnv', 'policy'];

function csvEntries(text: string, file: string, baseDir: string): InventoryEntry[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  let columns: (keyof RawEntry)[] = DEFAULT_COLUMNS;
  let start = 0;
  const head = rows[0].cells.map(normKey);
  if (head.includes('host') || head.includes('target')) {
    columns = rows[0].cells.map((c) => {
      const n = normKey(c);
      if (PASSWORD_FIELDS.includes(n))
        throw new EntryErrorAt(
          `a password column ("${c}") is refused: put passwords in environment variables and name them in a passwordEnv column`,
          rows[0].line,
        );
      const f = FIELD_ALIASES[n];
      if (!f)
        throw new EntryErrorAt(`unknown column "${c}" (allowed: host, port, service, user, passwordEnv, keyFile, policy)`, rows[0].line);
      return f;
    });
    if (new Set(columns).size !== columns.length) throw new EntryErrorAt('a column is named twice', rows[0].line);
    start = 1;
  }
  const out: InventoryEntry[] = [];
  for (const row of rows.slice(start)) {
    if (row.cells.length > columns.length)
      throw new EntryErrorAt(
        `${row.cells.length} fields, but there are only ${columns.length} columns (${columns.join(', ')}); quote fields that contain commas`,
        row.line,
      );
    const raw: RawEntry = {};
    row.cells.forEach((c, k) => {
      raw[columns[k]] = c;
    });
    try {
      out.push(toEntry(raw, file, row.line, baseDir));
    } catch (err) {
      if (err instanceof EntryError) throw new EntryErrorAt(err.message, row.line);
      throw err;
    }
  }
  return out;
}

// ---------------------------------------------------------------- YAML and JSON documents

/** The list of entries a document holds: a list, or { targets: [...] }. */
function entryList(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object') {
    const keys = Object.keys(doc);
    const extra = keys.filter((k) => k !== 'targets');
    if (extra.length) throw new EntryError(`unknown top-level field "${extra[0]}": expected a list of targets, or "targets:" with one`);
    const t = (doc as { targets?: unknown }).targets;
    if (Array.isArray(t)) return t;
    if (t === null || t === undefined) return [];
  }
  throw new EntryError('expected a list of targets, or a mapping with "targets:" holding one');
}

function docEntries(items: unknown[], lines: number[], file: string, baseDir: string): InventoryEntry[] {
  return items.map((item, k) => {
    const line = lines[k] ?? 1;
    try {
      if (typeof item === 'string') return toEntry({ host: item }, file, line, baseDir);
      if (!item || typeof item !== 'object' || Array.isArray(item))
        throw new EntryError('each target must be a string (host, host:port or URL) or a mapping with host, port, service, …');
      return toEntry(mapFields(item as Record<string, unknown>), file, line, baseDir);
    } catch (err) {
      if (err instanceof EntryError) throw new EntryErrorAt(err.message, line);
      throw err;
    }
  });
}

/** Lines of the items of the (first) block sequence: the lines starting with "- " at its indentation. */
function yamlItemLines(text: string): number[] {
  const raw = text.split(/\r?\n/);
  let indent: number | null = null;
  const out: number[] = [];
  raw.forEach((l, i) => {
    const m = /^( *)-(\s|$)/.exec(l);
    if (!m) return;
    if (indent === null) indent = m[1].length;
    if (m[1].length === indent) out.push(i + 1);
  });
  return out;
}

/** The entries of a parsed YAML/JSON inventory (a list, or `targets:` holding one), with their lines. */
function listedEntries(doc: unknown, itemLines: () => number[], file: string, baseDir: string): InventoryEntry[] {
  let items: unknown[];
  try {
    items = entryList(doc);
  } catch (err) {
    if (err instanceof EntryError) throw new EntryErrorAt(err.message, 1);
    throw err;
  }
  return docEntries(items, itemLines(), file, baseDir);
}

function yamlEntries(text: string, file: string, baseDir: string): InventoryEntry[] {
  let doc: YamlValue;
  try {
    doc = parseYamlSubset(text);
  } catch (err) {
    if (err instanceof YamlSubsetError) throw new EntryErrorAt(err.message.replace(/^line \d+: /, ''), err.line);
    throw err;
  }
  return listedEntries(doc, () => yamlItemLines(text), file, baseDir);
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** Offsets of the elements of the targets array (the root array, or the root object's "targets"). */
function jsonItemOffsets(text: string): number[] {
  const out: number[] = [];
  const stack: ('a' | 'o')[] = [];
  let target: number | null = null; // stack depth of the targets array
  let lastKey: string | null = null;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c) || c === ':' || c === ',') {
      if (c === ',' && stack[stack.length - 1] === 'a') expectValue = true;
      continue;
    }
    const inTargets = target !== null && stack.length === target && stack[stack.length - 1] === 'a';
    if (inTargets && expectValue) {
      out.push(i);
      expectValue = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = text.slice(i + 1, j);
      if (stack.length === 1 && stack[0] === 'o' && /^\s*:/.test(text.slice(j + 1))) lastKey = str;
      i = j;
      continue;
    }
    if (c === '[' || c === '{') {
      stack.push(c === '[' ? 'a' : 'o');
      if (c === '[' && target === null && (stack.length === 1 || (stack.length === 2 && stack[0] === 'o' && lastKey === 'targets'))) {
        target = stack.length;
        expectValue = true;
      } else if (c === '[') expectValue = true;
      continue;
    }
    if (c === ']' || c === '}') {
      stack.pop();
      continue;
    }
  }
  return out;
}

function jsonEntries(text: string, file: string, baseDir: string): InventoryEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : /line (\d+)/.exec(msg) ? Number(/line (\d+)/.exec(msg)![1]) : 1;
    throw new EntryErrorAt(
      `not valid JSON (${msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')})`,
      line,
    );
  }
  return listedEntries(doc, () => jsonItemOffsets(text).map((o) => lineAt(text, o)), file, baseDir);
}

function textEntries(text: string, file: string, baseDir: string): InventoryEntry[] {
  const out: InventoryEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const t = l.replace(/#.*$/, '').trim();
    if (!t) return;
    try {
      out.push(toEntry({ host: t }, file, i + 1, baseDir));
    } catch (err) {
      if (err instanceof EntryError) throw new EntryErrorAt(err.message, i + 1);
      throw err;
    }
  });
  return out;
}

/**
 * Parses an inventory. `file` names it in errors ("FILE:LINE: message", a UsageError) and fixes
 * the format by extension; relative policy and key paths are resolved against its folder.
 */
export function parseTargetsFile(text: string, file: string, format: TargetsFormat = detectTargetsFormat(file, text)): InventoryEntry[] {
  const baseDir = path.dirname(path.resolve(file));
  try {
    switch (format) {
      case 'csv':
        return csvEntries(text, file, baseDir);
      case 'yaml':
        return yamlEntries(text, file, baseDir);
      case 'json':
        return jsonEntries(text, file, baseDir);
      case 'text':
        return textEntries(text, file, baseDir);
    }
  } catch (err) {
    if (err instanceof EntryErrorAt) throw new UsageError(`${file}:${err.line}: ${err.message}`);
    if (err instanceof EntryError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}
