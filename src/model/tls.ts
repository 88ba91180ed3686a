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

export const TlsFactsSchema = obj({
  protocols: keyedBy(PROTOCOL_VERSIONS, Bool()),
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
  gaps: Opt(List(GapSchema)),
});
export type TlsFacts = Static<typeof TlsFactsSchema>;
