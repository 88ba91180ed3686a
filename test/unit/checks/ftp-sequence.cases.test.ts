// The transfer sequence (LIST, STOR, LIST, RETR, DELE) as a client runs it: a later transfer that
// fails where the first worked, and what clients that resume differently will meet.
import { ftpsClientLibraries, ftpsTransferSequence } from '../../../src/checks/ftp/sequence.js';
import type { FtpSequenceRun, FtpSequenceStep, FtpTransferSequence } from '../../../src/model.js';
import { checkCases } from './harness.js';
import { ftpEndpoint, plainFtp, vsftpdStrict } from './facts.js';

type Cmd = FtpSequenceStep['command'];

function step(
  command: Cmd,
  over: Partial<FtpSequenceStep> = {},
  tls: Partial<NonNullable<FtpSequenceStep['tls']>> | null = {},
): FtpSequenceStep {
  return {
    command,
    ok: true,
    replies: command === 'DELE' ? { setup: null, start: null, end: 250 } : { setup: 229, start: 150, end: 226 },
    failedStep: null,
    error: null,
    bytes: command === 'DELE' ? 0 : 85,
    tls:
      command === 'DELE' || tls === null
        ? null
        : { version: 'TLSv1.3', offered: 'latest', resumed: true, offeredBefore: false, tickets: 1, closeNotify: true, ...tls },
    controlTickets: 2,
    ...over,
  };
}

const refused = (command: Cmd, code: number, text: string, tls: Partial<NonNullable<FtpSequenceStep['tls']>>) =>
  step(command, { ok: false, replies: { setup: 229, start: 150, end: code }, failedStep: 'reply', error: `${code} ${text}` }, tls);

function run(steps: FtpSequenceStep[], over: Partial<FtpSequenceRun> = {}): FtpSequenceRun {
  return {
    mode: 'EPSV',
    offer: 'latest',
    controlTlsVersion: 'TLSv1.3',
    controlTicketsAtLogin: 2,
    steps,
    skipped: [],
    stoppedEarly: null,
    conn: 'sequence-EPSV-latest#9',
    ...over,
  };
}

const FULL = () => [step('LIST'), step('STOR'), step('LIST'), step('RETR', { verified: true }), step('DELE')];
const seq = (runs: FtpSequenceRun[], over: Partial<FtpTransferSequence> = {}): FtpTransferSequence => ({
  runs,
  leftBehind: null,
  notRun: null,
  ...over,
});
const ep = (s: FtpTransferSequence | null | undefined, reuseRequired?: boolean) =>
  ftpEndpoint({
    ...vsftpdStrict(),
    sequence: s,
    ...(reuseRequired === undefined
      ? {}
      : {
          channels: {
            ...vsftpdStrict().channels,
            sessionReuse: {
              'TLSv1.3': {
                withoutReuse: reuseRequired
                  ? { ok: false, code: 522, error: '522 session reuse required' }
                  : { ok: true, code: 226, error: null },
                withReuse: reuseRequired ? { ok: true, code: 226, resumed: true, error: null } : null,
              },
            },
          },
        }),
  });

/** Single-use tickets: the first data connection resumes, STOR offers the same ticket and is refused. */
const singleUse = (offer: 'latest' | 'control') =>
  run(
    [
      step('LIST', {}, { offered: offer, tickets: 0 }),
      refused('STOR', 522, 'SSL connection failed: session reuse required', {
        offered: offer,
        resumed: false,
        offeredBefore: true,
        tickets: 2,
      }),
      step('LIST', {}, { offered: offer }),
      step('DELE', { ok: false, replies: { setup: null, start: null, end: 550 }, failedStep: 'reply', error: '550 No such file' }),
    ],
    { offer, skipped: ['RETR: the upload failed'] },
  );

/** A data handshake that stalled (pyftpdlib 1.5.7 now and then): the second LIST timed out. */
const stalled = () =>
  step('LIST', { ok: false, replies: { setup: 229, start: 150, end: null }, failedStep: 'tls', error: 'TLS handshake timed out' });
const stalledOnce = (again: FtpSequenceStep[], over: Partial<NonNullable<FtpSequenceRun['again']>> = {}) =>
  run([step('LIST'), stalled()], {
    stoppedEarly: 'the data connection failed',
    again: { steps: again, stoppedEarly: null, conn: 'sequence-EPSV-latest#12', ...over },
  });

checkCases(ftpsTransferSequence, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  { name: 'no sequence (no credentials): skipped', endpoint: ep(undefined), expect: { status: 'skipped', detail: /did not run/ } },
  {
    name: 'the probe says why it did not run: skipped with that reason',
    endpoint: ep(seq([], { notRun: 'the transfer sequence needs --user with a password' })),
    expect: { status: 'skipped', detail: /needs --user/ },
  },
  {
    name: 'every transfer worked, resumed, close_notify on every download: pass',
    endpoint: ep(seq([run(FULL()), run(FULL(), { offer: 'control' })])),
    expect: {
      status: 'pass',
      detail: /every transfer of the sequence worked: EPSV, newest ticket offered: LIST ok \(resumed/,
      remediation: 'none',
    },
  },
  {
    name: 'without --write-test (LIST, LIST): pass, saying only the read part ran',
    endpoint: ep(seq([run([step('LIST'), step('LIST')])])),
    expect: { status: 'pass', detail: /read part only: STOR, RETR and DELE need --write-test/ },
  },
  {
    name: 'single-use TLS 1.3 tickets: STOR offers the ticket LIST used, is not resumed and refused (522): fail naming it',
    endpoint: ep(seq([singleUse('latest'), singleUse('control')])),
    expect: {
      status: 'fail',
      detail:
        /transfer 2 \(STOR\) failed after LIST ok .*offered the TLS session an earlier transfer had already resumed, the server did not resume it \(TLSv1.3 tickets used once only\) and refused the unresumed connection \(522 SSL connection failed/,
      evidence: { conns: ['sequence-EPSV-latest#9'] },
    },
  },
  {
    name: 'a resumed session accepted for LIST, refused for STOR: fail, saying the server treats STOR differently',
    endpoint: ep(seq([run([step('LIST'), refused('STOR', 425, 'Uploads need a new TLS session', {}), step('LIST')])])),
    expect: { status: 'fail', detail: /\(STOR\) failed .*resumed the session as the earlier ones did, yet the server refused STOR \(425/ },
  },
  {
    name: 'only a client that keeps offering the control session fails: warn',
    endpoint: ep(seq([run(FULL()), singleUse('control')])),
    expect: {
      status: 'warn',
      detail: /^clients that offer the control connection's session on every data connection .*transfer 2 \(STOR\)/,
    },
  },
  {
    name: 'downloads ended by a bare TCP FIN (no close_notify): warn, truncation undetectable',
    endpoint: ep(seq([run([step('LIST', {}, { closeNotify: false }), step('LIST', {}, { closeNotify: null })])])),
    expect: { status: 'warn', detail: /1 download\(s\) \(LIST\) ended without close_notify: a client cannot tell/ },
  },
  {
    name: 'the test file could not be removed: fail',
    endpoint: ep(seq([run(FULL())], { leftBehind: 'xferscan-sequence-1.tmp (DELE answered 550)' })),
    expect: { status: 'fail', detail: /left on the server: xferscan-sequence-1.tmp/ },
  },
  {
    name: 'a later transfer failed, and the same run made again on a fresh session completed: warn (intermittent), both runs in evidence',
    endpoint: ep(seq([stalledOnce([step('LIST'), step('LIST')])])),
    expect: {
      status: 'warn',
      detail:
        /^a transfer failed once and not when the same run was made again on a fresh session, so clients will meet it now and then: .*transfer 2 \(LIST\) failed .*TLS handshake timed out/,
      evidence: { conns: ['sequence-EPSV-latest#9', 'sequence-EPSV-latest#12'] },
    },
  },
  {
    name: 'the same run made again failed again: fail, saying so',
    endpoint: ep(seq([stalledOnce([step('LIST'), stalled()])])),
    expect: { status: 'fail', detail: /transfer 2 \(LIST\) failed .*\(again on a fresh session: it failed again\)/ },
  },
  {
    name: 'the run made again decided nothing (its first transfer failed): the failure stands, fail',
    endpoint: ep(seq([stalledOnce([stalled()])])),
    expect: { status: 'fail', detail: /\(the run again on a fresh session decided nothing\)/ },
  },
  {
    name: 'the run made again stopped before the step that had failed: the failure stands, fail',
    endpoint: ep(seq([stalledOnce([step('LIST')], { stoppedEarly: 'the control connection closed' })])),
    expect: { status: 'fail', detail: /decided nothing/ },
  },
  {
    name: 'the first transfer already failed: skipped, FTP-DATA-PASSIVE judges that',
    endpoint: ep(seq([run([refused('LIST', 522, 'refused', { resumed: false }), refused('LIST', 522, 'refused', { resumed: false })])])),
    expect: { status: 'skipped', detail: /first transfer already failed \(see FTP-DATA-PASSIVE\)/ },
  },
]);

checkCases(ftpsClientLibraries, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  { name: 'no sequence: skipped', endpoint: ep(undefined), expect: { status: 'skipped' } },
  {
    name: 'reuse required, single-use tickets: ftplib fails every transfer, control-session clients fail at STOR',
    endpoint: ep(seq([singleUse('latest'), singleUse('control')]), true),
    expect: {
      status: 'info',
      detail:
        /Python ftplib's FTP_TLS\) fail every PROT P transfer.*control connection's session on every data connection fail at transfer 2 \(STOR\).*newest ticket \(curl, Node basic-ftp 6\) fail at transfer 2/,
    },
  },
  {
    name: 'a failure that did not come back when the run was made again: those clients fail now and then',
    endpoint: ep(seq([stalledOnce([step('LIST'), step('LIST')]), run(FULL(), { offer: 'control' })]), false),
    expect: { status: 'info', detail: /newest ticket \(curl, Node basic-ftp 6\) fail now and then at transfer 2 \(LIST\)/ },
  },
  {
    name: 'resumption not required, tickets reusable: everyone completes',
    endpoint: ep(seq([run(FULL()), run(FULL(), { offer: 'control' })]), false),
    expect: { status: 'info', detail: /ftplib's FTP_TLS\) work: .*complete the sequence .*complete the sequence/ },
  },
]);
