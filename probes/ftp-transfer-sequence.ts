// The transfer-sequence probe: with credentials, the sequence a real client runs (LIST, STOR,
// LIST, RETR, DELE; LIST, LIST without --write-test) on passive and, with --active, active mode,
// once offering the newest TLS ticket and once always the control connection's own session.
// It runs after the channel probe, whose results choose the modes and the writable directory.
import { completed, type Probe, type ProbeContext } from '../src/probe.js';
import { found } from '../src/probe.js';
import type { FtpSequenceRun, FtpTransferSequence, Gap } from '../src/model.js';
import { sequenceFailure } from '../src/derive/sequence.js';
import { tlsModeOf, type TlsMode } from '../src/ftp/session.js';
import { removeLeftover, runSequence, type SequencePlan, type SequenceState } from '../src/ftp/sequence.js';
import type { DataMode } from '../src/net/ftp-data.js';
import type { ChannelsResult } from './ftp-channels.js';

export interface SequenceResult {
  transferSequence: FtpTransferSequence | null;
}

const isActive = (m: string) => m === 'PORT' || m === 'EPRT';

/** The passive mode, and with --active the active mode, that carried a listing in the channel probe. */
function chooseModes(ctx: ProbeContext, ch: ChannelsResult): { modes: DataMode[]; notes: string[] } {
  const worked = ch.dataChannels.filter((d) => d.ok).map((d) => d.mode);
  const passive = worked.find((m) => !isActive(m)) ?? 'EPSV';
  const modes: DataMode[] = [passive];
  const notes: string[] = [];
  if (ctx.options.active) {
    const active = worked.find(isActive);
    if (active) modes.push(active);
    else notes.push('active mode: no active listing worked in the channel probe; the sequence was not run on it');
  }
  return { modes, notes };
}

function plans(ctx: ProbeContext, ch: ChannelsResult, tls: TlsMode): { plans: SequencePlan[]; notes: string[] } {
  const creds = ctx.options.credentials!;
  const who = { user: creds.user, password: creds.password! };
  const wt = ch.writeTest;
  const dir = wt?.uploaded && wt.file.includes('/') ? wt.file.slice(0, wt.file.lastIndexOf('/')) : '';
  // A failed write test does not stop it (its failure may be the very one the sequence shows),
  // but a file the server would not let us delete does: another upload would most likely stay too.
  const kept = wt?.uploaded && !wt.deleted ? (wt.leftBehind ?? wt.file) : null;
  const write = ctx.options.writeTest && !kept;
  const { modes, notes } = chooseModes(ctx, ch);
  if (ctx.options.writeTest && kept) notes.push(`STOR, RETR and DELE withheld: the write test's own file could not be deleted (${kept})`);
  const base = { tls, who, write, dir };
  const out: SequencePlan[] = modes.map((mode) => ({ ...base, mode, offer: 'latest' }));
  // A client that never learns new tickets (offers the control session every time): passive only.
  if (tls !== 'none') out.push({ ...base, mode: modes[0]!, offer: 'control' });
  return { plans: out, notes };
}

/** Why the sequence cannot run here, or null. */
function notRunReason(ctx: ProbeContext, ch: ChannelsResult | undefined, tls: TlsMode): string | null {
  const creds = ctx.options.credentials;
  if (!creds || creds.password === undefined) return 'the transfer sequence needs --user with a password';
  if (tls === 'none' && !ctx.options.allowCleartextLogin) return 'not sending the password over cleartext FTP (--allow-cleartext-login)';
  if (!ch?.login?.ok || ch.login.anonymous) return 'the channel probe could not log in with the given credentials';
  return null;
}

/**
 * A run whose login was refused, asked once more. The credentials worked on the channel probe's
 * session, so the refusal may be the server's limit of logged-in sessions per host or user
 * (ProFTPD's MaxClientsPerHost answers it at PASS with 530, as it would a wrong password),
 * counting another run beside it or one that has just ended: only a refusal again decides.
 */
async function againIfRefused(ctx: ProbeContext, plan: SequencePlan, state: SequenceState): Promise<SequenceState> {
  if (!state.loginRefused) return state;
  ctx.transcript.note(
    state.run.conn,
    `${state.run.stoppedEarly}, though these credentials worked before: asked again`,
    'transfer-sequence',
  );
  return runSequence(ctx, plan);
}

/**
 * A run that failed a transfer after the first worked is made once more, alone, on a fresh
 * session: a failure the server repeats is its behaviour; one it does not (pyftpdlib 1.5.7 stalls
 * a data handshake now and then) is intermittent, and the check says so instead of a verdict that
 * changes from one scan to the next. Not when the second run could not be the same (a file of
 * ours stayed behind: it would upload nothing).
 */
async function onceMore(ctx: ProbeContext, plan: SequencePlan, run: FtpSequenceRun, seq: FtpTransferSequence): Promise<void> {
  const f = sequenceFailure(run);
  if (!f || (plan.write && seq.leftBehind)) return;
  ctx.transcript.note(
    run.conn,
    `transfer ${f.index + 1} (${f.step.command}) failed after the first worked: the same run once more, on a fresh session`,
    'transfer-sequence',
  );
  const state = await againIfRefused(ctx, plan, await runSequence(ctx, plan));
  if (state.pendingFile) seq.leftBehind ??= await removeLeftover(ctx, plan, state.pendingFile);
  run.again = { steps: state.run.steps, stoppedEarly: state.run.stoppedEarly, conn: state.run.conn };
}

export const ftpTransferSequenceProbe: Probe<SequenceResult, { 'ftp-channels': ChannelsResult }> = {
  id: 'ftp-transfer-sequence',
  description: 'LIST, STOR, LIST, RETR, DELE as a client runs them: TLS resumption, tickets and close_notify per transfer',
  services: ['ftp', 'ftps-explicit', 'ftps-implicit'],
  section: 'ftp',
  needs: ['ftp-channels'],
  // two runs side by side when none uploads
  connections: 2,
  async run(ctx, inputs) {
    if (!ctx.detected.ftp || ctx.detected.outcome === 'refused-by-server') return completed({ transferSequence: null });
    const ch = found(await inputs['ftp-channels']);
    const tls = tlsModeOf(ctx.detected);
    const why = notRunReason(ctx, ch, tls);
    if (why) return completed({ transferSequence: { runs: [], leftBehind: null, notRun: why } });
    const p = plans(ctx, ch!, tls);
    const seq: FtpTransferSequence = { runs: [], leftBehind: null, notRun: null };
    /** the plan each run of seq.runs ran (same order) */
    const ran: SequencePlan[] = [];
    if (p.plans.some((plan) => plan.write)) {
      for (const plan of p.plans) {
        // once a file of ours stayed behind, the later runs upload nothing more
        const own = seq.leftBehind ? { ...plan, write: false } : plan;
        const state = await againIfRefused(ctx, own, await runSequence(ctx, own));
        seq.runs.push(state.run);
        ran.push(own);
        if (state.pendingFile) seq.leftBehind ??= await removeLeftover(ctx, plan, state.pendingFile);
      }
    } else {
      // listings only: the runs do not depend on each other (in plan order in the report)
      const states = await Promise.all(p.plans.map((plan) => runSequence(ctx, plan)));
      // one at a time: a refusal beside another run is asked again alone
      for (const [i, state] of states.entries()) states[i] = await againIfRefused(ctx, p.plans[i]!, state);
      seq.runs.push(...states.map((state) => state.run));
      ran.push(...p.plans);
    }
    for (const [i, run] of seq.runs.entries()) await onceMore(ctx, ran[i]!, run, seq);
    const gaps: Gap[] = p.notes.map((detail) => ({ step: 'transfer-sequence', reason: 'unsupported', detail }));
    return completed({ transferSequence: seq }, gaps);
  },
};
