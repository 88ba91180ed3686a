import type { ConnectionOutcome } from '../model.js';

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

export function isProbeError(err: unknown): err is ProbeError {
  return err instanceof ProbeError;
}

/** Turns anything thrown into a ProbeError, keeping the outcome when there is one. */
export function asProbeError(err: unknown, fallback: ConnectionOutcome = 'protocol-error'): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return new ProbeError(fallback, `connection reset by the server (${e.code})`);
  return new ProbeError(fallback, e && e.message ? e.message : String(err));
}
