// Diffie-Hellman group exchange (RFC 4419, RFC 8270): which modulus the server hands out for a
// given KEX_DH_GEX_REQUEST. ssh2 always asks 2048..8192, so this is a raw exchange.
import { continueKex, isGexKex, openSession, type GexGroup, type GexRequest, type SessionOptions, type SshTarget } from './session.js';

/** What a typical client asks (OpenSSH: 2048/…/8192) and a deliberately small request. */
export const GEX_REQUESTS: { label: 'default' | 'small'; req: GexRequest }[] = [
  { label: 'default', req: { min: 1024, n: 2048, max: 8192 } },
  { label: 'small', req: { min: 1024, n: 1024, max: 8192 } },
];

export interface GexProbe {
  label: string;
  request: GexRequest;
  /** the group received, null when the server refused or failed */
  group: GexGroup | null;
  error: string | null;
  /** host key received on the same connection (the exchange went on far enough), if asked */
  hostKeyBlob: Buffer | null;
  hostKeyAlgorithm: string | null;
  connId: string | null;
  /** request → reply times on the connection (ms) */
  rttSamples: number[];
  /** identification and KEXINIT were exchanged: a failure after that answers the GEX request */
  sessionOpened: boolean;
}

export function offersGex(kex: readonly string[]): boolean {
  return kex.some(isGexKex);
}

/**
 * One connection: KEXINIT limited to the server's group exchange, KEX_DH_GEX_REQUEST, read the
 * group. With `hostKeyAlgorithm`, goes on to KEX_DH_GEX_INIT so the reply's host key is
 * collected too (one connection fewer for the host-key inventory).
 */
export async function probeGex(
  target: SshTarget,
  label: string,
  request: GexRequest,
  opts: SessionOptions & { hostKeyAlgorithm?: string | null },
): Promise<GexProbe> {
  const s = await openSession(target, { ...opts, purpose: opts.purpose ?? 'ssh-gex' });
  if (!s.ok)
    return {
      label,
      request,
      group: null,
      error: `${s.stage}: ${s.error}`,
      hostKeyBlob: null,
      hostKeyAlgorithm: null,
      connId: s.connId,
      rttSamples: [],
      sessionOpened: false,
    };
  const r = await continueKex(s.session, { gex: request, hostKeyAlgorithm: opts.hostKeyAlgorithm ?? null });
  return {
    label,
    request,
    group: r.gexGroup,
    error: r.gexGroup ? null : r.error,
    hostKeyBlob: r.hostKeyBlob,
    hostKeyAlgorithm: r.hostKeyBlob ? (opts.hostKeyAlgorithm ?? null) : null,
    connId: s.session.connId,
    rttSamples: s.session.rttSamples,
    sessionOpened: true,
  };
}
