// Lab manifest helpers for the xferscan integration tests.
// The manifest is written by `test/lab/lab.sh start` into the run dir
// (test/lab/.run, or $XFS_LAB_RUN).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LabSoftware =
  | 'openssh'
  | 'vsftpd'
  | 'proftpd'
  | 'pure-ftpd'
  // lab module ftp-extra (test/lab/servers/ftp-extra.sh)
  | 'pyftpdlib'
  | 'twisted'
  | 'aioftp'
  | 'inetutils-ftpd'
  | 'netkit-ftpd'
  | 'python-smtpd'
  // lab module ssh-extra (test/lab/servers/ssh-extra.sh)
  | 'dropbear'
  | 'paramiko'
  | 'tinysshd';
export type LabService = 'sftp' | 'ftps-explicit' | 'ftps-implicit' | 'ftp';

export interface LabEndpoint {
  name: string;
  host: string;
  port: number;
  /** null only for the closed-port entry */
  software: LabSoftware | null;
  /** null only for the closed-port entry */
  expectedService: LabService | null;
  expectedState: 'open' | 'closed';
  /** true: server refuses cleartext login; false: TLS optional or absent; null: not FTP */
  tlsRequired: boolean | null;
  anonymous: boolean;
  passiveRange: [number, number] | null;
  /** address the server advertises in PASV replies (never connect to it) */
  masqueradeAddress: string | null;
  user: string | null;
  passwordFile: string | null;
  /** which lab certificate the endpoint serves: good (RSA-2048/SHA-256) or weak (RSA-1024/SHA-1/expired) */
  tlsCertificate: 'good' | 'weak' | null;
  notes: string;
  /** lab modules: the implementation and its version, e.g. "pyftpdlib 1.5.7-3" */
  implementation?: string;
  /** lab modules: the endpoint listens on an IPv6 address (host is then e.g. "::1") */
  ipv6?: boolean;
  /** lab modules: the module (test/lab/servers/NAME.sh) that runs it; absent for the core lab */
  module?: string;
  /** lab modules: deliberate behaviours, e.g. "bounce-allowed", "active-connects-before-reply", "not-ftp" */
  behaviours?: string[];
  /** private key of `user` for servers without password authentication */
  keyFile?: string | null;
}

/** Firewall-namespace targets (test/lab/netns.sh create); scan them with `ip netns exec <netns> ...`. */
export interface LabNetnsTarget {
  name: string;
  netns: string;
  host: string;
  port: number;
  expectedState: 'open' | 'filtered' | 'closed';
  notes: string;
}

const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));

export function labRunDir(): string {
  return process.env.XFS_LAB_RUN ?? path.join(LAB_DIR, '.run');
}

export function labDir(): string {
  return LAB_DIR;
}

function readJson<T>(file: string, hint: string): T {
  if (!existsSync(file)) {
    throw new Error(`${file} not found: ${hint}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * All manifest entries (open endpoints and the closed port): the core lab's endpoints.json and
 * each lab module's endpoints.MODULE.json (test/lab/servers/MODULE.sh).
 */
export function loadLabEndpoints(): LabEndpoint[] {
  const run = labRunDir();
  const core = readJson<LabEndpoint[]>(
    path.join(run, 'endpoints.json'),
    'start the lab with `bash test/lab/lab.sh start` (vitest globalSetup does it)',
  );
  const modules = existsSync(run)
    ? readdirSync(run)
        .filter((f) => /^endpoints\.[\w-]+\.json$/.test(f))
        // only modules this checkout has (a shared run dir may hold another checkout's)
        .filter((f) => existsSync(path.join(LAB_DIR, 'servers', `${f.slice('endpoints.'.length, -'.json'.length)}.sh`)))
        .sort()
    : [];
  return [...core, ...modules.flatMap((f) => readJson<LabEndpoint[]>(path.join(run, f), 'a lab module manifest'))];
}

/** The core lab's endpoints only (test/lab/lab.sh), without the lab modules' ones. */
export function coreLabEndpoints(): LabEndpoint[] {
  return loadLabEndpoints().filter((e) => !e.module);
}

/** host:port as xferscan takes it ([::1]:port for IPv6). */
export function labTarget(e: Pick<LabEndpoint, 'host' | 'port'>): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** The login xferscan scans a lab endpoint with: --user and its password file, or its key (tinysshd); none without a lab user. */
export function labLoginArgs(e: Pick<LabEndpoint, 'user' | 'passwordFile' | 'keyFile'>): string[] {
  if (!e.user) return [];
  if (e.keyFile) return ['--user', e.user, '--key', e.keyFile];
  return e.passwordFile ? ['--user', e.user, '--password-file', e.passwordFile] : [];
}

/** Whether the lab is on (XFERSCAN_LAB is not 'off') and has every named endpoint: a suite's skipIf. */
export function labHas(...names: string[]): boolean {
  if (process.env.XFERSCAN_LAB === 'off') return false;
  try {
    const have = new Set(loadLabEndpoints().map((e) => e.name));
    return names.every((n) => have.has(n));
  } catch {
    return false;
  }
}

export function labEndpoint(name: string): LabEndpoint {
  const e = loadLabEndpoints().find((x) => x.name === name);
  if (!e) throw new Error(`unknown lab endpoint: ${name}`);
  return e;
}

/** Firewall namespace targets, or [] if the namespace was not created. */
export function loadLabNetnsTargets(): LabNetnsTarget[] {
  const f = path.join(labRunDir(), 'netns.json');
  return existsSync(f) ? readJson<LabNetnsTarget[]>(f, 'run `bash test/lab/netns.sh create`') : [];
}

/**
 * Password of a lab user. `name` may be a user name (`xfsuser`, `xfssftp`) or an
 * endpoint name (`vsftpd-explicit`: that endpoint's user).
 */
export function labPassword(name: string): string {
  const direct = path.join(labRunDir(), 'secrets', `${name}.password`);
  let file = direct;
  if (!existsSync(direct)) {
    const e = loadLabEndpoints().find((x) => x.name === name);
    if (!e?.passwordFile) throw new Error(`no lab password for ${name}`);
    file = e.passwordFile;
  }
  return readFileSync(file, 'utf8').split('\n')[0]!.trim();
}
