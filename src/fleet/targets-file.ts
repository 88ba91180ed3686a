// Inventory files for --targets-file: CSV (csv-parse; `,` `;` or TAB sniffed), YAML (the `yaml`
// package, src/policy/yaml.ts), JSON, or the original text format (one target per line, #
// comments). Chosen by extension, else by sniffing the content. Every entry may say: host (or a
// target URL / host:port), port, the expected service, credentials by environment-variable name
// (user + passwordEnv, or keyFile; never a literal password) and a per-target policy file. Other
// columns or fields (Notes, owner, …) are ignored and named in one warning. The file is read with
// a size limit, parsing is linear, and every error is one line: "FILE:LINE: …".
//
// Groups (one service on several nodes, src/cluster): an entry may name its `group` and `role`
// (node | standby | vip; CSV columns of the same names), or a YAML/JSON document may hold
// `groups:`, each with name, service, vip, nodes (host:port each), standby, samples and the
// credentials fields, which apply to its nodes and its virtual address.
import { createRequire } from 'node:module';
import type * as CsvSync from 'csv-parse/sync';
import path from 'node:path';
import type { Service } from '../model.js';
import { UsageError, parsePort, parseTarget, type Scheme, type Target } from '../targets.js';
import { jsonListItemLines, parseYaml, YamlError, type ParsedYaml } from '../policy/yaml.js';
import { INPUT_LIMITS, readLimited } from '../files.js';

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
  /** the group (one service on several nodes) this entry belongs to */
  group?: string;
  /** its part in the group: a node, a node that should be standby (closed) now, or the virtual address */
  role?: GroupRole;
  /** connections through the group's virtual address (src/cluster) */
  samples?: number;
  /** where it came from, for error messages */
  file: string;
  line: number;
}

export const GROUP_ROLES = ['node', 'standby', 'vip'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];
/** Most connections one virtual address may be sampled with. */
export const MAX_VIP_SAMPLES = 500;

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
  group: 'group',
  cluster: 'group',
  role: 'role',
  samples: 'samples',
  vipsamples: 'samples',
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
  group?: unknown;
  role?: unknown;
  samples?: unknown;
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
  if (first.includes(',') || first.includes(';') || first.includes('\t')) return 'csv';
  return 'text';
}

class EntryError extends Error {}

function fieldString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  // a port may be written as a number; a host never (`host: 5` would resolve to 0.0.0.5)
  if (typeof v === 'number' && (name === 'port' || name === 'samples')) return String(v);
  if (typeof v !== 'string')
    throw new EntryError(
      `${name} must be a string, not ${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `the ${typeof v} ${String(v)}`}`,
    );
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
  groupFields(raw, e);
  return e;
}

/** `group`, `role` and `samples` of an entry; a group's node must name its port. */
function groupFields(raw: RawEntry, e: InventoryEntry): void {
  const group = fieldString(raw.group, 'group');
  const role = fieldString(raw.role, 'role')?.toLowerCase();
  const samples = fieldString(raw.samples, 'samples');
  if (!group) {
    if (role || samples) throw new EntryError(`${role ? 'role' : 'samples'} given without group`);
    return;
  }
  if (!/^[\w.:@-]{1,64}$/.test(group)) throw new EntryError(`group "${group}": use letters, digits and . _ - : @ (at most 64)`);
  if (role && !(GROUP_ROLES as readonly string[]).includes(role))
    throw new EntryError(`unknown role "${role}": expected one of ${GROUP_ROLES.join(', ')}`);
  e.group = group;
  e.role = (role as GroupRole | undefined) ?? 'node';
  if (e.target.port === null) throw new EntryError(`"${e.target.input}" in group ${group} needs a port (host:port) or a service`);
  if (samples !== undefined) {
    const n = Number(samples);
    if (!/^\d+$/.test(samples) || n < 1 || n > MAX_VIP_SAMPLES)
      throw new EntryError(`samples must be a whole number from 1 to ${MAX_VIP_SAMPLES}`);
    e.samples = n;
  }
}

function mapFields(obj: Record<string, unknown>, ignore: (key: string) => void): RawEntry {
  const raw: RawEntry = {};
  for (const [k, v] of Object.entries(obj)) {
    const n = normKey(k);
    if (PASSWORD_FIELDS.includes(n)) {
      throw new EntryError(`a literal password ("${k}") is refused: put it in an environment variable and name that with passwordEnv`);
    }
    const f = FIELD_ALIASES[n];
    if (!f) {
      ignore(k);
      continue;
    }
    if (raw[f] !== undefined) throw new EntryError(`field "${k}" given twice`);
    raw[f] = v;
  }
  return raw;
}

// ---------------------------------------------------------------- CSV (csv-parse)

interface CsvRow {
  cells: string[];
  line: number;
}

// csv-parse is loaded when a CSV inventory is read, not on every start-up.
const requireCjs = createRequire(import.meta.url);
type CsvParseSync = typeof CsvSync;
let csvModule: CsvParseSync | null = null;
const loadCsv = (): CsvParseSync => (csvModule ??= requireCjs('csv-parse/sync') as CsvParseSync);

/** The delimiter of a CSV export: `,`, `;` or TAB, whichever the first record (outside quotes) has most of. */
export function sniffDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let seen = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '\n') {
      if (seen) break;
    } else if (!quoted && c === '#' && !seen) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) break;
      i = eol;
    } else if (!quoted && c in counts) {
      counts[c] += 1;
      seen = true;
    } else if (!quoted && c.trim() !== '') seen = true;
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return best[1] > 0 ? best[0] : ',';
}

/** CSV (RFC 4180, via csv-parse) with its delimiter sniffed; blank rows, `,,` rows and # comment lines are skipped. */
export function parseCsv(text: string, delimiter = sniffDelimiter(text)): CsvRow[] {
  const { parse } = loadCsv();
  let records: { record: string[]; info: { lines: number; raw?: string } }[];
  try {
    records = parse(text, {
      delimiter,
      record_delimiter: ['\r\n', '\n'],
      bom: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      trim: true,
      info: true,
      raw: true,
    }) as unknown as { record: string[]; info: { lines: number; raw?: string } }[];
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    const msg = /QUOTE_NOT_CLOSED$/.test(e.code ?? '')
      ? 'unterminated quoted field'
      : /INVALID_OPENING_QUOTE$/.test(e.code ?? '')
        ? 'a quote in the middle of an unquoted field (quote the whole field and double inner quotes)'
        : /INVALID_CLOSING_QUOTE$/.test(e.code ?? '')
          ? 'unexpected text after a closing quote'
          : e.message.replace(/^Invalid \w+: /, '').split('\n')[0];
    throw new EntryErrorAt(msg, e.lines ?? 1);
  }
  // info.lines is the line the record ends on: count back the newlines inside it.
  return records.map(({ record, info }) => ({
    cells: record,
    line:
      info.lines -
      (info.raw
        ? (info.raw
            .replace(/^[\r\n]+/, '')
            .replace(/\r?\n$/, '')
            .match(/\n/g)?.length ?? 0)
        : 0),
  }));
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
const READ_FIELDS = 'host, port, service, user, passwordEnv, keyFile, policy, group, role, samples';

function csvEntries(text: string, file: string, baseDir: string, warn: (m: string) => void): InventoryEntry[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  let columns: (keyof RawEntry | null)[] = DEFAULT_COLUMNS;
  let start = 0;
  const head = rows[0].cells.map(normKey);
  if (head.includes('host') || head.includes('target')) {
    const ignored: string[] = [];
    columns = rows[0].cells.map((c) => {
      const n = normKey(c);
      if (PASSWORD_FIELDS.includes(n))
        throw new EntryErrorAt(
          `a password column ("${c}") is refused: put passwords in environment variables and name them in a passwordEnv column`,
          rows[0].line,
        );
      const f = FIELD_ALIASES[n];
      if (!f) ignored.push(c === '' ? '(unnamed)' : c);
      return f ?? null;
    });
    const named = columns.filter((c): c is keyof RawEntry => c !== null);
    if (new Set(named).size !== named.length) throw new EntryErrorAt('a column is named twice', rows[0].line);
    if (ignored.length)
      warn(
        `${file}:${rows[0].line}: column(s) ${ignored.map((c) => JSON.stringify(c)).join(', ')} ignored (xferscan reads ${READ_FIELDS})`,
      );
    start = 1;
  }
  const out: InventoryEntry[] = [];
  let extraLine: number | null = null;
  for (let r = start; r < rows.length; r++) {
    const row = rows[r];
    const raw: RawEntry = {};
    row.cells.forEach((c, k) => {
      const col = columns[k];
      if (col) raw[col] = c;
      else if (k >= columns.length && c !== '') extraLine ??= row.line;
    });
    try {
      out.push(toEntry(raw, file, row.line, baseDir));
    } catch (err) {
      if (err instanceof EntryError) throw new EntryErrorAt(err.message, row.line);
      throw err;
    }
  }
  if (extraLine !== null)
    warn(`${file}:${extraLine}: fields beyond the ${columns.length} columns were ignored (quote fields that contain the delimiter)`);
  return out;
}

// ---------------------------------------------------------------- YAML and JSON documents

/** The list of entries a document holds: a list, or { targets: [...] } (other top-level fields are named in a warning). */
function entryList(doc: unknown, warn: (m: string) => void, file: string): { items: unknown[]; key?: string } {
  if (Array.isArray(doc)) return { items: doc };
  if (doc && typeof doc === 'object') {
    const keys = Object.keys(doc);
    if (keys.includes('groups') && !keys.includes('targets')) return { items: [], key: 'targets' };
    if (!keys.includes('targets'))
      throw new EntryError(
        `expected a list of targets, or "targets:" with one (found ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'an empty mapping'})`,
      );
    const extra = keys.filter((k) => k !== 'targets' && k !== 'groups');
    if (extra.length) warn(`${file}: top-level field(s) ${extra.map((k) => `"${k}"`).join(', ')} ignored`);
    const t = (doc as { targets?: unknown }).targets;
    if (Array.isArray(t)) return { items: t, key: 'targets' };
    if (t === null || t === undefined) return { items: [], key: 'targets' };
  }
  throw new EntryError('expected a list of targets, or a mapping with "targets:" holding one');
}

function docEntries(items: unknown[], lines: number[], file: string, baseDir: string, warn: (m: string) => void): InventoryEntry[] {
  const ignored = new Map<string, number>();
  const out = items.map((item, k) => {
    const line = lines[k] ?? 1;
    try {
      if (typeof item === 'string') return toEntry({ host: item }, file, line, baseDir);
      if (typeof item === 'number') throw new EntryError(`a target must be a host name, address or URL in quotes, not the number ${item}`);
      if (!item || typeof item !== 'object' || Array.isArray(item))
        throw new EntryError('each target must be a string (host, host:port or URL) or a mapping with host, port, service, …');
      return toEntry(
        mapFields(item as Record<string, unknown>, (k2) => ignored.has(k2) || ignored.set(k2, line)),
        file,
        line,
        baseDir,
      );
    } catch (err) {
      if (err instanceof EntryError) throw new EntryErrorAt(err.message, line);
      throw err;
    }
  });
  if (ignored.size)
    warn(
      `${file}:${[...ignored.values()][0]}: field(s) ${[...ignored.keys()].map((k) => `"${k}"`).join(', ')} ignored (xferscan reads ${READ_FIELDS})`,
    );
  return out;
}

function listedEntries(
  doc: unknown,
  itemLines: (key?: string) => number[],
  file: string,
  baseDir: string,
  warn: (m: string) => void,
): InventoryEntry[] {
  let list: { items: unknown[]; key?: string };
  try {
    list = entryList(doc, warn, file);
  } catch (err) {
    if (err instanceof EntryError) throw new EntryErrorAt(err.message, 1);
    throw err;
  }
  const groups = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { groups?: unknown }).groups : undefined;
  return [...docEntries(list.items, itemLines(list.key), file, baseDir, warn), ...groupEntries(groups, itemLines('groups'), file, baseDir)];
}

// ---------------------------------------------------------------- groups: (YAML and JSON)

const GROUP_FIELDS = ['name', 'service', 'vip', 'virtual', 'nodes', 'standby', 'samples', 'user', 'passwordenv', 'keyfile', 'policy'];

function stringList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => {
    if (typeof x !== 'string' || x.trim() === '') throw new EntryError(`${name} must list host:port strings`);
    return x.trim();
  });
}

/** One `groups:` item: its nodes, standby nodes and virtual address as entries of the group. */
function groupItem(item: unknown, file: string, line: number, baseDir: string): InventoryEntry[] {
  if (!item || typeof item !== 'object' || Array.isArray(item))
    throw new EntryError('each group must be a mapping with name, nodes and optionally vip, standby, service, samples');
  const g: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    const n = normKey(k);
    if (PASSWORD_FIELDS.includes(n))
      throw new EntryError(`a literal password ("${k}") is refused: name an environment variable with passwordEnv`);
    if (!GROUP_FIELDS.includes(n)) throw new EntryError(`unknown group field "${k}" (expected ${GROUP_FIELDS.join(', ')})`);
    g[n === 'virtual' ? 'vip' : n] = v;
  }
  const name = fieldString(g.name, 'name');
  if (!name) throw new EntryError('a group needs a name');
  const nodes = stringList(g.nodes, 'nodes');
  const standby = stringList(g.standby, 'standby');
  const vip = fieldString(g.vip, 'vip');
  if (nodes.length + standby.length === 0 && !vip) throw new EntryError(`group ${name} names no nodes and no vip`);
  const common = { service: g.service, user: g.user, passwordEnv: g.passwordenv, keyFile: g.keyfile, policy: g.policy, group: name };
  const entry = (host: string, role: GroupRole, samples?: unknown) => toEntry({ ...common, host, role, samples }, file, line, baseDir);
  return [
    ...nodes.filter((n) => !standby.includes(n)).map((n) => entry(n, 'node')),
    ...standby.map((n) => entry(n, 'standby')),
    ...(vip ? [entry(vip, 'vip', g.samples)] : []),
  ];
}

function groupEntries(groups: unknown, lines: number[], file: string, baseDir: string): InventoryEntry[] {
  if (groups === undefined || groups === null) return [];
  if (!Array.isArray(groups)) throw new EntryErrorAt('"groups:" must hold a list of groups', 1);
  return groups.flatMap((item, k) => {
    try {
      return groupItem(item, file, lines[k] ?? 1, baseDir);
    } catch (err) {
      if (err instanceof EntryError) throw new EntryErrorAt(err.message, lines[k] ?? 1);
      throw err;
    }
  });
}

function yamlEntries(text: string, file: string, baseDir: string, warn: (m: string) => void): InventoryEntry[] {
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    if (err instanceof YamlError) throw new EntryErrorAt(err.message.replace(/^line \d+: /, ''), err.line);
    throw err;
  }
  return listedEntries(parsed.value, (k) => parsed.itemLines(k), file, baseDir, warn);
}

function lineOfOffset(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function jsonEntries(text: string, file: string, baseDir: string, warn: (m: string) => void): InventoryEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lineM = /line (\d+)/.exec(msg);
    const line = pos ? lineOfOffset(text, Number(pos[1])) : lineM ? Number(lineM[1]) : 1;
    throw new EntryErrorAt(
      `not valid JSON (${msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')})`,
      line,
    );
  }
  return listedEntries(doc, (k) => jsonListItemLines(text, k ?? 'targets'), file, baseDir, warn);
}

function textEntries(text: string, file: string, baseDir: string): InventoryEntry[] {
  const out: InventoryEntry[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((l, i) => {
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
export function parseTargetsFile(
  text: string,
  file: string,
  format: TargetsFormat = detectTargetsFormat(file, text),
  warn: (message: string) => void = () => {},
): InventoryEntry[] {
  const baseDir = path.dirname(path.resolve(file));
  try {
    switch (format) {
      case 'csv':
        return csvEntries(text, file, baseDir, warn);
      case 'yaml':
        return yamlEntries(text, file, baseDir, warn);
      case 'json':
        return jsonEntries(text, file, baseDir, warn);
      case 'text':
        return textEntries(text, file, baseDir);
    }
  } catch (err) {
    if (err instanceof EntryErrorAt) throw new UsageError(`${file}:${err.line}: ${err.message}`);
    if (err instanceof EntryError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}

/** Reads (at most INPUT_LIMITS.inventory bytes) and parses --targets-file; warnings go to `warn`. */
export function loadTargetsFile(file: string, warn: (message: string) => void): InventoryEntry[] {
  const bytes = readLimited(file, INPUT_LIMITS.inventory, `--targets-file ${file}`, undefined, true);
  return parseTargetsFile(bytes.toString('utf8'), file, undefined, warn);
}
