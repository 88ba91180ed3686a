// The one place Node's errors are mapped onto the closed outcome vocabulary (docs/design.md), and
// where every socket gets an error listener for its whole life.
import type { ConnectionOutcome, PortState } from '../model.js';

/** A failure talking to a server, named in the closed outcome vocabulary (docs/design.md). */
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

// Local resource exhaustion: our own machine ran out of something. It says nothing about the
// target or the network between, so it must never be recorded as a port state or a firewall fact.
const LOCAL_RESOURCE_CODES: Record<string, string> = {
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  ENOMEM: 'out of memory',
  ENOBUFS: 'no buffer space available',
};

/** What a local resource code means, in words (EMFILE: too many open files in this process). */
export function localResourceMeaning(code: string): string {
  return LOCAL_RESOURCE_CODES[code] ?? 'system limit';
}

/** True for system error codes that mean this machine, not the network, ran out of something. */
export function isLocalResourceCode(code: string | undefined | null): boolean {
  return !!code && Object.hasOwn(LOCAL_RESOURCE_CODES, code);
}

/**
 * Thrown (never returned as a port state) when a connection could not even be attempted because
 * this machine ran out of file descriptors or memory. `local` tells the scheduler to back off and
 * retry later instead of reporting the target; the message says what to change.
 */
export class LocalResourceError extends ProbeError {
  override name = 'LocalResourceError';
  readonly local = true;
  constructor(
    readonly code: string,
    syscall = 'connect',
  ) {
    // The outcome vocabulary has no word for "our side"; the message and `local` carry it.
    super(
      'unreachable',
      `local resource exhausted (${code}: ${LOCAL_RESOURCE_CODES[code] ?? 'system limit'}, at ${syscall}): not a network result; ` +
        'raise the limit (ulimit -n) or lower --concurrency / --max-sockets',
    );
  }
}

export function isLocalResourceError(err: unknown): err is LocalResourceError {
  return err instanceof LocalResourceError;
}

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
  if (e && isLocalResourceCode(e.code)) return new LocalResourceError(e.code!, e.syscall ?? 'socket');
  if (e && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return new ProbeError(fallback, `connection reset by the server (${e.code})`);
  return new ProbeError(fallback, e && e.message ? e.message : String(err));
}

// Error sinks. Node throws an 'error' event that nobody listens to: one late EPIPE (a write
// after the server's FIN) or ECONNRESET on a socket whose owner has moved on would end the whole
// process. Every socket and stream we create gets one permanent listener for its whole life;
// owners add their own listeners on top to learn about failures.

/** One shared listener, so that adding it again is detectable (and a no-op). */
const sink = (): void => {};

interface Sinkable {
  on(event: 'error', fn: (err: Error) => void): unknown;
  listeners(event: 'error'): unknown[];
}

/** Adds the permanent no-op 'error' listener unless it is already there; returns the emitter. */
export function keepErrorSink<T extends Sinkable>(emitter: T): T {
  if (!emitter.listeners('error').includes(sink)) emitter.on('error', sink);
  return emitter;
}
