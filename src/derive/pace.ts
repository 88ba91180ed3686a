// The pace of an endpoint's scan (src/model/pace.ts), worked out from what the scan recorded: how
// many connections the probes made after detection, the TLS inventory's plan (its handshakes, the
// round trips each holds a connection, its longest chain), the vulnerability battery's connections
// (each a set-up and a hello, as the inventory counts them) and the SSH audit's plan. Every
// connection needs at least 2 round trips (connect, then one reply); with `cap` connections side
// by side, the probes' round trips take at least ⌈sum ÷ cap⌉ of them, and never fewer than their
// longest chain (the TLS inventory's, the SSH audit's, or the longest FTP session: each of its
// commands waits for its reply); detection (connect, the server's first words) comes before all.
import type { GreetingDelays, ScanPace, SshAuditPlan, TlsProbePlan, TranscriptLine } from '../model.js';

/** Round trips a connection needs at the least: the TCP connect and one reply. */
export const MIN_RTTS_PER_CONNECTION = 2;
/** Round trips before any probe may start: detection's connect and the server's first words. */
export const DETECTION_RTTS = 2;

export interface PaceInput {
  elapsedMs: number;
  /** --connections */
  connectionCap: number;
  /** the server's limit the scan learned from refusals (lower than the cap), if any: it never
   * served more of our connections at once, so the bound holds with it */
  serverLimit?: number | null;
  /** connections counted against the cap after detection */
  connections: number;
  tlsPlan?: Pick<TlsProbePlan, 'rttMs' | 'handshakes' | 'rttsPerHandshake' | 'lowerBoundRtts'> | null;
  /** connections of the vulnerability battery: each a set-up and a hello, no cheaper than an inventory handshake */
  tlsTestConnections?: number;
  sshPlan?: Pick<SshAuditPlan, 'rttMs' | 'lowerBoundRtts'> | null;
  /** the longest FTP session after detection, in round trips (longestFtpSessionRtts) */
  ftpSessionRtts?: number;
  /** how long FTP servers took to greet (ftpGreetingDelays) */
  greetingMs?: GreetingDelays | null;
}

/** Connections of detection: they come before the probes (DETECTION_RTTS). */
const DETECTION_CONN = /^(detect|auth-ssl|hello-pipelining)#/;

/**
 * The FTP session after detection with the most commands, in round trips: its connect, then each
 * command but the last waiting for its reply (QUIT's may not be waited for). From what the
 * transcript kept, so never more than the session took.
 */
export function longestFtpSessionRtts(lines: readonly TranscriptLine[]): number {
  const commands = new Map<string, number>();
  for (const l of lines) if (l.dir === 'client' && !DETECTION_CONN.test(l.conn)) commands.set(l.conn, (commands.get(l.conn) ?? 0) + 1);
  return commands.size ? Math.max(...commands.values()) : 0;
}

/**
 * How long FTP servers took to greet: per control connection, from the TCP connect (its note) to
 * the greeting line. At least a round trip; beyond it, the server's own delay (ProFTPD 1.3.8's
 * master pauses 200-400 ms after each session ends before it accepts the next connection), which
 * sets a scan's pace where round trips do not. Null without an FTP greeting.
 */
export function ftpGreetingDelays(lines: readonly TranscriptLine[]): GreetingDelays | null {
  const connected = new Map<string, number>();
  const delays: number[] = [];
  for (const l of lines) {
    if (l.dir === 'note' && l.step === 'connect' && / open after /.test(l.text) && !connected.has(l.conn))
      connected.set(l.conn, Date.parse(l.t));
    else if (l.dir === 'server' && l.step === 'greeting' && connected.has(l.conn)) {
      delays.push(Math.max(0, Date.parse(l.t) - connected.get(l.conn)!));
      connected.delete(l.conn);
    }
  }
  if (!delays.length) return null;
  const sorted = [...delays].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted[sorted.length - 1]!, samples: sorted.length };
}

export function scanPace(i: PaceInput): ScanPace {
  const hellos = i.tlsPlan ? i.tlsPlan.handshakes + (i.tlsTestConnections ?? 0) : 0;
  const tlsExtra = i.tlsPlan ? hellos * Math.max(0, i.tlsPlan.rttsPerHandshake - MIN_RTTS_PER_CONNECTION) : 0;
  const roundTrips = i.connections * MIN_RTTS_PER_CONNECTION + tlsExtra;
  const chainRtts = Math.max(i.tlsPlan?.lowerBoundRtts ?? 0, i.sshPlan?.lowerBoundRtts ?? 0, i.ftpSessionRtts ?? 0);
  const cap = Math.max(1, i.connectionCap);
  const limited = i.serverLimit != null && i.serverLimit < cap ? Math.max(1, i.serverLimit) : null;
  const lowerBoundRtts = DETECTION_RTTS + Math.max(Math.ceil(roundTrips / (limited ?? cap)), chainRtts);
  const rtts = [i.tlsPlan?.rttMs, i.sshPlan?.rttMs].filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0);
  const rttMs = rtts.length ? Math.min(...rtts) : null;
  return {
    elapsedMs: Math.round(i.elapsedMs),
    rttMs,
    connectionCap: cap,
    ...(limited !== null ? { serverLimit: limited } : {}),
    connections: i.connections,
    roundTrips,
    chainRtts,
    lowerBoundRtts,
    lowerBoundMs: rttMs === null ? null : Math.round(lowerBoundRtts * rttMs),
    ...(i.greetingMs ? { greetingMs: i.greetingMs } : {}),
  };
}
