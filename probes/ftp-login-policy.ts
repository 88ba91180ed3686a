// Cleartext-login policy and anonymous login. Never sends a real password in cleartext unless
// --allow-cleartext-login: the policy is read from the server's answer to USER before AUTH (a
// made-up name, and the user's name if given) and to a made-up password for the made-up name.
import crypto from 'node:crypto';
import type { Probe, ProbeContext } from '../src/probe.js';
import type { FtpFacts, FtpLoginPolicyProbe } from '../src/model.js';
import { anonymousRefusedAtUser } from '../src/knowledge/ftp-software.js';
import { ANONYMOUS_PASSWORD, openSession, tlsModeOf } from '../src/ftp/session.js';
import { asProbeError } from '../src/net/errors.js';
import type { FtpReply } from '../src/net/ftp-reply.js';

/** A refusal that names TLS as the reason (vsftpd, ProFTPD, Pure-FTPd, IIS, FileZilla wording). */
export const TLS_REQUIRED_TEXT = /\b(TLS|SSL|encrypt|secure|AUTH|protection|FTPS)\b/i;

/** How many timeouts a PASS reply may take: servers slow down failed logins deliberately. */
export const LOGIN_PATIENCE = 3;

const brief = (r: FtpReply) => ({ code: r.code, text: r.text.slice(0, 200) });

export function judgeUserReply(userReply: FtpReply, passReply: FtpReply | null): FtpLoginPolicyProbe['verdict'] {
  if (userReply.code === 230) return 'accepted';
  if (userReply.code !== 331 && userReply.code !== 332) return userReply.code >= 400 ? 'refused' : 'unknown';
  if (!passReply) return 'password-requested';
  if (passReply.code === 230 || passReply.code === 202) return 'accepted';
  if (passReply.code >= 500 && TLS_REQUIRED_TEXT.test(passReply.text)) return 'refused-at-password';
  if (passReply.code === 534 || passReply.code === 521) return 'refused-at-password';
  // 530 "Login incorrect": the server judged the made-up credentials, in cleartext.
  return 'password-requested';
}

async function policyProbe(ctx: ProbeContext, kind: 'random' | 'given', user: string): Promise<FtpLoginPolicyProbe | null> {
  const ftp = ctx.endpoint.ftp!;
  let session;
  try {
    session = await openSession(ctx, { purpose: `login-policy-${kind}`, tls: 'none' });
  } catch (err) {
    (ftp.notes ??= []).push(`cleartext-login probe (${kind} user) could not connect: ${asProbeError(err).message}`);
    return null;
  }
  const { control } = session;
  try {
    const userReply = await control.command(`USER ${user}`);
    let passReply: FtpReply | null = null;
    if ((userReply.code === 331 || userReply.code === 332) && kind === 'random') {
      // A made-up password for a made-up name: no secret crosses the wire, and the reply tells
      // whether the server would judge real credentials in cleartext.
      passReply = await control.command(`PASS ${crypto.randomBytes(9).toString('base64url')}`, ctx.options.timeoutMs * LOGIN_PATIENCE);
    }
    let verdict = judgeUserReply(userReply, passReply);
    if (
      kind === 'given' &&
      verdict === 'password-requested' &&
      ctx.options.allowCleartextLogin &&
      ctx.options.credentials?.password !== undefined
    ) {
      passReply = await control.command(`PASS ${ctx.options.credentials.password}`, ctx.options.timeoutMs * LOGIN_PATIENCE);
      verdict = passReply.code === 230 || passReply.code === 202 ? 'accepted' : judgeUserReply(userReply, passReply);
    }
    return { kind, user, userReply: brief(userReply), passReply: passReply ? brief(passReply) : null, verdict, conn: control.conn };
  } catch (err) {
    (ftp.notes ??= []).push(`cleartext-login probe (${kind} user) ended early: ${asProbeError(err).message}`);
    return null;
  } finally {
    await control.quit();
  }
}

async function anonymousProbe(ctx: ProbeContext): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const tls = tlsModeOf(ctx);
  let session;
  try {
    session = await openSession(ctx, { purpose: 'anonymous', tls });
  } catch (err) {
    ftp.anonymous = { tried: false, overTls: tls !== 'none', userCode: null, passCode: null, accepted: false, canWrite: null, conn: null };
    (ftp.notes ??= []).push(`anonymous login could not be tried: ${asProbeError(err).message}`);
    return;
  }
  const { control } = session;
  const result: NonNullable<FtpFacts['anonymous']> = {
    tried: true,
    overTls: tls !== 'none',
    userCode: null,
    passCode: null,
    accepted: false,
    canWrite: null,
    conn: control.conn,
  };
  ftp.anonymous = result;
  try {
    const userReply = await control.command('USER anonymous');
    result.userCode = userReply.code;
    let passReply: FtpReply | null = null;
    const settled = anonymousRefusedAtUser([...(ftp.greeting ?? []), ...(ftp.syst ? [ftp.syst] : [])], userReply.code);
    if (settled) {
      result.decidedBy = settled;
      ctx.transcript.note(control.conn, settled);
    } else if (userReply.code === 331) {
      // Servers delay failed logins on purpose (Pure-FTPd, ProFTPD mod_delay): allow for it.
      passReply = await control.command(`PASS ${ANONYMOUS_PASSWORD}`, ctx.options.timeoutMs * LOGIN_PATIENCE);
    }
    result.passCode = passReply?.code ?? null;
    result.accepted = userReply.code === 230 || passReply?.code === 230;
    ftp.anonymousLogin = result.accepted;
  } catch (err) {
    (ftp.notes ??= []).push(`anonymous login attempt ended early: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
}

export const ftpLoginPolicyProbe: Probe = {
  id: 'ftp-login-policy',
  description: 'cleartext-login policy (USER before AUTH) and anonymous login',
  services: ['ftp', 'ftps-explicit', 'ftps-implicit'],
  produces: ['ftp.loginPolicy', 'ftp.cleartextLogin', 'ftp.anonymousLogin', 'ftp.anonymous'],
  maxConnections: 1,
  concurrent: true,
  async run(ctx) {
    const ep = ctx.endpoint;
    if (!ep.ftp || ep.outcome === 'refused-by-server') return;
    // Three independent connections, side by side: servers delay failed logins on purpose
    // (Pure-FTPd several seconds), and the channel probe only waits for the anonymous verdict.
    const anonymous = anonymousProbe(ctx);
    ctx.scratch.anonymousDone = anonymous;
    if (ep.service !== 'ftps-implicit') {
      const given = ctx.options.credentials?.user;
      const found = await Promise.all([
        policyProbe(ctx, 'random', `xfs${crypto.randomBytes(4).toString('hex')}`),
        given && given !== 'anonymous' ? policyProbe(ctx, 'given', given) : Promise.resolve(null),
      ]);
      const probes = found.filter((p): p is FtpLoginPolicyProbe => p !== null);
      ep.ftp.loginPolicy = probes;
      if (probes.length > 0) {
        ep.ftp.cleartextLogin = probes.some((p) => p.verdict === 'password-requested' || p.verdict === 'accepted');
      }
    } else {
      // TLS from the first byte: nothing, not even USER, crosses in cleartext.
      ep.ftp.cleartextLogin = false;
    }
    await anonymous;
  },
};
