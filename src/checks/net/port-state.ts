// What state each port tried is in: open, closed, filtered, unreachable or timeout.
import type { EndpointReport } from '../../model.js';
import { defineCheck, type CheckOutcome } from '../types.js';
import { stepEvidence } from '../evidence.js';

const STATE_MEANING: Record<string, string> = {
  open: 'accepts TCP connections',
  closed: 'answered with a reset: nothing listens there (or a firewall rejects with RST)',
  filtered: 'no answer at all within the timeout: a firewall most likely drops the packets',
  unreachable: 'the network reported the host or port unreachable (ICMP or route error)',
  timeout: 'accepted the connection, then stayed silent',
};

export const netPortState = defineCheck({
  id: 'NET-PORT-STATE',
  family: 'net',
  observes: 'each port tried: open / closed (RST) / filtered (silence) / unreachable',
  title: 'Port state',
  severity: 'info',
  remediation: '',
  run: ({ endpoint: ep }) =>
    ep.notScanned
      ? // a problem of this machine (out of descriptors) or an interruption: the port was never judged
        { status: 'info', titleSuffix: `${ep.port}/tcp not scanned`, detail: `${ep.host}:${ep.port} was not scanned: ${ep.notScanned}` }
      : portState(ep),
});

function portState(ep: EndpointReport): CheckOutcome {
  return {
    status: 'info',
    titleSuffix: `${ep.port}/tcp ${ep.state}`,
    detail:
      `${ep.host}:${ep.port} (${ep.address ?? (ep.via ? `resolved by the proxy ${ep.via}` : 'unresolved')}) ${STATE_MEANING[ep.state] ?? ep.state}` +
      (ep.via ? ` as seen from the proxy ${ep.via}` : '') +
      (ep.error && ep.via && ep.state !== 'open' ? ` (${ep.error})` : '') +
      (ep.connectMs !== null ? `; ${ep.state === 'filtered' ? 'waited' : 'took'} ${ep.connectMs} ms` : '') +
      (ep.service ? `; service: ${ep.service}` : ''),
    evidence: stepEvidence(ep, 'connect', { steps: ['connect'], dirs: ['note'], max: 1 }).map((e) => ({ ...e, value: e.value.slice(2) })),
  };
}
