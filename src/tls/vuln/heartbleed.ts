// Heartbleed (CVE-2014-0160). One connection: a TLS ≤ 1.2 hello offering the heartbeat
// extension, the server's first flight, then one heartbeat_request whose payload_length claims
// 64 bytes while only 16 follow (no padding). RFC 6520 says such a message is silently dropped;
// a vulnerable server answers with a heartbeat_response echoing 64 bytes — 48 of them from its
// memory. We decide from the response's header and claimed length alone: the record layer keeps
// only its first 3 bytes and wipes the rest as it arrives (nothing leaked is stored or reported).
import type { OpenTransport } from '../prober.js';
import { EXT, HEARTBEAT_PEER_ALLOWED } from '../hello.js';
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
  type RecordConn,
} from './conn.js';
import type { VulnResultBase } from './types.js';

export interface HeartbleedResult extends VulnResultBase {
  id: 'heartbleed';
  /** the ServerHello acknowledged the heartbeat extension; null without a ServerHello */
  heartbeatExtension: boolean | null;
  /** payload bytes we sent and the payload_length we claimed */
  payloadSent: number;
  payloadClaimed: number;
  /** length of the heartbeat response record, when one came (its content is never kept) */
  responseLength: number | null;
  /** payload_length the response claimed */
  responseClaimed: number | null;
  /** the TLS version the test ran at */
  version: string | null;
}

const MARKER = Buffer.from('xferscan-hb-test', 'ascii');
const CLAIM = 64;

/** The malformed heartbeat_request: claims CLAIM payload bytes, carries MARKER (16) and no padding. */
export function heartbeatRequest(version: number): Buffer {
  const body = Buffer.concat([Buffer.from([1, CLAIM >> 8, CLAIM & 0xff]), MARKER]);
  return record(24, version, body);
}

/** The heartbeat step on a connection whose first flight is complete. */
export async function heartbeatStep(
  conn: RecordConn,
  version: number,
  waitMs: number,
): Promise<Pick<HeartbleedResult, 'status' | 'responseLength' | 'responseClaimed'> & { evidence: string[] }> {
  conn.write(heartbeatRequest(version));
  const e = await conn.next(waitMs);
  if (e.kind === 'record' && e.type === 24) {
    const claimed = e.fragment.length >= 3 ? e.fragment.readUInt16BE(1) : null;
    const overRead = e.fragment[0] === 2 && claimed !== null && claimed > MARKER.length && e.length >= 3 + claimed;
    return {
      status: overRead ? 'vulnerable' : 'inconclusive',
      responseLength: e.length,
      responseClaimed: claimed,
      evidence: [
        overRead
          ? `heartbeat response of ${e.length} bytes echoing ${claimed} payload bytes, but we sent ${MARKER.length}: the server read ${claimed! - MARKER.length} bytes past our message (their content was discarded, not kept)`
          : `unexpected heartbeat record of ${e.length} bytes (type ${e.fragment[0]}, claimed ${claimed ?? '?'})`,
      ],
    };
  }
  const what = describeEvent(e);
  return {
    status: e.kind === 'error' ? 'inconclusive' : 'not-vulnerable',
    responseLength: null,
    responseClaimed: null,
    evidence: [
      e.kind === 'timeout'
        ? `no heartbeat response within ${waitMs} ms to a request claiming ${CLAIM} bytes with ${MARKER.length} sent (RFC 6520: silently discarded)`
        : `answered the over-long heartbeat request with ${what}, not with a heartbeat response`,
    ],
  };
}

export async function testHeartbleed(open: OpenTransport, o: ActiveOptions = {}): Promise<HeartbleedResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const timeoutMs = o.timeoutMs ?? 8000;
  const version = o.version ?? 0x0303;
  const hello = legacyHello(version, o.serverName, { extraExtensions: [{ type: EXT.heartbeat, data: HEARTBEAT_PEER_ALLOWED }] });
  const base = {
    id: 'heartbleed' as const,
    intrusive: true,
    derived: false,
    payloadSent: MARKER.length,
    payloadClaimed: CLAIM,
  };
  const r = await withFlight(dialer, 'heartbleed', hello, timeoutMs, async (conn, fr) => {
    const sh = fr.flight.serverHello;
    const ext = sh ? sh.extensions.some((x) => x.type === EXT.heartbeat) : null;
    const problem = legacyFlightProblem(fr);
    if (problem)
      return {
        status: problem.status,
        evidence: [problem.why],
        heartbeatExtension: ext,
        responseLength: null,
        responseClaimed: null,
        version: null,
      };
    const step = await heartbeatStep(conn, sh!.version, reactionWindow(fr.ms, timeoutMs));
    const evidence = [
      `${versionName(sh!.version)} handshake; heartbeat extension ${ext ? 'acknowledged' : 'not acknowledged'} in the ServerHello`,
      ...step.evidence,
    ];
    return { ...step, evidence, heartbeatExtension: ext, version: versionName(sh!.version) };
  });
  const ms = Math.round(performance.now() - t0);
  const connections = dialer.count('heartbleed');
  if (!r.ok)
    return {
      ...base,
      status: 'inconclusive',
      evidence: [r.error],
      heartbeatExtension: null,
      responseLength: null,
      responseClaimed: null,
      version: null,
      connections,
      ms,
    };
  return { ...base, ...r.value, connections, ms };
}
