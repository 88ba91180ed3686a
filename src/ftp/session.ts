// Opening FTP sessions for the probes: connect (through the probe's dialer), greeting (with
// back-off on 421), TLS the way the endpoint speaks it (explicit AUTH TLS, implicit, or none),
// and login.
import type { SecureVersion } from 'node:tls';
import type { ConnectContext, Detected } from '../probe.js';
import { FtpControl } from '../net/ftp-control.js';
import { ProbeError, asProbeError } from '../net/outcomes.js';
import { greetingRefusal, type FtpReply } from '../net/ftp-reply.js';

export type TlsMode = 'none' | 'explicit' | 'implicit';

export interface SessionPlan {
  purpose: string;
  tls: TlsMode;
  /** pin the TLS version (e.g. TLSv1.2 to test session resumption on 1.2 separately) */
  tlsVersion?: SecureVersion;
  /** the write test's clean-up: may dial even after the scan was interrupted */
  cleanup?: boolean;
}

export interface Session {
  control: FtpControl;
  greeting: FtpReply;
  /** the reply to AUTH TLS, when explicit */
  authReply: FtpReply | null;
}

/** How the endpoint's control channel speaks TLS, from what detection found. */
export function tlsModeOf(detected: Pick<Detected, 'service' | 'tlsNegotiated'>): TlsMode {
  if (detected.service === 'ftps-implicit') return 'implicit';
  if (detected.service === 'ftps-explicit' && detected.tlsNegotiated) return 'explicit';
  return 'none';
}

/** Connects and reads the greeting; backs off and retries when the server turns us away. Throws ProbeError when it cannot. */
export async function openSession(ctx: ConnectContext, plan: SessionPlan): Promise<Session> {
  for (let attempt = 0; ; attempt++) {
    const r = await openOnce(ctx, plan);
    if ('session' in r) return r.session;
    // 421 or a close before the greeting: the server limiting us (per-IP limits, penalties)
    if (!(await ctx.dialer.throttle.backoff(ctx.target.port, r.kind, r.detail, attempt))) throw r.error;
    ctx.transcript.note(ctx.transcript.conn(plan.purpose), `${r.detail}; the server may be limiting this source: tried again`, 'greeting');
  }
}

type Opened =
  | { session: Session }
  | { kind: 'ftp-421' | 'ftp-refused-greeting' | 'closed-before-greeting' | 'reset-before-greeting'; detail: string; error: ProbeError };

async function openOnce(ctx: ConnectContext, plan: SessionPlan): Promise<Opened> {
  const { address, target, options, transcript } = ctx;
  const conn = transcript.conn(plan.purpose);
  const d = await ctx.dialer.dial(target.port, options.timeoutMs, plan.cleanup ? { cleanup: true } : {});
  transcript.note(conn, `TCP ${address}:${target.port} ${d.state} after ${d.ms} ms${d.code ? ` (${d.code})` : ''}`, 'connect');
  if (!d.socket) throw new ProbeError(d.state, `TCP connect: ${d.state}`);
  const control = new FtpControl(d.socket, transcript, conn, options.timeoutMs);
  let greeted = false;
  try {
    const pin = {
      ...(plan.tlsVersion ? { minVersion: plan.tlsVersion, maxVersion: plan.tlsVersion } : {}),
      clientCert: options.clientCert?.tlsOptions,
    };
    if (plan.tls === 'implicit') await control.upgradeToTls({ host: target.host, ...pin, step: 'implicit-tls' });
    const greeting = await control.readReply(undefined, undefined, 'greeting');
    greeted = true;
    const refusal = greetingRefusal(greeting.code);
    if (refusal) {
      control.close();
      const detail = `server greeted with ${greeting.code}: ${greeting.text.slice(0, 160)}`;
      return { kind: refusal, detail, error: new ProbeError('refused-by-server', detail) };
    }
    if (greeting.code !== 220)
      throw new ProbeError('refused-by-server', `server greeted with ${greeting.code}: ${greeting.text.slice(0, 160)}`);
    return { session: { control, greeting, authReply: await startTls(ctx, control, plan, pin) } };
  } catch (err) {
    control.close();
    const e = asProbeError(err);
    const refusal = greeted || plan.tls === 'implicit' ? null : refusalBeforeGreeting(e);
    if (refusal) return { kind: refusal, detail: e.message, error: e };
    throw e;
  }
}

/** A connection closed or reset before any greeting: how servers drop connections over their limit. */
function refusalBeforeGreeting(e: ProbeError): 'closed-before-greeting' | 'reset-before-greeting' | null {
  if (/reset the connection/.test(e.message)) return 'reset-before-greeting';
  if (/connection closed by the server/.test(e.message)) return 'closed-before-greeting';
  return null;
}

async function startTls(ctx: ConnectContext, control: FtpControl, plan: SessionPlan, pin: object): Promise<FtpReply | null> {
  if (plan.tls !== 'explicit') return null;
  const authReply = await control.command('AUTH TLS', { step: 'auth-tls' });
  if (authReply.code !== 234)
    throw new ProbeError('refused-by-server', `AUTH TLS refused: ${authReply.code} ${authReply.text.slice(0, 160)}`);
  await control.upgradeToTls({ host: ctx.target.host, ...pin, step: 'auth-tls' });
  return authReply;
}

export interface LoginResult {
  ok: boolean;
  userReply: FtpReply;
  passReply: FtpReply | null;
}

/** USER, then PASS when asked for one (the password is redacted in the transcript). */
export async function login(control: FtpControl, user: string, password: string, passTimeoutMs?: number): Promise<LoginResult> {
  const userReply = await control.command(`USER ${user}`, { step: 'login' });
  if (userReply.code === 230) return { ok: true, userReply, passReply: null };
  if (userReply.code !== 331 && userReply.code !== 332) return { ok: false, userReply, passReply: null };
  const passReply = await control.command(`PASS ${password}`, { step: 'login', timeoutMs: passTimeoutMs });
  return { ok: passReply.code === 230 || passReply.code === 202, userReply, passReply };
}

/** The password used for anonymous logins: an address that is plainly not a real mailbox. */
export const ANONYMOUS_PASSWORD = 'xferscan@example.invalid';

/** How many timeouts a PASS reply may take: servers slow down failed logins deliberately. */
export const LOGIN_PATIENCE = 3;
