// Login-level facts with the ssh2 client, on one connection: the auth methods (a `none`
// attempt), the pre-login banner, and — with credentials — the SFTP subsystem and whether the
// account can also run commands, get a shell or forward ports (SFTP-only hardening).
import type { Client, AuthenticationType, ClientChannel, SFTPWrapper } from 'ssh2';
import { loadSsh2 } from './ssh2util.js';
import type { Transcript } from '../net/transcript.js';
import type { KexInit } from './kexinit.js';
import { ssh2AlgorithmsFor } from './ssh2util.js';
import type { Dialer } from '../net/dialer.js';

export interface SshCredentials {
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
}

export type HardeningVerdict = 'refused' | 'allowed' | 'error';

export interface SftpOnlyFacts {
  shell: HardeningVerdict;
  exec: HardeningVerdict;
  forwarding: HardeningVerdict;
  details: { shell: string; exec: string; forwarding: string };
}

export interface SftpSubsystemFacts {
  opened: boolean;
  version: number | null;
  extensions: Record<string, string>;
  /** realpath('.') answered, proving the subsystem serves requests */
  realpath?: string | null;
  error: string | null;
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
  sftpOnly: SftpOnlyFacts | null;
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

const SFTP_ONLY_TEXT = /allows sftp connections only|only sftp|sftp[- ]only|not allowed|not available|restricted|denied/i;

function cut(s: string, n = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
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

interface ChannelOutcome {
  openError: string | null;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  exitSignal: string | null;
  closed: boolean;
}

function collectChannel(ch: ClientChannel, ms: number): Promise<ChannelOutcome> {
  return new Promise((resolve) => {
    const out: ChannelOutcome = { openError: null, stdout: '', stderr: '', exitCode: null, exitSignal: null, closed: false };
    const cap = 4096;
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

function judgeExec(o: ChannelOutcome): { verdict: HardeningVerdict; detail: string } {
  if (o.openError) return { verdict: 'refused', detail: `exec request refused: ${o.openError}` };
  const text = cut(`${o.stdout} ${o.stderr}`);
  if (o.exitCode === 0 && /uid=\d+/.test(o.stdout)) return { verdict: 'allowed', detail: `exec 'id' ran (exit 0): ${text}` };
  if (o.exitCode !== null && o.exitCode !== 0)
    return { verdict: 'refused', detail: `exec accepted at channel level but exited ${o.exitCode}${text ? `: ${text}` : ''}` };
  if (SFTP_ONLY_TEXT.test(text)) return { verdict: 'refused', detail: `exec answered with a refusal: ${text}` };
  if (o.exitCode === 0) return { verdict: 'allowed', detail: `exec exited 0${text ? `: ${text}` : ''}` };
  if (!o.closed) return { verdict: 'error', detail: `exec channel neither exited nor closed in time${text ? `: ${text}` : ''}` };
  return { verdict: 'error', detail: `exec closed without exit status${text ? `: ${text}` : ''}` };
}

function judgeShell(o: ChannelOutcome, marker: string): { verdict: HardeningVerdict; detail: string } {
  if (o.openError) return { verdict: 'refused', detail: `shell request refused: ${o.openError}` };
  const text = cut(`${o.stdout} ${o.stderr}`);
  if (o.stdout.includes(marker))
    return { verdict: 'allowed', detail: `shell ran our echo command${o.exitCode !== null ? ` (exit ${o.exitCode})` : ''}` };
  if (o.exitCode !== null && o.exitCode !== 0)
    return { verdict: 'refused', detail: `shell accepted at channel level but exited ${o.exitCode}${text ? `: ${text}` : ''}` };
  if (SFTP_ONLY_TEXT.test(text)) return { verdict: 'refused', detail: `shell answered with a refusal: ${text}` };
  if (!o.closed) return { verdict: 'error', detail: `shell stayed open without running our command${text ? `: ${text}` : ''}` };
  return { verdict: 'error', detail: `shell closed without running our command (exit ${o.exitCode ?? 'none'})${text ? `: ${text}` : ''}` };
}

/** Runs the auth/SFTP probe on one ssh2 connection. Never throws. */
export async function probeAuth(opts: AuthProbeOptions): Promise<AuthProbeResult> {
  const started = Date.now();
  const t = opts.transcript;
  const connId = t ? t.conn('ssh-auth') : null;
  const noteT = (dir: 'client' | 'server' | 'note', text: string) => {
    if (t && connId) t.add(connId, dir, text);
  };
  const creds = opts.credentials ?? null;
  if (creds?.password) t?.addSecret(creds.password);
  if (creds?.passphrase) t?.addSecret(creds.passphrase);
  const username = creds?.username ?? opts.probeUsername ?? 'xferscan';
  const res: AuthProbeResult = {
    authMethods: null,
    noneAccepted: false,
    banner: null,
    login: { attempted: false, ok: false, method: null, error: null },
    sftp: null,
    sftpOnly: null,
    error: null,
    connId,
    ms: 0,
  };
  const plan = ssh2AlgorithmsFor(opts.kexinit);
  if (plan.missing.length) {
    res.error = `ssh2 cannot negotiate with this server (no common ${plan.missing.join(', ')})`;
    noteT('note', res.error);
    res.ms = Date.now() - started;
    return res;
  }

  // ssh2 gets its socket from the endpoint's dialer (budget, cap, deadline).
  const dialled = await opts.dialer.dial(opts.port, opts.timeoutMs);
  if (!dialled.socket) {
    res.error = dialled.code === 'ECANCELED' ? 'the endpoint deadline has passed' : `connect ${dialled.state}`;
    res.ms = Date.now() - started;
    return res;
  }
  const sock = dialled.socket;
  const { Client: Ssh2Client } = await loadSsh2();
  const client = new Ssh2Client();
  client.once('close', () => sock.destroy());
  const connected = await new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (ok: boolean, err?: string) => {
      if (settled) return;
      settled = true;
      if (err && !res.error) res.error = err;
      resolve(ok);
    };
    // Which methods remain to try with the credentials (publickey first, then password).
    const queue: string[] = [];
    let calls = 0;
    client.on('banner', (msg: string) => {
      res.banner = msg.length > 4096 ? `${msg.slice(0, 4096)}…` : msg;
      noteT('server', `USERAUTH_BANNER: ${cut(msg, 1000)}`);
    });
    client.on('ready', () => {
      if (!res.login.attempted) {
        res.noneAccepted = true;
        res.authMethods = res.authMethods ?? ['none'];
        noteT('note', 'server accepted authentication method none');
      }
      res.login.ok = true;
      noteT('note', `logged in${res.login.method ? ` with ${res.login.method}` : ''}`);
      settle(true);
    });
    client.on('error', (err: Error & { level?: string }) => {
      const msg = err.message;
      if (res.login.attempted) res.login.error = msg;
      noteT('note', `ssh2: ${msg}`);
      settle(false, res.authMethods ? undefined : msg);
    });
    client.on('close', () => settle(false, res.authMethods ? undefined : 'connection closed before authentication'));
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
        authHandler: (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
          calls += 1;
          if (calls === 1) {
            noteT('client', `USERAUTH_REQUEST user=${username} method=none`);
            next({ type: 'none', username });
            return;
          }
          if (calls === 2) {
            res.authMethods = [...(methodsLeft ?? [])];
            noteT('server', `USERAUTH_FAILURE methods=${res.authMethods.join(',')}`);
            if (creds) {
              if (creds.privateKey && res.authMethods.includes('publickey')) queue.push('publickey');
              if (creds.password && res.authMethods.includes('password')) queue.push('password');
              if (creds.password && res.authMethods.includes('keyboard-interactive')) queue.push('keyboard-interactive');
            }
          }
          const m = queue.shift();
          if (!m) {
            if (creds && !res.login.attempted)
              res.login.error = `no usable method for the given credentials (server offers ${(res.authMethods ?? []).join(',')})`;
            next(false);
            return;
          }
          res.login.attempted = true;
          res.login.method = m;
          noteT('client', `USERAUTH_REQUEST user=${username} method=${m}`);
          if (m === 'publickey') next({ type: 'publickey', username, key: creds!.privateKey!, passphrase: creds!.passphrase });
          else if (m === 'password') next({ type: 'password', username, password: creds!.password! });
          else {
            next({
              type: 'keyboard-interactive',
              username,
              prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) =>
                finish(prompts.map(() => creds!.password!)),
            });
          }
        },
      } as Parameters<Client['connect']>[0]);
    } catch (err) {
      settle(false, (err as Error).message);
    }
  });

  if (!connected) {
    // "All configured authentication methods failed" after the none attempt is the normal end
    // of an anonymous probe; it is not an error when we learned the methods.
    if (res.authMethods && !creds) res.error = null;
    if (res.authMethods && creds && !res.login.ok) {
      res.error = null;
      res.login.error = res.login.error ?? 'login failed';
    }
    client.end();
    res.ms = Date.now() - started;
    return res;
  }

  if (creds && res.login.ok) {
    const step = Math.max(2000, Math.min(opts.timeoutMs, 8000));
    res.sftp = await withTimeout(probeSftp(client), step, () => ({
      opened: false,
      version: null,
      extensions: {},
      error: 'timed out opening the SFTP subsystem',
    }));
    noteT(
      'note',
      res.sftp.opened
        ? `SFTP subsystem version ${res.sftp.version} extensions ${Object.keys(res.sftp.extensions).join(',')}`
        : `SFTP subsystem: ${res.sftp.error}`,
    );
    const exec = await execOutcome(client, step);
    const ej = judgeExec(exec);
    noteT('note', `exec('id'): ${ej.verdict} — ${ej.detail}`);
    const marker = `XFS_SHELL_${Math.random().toString(36).slice(2, 10)}`;
    const shell = await shellOutcome(client, marker, step);
    const sj = judgeShell(shell, marker);
    noteT('note', `shell(): ${sj.verdict} — ${sj.detail}`);
    const fwdTo = opts.forwardTo ?? { host: '127.0.0.1', port: opts.port };
    const fj = await forwardOutcome(client, fwdTo, step);
    noteT('note', `forwardOut(${fwdTo.host}:${fwdTo.port}): ${fj.verdict} — ${fj.detail}`);
    res.sftpOnly = {
      shell: sj.verdict,
      exec: ej.verdict,
      forwarding: fj.verdict,
      details: { shell: sj.detail, exec: ej.detail, forwarding: fj.detail },
    };
  }
  client.end();
  res.ms = Date.now() - started;
  return res;
}

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

function execOutcome(client: Client, ms: number): Promise<ChannelOutcome> {
  return new Promise((resolve) => {
    try {
      client.exec('id', (err: Error | undefined, ch: ClientChannel) => {
        if (err) {
          resolve({ openError: err.message, stdout: '', stderr: '', exitCode: null, exitSignal: null, closed: true });
          return;
        }
        ch.end();
        void collectChannel(ch, ms).then(resolve);
      });
    } catch (err) {
      resolve({ openError: (err as Error).message, stdout: '', stderr: '', exitCode: null, exitSignal: null, closed: true });
    }
  });
}

function shellOutcome(client: Client, marker: string, ms: number): Promise<ChannelOutcome> {
  return new Promise((resolve) => {
    try {
      client.shell(false, (err: Error | undefined, ch: ClientChannel) => {
        if (err) {
          resolve({ openError: err.message, stdout: '', stderr: '', exitCode: null, exitSignal: null, closed: true });
          return;
        }
        // Split the marker so that an echoing terminal cannot fake it: only a shell joins it.
        const half = Math.floor(marker.length / 2);
        ch.write(`echo "${marker.slice(0, half)}""${marker.slice(half)}"; exit 0\n`);
        ch.end();
        void collectChannel(ch, ms).then(resolve);
      });
    } catch (err) {
      resolve({ openError: (err as Error).message, stdout: '', stderr: '', exitCode: null, exitSignal: null, closed: true });
    }
  });
}

function forwardOutcome(
  client: Client,
  to: { host: string; port: number },
  ms: number,
): Promise<{ verdict: HardeningVerdict; detail: string }> {
  return withTimeout(
    new Promise((resolve) => {
      try {
        client.forwardOut('127.0.0.1', 0, to.host, to.port, (err: (Error & { reason?: unknown }) | undefined, ch: ClientChannel) => {
          if (err) {
            const reason = typeof err.reason === 'number' ? err.reason : null;
            if (reason === 1 || /prohibited/i.test(err.message)) {
              resolve({
                verdict: 'refused',
                detail: `direct-tcpip refused${reason !== null ? ` (reason ${reason})` : ''}: ${err.message}`,
              });
            } else if (reason === 2 || reason === 3) {
              // The server tried to connect: forwarding is permitted, the target was not there.
              resolve({ verdict: 'allowed', detail: `direct-tcpip permitted (server tried to connect, target failed: ${err.message})` });
            } else {
              resolve({ verdict: 'error', detail: `direct-tcpip failed: ${err.message}` });
            }
            return;
          }
          ch.on('error', () => {});
          ch.destroy();
          resolve({ verdict: 'allowed', detail: `direct-tcpip channel to ${to.host}:${to.port} opened` });
        });
      } catch (err) {
        resolve({ verdict: 'error', detail: (err as Error).message });
      }
    }),
    ms,
    () => ({ verdict: 'error' as const, detail: 'timed out waiting for the direct-tcpip answer' }),
  );
}
