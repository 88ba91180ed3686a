// Ticketbleed (CVE-2016-9244, F5 BIG-IP): on resuming from a session ticket, the server echoes a
// 32-byte session ID whatever length the client sent, the missing bytes coming from its memory.
// Two connections: a full TLS 1.2 handshake (node:tls) to obtain a ticket, then a raw hello that
// offers the ticket with a 31-byte session ID. A server that echoes more than 31 bytes starting
// with ours is vulnerable (one byte of its memory would follow; it is not kept). An exact echo, or
// a full handshake with a fresh session ID of its own, is not. No ticket: not applicable.
import crypto from 'node:crypto';
import type { OpenTransport } from '../prober.js';
import { nodeHandshake } from '../handshake.js';
import { parseServerHello, type ServerHelloInfo } from '../hello.js';
import { describeEvent, dialerOf, legacyHello, transportError, versionName, RecordConn, type ActiveOptions, type Dialer } from './conn.js';
import type { VulnResultBase } from './types.js';

export interface TicketbleedResult extends VulnResultBase {
  id: 'ticketbleed';
  ticketIssued: boolean | null;
  /** session ID bytes we sent and the server echoed */
  sessionIdSent: number;
  sessionIdEchoed: number | null;
  /** the server resumed from the ticket (abbreviated handshake) */
  resumed: boolean | null;
}

const SENT = 31;

/** Reads the ServerHello and the messages after it up to ChangeCipherSpec / Certificate. */
async function readResumption(
  conn: RecordConn,
  timeoutMs: number,
): Promise<{ sh: ServerHelloInfo | null; resumed: boolean | null; why: string }> {
  const deadline = performance.now() + timeoutMs;
  let hs = Buffer.alloc(0);
  let sh: ServerHelloInfo | null = null;
  for (;;) {
    const e = await conn.next(deadline - performance.now());
    if (e.kind !== 'record') return { sh, resumed: null, why: describeEvent(e) };
    if (e.type === 21) return { sh, resumed: null, why: describeEvent(e) };
    if (e.type === 20) return { sh, resumed: sh !== null, why: 'ChangeCipherSpec right after the ServerHello' };
    if (e.type !== 22) return { sh, resumed: null, why: describeEvent(e) };
    hs = Buffer.concat([hs, e.fragment]);
    while (hs.length >= 4) {
      const len = (hs[1]! << 16) | (hs[2]! << 8) | hs[3]!;
      if (hs.length < 4 + len) break;
      const type = hs[0]!;
      const body = hs.subarray(4, 4 + len);
      hs = hs.subarray(4 + len);
      if (!sh) {
        if (type !== 2) return { sh, resumed: null, why: `handshake message ${type} before the ServerHello` };
        const p = parseServerHello(Buffer.from(body));
        if (!p.ok) return { sh, resumed: null, why: `ServerHello: ${p.error}` };
        sh = p.value;
        if (sh.version >= 0x0304) return { sh, resumed: null, why: 'TLS 1.3 ServerHello' };
        continue;
      }
      if (type === 11 || type === 12 || type === 14)
        return { sh, resumed: false, why: 'full handshake (Certificate/ServerKeyExchange follows)' };
    }
  }
}

export interface TicketbleedOptions extends ActiveOptions {
  /** a ticket obtained already (the battery's full handshake); skips the first connection */
  ticket?: Buffer | null;
}

export async function ticketbleedWith(dialer: Dialer, ticket: Buffer, o: TicketbleedOptions) {
  const timeoutMs = o.timeoutMs ?? 8000;
  const sent = crypto.randomBytes(SENT);
  try {
    return await dialer.with('ticketbleed', async (raw) => {
      const conn = new RecordConn(raw);
      try {
        conn.write(legacyHello(0x0303, o.serverName, { sessionId: sent, sessionTicketData: ticket }));
        const r = await readResumption(conn, timeoutMs);
        return { sent, ...r, error: null as string | null };
      } finally {
        conn.close();
      }
    });
  } catch (err) {
    return { sent, sh: null, resumed: null, why: '', error: transportError(err) };
  }
}

export function ticketbleedVerdict(
  sent: Buffer,
  r: { sh: ServerHelloInfo | null; resumed: boolean | null; why: string },
): Pick<TicketbleedResult, 'status' | 'evidence' | 'sessionIdEchoed' | 'resumed'> {
  const sh = r.sh;
  if (!sh)
    return { status: 'inconclusive', evidence: [`no ServerHello to the resumption hello: ${r.why}`], sessionIdEchoed: null, resumed: null };
  const echoed = sh.sessionId.length;
  const head = `offered the ticket with a ${sent.length}-byte session ID; ${versionName(sh.version)} ServerHello with a ${echoed}-byte session ID (${r.why})`;
  if (echoed > sent.length && sh.sessionId.subarray(0, sent.length).equals(sent))
    return {
      status: 'vulnerable',
      evidence: [head, `the server echoed our ${sent.length} bytes plus ${echoed - sent.length} more from its memory (not kept)`],
      sessionIdEchoed: echoed,
      resumed: r.resumed,
    };
  if (r.resumed && sh.sessionId.equals(sent))
    return {
      status: 'not-vulnerable',
      evidence: [head, 'resumed from the ticket and echoed exactly our session ID'],
      sessionIdEchoed: echoed,
      resumed: true,
    };
  if (r.resumed === false)
    return {
      status: 'not-vulnerable',
      evidence: [
        head,
        'the server did not resume from the ticket (full handshake with a session ID of its own): nothing of ours was echoed',
      ],
      sessionIdEchoed: echoed,
      resumed: false,
    };
  return {
    status: 'inconclusive',
    evidence: [head, 'could not tell whether the server resumed'],
    sessionIdEchoed: echoed,
    resumed: r.resumed,
  };
}

export async function testTicketbleed(open: OpenTransport, o: TicketbleedOptions = {}): Promise<TicketbleedResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const timeoutMs = o.timeoutMs ?? 8000;
  const base = { id: 'ticketbleed' as const, intrusive: false, derived: false, sessionIdSent: SENT };
  const tail = () => ({ connections: dialer.count('ticketbleed'), ms: Math.round(performance.now() - t0) });
  let ticket = o.ticket ?? null;
  if (!o.ticket) {
    let hsError: string | null = null;
    try {
      const { result } = await dialer.with('ticketbleed', (raw) =>
        nodeHandshake(raw, { serverName: o.serverName, timeoutMs, maxVersion: 'TLSv1.2' }),
      );
      if (!result.ok)
        hsError =
          result.alert === 'protocol_version'
            ? 'no TLS ≤ 1.2 (session tickets of this kind are TLS ≤ 1.2)'
            : `TLS 1.2 handshake failed: ${result.error}`;
      ticket = result.ticket;
      if (!result.ok && result.alert === 'protocol_version')
        return {
          ...base,
          status: 'not-applicable',
          evidence: [hsError!],
          ticketIssued: null,
          sessionIdEchoed: null,
          resumed: null,
          ...tail(),
        };
    } catch (err) {
      hsError = transportError(err);
    }
    if (hsError)
      return { ...base, status: 'inconclusive', evidence: [hsError], ticketIssued: null, sessionIdEchoed: null, resumed: null, ...tail() };
  }
  if (!ticket?.length)
    return {
      ...base,
      status: 'not-applicable',
      evidence: ['the server issued no session ticket in a full TLS 1.2 handshake'],
      ticketIssued: false,
      sessionIdEchoed: null,
      resumed: null,
      ...tail(),
    };
  const r = await ticketbleedWith(dialer, ticket, o);
  if (r.error)
    return { ...base, status: 'inconclusive', evidence: [r.error], ticketIssued: true, sessionIdEchoed: null, resumed: null, ...tail() };
  return { ...base, ...ticketbleedVerdict(r.sent, r), ticketIssued: true, ...tail() };
}
