// CCS injection (CVE-2014-0224), the published test (Masashi Kikuchi's finding; the method of
// nmap's ssl-ccs-injection): after the server's first flight, send ChangeCipherSpec twice before
// any key exchange. A patched server rejects the first with a fatal unexpected_message alert. A
// vulnerable OpenSSL accepts it, switches to keys derived from an empty master secret, and fails
// the second one (bad_record_mac / decryption_failed). Any reaction other than unexpected_message
// is therefore the accepted CCS. One connection.
import type { OpenTransport } from '../prober.js';
import {
  describeEvent,
  dialerOf,
  legacyFlightProblem,
  legacyHello,
  reactionWindow,
  record,
  versionName,
  withFlight,
  type ActiveOptions,
} from './conn.js';
import type { VulnResultBase } from './types.js';

export interface CcsInjectionResult extends VulnResultBase {
  id: 'ccs-injection';
  /** what the server did after the two early ChangeCipherSpec records */
  reaction: string | null;
  version: string | null;
}

export async function testCcsInjection(open: OpenTransport, o: ActiveOptions = {}): Promise<CcsInjectionResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const timeoutMs = o.timeoutMs ?? 8000;
  const hello = legacyHello(o.version ?? 0x0303, o.serverName);
  const base = { id: 'ccs-injection' as const, intrusive: true, derived: false };
  const r = await withFlight(dialer, 'ccs-injection', hello, timeoutMs, async (conn, fr) => {
    const problem = legacyFlightProblem(fr);
    if (problem) return { status: problem.status, evidence: [problem.why], reaction: null, version: null };
    const v = fr.flight.serverHello!.version;
    const ccs = record(20, v, Buffer.from([1]));
    conn.write(Buffer.concat([ccs, ccs]));
    const wait = reactionWindow(fr.ms, timeoutMs);
    const e = await conn.next(wait);
    const reaction = describeEvent(e);
    const head = `${versionName(v)} handshake; two ChangeCipherSpec records sent right after ServerHelloDone`;
    if (e.kind === 'record' && e.type === 21 && e.fragment[1] === 10)
      return {
        status: 'not-vulnerable' as const,
        evidence: [head, `the server rejected the early CCS: ${reaction}`],
        reaction,
        version: versionName(v),
      };
    if (e.kind === 'record')
      return {
        status: 'vulnerable' as const,
        evidence: [head, `the server accepted the early CCS: it answered ${reaction} instead of unexpected_message`],
        reaction,
        version: versionName(v),
      };
    if (e.kind === 'closed')
      return {
        status: 'not-vulnerable' as const,
        evidence: [head, `the server closed the connection without accepting the CCS (${reaction}, no alert)`],
        reaction,
        version: versionName(v),
      };
    return {
      status: 'inconclusive' as const,
      evidence: [head, e.kind === 'timeout' ? `no reaction within ${wait} ms` : reaction],
      reaction,
      version: versionName(v),
    };
  });
  const ms = Math.round(performance.now() - t0);
  const connections = dialer.count('ccs-injection');
  if (!r.ok) return { ...base, status: 'inconclusive', evidence: [r.error], reaction: null, version: null, connections, ms };
  return { ...base, ...r.value, connections, ms };
}
