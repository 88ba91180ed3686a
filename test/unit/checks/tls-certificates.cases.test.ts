// Certificates: validity dates, trust, the name clients use, key size, signature hash, lifetime.
// Every certificate check runs on each certificate the server presents; one that could not be
// parsed is an error, never a pass.
import type { Check } from '../../../src/checks/types.js';
import {
  tlsCertExpired,
  tlsCertExpiring,
  tlsCertNameMismatch,
  tlsCertNotYetValid,
  tlsCertUntrusted,
} from '../../../src/checks/tls/cert-validity.js';
import { tlsCertLifetime, tlsCertWeakKey, tlsCertWeakSignature } from '../../../src/checks/tls/cert-strength.js';
import type { TlsCertificateFacts, TlsFacts } from '../../../src/model.js';
import { checkCases, type CheckCase } from './harness.js';
import { INTERMEDIATE, cert, modernTls, notTlsRows, tlsEndpoint } from './facts.js';

/** A server presenting `leaf` (and, unless told otherwise, the usual intermediate). */
const presenting = (leaf: TlsCertificateFacts, chain: TlsCertificateFacts[] = [leaf, INTERMEDIATE], over: Partial<TlsFacts> = {}) =>
  tlsEndpoint(modernTls({ certificate: leaf, chain, ...over }));

/** The lab's weak.crt: self-signed RSA-1024/SHA-1, valid 2020-01-01 .. 2021-01-01. */
const WEAK = cert({
  subject: 'CN=localhost',
  issuer: 'CN=localhost',
  notBefore: '2020-01-01T00:00:00.000Z',
  notAfter: '2021-01-01T00:00:00.000Z',
  subjectAltNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
  keyBits: 1024,
  signatureAlgorithm: 'sha1WithRSAEncryption',
  signatureHash: 'sha1',
  selfSigned: true,
  lifetimeDays: 366,
});

const ECDSA = cert({
  keyType: 'EC',
  keyBits: 256,
  keyCurve: 'prime256v1',
  signatureAlgorithm: 'ecdsa-with-SHA256',
  fingerprintSha256: '3E:23:E8:16:00:39:59:4A:33:89:4F:65:64:E1:B1:34:8B:BD:7A:00:88:D4:2C:4A:CB:73:EE:AE:D5:9C:00:9D',
});

/** What withCerts does for every certificate check: no certificate, or one that could not be parsed. */
function certGuards(): CheckCase[] {
  return [
    ...notTlsRows(),
    {
      name: 'no certificate obtained: skipped',
      endpoint: tlsEndpoint(modernTls({ certificate: null, chain: [] })),
      expect: { status: 'skipped', detail: /^no certificate was obtained from the server$/ },
    },
    {
      name: 'a certificate that could not be parsed: error, never a pass',
      endpoint: presenting(cert({ parseError: 'ASN.1 error: too few bytes to read ASN.1 value' })),
      expect: { status: 'error', detail: /^the server's certificate could not be parsed: ASN\.1 error/ },
    },
  ];
}

function certCases(check: Check, rows: CheckCase[]): void {
  checkCases(check, [...certGuards(), ...rows]);
}

certCases(tlsCertExpired, [
  {
    name: 'every certificate in date: pass',
    endpoint: presenting(cert()),
    expect: { status: 'pass', detail: /leaf valid until 2027-06-01T00:00:00\.000Z/, remediation: 'none' },
  },
  {
    name: 'the lab weak.crt expired on 2021-01-01: fail, with its dates',
    endpoint: presenting(WEAK, [WEAK]),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^1 certificate\(s\) expired: leaf CN=localhost on 2021-01-01/,
      remediation: /Renew the certificate/,
      evidence: { some: [{ label: /^leaf CN=localhost$/, value: /notAfter="2021-01-01/ }] },
    },
  },
  {
    name: 'an expired intermediate: fail, naming its place in the chain',
    endpoint: presenting(cert(), [cert(), { ...INTERMEDIATE, notAfter: '2026-11-01T00:00:00.000Z' }]),
    expect: { status: 'fail', detail: /chain\[1\] CN=Example Issuing CA on 2026-11-01/ },
  },
  {
    name: 'an expired self-signed root sent after the leaf is trusted by identity: not judged',
    endpoint: presenting(cert(), [cert(), { ...INTERMEDIATE, selfSigned: true, notAfter: '2026-11-01T00:00:00.000Z' }]),
    expect: { status: 'pass' },
  },
  {
    name: 'two certificates (RSA and ECDSA), the ECDSA one expired: the worst decides, each named by its key',
    endpoint: presenting(cert(), [cert()], {
      otherCertificates: [{ chain: [{ ...ECDSA, notAfter: '2026-11-30T00:00:00.000Z' }], validation: modernTls().validation! }],
    }),
    expect: {
      status: 'fail',
      detail: /^certificate 1 of 2 \(RSA 2048\): no certificate .* \| certificate 2 of 2 \(EC 256\): 1 certificate\(s\) expired/,
      evidence: { some: [{ label: /^certificate 2 of 2 \(EC 256\): leaf/ }] },
    },
  },
]);

certCases(tlsCertNotYetValid, [
  { name: 'started: pass', endpoint: presenting(cert()), expect: { status: 'pass' } },
  {
    name: 'valid only from next year (a wrong clock at the CA or server): fail',
    endpoint: presenting(cert({ notBefore: '2027-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z' })),
    expect: { status: 'fail', severity: 'high', detail: /^1 certificate\(s\) not yet valid: leaf CN=files\.example\.test from 2027-01-01/ },
  },
]);

certCases(tlsCertExpiring, [
  { name: 'six months left: pass', endpoint: presenting(cert()), expect: { status: 'pass', detail: /expires in 180 days$/ } },
  {
    name: 'ten days left: warn, low',
    endpoint: presenting(cert({ notAfter: '2026-12-12T12:00:00.000Z' })),
    expect: { status: 'warn', severity: 'low', detail: /expires in 10 days/, remediation: /automate renewal/ },
  },
  {
    name: 'a profile warning 200 days ahead',
    endpoint: presenting(cert()),
    options: { certExpiryWarnDays: 200 },
    expect: { status: 'warn', detail: /expires in 180 days/ },
  },
  {
    name: 'already expired: left to TLS-CERT-EXPIRED',
    endpoint: presenting(WEAK, [WEAK]),
    expect: { status: 'pass', detail: /see TLS-CERT-EXPIRED/ },
  },
]);

certCases(tlsCertUntrusted, [
  {
    name: 'path validation not run: skipped',
    endpoint: presenting(cert(), undefined, { validation: null }),
    expect: { status: 'skipped', detail: /was not run/ },
  },
  {
    name: 'verifies to a system root: pass',
    endpoint: presenting(cert()),
    expect: { status: 'pass', detail: /^the chain verifies to CN=Example Root CA \(system roots\)$/ },
  },
  {
    name: 'verifies to the CA given with --ca-file: pass',
    endpoint: presenting(cert(), undefined, { validation: { ...modernTls().validation!, trustSource: 'ca-file' } }),
    expect: { status: 'pass', detail: /\(CA file\)$/ },
  },
  {
    name: 'self-signed (the lab good.crt): fail',
    endpoint: presenting(cert({ subject: 'CN=localhost', issuer: 'CN=localhost', selfSigned: true }), undefined, {
      validation: {
        ...modernTls().validation!,
        trusted: false,
        error: 'self-signed certificate: CN=localhost',
        trustAnchor: null,
        trustSource: null,
      },
    }),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^the certificate is self-signed \(CN=localhost\)$/,
      evidence: { some: [{ label: /^path validation$/, value: /^self-signed certificate/ }] },
    },
  },
  {
    name: 'the intermediate not sent: fail, with the chain-order note',
    endpoint: presenting(cert(), [cert()], {
      validation: {
        ...modernTls().validation!,
        trusted: false,
        error: 'unable to get local issuer certificate',
        trustAnchor: null,
        trustSource: null,
        chainOrderProblem: 'the server sent only the leaf; its issuer CN=Example Issuing CA is missing',
      },
    }),
    expect: {
      status: 'fail',
      detail: /^the chain does not verify: unable to get local issuer certificate$/,
      evidence: { some: [{ label: /^chain order$/ }] },
    },
  },
]);

certCases(tlsCertNameMismatch, [
  {
    name: 'no host name to compare with: skipped',
    endpoint: presenting(cert(), undefined, { validation: { ...modernTls().validation!, hostname: null, hostnameMatch: null } }),
    expect: { status: 'skipped', detail: /no host name/ },
  },
  {
    name: 'the name is in the SAN: pass',
    endpoint: presenting(cert()),
    expect: { status: 'pass', detail: /valid for files\.example\.test$/ },
  },
  {
    name: 'the name is not: fail, with the names the leaf carries',
    endpoint: presenting(cert({ subjectAltNames: ['DNS:localhost'] }), undefined, {
      validation: { ...modernTls().validation!, hostnameMatch: false },
    }),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^the certificate is not valid for files\.example\.test$/,
      evidence: { some: [{ label: /^leaf names$/, value: /SAN DNS:localhost$/ }] },
    },
  },
]);

certCases(tlsCertWeakKey, [
  { name: 'RSA 2048 and an RSA 4096 issuer: pass', endpoint: presenting(cert()), expect: { status: 'pass', detail: /leaf RSA 2048 bits/ } },
  {
    name: 'RSA 1024 (the lab weak.crt): fail, high',
    endpoint: presenting(WEAK, [WEAK]),
    expect: { status: 'fail', severity: 'high', detail: /^leaf CN=localhost: RSA 1024 bits$/, remediation: /rsa:3072/ },
  },
  {
    name: 'an EC P-224 key: fail',
    endpoint: presenting({ ...ECDSA, keyBits: 224, keyCurve: 'secp224r1' }),
    expect: { status: 'fail', detail: /EC 224 bits/ },
  },
  {
    name: 'a profile asking RSA ≥ 3072 fails RSA 2048',
    endpoint: presenting(cert()),
    options: { minRsaBits: 3072 },
    expect: { status: 'fail', detail: /^leaf CN=files\.example\.test: RSA 2048 bits$/ },
  },
  { name: 'Ed25519 has no size to judge', endpoint: presenting(cert({ keyType: 'ED25519', keyBits: 256 })), expect: { status: 'pass' } },
]);

certCases(tlsCertWeakSignature, [
  {
    name: 'SHA-256 throughout: pass',
    endpoint: presenting(cert()),
    expect: { status: 'pass', detail: /^signatures use sha256WithRSAEncryption$/ },
  },
  {
    name: 'a SHA-1 leaf (the lab weak.crt): fail, high',
    endpoint: presenting(WEAK, [WEAK]),
    expect: { status: 'fail', severity: 'high', detail: /^leaf CN=localhost: sha1WithRSAEncryption$/ },
  },
  {
    name: 'an MD5 intermediate: fail',
    endpoint: presenting(cert(), [cert(), { ...INTERMEDIATE, signatureAlgorithm: 'md5WithRSAEncryption', signatureHash: 'md5' }]),
    expect: { status: 'fail', detail: /^chain\[1\] CN=Example Issuing CA: md5WithRSAEncryption$/ },
  },
  {
    name: 'no parsed hash: the algorithm name decides',
    endpoint: presenting(cert({ signatureAlgorithm: 'sha1WithRSAEncryption', signatureHash: null })),
    expect: { status: 'fail' },
  },
]);

certCases(tlsCertLifetime, [
  { name: '365 days: pass', endpoint: presenting(cert()), expect: { status: 'pass', detail: /valid for 365 days$/ } },
  {
    name: '825 days (the lab good.crt): warn, low',
    endpoint: presenting(cert({ lifetimeDays: 825 })),
    expect: { status: 'warn', severity: 'low', detail: /^the leaf certificate is valid for 825 days \(> 398\)$/, remediation: /398 days/ },
  },
  {
    name: 'the Mozilla profile allows 366 days at most',
    endpoint: presenting(cert({ lifetimeDays: 398 })),
    options: { certMaxLifetimeDays: 366 },
    expect: { status: 'warn', detail: /398 days \(> 366\)/ },
  },
  {
    name: 'no lifetime recorded: computed from the dates',
    endpoint: presenting(cert({ lifetimeDays: null, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z' })),
    expect: { status: 'warn', detail: /730 days/ },
  },
  {
    name: 'dates unreadable: skipped',
    endpoint: presenting(cert({ lifetimeDays: null, notBefore: 'not a date', notAfter: 'not a date' })),
    expect: { status: 'skipped', detail: /unreadable/ },
  },
]);
