// Issue 19: "no experiment waits on another it does not need". With credentials, the FTP
// experiments after the main session ran one session after another: the session-reuse runs of
// TLS 1.3 and of TLS 1.2 (independent of each other), then the transfer sequence's runs
// (independent when none uploads). Through a 25 ms relay that chain took vsftpd's scan to 7.2 s;
// side by side it is 5.2 s. The facts must not change with the schedule: the reuse results stay
// in version order (and ftp-deep.test.ts holds their values per server), and runs that upload
// still go one at a time (a file left behind stops the later uploads).
import { describe, expect, it } from 'vitest';
import type { EndpointReport } from '../../src/model.js';
import { scanJson } from '../helpers/cli.js';
import { labEndpoint, labHas, labLoginArgs } from '../lab/endpoints.js';

const LAB = labHas('vsftpd-explicit');

/** [first, last] transcript time of each connection whose name matches. */
function spans(ep: EndpointReport, name: RegExp): [number, number][] {
  const by = new Map<string, [number, number]>();
  for (const l of ep.transcript) {
    if (!name.test(l.conn)) continue;
    const t = Date.parse(l.t);
    const s = by.get(l.conn);
    by.set(l.conn, s ? [Math.min(s[0], t), Math.max(s[1], t)] : [t, t]);
  }
  return [...by.values()];
}

/** a sequence run's own session (not its clean-up) */
const SEQUENCE_RUN = /^sequence-(EPSV|PASV|EPRT|PORT)-/;

const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

async function scan(extra: string[] = []): Promise<EndpointReport> {
  const e = labEndpoint('vsftpd-explicit');
  const { report } = await scanJson([`127.0.0.1:${e.port}`, ...labLoginArgs(e), ...extra], {
    timeoutMs: 120_000,
  });
  return report.endpoints[0]!;
}

describe.skipIf(!LAB)('FTP experiments run side by side where nothing orders them (vsftpd-explicit, with credentials)', () => {
  it('the session-reuse runs of TLS 1.3 and 1.2 overlap, their results stay in version order; listing-only sequence runs overlap', async () => {
    const ep = await scan();
    const [t13] = spans(ep, /^reuse-TLSv1\.3-without#/);
    const [t12] = spans(ep, /^reuse-TLSv1\.2-without#/);
    expect(t13 && t12, 'both versions were tested').toBeTruthy();
    expect(overlap(t13!, t12!)).toBe(true);
    expect(Object.keys(ep.ftp!.sessionReuse!)).toEqual(['TLSv1.3', 'TLSv1.2']);
    for (const run of Object.values(ep.ftp!.sessionReuse!)) expect(run.withoutReuse.code).toBe(522);
    const seq = spans(ep, SEQUENCE_RUN);
    expect(seq.length).toBe(2);
    expect(overlap(seq[0]!, seq[1]!)).toBe(true);
    expect(ep.ftp!.transferSequence!.runs.map((r) => r.offer)).toEqual(['latest', 'control']);
  }, 150_000);

  it('with --write-test the sequence runs (which upload) go one at a time', async () => {
    const ep = await scan(['--write-test']);
    const seq = spans(ep, SEQUENCE_RUN);
    expect(seq.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seq.length; i++) expect(overlap(seq[i - 1]!, seq[i]!), `runs ${i - 1} and ${i}`).toBe(false);
    expect(ep.ftp!.transferSequence!.leftBehind).toBeNull();
  }, 150_000);
});
