// The FTP/FTPS channel probe: PBSZ/PROT, login, real data channels (passive and, with --active,
// active) under PROT P and PROT C, TLS session reuse per TLS version, passive-port sampling,
// FTP bounce, --write-test, and CCC — judged later by what actually happened on the wire.
import type { Probe, ProbeContext } from '../src/probe.js';
import { ANONYMOUS_PASSWORD, login, openSession, tlsModeOf, type Session } from '../src/ftp/session.js';
import { LOGIN_PATIENCE } from './ftp-login-policy.js';
import { bounceTest, cccTest, ftpNote, recorded, runTransfer, samplePassive, writeTest } from '../src/ftp/experiments.js';
import type { SecureVersion } from 'node:tls';
import { asProbeError } from '../src/net/errors.js';
import type { DataMode } from '../src/net/ftp-data.js';
import type { FtpControl } from '../src/net/ftp-control.js';

/** Two thirds PASV (its address matters), one third EPSV. */
function passiveSampleCounts(n = 6): { PASV: number; EPSV: number } {
  return { PASV: Math.ceil((n * 2) / 3), EPSV: Math.floor(n / 3) };
}

type Who = { user: string; password: string; anonymous: boolean };

/** Waits for the anonymous verdict when it decides whom to log in as (no usable credentials). */
async function anonymousVerdict(ctx: ProbeContext, overTls: boolean): Promise<void> {
  const creds = ctx.options.credentials;
  const usable = creds && creds.password !== undefined && (overTls || ctx.options.allowCleartextLogin);
  if (!usable) await ctx.scratch.anonymousDone;
}

/** Whom to log in as: the user's credentials (never in cleartext unless allowed), else anonymous. */
function chooseLogin(ctx: ProbeContext, overTls: boolean): Who | null {
  const creds = ctx.options.credentials;
  const ftp = ctx.endpoint.ftp!;
  if (creds && creds.password !== undefined) {
    if (overTls || ctx.options.allowCleartextLogin) return { user: creds.user, password: creds.password, anonymous: false };
    ftpNote(ftp, `not sending ${creds.user}'s password over cleartext FTP (use --allow-cleartext-login to allow it)`);
  }
  if (ftp.anonymousLogin) return { user: 'anonymous', password: ANONYMOUS_PASSWORD, anonymous: true };
  return null;
}

async function doLogin(ctx: ProbeContext, control: FtpControl, who: Who | null, record = true): Promise<boolean> {
  const ftp = ctx.endpoint.ftp!;
  const patience = ctx.options.timeoutMs * LOGIN_PATIENCE;
  if (!record) return who ? (await login(control, who.user, who.password, patience)).ok : false;
  if (!who) {
    ftpNote(
      ftp,
      'no login: data channels, PROT C, bounce and CCC need --user with --password-env/--password-file, or a server that allows anonymous login',
    );
    return false;
  }
  try {
    const r = await login(control, who.user, who.password, patience);
    ftp.login = {
      user: who.anonymous ? 'anonymous' : who.user,
      anonymous: who.anonymous,
      ok: r.ok,
      code: (r.passReply ?? r.userReply).code,
      overTls: !!control.tls,
      error: r.ok ? null : (r.passReply ?? r.userReply).text.slice(0, 200),
    };
    return r.ok;
  } catch (err) {
    ftp.login = {
      user: who.anonymous ? 'anonymous' : who.user,
      anonymous: who.anonymous,
      ok: false,
      code: null,
      overTls: !!control.tls,
      error: asProbeError(err).message,
    };
    return false;
  }
}

/** PBSZ 0, PROT C, PROT P (RFC 4217 order); returns the PROT C and PROT P reply codes. */
async function protectionCommands(
  ctx: ProbeContext,
  control: FtpControl,
  loggedIn: boolean,
): Promise<{ c: number; p: number; needLogin: boolean }> {
  const ftp = ctx.endpoint.ftp!;
  const pbsz = await recorded(ctx, control, 'PBSZ 0', loggedIn);
  const c = await recorded(ctx, control, 'PROT C', loggedIn);
  const p = await recorded(ctx, control, 'PROT P', loggedIn);
  const needLogin = [pbsz, c, p].some((r) => r.code === 530);
  if (!needLogin) {
    ftp.pbsz = pbsz.code === 200;
    ftp.protP = p.code === 200;
    // Reply-level only for now; a real PROT C transfer below decides.
    ftp.protC = c.code === 200;
  }
  return { c: c.code, p: p.code, needLogin };
}

/** Modes to test: passive always; active with --active. EPSV first (no address to mangle). */
function modes(ctx: ProbeContext): DataMode[] {
  return ctx.options.active ? ['EPSV', 'PASV', 'EPRT', 'PORT'] : ['EPSV', 'PASV'];
}

async function mainSession(ctx: ProbeContext): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const tls = tlsModeOf(ctx);
  let session: Session;
  try {
    session = await openSession(ctx, { purpose: 'ftp-main', tls });
  } catch (err) {
    ftpNote(ftp, `main FTP session could not be opened: ${asProbeError(err).message}`);
    return;
  }
  const { control } = session;
  try {
    let prot = tls !== 'none' ? await protectionCommands(ctx, control, false) : null;
    await anonymousVerdict(ctx, tls !== 'none');
    const loggedIn = await doLogin(ctx, control, chooseLogin(ctx, tls !== 'none'));
    if (prot?.needLogin && loggedIn) prot = await protectionCommands(ctx, control, true);
    if (loggedIn) {
      const protections: ('P' | 'C')[] = tls === 'none' ? ['C'] : prot && prot.c === 200 ? ['P', 'C'] : ['P'];
      for (const protection of protections) {
        if (tls !== 'none') await recorded(ctx, control, `PROT ${protection}`, true);
        for (const mode of modes(ctx)) await runTransfer(ctx, control, mode, protection, true);
      }
      if (tls !== 'none') {
        // What PROT C really allows is decided by the transfers, not the 200 reply.
        const clear = ftp.dataChannels.filter((d) => d.protection === 'C');
        if (clear.length > 0) ftp.protC = clear.some((d) => d.ok);
        await recorded(ctx, control, 'PROT P', true);
      }
      await samplePassive(ctx, control, passiveSampleCounts(ctx.options.passiveSamples));
      await bounceTest(ctx, control);
      if (ctx.options.writeTest) {
        const good = ftp.dataChannels.find((d) => d.ok && (d.mode === 'EPSV' || d.mode === 'PASV'));
        if (good) {
          await writeTest(ctx, control, good.mode, good.protection);
          if (ftp.login?.anonymous && ftp.anonymous) ftp.anonymous.canWrite = ftp.writeTest?.uploaded ?? null;
        } else ftpNote(ftp, '--write-test skipped: no data channel worked');
      }
    } else if (ftp.passiveSamples === undefined) {
      // Some servers hand out passive ports before login; most answer 530.
      await samplePassive(ctx, control, { PASV: 1, EPSV: 0 });
    }
    if (tls === 'explicit') await cccTest(ctx, control, loggedIn);
  } catch (err) {
    ftpNote(ftp, `main FTP session ended early: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
}

/**
 * Does the data connection have to resume the control session? For each TLS version the server
 * speaks (1.3 and 1.2 apart: tickets are single-use in 1.3), one session lists without resuming
 * and another with resuming. Separate sessions: vsftpd ends the session after a refused one.
 */
async function reuseExperiments(ctx: ProbeContext): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const main = ftp.dataChannels.find((d) => d.protection === 'P' && d.controlTlsVersion)?.controlTlsVersion;
  if (!main || !ftp.login?.ok) return;
  const versions = (main === 'TLSv1.3' ? ['TLSv1.3', 'TLSv1.2'] : [main]) as SecureVersion[];
  for (const version of versions) {
    const without = await reuseRun(ctx, version, false);
    if (!without) continue;
    const withReuse = !without.ok || without.tls?.resumed === false ? await reuseRun(ctx, version, true) : null;
    (ftp.sessionReuse ??= {})[version as 'TLSv1.2' | 'TLSv1.3'] = {
      withoutReuse: { ok: without.ok, code: without.endReply?.code ?? without.startReply?.code ?? null, error: without.error },
      withReuse: withReuse
        ? {
            ok: withReuse.ok,
            code: withReuse.endReply?.code ?? withReuse.startReply?.code ?? null,
            resumed: withReuse.tls?.resumed ?? null,
            error: withReuse.error,
          }
        : null,
    };
  }
}

async function reuseRun(ctx: ProbeContext, version: SecureVersion, reuse: boolean) {
  const ftp = ctx.endpoint.ftp!;
  let session: Session;
  try {
    session = await openSession(ctx, {
      purpose: `reuse-${version}-${reuse ? 'with' : 'without'}`,
      tls: tlsModeOf(ctx),
      tlsVersion: version,
    });
  } catch (err) {
    ftpNote(ftp, `session-reuse test on ${version}: ${asProbeError(err).message}`);
    return null;
  }
  const { control } = session;
  try {
    if (!(await doLogin(ctx, control, chooseLogin(ctx, true), false))) return null;
    await recorded(ctx, control, 'PBSZ 0', true);
    await recorded(ctx, control, 'PROT P', true);
    // A server that refuses a data connection may wait for us to hang up first (vsftpd on TLS
    // 1.2): a short stall limit keeps the experiment quick.
    return await runTransfer(ctx, control, 'EPSV', 'P', reuse, Math.min(ctx.options.timeoutMs, 1500));
  } catch (err) {
    ftpNote(ftp, `session-reuse test on ${version} ended early: ${asProbeError(err).message}`);
    return null;
  } finally {
    await control.quit();
  }
}

/**
 * FTP-ALG-REWRITE needs a PASV reply over a cleartext control channel too: a firewall helper
 * can rewrite it there but not inside TLS. Only with a login that may go in cleartext.
 */
async function cleartextPassiveSample(ctx: ProbeContext): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  if (ctx.endpoint.service !== 'ftps-explicit' || !(ftp.passiveSamples ?? []).some((s) => s.channel === 'tls' && s.advertisedAddress))
    return;
  await anonymousVerdict(ctx, false);
  const who = chooseLogin(ctx, false);
  if (!who) return;
  let session: Session;
  try {
    session = await openSession(ctx, { purpose: 'pasv-cleartext', tls: 'none' });
  } catch (err) {
    ftpNote(ftp, `cleartext PASV sample: ${asProbeError(err).message}`);
    return;
  }
  const { control } = session;
  try {
    if (await doLogin(ctx, control, who, false)) await samplePassive(ctx, control, { PASV: 1, EPSV: 0 });
    else ftpNote(ftp, 'cleartext PASV sample: the server refused a cleartext login');
  } catch (err) {
    ftpNote(ftp, `cleartext PASV sample ended early: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
}

/** Reuse is required when listings fail without resumption and work with it, on some version. */
function concludeReuse(ctx: ProbeContext): void {
  const ftp = ctx.endpoint.ftp!;
  const runs = Object.values(ftp.sessionReuse ?? {});
  if (runs.length === 0) return;
  if (runs.some((r) => !r.withoutReuse.ok && r.withReuse?.ok)) ftp.sessionReuseRequired = true;
  else if (runs.some((r) => r.withoutReuse.ok)) ftp.sessionReuseRequired = false;
}

export const ftpChannelsProbe: Probe = {
  id: 'ftp-channels',
  description: 'PBSZ/PROT, data channels, TLS session reuse, passive ports, bounce, CCC, write test',
  services: ['ftp', 'ftps-explicit', 'ftps-implicit'],
  produces: [
    'ftp.pbsz',
    'ftp.protP',
    'ftp.protC',
    'ftp.ccc',
    'ftp.dataChannels',
    'ftp.sessionReuseRequired',
    'ftp.passivePortsSeen',
    'ftp.bounce',
    'ftp.writeTest',
  ],
  maxConnections: 2,
  async run(ctx) {
    const ep = ctx.endpoint;
    if (!ep.ftp || ep.outcome === 'refused-by-server') return;
    await mainSession(ctx);
    if (tlsModeOf(ctx) !== 'none') await reuseExperiments(ctx);
    await cleartextPassiveSample(ctx);
    concludeReuse(ctx);
    const dc = ep.ftp.dataChannels.find((d) => d.ok && d.tls);
    if (ep.tls && dc?.tls)
      ep.tls.dataChannel = { protocol: dc.tls.protocol, cipher: dc.tls.cipher, fingerprintSha256: dc.tls.fingerprintSha256 };
  },
};
