// The transfer sequence a real client runs (LIST, STOR, LIST, RETR, DELE): a later transfer that
// fails where the first worked, downloads a client cannot tell from truncated ones, and what
// clients that resume differently (or not at all) will meet.
import type { EndpointReport, FtpSequenceRun, FtpTransferSequence } from '../../model.js';
import type { CheckOutcome } from '../types.js';
import { defineCheck } from '../types.js';
import { downloadsWithoutCloseNotify, failureRepeated, runLine, runName, sequenceFailure, stepLine } from '../../derive/sequence.js';
import { isFtp, isTls, noLoginReason, refused } from './support.js';

/** The sequence's facts, or why the check cannot judge them. */
function sequenceOf(ep: EndpointReport): { seq: FtpTransferSequence } | { outcome: CheckOutcome } {
  const ftp = ep.ftp!;
  const seq = ftp.transferSequence;
  if (!seq) return { outcome: { status: 'skipped', detail: `the transfer sequence did not run: ${noLoginReason(ftp)}` } };
  if (seq.notRun) return { outcome: { status: 'skipped', detail: seq.notRun } };
  if (!seq.runs.some((r) => r.steps.length > 0))
    return { outcome: { status: 'skipped', detail: `no transfer ran: ${seq.runs.map((r) => r.stoppedEarly ?? 'no steps').join('; ')}` } };
  return { seq };
}

const evidenceOf = (runs: FtpSequenceRun[]) =>
  runs.flatMap((r) => [
    { label: 'transfer sequence', value: runLine(r), conn: r.conn },
    ...(r.again ? [{ label: 'the same run again', value: runLine({ ...r, ...r.again }), conn: r.again.conn }] : []),
  ]);

/** What the second run said of a failure, as a phrase after it ('' when there was none). */
function againNote(run: FtpSequenceRun): string {
  const r = failureRepeated(run);
  if (r === 'repeated') return ' (again on a fresh session: it failed again)';
  if (r === null && run.again) return ' (the run again on a fresh session decided nothing)';
  return '';
}

function failureLine(run: FtpSequenceRun): string | null {
  const f = sequenceFailure(run);
  if (!f) return null;
  return `${runName(run)}: transfer ${f.index + 1} (${f.step.command}) failed after ${stepLine(run.steps[0]!)}: ${f.why}${againNote(run)}`;
}

/** A failure that did not come back on the same run made again: the server fails now and then. */
const cameAndWent = (run: FtpSequenceRun) => failureRepeated(run) === 'not-repeated';

const WRITE_NOTE = ' (read part only: STOR, RETR and DELE need --write-test)';

/** Problems short of a failed transfer: a file left behind, a download that differed, downloads without close_notify. */
function lesserProblems(seq: FtpTransferSequence): { fail: string[]; warn: string[] } {
  const fail: string[] = [];
  const warn: string[] = [];
  if (seq.leftBehind) fail.push(`the test file was left on the server: ${seq.leftBehind}`);
  if (seq.runs.some((r) => r.steps.some((s) => s.verified === false))) fail.push('a download differed from what was uploaded');
  const open = downloadsWithoutCloseNotify(seq.runs);
  if (open.length)
    warn.push(
      `${open.length} download(s) (${[...new Set(open.map((s) => s.command))].join(', ')}) ended without close_notify: a client cannot tell a complete transfer from a truncated one`,
    );
  return { fail, warn };
}

function judge(seq: FtpTransferSequence): CheckOutcome {
  const evidence = evidenceOf(seq.runs);
  const latest = seq.runs.filter((r) => r.offer === 'latest' && r.steps.length > 0);
  const firstFailed = latest.filter((r) => !r.steps[0]!.ok);
  if (firstFailed.length === latest.length)
    return {
      status: 'skipped',
      detail: `the first transfer already failed (see FTP-DATA-PASSIVE): ${latest.map(runLine).join('; ')}`,
      evidence,
    };
  const failures = latest
    .filter((r) => !cameAndWent(r))
    .map(failureLine)
    .filter((x): x is string => !!x);
  const other = lesserProblems(seq);
  if (failures.length || other.fail.length) return { status: 'fail', detail: [...failures, ...other.fail].join('; '), evidence };
  const warnings: string[] = [];
  const intermittent = seq.runs.filter(cameAndWent).map(failureLine);
  if (intermittent.length)
    warnings.push(
      `a transfer failed once and not when the same run was made again on a fresh session, so clients will meet it now and then: ${intermittent.join('; ')}`,
    );
  const controlOnly = seq.runs
    .filter((r) => r.offer === 'control' && !cameAndWent(r))
    .map(failureLine)
    .filter((x): x is string => !!x);
  if (controlOnly.length)
    warnings.push(
      `clients that offer the control connection's session on every data connection (and never a newer ticket) fail: ${controlOnly.join('; ')}`,
    );
  if (warnings.length) return { status: 'warn', detail: [...warnings, ...other.warn].join('; '), evidence };
  if (other.warn.length) return { status: 'warn', detail: other.warn.join('; '), evidence };
  const readOnly = latest.some((r) => !r.steps.some((s) => s.command === 'STOR')) ? WRITE_NOTE : '';
  return { status: 'pass', detail: `every transfer of the sequence worked${readOnly}: ${latest.map(runLine).join('; ')}`, evidence };
}

export const ftpsTransferSequence = defineCheck({
  id: 'FTPS-TRANSFER-SEQUENCE',
  family: 'ftp',
  observes:
    'LIST, STOR, LIST, RETR, DELE on one session, as a client runs them (with credentials; STOR/RETR/DELE with --write-test): a later transfer failing where the first worked (a run that failed is made once more on a fresh session: a failure that does not come back is intermittent, a warning), and downloads ended without close_notify',
  title: 'A client’s whole transfer sequence works',
  severity: 'medium',
  remediation:
    'Make every data connection of a session work, not only the first: issue TLS session tickets that can be used more than once (or a new ticket on every data connection), accept a resumed session for uploads as for listings, and end each data connection with close_notify.',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const s = sequenceOf(ep);
    return 'outcome' in s ? s.outcome : judge(s.seq);
  },
});

/** What a client that resumes like `run` (or never) meets, in one phrase. */
function experience(run: FtpSequenceRun | undefined): string {
  if (!run || run.steps.length === 0) return 'not tested';
  const f = sequenceFailure(run);
  if (!run.steps[0]!.ok) return `fail at once (${stepLine(run.steps[0]!)})`;
  if (f && cameAndWent(run)) return `fail now and then at transfer ${f.index + 1} (${f.step.command}): ${f.why}`;
  return f
    ? `fail at transfer ${f.index + 1} (${f.step.command}): ${f.why}`
    : `complete the sequence (${run.steps.map(stepLine).join(', ')})`;
}

function neverResume(ep: EndpointReport): string {
  const req = ep.ftp!.sessionReuseRequired;
  if (req === true) return 'fail every PROT P transfer: the server requires data connections to resume the control session';
  if (req === false) return 'work: the server accepts data connections that do not resume';
  return 'undetermined (the session-reuse test did not decide)';
}

export const ftpsClientLibraries = defineCheck({
  id: 'FTPS-CLIENT-LIBS',
  family: 'ftp',
  observes:
    'what clients that resume TLS sessions differently will experience: never (Python ftplib), always the control connection’s session, or the newest ticket (curl, Node basic-ftp 6)',
  title: 'What FTPS client libraries will experience',
  severity: 'info',
  remediation: '',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const s = sequenceOf(ep);
    if ('outcome' in s) return s.outcome;
    const passive = (offer: 'latest' | 'control') => s.seq.runs.find((x) => x.offer === offer && (x.mode === 'EPSV' || x.mode === 'PASV'));
    const lines = [
      `clients that never resume the TLS session (Python ftplib's FTP_TLS) ${neverResume(ep)}`,
      `clients that offer the control connection's session on every data connection ${experience(passive('control'))}`,
      `clients that offer the newest ticket (curl, Node basic-ftp 6) ${experience(passive('latest'))}`,
    ];
    return { status: 'info', detail: lines.join('; '), evidence: evidenceOf(s.seq.runs) };
  },
});
