// Opening FTP sessions for the probes: connect (through the probe's dialer), greeting (with
// back-off on 421), TLS the way the endpoint speaks it (explicit AUTH TLS, implicit, or none),
// and login.
import type { SecureVersion } from 'node:tls';
import type { ConnectContext, Detected } from '../probe.js';
import { FtpControl } from '../net/ftp-control.js';
import { ProbeError, asProbeError } from '../net/outcomes.js';
import type { FtpReply } from '../net/ftp-reply.js';

/** Back-off before retrying a connection the server refused with 421 (too many connections). */
export const RETRY_421_DELAYS_MS = [500, 1500];

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the endpoint's control channel speaks TLS, from what detection found. */
export function tlsModeOf(detected: Pick<Detected, 'service' | 'tlsNegotiated'>): TlsMode {
  if (detected.service === 'ftps-implicit') return 'implicit';
  if (detected.service === 'ftps-explicit' && detected.tlsNegotiated) return 'explicit';
  return 'none';
}

/** Connects and reads the greeting; retries on 421. Throws ProbeError when it cannot. */
export async function openSession(ctx: ConnectContext, plan: SessionPlan): Promise<Session> {
  const { address, target, options, transcript } = ctx;
  for (let attempt = 0; ; attempt++) {
    const conn = transcript.conn(plan.purpose);
    const d = await ctx.dialer.dial(target.port, options.timeoutMs, plan.cleanup ? { cleanup: true } : {});
    transcript.note(conn, `TCP ${address}:${target.port} ${d.state} after ${d.ms} ms${d.code ? ` (${d.code})` : ''}`, 'connect');
    if (!d.socket) throw new ProbeError(d.state, `TCP connect: ${d.state}`);
    const control = new FtpControl(d.socket, transcript, conn, options.timeoutMs);
    try {
      const pin = {
        ...(plan.tlsVersion ? { minVersion: plan.tlsVersion, maxVersion: plan.tlsVersion } : {}),
        clientCert: options.clientCert?.tlsOptions,
      };
      if (plan.tls === 'implicit') await control.upgradeToTls({ host: target.host, ...pin, step: 'implicit-tls' });
      const greeting = await control.readReply(undefined, undefined, 'greeting');
      if (greeting.code === 421 && attempt < RETRY_421_DELAYS_MS.length) {
        control.close();
        transcript.note(conn, `421 from server; retrying in ${RETRY_421_DELAYS_MS[attempt]} ms`, 'greeting');
        await sleep(RETRY_421_DELAYS_MS[attempt]!);
        continue;
      }
      if (greeting.code !== 220)
        throw new ProbeError('refused-by-server', `server greeted with ${greeting.code}: ${greeting.text.slice(0, 160)}`);
      let authReply: FtpReply | null = null;
      if (plan.tls === 'explicit') {
        authReply = await control.command('AUTH TLS', { step: 'auth-tls' });
        if (authReply.code !== 234)
          throw new ProbeError('refused-by-server', `AUTH TLS refused: ${authReply.code} ${authReply.text.slice(0, 160)}`);
        await control.upgradeToTls({ host: target.host, ...pin, step: 'auth-tls' });
      }
      return { control, greeting, authReply };
    } catch (err) {
      control.close();
      throw asProbeError(err);
    }
  }
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
