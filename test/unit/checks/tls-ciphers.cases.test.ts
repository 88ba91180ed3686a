// Cipher suites: weak ones accepted (NULL, anonymous, export, RC4, DES, 3DES, no forward
// secrecy, CBC), and suites outside the profile's list.
import type { Check } from '../../../src/checks/types.js';
import type { FindingStatus, Severity } from '../../../src/model.js';
import * as ciphers from '../../../src/checks/tls/ciphers.js';
import { checkCases } from './harness.js';
import { modernTls, notTlsRows, tlsEndpoint } from './facts.js';

const GOOD = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256';
/** The inventory found nothing to enumerate (no prober bookkeeping, no suites). */
const notEnumerated = () => tlsEndpoint(modernTls({ cipherSuites: {}, probe: undefined }));
const accepting = (...suites: string[]) =>
  tlsEndpoint(modernTls({ cipherSuites: { 'TLSv1.2': [GOOD, ...suites], 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] } }));

function suiteRows(check: Check, bad: string, what: RegExp, severity: Severity, status: FindingStatus = 'fail'): void {
  checkCases(check, [
    ...notTlsRows(),
    {
      name: 'suites not enumerated: skipped',
      endpoint: notEnumerated(),
      expect: { status: 'skipped', detail: /^cipher suites were not enumerated$/ },
    },
    {
      name: 'only Mozilla-intermediate suites: pass, counting them',
      endpoint: tlsEndpoint(modernTls()),
      expect: { status: 'pass', detail: /accepted \(6 suites accepted in all\)$/, remediation: 'none', evidence: 'none' },
    },
    {
      name: 'none seen, but TLS 1.0 drew no answer: warn (its suites are unknown), never a pass',
      endpoint: tlsEndpoint(modernTls({ protocols: { ...modernTls().protocols, 'TLSv1.0': null } })),
      expect: { status: 'warn', detail: /but TLSv1\.0 could not be decided/ },
    },
    {
      name: `${bad} accepted: ${status}, ${severity}, naming the suite and its OpenSSL name`,
      endpoint: accepting(bad),
      expect: {
        status,
        severity,
        detail: new RegExp(`^1 ${what.source} accepted \\(TLSv1\\.2\\)$`),
        remediation: /ssl_ciphers=/,
        evidence: { count: 1, some: [{ value: new RegExp(`^TLSv1\\.2: ${bad}`) }] },
      },
    },
  ]);
}

suiteRows(ciphers.tlsCipherNull, 'TLS_RSA_WITH_NULL_SHA256', /NULL-cipher suites/, 'critical');
suiteRows(ciphers.tlsCipherAnon, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256', /anonymous suites/, 'critical');
suiteRows(ciphers.tlsCipherExport, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', /export suites/, 'critical');
suiteRows(ciphers.tlsCipherRc4, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', /RC4 suites/, 'critical');
suiteRows(ciphers.tlsCipherDes, 'TLS_RSA_WITH_DES_CBC_SHA', /DES\/RC2 suites/, 'critical');
suiteRows(ciphers.tlsCipher3des, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', /3DES suites/, 'high');
suiteRows(ciphers.tlsCipherNoPfs, 'TLS_RSA_WITH_AES_128_GCM_SHA256', /suites without forward secrecy/, 'medium');
suiteRows(ciphers.tlsCipherCbc, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', /CBC-mode suites/, 'low', 'warn');

// Edges of the suite predicates, judged on the real registry.
checkCases(ciphers.tlsCipherNoPfs, [
  {
    name: "anonymous suites are TLS-CIPHER-ANON's: not counted as lacking forward secrecy",
    endpoint: accepting('TLS_ECDH_anon_WITH_AES_128_CBC_SHA'),
    expect: { status: 'pass' },
  },
  {
    name: 'a signalling value (SCSV) in the list is no suite',
    endpoint: accepting('TLS_EMPTY_RENEGOTIATION_INFO_SCSV'),
    expect: { status: 'pass' },
  },
  {
    name: 'the ProFTPD lab on @SECLEVEL=0: static-RSA suites on three versions',
    endpoint: tlsEndpoint(
      modernTls({
        cipherSuites: {
          'TLSv1.2': [GOOD, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
          'TLSv1.1': ['TLS_RSA_WITH_AES_128_CBC_SHA'],
          'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA'],
        },
      }),
    ),
    expect: {
      status: 'fail',
      detail: /^4 suites without forward secrecy accepted \(TLSv1\.2, TLSv1\.1, TLSv1\.0\)$/,
      evidence: { count: 4 },
    },
  },
]);

checkCases(ciphers.tlsCipherDes, [
  { name: 'an export DES40 suite is single DES too', endpoint: accepting('TLS_RSA_EXPORT_WITH_DES40_CBC_SHA'), expect: { status: 'fail' } },
]);

checkCases(ciphers.tlsCipherNull, [
  {
    name: 'a suite name the registry does not know is not judged',
    endpoint: accepting('TLS_MADE_UP_WITH_NULL_NULL'),
    expect: { status: 'pass' },
  },
]);

const NIST = {
  name: 'NIST SP 800-52r2',
  suites: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'] },
};

checkCases(ciphers.tlsCipherProfile, [
  ...notTlsRows(),
  { name: 'suites not enumerated: skipped', endpoint: notEnumerated(), expect: { status: 'skipped' } },
  {
    name: 'every suite in Mozilla intermediate 6.0 (the default yardstick): pass',
    endpoint: tlsEndpoint(modernTls()),
    expect: { status: 'pass', detail: /^every accepted suite is in Mozilla intermediate 6\.0$/ },
  },
  {
    name: 'every suite seen is in the profile, but TLS 1.0 drew no answer: warn (its suites are unknown), never a pass',
    endpoint: tlsEndpoint(modernTls({ protocols: { ...modernTls().protocols, 'TLSv1.0': null } })),
    expect: { status: 'warn', detail: /^every accepted suite seen is in Mozilla intermediate 6\.0, but TLSv1\.0 could not be decided/ },
  },
  {
    name: 'a CBC suite outside Mozilla intermediate: fail, medium',
    endpoint: accepting('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^1 accepted suites are outside Mozilla intermediate 6\.0$/,
      evidence: { some: [{ label: /^outside profile$/, value: /ECDHE-RSA-AES128-SHA/ }] },
    },
  },
  {
    name: "under a profile's own list (NIST, no TLS 1.3 suites listed, no ChaCha20): fail, naming the list",
    endpoint: tlsEndpoint(modernTls()),
    options: { tlsCipherProfile: NIST },
    expect: { status: 'fail', detail: /^4 accepted suites are outside NIST SP 800-52r2$/ },
  },
]);
