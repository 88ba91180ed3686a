// Connections for the TLS prober: how a socket becomes ready for a ClientHello, and a pool that
// keeps the endpoint's connection cap while opening transports ahead of need.
//
// Two ways to get a transport. `open` (the original contract) returns a socket that is ready for a
// ClientHello: the caller ran any preamble. With `TlsTransportCapabilities` the caller only dials
// TCP and says which preamble follows; the prober then runs the explicit-FTPS preamble itself and
// pipelines it: "AUTH TLS" goes out with the connection, without waiting for the greeting (1 round
// trip saved), and, where the server is seen to allow it, the ClientHello goes out with it too (a
// second round trip saved). vsftpd reads its control connection line by line and finds the hello
// waiting after its 234; Pure-FTPd and ProFTPD discard bytes read past "AUTH TLS" (the defence
// against command injection before TLS), so for them the hello waits for the 234.
import type net from 'node:net';
import { looksLikeTls } from '../net/relay.js';
import { greetingRefusal } from '../net/ftp-reply.js';

export type OpenTransport = () => Promise<net.Socket>;

/** What the caller's opener can do beyond "a socket ready for a ClientHello" (all optional). */
export interface TlsTransportCapabilities {
  /** dials TCP to the endpoint (through the caller's dialer and budgets); throws like `open` */
  dial: () => Promise<net.Socket>;
  /** the clear-text preamble after the TCP connect: none (TLS from the first byte) or explicit FTPS */
  starttls: { protocol: 'ftp'; command: 'AUTH TLS' | 'AUTH SSL' } | null;
  /** each explicit-FTPS connection's wait for its greeting, in ms (for "the server sets the pace") */
  onGreeting?: (ms: number) => void;
  /** the server turned a connection away (a 421, a close before the greeting, a refused connect
   * after others worked): the caller's dialer learns the server's limit from it */
  onRefused?: (kind: Refusal | 'refused', detail: string) => void;
}

/** A preamble's refusal told to the caller's dialer (call it before the refused socket is closed). */
export function tellRefusal(caps: TlsTransportCapabilities, err: unknown): void {
  if (err instanceof TransportError && err.refusal) caps.onRefused?.(err.refusal, err.message);
}

/** How the explicit-FTPS preamble is sent: each step saves one round trip over the previous. */
export type PreambleMode = 'wait' | 'auth' | 'hello';

/** A connection that is ready for a ClientHello, or already carries one. */
export interface Transport {
  socket: net.Socket;
  /** server bytes read past the preamble: the start of its TLS reply when the hello was pipelined */
  pending: Buffer | null;
  /** the ClientHello went out with the preamble */
  helloSent: boolean;
  /** when the preamble finished (performance.now()), i.e. when the server's 234 arrived */
  readyAt: number;
}

/** How a server turned a connection away (code 'refused-by-server'): a refusing greeting (421, or
 * ProFTPD's 530), or a close before any greeting. */
export type Refusal = 'ftp-421' | 'ftp-refused-greeting' | 'closed-before-greeting';

export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: 'refused-by-server' | 'protocol-error' | 'timeout' | 'closed' | 'pipeline-refused',
    readonly refusal: Refusal | null = null,
  ) {
    super(message);
  }
}

const MAX_LINE = 8192;
const MAX_REPLY_BYTES = 65536;

interface FtpReply {
  code: number;
  text: string;
}

/**
 * Reads FTP replies from a paused socket, one at a time, without reading past the last line of
 * the reply it returns (what follows may be the server's TLS flight). Bounded in size and time.
 */
class ReplyReader {
  private buf: Buffer = Buffer.alloc(0);
  private total = 0;
  constructor(
    private readonly socket: net.Socket,
    private readonly deadline: number,
  ) {}

  /** Bytes received after the last reply returned. */
  rest(): Buffer {
    return this.buf;
  }

  /** The next reply; `withinMs` bounds this one wait (else the deadline). */
  next(withinMs?: number): Promise<FtpReply> {
    return new Promise((resolve, reject) => {
      const s = this.socket;
      const done = (err: Error | null, reply?: FtpReply) => {
        clearTimeout(timer);
        s.removeListener('data', onData);
        s.removeListener('end', onEnd);
        s.removeListener('close', onEnd);
        s.removeListener('error', onError);
        s.pause();
        if (err) reject(err);
        else resolve(reply!);
      };
      const tryParse = () => {
        const r = this.parse();
        if (r instanceof Error) done(r);
        else if (r) done(null, r);
      };
      const onData = (d: Buffer) => {
        this.total += d.length;
        this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
        if (this.total > MAX_REPLY_BYTES) return done(new TransportError('FTP reply too long', 'protocol-error'));
        tryParse();
      };
      const onEnd = () => done(new TransportError(`connection closed before an FTP reply (${this.preview()})`, 'closed'));
      const onError = (e: NodeJS.ErrnoException) => done(new TransportError(`socket error ${e.code ?? e.message}`, 'closed'));
      const wait = Math.max(1, Math.min(this.deadline - Date.now(), withinMs ?? Infinity));
      const timer = setTimeout(() => done(new TransportError('no FTP reply in time', 'timeout')), wait);
      const r = this.parse();
      if (r instanceof Error) return done(r);
      if (r) return done(null, r);
      s.on('data', onData);
      s.once('end', onEnd);
      s.once('close', onEnd);
      s.once('error', onError);
      s.resume();
    });
  }

  private preview(): string {
    return this.buf
      .subarray(0, 80)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, '.');
  }

  /** A complete reply from the buffer (consumed), null when more bytes are needed. */
  private parse(): FtpReply | Error | null {
    let pos = 0;
    let code: number | null = null;
    const lines: string[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a, pos);
      if (nl < 0) return this.buf.length - pos > MAX_LINE ? new TransportError('FTP reply line too long', 'protocol-error') : null;
      const line = this.buf.subarray(pos, nl).toString('latin1').replace(/\r$/, '');
      pos = nl + 1;
      lines.push(line);
      const m = /^(\d{3})([ -])/.exec(line) ?? (/^\d{3}$/.test(line) ? [line, line, ' '] : null);
      if (code === null) {
        if (!m) return new TransportError(`not an FTP reply: ${line.slice(0, 80)}`, 'protocol-error');
        code = Number(m[1]);
        if (m[2] === ' ') break;
      } else if (m && Number(m[1]) === code && m[2] === ' ') break;
    }
    this.buf = this.buf.subarray(pos);
    return { code, text: lines.join('\n') };
  }
}

/**
 * Runs the explicit-FTPS preamble on a freshly dialled socket: greeting (preliminary 1xx replies
 * skipped), then AUTH → 234. In 'auth' and 'hello' modes the command (and the hello) were written
 * before the greeting arrived. Leaves the socket paused; what the server sent past the 234 is in
 * `pending`. 421 is a refusal (per-IP or total limit); a pipelined command that the server did not
 * answer with 234 throws 'pipeline-refused' so that the caller retries without pipelining.
 */
export async function ftpsPreamble(
  socket: net.Socket,
  command: string,
  mode: PreambleMode,
  hello: Buffer | null,
  timeoutMs: number,
  onRtt: (ms: number) => void,
  onGreeting?: (ms: number) => void,
): Promise<Transport> {
  const started = performance.now();
  socket.pause();
  socket.setNoDelay?.(true);
  if (mode !== 'wait') socket.write(mode === 'hello' && hello ? Buffer.concat([Buffer.from(`${command}\r\n`), hello]) : `${command}\r\n`);
  const reader = new ReplyReader(socket, Date.now() + timeoutMs);
  // closed or reset before any greeting: the server turned the connection away (a per-IP or
  // total limit that does not say 421)
  let greeting = await reader.next().catch((err: unknown) => {
    if (err instanceof TransportError && err.code === 'closed' && reader.rest().length === 0)
      throw new TransportError(`${err.message} (turned away before the greeting)`, 'refused-by-server', 'closed-before-greeting');
    throw err;
  });
  while (greeting.code >= 100 && greeting.code < 200) greeting = await reader.next();
  onGreeting?.(performance.now() - started);
  const refusal = greetingRefusal(greeting.code);
  if (refusal) throw new TransportError(`${greeting.code} from server: ${greeting.text.slice(0, 200)}`, 'refused-by-server', refusal);
  if (greeting.code !== 220) throw new TransportError(`greeting ${greeting.code}`, 'protocol-error');
  const asked = performance.now();
  if (mode === 'wait') socket.write(`${command}\r\n`);
  // A pipelined command is answered at most a round trip after the greeting: a server that threw
  // it away (input flushed before the greeting) would leave us waiting for the whole timeout.
  const greetedAfter = asked - started;
  const auth = await reader.next(mode === 'wait' ? undefined : Math.max(1000, 3 * greetedAfter)).catch((err: unknown) => {
    if (mode !== 'wait' && err instanceof TransportError && err.code === 'timeout')
      throw new TransportError(`no reply to a pipelined ${command}`, 'pipeline-refused');
    throw err;
  });
  if (mode === 'wait') onRtt(performance.now() - asked);
  if (auth.code === 421) throw new TransportError(`421 from server: ${auth.text.slice(0, 200)}`, 'refused-by-server', 'ftp-421');
  if (auth.code !== 234) {
    if (mode !== 'wait') throw new TransportError(`pipelined ${command} answered ${auth.code}`, 'pipeline-refused');
    throw new TransportError(`${command} answered ${auth.code}`, 'protocol-error');
  }
  const rest = reader.rest();
  return { socket, pending: rest.length ? Buffer.from(rest) : null, helloSent: mode === 'hello' && !!hello, readyAt: performance.now() };
}

/**
 * How long a hello sent with AUTH may go unanswered after the 234 before it counts as dropped:
 * during a trial, a short wait (the answer to a hello the server read comes with its 234); past a
 * trial that said yes, a generous one, as only speed is at stake.
 */
export function helloSilenceMs(rttMs: number | null, phase: 'trial' | 'trusted'): number {
  return phase === 'trial' ? Math.max(100, (rttMs ?? 0) * 2) : Math.max(1000, (rttMs ?? 0) * 4);
}

/**
 * The next bytes a paused socket receives within `ms`: null on silence, an empty buffer when the
 * server closed or reset it. The socket is left paused, with only an error sink of ours.
 */
export function firstBytes(socket: net.Socket, ms: number): Promise<Buffer | null> {
  return new Promise<Buffer | null>((resolve) => {
    const done = (b: Buffer | null) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
      socket.pause();
      resolve(b);
    };
    const onData = (d: Buffer) => done(d);
    const onEnd = () => done(Buffer.alloc(0));
    const timer = setTimeout(() => done(null), ms);
    socket.on('error', () => {});
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.resume();
  });
}

/**
 * Whether the server reads a ClientHello sent together with AUTH (before the greeting): the hello
 * goes with the command on a fresh socket, and a TLS answer after the 234 says yes; silence for
 * `silentMs` after it says the server threw the hello away (Pure-FTPd and ProFTPD discard what
 * they read past AUTH). null when the trial could not tell (refused, closed, timed out). Only
 * speed depends on it: where it says yes, later connections send their hello with AUTH. The
 * socket is destroyed in every case.
 */
export async function trialHelloPipelining(
  socket: net.Socket,
  command: string,
  hello: Buffer,
  timeoutMs: number,
  silentMs: number,
): Promise<{ pipelining: boolean | null; detail: string }> {
  try {
    const t = await ftpsPreamble(socket, command, 'hello', hello, timeoutMs, () => {});
    if (t.pending?.length) return { pipelining: looksLikeTls(t.pending), detail: 'TLS answer with the 234' };
    const first = await firstBytes(socket, silentMs);
    if (first === null) return { pipelining: false, detail: `no TLS answer within ${Math.round(silentMs)} ms of the 234` };
    if (!first.length) return { pipelining: null, detail: 'closed after the 234' };
    return { pipelining: looksLikeTls(first), detail: 'TLS answer after the 234' };
  } catch (err) {
    return { pipelining: null, detail: (err as Error).message };
  } finally {
    socket.on('error', () => {});
    socket.destroy();
  }
}

// ------------------------------------------------------------------------------------------

interface Waiter {
  priority: number;
  seq: number;
  /** the hello this waiter will send: lets a connection opened for it carry the hello */
  hello: Buffer | null;
  resolve: (t: Transport) => void;
  reject: (e: unknown) => void;
  /** wants a connection of its own, carrying its hello (the pipelining trial) */
  own: boolean;
  /** a connection is being opened for this waiter alone */
  dedicated: boolean;
}

/**
 * The connections to one endpoint: never more than `cap` open at once, counting those being
 * opened, those opened ahead of need ("ready") and those in use. While `warm`, free slots are
 * filled with transports opened ahead of need, so a ClientHello never waits for TCP + greeting +
 * AUTH TLS; this changes no result, only when connections are opened. Waiters are served by
 * priority (the serial step of an ordering chain before a side test). When `pipelineHello` is on,
 * a waiter gets a connection of its own that carries its hello with the preamble, and nothing is
 * opened ahead. Ready transports that the server closes or talks on are discarded.
 */
export class Pool {
  private open = 0;
  private opening = 0;
  private ready: Transport[] = [];
  private idle = new Map<Transport, () => void>();
  private waiters: Waiter[] = [];
  private seq = 0;
  private drained: (() => void)[] = [];
  warm = false;
  /** each waiter dials its own connection with its hello (learned per endpoint) */
  pipelineHello = false;
  /** transports opened in all */
  opened = 0;
  /** opened ahead of need and never used */
  wasted = 0;
  /** most connections open at once */
  peak = 0;
  constructor(
    public cap: number,
    private readonly openOne: (hello: Buffer | null) => Promise<Transport>,
  ) {}

  /** Connections open now (in use, ready or being opened). */
  get openNow(): number {
    return this.open;
  }

  acquire(priority = 1, hello: Buffer | null = null, own = false): Promise<Transport> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ priority, seq: this.seq++, hello, resolve, reject, own, dedicated: false });
      this.waiters.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      this.pump();
    });
  }

  /** An acquired transport is finished with (the caller destroyed it). */
  release(): void {
    this.open--;
    this.pump();
  }

  setWarm(warm: boolean): void {
    this.warm = warm;
    if (!warm) this.trim();
    this.pump();
  }

  /** Stops opening ahead, waits for opens under way, closes what nobody waits for. */
  async drain(): Promise<void> {
    this.setWarm(false);
    while (this.opening > 0) await new Promise<void>((r) => this.drained.push(r));
    this.trim();
  }

  /** Closes ready transports nobody waits for. */
  trim(): void {
    while (this.ready.length > this.sharedWaiters()) this.drop(this.ready.pop()!, true);
  }

  private sharedWaiters(): number {
    return this.waiters.filter((w) => !w.dedicated && !w.own).length;
  }

  private drop(t: Transport, wasted: boolean): void {
    this.idle.get(t)?.();
    this.idle.delete(t);
    const i = this.ready.indexOf(t);
    if (i >= 0) this.ready.splice(i, 1);
    t.socket.on('error', () => {});
    t.socket.destroy();
    if (wasted) this.wasted++;
    this.open--;
  }

  private pump(): void {
    // ready transports to waiters, best priority first
    for (let i = 0; i < this.waiters.length && this.ready.length;) {
      const w = this.waiters[i]!;
      if (w.dedicated || w.own) {
        i++;
        continue;
      }
      const t = this.ready.shift()!;
      this.idle.get(t)?.();
      this.idle.delete(t);
      if (t.socket.destroyed || !t.socket.readable) {
        t.socket.destroy();
        this.open--;
        continue;
      }
      this.waiters.splice(i, 1);
      w.resolve(t);
    }
    // a connection of its own for each waiter that can carry its hello
    for (const w of this.waiters) {
      if (this.open >= this.cap) break;
      if (!w.dedicated && w.hello && (w.own || this.pipelineHello)) this.startFor(w);
    }
    const want = this.sharedWaiters() + (this.warm && !this.pipelineHello ? this.cap : 0);
    while (this.opening + this.ready.length < want && this.open < this.cap) this.start();
  }

  private count(): void {
    this.open++;
    this.opening++;
    this.opened++;
    this.peak = Math.max(this.peak, this.open);
  }

  private opened1(): void {
    this.opening--;
    if (this.opening === 0) for (const r of this.drained.splice(0)) r();
  }

  private startFor(w: Waiter): void {
    w.dedicated = true;
    this.count();
    this.openOne(w.hello).then(
      (t) => {
        this.opened1();
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(t);
        this.pump();
      },
      (err) => {
        this.opened1();
        this.open--;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.reject(err);
        this.pump();
      },
    );
  }

  private start(): void {
    this.count();
    this.openOne(null).then(
      (t) => {
        this.opened1();
        this.ready.push(t);
        this.watchIdle(t);
        if (!this.warm && this.ready.length > this.sharedWaiters()) this.trim();
        this.pump();
      },
      (err) => {
        this.opened1();
        this.open--;
        const i = this.waiters.findIndex((w) => !w.dedicated && !w.own);
        if (i >= 0) this.waiters.splice(i, 1)[0]!.reject(err);
        else this.warm = false; // a transport that fails ahead of need: stop opening ahead
        this.pump();
      },
    );
  }

  /** While it waits: a close, an error or bytes from the server make it useless — and a server
   * that does that to idle connections gets no more of them (no open/close churn). */
  private watchIdle(t: Transport): void {
    const s = t.socket;
    const bad = () => {
      if (this.idle.has(t)) {
        this.drop(t, false);
        this.warm = false;
      }
      this.pump();
    };
    const onData = () => bad();
    s.on('data', onData);
    s.once('end', bad);
    s.once('close', bad);
    s.once('error', bad);
    // our own preamble leaves sockets paused: read while idle, or a close would go unnoticed
    s.resume();
    this.idle.set(t, () => {
      s.pause();
      s.removeListener('data', onData);
      s.removeListener('end', bad);
      s.removeListener('close', bad);
      s.removeListener('error', bad);
    });
  }
}
