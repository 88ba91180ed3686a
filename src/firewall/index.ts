// The firewall view: one pure function from the report to, per endpoint, what a file transfer
// needs from the firewalls on the path (control port, passive data range, active connect-back)
// and which of those the scan found blocked — written as rules to hand to the firewall team.
// It goes into the JSON report (`firewall`), so every renderer tells the same story. It reads
// derived facts (src/derive/firewall.ts), never text.
import type {
  ActiveView,
  Blockage,
  EndpointReport,
  FirewallEndpoint,
  FirewallRule,
  FirewallView,
  FtpDataChannel,
  PassivePortView,
  Report,
} from '../model.js';
import { activeSourcePort, endpointName, isFtpFamily } from '../knowledge/services.js';
import {
  blockageOf,
  blockedRanges,
  passiveObservations,
  passivePortStates,
  portsIn,
  rangeText,
  refusedByServer,
  activeSource,
} from '../derive/firewall.js';

export type { ActiveView, Blockage, FirewallEndpoint, FirewallRule, FirewallView, PassivePortView } from '../model.js';

const passiveMode = (d: FtpDataChannel) => d.mode === 'PASV' || d.mode === 'EPSV';
const activeMode = (d: FtpDataChannel) => d.mode === 'PORT' || d.mode === 'EPRT';

const BLOCKAGE_WORDS: Record<Blockage, string> = {
  dropped: 'no answer (silence): a firewall drops it',
  reset: 'answered with a TCP reset: nothing listens there, or a firewall rejects it',
  unreachable: 'ICMP/route error: a firewall rejects it with an ICMP error, or there is no route',
  'no-connect-back': 'the server never connected back: a firewall on the path drops it (or the client is behind NAT)',
};

type ServerInbound = Omit<FirewallRule, 'side' | 'direction' | 'protocol' | 'from'>;
const serverInbound = (r: ServerInbound): FirewallRule => ({
  side: 'server',
  direction: 'inbound',
  protocol: 'tcp',
  from: 'clients',
  ...r,
});

function controlRule(ep: EndpointReport, addr: string): FirewallRule {
  const block = blockageOf(ep.state);
  return serverInbound({
    purpose: 'control',
    to: addr,
    ports: String(ep.port),
    status: block ? 'blocked' : 'ok',
    ...(block ? { blockage: block } : {}),
    text: `allow inbound TCP ${addr}:${ep.port} from clients (${ep.service ?? 'control'} connection, server side)`,
    evidence: block
      ? `${endpointName(ep)}: ${BLOCKAGE_WORDS[block]} (state ${ep.state}${ep.connectMs !== null ? ` after ${ep.connectMs} ms` : ''})`
      : `${endpointName(ep)} accepted TCP (${ep.connectMs ?? '?'} ms)`,
  });
}

function passiveView(ep: EndpointReport, fallbackRange: number[] | null): PassivePortView {
  const ftp = ep.ftp!;
  const states = passivePortStates(passiveObservations(ftp));
  const observed = [...new Set([...ftp.passivePortsSeen, ...states.keys()])].sort((a, b) => a - b);
  const expectedRange = ep.expectedPassiveRange ?? fallbackRange;
  return {
    observed,
    observedRange: observed.length ? [observed[0]!, observed[observed.length - 1]!] : null,
    expectedRange,
    outsideExpected: expectedRange ? observed.filter((p) => p < expectedRange[0]! || p > expectedRange[1]!) : [],
    reached: portsIn(states, ['open']),
    filtered: portsIn(states, ['filtered', 'timeout']),
    closed: portsIn(states, ['closed']),
    unreachable: portsIn(states, ['unreachable']),
    serverRefused: ftp.dataChannels
      .filter((d) => passiveMode(d) && d.failedStep !== 'setup' && refusedByServer(d))
      .map((d) => `${d.mode} port ${d.port}: ${d.error}`),
  };
}

/** The passive range rule, then one rule per blocked range. */
function passiveRules(passive: PassivePortView, addr: string): FirewallRule[] {
  const rangeAll = passive.observedRange ?? passive.expectedRange;
  if (!rangeAll) return [];
  const span = rangeText(passive.expectedRange ?? rangeAll);
  const outside = passive.outsideExpected.length
    ? `; outside the expected ${rangeText(passive.expectedRange!)}: ${passive.outsideExpected.join(', ')} (the server hands out ports the firewall is not expected to open: narrow the server's range, or open these)`
    : '';
  const rules = [
    serverInbound({
      purpose: 'passive-data',
      to: addr,
      ports: span,
      status: passive.reached.length > 0 ? 'ok' : 'untested',
      text: `allow inbound TCP ${addr}:${span} from clients (passive data range${passive.expectedRange ? ', as expected' : ', as observed (sampled)'}, server side)`,
      evidence: `${passive.observed.length} passive port(s) seen: ${passive.observed.join(', ') || 'none'}; reached: ${passive.reached.join(', ') || 'none'}${outside}`,
    }),
  ];
  const blocked: { ports: number[]; blockage: Blockage }[] = [
    { ports: passive.filtered, blockage: 'dropped' },
    { ports: passive.closed, blockage: 'reset' },
    { ports: passive.unreachable, blockage: 'unreachable' },
  ];
  for (const b of blocked) {
    for (const r of blockedRanges(b.ports, passive.reached)) {
      const ports = rangeText(r);
      const inR = b.ports.filter((p) => p >= r[0] && p <= r[1]);
      const inferred =
        inR.length < r[1] - r[0] + 1 ? '; the ports between them were not advertised to us (sampled), the range is inferred' : '';
      rules.push(
        serverInbound({
          purpose: 'passive-data',
          to: addr,
          ports,
          status: 'blocked',
          blockage: b.blockage,
          text: `allow inbound TCP ${addr}:${ports} from clients (passive data, server side)`,
          evidence: `advertised in PASV/EPSV replies and dialled at ${addr}: ${inR.join(', ')} — ${BLOCKAGE_WORDS[b.blockage]}${inferred}`,
        }),
      );
    }
  }
  return rules;
}

function activeView(ep: EndpointReport): ActiveView {
  const act = ep.ftp!.dataChannels.filter(activeMode);
  const conventionalPort = activeSourcePort(ep.service);
  const source = { ...activeSource(ep.ftp!, conventionalPort), conventionalPort };
  if (act.length === 0) return { tested: false, ok: false, noConnectBack: false, serverRefused: [], clientAddress: null, source };
  const ok = act.some((d) => d.ok);
  return {
    source,
    tested: true,
    ok,
    noConnectBack: !ok && act.some((d) => d.failedStep === 'connect'),
    serverRefused: act
      .filter((d) => d.failedStep !== 'connect' && refusedByServer(d))
      .map((d) => `${d.mode} PROT ${d.protection}: ${d.error}`),
    clientAddress: act.find((d) => d.connectAddress)?.connectAddress ?? null,
  };
}

/**
 * The server side of an active data connection as a rule can name it: the conventional port
 * unless the server was seen connecting from others — then any port, since a rule keyed on
 * port 20 (989) drops those connections.
 */
function activeFrom(active: ActiveView, addr: string, conventional: number): { from: string; serverNote: string; clientNote: string } {
  const src = active.source;
  const from = `${addr} port ${conventional}`;
  if (!src || src.kind === 'unseen') return { from, serverNote: " (the server's data port)", clientNote: '' };
  if (src.kind === 'conventional') return { from, serverNote: " (the server's data port, as seen)", clientNote: ' (as seen)' };
  const seen = src.ports.slice(0, 5).join(', ') + (src.ports.length > 5 ? ', …' : '');
  const note = ` (the server's active data connections came from port ${seen}${src.kind === 'mixed' ? ` as well as ${conventional}` : `, not ${conventional}`}: a rule keyed on source port ${conventional} drops them)`;
  return { from: `${addr} any port`, serverNote: note, clientNote: note };
}

function activeRules(ep: EndpointReport, active: ActiveView, addr: string): FirewallRule[] {
  const act = ep.ftp!.dataChannels.filter(activeMode);
  const client = active.clientAddress ?? 'clients';
  const src = activeFrom(active, addr, activeSourcePort(ep.service));
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
  const common = {
    purpose: 'active-data' as const,
    protocol: 'tcp' as const,
    from: src.from,
    to: client,
    ports: '1024-65535',
    status,
    evidence,
  };
  return [
    {
      ...common,
      side: 'server',
      direction: 'outbound',
      ...extra,
      text: `allow outbound TCP from ${src.from}${src.serverNote} to ${client} ports 1024-65535 (active data, server side)`,
    },
    {
      ...common,
      side: 'client',
      direction: 'inbound',
      ...extra,
      text: `allow inbound TCP to ${client} ports 1024-65535 from ${src.from}${src.clientNote} (active data, client side; or an FTP-aware NAT/helper)`,
    },
  ];
}

function endpointView(ep: EndpointReport, i: number, fallbackRange: number[] | null): FirewallEndpoint {
  const addr = ep.address ?? ep.host;
  const rules: FirewallRule[] = [controlRule(ep, addr)];
  let passive: PassivePortView | null = null;
  let active: ActiveView | null = null;
  if (ep.state === 'open' && isFtpFamily(ep.service) && ep.ftp) {
    passive = passiveView(ep, fallbackRange);
    rules.push(...passiveRules(passive, addr));
    active = activeView(ep);
    rules.push(...activeRules(ep, active, addr));
  }
  return {
    endpoint: endpointName(ep),
    endpointIndex: i,
    address: ep.address,
    service: ep.service,
    control: { port: ep.port, state: ep.state, verdict: blockageOf(ep.state) ?? 'reachable' },
    passive,
    active,
    rules,
    missing: rules.filter((r) => r.status === 'blocked'),
  };
}

export function computeFirewall(report: Pick<Report, 'endpoints' | 'options'>): FirewallView {
  // Reports written before endpoints carried their expected range: the scan-wide option.
  const fallbackRange = report.options?.expectPassiveRange ?? null;
  // An endpoint this machine could not scan says nothing about the path: no rule from it.
  const endpoints = report.endpoints.flatMap((ep, i) => (ep.notScanned ? [] : [endpointView(ep, i, fallbackRange)]));
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
