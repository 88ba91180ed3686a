// The network: the state of each port tried, and advertised passive ports that cannot be reached
// (the firewall findings; the firewall lab shows them on real iptables rules, these rows without root).
import { netPasvFiltered } from '../../../src/checks/net/pasv-filtered.js';
import { netPortState } from '../../../src/checks/net/port-state.js';
import { netServiceRefused } from '../../../src/checks/net/service-refused.js';
import { checkCases } from './harness.js';
import {
  NO_LOGIN_GAP,
  channel,
  endpoint,
  failedChannel,
  ftpEndpoint,
  hardenedSsh,
  sample,
  sshEndpoint,
  vsftpdStrict,
  withChannels,
} from './facts.js';

checkCases(netPortState, [
  {
    name: 'not scanned (out of file descriptors): says so, never "ICMP or route error"',
    endpoint: {
      ...endpoint({ state: 'unreachable', address: null }),
      notScanned: 'local resource exhausted (EMFILE: too many open files in this process, at connect): raise the limit (ulimit -n)',
    },
    expect: {
      status: 'info',
      title: /\(21\/tcp not scanned\)$/,
      detail: /^files\.example\.test:21 was not scanned: local resource exhausted \(EMFILE/,
    },
  },
  {
    name: 'open: info, with the service and the connect note as evidence',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'info',
      severity: 'info',
      title: /^Port state \(21\/tcp open\)$/,
      detail: /^files\.example\.test:21 \(127\.0\.0\.1\) accepts TCP connections; took 2 ms; service: ftps-explicit$/,
      remediation: 'none',
      evidence: { steps: ['connect'], count: 1, some: [{ value: /^TCP 127\.0\.0\.1:21 open after 2 ms$/ }] },
    },
  },
  {
    name: 'through a proxy that resolved the name and refused: the proxy is the vantage point, its one line says why',
    endpoint: {
      ...endpoint({
        state: 'closed',
        port: 21099,
        address: null,
        error: 'proxy socks5://127.0.0.1:1080: connection refused (SOCKS5 reply 5)',
      }),
      via: 'socks5://127.0.0.1:1080',
    },
    expect: {
      status: 'info',
      detail:
        /\(resolved by the proxy socks5:\/\/127\.0\.0\.1:1080\) answered with a reset.* as seen from the proxy socks5:\/\/127\.0\.0\.1:1080 \(proxy socks5:.*SOCKS5 reply 5\)/,
    },
  },
  {
    name: 'closed (RST)',
    endpoint: endpoint({ state: 'closed', port: 21099 }),
    expect: { status: 'info', title: /21099\/tcp closed/, detail: /answered with a reset: nothing listens there/ },
  },
  {
    name: 'filtered (silence): how long we waited',
    endpoint: endpoint({ state: 'filtered', port: 21098 }),
    expect: { status: 'info', detail: /no answer at all within the timeout: a firewall most likely drops the packets; waited 5000 ms/ },
  },
  {
    name: 'unreachable (ICMP/route error)',
    endpoint: endpoint({ state: 'unreachable', port: 2126 }),
    expect: { status: 'info', detail: /the network reported the host or port unreachable/ },
  },
  {
    name: 'connected, then silent',
    endpoint: endpoint({ state: 'timeout', port: 2127 }),
    expect: { status: 'info', detail: /accepted the connection, then stayed silent/ },
  },
  {
    name: 'a host that did not resolve: no connect line to show',
    endpoint: endpoint({ state: 'unreachable', address: null, error: 'could not resolve host' }),
    expect: { status: 'info', detail: /\(unresolved\)/, evidence: 'none' },
  },
  {
    name: 'an SSH endpoint too',
    endpoint: sshEndpoint(hardenedSsh()),
    expect: { status: 'info', title: /22\/tcp open/, detail: /service: sftp$/ },
  },
]);

/** The firewall lab: passive range 41000-41019 whose upper half is dropped. */
const halfDropped = () =>
  withChannels(vsftpdStrict(), {
    dataChannels: [channel('EPSV', 'P', { port: 41001 }), failedChannel('PASV', 'P', 'connect', { port: 41017 })],
    passiveSamples: [sample('PASV', 41003), sample('PASV', 41012, 'filtered'), sample('EPSV', 41015, 'filtered')],
  });

checkCases(netPasvFiltered, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  { name: 'a closed port is not its concern', endpoint: endpoint({ state: 'closed' }), expect: null },
  {
    name: 'a 421 at the greeting: skipped',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), outcome: 'refused-by-server', error: 'server greeted with 421 Too many connections' }),
    expect: { status: 'skipped', detail: /421/ },
  },
  {
    name: 'PASV before login answered 530: skipped with that reply',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { login: undefined, dataChannels: [], passiveSamples: [sample('PASV', null)] }, [NO_LOGIN_GAP]),
    ),
    expect: { status: 'skipped', detail: /^530 Please login with USER and PASS\.$/ },
  },
  {
    name: 'the channel probe did not run: skipped, saying PASV needs a login on most servers',
    endpoint: ftpEndpoint({ ...vsftpdStrict(), channels: undefined }),
    expect: { status: 'skipped', detail: /^no passive port was advertised to us/ },
  },
  {
    name: 'every advertised port reachable: pass, listing what was dialled',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail:
        /^every advertised passive port was reachable at 127\.0\.0\.1: 40001, 40002, 40006, 40009, 40012, 40013, 40018 \(7 dial\(s\), sampled\)$/,
      remediation: 'none',
      evidence: { some: [{ label: /^passive ports dialled at the control address$/, value: /40001 open/ }] },
    },
  },
  {
    name: 'half the range dropped (silence): fail, high, with the missing firewall rule',
    endpoint: ftpEndpoint(halfDropped()),
    expect: {
      status: 'fail',
      severity: 'high',
      title: /\(ports 41012, 41015, 41017\)$/,
      detail: /filtered \(silence: a firewall drops them\): 41012, 41015, 41017; reached: 41001, 41003 \(open — not at fault\)/,
      remediation: /^Missing firewall rule: allow inbound TCP 127\.0\.0\.1:41012-41017 from clients .* The range joins the blocked ports/,
      evidence: {
        some: [{ label: /^port 41012 \(PASV\/EPSV sample\)$/, value: /^filtered$/ }, { label: /^port 41017 \(data transfer\)$/ }],
      },
    },
  },
  {
    name: 'only resets (nothing listening): fail, medium',
    endpoint: ftpEndpoint(withChannels(vsftpdStrict(), { passiveSamples: [sample('PASV', 40050, 'closed')] })),
    expect: { status: 'fail', severity: 'medium', detail: /closed \(TCP reset: nothing listened, or a firewall rejects them\): 40050/ },
  },
  {
    name: 'an ICMP error: fail, high',
    endpoint: ftpEndpoint(withChannels(vsftpdStrict(), { passiveSamples: [sample('EPSV', 40051, 'unreachable')] })),
    expect: { status: 'fail', severity: 'high', detail: /unreachable \(ICMP\/route error\): 40051/ },
  },
  {
    name: 'blocked ports with an open one between them are two rules, not a range',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [],
        passiveSamples: [sample('PASV', 41012, 'filtered'), sample('PASV', 41013), sample('PASV', 41015, 'filtered')],
      }),
    ),
    expect: {
      status: 'fail',
      remediation: /127\.0\.0\.1:41012 from clients .*; allow inbound TCP 127\.0\.0\.1:41015 from clients[^]*Or narrow/,
    },
  },
  {
    name: "a port reached once and silent later is not the firewall's doing",
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [failedChannel('EPSV', 'P', 'connect', { port: 40005 })],
        passiveSamples: [sample('EPSV', 40005)],
      }),
    ),
    expect: { status: 'pass', detail: /reachable at 127\.0\.0\.1: 40005 \(2 dial\(s\), sampled\)/ },
  },
]);

checkCases(netServiceRefused, [
  { name: 'a service that let us in is not its concern', endpoint: ftpEndpoint(vsftpdStrict()), expect: null },
  { name: 'a closed port is not its concern', endpoint: endpoint({ state: 'closed' }), expect: null },
  {
    name: 'FTP greeting 554: warn, with the greeting',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      greeting: ['554 Access denied'],
      outcome: 'refused-by-server',
      error: 'server greeted with 554: Access denied',
    }),
    expect: {
      status: 'warn',
      detail: /turned us away \(server greeted with 554: Access denied\): none of its security could be assessed/,
      evidence: { some: [{ label: /greeting/, value: /554 Access denied/ }] },
    },
  },
  {
    name: 'an endless 120: warn',
    endpoint: ftpEndpoint({
      ...vsftpdStrict(),
      greeting: ['120 Service ready in 5 minutes'],
      outcome: 'refused-by-server',
      error: 'server greeted with 120: Service ready in 5 minutes',
    }),
    expect: { status: 'warn', detail: /120: Service ready in 5 minutes/ },
  },
  {
    name: 'SSH closing before its identification: warn',
    endpoint: sshEndpoint(null, { outcome: 'refused-by-server', error: 'connection closed before the SSH identification' }),
    expect: { status: 'warn', detail: /closed before the SSH identification/ },
  },
]);
