// Data channels: passive and active transfers that really carried a listing, and FTP bounce.
import { ftpBounce, ftpDataActive, ftpDataPassive } from '../../../src/checks/ftp/data-channels.js';
import { checkCases } from './harness.js';
import {
  NO_LOGIN_GAP,
  channel,
  failedChannel,
  ftpEndpoint,
  hardenedSsh,
  plainFtp,
  sshEndpoint,
  vsftpdStrict,
  withChannels,
} from './facts.js';

const refused421 = { outcome: 'refused-by-server' as const, error: 'server greeted with 421 Too many connections from this IP' };
const noLogin = () =>
  withChannels(vsftpdStrict(), { login: undefined, dataChannels: [], bounce: undefined, cccDetail: undefined, sessionReuse: undefined }, [
    NO_LOGIN_GAP,
  ]);
const active = { activeRequested: true };

checkCases(ftpDataPassive, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'no login: skipped with the login gap',
    endpoint: ftpEndpoint(noLogin()),
    expect: { status: 'skipped', detail: /^no login: data channels/ },
  },
  {
    name: 'protected EPSV and PASV listings worked: pass, one evidence line per channel',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail:
        /^EPSV PROT P \(session reuse offered\) port 40018: ok TLSv1\.3 resumed, 129 bytes \(2 entries\); PASV PROT P \(session reuse offered\) 127\.0\.0\.1:40009: ok/,
      remediation: 'none',
      evidence: { conns: ['ftp-main#7'], count: 2, some: [{ label: /^data channel$/ }] },
    },
  },
  {
    name: 'the session-reuse experiment (no reuse offered, refused) does not count against a server that works',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [
          channel('EPSV', 'P', { port: 40018 }),
          channel('PASV', 'P', { port: 40009 }),
          failedChannel('EPSV', 'P', 'reply', { reuseOffered: false, conn: 'reuse-TLSv1.3-without#8', port: 40007 }),
        ],
      }),
    ),
    expect: { status: 'pass', evidence: { count: 2 } },
  },
  {
    name: 'cleartext FTP: the cleartext listings are what counts',
    endpoint: ftpEndpoint(plainFtp()),
    expect: { status: 'pass', detail: /^EPSV PROT C port 40046: ok, 129 bytes/ },
  },
  {
    name: 'every passive data connection dropped at TCP connect: fail, pointing at the firewall',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [failedChannel('EPSV', 'P', 'connect', { port: 41012 }), failedChannel('PASV', 'P', 'connect', { port: 41015 })],
      }),
    ),
    expect: {
      status: 'fail',
      severity: 'high',
      detail:
        /^no passive data connection worked: .* — data port\(s\) 41012, 41015 could not be reached at the TCP level .*NET-PASV-FILTERED/,
      remediation: /pasv_min_port/,
    },
  },
  {
    name: 'every passive transfer refused by reply: fail, no firewall note',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { dataChannels: [failedChannel('EPSV', 'P', 'reply'), failedChannel('PASV', 'P', 'reply')] }),
    ),
    expect: { status: 'fail', detail: /^no passive data connection worked: [^—]*$/ },
  },
  {
    name: 'PASV fails while EPSV works: warn',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        dataChannels: [channel('EPSV', 'P', { port: 40018 }), failedChannel('PASV', 'P', 'connect', { port: 41011 })],
      }),
    ),
    expect: { status: 'warn', detail: /^PASV failed while the other worked: .* — data port\(s\) 41011 could not be reached/ },
  },
  {
    name: 'on IPv6 a PASV reply that cannot be parsed while EPSV works: pass, PASV is unusable on IPv6 by design',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict({ address: '::1' }), {
        dataChannels: [
          channel('EPSV', 'P', { port: 40018 }),
          failedChannel('PASV', 'P', 'setup', { replies: { setup: 227, start: null, end: null }, error: 'cannot find h1,h2,h3,h4,p1,p2' }),
        ],
      }),
    ),
    expect: { status: 'pass', detail: /\(PASV is unusable on IPv6 by design: .*RFC 2428 replaces it with EPSV\)$/ },
  },
  {
    name: 'logged in, the session broke before any transfer: skipped with what broke, not "needs a login"',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { dataChannels: [], bounce: undefined }, [
        { step: 'transfer', reason: 'connection-failed', detail: 'main FTP session ended early: connection reset by peer' },
      ]),
    ),
    expect: { status: 'skipped', detail: /ended early/ },
  },
]);

checkCases(ftpDataActive, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'through a proxy with --active: skipped, untestable through the proxy, never a firewall failure',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { dataChannels: [channel('EPSV', 'P'), channel('PASV', 'P')] }, [
        {
          step: 'eprt' as const,
          reason: 'unsupported' as const,
          detail: 'active mode (PORT/EPRT) untestable through the proxy socks5://127.0.0.1:1080: the server would have to connect to us',
        },
      ]),
    ),
    options: active,
    expect: { status: 'skipped', detail: /^active mode \(PORT\/EPRT\) untestable through the proxy socks5:/ },
  },
  {
    name: 'on IPv6: EPRT works, PORT not sent (it cannot name an IPv6 address): pass, saying so',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict({ address: '::1' }), { dataChannels: [channel('EPSV', 'P'), channel('EPRT', 'P')] }, [
        {
          step: 'port',
          reason: 'unsupported',
          detail: 'PORT not sent: on IPv6 it cannot name our address (RFC 2428 replaces it with EPRT)',
        },
      ]),
    ),
    options: active,
    expect: { status: 'pass', detail: /\(PORT not sent: on IPv6/ },
  },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...vsftpdStrict(), ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'without --active: skipped, naming the option',
    endpoint: ftpEndpoint(withChannels(vsftpdStrict(), { dataChannels: [channel('EPSV', 'P')] })),
    options: { activeRequested: false },
    expect: { status: 'skipped', detail: /^active mode not tested \(use --active\)$/ },
  },
  {
    name: 'with --active but no login: skipped with the login gap',
    endpoint: ftpEndpoint(noLogin()),
    options: active,
    expect: { status: 'skipped', detail: /^no login/ },
  },
  {
    name: 'EPRT and PORT listings worked: pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    options: active,
    expect: {
      status: 'pass',
      detail: /^EPRT PROT P \(session reuse offered\) port 40999: ok/,
      remediation: 'none',
      evidence: { count: 2 },
    },
  },
  {
    name: 'the server never connected back (fw lab port 2123): fail, a firewall or NAT between us',
    endpoint: ftpEndpoint(
      withChannels(
        { ...plainFtp() },
        { dataChannels: [channel('EPSV', 'C'), failedChannel('EPRT', 'C', 'connect'), failedChannel('PORT', 'C', 'connect')] },
      ),
    ),
    options: active,
    expect: {
      status: 'fail',
      severity: 'low',
      detail: /the server did not connect back to us .*; the server later answered 425\): a firewall between the server and us drops/,
      remediation: /port 20/,
    },
  },
  {
    name: 'PORT/EPRT refused by reply: fail, a server setting',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), { dataChannels: [failedChannel('EPRT', 'C', 'setup'), failedChannel('PORT', 'C', 'setup')] }),
    ),
    options: active,
    expect: { status: 'fail', detail: /the server refused PORT\/EPRT by reply \(500\/500\): a server setting, not a firewall/ },
  },
  {
    name: 'the active transfer refused by reply (522 for cleartext data): fail, a server-side refusal',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), { dataChannels: [failedChannel('EPRT', 'C', 'transfer'), failedChannel('PORT', 'C', 'transfer')] }),
    ),
    options: active,
    expect: { status: 'fail', detail: /the server refused the active transfer by reply \(522\/522\): a server-side refusal/ },
  },
]);

checkCases(ftpBounce, [
  {
    name: 'through a proxy: skipped, untestable there (the server cannot connect to us)',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), { bounce: undefined }, [
        { step: 'bounce', reason: 'unsupported', detail: 'bounce test skipped: untestable through the proxy socks5://127.0.0.1:1080' },
      ]),
    ),
    expect: { status: 'skipped', detail: /^bounce test skipped: untestable through the proxy socks5:/ },
  },
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ ...plainFtp(), ...refused421 }), expect: { status: 'skipped' } },
  { name: 'no login: skipped', endpoint: ftpEndpoint(noLogin()), expect: { status: 'skipped', detail: /^no login/ } },
  {
    name: 'PORT/EPRT to 127.0.0.2 refused (500): pass, with the exchange',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      detail:
        /^PORT\/EPRT to another address refused: PORT 127,0,0,2,8,73 → 500 Illegal PORT command\.; EPRT \|1\|127\.0\.0\.2\|2121\| → 500 Illegal EPRT command\.$/,
      remediation: 'none',
      evidence: { steps: ['bounce'], count: 4, some: [{ value: /^> PORT 127,0,0,2,8,73$/ }] },
    },
  },
  {
    name: 'Pure-FTPd names why it refuses',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict(), {
        bounce: [
          {
            command: 'PORT 127,0,0,2,8,73',
            code: 500,
            text: "I won't open a connection to 127.0.0.2 (only to 127.0.0.1)",
            accepted: false,
          },
          {
            command: 'EPRT |1|127.0.0.2|2121|',
            code: 500,
            text: "I won't open a connection to 127.0.0.2 (only to 127.0.0.1)",
            accepted: false,
          },
        ],
      }),
    ),
    expect: { status: 'pass', detail: /I won't open a connection to 127\.0\.0\.2/ },
  },
  {
    name: 'PORT to a third party accepted (200): fail, high',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), {
        bounce: [
          { command: 'PORT 127,0,0,2,8,73', code: 200, text: 'PORT command successful. Consider using PASV.', accepted: true },
          { command: 'EPRT |1|127.0.0.2|2121|', code: 500, text: 'Illegal EPRT command.', accepted: false },
        ],
      }),
    ),
    expect: {
      status: 'fail',
      severity: 'high',
      detail:
        /^the server lets a client point its data connection at another host: PORT 127,0,0,2,8,73 → 200 PORT command successful\. Consider using PASV\. \(accepted\) \(no transfer was started\)$/,
      remediation: /port_promiscuous=NO/,
      evidence: { steps: ['bounce'] },
    },
  },
  {
    name: 'over IPv6 the test cannot run: skipped with that reason, not "needs a login"',
    endpoint: ftpEndpoint(
      withChannels(vsftpdStrict({ address: '::1' }), { bounce: undefined }, [
        { step: 'bounce', reason: 'unsupported', detail: 'bounce test skipped: it needs an IPv4 control connection' },
      ]),
    ),
    expect: { status: 'skipped', detail: /IPv4/ },
  },
  {
    name: '425 to PORT (Twisted): the server tried to connect there, fail',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), {
        bounce: [
          { command: 'PORT 127,0,0,2,8,73', code: 425, text: "Can't open data connection.", accepted: false, connected: true },
          { command: 'EPRT |1|127.0.0.2|2121|', code: 502, text: "Command 'EPRT' not implemented", accepted: false, connected: false },
        ],
      }),
    ),
    expect: {
      status: 'fail',
      detail: /PORT 127,0,0,2,8,73 → 425 Can't open data connection\. \(tried to connect: it connected to our listener\)/,
    },
  },
  {
    name: 'a 425 with no listener to prove it: still tried (RFC 959: it could not open the connection it attempted)',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), {
        bounce: [{ command: 'PORT 192,0,2,1,8,73', code: 425, text: "Can't build data connection.", accepted: false, connected: null }],
      }),
    ),
    expect: { status: 'fail', detail: /\(tried to connect\)/ },
  },
  {
    name: 'PORT answered 530 after the login broke: skipped, never pass',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), {
        bounce: [
          { command: 'PORT 127,0,0,2,8,73', code: 530, text: 'Please login with USER and PASS.', accepted: false, connected: false },
          { command: 'EPRT |1|127.0.0.2|2121|', code: 530, text: 'Please login with USER and PASS.', accepted: false, connected: false },
        ],
      }),
    ),
    expect: { status: 'skipped' },
  },
  {
    name: 'a 1xx/3xx reply decides nothing: warn',
    endpoint: ftpEndpoint(
      withChannels(plainFtp(), {
        bounce: [{ command: 'PORT 127,0,0,2,8,73', code: 350, text: 'Pending further information.', accepted: false, connected: false }],
      }),
    ),
    expect: { status: 'warn', detail: /do not decide/ },
  },
]);
