// What PASV replies say: the address advertised, the passive port range, and whether something
// on the path rewrites cleartext replies.
import { ftpAlgRewrite, ftpPasvAddress, ftpPasvRange } from '../../../src/checks/ftp/passive.js';
import { checkCases } from './harness.js';
import { NO_LOGIN_GAP, channel, ftpEndpoint, hardenedSsh, plainFtp, sample, sshEndpoint, vsftpdStrict, withChannels } from './facts.js';

const refused421 = { outcome: 'refused-by-server' as const, error: 'server greeted with 421 Too many connections from this IP' };
const noLogin = (passiveSamples = [sample('PASV', null)]) =>
  withChannels(vsftpdStrict(), { login: undefined, dataChannels: [], passiveSamples, bounce: undefined, sessionReuse: undefined }, [
    NO_LOGIN_GAP,
  ]);

/** PASV replies (transfers and samples) advertising `address`, seen while connected to `connected`. */
const advertising = (address: string, connected = '127.0.0.1') =>
  withChannels(vsftpdStrict({ address: connected }), {
    dataChannels: [channel('EPSV', 'P', { port: 40078 }), channel('PASV', 'P', { port: 40070, advertisedAddress: address })],
    passiveSamples: [sample('PASV', 40060, 'open', { advertisedAddress: address }), sample('EPSV', 40061)],
  });

checkCases(ftpPasvAddress, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'PASV before login answered 530: skipped with that reply',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'skipped', detail: /^530 Please login with USER and PASS\.$/ },
  },
  {
    name: 'no PASV reply and no sample: skipped with the login gap',
    endpoint: ftpEndpoint(noLogin([])),
    expect: { status: 'skipped', detail: /^no login/ },
  },
  {
    name: 'the address connected to is advertised: pass, with PASV replies as evidence',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail: /^PASV replies advertise 127\.0\.0\.1, the address we connected to$/,
      remediation: 'none',
      evidence: { steps: ['pasv', 'passive-sample'], some: [{ value: /^< 227 Entering Passive Mode \(127,0,0,1,/ }] },
    },
  },
  {
    name: 'ProFTPD MasqueradeAddress 10.10.10.10 (the lab): fail, a private address',
    endpoint: ftpEndpoint(advertising('10.10.10.10')),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail:
        /^PASV replies advertise 10\.10\.10\.10 — a private address \(NAT without masquerading\).*we connected to 127\.0\.0\.1\. xferscan connected data channels to 127\.0\.0\.1 instead/,
      remediation: /pasv_address=PUBLIC_IP/,
      evidence: { steps: ['pasv', 'passive-sample'] },
    },
  },
  {
    name: 'on IPv6, 0.0.0.0 advertised (vsftpd listen_ipv6): info, PASV is unusable on IPv6 by design, not a misconfiguration',
    endpoint: ftpEndpoint(advertising('0.0.0.0', '::1')),
    expect: { status: 'info', detail: /^PASV is unusable on IPv6 by design: .*advertise 0\.0\.0\.0 — not a misconfiguration/ },
  },
  {
    name: '0.0.0.0 advertised: fail',
    endpoint: ftpEndpoint(advertising('0.0.0.0')),
    expect: { status: 'fail', detail: /0\.0\.0\.0 — 0\.0\.0\.0, which no client can connect to/ },
  },
  {
    name: 'a loopback address advertised to a client that came from outside: fail',
    endpoint: ftpEndpoint(advertising('127.0.0.1', '203.0.113.10')),
    expect: { status: 'fail', detail: /127\.0\.0\.1 — a loopback address; we connected to 203\.0\.113\.10/ },
  },
  {
    name: 'another public host advertised: fail, foreign',
    endpoint: ftpEndpoint(advertising('198.51.100.20', '203.0.113.10')),
    expect: { status: 'fail', detail: /198\.51\.100\.20 — an address of another host/ },
  },
]);

checkCases(ftpPasvRange, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'no passive port seen: skipped with the login gap',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'skipped', detail: /^no login/ },
  },
  {
    name: 'ports seen, no expected range given: info, asking for one',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'info',
      detail: /^7 passive port\(s\) seen \(sampled\), 40001–40018; give --expect-passive-range LOW-HIGH/,
      evidence: { count: 1, some: [{ label: /^ports seen$/, value: /^40001, 40002, 40006, 40009, 40012, 40013, 40018$/ }] },
    },
  },
  {
    name: 'every port inside --expect-passive-range: pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    options: { expectPassiveRange: [40000, 40019] },
    expect: { status: 'pass', detail: /all inside the expected 40000-40019$/, remediation: 'none' },
  },
  {
    name: 'a port outside --expect-passive-range: fail, naming it',
    endpoint: ftpEndpoint(vsftpdStrict()),
    options: { expectPassiveRange: [40000, 40009] },
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /outside the expected 40000-40009: 40012, 40013, 40018$/,
      remediation: /pasv_min_port/,
    },
  },
]);

/** vsftpd-lax: anonymous works in cleartext too, so a PASV sample exists over both channels. */
const bothChannels = (clear: string, tls: string) =>
  withChannels(vsftpdStrict(), {
    passiveSamples: [
      sample('PASV', 40101, 'open', { advertisedAddress: tls }),
      sample('EPSV', 40103),
      sample('PASV', 40105, 'open', { advertisedAddress: clear, channel: 'clear' }),
    ],
  });

checkCases(ftpAlgRewrite, [
  { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
  { name: 'implicit FTPS is not its concern', endpoint: ftpEndpoint({ ...vsftpdStrict(), service: 'ftps-implicit' }), expect: null },
  {
    name: 'PASV over TLS only (no cleartext login allowed): skipped, saying what it needs',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: { status: 'skipped', detail: /^needs PASV replies over both a cleartext and a TLS control channel/ },
  },
  {
    name: 'the same address over cleartext and TLS (on other ports, as every PASV): info, nothing rewrites it',
    endpoint: ftpEndpoint(bothChannels('127.0.0.1', '127.0.0.1')),
    expect: {
      status: 'info',
      detail: /^the 227 address is the same over cleartext and TLS \(127\.0\.0\.1\): nothing on the path rewrites it$/,
      evidence: { some: [{ label: /^PASV over clear$/ }, { label: /^PASV over tls$/ }] },
    },
  },
  {
    name: 'a helper rewrote the cleartext reply: info, naming both addresses',
    endpoint: ftpEndpoint(bothChannels('203.0.113.10', '10.0.0.5')),
    expect: { status: 'info', detail: /^the 227 address differs: 203\.0\.113\.10 over cleartext, 10\.0\.0\.5 over TLS/ },
  },
  {
    name: 'the same two addresses on both channels, seen in another order: the same, info',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        passiveSamples: [
          sample('PASV', 40111, 'open', { advertisedAddress: '127.0.0.2' }),
          sample('PASV', 40112, 'open', { advertisedAddress: '127.0.0.1' }),
          sample('PASV', 40113, 'open', { advertisedAddress: '127.0.0.1', channel: 'clear' }),
          sample('PASV', 40114, 'open', { advertisedAddress: '127.0.0.2', channel: 'clear' }),
        ],
      }),
    ),
    expect: { status: 'info', detail: /^the 227 address is the same over cleartext and TLS \(127\.0\.0\.1, 127\.0\.0\.2\)/ },
  },
]);
