// The one place Node's errors are mapped onto the closed outcome vocabulary of DESIGN.md.
import type { ConnectionOutcome, PortState } from '../model.js';

/** A failure talking to a server, named in the closed outcome vocabulary of DESIGN.md. */
export class ProbeError extends Error {
  override name = 'ProbeError';
  constructor(
    readonly outcome: ConnectionOutcome,
    message: string,
  ) {
    super(message);
  }
}

/** Errors of this machine, not of the network: out of descriptors or memory. */
export const LOCAL_RESOURCE_CODES = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'ENOBUFS']);

/** The TCP state a failed connect means. */
export function portStateOfConnectError(code: string | undefined): PortState {
  switch (code) {
    case 'ECONNREFUSED':
      return 'closed';
    case 'ETIMEDOUT':
      return 'filtered';
    default:
      // EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN, EACCES, EPERM, EADDRNOTAVAIL, …
      return 'unreachable';
  }
}

/** Turns anything thrown while talking to a server into a ProbeError with an outcome. */
export function asProbeError(err: unknown, fallback: ConnectionOutcome = 'protocol-error'): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return new ProbeError(fallback, `connection reset by the server (${e.code})`);
  if (e && e.code && LOCAL_RESOURCE_CODES.has(e.code)) return new ProbeError(fallback, `local resource exhausted (${e.code})`);
  return new ProbeError(fallback, e && e.message ? e.message : String(err));
}
