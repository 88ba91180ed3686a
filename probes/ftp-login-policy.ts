// Cleartext-login policy and anonymous login. Never sends a real password in cleartext unless
// --allow-cleartext-login: the policy is read from the server's answer to USER before AUTH (a
// made-up name, and the user's name if given) and to a made-up password for the made-up name.
import crypto from 'node:crypto';
import { completed, type ConnectContext, type Probe, type ProbeContext } from '../src/probe.js';
import type { FtpFacts, FtpLoginPolicyProbe, Gap } from '../src/model.js';
import { anonymousRefusedAtUser } from '../src/knowledge/ftp-software.js';
import { ANONYMOUS_PASSWORD, LOGIN_PATIENCE, openSession, tlsModeOf } from '../src/ftp/session.js';
import { asProbeError } from '../src/net/outcomes.js';
import type { FtpReply } from '../src/net/ftp-reply.js';

/** A refusal that names TLS as the reason (vsftpd, ProFTPD, Pure-FTPd, IIS, FileZilla wording). */
export const TLS_REQUIRED_TEXT = /\b(TLS|SSL|encrypt\w*|secur\w*|AUTH|protection|FTPS)\b/i;

const brief = (r: FtpReply) => ({ code: r.code, text: r.text.slice(0, 200) });

/** What a USER (and made-up PASS) exchange before TLS says; the FTP reply codes of RFC 959. */
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

type Observation = { probe: FtpLoginPolicyProbe | null; gap: Gap | null };

async function observeLogin(ctx: ConnectContext, kind: 'random' | 'given', user: string): Promise<Observation> {
  let session;
  try {
    session = await openSession(ctx, { purpose: `login-policy-${kind}`, tls: 'none' });
  } catch (err) {
    const detail = `cleartext-login probe (${kind} user) could not connect: ${asProbeError(err).message}`;
    return { probe: null, gap: { step: 'cleartext-login', reason: 'connection-failed', detail } };
  }
  const { control } = session;
  try {
    const userReply = await control.command(`USER ${user}`, { step: 'cleartext-login' });
    let passReply: FtpReply | null = null;
    if ((userReply.code === 331 || userReply.code === 332) && kind === 'random') {
      // A made-up password for a made-up name: no secret crosses the wire, and the reply tells
      // whether the server would judge real credentials in cleartext.
      passReply = await control.command(`PASS ${crypto.randomBytes(9).toString('base64url')}`, {
        step: 'cleartext-login',
        timeoutMs: ctx.options.timeoutMs * LOGIN_PATIENCE,
      });
    }
    let verdict = judgeUserReply(userReply, passReply);
    const password = ctx.options.credentials?.password;
    if (kind === 'given' && verdict === 'password-requested' && ctx.options.allowCleartextLogin && password !== undefined) {
      passReply = await control.command(`PASS ${password}`, { step: 'cleartext-login', timeoutMs: ctx.options.timeoutMs * LOGIN_PATIENCE });
      verdict = passReply.code === 230 || passReply.code === 202 ? 'accepted' : judgeUserReply(userReply, passReply);
    }
    const probe = { kind, user, userReply: brief(userReply), passReply: passReply ? brief(passReply) : null, verdict, conn: control.conn };
    return { probe, gap: null };
  } catch (err) {
    const detail = `cleartext-login probe (${kind} user) ended early: ${asProbeError(err).message}`;
    return { probe: null, gap: { step: 'cleartext-login', reason: 'connection-failed', detail } };
  } finally {
    await control.quit();
  }
}

export type LoginPolicyResult = Pick<FtpFacts, 'loginPolicy'>;

export const ftpLoginPolicyProbe: Probe<LoginPolicyResult> = {
  id: 'ftp-login-policy',
  description: 'cleartext-login policy (USER before AUTH)',
  // with implicit TLS nothing, not even USER, crosses in cleartext: nothing to probe
  services: ['ftp', 'ftps-explicit'],
  section: 'ftp',
  needs: [],
  // a made-up user and the given user, side by side: servers delay failed logins on purpose
  connections: 2,
  async run(ctx) {
    if (!ctx.detected.ftp || ctx.detected.outcome === 'refused-by-server') return completed({});
    const given = ctx.options.credentials?.user;
    const found = await Promise.all([
      observeLogin(ctx, 'random', `xfs${crypto.randomBytes(4).toString('hex')}`),
      given && given !== 'anonymous' ? observeLogin(ctx, 'given', given) : Promise.resolve(null),
    ]);
    const seen = found.filter((o): o is Observation => o !== null);
    const probes = seen.map((o) => o.probe).filter((p): p is FtpLoginPolicyProbe => p !== null);
    const gaps = seen.map((o) => o.gap).filter((g): g is Gap => g !== null);
    return completed({ loginPolicy: probes }, gaps);
  },
};

export type AnonymousResult = Pick<FtpFacts, 'anonymous'>;

type AnonymousAttempt = { anonymous: NonNullable<FtpFacts['anonymous']>; gaps: Gap[] };

/**
 * Over TLS when the server offers it; when that session dies before USER is answered (a server
 * that demands a client certificate resets it) and the port also speaks cleartext, once more in
 * cleartext: the anonymous password is no secret, and a refusal there is still an answer.
 */
async function tryAnonymous(ctx: ProbeContext): Promise<AnonymousAttempt> {
  const tls = tlsModeOf(ctx.detected);
  const first = await attemptAnonymous(ctx, tls);
  if (tls !== 'explicit' || first.anonymous.userCode !== null) return first;
  const again = await attemptAnonymous(ctx, 'none');
  if (again.anonymous.userCode === null) return first;
  return { anonymous: again.anonymous, gaps: [...first.gaps, ...again.gaps] };
}

async function attemptAnonymous(ctx: ProbeContext, tls: ReturnType<typeof tlsModeOf>): Promise<AnonymousAttempt> {
  const ftp = ctx.detected.ftp;
  let session;
  try {
    session = await openSession(ctx, { purpose: 'anonymous', tls });
  } catch (err) {
    const gap: Gap = {
      step: 'anonymous',
      reason: 'connection-failed',
      detail: `anonymous login could not be tried: ${asProbeError(err).message}`,
    };
    return {
      anonymous: { tried: false, overTls: tls !== 'none', userCode: null, passCode: null, accepted: false, canWrite: null, conn: null },
      gaps: [gap],
    };
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
  const gaps: Gap[] = [];
  try {
    const userReply = await control.command('USER anonymous', { step: 'anonymous' });
    result.userCode = userReply.code;
    let passReply: FtpReply | null = null;
    const settled = anonymousRefusedAtUser([...(ftp?.greeting ?? []), ...(ftp?.syst ? [ftp.syst] : [])], userReply.code);
    if (settled) {
      result.decidedBy = settled;
      ctx.transcript.note(control.conn, settled, 'anonymous');
    } else if (userReply.code === 331) {
      // Servers delay failed logins on purpose (Pure-FTPd, ProFTPD mod_delay): allow for it.
      passReply = await control.command(`PASS ${ANONYMOUS_PASSWORD}`, {
        step: 'anonymous',
        timeoutMs: ctx.options.timeoutMs * LOGIN_PATIENCE,
      });
    }
    result.passCode = passReply?.code ?? null;
    result.accepted = userReply.code === 230 || passReply?.code === 230;
  } catch (err) {
    gaps.push({
      step: 'anonymous',
      reason: 'connection-failed',
      detail: `anonymous login attempt ended early: ${asProbeError(err).message}`,
    });
  } finally {
    await control.quit();
  }
  return { anonymous: result, gaps };
}

export const ftpAnonymousProbe: Probe<AnonymousResult> = {
  id: 'ftp-anonymous',
  description: 'anonymous login',
  services: ['ftp', 'ftps-explicit', 'ftps-implicit'],
  section: 'ftp',
  needs: [],
  connections: 1,
  async run(ctx) {
    if (!ctx.detected.ftp || ctx.detected.outcome === 'refused-by-server') return completed({});
    const { anonymous, gaps } = await tryAnonymous(ctx);
    return completed({ anonymous }, gaps);
  },
};
