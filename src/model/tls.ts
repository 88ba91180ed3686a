// TLS facts: what the hello-level prober (src/tls) and the detection handshake saw.
import Type, { type Static } from 'typebox';
import { Bool, Count, Int, List, Opt, Str, StrList, keyedBy, nullable, obj, strEnum } from './util.js';
import { GapSchema } from './common.js';

export const PROTOCOL_VERSIONS = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export const TlsCertificateFactsSchema = obj({
  subject: Str(),
  issuer: Str(),
  notBefore: Str(),
  notAfter: Str(),
  subjectAltNames: StrList(),
  keyType: Str(),
  keyBits: nullable(Int()),
  signatureAlgorithm: Str(),
  selfSigned: Bool(),
  fingerprintSha256: Str(),
  index: Opt(Count('position in the chain as sent (0 = leaf)')),
  serialNumber: Opt(Str()),
  keyCurve: Opt(nullable(Str('EC curve (prime256v1 …) for EC keys'))),
  lifetimeDays: Opt(nullable(Type.Number({ description: 'notAfter - notBefore in days' }))),
  isCA: Opt(Bool()),
  signatureHash: Opt(nullable(Str('hash behind signatureAlgorithm: md5 | sha1 | sha256 | …'))),
  fingerprintSha1: Opt(Str()),
  parseError: Opt(Str('set when the certificate could not be parsed: its other fields are placeholders')),
});
export type TlsCertificateFacts = Static<typeof TlsCertificateFactsSchema>;

export const TlsValidationSchema = obj({
  trusted: Bool(),
  error: nullable(Str()),
  trustAnchor: nullable(Str()),
  trustSource: nullable(strEnum(['system', 'ca-file'] as const)),
  hostname: nullable(Str()),
  hostnameMatch: nullable(Bool()),
  chainOrderProblem: nullable(Str()),
});
export type TlsValidation = Static<typeof TlsValidationSchema>;

const LabelValue = obj({ label: Str(), value: Str() });

export const TlsProbePlanSchema = obj(
  {
    rttMs: nullable(Type.Number({ description: 'the smallest request → reply time measured (null: no clean sample)' })),
    rttsPerHandshake: Count('round trips one handshake holds a connection: set-up (TCP, FTPS preamble) + hello'),
    preamble: strEnum(
      ['none', 'wait', 'auth', 'hello', 'caller'] as const,
      "how the explicit-FTPS preamble was sent ('caller': by the caller's opener)",
    ),
    parallel: Count('connections used side by side (the cap, after what refusals taught)'),
    handshakes: Count(),
    depth: Count('the longest chain of hellos that each waited for the one before'),
    lowerBoundRtts: Count(),
    lowerBoundMs: nullable(Type.Number()),
  },
  'how the inventory was planned and what the round trips allow',
);
export type TlsProbePlan = Static<typeof TlsProbePlanSchema>;

export const TlsProbeBookkeepingSchema = obj(
  {
    handshakes: Count(),
    ms: Type.Number(),
    limited: Bool('the server limited our connections (421)'),
    errors: StrList(),
    chainSource: nullable(Str()),
    evidence: List(LabelValue),
    connections: Opt(Count('TCP connections the inventory opened')),
    rttMs: Opt(nullable(Type.Number({ description: 'round-trip time the prober measured' }))),
    lowerBoundMs: Opt(nullable(Type.Number({ description: 'least time the inventory could take at that round-trip time' }))),
    perIpLimit: Opt(nullable(Count('connections the server allowed side by side, when it refused more'))),
    plan: Opt(TlsProbePlanSchema),
  },
  "the prober's bookkeeping",
);

// ---- issue 16: the vulnerability battery, client certificates, stapling, revocation, trust ----

/** The vulnerabilities the battery tests (active) or reads off the inventory (derived). */
export const ACTIVE_VULN_IDS = [
  'heartbleed',
  'ccs-injection',
  'robot',
  'secure-renegotiation',
  'client-renegotiation',
  'ticketbleed',
  'downgrade-sentinel',
] as const;
export const DERIVED_VULN_IDS = ['poodle', 'beast', 'lucky13', 'sweet32', 'freak', 'logjam', 'drown', 'rc4', 'crime'] as const;
export const VULN_IDS = [...ACTIVE_VULN_IDS, ...DERIVED_VULN_IDS] as const;
export type VulnIdFact = (typeof VULN_IDS)[number];

export const VULN_STATUSES = ['vulnerable', 'not-vulnerable', 'inconclusive', 'not-applicable'] as const;

export const TlsVulnResultSchema = obj(
  {
    id: strEnum(VULN_IDS),
    status: strEnum(VULN_STATUSES),
    evidence: StrList('what decided the status, in words (handshake facts, alerts, lengths; never leaked bytes)'),
    intrusive: Bool('sends malformed records or padding (skipped by --no-intrusive)'),
    derived: Bool('read off the offered suites and protocols: no exploit attempted'),
    connections: Count('connections this test opened (0 for derived ones)'),
    ms: Type.Number(),
    facts: Opt(List(LabelValue, { description: "the test's own observations (lengths, alerts, sentinels, ROBOT reactions), as text" })),
    suites: Opt(StrList('the offered suites that decided a derived result (IANA name and version)')),
  },
  'one vulnerability test and its verdict',
);
export type TlsVulnResult = Static<typeof TlsVulnResultSchema>;

export const TlsVulnerabilitiesSchema = obj(
  {
    intrusive: Bool('whether the intrusive tests were allowed (false with --no-intrusive)'),
    active: List(TlsVulnResultSchema),
    derived: List(TlsVulnResultSchema),
    skipped: List(obj({ id: strEnum(VULN_IDS), reason: Str() })),
    connections: Count('connections the battery opened'),
    limited: Bool('the server refused connections (FTP 421) and the battery backed off'),
    ms: Type.Number(),
    publicKeySha256: Opt(nullable(Str("SHA-256 of the leaf's public key (DROWN: the same key elsewhere in the scan)"))),
    comparedEndpoints: Opt(Count('other endpoints of this scan the DROWN result was compared with (the same key on an SSLv2 server)')),
  },
  'the TLS vulnerability battery (active tests) and the vulnerabilities read off the inventory (derived)',
);
export type TlsVulnerabilities = Static<typeof TlsVulnerabilitiesSchema>;

const ClientAuthAttemptSchema = obj({
  protocol: nullable(Str()),
  outcome: strEnum(['completed', 'refused', 'failed'] as const),
  alert: nullable(Str()),
  afterHandshake: Bool('the refusal came after the handshake (TLS 1.3)'),
  detail: Str(),
});

export const TlsClientAuthSchema = obj(
  {
    status: strEnum(['required', 'optional', 'not-requested', 'not-required', 'inconclusive'] as const),
    requested: nullable(Bool('a TLS ≤ 1.2 CertificateRequest was seen; null when no TLS ≤ 1.2 flight was read')),
    acceptedCAs: nullable(StrList('CA names of the CertificateRequest; [] = any CA; null when not visible (TLS 1.3)')),
    certificateTypes: nullable(StrList()),
    withoutCertificate: nullable(ClientAuthAttemptSchema),
    withCertificate: nullable(ClientAuthAttemptSchema),
    clientCertificate: nullable(
      obj({ subject: Str(), issuer: Str(), fingerprintSha256: Str(), notAfter: Str() }, 'the client certificate given (--client-cert)'),
    ),
    evidence: StrList(),
    connections: Count(),
    ms: Type.Number(),
  },
  'whether the server requests or requires a client certificate (mutual TLS)',
);
export type TlsClientAuth = Static<typeof TlsClientAuthSchema>;

const CertStatusSchema = strEnum(['good', 'revoked', 'unknown'] as const);

export const TlsOcspSchema = obj(
  {
    requested: Bool('status_request was sent'),
    stapled: Bool('an OCSP response was stapled'),
    status: nullable(CertStatusSchema),
    forLeaf: nullable(Bool('the stapled response is about the leaf certificate')),
    responseStatus: nullable(Str()),
    producedAt: nullable(Str()),
    thisUpdate: nullable(Str()),
    nextUpdate: nullable(Str()),
    ageSeconds: nullable(Type.Number({ description: 'seconds since thisUpdate, when the scan judged it' })),
    expired: nullable(Bool('past nextUpdate')),
    responder: nullable(Str()),
    revocationTime: nullable(Str()),
    revocationReason: nullable(Str()),
    signatureValid: nullable(Bool()),
    signer: nullable(strEnum(['issuer', 'delegated-responder'] as const)),
    mustStaple: Bool('the certificate demands stapling (TLS feature status_request, RFC 7633)'),
    protocol: nullable(Str('the handshake the staple came from')),
    evidence: StrList(),
  },
  'OCSP stapling (status_request)',
);
export type TlsOcsp = Static<typeof TlsOcspSchema>;

export const TlsRevocationSchema = obj(
  {
    status: strEnum(['good', 'revoked', 'unknown', 'error'] as const),
    contacted: StrList('every URL contacted (third parties: OCSP responders, CRL distribution points, AIA issuers)'),
    ocsp: nullable(
      obj({
        url: Str(),
        status: nullable(CertStatusSchema),
        responseStatus: nullable(Str()),
        signatureValid: nullable(Bool()),
        nonceMatched: nullable(Bool()),
        error: nullable(Str()),
      }),
    ),
    crl: nullable(
      obj({
        url: Str(),
        listed: nullable(Bool()),
        entries: Count(),
        thisUpdate: nullable(Str()),
        nextUpdate: nullable(Str()),
        signatureValid: nullable(Bool()),
        error: nullable(Str()),
      }),
    ),
    evidence: StrList(),
    ms: Type.Number(),
  },
  "revocation asked of the certificate's CA (only with --check-revocation: it contacts third parties)",
);
export type TlsRevocation = Static<typeof TlsRevocationSchema>;

const StoreVerdictSchema = obj({
  store: Str("'system' or the CA file's path"),
  trusted: Bool(),
  anchor: nullable(Str()),
  error: nullable(Str()),
  hostnameMatch: nullable(Bool()),
});

export const TlsTrustSchema = obj(
  {
    chain: List(
      obj({
        index: Count(),
        subject: Str(),
        issuer: Str(),
        fingerprintSha256: Str(),
        isCA: Bool(),
        selfSigned: Bool(),
        issuedByNext: nullable(Bool()),
        issuerIndex: nullable(Count()),
      }),
      { description: 'the chain in the order the server sent it' },
    ),
    order: strEnum(['ok', 'out-of-order', 'unrelated-certificates', 'empty'] as const),
    orderProblems: StrList(),
    stores: List(StoreVerdictSchema),
    trustedBy: StrList(),
    missingIssuers: List(
      obj({
        subject: Str(),
        issuer: Str(),
        caIssuersUrls: StrList('AIA caIssuers URLs naming the missing issuer'),
        fetched: nullable(obj({ url: Str(), ok: Bool(), subject: nullable(Str()), error: nullable(Str()) })),
      }),
    ),
    storesWithFetched: nullable(List(StoreVerdictSchema)),
    usage: nullable(
      obj(
        {
          fit: Bool(),
          keyType: nullable(Str()),
          keyUsage: nullable(StrList()),
          extendedKeyUsage: nullable(StrList()),
          problems: StrList(),
          notes: StrList(),
        },
        "the leaf's key usage / extended key usage fitness for a TLS server",
      ),
    ),
    contacted: StrList('URLs contacted to fetch missing intermediates (only with --check-revocation)'),
    evidence: StrList(),
  },
  'trust per store, the chain as sent, missing intermediates and key-usage fitness',
);
export type TlsTrust = Static<typeof TlsTrustSchema>;

export const TlsDhGroupSchema = obj(
  { bits: Count(), commonName: nullable(Str('the well-known group this prime is (RFC 2409/3526/5114/7919), or null')) },
  'the finite-field DH group of a DHE handshake',
);

export const TlsFactsSchema = obj({
  protocols: keyedBy(PROTOCOL_VERSIONS, nullable(Bool('true: accepted; false: refused; null: not tested, or no answer decided it'))),
  cipherSuites: keyedBy(PROTOCOL_VERSIONS, StrList(), 'accepted suites per version, IANA names'),
  serverPreference: nullable(Bool()),
  groups: StrList(),
  certificate: nullable(TlsCertificateFactsSchema),
  chain: List(TlsCertificateFactsSchema),
  negotiated: Opt(
    obj({ protocol: nullable(Str()), cipher: nullable(Str()) }, 'what the detection handshake negotiated (Node/OpenSSL view)'),
  ),
  serverPreferenceByVersion: Opt(keyedBy(PROTOCOL_VERSIONS, nullable(Bool()))),
  dhBits: Opt(nullable(Int('smallest finite-field DH prime (bits) in a DHE ServerKeyExchange; null when no DHE suite'))),
  secureRenegotiation: Opt(nullable(Bool('RFC 5746 renegotiation_info answered (TLS <= 1.2)'))),
  extendedMasterSecret: Opt(nullable(Bool('RFC 7627 extended_master_secret answered (TLS <= 1.2)'))),
  fallbackScsv: Opt(nullable(strEnum(['protected', 'not-protected', 'n/a'] as const, 'TLS_FALLBACK_SCSV (RFC 7507): null = inconclusive'))),
  compression: Opt(nullable(Str("TLS compression chosen when offered ('none', 'DEFLATE', …); null = untested"))),
  validation: Opt(nullable(TlsValidationSchema)),
  otherCertificates: Opt(
    List(obj({ chain: List(TlsCertificateFactsSchema, { minItems: 1 }), validation: TlsValidationSchema }), {
      description: 'further certificates the server presents (e.g. ECDSA beside RSA), each with its chain',
    }),
  ),
  dataChannel: Opt(
    nullable(
      obj(
        { protocol: nullable(Str()), cipher: nullable(Str()), fingerprintSha256: nullable(Str()) },
        'what the FTP data channel negotiated (derived from the data channels), to compare with the control channel',
      ),
    ),
  ),
  probe: Opt(TlsProbeBookkeepingSchema),
  vulnerabilities: Opt(TlsVulnerabilitiesSchema),
  clientAuth: Opt(nullable(TlsClientAuthSchema)),
  ocsp: Opt(nullable(TlsOcspSchema)),
  revocation: Opt(nullable(TlsRevocationSchema)),
  trust: Opt(nullable(TlsTrustSchema)),
  dhGroup: Opt(nullable(TlsDhGroupSchema)),
  gaps: Opt(List(GapSchema)),
});
export type TlsFacts = Static<typeof TlsFactsSchema>;
