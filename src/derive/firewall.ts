// Derived firewall facts: what the TCP states of the ports we dialled, and the data channels'
// steps and replies, say about the network path. "dropped" = silence (a firewall), "reset" = RST
// (nothing listens, or a firewall rejects), a refusal by reply is the server's, not a firewall's.
import type { Blockage, FtpDataChannel, FtpFacts, PortState } from '../model.js';

export interface PassiveObservation {
  port: number;
  state: PortState;
  source: 'sample' | 'transfer';
}

const passiveMode = (d: FtpDataChannel) => d.mode === 'PASV' || d.mode === 'EPSV';

/** Every passive port the server advertised and what dialling it (at the control address) gave. */
export function passiveObservations(ftp: Pick<FtpFacts, 'passiveSamples' | 'dataChannels'> | null): PassiveObservation[] {
  if (!ftp) return [];
  const out: PassiveObservation[] = [];
  for (const s of ftp.passiveSamples ?? [])
    if (s.port !== null && s.reachable) out.push({ port: s.port, state: s.reachable, source: 'sample' });
  for (const d of ftp.dataChannels) {
    if (!passiveMode(d) || d.port === null || d.failedStep === 'setup') continue;
    const state = d.failedStep === 'connect' ? (d.connectState ?? null) : 'open';
    if (state) out.push({ port: d.port, state, source: 'transfer' });
  }
  return out;
}

/**
 * Per port: a port reached even once was open (a later silence is not the firewall's doing
 * for that port); otherwise its worst state.
 */
export function passivePortStates(obs: PassiveObservation[]): Map<number, PortState> {
  const m = new Map<number, PortState>();
  for (const o of obs) {
    const prev = m.get(o.port);
    if (prev === 'open') continue;
    if (o.state === 'open' || !prev) m.set(o.port, o.state);
    else if (o.state === 'filtered') m.set(o.port, 'filtered');
  }
  return m;
}

/** Ports by state, ascending. */
export function portsIn(states: Map<number, PortState>, want: PortState[]): number[] {
  return [...states.entries()]
    .filter(([, s]) => want.includes(s))
    .map(([p]) => p)
    .sort((a, b) => a - b);
}

/** Collapses blocked ports into ranges, never spanning a port seen open. */
export function blockedRanges(blocked: number[], open: number[]): [number, number][] {
  const b = [...new Set(blocked)].sort((x, y) => x - y);
  const ranges: [number, number][] = [];
  for (const p of b) {
    const last = ranges[ranges.length - 1];
    if (last && !open.some((o) => o > last[1] && o < p)) last[1] = p;
    else ranges.push([p, p]);
  }
  return ranges;
}

export const rangeText = (r: readonly number[]) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);

export function blockageOf(state: PortState): Blockage | null {
  if (state === 'filtered' || state === 'timeout') return 'dropped';
  if (state === 'closed') return 'reset';
  if (state === 'unreachable') return 'unreachable';
  return null;
}

/** A reply code by which the server itself refused a data connection (42x, 5xx). */
export const isRefusalCode = (code: number | null | undefined): boolean => code != null && ((code >= 420 && code < 430) || code >= 500);

/** The server refused this data connection by reply, after (or instead of) the network part. */
export function refusedByServer(d: FtpDataChannel): boolean {
  if (d.ok) return false;
  if (d.failedStep === 'setup') return d.replies?.setup != null && d.replies.setup !== 200;
  if (d.failedStep === 'connect') return false;
  return isRefusalCode(d.replies?.end ?? d.replies?.start);
}

/** Where the server's active data connections came from: the conventional port, ephemeral ports, both, or not seen. */
export interface ActiveSource {
  kind: 'conventional' | 'ephemeral' | 'mixed' | 'unseen';
  /** every source port seen, ascending */
  ports: number[];
}

/**
 * The source ports of the server's active data connections (channel probe and transfer
 * sequence), judged against the conventional one (20, or 989 for implicit FTPS): a firewall
 * rule keyed on that port drops connections from any other.
 */
export function activeSource(ftp: Pick<FtpFacts, 'dataChannels' | 'transferSequence'>, conventional: number): ActiveSource {
  const seen = [
    ...ftp.dataChannels.map((d) => d.activeSourcePort),
    ...(ftp.transferSequence?.runs ?? []).flatMap((r) => r.steps.map((s) => s.activeSourcePort)),
  ].filter((p): p is number => typeof p === 'number');
  const ports = [...new Set(seen)].sort((a, b) => a - b);
  if (ports.length === 0) return { kind: 'unseen', ports };
  const conv = ports.includes(conventional);
  if (conv && ports.length === 1) return { kind: 'conventional', ports };
  return { kind: conv ? 'mixed' : 'ephemeral', ports };
}
