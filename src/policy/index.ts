// Partner policy files (--policy FILE, JSON or YAML): which ports and services
// each host may expose, which service a port must offer, pinned SSH host keys and certificate
// fingerprints, the passive port range the firewall opens, credentials by environment-variable
// name, and the profile to apply. Validation errors are one line naming the file and the field.
import path from 'node:path';
import type { EndpointReport, Service } from '../model.js';
import { jsonListItemLines, parseYaml, YamlSubsetError } from './yaml.js';
import { INPUT_LIMITS, readTextFile } from '../files.js';

export const SERVICES: Service[] = ['sftp', 'ftps-implicit', 'ftps-explicit', 'ftp', 'tls-unknown', 'unknown'];

export interface PolicyPort {
  port: number;
  /** the service this port must offer (POLICY-EXPECTED-SERVICE) */
  service?: Service;
  /** pinned SSH host-key fingerprints, "SHA256:base64" as ssh-keygen -l prints (POLICY-KEY-PIN) */
  sshHostKeys?: string[];
  /** pinned certificate SHA-256 fingerprints, hex with or without colons (POLICY-KEY-PIN) */
  certificates?: string[];
}

export interface PolicyCredentials {
  user: string;
  /** name of the environment variable holding the password (never the password itself) */
  passwordEnv?: string;
  /** private key file for SFTP */
  keyFile?: string;
}

export interface PolicyHost {
  host: string;
  /** the allowlist: every port that may be open, with what it must offer */
  ports: PolicyPort[];
  passiveRange?: [number, number];
  credentials?: PolicyCredentials;
}

export interface Policy {
  version: 1;
  name?: string;
  profile?: string;
  hosts: PolicyHost[];
  /** 1-based line of each hosts[] entry in the file it was read from (SARIF locations) */
  hostLines?: number[];
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new PolicyError(`${where}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new PolicyError(`${where} must be a non-empty string`);
  return v.trim();
}

function strList(v: unknown, where: string): string[] {
  if (typeof v === 'string') return [str(v, where)];
  if (!Array.isArray(v) || v.length === 0) throw new PolicyError(`${where} must be a list of strings`);
  return v.map((x, i) => str(x, `${where}[${i}]`));
}

function port(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535)
    throw new PolicyError(`${where} must be a port number from 1 to 65535`);
  return n;
}

function range(v: unknown, where: string): [number, number] {
  let lo: unknown;
  let hi: unknown;
  if (typeof v === 'string') {
    const m = /^(\d+)\s*-\s*(\d+)$/.exec(v.trim());
    if (!m) throw new PolicyError(`${where} must look like 50000-50100`);
    [lo, hi] = [Number(m[1]), Number(m[2])];
  } else if (Array.isArray(v) && v.length === 2) {
    [lo, hi] = v;
  } else throw new PolicyError(`${where} must look like 50000-50100`);
  const a = port(lo, `${where} start`);
  const b = port(hi, `${where} end`);
  if (a > b) throw new PolicyError(`${where}: start is above end`);
  return [a, b];
}

/** SSH fingerprints: "SHA256:base64" (the padding-free form ssh-keygen prints). */
export function normalizeSshFingerprint(s: string): string {
  const t = s.trim();
  const m = /^SHA256:([A-Za-z0-9+/]+)=*$/.exec(t);
  return m ? `SHA256:${m[1]}` : t;
}

/** Certificate fingerprints: lowercase hex without separators. */
export function normalizeCertFingerprint(s: string): string {
  return s
    .trim()
    .replace(/^sha256[:=]\s*/i, '')
    .replace(/[:\s-]/g, '')
    .toLowerCase();
}

function validatePort(v: unknown, where: string): PolicyPort {
  if (typeof v === 'number' || typeof v === 'string') return { port: port(v, where) };
  if (!isObj(v)) throw new PolicyError(`${where} must be a port number or { port, service, sshHostKeys, certificates }`);
  onlyKeys(v, ['port', 'service', 'sshHostKeys', 'certificates'], where);
  const p: PolicyPort = { port: port(v.port, `${where}.port`) };
  if (v.service !== undefined && v.service !== null) {
    if (!SERVICES.includes(v.service as Service))
      throw new PolicyError(`${where}.service must be one of ${SERVICES.join(', ')} (got "${String(v.service)}")`);
    p.service = v.service as Service;
  }
  if (v.sshHostKeys !== undefined) {
    p.sshHostKeys = strList(v.sshHostKeys, `${where}.sshHostKeys`).map((f, i) => {
      const n = normalizeSshFingerprint(f);
      if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(n))
        throw new PolicyError(`${where}.sshHostKeys[${i}] must be a SHA256:… fingerprint as "ssh-keygen -lf" prints it (got "${f}")`);
      return n;
    });
  }
  if (v.certificates !== undefined) {
    p.certificates = strList(v.certificates, `${where}.certificates`).map((f, i) => {
      const n = normalizeCertFingerprint(f);
      if (!/^[0-9a-f]{64}$/.test(n))
        throw new PolicyError(`${where}.certificates[${i}] must be a SHA-256 fingerprint (64 hex digits, colons allowed; got "${f}")`);
      return n;
    });
  }
  return p;
}

function validateHost(v: unknown, where: string): PolicyHost {
  if (!isObj(v)) throw new PolicyError(`${where} must be a mapping with host and ports`);
  onlyKeys(v, ['host', 'ports', 'passiveRange', 'credentials'], where);
  const host = str(v.host, `${where}.host`).toLowerCase();
  if (!Array.isArray(v.ports)) throw new PolicyError(`${where}.ports must be a list (the ports this host may expose; [] for none)`);
  const ports = v.ports.map((p, i) => validatePort(p, `${where}.ports[${i}]`));
  const seen = new Set<number>();
  for (const p of ports) {
    if (seen.has(p.port)) throw new PolicyError(`${where}.ports: port ${p.port} is listed twice`);
    seen.add(p.port);
  }
  const h: PolicyHost = { host, ports };
  if (v.passiveRange !== undefined && v.passiveRange !== null) h.passiveRange = range(v.passiveRange, `${where}.passiveRange`);
  if (v.credentials !== undefined && v.credentials !== null) {
    const c = v.credentials;
    if (!isObj(c)) throw new PolicyError(`${where}.credentials must be a mapping { user, passwordEnv, keyFile }`);
    if ('password' in c)
      throw new PolicyError(`${where}.credentials.password is refused: name an environment variable with passwordEnv instead`);
    onlyKeys(c, ['user', 'passwordEnv', 'keyFile'], `${where}.credentials`);
    h.credentials = { user: str(c.user, `${where}.credentials.user`) };
    if (c.passwordEnv !== undefined) {
      const env = str(c.passwordEnv, `${where}.credentials.passwordEnv`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env))
        throw new PolicyError(`${where}.credentials.passwordEnv must be an environment variable name (got "${env}")`);
      h.credentials.passwordEnv = env;
    }
    if (c.keyFile !== undefined) h.credentials.keyFile = str(c.keyFile, `${where}.credentials.keyFile`);
  }
  return h;
}

/** Validates a parsed policy document. Throws PolicyError with a one-line message. */
export function validatePolicy(doc: unknown): Policy {
  if (!isObj(doc)) throw new PolicyError('the policy must be a mapping with version and hosts');
  onlyKeys(doc, ['version', 'name', 'profile', 'hosts'], 'policy');
  if (doc.version !== 1) throw new PolicyError(`version must be 1 (got ${JSON.stringify(doc.version ?? null)})`);
  if (!Array.isArray(doc.hosts) || doc.hosts.length === 0) throw new PolicyError('hosts must be a non-empty list');
  const hosts = doc.hosts.map((h, i) => validateHost(h, `hosts[${i}]`));
  const names = new Set<string>();
  for (const h of hosts) {
    if (names.has(h.host)) throw new PolicyError(`hosts: "${h.host}" is listed twice`);
    names.add(h.host);
  }
  const p: Policy = { version: 1, hosts };
  if (doc.name !== undefined) p.name = str(doc.name, 'name');
  if (doc.profile !== undefined) p.profile = str(doc.profile, 'profile');
  return p;
}

/** Parses policy text; JSON when it looks like JSON or the file ends in .json, else the YAML subset. */
export function parsePolicy(text: string, fileName = 'policy'): Policy {
  let doc: unknown;
  let hostLines: () => number[];
  const json = /\.json$/i.test(fileName) || /^\s*\{/.test(text);
  try {
    if (json) {
      doc = JSON.parse(text);
      hostLines = () => jsonListItemLines(text, 'hosts');
    } else {
      const parsed = parseYaml(text);
      doc = parsed.value;
      hostLines = () => parsed.itemLines('hosts');
    }
  } catch (err) {
    if (err instanceof YamlSubsetError) throw new PolicyError(`${err.message}`);
    throw new PolicyError(`not valid JSON (${(err as Error).message})`);
  }
  const policy = validatePolicy(doc);
  const lines = hostLines();
  // where the entries are in the file, not what they say: kept out of equality and JSON
  if (lines.length === policy.hosts.length) Object.defineProperty(policy, 'hostLines', { value: lines, enumerable: false });
  return policy;
}

/** Reads and validates a policy file; errors name the file: "policy.yaml: hosts[0].ports[1].port must …". */
export function loadPolicy(file: string): Policy {
  const text = readTextFile(file, file, (m) => new PolicyError(m), INPUT_LIMITS.policy);
  try {
    return parsePolicy(text, path.basename(file));
  } catch (err) {
    if (err instanceof PolicyError) throw new PolicyError(`${file}: ${err.message}`);
    throw err;
  }
}

/** The policy entry for an endpoint's host (matched on the name given or the address connected to). */
export function policyHostFor(policy: Policy | null | undefined, ep: Pick<EndpointReport, 'host' | 'address'>): PolicyHost | null {
  if (!policy) return null;
  const names = [ep.host.toLowerCase(), ep.address?.toLowerCase()].filter(Boolean);
  return policy.hosts.find((h) => names.includes(h.host)) ?? null;
}

export function policyPortFor(policy: Policy | null | undefined, ep: Pick<EndpointReport, 'host' | 'address' | 'port'>): PolicyPort | null {
  return policyHostFor(policy, ep)?.ports.find((p) => p.port === ep.port) ?? null;
}
