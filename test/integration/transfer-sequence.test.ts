// Issue 17, "one listing is not a transfer": the transfer sequence (LIST, STOR, LIST, RETR, DELE)
// on scripted servers whose failure no real lab server has (single-use TLS 1.3 tickets; a resumed
// session accepted for LIST but not for STOR), and on the lab servers compared with curl doing
// the same sequence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointReport, FtpSequenceRun } from '../../src/model.js';
import { scanJson } from '../helpers/cli.js';
import { startNoResumedStorFtp, startSingleUseTicketFtp } from '../hostile/tickets.js';

const PW = 'Qz7-wombat-91';
const ENV = { XFS_SEQ_PW: PW };
const CREDS = ['--user', 'u', '--password-env', 'XFS_SEQ_PW', '--timeout', '2000'];

const steps = (run: FtpSequenceRun | undefined) =>
  run?.steps.map((s) => `${s.command}:${s.ok ? 'ok' : (s.replies.end ?? s.replies.start)}`);
const runOf = (ep: EndpointReport, offer: 'latest' | 'control') => ep.ftp!.transferSequence!.runs.find((r) => r.offer === offer);

describe('scripted: single-use TLS 1.3 tickets', () => {
  let server: Awaited<ReturnType<typeof startSingleUseTicketFtp>>;
  let ep: EndpointReport;
  beforeAll(async () => {
    server = await startSingleUseTicketFtp();
    const { report } = await scanJson([`127.0.0.1:${server.port}`, ...CREDS, '--write-test'], { env: ENV });
    ep = report.endpoints[0]!;
  }, 90_000);
  afterAll(() => server?.close());

  it('the first data connection resumes; STOR offers the same ticket again and is refused (522), not resumed', () => {
    for (const offer of ['latest', 'control'] as const) {
      const run = runOf(ep, offer)!;
      expect(run.steps[0]).toMatchObject({ command: 'LIST', ok: true, tls: { resumed: true, offeredBefore: false, version: 'TLSv1.3' } });
      expect(run.steps[1]).toMatchObject({ command: 'STOR', ok: false, tls: { resumed: false, offeredBefore: true } });
      expect(run.steps[1]!.error).toMatch(/^522/);
      expect(run.skipped.join(' ')).toMatch(/RETR: the upload failed/);
    }
  });

  it('a client that keeps offering the control session fails every later transfer the same way', () => {
    expect(steps(runOf(ep, 'control'))).toEqual(['LIST:ok', 'STOR:522', 'LIST:522', 'DELE:550']);
    expect(runOf(ep, 'control')!.steps[2]!.tls).toMatchObject({ resumed: false, offeredBefore: true });
  });

  it('nothing is left on the server', () => {
    expect([...server.observed.files.keys()]).toEqual([]);
    expect(ep.ftp!.transferSequence!.leftBehind).toBeNull();
  });
});

describe('scripted: a resumed session is accepted for LIST, refused for STOR', () => {
  let server: Awaited<ReturnType<typeof startNoResumedStorFtp>>;
  let ep: EndpointReport;
  beforeAll(async () => {
    server = await startNoResumedStorFtp();
    const { report } = await scanJson([`127.0.0.1:${server.port}`, ...CREDS, '--write-test'], { env: ENV });
    ep = report.endpoints[0]!;
  }, 90_000);
  afterAll(() => server?.close());

  it('LIST works, STOR is refused (425) after a resumed handshake, the later LIST still works', () => {
    const run = runOf(ep, 'latest')!;
    expect(steps(run)?.slice(0, 3)).toEqual(['LIST:ok', 'STOR:425', 'LIST:ok']);
    expect(run.steps[1]!.tls!.resumed).toBe(true);
    expect(run.skipped.join(' ')).toMatch(/RETR/);
  });
});
