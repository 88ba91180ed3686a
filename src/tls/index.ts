// Public face of the TLS engine: probe an endpoint, analyse its chain, and map both onto the
// report model (TlsFacts).
import type { TlsFacts, TlsValidation } from '../model.js';
import { analyzeChain, type AnalyzeOptions, type ChainAnalysis } from './certs.js';
import { probeTls, type OpenTransport, type TlsProbeOptions, type TlsProbeResult } from './prober.js';

export {
  probeTls,
  type OpenTransport,
  type TlsKnownFacts,
  type TlsProbeOptions,
  type TlsProbePlan,
  type TlsProbeResult,
  type TlsTransportCapabilities,
} from './prober.js';
export { analyzeChain, parseCertificate, readCaFile, pemToDer, derToPem, type ChainAnalysis, type CertificateFacts } from './certs.js';
export {
  suiteByCode,
  suiteByName,
  suiteName,
  CIPHER_SUITES,
  SSLV2_KINDS,
  NAMED_GROUPS,
  type CipherSuiteInfo,
} from '../knowledge/tls-registry.js';

function validationOf(chain: ChainAnalysis): TlsValidation {
  return {
    trusted: chain.trusted,
    error: chain.trustError,
    trustAnchor: chain.trustAnchor,
    trustSource: chain.trustSource,
    hostname: chain.hostname,
    hostnameMatch: chain.hostnameMatch,
    chainOrderProblem: chain.chainOrderProblem,
  };
}

/** Maps a probe result and its chain analyses (the first chain, then any others) onto TlsFacts. */
export function toTlsFacts(probe: TlsProbeResult, chain: ChainAnalysis, others: ChainAnalysis[] = []): TlsFacts {
  return {
    protocols: { ...probe.protocols },
    cipherSuites: { ...probe.cipherSuites } as Record<string, string[]>,
    serverPreference: probe.serverPreference,
    groups: probe.groups,
    certificate: chain.certificates[0] ?? null,
    chain: chain.certificates,
    serverPreferenceByVersion: { ...probe.serverPreferenceByVersion } as Record<string, boolean | null>,
    dhBits: probe.dhBits,
    secureRenegotiation: probe.secureRenegotiation,
    extendedMasterSecret: probe.extendedMasterSecret,
    fallbackScsv: probe.fallbackScsv,
    compression: probe.compression,
    validation: probe.chainDer.length ? validationOf(chain) : null,
    ...(others.length ? { otherCertificates: others.map((o) => ({ chain: o.certificates, validation: validationOf(o) })) } : {}),
    probe: probeBookkeeping(probe),
  };
}

type TlsProbeBookkeeping = NonNullable<TlsFacts['probe']>;

function probeBookkeeping(probe: TlsProbeResult): TlsProbeBookkeeping {
  return {
    handshakes: probe.handshakes,
    ms: probe.durationMs,
    limited: probe.limited,
    errors: probe.errors,
    chainSource: probe.chainSource,
    evidence: probe.evidence,
    connections: probe.connections,
    rttMs: probe.rttMs,
    lowerBoundMs: probe.lowerBoundMs,
    perIpLimit: probe.perIpLimit,
    plan: probe.plan,
  };
}

export interface ScanTlsOptions extends TlsProbeOptions, Pick<AnalyzeOptions, 'caPem' | 'systemRoots' | 'now'> {
  /** the name to check the certificate against (defaults to serverName) */
  hostname?: string | null;
}

/** Probe + chain analysis + mapping in one call. */
export async function scanTls(
  open: OpenTransport,
  options: ScanTlsOptions,
): Promise<{ facts: TlsFacts; probe: TlsProbeResult; chain: ChainAnalysis }> {
  const probe = await probeTls(open, options);
  const analyze = (der: Buffer[]) =>
    analyzeChain(der, {
      hostname: options.hostname ?? options.serverName ?? null,
      caPem: options.caPem,
      systemRoots: options.systemRoots,
      now: options.now,
    });
  const chain = analyze(probe.chainDer);
  return { facts: toTlsFacts(probe, chain, probe.otherChainsDer.map(analyze)), probe, chain };
}
