// The firewall view: one pure function from the report to, per endpoint, what a file transfer
// needs from the firewalls on the path (control port, passive data range, active connect-back)
// and which of those the scan found blocked — written as rules to hand to the firewall team.
// It goes into the JSON report (`firewall`), so every renderer tells the same story.
// It judges from facts the probes recorded (TCP states, data-channel steps, replies), never guesses:
// "dropped" = silence (a firewall), "reset" = RST (nothing listens, or a firewall rejects),
// "server-refused" = the server said no (425/5xx) — that is not a firewall rule.
import type {
  ActiveView,
  Blockage,
  EndpointReport,
  FirewallEndpoint,
  FirewallRule,
  FirewallView,
  FtpDataChannel,
  PassivePortView,
  PortState,
  Report,
} from '../model.js';

export type { ActiveView, Blockage, FirewallEndpoint, FirewallRule, FirewallView, PassivePortView } from '../model.js';

const name = (ep: Pick<EndpointReport, 'host' | 'port'>) => `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
const isFtp = (ep: EndpointReport) =>
  !!ep.ftp && (ep.service === 'ftp' || ep.service === 'ftps-explicit' || ep.service === 'ftps-implicit');
const passiveMode = (d: FtpDataChannel) => d.mode === 'PASV' || d.mode === 'EPSV';
const activeMode = (d: FtpDataChannel) => d.mode === 'PORT' || d.mode === 'EPRT';

/** TCP state of a failed passive data connect, from the transfer's error ("data port N filtered (ETIMEDOUT)"). */
export function dataConnectState(d: FtpDataChannel): PortState | null {
  if (d.failedStep !== 'connect' || !d.error) return null;
  const m = /data port \d+ (open|closed|filtered|unreachable|timeout)\b/.exec(d.error);
  return m ? (m[1] as PortState) : null;
}

export interface PassiveObservation {
  port: number;
  state: PortState;
  source: 'sample' | 'transfer';
}

/** Every passive port the server advertised and what dialling it (at the control address) gave. */
export function passiveObservations(ep: EndpointReport): PassiveObservation[] {
  const ftp = ep.ftp;
  if (!ftp) return [];
  const out: PassiveObservation[] = [];
  for (const s of ftp.passiveSamples ?? [])
    if (s.port !== null && s.reachable) out.push({ port: s.port, state: s.reachable, source: 'sample' });
  for (const d of ftp.dataChannels) {
    if (!passiveMode(d) || d.port === null) continue;
    if (d.failedStep === 'setup') continue;
    const state = d.failedStep === 'connect' ? dataConnectState(d) : 'open';
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

function expectedRangeFor(ep: EndpointReport, report: Report): [number, number] | null {
  // The check saw the range in force for this endpoint (option or policy): read it from its finding.
  const f = ep.findings.find((x) => x.id === 'FTP-PASV-RANGE');
  const m = f ? /expected (\d+)-(\d+)/.exec(f.detail) : null;
  if (m) return [Number(m[1]), Number(m[2])];
  const o = report.options?.expectPassiveRange;
  return Array.isArray(o) && o.length === 2 && o.every((x) => typeof x === 'number') ? [o[0] as number, o[1] as number] : null;
}

function blockageOf(state: PortState): Blockage | null {
  if (state === 'filtered' || state === 'timeout') return 'dropped';
  if (state === 'closed') return 'reset';
  if (state === 'unreachable') return 'unreachable';
  return null;
}

const BLOCKAGE_WORDS: Record<Blockage, string> = {
  dropped: 'no answer (silence): a firewall drops it',
  reset: 'answered with a TCP reset: nothing listens there, or a firewall rejects it',
  unreachable: 'ICMP/route error: a firewall rejects it with an ICMP error, or there is no route',
  'no-connect-back': 'the server never connected back: a firewall on the path drops it (or the client is behind NAT)',
};

function endpointView(ep: EndpointReport, i: number, report: Report): FirewallEndpoint {
  const addr = ep.address ?? ep.host;
  const rules: FirewallRule[] = [];
  const controlBlock = blockageOf(ep.state);
  rules.push({
    purpose: 'control',
    side: 'server',
    direction: 'inbound',
    protocol: 'tcp',
    from: 'clients',
    to: addr,
    ports: String(ep.port),
    status: controlBlock ? 'blocked' : 'ok',
    ...(controlBlock ? { blockage: controlBlock } : {}),
    text: `allow inbound TCP ${addr}:${ep.port} from clients (${ep.service ?? 'control'} connection, server side)`,
    evidence: controlBlock
      ? `${name(ep)}: ${BLOCKAGE_WORDS[controlBlock]} (state ${ep.state}${ep.connectMs !== null ? ` after ${ep.connectMs} ms` : ''})`
      : `${name(ep)} accepted TCP (${ep.connectMs ?? '?'} ms)`,
  });

  let passive: PassivePortView | null = null;
  let active: ActiveView | null = null;
  if (ep.state === 'open' && isFtp(ep)) {
    const ftp = ep.ftp!;
    const states = passivePortStates(passiveObservations(ep));
    const observed = [...new Set([...ftp.passivePortsSeen, ...states.keys()])].sort((a, b) => a - b);
    const by = (s: PortState[]) =>
      [...states.entries()]
        .filter(([, st]) => s.includes(st))
        .map(([p]) => p)
        .sort((a, b) => a - b);
    const expectedRange = expectedRangeFor(ep, report);
    passive = {
      observed,
      observedRange: observed.length ? [observed[0], observed[observed.length - 1]] : null,
      expectedRange,
      outsideExpected: expectedRange ? observed.filter((p) => p < expectedRange[0] || p > expectedRange[1]) : [],
      reached: by(['open']),
      filtered: by(['filtered', 'timeout']),
      closed: by(['closed']),
      unreachable: by(['unreachable']),
      serverRefused: ftp.dataChannels
        .filter(
          (d) =>
            passiveMode(d) &&
            d.failedStep &&
            d.failedStep !== 'connect' &&
            d.failedStep !== 'setup' &&
            /^(42\d|5\d\d)\b/.test(d.error ?? ''),
        )
        .map((d) => `${d.mode} port ${d.port}: ${d.error}`),
    };
    const rangeAll = passive.observedRange ?? expectedRange;
    if (rangeAll) {
      const blocked: { ports: number[]; blockage: Blockage }[] = [
        { ports: passive.filtered, blockage: 'dropped' },
        { ports: passive.closed, blockage: 'reset' },
        { ports: passive.unreachable, blockage: 'unreachable' },
      ];
      for (const b of blocked) {
        for (const r of blockedRanges(b.ports, passive.reached)) {
          const ports = rangeText(r);
          const inR = b.ports.filter((p) => p >= r[0] && p <= r[1]);
          rules.push({
            purpose: 'passive-data',
            side: 'server',
            direction: 'inbound',
            protocol: 'tcp',
            from: 'clients',
            to: addr,
            ports,
            status: 'blocked',
            blockage: b.blockage,
            text: `allow inbound TCP ${addr}:${ports} from clients (passive data, server side)`,
            evidence: `advertised in PASV/EPSV replies and dialled at ${addr}: ${inR.join(', ')} — ${BLOCKAGE_WORDS[b.blockage]}${inR.length < r[1] - r[0] + 1 ? '; the ports between them were not advertised to us (sampled), the range is inferred' : ''}`,
          });
        }
      }
      const span = rangeText(expectedRange ?? rangeAll);
      rules.splice(1, 0, {
        purpose: 'passive-data',
        side: 'server',
        direction: 'inbound',
        protocol: 'tcp',
        from: 'clients',
        to: addr,
        ports: span,
        status: passive.reached.length > 0 ? 'ok' : 'untested',
        text: `allow inbound TCP ${addr}:${span} from clients (passive data range${expectedRange ? ', as expected' : ', as observed (sampled)'}, server side)`,
        evidence: `${observed.length} passive port(s) seen: ${observed.join(', ') || 'none'}; reached: ${passive.reached.join(', ') || 'none'}${passive.outsideExpected.length ? `; outside the expected ${rangeText(expectedRange!)}: ${passive.outsideExpected.join(', ')} (the server hands out ports the firewall is not expected to open: narrow the server's range, or open these)` : ''}`,
      });
    }

    const act = ftp.dataChannels.filter(activeMode);
    if (act.length > 0) {
      const noBack = act.filter((d) => d.failedStep === 'connect');
      const refusedBy = act
        .filter((d) => d.failedStep !== 'connect' && !d.ok && d.error && /^(PORT|EPRT) refused|^(42\d|5\d\d)\b/.test(d.error))
        .map((d) => `${d.mode} PROT ${d.protection}: ${d.error}`);
      const ok = act.some((d) => d.ok);
      active = {
        tested: true,
        ok,
        noConnectBack: !ok && noBack.length > 0,
        serverRefused: refusedBy,
        clientAddress: act.find((d) => d.connectAddress)?.connectAddress ?? null,
      };
    } else active = { tested: false, ok: false, noConnectBack: false, serverRefused: [], clientAddress: null };
    const client = active.clientAddress ?? 'clients';
    const srcPort = ep.service === 'ftps-implicit' ? 989 : 20;
    const status: FirewallRule['status'] = !active.tested ? 'untested' : active.ok ? 'ok' : active.noConnectBack ? 'blocked' : 'untested';
    const evidence = !active.tested
      ? 'active mode not tested (--active)'
      : active.ok
        ? 'an active data connection carried a listing'
        : active.noConnectBack
          ? `${BLOCKAGE_WORDS['no-connect-back']}: ${act
              .filter((d) => d.failedStep === 'connect')
              .map((d) => `${d.mode} → ${d.error}`)
              .join('; ')}`
          : `the server refused active mode by reply (not a firewall): ${active.serverRefused.join('; ') || act.map((d) => d.error).join('; ')}`;
    const extra = status === 'blocked' ? { blockage: 'no-connect-back' as const } : {};
    rules.push(
      {
        purpose: 'active-data',
        side: 'server',
        direction: 'outbound',
        protocol: 'tcp',
        from: `${addr} port ${srcPort}`,
        to: client,
        ports: '1024-65535',
        status,
        ...extra,
        text: `allow outbound TCP from ${addr} port ${srcPort} (the server's data port) to ${client} ports 1024-65535 (active data, server side)`,
        evidence,
      },
      {
        purpose: 'active-data',
        side: 'client',
        direction: 'inbound',
        protocol: 'tcp',
        from: `${addr} port ${srcPort}`,
        to: client,
        ports: '1024-65535',
        status,
        ...extra,
        text: `allow inbound TCP to ${client} ports 1024-65535 from ${addr} port ${srcPort} (active data, client side; or an FTP-aware NAT/helper)`,
        evidence,
      },
    );
  }
  const missing = rules.filter((r) => r.status === 'blocked');
  return {
    endpoint: name(ep),
    endpointIndex: i,
    address: ep.address,
    service: ep.service,
    control: { port: ep.port, state: ep.state, verdict: controlBlock ?? 'reachable' },
    passive,
    active,
    rules,
    missing,
  };
}

export function computeFirewall(report: Report): FirewallView {
  const endpoints = report.endpoints.map((ep, i) => endpointView(ep, i, report));
  const withMissing = endpoints.filter((e) => e.missing.length > 0);
  const missingRules = withMissing.reduce((n, e) => n + e.missing.length, 0);
  const statement =
    withMissing.length === 0
      ? `No firewall blockage seen on ${endpoints.length} endpoint(s) from this vantage point (only the ports and modes tested).`
      : `${missingRules} firewall rule(s) missing on ${withMissing.length} of ${endpoints.length} endpoint(s): ${withMissing.map((e) => `${e.endpoint} (${[...new Set(e.missing.map((r) => r.purpose))].join(', ')})`).join('; ')}.`;
  return { statement, counts: { endpoints: endpoints.length, withMissingRules: withMissing.length, missingRules }, endpoints };
}

/** One line per missing rule, for renderers: "host:port: allow … — evidence". */
export function missingRuleLines(view: FirewallView): string[] {
  return view.endpoints.flatMap((e) => e.missing.map((r) => `${e.endpoint}: ${r.text} — ${r.evidence}`));
}
