// Checks against the partner policy (--policy FILE) and the cryptographic inventory.
import { cryptoInventory, netUnexpectedService, policyExpectedService, policyKeyPin } from '../../../src/checks/policy/policy.js';
import { checkCases } from './harness.js';
import {
  INTERMEDIATE,
  cert,
  endpoint,
  ftpEndpoint,
  hardenedSsh,
  modernTls,
  plainFtp,
  policy,
  sshEndpoint,
  tlsEndpoint,
  vsftpdStrict,
} from './facts.js';

const HOST = 'files.example.test';
const ED25519 = 'SHA256:ugEgXhDQn0P3nIrHFtXeTX5yq3oduznCtJTHaV0Tdks';
const partner = (ports: unknown[]) => policy({ version: 1, name: 'partner', hosts: [{ host: HOST, ports }] });

checkCases(policyExpectedService, [
  { name: 'no policy and no URL scheme: nothing expected, not its concern', endpoint: ftpEndpoint(vsftpdStrict()), expect: null },
  {
    name: 'sftp:// found SFTP: pass',
    endpoint: sshEndpoint(hardenedSsh(), { expectedService: 'sftp' }),
    expect: { status: 'pass', detail: /^found sftp, as the target URL expects$/, remediation: 'none' },
  },
  {
    name: 'ftpes:// found plain FTP: fail',
    endpoint: ftpEndpoint({ ...plainFtp(), expectedService: 'ftps-explicit' }),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^the target URL expects ftps-explicit, found ftp$/,
      remediation: /ftpes:\/\/ means explicit FTPS/,
    },
  },
  {
    name: 'a URL scheme on a closed port: skipped, nothing to compare',
    endpoint: endpoint({ state: 'closed', port: 22, expectedService: 'sftp' }),
    expect: { status: 'skipped', detail: /^port is closed; nothing to compare$/ },
  },
  {
    name: 'the policy expects SFTP on a port that is filtered: fail',
    endpoint: endpoint({ state: 'filtered', port: 22 }),
    options: { policy: partner([{ port: 22, service: 'sftp' }]) },
    expect: { status: 'fail', detail: /^the policy expects sftp on port 22, but the port is filtered$/ },
  },
  {
    name: 'the policy expects explicit FTPS and finds it: pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    options: { policy: partner([{ port: 21, service: 'ftps-explicit' }]) },
    expect: { status: 'pass', detail: /as the policy expects$/ },
  },
  {
    name: 'the policy wins over the URL scheme, and an unrecognised service fails',
    endpoint: endpoint({ port: 22, service: 'unknown', expectedService: 'ftps-explicit' }),
    options: { policy: partner([{ port: 22, service: 'sftp' }]) },
    expect: { status: 'fail', detail: /^the policy expects sftp, found unknown$/ },
  },
]);

checkCases(netUnexpectedService, [
  { name: 'no policy: not its concern', endpoint: ftpEndpoint(vsftpdStrict()), expect: null },
  {
    name: 'a host the policy does not list: skipped',
    endpoint: ftpEndpoint(vsftpdStrict({ host: 'other.example.test', address: '127.0.0.9' })),
    options: { policy: partner([22]) },
    expect: { status: 'skipped', detail: /^other\.example\.test is not in the policy/ },
  },
  {
    name: 'an allowed open port: pass',
    endpoint: sshEndpoint(hardenedSsh()),
    options: { policy: partner([22]) },
    expect: { status: 'pass', title: /\(22\/tcp\)$/, detail: /^port 22 is open and allowed by the policy \(sftp\)$/ },
  },
  {
    name: 'an open port the policy does not allow: fail',
    endpoint: ftpEndpoint(vsftpdStrict()),
    options: { policy: partner([22]) },
    expect: {
      status: 'fail',
      severity: 'medium',
      title: /\(21\/tcp\)$/,
      detail: /^port 21 is open \(ftps-explicit\) but the policy allows only 22 on files\.example\.test$/,
      remediation: /Close the port/,
      evidence: {
        some: [
          { label: /^policy allowlist$/, value: /^files\.example\.test: 22$/ },
          { label: /^port state$/, value: /21 open \(ftps-explicit\)/ },
        ],
      },
    },
  },
  {
    name: 'a port not allowed and not exposed: pass',
    endpoint: endpoint({ state: 'closed', port: 21 }),
    options: { policy: partner([22]) },
    expect: { status: 'pass', detail: /not exposed$/ },
  },
  {
    name: 'an allowed port that is closed is not an exposure (POLICY-EXPECTED-SERVICE says if it should be open)',
    endpoint: endpoint({ state: 'closed', port: 22 }),
    options: { policy: partner([22]) },
    expect: null,
  },
  {
    name: 'a host allowed no ports at all',
    endpoint: ftpEndpoint(plainFtp()),
    options: { policy: partner([]) },
    expect: { status: 'fail', detail: /allows only no ports on files\.example\.test/ },
  },
]);

const leafPin = cert().fingerprintSha256;

checkCases(policyKeyPin, [
  { name: 'no policy: not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'a policy port without pins: not its concern',
    endpoint: sshEndpoint(hardenedSsh()),
    options: { policy: partner([{ port: 22, service: 'sftp' }]) },
    expect: null,
  },
  {
    name: 'the ed25519 host key matches its pin (written with base64 padding): pass',
    endpoint: sshEndpoint(hardenedSsh()),
    options: { policy: partner([{ port: 22, sshHostKeys: [`${ED25519}=`] }]) },
    expect: {
      status: 'pass',
      title: /\(SSH host key\)$/,
      detail: /^the ssh-ed25519 host key matches the pin \(1 other host key\(s\) offered are not pinned\)$/,
      evidence: { some: [{ label: /^pinned$/ }, { label: /^host key presented$/, value: /^ssh-ed25519 256 SHA256:ugEg/ }] },
    },
  },
  {
    name: 'no host key matches the pin (re-keyed or intercepted): fail, critical',
    endpoint: sshEndpoint(hardenedSsh()),
    options: { policy: partner([{ port: 22, sshHostKeys: ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] }]) },
    expect: {
      status: 'fail',
      severity: 'critical',
      detail: /^none of the 2 host key\(s\) presented matches the pinned fingerprint\(s\)$/,
      remediation: /out of band/,
    },
  },
  {
    name: 'no host key obtained (filtered): skipped',
    endpoint: sshEndpoint(null, { state: 'filtered' }),
    options: { policy: partner([{ port: 22, sshHostKeys: [ED25519] }]) },
    expect: { status: 'skipped', detail: /^no SSH host key was obtained \(filtered, sftp\)/ },
  },
  {
    name: 'the leaf certificate matches its pin (colon-separated hex)',
    endpoint: tlsEndpoint(modernTls()),
    options: { policy: partner([{ port: 990, certificates: [leafPin] }]) },
    expect: { status: 'pass', title: /\(certificate\)$/, detail: /^the leaf certificate matches the pin$/ },
  },
  {
    name: 'the issuing CA is pinned instead',
    endpoint: tlsEndpoint(modernTls()),
    options: { policy: partner([{ port: 990, certificates: [INTERMEDIATE.fingerprintSha256.replace(/:/g, '').toLowerCase()] }]) },
    expect: { status: 'pass', detail: /^chain certificate 1 \(CN=Example Issuing CA\) matches the pin$/ },
  },
  {
    name: 'no certificate matches: fail',
    endpoint: tlsEndpoint(modernTls()),
    options: { policy: partner([{ port: 990, certificates: ['00'.repeat(32)] }]) },
    expect: {
      status: 'fail',
      detail: /^no certificate presented \(leaf CN=files\.example\.test\) matches the pinned fingerprint\(s\)$/,
      evidence: { some: [{ label: /^certificate \(leaf\)$/, value: /sha256=04:C8/ }] },
    },
  },
  {
    name: 'an FTPS port with both kinds of pin: one finding each (no SSH key there, the certificate matches)',
    endpoint: tlsEndpoint(modernTls()),
    options: { policy: partner([{ port: 990, sshHostKeys: [ED25519], certificates: [leafPin] }]) },
    expect: [
      { status: 'skipped', title: /\(SSH host key\)$/, detail: /no SSH host key was obtained \(open, ftps-implicit\)/ },
      { status: 'pass', title: /\(certificate\)$/ },
    ],
  },
  {
    name: 'no certificate obtained: skipped',
    endpoint: tlsEndpoint(null),
    options: { policy: partner([{ port: 990, certificates: [leafPin] }]) },
    expect: { status: 'skipped', detail: /^no certificate was obtained/ },
  },
]);

checkCases(cryptoInventory, [
  { name: 'a closed port: not its concern', endpoint: endpoint({ state: 'closed' }), expect: null },
  { name: 'an open port with no recognised service: not its concern', endpoint: endpoint({ service: null }), expect: null },
  {
    name: 'TLS: versions, suites and certificates',
    endpoint: tlsEndpoint(modernTls()),
    expect: {
      status: 'info',
      detail: /^files\.example\.test:990 ftps-implicit: TLS: TLSv1\.2\/TLSv1\.3, 6 suite\(s\), 2 certificate\(s\)$/,
      remediation: 'none',
      evidence: {
        some: [
          { label: /^TLS protocols$/, value: /^TLSv1\.2, TLSv1\.3$/ },
          { label: /^TLS suites TLSv1\.3$/ },
          { label: /^TLS groups$/ },
          { label: /^certificate chain\[1\]$/, value: /subject=CN=Example Issuing CA/ },
        ],
      },
    },
  },
  {
    name: 'TLS without an enumeration: what the handshake negotiated',
    endpoint: tlsEndpoint({ ...modernTls(), protocols: {}, cipherSuites: {}, chain: [], certificate: null }),
    expect: {
      status: 'info',
      detail: /TLS: TLSv1\.3, 1 suite\(s\), 0 certificate\(s\)$/,
      evidence: { some: [{ label: /^TLS suite negotiated$/, value: /^TLS_AES_256_GCM_SHA384$/ }] },
    },
  },
  {
    name: 'SSH: algorithms and host keys',
    endpoint: sshEndpoint(hardenedSsh()),
    expect: {
      status: 'info',
      detail: /SSH: 6 kex, 5 cipher\(s\), 3 MAC\(s\), 2 host key\(s\)$/,
      evidence: { some: [{ label: /^SSH host key$/, value: /^ssh-rsa 3072 SHA256:/ }] },
    },
  },
  {
    name: 'plain FTP: no cryptography to record',
    endpoint: ftpEndpoint(plainFtp()),
    expect: { status: 'info', detail: /\(ftp\) offered no cryptography that was recorded$/, evidence: 'none' },
  },
]);
