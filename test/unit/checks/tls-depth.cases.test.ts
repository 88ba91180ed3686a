// TLS beyond the suites (src/checks/tls/depth.ts): client certificates, OCSP stapling, Must-Staple,
// revocation (asked of the CA only with --check-revocation), the chain as sent and the leaf's key
// usage. Facts are shaped as the tls-vulns probe writes them for the lab's tls-extra servers (a
// vsftpd requiring a client certificate, ProFTPD stapling good and revoked responses, a leaf-only
// server). The certificate checks are errors when the certificate could not be parsed.
import {
  tlsCertChain,
  tlsCertMustStaple,
  tlsCertRevoked,
  tlsCertUsage,
  tlsClientCert,
  tlsOcspStapling,
} from '../../../src/checks/tls/depth.js';
import type { EndpointReport, TlsClientAuth, TlsFacts, TlsOcsp, TlsRevocation, TlsTrust } from '../../../src/model.js';
import { checkCases, type CheckCase } from './harness.js';
import { INTERMEDIATE, cert, modernTls, notTlsRows, tlsEndpoint } from './facts.js';

const depth = (over: Partial<TlsFacts> = {}): EndpointReport => tlsEndpoint(modernTls(over));

const UNREADABLE = cert({ parseError: 'ASN.1 error: too few bytes to read ASN.1 value' });

/** What the certificate checks (withCert) do without a certificate or with an unreadable one. */
function certGuards(facts: Partial<TlsFacts>): CheckCase[] {
  return [
    ...notTlsRows(),
    {
      name: 'no certificate obtained: skipped',
      endpoint: depth({ ...facts, certificate: null, chain: [] }),
      expect: { status: 'skipped', detail: /^no certificate was obtained from the server$/ },
    },
    {
      name: 'a certificate that could not be parsed: error, never a pass',
      endpoint: depth({ ...facts, certificate: UNREADABLE, chain: [UNREADABLE, INTERMEDIATE] }),
      expect: { status: 'error', detail: /^the server's certificate could not be parsed: ASN\.1 error/ },
    },
  ];
}

const NOT_RUN: CheckCase = {
  name: 'the tls-vulns probe gathered nothing (it did not run): skipped',
  endpoint: depth(),
  expect: { status: 'skipped', detail: /^the TLS depth probe \(tls-vulns\) gathered no such facts on this endpoint$/ },
};

// ---- client certificates -----------------------------------------------------------------------

const PARTNER_CA = 'CN=Example Partner Client CA,O=Example';

function clientAuth(over: Partial<TlsClientAuth> = {}): TlsClientAuth {
  return {
    status: 'required',
    requested: true,
    acceptedCAs: [PARTNER_CA],
    certificateTypes: ['rsa_sign', 'ecdsa_sign'],
    withoutCertificate: {
      protocol: 'TLSv1.2',
      outcome: 'refused',
      alert: 'handshake_failure',
      afterHandshake: false,
      detail: 'alert fatal handshake_failure after our empty Certificate',
    },
    withCertificate: null,
    clientCertificate: null,
    evidence: ['TLSv1.2 CertificateRequest: 1 CA name', 'without a certificate: alert fatal handshake_failure after our empty Certificate'],
    connections: 1,
    ms: 14,
    ...over,
  };
}

const OURS = {
  subject: 'CN=xfs-client,O=Example',
  issuer: PARTNER_CA,
  fingerprintSha256: '5D:20:9E:41:C7:88:0A:F3:6B:12:DE:74:95:2C:B0:6E:31:A8:4F:07:C9:E5:1B:62:8D:F0:37:A6:53:0C:99:E4',
  notAfter: '2027-06-01T00:00:00.000Z',
};

checkCases(tlsClientCert, [
  ...notTlsRows(),
  NOT_RUN,
  {
    name: 'required (the lab vsftpd with require_cert): info, naming the CAs it accepts',
    endpoint: depth({ clientAuth: clientAuth() }),
    expect: {
      status: 'info',
      severity: 'info',
      detail:
        /^this server requires your client certificate; send them its public part — it accepts certificates issued by: CN=Example Partner Client CA,O=Example$/,
      remediation: 'none',
      evidence: { some: [{ label: /^accepted CA$/, value: /^CN=Example Partner Client CA/ }, { label: /^client certificate$/ }] },
    },
  },
  {
    name: 'required, and the certificate we were given (--client-cert) was accepted: info',
    endpoint: depth({
      clientAuth: clientAuth({
        withCertificate: { protocol: 'TLSv1.2', outcome: 'completed', alert: null, afterHandshake: false, detail: 'handshake completed' },
        clientCertificate: OURS,
      }),
    }),
    expect: {
      status: 'info',
      detail: /; the certificate we were given was accepted$/,
      evidence: { some: [{ label: /^our client certificate$/, value: /^CN=xfs-client,O=Example \(issuer CN=Example Partner Client CA/ }] },
    },
  },
  {
    name: 'required, and our certificate was refused: info with what to send, not a weakness of the server',
    endpoint: depth({
      clientAuth: clientAuth({
        withCertificate: {
          protocol: 'TLSv1.2',
          outcome: 'refused',
          alert: 'unknown_ca',
          afterHandshake: false,
          detail: 'alert fatal unknown_ca',
        },
        clientCertificate: { ...OURS, issuer: 'CN=Some Other CA' },
      }),
    }),
    expect: {
      status: 'info',
      detail: /^the server refused the client certificate we were given \(alert fatal unknown_ca\); it accepts certificates issued by: /,
      remediation: /public part \(the certificate, never the key\)/,
    },
  },
  {
    name: 'optional (asks, completes without one): info',
    endpoint: depth({
      clientAuth: clientAuth({
        status: 'optional',
        acceptedCAs: [],
        withoutCertificate: {
          protocol: 'TLSv1.2',
          outcome: 'completed',
          alert: null,
          afterHandshake: false,
          detail: 'handshake completed',
        },
      }),
    }),
    expect: {
      status: 'info',
      detail: /^this server asks for a client certificate but does not insist — it names no CA \(any issuer may do\)$/,
    },
  },
  {
    name: 'TLS 1.3 requires one after the handshake: the CA names are encrypted, info says so',
    endpoint: depth({
      clientAuth: clientAuth({
        requested: null,
        acceptedCAs: null,
        certificateTypes: null,
        withoutCertificate: {
          protocol: 'TLSv1.3',
          outcome: 'refused',
          alert: 'certificate_required',
          afterHandshake: true,
          detail: 'alert fatal certificate_required after the handshake',
        },
      }),
    }),
    expect: { status: 'info', detail: /the accepted CA names are not visible \(TLS 1\.3 encrypts the request\)$/ },
  },
  {
    name: 'no CertificateRequest: info',
    endpoint: depth({
      clientAuth: clientAuth({
        status: 'not-requested',
        requested: false,
        acceptedCAs: null,
        certificateTypes: null,
        withoutCertificate: {
          protocol: 'TLSv1.2',
          outcome: 'completed',
          alert: null,
          afterHandshake: false,
          detail: 'handshake completed',
        },
        evidence: ['TLSv1.2 flight without CertificateRequest'],
      }),
    }),
    expect: { status: 'info', detail: /^the server does not ask for a client certificate$/, remediation: 'none' },
  },
  {
    name: 'TLS 1.3 only, completes without one: info',
    endpoint: depth({
      clientAuth: clientAuth({
        status: 'not-required',
        requested: null,
        acceptedCAs: null,
        certificateTypes: null,
        withoutCertificate: {
          protocol: 'TLSv1.3',
          outcome: 'completed',
          alert: null,
          afterHandshake: false,
          detail: 'handshake completed',
        },
      }),
    }),
    expect: { status: 'info', detail: /^the server completes TLS 1\.3 handshakes without a client certificate$/ },
  },
  {
    name: 'the handshakes failed for other reasons: undecided, skipped',
    endpoint: depth({
      clientAuth: clientAuth({
        status: 'inconclusive',
        requested: null,
        acceptedCAs: null,
        withoutCertificate: { protocol: null, outcome: 'failed', alert: null, afterHandshake: false, detail: 'no reply within 8000 ms' },
      }),
    }),
    expect: { status: 'skipped', detail: /^whether the server wants a client certificate could not be decided$/ },
  },
]);

// ---- OCSP stapling and Must-Staple ---------------------------------------------------------------

/** A good staple from the lab's OCSP responder, as assessStaple reports it (judged one hour after thisUpdate). */
function ocsp(over: Partial<TlsOcsp> = {}): TlsOcsp {
  const o: TlsOcsp = {
    requested: true,
    stapled: true,
    status: 'good',
    forLeaf: true,
    responseStatus: 'successful',
    producedAt: '2026-12-02T11:00:00.000Z',
    thisUpdate: '2026-12-02T11:00:00.000Z',
    nextUpdate: '2026-12-03T11:00:00.000Z',
    ageSeconds: 3600,
    expired: false,
    responder: 'CN=Example OCSP Responder',
    revocationTime: null,
    revocationReason: null,
    signatureValid: true,
    signer: 'delegated-responder',
    mustStaple: false,
    protocol: 'TLSv1.2',
    evidence: [],
    ...over,
  };
  if (!over.evidence)
    o.evidence = o.stapled
      ? [
          `stapled OCSP response: ${o.status}; produced ${o.producedAt} by ${o.responder}`,
          `signature: ${o.signatureValid === false ? 'INVALID' : 'valid'} (delegated responder)`,
        ]
      : ['no OCSP response stapled'];
  return o;
}

const NOT_STAPLED: Partial<TlsOcsp> = {
  stapled: false,
  status: null,
  forLeaf: null,
  responseStatus: null,
  producedAt: null,
  thisUpdate: null,
  nextUpdate: null,
  ageSeconds: null,
  expired: null,
  responder: null,
  signatureValid: null,
  signer: null,
};

checkCases(tlsOcspStapling, [
  ...notTlsRows(),
  NOT_RUN,
  {
    name: 'no certificate, so nothing to staple for: skipped',
    endpoint: depth({ certificate: null, chain: [] }),
    expect: { status: 'skipped', detail: /^no certificate was obtained from the server$/ },
  },
  {
    name: 'a good, fresh, validly signed staple (the lab ProFTPD with TLSStapling): pass',
    endpoint: depth({ ocsp: ocsp() }),
    expect: {
      status: 'pass',
      detail: /^a good OCSP response is stapled \(produced 2026-12-02T11:00:00\.000Z by CN=Example OCSP Responder, 1 h old\)$/,
      evidence: { some: [{ label: /^OCSP$/ }, { label: /^responder$/ }, { label: /^handshake$/, value: /^TLSv1\.2$/ }] },
    },
  },
  {
    name: 'nothing stapled: warn',
    endpoint: depth({ ocsp: ocsp(NOT_STAPLED) }),
    expect: { status: 'warn', severity: 'low', detail: /^no OCSP response is stapled/, remediation: /Turn OCSP stapling on/ },
  },
  {
    name: 'the staple says revoked (the lab ProFTPD with a revoked certificate): fail, critical',
    endpoint: depth({
      ocsp: ocsp({ status: 'revoked', revocationTime: '2026-11-30T09:00:00.000Z', revocationReason: 'keyCompromise' }),
    }),
    expect: {
      status: 'fail',
      severity: 'critical',
      detail: /^the stapled OCSP response says the certificate is REVOKED since 2026-11-30T09:00:00\.000Z \(keyCompromise\)/,
      remediation: /Install a new certificate/,
    },
  },
  {
    name: 'revoked, but the response is not validly signed: proves nothing, warn',
    endpoint: depth({ ocsp: ocsp({ status: 'revoked', revocationTime: '2026-11-30T09:00:00.000Z', signatureValid: false }) }),
    expect: {
      status: 'warn',
      detail: /says the certificate is revoked, but it is not validly signed/,
      remediation: /stapling configuration/,
    },
  },
  {
    name: 'the responder does not know the certificate: warn',
    endpoint: depth({ ocsp: ocsp({ status: 'unknown' }) }),
    expect: { status: 'warn', detail: /gives no good status for the certificate \(unknown\)$/ },
  },
  {
    name: 'a staple about another certificate: warn, saying so',
    endpoint: depth({
      ocsp: ocsp({
        status: null,
        forLeaf: false,
        thisUpdate: null,
        nextUpdate: null,
        ageSeconds: null,
        expired: null,
        evidence: ['the stapled response is about another certificate (serials 1f3a)'],
      }),
    }),
    expect: { status: 'warn', detail: /gives no good status for the certificate \(it is about another certificate\)$/ },
  },
  {
    name: 'the responder answered tryLater: warn',
    endpoint: depth({
      ocsp: ocsp({ status: null, forLeaf: null, responseStatus: 'tryLater', evidence: ['stapled response status tryLater'] }),
    }),
    expect: { status: 'warn', detail: /\(response status tryLater\)$/ },
  },
  {
    name: 'good, but past its nextUpdate: warn',
    endpoint: depth({ ocsp: ocsp({ expired: true, ageSeconds: 200_000 }) }),
    expect: { status: 'warn', detail: /^the stapled response says good, but it is past its nextUpdate$/ },
  },
  {
    name: 'good, but not validly signed: warn',
    endpoint: depth({ ocsp: ocsp({ signatureValid: false }) }),
    expect: { status: 'warn', detail: /^the stapled response says good, but it is not validly signed$/ },
  },
]);

checkCases(tlsCertMustStaple, [
  ...certGuards({ ocsp: ocsp({ mustStaple: true }) }),
  NOT_RUN,
  {
    name: 'no Must-Staple extension: pass (stapling has its own check)',
    endpoint: depth({ ocsp: ocsp(NOT_STAPLED) }),
    expect: { status: 'pass', detail: /^the certificate does not demand stapling/ },
  },
  {
    name: 'Must-Staple, and a response about it is stapled: pass',
    endpoint: depth({ ocsp: ocsp({ mustStaple: true }) }),
    expect: { status: 'pass', detail: /demands stapling, and a response about it is stapled$/ },
  },
  {
    name: 'Must-Staple, nothing stapled (clients that honour it refuse the connection): fail',
    endpoint: depth({
      ocsp: ocsp({
        ...NOT_STAPLED,
        mustStaple: true,
        evidence: [
          'the certificate carries the TLS feature status_request (Must-Staple)',
          'no OCSP response stapled although the certificate demands one',
        ],
      }),
    }),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /Must-Staple\), but the server staples no response about it$/,
      evidence: { some: [{ label: /^OCSP$/, value: /Must-Staple/ }] },
    },
  },
  {
    name: 'Must-Staple, but the staple is about another certificate: fail',
    endpoint: depth({ ocsp: ocsp({ mustStaple: true, status: null, forLeaf: false }) }),
    expect: { status: 'fail' },
  },
]);

// ---- revocation (--check-revocation) -------------------------------------------------------------

const OCSP_URL = 'http://127.0.0.1:2560/ocsp';
const CRL_URL = 'http://127.0.0.1:2561/issuing.crl';

function revocation(over: Partial<TlsRevocation> = {}): TlsRevocation {
  return {
    status: 'good',
    contacted: [OCSP_URL],
    ocsp: { url: OCSP_URL, status: 'good', responseStatus: 'successful', signatureValid: true, nonceMatched: true, error: null },
    crl: null,
    evidence: [`OCSP ${OCSP_URL}: good (signature valid, nonce matched)`],
    ms: 35,
    ...over,
  };
}

checkCases(tlsCertRevoked, [
  ...certGuards({ revocation: revocation() }),
  {
    name: 'without --check-revocation (it contacts a third party): skipped, saying how',
    endpoint: depth({ revocation: null }),
    expect: { status: 'skipped', detail: /^revocation was not checked: --check-revocation asks the CA/ },
  },
  {
    name: 'the CA says good: pass, naming whom it asked',
    endpoint: depth({ revocation: revocation() }),
    expect: {
      status: 'pass',
      detail: /^the CA says the certificate is good \(asked http:\/\/127\.0\.0\.1:2560\/ocsp\)$/,
      evidence: { some: [{ label: /^contacted$/, value: /^http:\/\/127\.0\.0\.1:2560\/ocsp$/ }] },
    },
  },
  {
    name: 'the CA says revoked (OCSP and CRL): fail, critical',
    endpoint: depth({
      revocation: revocation({
        status: 'revoked',
        contacted: [OCSP_URL, CRL_URL],
        ocsp: { url: OCSP_URL, status: 'revoked', responseStatus: 'successful', signatureValid: true, nonceMatched: true, error: null },
        crl: {
          url: CRL_URL,
          listed: true,
          entries: 1,
          thisUpdate: '2026-12-01T00:00:00.000Z',
          nextUpdate: '2026-12-08T00:00:00.000Z',
          signatureValid: true,
          error: null,
        },
        evidence: [`OCSP ${OCSP_URL}: revoked (keyCompromise)`, `CRL ${CRL_URL}: listed`],
      }),
    }),
    expect: {
      status: 'fail',
      severity: 'critical',
      detail: /^the CA says the certificate is REVOKED \(OCSP .*revoked \(keyCompromise\); CRL .*listed\)$/,
    },
  },
  {
    name: 'OCSP unknown: warn, with what to ask the CA',
    endpoint: depth({
      revocation: revocation({
        status: 'unknown',
        ocsp: { url: OCSP_URL, status: 'unknown', responseStatus: 'successful', signatureValid: true, nonceMatched: true, error: null },
        evidence: [`OCSP ${OCSP_URL}: unknown`],
      }),
    }),
    expect: { status: 'warn', detail: /^the CA does not know the certificate \(OCSP unknown\)$/, remediation: /Ask the issuing CA/ },
  },
  {
    name: 'the responder did not answer: warn, to scan again',
    endpoint: depth({
      revocation: revocation({
        status: 'error',
        ocsp: {
          url: OCSP_URL,
          status: null,
          responseStatus: null,
          signatureValid: null,
          nonceMatched: null,
          error: 'connect ECONNREFUSED 127.0.0.1:2560',
        },
        evidence: [`OCSP ${OCSP_URL}: connect ECONNREFUSED 127.0.0.1:2560`],
      }),
    }),
    expect: { status: 'warn', detail: /could not be obtained: OCSP .*ECONNREFUSED/, remediation: /Scan again with --check-revocation/ },
  },
  {
    name: 'no OCSP or CRL URL in the certificate: nothing to ask, skipped',
    endpoint: depth({
      revocation: revocation({
        status: 'error',
        contacted: [],
        ocsp: null,
        evidence: ['the certificate names no OCSP responder and no CRL distribution point'],
      }),
    }),
    expect: { status: 'skipped', detail: /names no OCSP responder and no CRL distribution point$/ },
  },
]);

// ---- the chain as sent, key usage ------------------------------------------------------------------

type TrustEntry = TlsTrust['chain'][number];
const LEAF_ENTRY: TrustEntry = {
  index: 0,
  subject: 'CN=files.example.test',
  issuer: 'CN=Example Issuing CA',
  fingerprintSha256: cert().fingerprintSha256,
  isCA: false,
  selfSigned: false,
  issuedByNext: true,
  issuerIndex: 1,
};
const INTERMEDIATE_ENTRY: TrustEntry = {
  index: 1,
  subject: 'CN=Example Issuing CA',
  issuer: 'CN=Example Root CA',
  fingerprintSha256: INTERMEDIATE.fingerprintSha256,
  isCA: true,
  selfSigned: false,
  issuedByNext: null,
  issuerIndex: null,
};
const SYSTEM_TRUSTED = { store: 'system', trusted: true, anchor: 'CN=Example Root CA', error: null, hostnameMatch: true };
const UNTRUSTED = { store: 'system', trusted: false, anchor: null, error: 'unable to get local issuer certificate', hostnameMatch: true };
const FIT = {
  fit: true,
  keyType: 'RSA',
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extendedKeyUsage: ['serverAuth'],
  problems: [],
  notes: [],
};

function trust(over: Partial<TlsTrust> = {}): TlsTrust {
  return {
    chain: [LEAF_ENTRY, INTERMEDIATE_ENTRY],
    order: 'ok',
    orderProblems: [],
    stores: [SYSTEM_TRUSTED],
    trustedBy: ['system'],
    missingIssuers: [],
    storesWithFetched: null,
    usage: FIT,
    contacted: [],
    evidence: [],
    ...over,
  };
}

/** The lab's leaf-only server: the intermediate is not sent, AIA names it. */
const LEAF_ONLY: Partial<TlsTrust> = {
  chain: [{ ...LEAF_ENTRY, issuedByNext: null, issuerIndex: null }],
  stores: [UNTRUSTED],
  trustedBy: [],
  missingIssuers: [
    {
      subject: 'CN=files.example.test',
      issuer: 'CN=Example Issuing CA',
      caIssuersUrls: ['http://127.0.0.1:2562/issuing-ca.der'],
      fetched: null,
    },
  ],
};

checkCases(tlsCertChain, [
  ...certGuards({ trust: trust() }),
  NOT_RUN,
  {
    name: 'leaf then its issuer, trusted: pass',
    endpoint: depth({ trust: trust() }),
    expect: {
      status: 'pass',
      detail: /^the chain is complete and in order \(2 certificate\(s\) sent\)$/,
      evidence: {
        some: [
          { label: /^sent \[1\]$/, value: /^CN=Example Issuing CA \(issuer CN=Example Root CA\)$/ },
          { label: /^store system$/, value: /trusted via/ },
        ],
      },
    },
  },
  {
    name: 'the issuer sent before the leaf: warn, out of order',
    endpoint: depth({
      trust: trust({
        chain: [
          LEAF_ENTRY,
          { ...INTERMEDIATE_ENTRY, index: 1, subject: 'CN=Example Root CA', issuer: 'CN=Example Root CA', selfSigned: true },
          INTERMEDIATE_ENTRY,
        ],
        order: 'out-of-order',
        orderProblems: ['certificate [0] is issued by [2], not by the certificate after it'],
      }),
    }),
    expect: {
      status: 'warn',
      detail: /^the chain is sent out of order: certificate \[0\] is issued by \[2\]/,
      remediation: /Send the full chain, leaf first/,
    },
  },
  {
    name: 'an unrelated certificate in the chain: warn',
    endpoint: depth({
      trust: trust({ order: 'unrelated-certificates', orderProblems: ['certificate [2] (CN=Old Issuing CA) issues nothing in the chain'] }),
    }),
    expect: { status: 'warn', detail: /^the chain is sent with unrelated certificates: / },
  },
  {
    name: 'the intermediate not sent nor in any store (the lab leaf-only server): warn, naming the AIA URL',
    endpoint: depth({ trust: trust(LEAF_ONLY) }),
    expect: {
      status: 'warn',
      detail:
        /issuer of CN=files\.example\.test \(CN=Example Issuing CA\) is neither sent nor in any store; AIA names it at http:\/\/127\.0\.0\.1:2562\/issuing-ca\.der/,
      evidence: { some: [{ label: /^AIA caIssuers$/ }] },
    },
  },
  {
    name: 'the fetched AIA intermediate (--check-revocation) makes the chain verify: fail, a missing intermediate proved',
    endpoint: depth({
      trust: trust({
        ...LEAF_ONLY,
        missingIssuers: [
          {
            ...LEAF_ONLY.missingIssuers![0]!,
            fetched: { url: 'http://127.0.0.1:2562/issuing-ca.der', ok: true, subject: 'CN=Example Issuing CA', error: null },
          },
        ],
        storesWithFetched: [SYSTEM_TRUSTED],
        contacted: ['http://127.0.0.1:2562/issuing-ca.der'],
      }),
    }),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail:
        /^the server does not send the intermediate CN=Example Issuing CA that issued CN=files\.example\.test: with it \(fetched from AIA\) the chain verifies/,
      evidence: { some: [{ label: /^fetched \(--check-revocation\)$/, value: /^CN=Example Issuing CA from http/ }] },
    },
  },
]);

checkCases(tlsCertUsage, [
  ...certGuards({ trust: trust() }),
  NOT_RUN,
  {
    name: 'no leaf to judge: skipped',
    endpoint: depth({ trust: trust({ usage: null }) }),
    expect: { status: 'skipped', detail: /^no leaf certificate to judge$/ },
  },
  {
    name: 'serverAuth with digitalSignature and keyEncipherment: pass',
    endpoint: depth({ trust: trust() }),
    expect: {
      status: 'pass',
      detail: /^the leaf certificate may serve a TLS server$/,
      evidence: {
        some: [
          { label: /^extendedKeyUsage$/, value: /^serverAuth$/ },
          { label: /^keyUsage$/, value: /digitalSignature/ },
        ],
      },
    },
  },
  {
    name: 'a client certificate as server certificate (clientAuth only): fail with the problem',
    endpoint: depth({
      trust: trust({
        usage: {
          fit: false,
          keyType: 'RSA',
          keyUsage: ['digitalSignature'],
          extendedKeyUsage: ['clientAuth'],
          problems: ['extendedKeyUsage lacks serverAuth (clientAuth only): clients refuse it for a TLS server'],
          notes: [],
        },
      }),
    }),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^extendedKeyUsage lacks serverAuth/,
      remediation: /extendedKeyUsage serverAuth/,
    },
  },
  {
    name: 'no key usage extensions at all: pass, with a note',
    endpoint: depth({
      trust: trust({
        usage: { ...FIT, keyUsage: null, extendedKeyUsage: null, notes: ['no keyUsage or extendedKeyUsage extension: any use is allowed'] },
      }),
    }),
    expect: { status: 'pass', evidence: { some: [{ label: /^keyUsage$/, value: /^\(no extension\)$/ }, { label: /^note$/ }] } },
  },
]);
