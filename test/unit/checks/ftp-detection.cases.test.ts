// What detection learns before login: TLS offered (AUTH TLS/SSL, implicit) and the software.
import { ftpCleartextService, ftpSoftware, ftpsAuthSsl, ftpsAuthTls, ftpsImplicit } from '../../../src/checks/ftp/detection.js';
import { checkCases } from './harness.js';
import { endpoint, ftpEndpoint, hardenedSsh, modernTls, sshEndpoint } from './facts.js';

const refused421 = { outcome: 'refused-by-server' as const, error: 'server greeted with 421 Too many connections from this IP' };

checkCases(ftpCleartextService, [
  { name: 'implicit FTPS is not its concern', endpoint: ftpEndpoint({ service: 'ftps-implicit' }), expect: null },
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'FTP without any greeting recorded: skipped, saying so',
    endpoint: endpoint({ service: 'ftp', error: 'connection closed before the greeting' }),
    expect: { status: 'skipped', detail: /did not let us in.*connection closed before the greeting/ },
  },
  {
    name: 'a 421 at the greeting: skipped, never guessed',
    endpoint: ftpEndpoint({ service: 'ftp', greeting: ['421 Too many connections from this IP'], ...refused421 }),
    expect: { status: 'skipped', detail: /421/ },
  },
  {
    name: 'AUTH TLS and AUTH SSL never sent: skipped',
    endpoint: ftpEndpoint({ service: 'ftp', authTls: null, authSsl: null }),
    expect: { status: 'skipped', detail: /AUTH TLS\/SSL could not be tried/ },
  },
  {
    name: 'AUTH TLS accepted: pass, with the AUTH exchange as evidence',
    endpoint: ftpEndpoint({ service: 'ftps-explicit' }),
    expect: {
      status: 'pass',
      detail: /AUTH TLS accepted/,
      remediation: 'none',
      evidence: { steps: ['auth-tls', 'auth-ssl'], some: [{ value: /^> AUTH TLS/ }, { value: /^< 234/ }] },
    },
  },
  {
    name: 'only the legacy AUTH SSL accepted still offers TLS',
    endpoint: ftpEndpoint({ service: 'ftps-explicit', authTls: 500, authSsl: 234 }),
    expect: { status: 'pass', detail: /AUTH SSL accepted/ },
  },
  {
    name: 'both refused (plain vsftpd): fail, with greeting and AUTH replies',
    endpoint: ftpEndpoint({ service: 'ftp', authTls: 530, authSsl: 530, negotiated: null }),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /refuses both AUTH TLS and AUTH SSL/,
      remediation: /ssl_enable=YES/,
      evidence: { steps: ['auth-tls', 'auth-ssl'], some: [{ label: /greeting/, value: /vsFTPd 3\.0\.3/ }, { value: /^< 530/ }] },
    },
  },
]);

checkCases(ftpsAuthTls, [
  { name: 'implicit FTPS is not its concern', endpoint: ftpEndpoint({ service: 'ftps-implicit' }), expect: null },
  {
    name: 'a 421 at the greeting: skipped',
    endpoint: ftpEndpoint({ service: 'ftp', greeting: ['421 Service not available'], ...refused421 }),
    expect: { status: 'skipped', detail: /421/ },
  },
  {
    name: 'AUTH TLS never sent: skipped',
    endpoint: ftpEndpoint({ service: 'ftp', authTls: null, authSsl: 500 }),
    expect: { status: 'skipped', detail: /AUTH TLS could not be tried/ },
  },
  {
    name: 'AUTH TLS refused by a plain server: fail with its reply code',
    endpoint: ftpEndpoint({ service: 'ftp', authTls: 530, negotiated: null }),
    expect: { status: 'fail', severity: 'high', detail: /AUTH TLS refused \(530\)/, evidence: { steps: ['auth-tls'] } },
  },
  {
    name: '234, then no handshake a current client completes: fail, naming what the server offers',
    endpoint: ftpEndpoint({
      service: 'ftps-explicit',
      negotiated: null,
      outcome: 'tls-handshake-failed',
      error: 'TLS handshake failed: unsupported protocol',
      tls: modernTls({
        protocols: { SSLv2: false, SSLv3: true, 'TLSv1.0': true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false },
        negotiated: undefined,
      }),
    }),
    expect: {
      status: 'fail',
      detail:
        /AUTH TLS accepted \(234\), but a TLS handshake .* fails: TLS handshake failed: unsupported protocol \(the server only offers SSLv3, TLSv1\.0\)/,
      remediation: /certificate and key files/,
    },
  },
  {
    name: '234 and TLS established: pass with the negotiated version and suite',
    endpoint: ftpEndpoint({ service: 'ftps-explicit', tls: modernTls() }),
    expect: {
      status: 'pass',
      detail: /TLS established \(TLSv1\.3, TLS_AES_256_GCM_SHA384\)/,
      remediation: 'none',
      evidence: { steps: ['auth-tls'], conns: ['detect#1'] },
    },
  },
]);

checkCases(ftpsAuthSsl, [
  { name: 'implicit FTPS is not its concern', endpoint: ftpEndpoint({ service: 'ftps-implicit' }), expect: null },
  { name: 'a 421 at the greeting: skipped', endpoint: ftpEndpoint({ service: 'ftp', ...refused421 }), expect: { status: 'skipped' } },
  {
    name: 'AUTH SSL never sent: skipped',
    endpoint: ftpEndpoint({ service: 'ftps-explicit', authSsl: null }),
    expect: { status: 'skipped', detail: /AUTH SSL could not be tried/ },
  },
  {
    name: 'AUTH SSL accepted (vsftpd, ProFTPD): a fact worth showing',
    endpoint: ftpEndpoint({ service: 'ftps-explicit', authSsl: 234 }),
    expect: { status: 'info', detail: /legacy alias of AUTH TLS\) is accepted/, remediation: 'none', evidence: { steps: ['auth-ssl'] } },
  },
  {
    name: 'AUTH SSL refused (Pure-FTPd): info',
    endpoint: ftpEndpoint({
      service: 'ftps-explicit',
      greeting: ['220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------'],
      authSsl: 500,
    }),
    expect: { status: 'info', detail: /not accepted \(only AUTH TLS/ },
  },
]);

checkCases(ftpsImplicit, [
  { name: 'explicit FTPS is not its concern', endpoint: ftpEndpoint({ service: 'ftps-explicit' }), expect: null },
  {
    name: 'implicit FTPS: info with what was negotiated and the handshake as evidence',
    endpoint: ftpEndpoint({ service: 'ftps-implicit', port: 990 }),
    expect: {
      status: 'info',
      detail: /implicit FTPS.*negotiated TLSv1\.3 TLS_AES_256_GCM_SHA384/,
      remediation: 'none',
      evidence: { steps: ['implicit-tls'] },
    },
  },
  {
    name: 'implicit FTPS whose handshake details are missing: still info, without them',
    endpoint: ftpEndpoint({ service: 'ftps-implicit', port: 990, negotiated: null }),
    expect: { status: 'info', detail: /^TLS starts on connect \(implicit FTPS, a deprecated but common mode\); explicit/ },
  },
]);

checkCases(ftpSoftware, [
  { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'vsftpd 3.0.3 named in the greeting: info, no advisory',
    endpoint: ftpEndpoint({ greeting: ['220 (vsFTPd 3.0.3)'] }),
    expect: {
      status: 'info',
      severity: 'info',
      detail: /^vsftpd 3\.0\.3 disclosed; no known end-of-life/,
      remediation: 'none',
      evidence: { steps: ['syst'], some: [{ label: /greeting/, value: /vsFTPd 3\.0\.3/ }, { value: /^< 215 UNIX Type: L8/ }] },
    },
  },
  {
    name: 'ProFTPD without a version (ServerIdent with a custom text)',
    endpoint: ftpEndpoint({ greeting: ['220 ProFTPD Server (xferscan lab ProFTPD) [10.10.10.10]'] }),
    expect: { status: 'info', detail: /^ProFTPD disclosed \(no version\)/ },
  },
  {
    name: 'a greeting and SYST that name nothing',
    endpoint: ftpEndpoint({ greeting: ['220 Welcome to the partner file service'] }),
    expect: { status: 'info', detail: /do not name the server software/ },
  },
  {
    name: 'the backdoored vsftpd 2.3.4: fail, high',
    endpoint: ftpEndpoint({ service: 'ftp', greeting: ['220 (vsFTPd 2.3.4)'] }),
    expect: { status: 'fail', severity: 'high', detail: /CVE-2011-2523/, remediation: /Upgrade the FTP server/ },
  },
  {
    name: 'ProFTPD 1.3.5 (end-of-life, mod_copy)',
    endpoint: ftpEndpoint({ greeting: ['220 ProFTPD 1.3.5 Server (Debian) [::ffff:10.0.0.1]'] }),
    expect: { status: 'fail', severity: 'high', detail: /ProFTPD 1\.3\.5: .*CVE-2015-3306/ },
  },
  {
    name: 'Pure-FTPd 1.0.47 (CVE-2019-20176)',
    endpoint: ftpEndpoint({ greeting: ['220---------- Welcome to Pure-FTPd 1.0.47 [privsep] [TLS] ----------'] }),
    expect: { status: 'fail', detail: /CVE-2019-20176/ },
  },
]);
