// How the server negotiates: cipher order, DH group size, the extensions that protect the
// handshake; and whether the FTP data channel negotiates what the control channel does.
import { tlsDhWeak, tlsExtEms, tlsExtRenegotiation, tlsFallbackScsv, tlsServerPreference } from '../../../src/checks/tls/negotiation.js';
import { tlsDataChannelDiffers } from '../../../src/checks/tls/data-channel.js';
import { checkCases } from './harness.js';
import { channel, ftpEndpoint, modernTls, notTlsRows, tlsEndpoint, vsftpdStrict, withChannels } from './facts.js';

/** TLS 1.3 only: no TLS ≤ 1.2 handshake, so the 1.2 extensions are null. */
const tls13Only = () =>
  modernTls({
    protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true },
    cipherSuites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] },
    secureRenegotiation: null,
    extendedMasterSecret: null,
  });

checkCases(tlsServerPreference, [
  ...notTlsRows(),
  {
    name: 'the server enforces its order: info, per version as evidence',
    endpoint: tlsEndpoint(modernTls()),
    expect: {
      status: 'info',
      detail: /^the server enforces its own cipher-suite order$/,
      remediation: 'none',
      evidence: { count: 2, some: [{ label: /^TLSv1\.2 server preference$/, value: /^true$/ }] },
    },
  },
  {
    name: "the server follows the client's order (vsftpd-explicit in the lab): info",
    endpoint: tlsEndpoint(modernTls({ serverPreference: false, serverPreferenceByVersion: { 'TLSv1.2': false, 'TLSv1.3': false } })),
    expect: { status: 'info', detail: /follows the client's cipher-suite order/ },
  },
  {
    name: 'fewer than two suites per version: undetermined',
    endpoint: tlsEndpoint(modernTls({ serverPreference: null, serverPreferenceByVersion: {} })),
    expect: { status: 'info', detail: /could not be determined/, evidence: 'none' },
  },
  {
    name: 'not enumerated: not tested',
    endpoint: tlsEndpoint(modernTls({ serverPreference: null, cipherSuites: {}, probe: undefined })),
    expect: { status: 'info', detail: /^cipher order was not tested$/ },
  },
]);

checkCases(tlsDhWeak, [
  ...notTlsRows(),
  { name: 'DH not probed: skipped', endpoint: tlsEndpoint(modernTls({ dhBits: undefined })), expect: { status: 'skipped' } },
  {
    name: 'no DHE suite accepted: pass',
    endpoint: tlsEndpoint(modernTls({ dhBits: null })),
    expect: { status: 'pass', detail: /no finite-field DHE suite is accepted/, evidence: 'none' },
  },
  {
    name: 'a 2048-bit group: pass, with the prime size as evidence',
    endpoint: tlsEndpoint(modernTls({ dhBits: 2048 })),
    expect: {
      status: 'pass',
      detail: /2048 bits$/,
      evidence: { some: [{ label: /^DH prime \(ServerKeyExchange\)$/, value: /^2048 bits$/ }] },
    },
  },
  {
    name: 'a 1024-bit group (Logjam range): fail, high',
    endpoint: tlsEndpoint(modernTls({ dhBits: 1024 })),
    expect: { status: 'fail', severity: 'high', detail: /1024 bits \(< 2048\)$/, remediation: /TLSDHParamFile/ },
  },
  {
    name: 'a profile asking for 3072 bits fails a 2048-bit group',
    endpoint: tlsEndpoint(modernTls({ dhBits: 2048 })),
    options: { minDhBits: 3072 },
    expect: { status: 'fail', detail: /2048 bits \(< 3072\)$/ },
  },
]);

checkCases(tlsExtRenegotiation, [
  ...notTlsRows(),
  { name: 'not probed: skipped', endpoint: tlsEndpoint(modernTls({ secureRenegotiation: undefined })), expect: { status: 'skipped' } },
  {
    name: 'TLS 1.3 only: pass, it has no renegotiation',
    endpoint: tlsEndpoint(tls13Only()),
    expect: { status: 'pass', detail: /only TLS 1\.3 is accepted/ },
  },
  {
    name: 'no TLS ≤ 1.2 handshake completed and no TLS 1.3: skipped',
    endpoint: tlsEndpoint(modernTls({ secureRenegotiation: null, protocols: { 'TLSv1.2': true, 'TLSv1.3': false } })),
    expect: { status: 'skipped', detail: /no TLS ≤ 1\.2 handshake completed/ },
  },
  {
    name: 'renegotiation_info answered: pass, with the ServerHello',
    endpoint: tlsEndpoint(modernTls()),
    expect: { status: 'pass', evidence: { some: [{ label: /^TLSv1\.2 ServerHello$/, value: /\+renegotiation_info/ }] } },
  },
  {
    name: 'no renegotiation_info: fail (CVE-2009-3555)',
    endpoint: tlsEndpoint(modernTls({ secureRenegotiation: false })),
    expect: { status: 'fail', severity: 'medium', detail: /CVE-2009-3555/, remediation: /RFC 5746/ },
  },
]);

checkCases(tlsExtEms, [
  ...notTlsRows(),
  { name: 'not probed: skipped', endpoint: tlsEndpoint(modernTls({ extendedMasterSecret: undefined })), expect: { status: 'skipped' } },
  {
    name: 'TLS 1.3 only: pass',
    endpoint: tlsEndpoint(tls13Only()),
    expect: { status: 'pass', detail: /key schedule binds the transcript/ },
  },
  {
    name: 'no TLS ≤ 1.2 handshake and no TLS 1.3: skipped',
    endpoint: tlsEndpoint(modernTls({ extendedMasterSecret: null, protocols: { 'TLSv1.3': false } })),
    expect: { status: 'skipped' },
  },
  { name: 'answered: pass', endpoint: tlsEndpoint(modernTls()), expect: { status: 'pass', detail: /answers extended_master_secret/ } },
  {
    name: 'missing: warn, low',
    endpoint: tlsEndpoint(modernTls({ extendedMasterSecret: false })),
    expect: { status: 'warn', severity: 'low', detail: /triple-handshake/, remediation: /OpenSSL ≥ 1\.1\.0/ },
  },
]);

checkCases(tlsFallbackScsv, [
  ...notTlsRows(),
  { name: 'not probed: skipped', endpoint: tlsEndpoint(modernTls({ fallbackScsv: undefined })), expect: { status: 'skipped' } },
  {
    name: 'inconclusive: skipped with what the prober said',
    endpoint: tlsEndpoint(
      modernTls({ fallbackScsv: null, probe: { ...modernTls().probe!, errors: ['fallback test: connection reset after ClientHello'] } }),
    ),
    expect: { status: 'skipped', detail: /^the fallback test was inconclusive: fallback test: connection reset/ },
  },
  {
    name: 'one version only: nothing to fall back to',
    endpoint: tlsEndpoint(modernTls({ fallbackScsv: 'n/a' })),
    expect: { status: 'pass' },
  },
  {
    name: 'inappropriate_fallback: pass',
    endpoint: tlsEndpoint(modernTls()),
    expect: { status: 'pass', evidence: { some: [{ value: /^alert inappropriate_fallback$/ }] } },
  },
  {
    name: 'a downgraded hello accepted: fail',
    endpoint: tlsEndpoint(modernTls({ fallbackScsv: 'not-protected' })),
    expect: { status: 'fail', severity: 'medium', detail: /accepted$/, evidence: { some: [{ value: /^ServerHello \(accepted\)$/ }] } },
  },
]);

/** Explicit FTPS whose data channels negotiated `dc` while the control channel negotiated TLS 1.3. */
const dataChannel = (dc: { protocol: string; cipher: string; fingerprintSha256?: string | null }) =>
  ftpEndpoint(
    withChannels(vsftpdStrict(), {
      dataChannels: [channel('EPSV', 'P', { tls: { resumed: false, fingerprintSha256: null, ...dc } })],
    }),
  );

checkCases(tlsDataChannelDiffers, [
  ...notTlsRows(),
  {
    name: 'no protected data connection worked (no login): skipped',
    endpoint: ftpEndpoint(withChannels(vsftpdStrict(), { login: undefined, dataChannels: [] })),
    expect: { status: 'skipped', detail: /needs a PROT P data connection/ },
  },
  {
    name: 'resumed data channels negotiate what the control channel does: pass',
    endpoint: ftpEndpoint(vsftpdStrict()),
    expect: {
      status: 'pass',
      evidence: { some: [{ label: /^control channel$/, value: /^TLSv1\.3 TLS_AES_256_GCM_SHA384 04:C8/ }, { label: /^data channel$/ }] },
    },
  },
  {
    name: 'the data channel falls back to TLS 1.2: fail',
    endpoint: dataChannel({ protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' }),
    expect: { status: 'fail', severity: 'medium', detail: /^the data channel differs: version TLSv1\.2 < TLSv1\.3$/ },
  },
  {
    name: 'the data channel gives up forward secrecy and AEAD: fail, naming both',
    endpoint: dataChannel({ protocol: 'TLSv1.3', cipher: 'TLS_RSA_WITH_AES_256_CBC_SHA' }),
    expect: { status: 'fail', detail: /TLS_RSA_WITH_AES_256_CBC_SHA instead of .*\(no forward secrecy, CBC instead of AEAD\)/ },
  },
  {
    name: 'a suite name no registry knows: warn, strength not comparable',
    endpoint: dataChannel({ protocol: 'TLSv1.3', cipher: 'TLS_MADE_UP_SUITE' }),
    expect: { status: 'warn', detail: /not comparable/ },
  },
  {
    name: 'the data channel presents another certificate (a proxy in front): fail',
    endpoint: dataChannel({
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      fingerprintSha256: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99',
    }),
    expect: { status: 'fail', detail: /^the data channel differs: a different certificate$/ },
  },
  {
    name: 'an equally strong suite on the same version is not weaker',
    endpoint: dataChannel({ protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256' }),
    expect: { status: 'pass' },
  },
]);
