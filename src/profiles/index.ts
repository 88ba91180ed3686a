// Profile lookup, custom profile files, and how a profile plugs into the check engine
// (ProfileSelection for which checks and severities; CheckOptions for thresholds).
import fs from 'node:fs';
import type { CheckOptions, ProfileSelection } from '../checks/engine.js';
import { isKnownCheckId } from '../checks/registry.js';
import { controlsByCheck } from '../knowledge/control-catalogue.js';
import type { Severity } from '../model.js';
import { BUILTIN_PROFILES } from './builtin.js';
import type { Profile, ProfileControl, ProfileThresholds, Testability, TlsVersionName } from './types.js';
import { readTextFile } from '../files.js';

export type { Profile, ProfileControl, ProfileThresholds, Testability } from './types.js';
export { BUILTIN_PROFILES } from './builtin.js';

export class ProfileError extends Error {
  override name = 'ProfileError';
}

export const PROFILE_NAMES = BUILTIN_PROFILES.map((p) => p.id);

export function builtinProfile(id: string): Profile | null {
  return BUILTIN_PROFILES.find((p) => p.id === id || `${p.id}@${p.version}` === id) ?? null;
}

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const TESTABILITY: Testability[] = ['automated', 'partial', 'not-testable'];
const TLS_VERSIONS: TlsVersionName[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new ProfileError(`${where}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
}
function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ProfileError(`${where} must be a non-empty string`);
  return v;
}
function checkIds(v: unknown, where: string): string[] {
  if (!Array.isArray(v)) throw new ProfileError(`${where} must be a list of check ids`);
  return v.map((id, i) => {
    if (typeof id !== 'string' || !isKnownCheckId(id))
      throw new ProfileError(`${where}[${i}]: unknown check id ${JSON.stringify(id)} (see docs/checks.md)`);
    return id;
  });
}
function posInt(v: unknown, where: string, max = 1_000_000): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    throw new ProfileError(`${where} must be a whole number from 0 to ${max}`);
  return v;
}

function validateThresholds(v: unknown, where: string): ProfileThresholds {
  if (!isObj(v)) throw new ProfileError(`${where} must be an object`);
  onlyKeys(
    v,
    [
      'minTlsVersion',
      'allowedSuites',
      'minRsaBits',
      'minEcBits',
      'minDhBits',
      'certExpiryWarnDays',
      'certMaxLifetimeDays',
      'strictSshMacs',
    ],
    where,
  );
  const t: ProfileThresholds = {};
  if (v.minTlsVersion !== undefined) {
    if (!TLS_VERSIONS.includes(v.minTlsVersion as TlsVersionName))
      throw new ProfileError(`${where}.minTlsVersion must be one of ${TLS_VERSIONS.join(', ')}`);
    t.minTlsVersion = v.minTlsVersion as TlsVersionName;
  }
  if (v.allowedSuites !== undefined && v.allowedSuites !== null) {
    const a = v.allowedSuites;
    if (!isObj(a) || !isObj(a.suites))
      throw new ProfileError(`${where}.allowedSuites must be { "name": "…", "suites": { "TLSv1.2": [IANA names], "TLSv1.3": […] } }`);
    const suites: Record<string, string[]> = {};
    for (const [ver, list] of Object.entries(a.suites)) {
      if (!['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].includes(ver))
        throw new ProfileError(`${where}.allowedSuites.suites: unknown version "${ver}"`);
      if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || !/^TLS_[A-Z0-9_]+$/.test(s)))
        throw new ProfileError(`${where}.allowedSuites.suites.${ver} must be a list of IANA suite names (TLS_…)`);
      suites[ver] = list as string[];
    }
    t.allowedSuites = { name: a.name === undefined ? 'custom suite list' : str(a.name, `${where}.allowedSuites.name`), suites };
  }
  for (const k of ['minRsaBits', 'minEcBits', 'minDhBits', 'certExpiryWarnDays', 'certMaxLifetimeDays'] as const) {
    if (v[k] !== undefined) t[k] = posInt(v[k], `${where}.${k}`);
  }
  if (v.strictSshMacs !== undefined) {
    if (typeof v.strictSshMacs !== 'boolean') throw new ProfileError(`${where}.strictSshMacs must be true or false`);
    t.strictSshMacs = v.strictSshMacs;
  }
  return t;
}

function validateControl(v: unknown, where: string): ProfileControl {
  if (!isObj(v)) throw new ProfileError(`${where} must be an object`);
  onlyKeys(v, ['id', 'ref', 'title', 'testability', 'checks', 'note'], where);
  const id = str(v.id, `${where}.id`);
  if (!TESTABILITY.includes(v.testability as Testability))
    throw new ProfileError(`${where}.testability must be one of ${TESTABILITY.join(', ')}`);
  const checks = v.checks === undefined ? [] : checkIds(v.checks, `${where}.checks`);
  if (v.testability !== 'not-testable' && checks.length === 0)
    throw new ProfileError(`${where}: a testable control needs at least one check id in "checks"`);
  return {
    id,
    ref: v.ref === undefined ? id : str(v.ref, `${where}.ref`),
    title: str(v.title, `${where}.title`),
    testability: v.testability as Testability,
    checks,
    note: v.note === undefined ? '' : str(v.note, `${where}.note`),
  };
}

/**
 * Validates a custom profile document. It may "extends" a built-in profile and override any
 * part; without "extends" it must give id, title, checks and controls.
 */
export function validateProfile(doc: unknown, source: string): Profile {
  if (!isObj(doc)) throw new ProfileError('a profile must be a JSON object');
  onlyKeys(
    doc,
    ['$schema', 'id', 'version', 'title', 'standard', 'description', 'extends', 'checks', 'severity', 'thresholds', 'controls'],
    'profile',
  );
  let base: Profile | null = null;
  if (doc.extends !== undefined) {
    base = builtinProfile(str(doc.extends, 'extends'));
    if (!base)
      throw new ProfileError(`extends: unknown built-in profile "${String(doc.extends)}" (available: ${PROFILE_NAMES.join(', ')})`);
  }
  const id = doc.id === undefined ? (base ? `${base.id}+custom` : undefined) : str(doc.id, 'id');
  if (!id) throw new ProfileError('id is required (or "extends" a built-in profile)');
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(id)) throw new ProfileError('id may contain letters, digits and . _ + - only');
  let checks: Profile['checks'];
  if (doc.checks === undefined) {
    if (!base) throw new ProfileError('checks is required: "all" or a list of check ids');
    checks = base.checks;
  } else if (doc.checks === 'all') checks = 'all';
  else checks = checkIds(doc.checks, 'checks');
  const severity: Record<string, Severity> = { ...(base?.severity ?? {}) };
  if (doc.severity !== undefined) {
    if (!isObj(doc.severity)) throw new ProfileError('severity must be an object { "CHECK-ID": "high", … }');
    for (const [k, s] of Object.entries(doc.severity)) {
      if (!isKnownCheckId(k)) throw new ProfileError(`severity: unknown check id "${k}" (see docs/checks.md)`);
      if (!SEVERITIES.includes(s as Severity)) throw new ProfileError(`severity.${k} must be one of ${SEVERITIES.join(', ')}`);
      severity[k] = s as Severity;
    }
  }
  const thresholds = {
    ...(base?.thresholds ?? {}),
    ...(doc.thresholds === undefined ? {} : validateThresholds(doc.thresholds, 'thresholds')),
  };
  let controls: ProfileControl[];
  if (doc.controls === undefined) {
    if (!base) throw new ProfileError('controls is required: a list of { id, title, testability, checks, note }');
    controls = base.controls;
  } else {
    if (!Array.isArray(doc.controls)) throw new ProfileError('controls must be a list');
    controls = doc.controls.map((c, i) => validateControl(c, `controls[${i}]`));
    const seen = new Set<string>();
    for (const c of controls) {
      if (seen.has(c.id)) throw new ProfileError(`controls: "${c.id}" is listed twice`);
      seen.add(c.id);
    }
  }
  return {
    id,
    version: doc.version === undefined ? (base ? `${base.version}+custom` : 'custom') : str(String(doc.version), 'version'),
    title: doc.title === undefined ? (base ? `${base.title} (customised)` : id) : str(doc.title, 'title'),
    standard: doc.standard === undefined ? (base?.standard ?? 'custom') : str(doc.standard, 'standard'),
    description: doc.description === undefined ? (base?.description ?? '') : str(doc.description, 'description'),
    checks,
    severity,
    thresholds,
    controls,
    source,
  };
}

export function loadProfileFile(file: string): Profile {
  const text = readTextFile(file, `profile ${file}`, (m) => new ProfileError(m));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(`profile ${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return validateProfile(doc, file);
  } catch (err) {
    if (err instanceof ProfileError) throw new ProfileError(`profile ${file}: ${err.message}`);
    throw err;
  }
}

/** A built-in profile by id (optionally id@version), or a JSON file when the name looks like a path. */
export function resolveProfile(name: string): Profile {
  const b = builtinProfile(name);
  if (b) return b;
  if (/[/\\]|\.json$/i.test(name) || fs.existsSync(name)) return loadProfileFile(name);
  throw new ProfileError(`unknown profile "${name}"; available: ${PROFILE_NAMES.join(', ')}, or a profile FILE (JSON)`);
}

const VERSION_CHECKS: [TlsVersionName | 'SSLv2', string][] = [
  ['SSLv2', 'TLS-PROTO-SSL2'],
  ['SSLv3', 'TLS-PROTO-SSL3'],
  ['TLSv1.0', 'TLS-PROTO-TLS10'],
  ['TLSv1.1', 'TLS-PROTO-TLS11'],
];
const RANK: Record<string, number> = { SSLv2: 0, SSLv3: 1, 'TLSv1.0': 2, 'TLSv1.1': 3, 'TLSv1.2': 4, 'TLSv1.3': 5 };

/** Which checks run and with which severities. Protocol checks for versions the profile allows are left out. */
export function profileSelection(p: Profile): ProfileSelection {
  const allowedVersions = p.thresholds.minTlsVersion
    ? VERSION_CHECKS.filter(([v]) => RANK[v] >= RANK[p.thresholds.minTlsVersion!]).map(([, id]) => id)
    : [];
  // The profile is the only map from checks to controls: a finding cites the controls that list its check.
  const controls = controlsByCheck(p.controls);
  if (p.checks === 'all') {
    return allowedVersions.length
      ? { exclude: allowedVersions, severity: { ...p.severity }, controls }
      : { severity: { ...p.severity }, controls };
  }
  return { include: p.checks.filter((id) => !allowedVersions.includes(id)), severity: { ...p.severity }, controls };
}

/** The profile's thresholds as check options (the caller adds run-specific ones: passive range, policy). */
export function profileCheckOptions(p: Profile): CheckOptions {
  const t = p.thresholds;
  const o: CheckOptions = { profileId: p.id };
  if (t.minTlsVersion) o.minTlsVersion = t.minTlsVersion;
  if (t.allowedSuites) o.tlsCipherProfile = t.allowedSuites;
  if (t.minRsaBits !== undefined) o.minRsaBits = t.minRsaBits;
  if (t.minEcBits !== undefined) o.minEcBits = t.minEcBits;
  if (t.minDhBits !== undefined) o.minDhBits = t.minDhBits;
  if (t.certExpiryWarnDays !== undefined) o.certExpiryWarnDays = t.certExpiryWarnDays;
  if (t.certMaxLifetimeDays !== undefined) o.certMaxLifetimeDays = t.certMaxLifetimeDays;
  if (t.strictSshMacs !== undefined) o.strictSshMacs = t.strictSshMacs;
  return o;
}
