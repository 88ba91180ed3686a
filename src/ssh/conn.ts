// A raw SSH transport reader over a plain socket: buffers incoming bytes and hands out
// identification lines and unencrypted packets with a deadline. Never throws; failures are values.
import type net from 'node:net';
import { MAX_PACKET_LENGTH, takePacket } from './wire.js';
import type { Dialer } from '../net/dialer.js';
import type { DialResult } from '../net/tcp.js';
import { isLocalResourceError, keepErrorSink } from '../net/outcomes.js';

/** 'local-resource': this machine ran out of file descriptors or memory; nothing about the target. */
export type ConnErrorKind = 'timeout' | 'closed' | 'reset' | 'protocol-error' | 'connect-failed' | 'local-resource';

export interface ConnError {
  kind: ConnErrorKind;
  message: string;
}

export type Result<T> = ({ ok: true } & T) | ({ ok: false } & ConnError);

/** Bytes we are prepared to buffer before giving up (identification + a few packets). */
const MAX_BUFFER = MAX_PACKET_LENGTH * 2;

export class RawConn {
  private buf: Buffer = Buffer.alloc(0);
  private ended: ConnError | null = null;
  private waiter: (() => void) | null = null;
  /** total bytes received */
  received = 0;

  constructor(
    readonly socket: net.Socket,
    /** bytes already read from this socket by someone else (e.g. detection), to be read first */
    preread?: Buffer,
  ) {
    keepErrorSink(socket);
    if (preread?.length) {
      this.buf = preread;
      this.received = preread.length;
    }
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      if (this.buf.length + d.length > MAX_BUFFER) {
        this.ended = { kind: 'protocol-error', message: `server sent more than ${MAX_BUFFER} bytes unprompted` };
        socket.destroy();
      } else {
        this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      }
      this.wake();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.ended) {
        const reset = err.code === 'ECONNRESET' || err.code === 'EPIPE';
        this.ended = { kind: reset ? 'reset' : 'closed', message: `${err.code ?? 'error'}: ${err.message}` };
      }
      this.wake();
    });
    socket.on('close', () => {
      if (!this.ended) this.ended = { kind: 'closed', message: 'connection closed by server' };
      this.wake();
    });
    socket.on('end', () => {
      if (!this.ended) this.ended = { kind: 'closed', message: 'connection closed by server' };
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /**
   * Repeatedly offers the buffer to `take` until it returns a value (and how many bytes it
   * consumed), an error, or the deadline passes.
   */
  async take<T>(
    take: (buf: Buffer) => { value: T; consumed: number } | { error: string } | null,
    deadline: number,
  ): Promise<Result<{ value: T }>> {
    for (;;) {
      const r = take(this.buf);
      if (r && 'error' in r) return { ok: false, kind: 'protocol-error', message: r.error };
      if (r) {
        this.buf = this.buf.subarray(r.consumed);
        return { ok: true, value: r.value };
      }
      if (this.ended) return { ok: false, ...this.ended };
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, kind: 'timeout', message: 'timed out waiting for the server' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve();
        }, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Reads one unencrypted binary packet payload. */
  readPacket(deadline: number, maxLength = MAX_PACKET_LENGTH): Promise<Result<{ value: Buffer }>> {
    return this.take<Buffer>((buf) => {
      const p = takePacket(buf, maxLength);
      if (p.ok) return { value: p.payload, consumed: p.consumed };
      if ('error' in p) return { error: p.error };
      return null;
    }, deadline);
  }

  /** Whether the buffer already holds bytes not yet consumed. */
  get buffered(): number {
    return this.buf.length;
  }

  write(data: Buffer | string): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Dials the target's port through the endpoint's dialer, with a timeout. Never throws. */
export async function connectTcp(dialer: Dialer, port: number, timeoutMs: number): Promise<Result<{ socket: net.Socket }>> {
  let d;
  try {
    d = await dialIdentified(dialer, port, timeoutMs);
  } catch (err) {
    if (isLocalResourceError(err)) return { ok: false, kind: 'local-resource', message: err.message };
    throw err;
  }
  if (d.socket) return { ok: true, socket: d.socket };
  if (d.detail) return { ok: false, kind: d.state === 'filtered' ? 'timeout' : 'connect-failed', message: d.detail };
  if (d.state === 'filtered') return { ok: false, kind: 'timeout', message: `connect timed out after ${timeoutMs} ms` };
  if (d.code === 'ECANCELED') return { ok: false, kind: 'connect-failed', message: 'ECANCELED: the endpoint deadline has passed' };
  if (d.code === 'ETHROTTLED') return { ok: false, kind: 'closed', message: TURNED_AWAY };
  return { ok: false, kind: 'connect-failed', message: `${d.code ?? 'error'}: connect ${d.state}` };
}

type FirstBytes = 'data' | 'closed' | 'reset' | 'timeout' | 'refused';

/**
 * What OpenSSH writes before it closes a connection it will not serve: over MaxStartups, and
 * under PerSourcePenalties (9.8+). Lines before the identification are otherwise allowed.
 */
const OPENSSH_REFUSALS = /^(Exceeded MaxStartups|Not allowed at this time)\r?\n/;
export const OPENSSH_REFUSED = 'OpenSSH refused the connection (MaxStartups or PerSourcePenalties)';

/** One line (without its line end) that is OpenSSH turning the connection away. */
export function isOpenSshRefusal(line: string): boolean {
  return OPENSSH_REFUSALS.test(`${line}\n`);
}

/** Waits for the server's first bytes and leaves them in the socket for whoever reads next. */
function firstBytes(socket: net.Socket, timeoutMs: number): Promise<FirstBytes> {
  return new Promise((resolve) => {
    const done = (r: FirstBytes) => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('error', onError);
      resolve(r);
    };
    const onReadable = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return done('closed');
      socket.unshift(chunk);
      done(OPENSSH_REFUSALS.test(chunk.toString('latin1')) ? 'refused' : 'data');
    };
    const onError = (err: NodeJS.ErrnoException) => done(err.code === 'ECONNRESET' ? 'reset' : 'closed');
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('readable', onReadable);
    socket.on('error', onError);
  });
}

/** The message for a connection still turned away after the last attempt (markFailure reads it as blocking). */
export const TURNED_AWAY = 'the server closed the connection before the identification line (it may be limiting this source)';

/**
 * Dials for a library that reads the identification itself (ssh2): a connection closed or reset
 * before the server said anything is how OpenSSH drops connections over MaxStartups or under
 * PerSourcePenalties, so it is retried after a back-off (bounded, in the endpoint's throttle
 * log). Still turned away after the last attempt: no socket, code 'ETHROTTLED'.
 */
export async function dialIdentified(dialer: Dialer, port: number, timeoutMs: number): Promise<DialResult> {
  for (let attempt = 0; ; attempt++) {
    const d = await dialer.dial(port, timeoutMs);
    if (!d.socket) return d;
    const first = await firstBytes(d.socket, timeoutMs);
    if (first === 'data' || first === 'timeout') return d;
    d.socket.destroy();
    const kind = first === 'reset' ? 'reset-before-greeting' : first === 'refused' ? 'refused' : 'closed-before-greeting';
    const detail = first === 'refused' ? OPENSSH_REFUSED : `${first} before the identification line`;
    if (!(await dialer.throttle.backoff(port, kind, detail, attempt))) return { ...d, socket: null, code: 'ETHROTTLED' };
  }
}

/** Why a dial gave no socket, for ssh2 callers. */
export function dialError(d: DialResult): string {
  if (d.code === 'ECANCELED') return 'the endpoint deadline has passed';
  if (d.code === 'ETHROTTLED') return TURNED_AWAY;
  return `connect ${d.state}`;
}
