// The transfer sequence a real client runs on one control connection — LIST, STOR, LIST, RETR,
// DELE — recording per data connection what TLS did (resumed or not, tickets, close_notify), so
// that failures one listing cannot show (single-use TLS 1.3 tickets, a server that accepts a
// resumed session for LIST but not for STOR) are seen on the transfer where they happen.
import crypto from 'node:crypto';
import type { ProbeContext } from '../probe.js';
import type { FtpSequenceRun, FtpSequenceStep } from '../model.js';
import type { FtpControl } from '../net/ftp-control.js';
import { transfer, type DataMode, type DataResult } from '../net/ftp-data.js';
import { asProbeError } from '../net/outcomes.js';
import { LOGIN_PATIENCE, login, openSession, type TlsMode } from './session.js';
import { dataOptions } from './experiments.js';

export interface SequencePlan {
  mode: DataMode;
  offer: 'latest' | 'control';
  tls: TlsMode;
  who: { user: string; password: string };
  /** STOR/RETR/DELE (--write-test); otherwise the read part only */
  write: boolean;
  /** directory the write test could write to ('' = the login directory) */
  dir: string;
  /** digests of the sessions offered so far in this run */
  offered?: string[];
}

const STEP = 'transfer-sequence' as const;

/** A name no one else uses, in the directory the write test found writable. */
export function sequenceFileName(dir: string): string {
  const name = `xferscan-sequence-${Date.now()}-${crypto.randomBytes(6).toString('hex')}.tmp`;
  return dir ? `${dir.replace(/\/+$/, '')}/${name}` : name;
}

export function toSequenceStep(
  command: FtpSequenceStep['command'],
  r: DataResult,
  offer: 'none' | 'latest' | 'control',
  control: FtpControl,
  offeredEarlier: readonly string[] = [],
): FtpSequenceStep {
  const offeredBefore = !!r.offeredSession && offeredEarlier.includes(r.offeredSession);
  return {
    command,
    ok: r.ok,
    replies: { setup: r.setupReply?.code ?? null, start: r.startReply?.code ?? null, end: r.endReply?.code ?? null },
    failedStep: r.failedStep,
    error: r.error,
    bytes: r.bytes,
    tls: r.tls
      ? {
          version: r.tls.protocol,
          offered: offer,
          resumed: r.tls.resumed,
          offeredBefore,
          tickets: r.dataTickets ?? 0,
          closeNotify: r.closeNotify ?? null,
        }
      : null,
    ...(r.mode === 'PORT' || r.mode === 'EPRT' ? { activeSourcePort: r.activeSourcePort ?? null } : {}),
    controlTickets: control.ticketsSeen,
  };
}

async function dataStep(
  ctx: ProbeContext,
  control: FtpControl,
  plan: SequencePlan,
  command: FtpSequenceStep['command'],
  arg: string,
  upload?: Buffer,
): Promise<{ step: FtpSequenceStep; result: DataResult }> {
  const protection = plan.tls === 'none' ? 'C' : 'P';
  const line = arg ? `${command} ${arg}` : command;
  const result = await transfer(control, dataOptions(ctx, plan.mode, protection, line, { step: STEP, offer: plan.offer, upload }));
  const step = toSequenceStep(command, result, protection === 'P' ? plan.offer : 'none', control, plan.offered ?? []);
  if (result.offeredSession) (plan.offered ??= []).push(result.offeredSession);
  return { step, result };
}

async function deleStep(control: FtpControl, file: string): Promise<FtpSequenceStep> {
  const reply = await control.command(`DELE ${file}`, { step: STEP });
  const ok = reply.code === 250 || reply.code === 200;
  return {
    command: 'DELE',
    ok,
    replies: { setup: null, start: null, end: reply.code },
    failedStep: ok ? null : 'reply',
    error: ok ? null : `${reply.code} ${reply.text.slice(0, 160)}`,
    bytes: 0,
    tls: null,
    controlTickets: control.ticketsSeen,
  };
}

/** SIZE answers 213 only for a file that exists (RFC 3659). */
async function stillThere(control: FtpControl, file: string): Promise<boolean> {
  return (await control.command(`SIZE ${file}`, { step: STEP })).code === 213;
}

/** What the sequence still has to remove: the file, once STOR was sent and until DELE worked. */
export interface SequenceState {
  run: FtpSequenceRun;
  pendingFile: string | null;
  /** the server refused the login (credentials that worked on the channel probe's session) */
  loginRefused: boolean;
}

async function writeSteps(ctx: ProbeContext, control: FtpControl, plan: SequencePlan, state: SequenceState): Promise<void> {
  const { run } = state;
  const file = sequenceFileName(plan.dir);
  const content = Buffer.from(`xferscan transfer sequence ${new Date().toISOString()} ${crypto.randomBytes(16).toString('hex')}\n`);
  state.pendingFile = file;
  const stor = await dataStep(ctx, control, plan, 'STOR', file, content);
  run.steps.push(stor.step);
  run.steps.push((await dataStep(ctx, control, plan, 'LIST', '')).step);
  if (stor.step.ok) {
    const retr = await dataStep(ctx, control, plan, 'RETR', file);
    retr.step.verified = retr.result.ok ? retr.result.sha256 === crypto.createHash('sha256').update(content).digest('hex') : null;
    run.steps.push(retr.step);
  } else run.skipped.push('RETR: the upload failed');
  // always: a failed STOR may still have left a partial file
  const dele = await deleStep(control, file);
  run.steps.push(dele);
  if (dele.ok || !(await stillThere(control, file))) state.pendingFile = null;
}

async function sequenceSteps(ctx: ProbeContext, control: FtpControl, plan: SequencePlan, state: SequenceState): Promise<void> {
  if (plan.tls !== 'none') {
    await control.command('PBSZ 0', { step: STEP });
    const prot = await control.command('PROT P', { step: STEP });
    if (prot.code !== 200) throw new Error(`PROT P refused: ${prot.code} ${prot.text.slice(0, 120)}`);
  }
  await control.command('TYPE I', { step: STEP });
  state.run.controlTicketsAtLogin = control.ticketsSeen;
  state.run.steps.push((await dataStep(ctx, control, plan, 'LIST', '')).step);
  if (plan.write) await writeSteps(ctx, control, plan, state);
  else {
    state.run.steps.push((await dataStep(ctx, control, plan, 'LIST', '')).step);
    state.run.skipped.push('STOR, RETR and DELE: they write to the server (--write-test); only LIST, LIST ran');
  }
}

/** One sequence on its own control connection; never throws (what broke is in stoppedEarly). */
export async function runSequence(ctx: ProbeContext, plan: SequencePlan): Promise<SequenceState> {
  const purpose = `sequence-${plan.mode}-${plan.offer}`;
  const run: FtpSequenceRun = {
    mode: plan.mode,
    offer: plan.offer,
    controlTlsVersion: null,
    controlTicketsAtLogin: 0,
    steps: [],
    skipped: [],
    stoppedEarly: null,
    conn: purpose,
  };
  const state: SequenceState = { run, pendingFile: null, loginRefused: false };
  let control: FtpControl;
  try {
    control = (await openSession(ctx, { purpose, tls: plan.tls })).control;
  } catch (err) {
    run.stoppedEarly = `could not open the session: ${asProbeError(err).message}`;
    return state;
  }
  run.conn = control.conn;
  run.controlTlsVersion = control.tls?.getProtocol() ?? null;
  try {
    const r = await login(control, plan.who.user, plan.who.password, ctx.options.timeoutMs * LOGIN_PATIENCE);
    if (!r.ok) {
      run.stoppedEarly = `login refused: ${(r.passReply ?? r.userReply).code}`;
      state.loginRefused = true;
    } else await sequenceSteps(ctx, control, plan, state);
  } catch (err) {
    run.stoppedEarly = asProbeError(err).message;
  } finally {
    await control.quit();
  }
  return state;
}

/** Removes a file a broken sequence left, on a fresh session; returns what is still left, if anything. */
export async function removeLeftover(ctx: ProbeContext, plan: SequencePlan, file: string): Promise<string | null> {
  let control: FtpControl;
  try {
    control = (await openSession(ctx, { purpose: 'sequence-cleanup', tls: plan.tls, cleanup: true })).control;
  } catch (err) {
    return `${file} (cleanup session: ${asProbeError(err).message})`;
  }
  try {
    if (!(await login(control, plan.who.user, plan.who.password, ctx.options.timeoutMs * LOGIN_PATIENCE)).ok)
      return `${file} (cleanup login refused)`;
    const del = await control.command(`DELE ${file}`, { step: STEP });
    if (del.code === 250 || del.code === 200 || !(await stillThere(control, file))) return null;
    return `${file} (DELE answered ${del.code})`;
  } catch (err) {
    return `${file} (cleanup: ${asProbeError(err).message})`;
  } finally {
    await control.quit();
  }
}
