import type { Check } from './engine.js';
import { pci } from './controls.js';

const STATE_MEANING: Record<string, string> = {
  open: 'accepts TCP connections',
  closed: 'answered with a reset: nothing listens there (or a firewall rejects with RST)',
  filtered: 'no answer at all within the timeout: a firewall most likely drops the packets',
  unreachable: 'the network reported the host or port unreachable (ICMP or route error)',
  timeout: 'accepted the connection, then stayed silent',
};

export const netChecks: Check[] = [
  {
    id: 'NET-PORT-STATE',
    title: 'Port state',
    severity: 'info',
    controls: pci('1.2.5'),
    remediation: '',
    run: ({ endpoint: ep }) => ({
      status: 'info',
      titleSuffix: `${ep.port}/tcp ${ep.state}`,
      detail:
        `${ep.host}:${ep.port} (${ep.address ?? 'unresolved'}) ${STATE_MEANING[ep.state] ?? ep.state}` +
        (ep.connectMs !== null ? `; ${ep.state === 'filtered' ? 'waited' : 'took'} ${ep.connectMs} ms` : '') +
        (ep.service ? `; service: ${ep.service}` : ''),
      evidence: ep.transcript
        .filter((l) => l.dir === 'note' && /^TCP /.test(l.text))
        .slice(0, 1)
        .map((l) => ({ label: 'connect', value: l.text, conn: l.conn, t: l.t })),
    }),
  },
];
