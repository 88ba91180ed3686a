// Derived facts of the transfer sequence (probes/ftp-transfer-sequence.ts): which transfer of a
// run failed after the first worked, and why, from what the data connection's TLS did; and a
// run's story in one line. The "why" rests on recorded facts only: whether the session we
// offered had been offered before in the run, whether the server resumed it, its reply.
import type { FtpSequenceRun, FtpSequenceStep } from '../model.js';
import { isRefusalCode } from './firewall.js';

export type SequenceCause = 'single-use-ticket' | 'resumed-refused' | 'not-resumed' | 'data-channel' | 'delete';

export interface SequenceFailure {
  /** 0-based position in the run */
  index: number;
  step: FtpSequenceStep;
  cause: SequenceCause;
  why: string;
}

const code = (s: FtpSequenceStep) => s.replies.end ?? s.replies.start ?? s.replies.setup;
const said = (s: FtpSequenceStep) => s.error ?? `reply ${code(s) ?? 'none'}`;

/** A DELE of a file that was never stored (550 after a failed STOR) says nothing new. */
function counts(step: FtpSequenceStep, run: FtpSequenceRun): boolean {
  if (step.command !== 'DELE') return true;
  const stor = run.steps.find((s) => s.command === 'STOR');
  return !(stor && !stor.ok);
}

export function failureCause(step: FtpSequenceStep): { cause: SequenceCause; why: string } {
  const t = step.tls;
  const refusedByReply = isRefusalCode(code(step));
  if (step.command === 'DELE') return { cause: 'delete', why: `the test file could not be deleted (${said(step)})` };
  if (t && !t.resumed && t.offeredBefore && refusedByReply)
    return {
      cause: 'single-use-ticket',
      why: `its data connection offered the TLS session an earlier transfer had already resumed, the server did not resume it (${t.version ?? 'TLS'} tickets used once only) and refused the unresumed connection (${said(step)})`,
    };
  if (t && t.resumed && refusedByReply)
    return {
      cause: 'resumed-refused',
      why: `its data connection resumed the session as the earlier ones did, yet the server refused ${step.command} (${said(step)}): it accepts a resumed session for some commands only`,
    };
  if (t && !t.resumed && t.offered !== 'none' && refusedByReply)
    return { cause: 'not-resumed', why: `the server did not resume the session offered and refused the data connection (${said(step)})` };
  return { cause: 'data-channel', why: `${step.failedStep ? `failed at ${step.failedStep}: ` : ''}${said(step)}` };
}

/** The first transfer after a successful first one that failed; null when none did (or the first failed). */
export function sequenceFailure(run: FtpSequenceRun): SequenceFailure | null {
  if (!run.steps[0]?.ok) return null;
  const index = run.steps.findIndex((s, i) => i > 0 && !s.ok && counts(s, run));
  if (index < 0) return null;
  const step = run.steps[index]!;
  return { index, step, ...failureCause(step) };
}

/**
 * Whether a run's failure came back when the same run was made once more on a fresh session:
 * 'repeated', 'not-repeated' (the second run completed every transfer) or null (no failure, not
 * run again, or the second run decided nothing: its login or first transfer failed).
 */
export function failureRepeated(run: FtpSequenceRun): 'repeated' | 'not-repeated' | null {
  if (!sequenceFailure(run) || !run.again) return null;
  const again: FtpSequenceRun = { ...run, ...run.again, again: null };
  if (!again.steps[0]?.ok) return null;
  if (sequenceFailure(again)) return 'repeated';
  // every step the first run made, made again and worked
  return again.steps.length >= run.steps.length && !again.stoppedEarly ? 'not-repeated' : null;
}

/** "EPSV, newest ticket" */
export const runName = (run: FtpSequenceRun) =>
  `${run.mode}, ${run.offer === 'latest' ? 'newest ticket offered' : "the control connection's session offered every time"}`;

/** One step as a short phrase: "STOR ok (resumed, 1 ticket, close_notify)". */
export function stepLine(s: FtpSequenceStep): string {
  const t = s.tls;
  const tls = t
    ? ` (${t.resumed ? 'resumed' : 'not resumed'}${t.offeredBefore ? ', session offered before' : ''}, ${t.tickets} ticket${t.tickets === 1 ? '' : 's'}${t.closeNotify === true ? ', close_notify' : t.closeNotify === false ? ', no close_notify' : ''})`
    : '';
  return `${s.command} ${s.ok ? 'ok' : (code(s) ?? 'failed')}${tls}`;
}

/** A run in one line: its steps, tickets at login, and what was skipped. */
export function runLine(run: FtpSequenceRun): string {
  const tickets = run.controlTlsVersion ? `; ${run.controlTicketsAtLogin} ticket(s) on the control connection at login` : '';
  const later = run.steps.at(-1)?.controlTickets ?? run.controlTicketsAtLogin;
  const more = later > run.controlTicketsAtLogin ? `, ${later} by the end` : '';
  const stopped = run.stoppedEarly ? `; stopped early: ${run.stoppedEarly}` : '';
  return `${runName(run)}: ${run.steps.map(stepLine).join(', ') || 'no transfer'}${tickets}${more}${stopped}`;
}

/** Downloads (LIST, RETR) that worked but whose data connection ended without close_notify. */
export const downloadsWithoutCloseNotify = (runs: FtpSequenceRun[]) =>
  runs.flatMap((r) => r.steps.filter((s) => s.ok && s.command !== 'STOR' && s.tls?.closeNotify === false));
