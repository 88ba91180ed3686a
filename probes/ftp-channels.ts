// The FTP/FTPS channel probe: PBSZ/PROT, login, real data channels (passive and, with --active,
// active) under PROT P and PROT C, TLS session reuse per TLS version, passive-port sampling,
// FTP bounce, --write-test, and CCC — judged later by what actually happened on the wire.
import { isIPv6 } from 'node:net';
import type { SecureVersion } from 'node:tls';
import { completed, type Probe, type ProbeContext } from '../src/probe.js';
import { ANONYMOUS_PASSWORD, LOGIN_PATIENCE, login, openSession, tlsModeOf, type Session, type TlsMode } from '../src/ftp/session.js';
import {
  bounceTest,
  cccTest,
  gap,
  recorded,
  runTransfer,
  samplePassive,
  writeTest,
  type ChannelRun,
  type ChannelsResult,
} from '../src/ftp/experiments.js';
import { asProbeError } from '../src/net/outcomes.js';
import type { DataMode, DataResult } from '../src/net/ftp-data.js';
import type { FtpControl } from '../src/net/ftp-control.js';
import type { AnonymousResult } from './ftp-login-policy.js';
import { anonymousLoginWorks } from '../src/derive/ftp.js';

export type { ChannelsResult } from '../src/ftp/experiments.js';

/** Replies that mean "not now" (not logged in, bad sequence of commands), not "no". */
const SEQUENCE_ERRORS = [530, 503];

/** Two thirds PASV (its address matters), one third EPSV. */
function passiveSampleCounts(n = 6): { PASV: number; EPSV: number } {
  return { PASV: Math.ceil((n * 2) / 3), EPSV: Math.floor(n / 3) };
}

type Who = { user: string; password: string; anonymous: boolean };

interface Run extends ChannelRun {
  /** settles with whether anonymous login works (the ftp-anonymous probe) */
  anonymous: Promise<boolean>;
  tls: TlsMode;
}

/** Whether the user's credentials may be used on a channel (never a password in cleartext unless allowed). */
function credentialsUsable(ctx: ProbeContext, overTls: boolean): boolean {
  const creds = ctx.options.credentials;
  return !!creds && creds.password !== undefined && (overTls || ctx.options.allowCleartextLogin);
}

/** Whom to log in as: the user's credentials (never in cleartext unless allowed), else anonymous. */
async function chooseLogin(run: Run, overTls: boolean, record = true): Promise<Who | null> {
  const creds = run.ctx.options.credentials;
  if (creds && creds.password !== undefined) {
    if (credentialsUsable(run.ctx, overTls)) return { user: creds.user, password: creds.password, anonymous: false };
    if (record)
      gap(run, 'login', 'withheld', `not sending ${creds.user}'s password over cleartext FTP (use --allow-cleartext-login to allow it)`);
  }
  // The anonymous verdict decides only when our own credentials cannot be used: wait for it then.
  if (await run.anonymous) return { user: 'anonymous', password: ANONYMOUS_PASSWORD, anonymous: true };
  return null;
}

async function doLogin(run: Run, control: FtpControl, who: Who | null): Promise<boolean> {
  const patience = run.ctx.options.timeoutMs * LOGIN_PATIENCE;
  if (!who) {
    gap(
      run,
      'login',
      'needs-login',
      'no login: data channels, PROT C, bounce and CCC need --user with --password-env/--password-file, or a server that allows anonymous login',
    );
    return false;
  }
  const user = who.anonymous ? 'anonymous' : who.user;
  try {
    const r = await login(control, who.user, who.password, patience);
    const last = r.passReply ?? r.userReply;
    run.out.login = {
      user,
      anonymous: who.anonymous,
      ok: r.ok,
      code: last.code,
      overTls: !!control.tls,
      error: r.ok ? null : last.text.slice(0, 200),
    };
    return r.ok;
  } catch (err) {
    run.out.login = { user, anonymous: who.anonymous, ok: false, code: null, overTls: !!control.tls, error: asProbeError(err).message };
    return false;
  }
}

/**
 * PBSZ 0, PROT C, PROT P (RFC 4217 order); says whether the server wants a login first: 530 (not
 * logged in) and 503 (bad sequence) are sequence errors, not refusals — sent again after login.
 */
async function protectionCommands(run: Run, control: FtpControl, loggedIn: boolean): Promise<{ c: number; needLogin: boolean }> {
  const pbsz = await recorded(run, control, 'PBSZ 0', loggedIn, 'pbsz');
  const c = await recorded(run, control, 'PROT C', loggedIn, 'prot-c');
  const p = await recorded(run, control, 'PROT P', loggedIn, 'prot-p');
  return { c: c.code, needLogin: [pbsz, c, p].some((r) => SEQUENCE_ERRORS.includes(r.code)) };
}

/** Modes to test: passive always; active with --active, never through a proxy. EPSV first (no address to mangle). */
function modes(ctx: ProbeContext): DataMode[] {
  if (!ctx.options.active || ctx.dialer.proxy) return ['EPSV', 'PASV'];
  // PORT can only name an IPv4 address (RFC 2428): on IPv6 it is not sent (activeOnIpv6 says so)
  return isIPv6(ctx.address) ? ['EPSV', 'PASV', 'EPRT'] : ['EPSV', 'PASV', 'EPRT', 'PORT'];
}

function activeOnIpv6(run: Run): void {
  if (run.ctx.options.active && !run.ctx.dialer.proxy && isIPv6(run.ctx.address))
    gap(
      run,
      'port',
      'unsupported',
      'PORT not sent: on IPv6 it cannot name our address (RFC 2428 replaces it with EPRT); active mode tested with EPRT',
    );
}

/** Through a proxy the server cannot connect back to us: active mode is untestable, said so. */
function activeThroughProxy(run: Run): void {
  const proxy = run.ctx.dialer.proxy;
  if (!proxy) return;
  const why = `active mode (PORT/EPRT) untestable through the proxy ${proxy}: the server would have to connect to us, and a proxy carries only our outgoing connections`;
  gap(run, 'port', 'unsupported', why);
  gap(run, 'eprt', 'unsupported', why);
}

/** Listings under each protection level the server allows, then what else a logged-in session shows. */
async function loggedInExperiments(run: Run, control: FtpControl, protC: number | null): Promise<void> {
  const { ctx, tls } = run;
  const protections: ('P' | 'C')[] = tls === 'none' ? ['C'] : protC === 200 ? ['P', 'C'] : ['P'];
  activeThroughProxy(run);
  activeOnIpv6(run);
  for (const protection of protections) {
    if (tls !== 'none') await recorded(run, control, `PROT ${protection}`, true, 'transfer');
    for (const mode of modes(ctx)) await runTransfer(run, control, mode, protection, true);
  }
  if (tls !== 'none') await recorded(run, control, 'PROT P', true, 'transfer');
  await samplePassive(run, control, passiveSampleCounts(ctx.options.passiveSamples));
  await bounceTest(run, control);
  if (!ctx.options.writeTest) return;
  const good = run.out.dataChannels.find((d) => d.ok && (d.mode === 'EPSV' || d.mode === 'PASV'));
  if (good) await writeTest(run, control, good.mode, good.protection);
  else gap(run, 'write-test', 'error', '--write-test skipped: no data channel worked');
}

async function mainSession(run: Run): Promise<void> {
  const { ctx, tls } = run;
  // Without usable credentials the login waits for the anonymous probe's verdict: wait before
  // dialling, not holding a connection that probe may need (a server limit can leave one slot).
  if (!credentialsUsable(ctx, tls !== 'none')) await run.anonymous;
  let session: Session;
  try {
    session = await openSession(ctx, { purpose: 'ftp-main', tls });
  } catch (err) {
    gap(run, 'connect', 'connection-failed', `main FTP session could not be opened: ${asProbeError(err).message}`);
    return;
  }
  const { control } = session;
  try {
    let prot = tls !== 'none' ? await protectionCommands(run, control, false) : null;
    const loggedIn = await doLogin(run, control, await chooseLogin(run, tls !== 'none'));
    if (prot?.needLogin && loggedIn) prot = await protectionCommands(run, control, true);
    if (loggedIn) await loggedInExperiments(run, control, prot?.c ?? null);
    // Some servers hand out passive ports before login; most answer 530.
    else await samplePassive(run, control, { PASV: 1, EPSV: 0 });
    // CCC exists for implicit FTPS too: a server may accept it there as well
    if (tls !== 'none') await cccTest(run, control, loggedIn);
  } catch (err) {
    gap(run, 'transfer', 'connection-failed', `main FTP session ended early: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
}

type ReuseOutcome = { version: SecureVersion; own: Run; without: DataResult | null; withReuse: DataResult | null };

/**
 * Does the data connection have to resume the control session? For each TLS version the server
 * speaks (1.3 and 1.2 apart: tickets are single-use in 1.3), one session lists without resuming
 * and another with resuming. Separate sessions: vsftpd ends the session after a refused one. The
 * versions do not depend on each other and run side by side (on a WAN each pair is seconds of
 * round trips); what they record is added once both are done, in version order (mergeReuse).
 */
async function reuseExperiments(run: Run): Promise<ReuseOutcome[]> {
  const main = run.out.dataChannels.find((d) => d.protection === 'P' && d.controlTlsVersion)?.controlTlsVersion;
  if (!main || !run.out.login?.ok) return [];
  const versions = (main === 'TLSv1.3' ? ['TLSv1.3', 'TLSv1.2'] : [main]) as SecureVersion[];
  const pair = async (version: SecureVersion): Promise<ReuseOutcome | 'login-refused'> => {
    const own: Run = { ...run, out: { commandReplies: [], dataChannels: [], passiveSamples: [] }, gaps: [] };
    const without = await reuseRun(own, version, false);
    if (without === 'login-refused') return without;
    const again = without && (!without.ok || without.tls?.resumed === false) ? await reuseRun(own, version, true) : null;
    const withReuse = again === 'login-refused' ? null : again;
    return { version, own, without, withReuse };
  };
  const outcomes = await Promise.all(versions.map(pair));
  // A login refused beside the other version's session may be the server's limit of sessions per
  // host (ProFTPD MaxClientsPerHost: 530 at PASS, as for a wrong password): asked again alone.
  for (const [i, o] of outcomes.entries()) {
    if (o !== 'login-refused') continue;
    run.ctx.transcript.note(
      `reuse-${versions[i]}`,
      'login refused while another session of ours was logged in: asked again alone',
      'session-reuse',
    );
    outcomes[i] = await pair(versions[i]!);
  }
  return outcomes.filter((o): o is ReuseOutcome => o !== 'login-refused');
}

function mergeReuse(run: Run, outcomes: ReuseOutcome[]): void {
  for (const { version, own, without, withReuse } of outcomes) {
    run.out.commandReplies.push(...own.out.commandReplies);
    run.out.dataChannels.push(...own.out.dataChannels);
    run.gaps.push(...own.gaps);
    if (!without) continue;
    (run.out.sessionReuse ??= {})[version as 'TLSv1.2' | 'TLSv1.3'] = {
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

async function reuseRun(run: Run, version: SecureVersion, reuse: boolean): Promise<DataResult | null | 'login-refused'> {
  const { ctx } = run;
  let session: Session;
  try {
    session = await openSession(ctx, { purpose: `reuse-${version}-${reuse ? 'with' : 'without'}`, tls: run.tls, tlsVersion: version });
  } catch (err) {
    gap(run, 'session-reuse', 'connection-failed', `session-reuse test on ${version}: ${asProbeError(err).message}`);
    return null;
  }
  const { control } = session;
  try {
    const who = await chooseLogin(run, true, false);
    if (!who) return null;
    if (!(await login(control, who.user, who.password, ctx.options.timeoutMs * LOGIN_PATIENCE)).ok) return 'login-refused';
    await recorded(run, control, 'PBSZ 0', true, 'session-reuse');
    await recorded(run, control, 'PROT P', true, 'session-reuse');
    // A server that refuses a data connection may wait for us to hang up first (vsftpd on TLS
    // 1.2): a short stall limit keeps the experiment quick.
    return await runTransfer(run, control, 'EPSV', 'P', reuse, { stallMs: Math.min(ctx.options.timeoutMs, 1500), step: 'session-reuse' });
  } catch (err) {
    gap(run, 'session-reuse', 'connection-failed', `session-reuse test on ${version} ended early: ${asProbeError(err).message}`);
    return null;
  } finally {
    await control.quit();
  }
}

/**
 * FTP-ALG-REWRITE needs a PASV reply over a cleartext control channel too: a firewall helper
 * can rewrite it there but not inside TLS. Only with a login that may go in cleartext.
 */
async function cleartextPassiveSample(run: Run): Promise<void> {
  const { ctx } = run;
  if (ctx.detected.service !== 'ftps-explicit' || !run.out.passiveSamples.some((s) => s.channel === 'tls' && s.advertisedAddress)) return;
  const who = await chooseLogin(run, false, false);
  if (!who) return;
  let session: Session;
  try {
    session = await openSession(ctx, { purpose: 'pasv-cleartext', tls: 'none' });
  } catch (err) {
    gap(run, 'passive-sample', 'connection-failed', `cleartext PASV sample: ${asProbeError(err).message}`);
    return;
  }
  const { control } = session;
  try {
    if ((await login(control, who.user, who.password, ctx.options.timeoutMs * LOGIN_PATIENCE)).ok) {
      await samplePassive(run, control, { PASV: 1, EPSV: 0 });
    } else gap(run, 'passive-sample', 'refused', 'cleartext PASV sample: the server refused a cleartext login');
  } catch (err) {
    gap(run, 'passive-sample', 'connection-failed', `cleartext PASV sample ended early: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
}

/** A session of its own, logged in as `who` (PBSZ/PROT P on TLS); null when it cannot be had. */
async function extraSession(run: Run, purpose: string, who: Who): Promise<FtpControl | null> {
  const { ctx } = run;
  let session: Session;
  try {
    session = await openSession(ctx, { purpose, tls: run.tls, ...(purpose === 'write-test-cleanup' ? { cleanup: true } : {}) });
  } catch (err) {
    gap(run, 'write-test', 'connection-failed', `${purpose}: ${asProbeError(err).message}`);
    return null;
  }
  const { control } = session;
  try {
    if (!(await login(control, who.user, who.password, ctx.options.timeoutMs * LOGIN_PATIENCE)).ok) {
      await control.quit();
      return null;
    }
    if (run.tls !== 'none') {
      await control.command('PBSZ 0', { step: 'write-test' });
      await control.command('PROT P', { step: 'write-test' });
    }
    return control;
  } catch (err) {
    gap(run, 'write-test', 'connection-failed', `${purpose}: ${asProbeError(err).message}`);
    control.close();
    return null;
  }
}

/**
 * A write-test file the first session could not remove (it died after STOR, or before DELE) is
 * deleted on a fresh session; only what still cannot be removed is named as left behind.
 */
async function cleanupWriteTest(run: Run, slot: 'writeTest' | 'anonymousWriteTest', who: Who): Promise<void> {
  const wt = run.out[slot];
  if (!wt || wt.deleted || (!wt.uploaded && !wt.leftBehind)) return;
  const control = await extraSession(run, 'write-test-cleanup', who);
  if (!control) return;
  try {
    const del = await control.command(`DELE ${wt.file}`, { step: 'write-test' });
    if (del.code === 250 || del.code === 200) {
      wt.deleted = true;
      wt.leftBehind = null;
      run.ctx.transcript.note(control.conn, `removed ${wt.file} on a fresh session`, 'write-test');
    } else if (del.code === 550 && !wt.uploaded) {
      // nothing by that name: the upload never stored anything
      wt.leftBehind = null;
    } else wt.leftBehind = `${wt.file} (DELE on a fresh session answered ${del.code} ${del.text.slice(0, 80)})`;
  } catch (err) {
    gap(run, 'write-test', 'connection-failed', `write-test cleanup: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
}

/** With --write-test and anonymous login allowed, whether anonymous users can upload, on a session of their own. */
async function anonymousWriteTest(run: Run): Promise<void> {
  if (!run.ctx.options.writeTest || run.out.login?.anonymous || !(await run.anonymous)) return;
  // the server kept the first test file: a second upload would most likely stay too
  const first = run.out.writeTest;
  if (first?.uploaded && !first.deleted) {
    const kept = first.leftBehind ?? first.file;
    gap(run, 'write-test', 'withheld', `anonymous upload not tried: the write test's own file could not be deleted (${kept})`);
    return;
  }
  const who: Who = { user: 'anonymous', password: ANONYMOUS_PASSWORD, anonymous: true };
  const control = await extraSession(run, 'anonymous-write', who);
  if (!control) return;
  const mode = run.out.dataChannels.find((d) => d.ok && (d.mode === 'EPSV' || d.mode === 'PASV'))?.mode ?? 'EPSV';
  try {
    await writeTest(run, control, mode, run.tls === 'none' ? 'C' : 'P', 'anonymousWriteTest');
  } catch (err) {
    gap(run, 'write-test', 'connection-failed', `anonymous write test: ${asProbeError(err).message}`);
  } finally {
    await control.quit();
  }
  await cleanupWriteTest(run, 'anonymousWriteTest', who);
}

export const ftpChannelsProbe: Probe<ChannelsResult, { 'ftp-anonymous': AnonymousResult }> = {
  id: 'ftp-channels',
  description: 'PBSZ/PROT, data channels, TLS session reuse, passive ports, bounce, CCC, write test',
  services: ['ftp', 'ftps-explicit', 'ftps-implicit'],
  section: 'ftp',
  needs: ['ftp-anonymous'],
  // one control connection at a time, two for the session-reuse experiments (one per TLS
  // version); data connections do not count against the allowance
  connections: 2,
  async run(ctx, inputs) {
    const out: ChannelsResult = { commandReplies: [], dataChannels: [], passiveSamples: [] };
    if (!ctx.detected.ftp || ctx.detected.outcome === 'refused-by-server') return completed(out);
    const anonymous = inputs['ftp-anonymous'].then((a) => a.status === 'completed' && anonymousLoginWorks(a.result.anonymous) === true);
    const run: Run = { ctx, out, gaps: [], anonymous, tls: tlsModeOf(ctx.detected) };
    await mainSession(run);
    const who = run.out.login?.ok ? await chooseLogin(run, run.tls !== 'none', false) : null;
    if (who) await cleanupWriteTest(run, 'writeTest', who);
    await anonymousWriteTest(run);
    if (run.tls !== 'none') mergeReuse(run, await reuseExperiments(run));
    await cleartextPassiveSample(run);
    return completed(out, run.gaps);
  },
};
