// Protocol versions: SSL 2.0/3.0 and TLS 1.0/1.1 accepted; TLS 1.2/1.3 not offered.
import type { Check } from '../../../src/checks/types.js';
import type { ProtocolVersion, Severity } from '../../../src/model.js';
import { tlsNoTls12, tlsNoTls13, tlsProtoSsl2, tlsProtoSsl3, tlsProtoTls10, tlsProtoTls11 } from '../../../src/checks/tls/protocols.js';
import { checkCases } from './harness.js';
import { modernTls, notTlsRows, tlsEndpoint } from './facts.js';

const PROTOS: ProtocolVersion[] = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const offering = (...on: ProtocolVersion[]) => Object.fromEntries(PROTOS.map((p) => [p, on.includes(p)]));
const untested = (p: ProtocolVersion) => Object.fromEntries(PROTOS.filter((x) => x !== p).map((x) => [x, x === 'TLSv1.2']));

/** A version that must not be accepted: fail when it is, with its suites and ServerHello. */
function legacyVersion(check: Check, p: ProtocolVersion, severity: Severity, why: RegExp): void {
  checkCases(check, [
    ...notTlsRows(),
    {
      name: `${p} not tested: skipped`,
      endpoint: tlsEndpoint(modernTls({ protocols: untested(p) })),
      expect: { status: 'skipped', detail: /was not tested$/ },
    },
    {
      name: `${p} drew no answer (timeouts): warn, undecided — never a pass`,
      endpoint: tlsEndpoint(
        modernTls({
          protocols: { ...offering('TLSv1.2', 'TLSv1.3'), [p]: null },
          probe: { ...modernTls().probe!, errors: [`${p}: enumerate: timeout`] },
        }),
      ),
      expect: { status: 'warn', detail: new RegExp(`could not be decided: ${p.replace('.', '\\.')}: enumerate: timeout`) },
    },
    {
      name: `${p} refused: pass`,
      endpoint: tlsEndpoint(modernTls()),
      expect: { status: 'pass', detail: new RegExp(`^${p.replace('.', '\\.')} is refused$`), remediation: 'none', evidence: { count: 1 } },
    },
    {
      name: `${p} accepted: fail, ${severity}, with its suites and ServerHello`,
      endpoint: tlsEndpoint(
        modernTls({
          protocols: offering(p, 'TLSv1.2'),
          cipherSuites: { [p]: ['TLS_RSA_WITH_AES_128_CBC_SHA'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
          probe: {
            ...modernTls().probe!,
            evidence: [{ label: `${p} ServerHello`, value: `server-hello ${p} TLS_RSA_WITH_AES_128_CBC_SHA` }],
          },
        }),
      ),
      expect: {
        status: 'fail',
        severity,
        detail: why,
        remediation: /ssl_tlsv1_2=YES|TLSProtocol/,
        evidence: {
          count: 3,
          some: [
            { label: new RegExp(`^${p} accepted$`), value: /^true$/ },
            { label: new RegExp(`^${p} suites$`) },
            { label: new RegExp(`^${p} ServerHello$`) },
          ],
        },
      },
    },
  ]);
}

legacyVersion(tlsProtoSsl2, 'SSLv2', 'critical', /^SSLv2 is accepted: SSL 2\.0 is broken \(DROWN/);
legacyVersion(tlsProtoSsl3, 'SSLv3', 'critical', /^SSLv3 is accepted: SSL 3\.0 is broken \(POODLE\)/);
legacyVersion(tlsProtoTls10, 'TLSv1.0', 'high', /^TLSv1\.0 is accepted: TLS 1\.0 is "early TLS"/);
legacyVersion(tlsProtoTls11, 'TLSv1.1', 'medium', /^TLSv1\.1 is accepted: .*RFC 8996/);

checkCases(tlsNoTls12, [
  ...notTlsRows(),
  {
    name: 'TLS 1.2 not tested: skipped',
    endpoint: tlsEndpoint(modernTls({ protocols: { 'TLSv1.3': true } })),
    expect: { status: 'skipped' },
  },
  {
    name: 'TLS 1.2 accepted: pass',
    endpoint: tlsEndpoint(modernTls()),
    expect: {
      status: 'pass',
      detail: /^TLS 1\.2 is accepted$/,
      evidence: { some: [{ label: /^TLSv1\.2 suites$/ }, { label: /^TLSv1\.2 ServerHello$/ }] },
    },
  },
  {
    name: 'only TLS 1.0 and 1.1 (an old OpenSSL): fail, high',
    endpoint: tlsEndpoint(
      modernTls({ protocols: offering('TLSv1.0', 'TLSv1.1'), cipherSuites: { 'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA'] } }),
    ),
    expect: { status: 'fail', severity: 'high', detail: /^TLS 1\.2 is not accepted$/, remediation: /NIST SP 800-52r2/ },
  },
]);

checkCases(tlsNoTls13, [
  ...notTlsRows(),
  {
    name: 'TLS 1.3 not tested: skipped',
    endpoint: tlsEndpoint(modernTls({ protocols: { 'TLSv1.2': true } })),
    expect: { status: 'skipped' },
  },
  { name: 'TLS 1.3 accepted: pass', endpoint: tlsEndpoint(modernTls()), expect: { status: 'pass', detail: /^TLS 1\.3 is accepted$/ } },
  {
    name: 'TLS 1.2 only (ProFTPD on @SECLEVEL=0): warn, low',
    endpoint: tlsEndpoint(modernTls({ protocols: offering('TLSv1.0', 'TLSv1.1', 'TLSv1.2') })),
    expect: { status: 'warn', severity: 'low', detail: /^TLS 1\.3 is not accepted$/, remediation: /OpenSSL ≥ 1\.1\.1/ },
  },
]);
