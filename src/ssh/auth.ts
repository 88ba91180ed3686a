// Login-level facts with the ssh2 client: the auth methods (a `none` attempt), the pre-login
// banner, and — with credentials — the SFTP subsystem and what the account can do besides SFTP
// (exec, shell, port forwarding), each tried on a fresh connection: some servers allow one
// session channel per connection, and a refusal on a second channel would hide a full shell.
// What happened is recorded raw; src/derive/ssh.ts judges it.
import type { Client, AuthenticationType, ClientChannel, SFTPWrapper } from 'ssh2';
import crypto from 'node:crypto';
import { loadSsh2, ssh2AlgorithmsFor } from './ssh2util.js';
import type { Transcript } from '../net/transcript.js';
import type { KexInit } from './kexinit.js';
import type { Dialer } from '../net/dialer.js';
import { dialError, dialIdentified } from './conn.js';
import type { SftpSubsystemFacts, SshChannelAttempt, SshForwardAttempt, SshHardening } from '../model.js';

export type { HardeningVerdict, SftpSubsystemFacts } from '../model.js';

export interface SshCredentials {
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
}

export interface AuthProbeResult {
  /** methods the server lists after a `none` attempt; null when not learned */
  authMethods: string[] | null;
  /** the server accepted `none`: no authentication at all */
  noneAccepted: boolean;
  /** pre-login banner (SSH_MSG_USERAUTH_BANNER) */
  banner: string | null;
  login: { attempted: boolean; ok: boolean; method: string | null; error: string | null };
  sftp: SftpSubsystemFacts | null;
  /** exec, shell and forwarding as they happened on fresh connections (only with credentials) */
  hardening: SshHardening | null;
  /** connection-level failure (handshake, timeout) */
  error: string | null;
  connId: string | null;
  ms: number;
}

export interface AuthProbeOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** the server's KEXINIT, to offer only algorithms it supports (legacy servers) */
  kexinit: KexInit | null;
  credentials?: SshCredentials | null;
  /** username for the `none` attempt without credentials */
  probeUsername?: string;
  transcript?: Transcript;
  /** the endpoint's dialer: ssh2 gets its socket from it */
  dialer: Dialer;
  /** target of the forwarding test, as seen from the server (default 127.0.0.1:<ssh port>) */
  forwardTo?: { host: string; port: number };
}

type Note = (dir: 'client' | 'server' | 'note', text: string) => void;

/** One ssh2 connection and what its authentication showed. */
interface Session {
  client: Client | null;
  authMethods: string[] | null;
  noneAccepted: boolean;
  banner: string | null;
  login: AuthProbeResult['login'];
  error: string | null;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(onTimeout());
      },
    );
  });
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The `none` attempt first (it lists the methods), then the credentials' methods in order. */
function authHandler(s: Session, username: string, creds: SshCredentials | null, note: Note) {
  const queue: string[] = [];
  let calls = 0;
  return (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
    calls += 1;
    if (calls === 1) {
      note('client', `USERAUTH_REQUEST user=${username} method=none`);
      next({ type: 'none', username });
      return;
    }
    if (calls === 2) {
      s.authMethods = [...(methodsLeft ?? [])];
      note('server', `USERAUTH_FAILURE methods=${s.authMethods.join(',')}`);
      if (creds?.privateKey && s.authMethods.includes('publickey')) queue.push('publickey');
      if (creds?.password && s.authMethods.includes('password')) queue.push('password');
      if (creds?.password && s.authMethods.includes('keyboard-interactive')) queue.push('keyboard-interactive');
    }
    const m = queue.shift();
    if (!m) {
      if (creds && !s.login.attempted)
        s.login.error = `no usable method for the given credentials (server offers ${(s.authMethods ?? []).join(',')})`;
      next(false);
      return;
    }
    s.login.attempted = true;
    s.login.method = m;
    note('client', `USERAUTH_REQUEST user=${username} method=${m}`);
    if (m === 'publickey') next({ type: 'publickey', username, key: creds!.privateKey!, passphrase: creds!.passphrase });
    else if (m === 'password') next({ type: 'password', username, password: creds!.password! });
    else
      next({
        type: 'keyboard-interactive',
        username,
        prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) =>
          finish(prompts.map(() => creds!.password!)),
      });
  };
}

/** Connects through the dialer and authenticates; resolves with a ready client, or none and why. */
async function openSession(opts: AuthProbeOptions, creds: SshCredentials | null, note: Note): Promise<Session> {
  const s: Session = {
    client: null,
    authMethods: null,
    noneAccepted: false,
    banner: null,
    login: { attempted: false, ok: false, method: null, error: null },
    error: null,
  };
  const plan = ssh2AlgorithmsFor(opts.kexinit);
  if (plan.missing.length) {
    s.error = `ssh2 cannot negotiate with this server (no common ${plan.missing.join(', ')})`;
    return s;
  }
  // ssh2 gets its socket from the endpoint's dialer (budget, cap, deadline).
  const dialled = await dialIdentified(opts.dialer, opts.port, opts.timeoutMs);
  if (!dialled.socket) {
    s.error = dialError(dialled);
    return s;
  }
  const sock = dialled.socket;
  const { Client: Ssh2Client } = await loadSsh2();
  const client = new Ssh2Client();
  client.on('error', () => {});
  client.once('close', () => sock.destroy());
  const username = creds?.username ?? opts.probeUsername ?? 'xferscan';
  const ready = await new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (ok: boolean, err?: string) => {
      if (settled) return;
      settled = true;
      if (err && !s.error) s.error = err;
      resolve(ok);
    };
    client.on('banner', (msg: string) => {
      s.banner = clip(opts.transcript?.mask(msg) ?? msg, 4096);
      note('server', `USERAUTH_BANNER: ${clip(s.banner.replace(/\s+/g, ' '), 1000)}`);
    });
    client.on('ready', () => settle(true));
    client.on('error', (err: Error) => {
      if (s.login.attempted) s.login.error = err.message;
      note('note', `ssh2: ${err.message}`);
      settle(false, s.authMethods ? undefined : err.message);
    });
    client.on('close', () => settle(false, s.authMethods ? undefined : 'connection closed before authentication'));
    try {
      client.connect({
        sock,
        host: opts.host,
        port: opts.port,
        username,
        readyTimeout: opts.timeoutMs,
        algorithms: plan.algorithms,
        hostVerifier: () => true,
        tryKeyboard: false,
        authHandler: authHandler(s, username, creds, note),
      } as Parameters<Client['connect']>[0]);
    } catch (err) {
      settle(false, (err as Error).message);
    }
  });
  if (!ready) {
    client.end();
    return s;
  }
  if (!s.login.attempted) {
    s.noneAccepted = true;
    s.authMethods = s.authMethods ?? ['none'];
    note('note', 'server accepted authentication method none');
  }
  s.login.ok = true;
  note('note', `logged in${s.login.method ? ` with ${s.login.method}` : ''}`);
  s.client = client;
  return s;
}

/** Runs the auth probe, and with credentials the SFTP subsystem and the hardening tests. Never throws. */
export async function probeAuth(opts: AuthProbeOptions): Promise<AuthProbeResult> {
  const started = Date.now();
  const t = opts.transcript;
  const connId = t ? t.conn('ssh-auth') : null;
  const note: Note = (dir, text) => {
    if (t && connId) t.add(connId, dir, text, 'ssh-auth');
  };
  const creds = opts.credentials ?? null;
  if (creds?.password) t?.addSecret(creds.password);
  if (creds?.passphrase) t?.addSecret(creds.passphrase);
  const s = await openSession(opts, creds, note);
  const res: AuthProbeResult = {
    authMethods: s.authMethods,
    noneAccepted: s.noneAccepted,
    banner: s.banner,
    login: s.login,
    sftp: null,
    hardening: null,
    error: s.error,
    connId,
    ms: 0,
  };
  if (!s.client) {
    // "All configured authentication methods failed" after the none attempt is the normal end
    // of an anonymous probe; it is not an error when we learned the methods.
    if (res.authMethods) res.error = null;
    if (res.authMethods && creds && !res.login.ok) res.login.error = res.login.error ?? 'login failed';
    if (res.error) note('note', res.error);
    res.ms = Date.now() - started;
    return res;
  }
  if (creds) {
    const step = stepMs(opts);
    res.sftp = await withTimeout(probeSftp(s.client), step, () => ({
      opened: false,
      version: null,
      extensions: {},
      error: 'timed out opening the SFTP subsystem',
    }));
    note(
      'note',
      res.sftp.opened
        ? `SFTP subsystem version ${res.sftp.version} extensions ${Object.keys(res.sftp.extensions).join(',')}`
        : `SFTP subsystem: ${res.sftp.error}`,
    );
  }
  s.client.end();
  if (creds) res.hardening = await testHardening(opts, creds);
  res.ms = Date.now() - started;
  return res;
}

const stepMs = (opts: AuthProbeOptions) => Math.max(2000, Math.min(opts.timeoutMs, 8000));

function probeSftp(client: Client): Promise<SftpSubsystemFacts> {
  return new Promise((resolve) => {
    client.sftp((err: Error | undefined, sftp: SFTPWrapper) => {
      if (err) {
        resolve({ opened: false, version: null, extensions: {}, error: err.message });
        return;
      }
      // The negotiated version and extensions are private fields of ssh2's SFTP object.
      const priv = sftp as unknown as { _version?: unknown; _extensions?: unknown };
      const version = typeof priv._version === 'number' && priv._version >= 0 ? priv._version : null;
      const extensions: Record<string, string> = {};
      if (priv._extensions && typeof priv._extensions === 'object') {
        for (const [k, v] of Object.entries(priv._extensions as Record<string, unknown>)) {
          extensions[k] = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
        }
      }
      sftp.realpath('.', (e2: Error | undefined, p: string) => {
        resolve({ opened: true, version, extensions, realpath: e2 ? null : p, error: null });
        sftp.end();
      });
    });
  });
}

// ---------------------------------------------------------------- hardening, on fresh connections

/** A marker only a shell joins: echoing the command line back shows `XFS_ab""cd`, never `XFS_abcd`. */
function marker(): { command: string; expect: string } {
  const n = `XFS${crypto.randomBytes(6).toString('hex')}`;
  const half = Math.floor(n.length / 2);
  return { command: `echo "${n.slice(0, half)}""${n.slice(half)}"`, expect: n };
}

/** exec, shell and forwarding, each on a fresh logged-in connection (a dead one tried once more). */
async function testHardening(opts: AuthProbeOptions, creds: SshCredentials): Promise<SshHardening> {
  const note = (purpose: string) => {
    const t = opts.transcript;
    const conn = t ? t.conn(purpose) : null;
    return (dir: 'client' | 'server' | 'note', text: string) => {
      if (t && conn) t.add(conn, dir, text, 'ssh-hardening');
    };
  };
  const [exec, shell, forwarding] = await Promise.all([
    retryOnDeath(() => channelAttempt(opts, creds, 'exec', note('ssh-exec'))),
    retryOnDeath(() => channelAttempt(opts, creds, 'shell', note('ssh-shell'))),
    retryOnDeath(() => forwardAttempt(opts, creds, note('ssh-forward'))),
  ]);
  return { exec, shell, forwarding };
}

/** A connection that died is no answer: try once more on a fresh one (some servers abort when a channel opens right after another closed). */
async function retryOnDeath<T extends { connectionLost: boolean; tries: number }>(attempt: () => Promise<T>): Promise<T> {
  const first = await attempt();
  if (!first.connectionLost) return first;
  await new Promise((r) => setTimeout(r, 200));
  const second = await attempt();
  return { ...second, tries: first.tries + second.tries };
}

const deadConnection = (msg: string) =>
  /not connected|no response|connection (lost|closed|reset)|socket|ECONNRESET|EPIPE|timed out/i.test(msg);

function emptyAttempt(): SshChannelAttempt {
  return {
    openError: null,
    reason: null,
    stdout: '',
    stderr: '',
    exitCode: null,
    exitSignal: null,
    closed: false,
    connectionLost: false,
    nonceSeen: false,
    tries: 1,
  };
}

async function channelAttempt(
  opts: AuthProbeOptions,
  creds: SshCredentials,
  kind: 'exec' | 'shell',
  note: Note,
): Promise<SshChannelAttempt> {
  const a = emptyAttempt();
  const s = await openSession(opts, creds, note);
  if (!s.client) {
    a.openError = s.error ?? s.login.error ?? 'could not log in again';
    a.connectionLost = !s.login.attempted || deadConnection(a.openError);
    return a;
  }
  const client = s.client;
  let lost = false;
  client.once('close', () => (lost = true));
  const m = marker();
  note('client', kind === 'exec' ? `exec ${m.command}` : `shell, then: ${m.command}; exit 0`);
  const outcome = await withTimeout(runChannel(client, kind, m.command, stepMs(opts), a), stepMs(opts) + 500, () => a);
  outcome.stdout = clip(opts.transcript?.mask(outcome.stdout) ?? outcome.stdout, 1024);
  outcome.stderr = clip(opts.transcript?.mask(outcome.stderr) ?? outcome.stderr, 1024);
  outcome.nonceSeen = outcome.stdout.includes(m.expect);
  outcome.connectionLost =
    !outcome.nonceSeen && (lost || (!!outcome.openError && deadConnection(outcome.openError))) && outcome.exitCode === null;
  note('server', `${kind}: ${outcome.openError ?? `exit ${outcome.exitCode ?? 'none'}${outcome.nonceSeen ? ', marker seen' : ''}`}`);
  client.end();
  return outcome;
}

function runChannel(client: Client, kind: 'exec' | 'shell', command: string, ms: number, a: SshChannelAttempt): Promise<SshChannelAttempt> {
  return new Promise((resolve) => {
    const onChannel = (err: (Error & { reason?: unknown }) | undefined, ch: ClientChannel) => {
      if (err) {
        a.openError = err.message;
        a.reason = typeof err.reason === 'number' ? err.reason : null;
        a.closed = true;
        resolve(a);
        return;
      }
      if (kind === 'shell') ch.write(`${command}; exit 0\n`);
      ch.end();
      void collectChannel(ch, ms, a).then(resolve);
    };
    try {
      if (kind === 'exec') client.exec(command, onChannel);
      else client.shell(false, onChannel);
    } catch (err) {
      a.openError = (err as Error).message;
      resolve(a);
    }
  });
}

function collectChannel(ch: ClientChannel, ms: number, out: SshChannelAttempt): Promise<SshChannelAttempt> {
  return new Promise((resolve) => {
    const cap = 8192;
    const timer = setTimeout(() => {
      ch.destroy();
      resolve(out);
    }, ms);
    ch.on('data', (d: Buffer) => {
      if (out.stdout.length < cap) out.stdout += d.toString('utf8');
    });
    ch.stderr.on('data', (d: Buffer) => {
      if (out.stderr.length < cap) out.stderr += d.toString('utf8');
    });
    ch.on('exit', (code: number | null, signal?: string) => {
      out.exitCode = typeof code === 'number' ? code : null;
      out.exitSignal = signal ?? null;
    });
    ch.on('close', () => {
      out.closed = true;
      clearTimeout(timer);
      resolve(out);
    });
    ch.on('error', () => {});
  });
}

async function forwardAttempt(opts: AuthProbeOptions, creds: SshCredentials, note: Note): Promise<SshForwardAttempt> {
  const f: SshForwardAttempt = { opened: false, openError: null, reason: null, connectionLost: false, tries: 1 };
  const s = await openSession(opts, creds, note);
  if (!s.client) {
    f.openError = s.error ?? s.login.error ?? 'could not log in again';
    f.connectionLost = !s.login.attempted || deadConnection(f.openError);
    return f;
  }
  const client = s.client;
  let lost = false;
  client.once('close', () => (lost = true));
  const to = opts.forwardTo ?? { host: '127.0.0.1', port: opts.port };
  note('client', `direct-tcpip to ${to.host}:${to.port}`);
  await withTimeout(
    new Promise<void>((resolve) => {
      try {
        client.forwardOut('127.0.0.1', 0, to.host, to.port, (err: (Error & { reason?: unknown }) | undefined, ch: ClientChannel) => {
          if (err) {
            f.openError = err.message;
            f.reason = typeof err.reason === 'number' ? err.reason : null;
          } else {
            f.opened = true;
            ch.on('error', () => {});
            ch.destroy();
          }
          resolve();
        });
      } catch (err) {
        f.openError = (err as Error).message;
        resolve();
      }
    }),
    stepMs(opts),
    () => {
      f.openError = 'timed out waiting for the direct-tcpip answer';
    },
  );
  f.connectionLost = !f.opened && f.reason === null && (lost || (!!f.openError && deadConnection(f.openError)));
  note(
    'server',
    f.opened
      ? 'direct-tcpip channel opened'
      : `direct-tcpip: ${f.openError ?? 'no answer'}${f.reason !== null ? ` (reason ${f.reason})` : ''}`,
  );
  client.end();
  return f;
}
