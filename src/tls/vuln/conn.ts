// The raw record layer the active tests speak: a dialer that counts and caps transports (and backs
// off when an FTP server says 421), and a record connection that hands out one TLS record at a
// time with a deadline and size limits. Heartbeat records are special: only their first bytes
// (our own marker) are kept; the rest — possibly leaked server memory — is counted and wiped.
import type net from 'node:net';
import type { OpenTransport } from '../prober.js';
import {
  ALERT_DESCRIPTIONS,
  buildClientHello,
  DEFAULT_LIMITS,
  ServerFlight,
  type ClientHelloOptions,
  type FlightResult,
} from '../hello.js';
import { legacySuites } from '../../knowledge/tls-registry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens a transport whose first bytes out carried `hello` (explicit FTPS: the ClientHello went with
 * AUTH TLS) at `sentAt` (performance.now()). `pending` holds what the server sent past its 234: the
 * start of its TLS answer.
 */
export type OpenWithHello = (hello: Buffer) => Promise<HelloSent>;
export interface HelloSent {
  socket: net.Socket;
  pending: Buffer | null;
  sentAt: number;
}

/** The server turned the connection away (FTP 421, closed before the greeting): as a transport's
 * code, or as the outcome of the ProbeError an endpoint's opener throws. */
function isRefusal(err: unknown): boolean {
  const e = err as { code?: string; outcome?: string } | null;
  return e?.code === 'refused-by-server' || e?.outcome === 'refused-by-server';
}

/**
 * Opens transports for one endpoint: never more than `cap` at once, each counted under the test
 * that asked for it; a refusal (code 'refused-by-server', e.g. FTP 421) is retried with backoff.
 * With `openWithHello`, a test that gives its hello up front has it sent with the preamble.
 */
export class Dialer {
  private active = 0;
  private queue: (() => void)[] = [];
  /** transports opened, per test */
  readonly opened = new Map<string, number>();
  limited = false;
  constructor(
    private readonly open: OpenTransport,
    readonly cap = 4,
    private readonly retries = 3,
    private readonly backoffMs = 250,
    readonly openWithHello: OpenWithHello | null = null,
  ) {}

  get total(): number {
    let n = 0;
    for (const v of this.opened.values()) n += v;
    return n;
  }

  count(tag: string): number {
    return this.opened.get(tag) ?? 0;
  }

  /**
   * Runs `fn` with a fresh transport; the transport is destroyed afterwards whatever happens.
   * Given a `hello` and a dialer that can, the hello goes out with the preamble and `fn` gets
   * what the server already answered (`sent` set); otherwise `sent` is null.
   */
  async with<T>(tag: string, fn: (s: net.Socket, sent: HelloSent | null) => Promise<T>, hello?: Buffer): Promise<T> {
    await this.slot();
    let sock: net.Socket | null = null;
    try {
      const withHello = hello && this.openWithHello;
      if (withHello) {
        const t = await this.openWithRetry(tag, () => withHello(hello));
        sock = t.socket;
        return await fn(sock, t);
      }
      sock = await this.openWithRetry(tag, this.open);
      return await fn(sock, null);
    } finally {
      if (sock) {
        sock.on('error', () => {});
        sock.destroy();
      }
      this.active--;
      this.queue.shift()?.();
    }
  }

  private async slot(): Promise<void> {
    if (this.active < this.cap) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.queue.push(r));
    this.active++;
  }

  private async openWithRetry<S>(tag: string, open: () => Promise<S>): Promise<S> {
    let delay = this.backoffMs;
    for (let attempt = 0; ; attempt++) {
      this.opened.set(tag, (this.opened.get(tag) ?? 0) + 1);
      try {
        return await open();
      } catch (err) {
        if (isRefusal(err) && attempt < this.retries) {
          this.limited = true;
          await sleep(delay + Math.floor(Math.random() * delay * 0.25));
          delay *= 2;
          continue;
        }
        throw err;
      }
    }
  }
}

export type ConnEvent =
  /**
   * One record. `length` is the length its header declares; `fragment` is the whole payload,
   * except for heartbeat records (type 24), whose fragment holds at most `heartbeatKeep` bytes.
   */
  | { kind: 'record'; type: number; version: number; length: number; fragment: Buffer }
  | { kind: 'closed'; reset: boolean }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string };

export interface ConnLimits {
  /** largest record payload accepted */
  maxRecord: number;
  /** total bytes read before the connection is cut */
  maxBytes: number;
  /** bytes of a heartbeat record's payload kept (the rest is never buffered) */
  heartbeatKeep: number;
}

export const CONN_LIMITS: ConnLimits = { maxRecord: 16384 + 2048, maxBytes: 256 * 1024, heartbeatKeep: 3 };

/** One TLS connection at the record layer. Never throws from its event handlers. */
export class RecordConn {
  private buf: Buffer = Buffer.alloc(0);
  private events: ConnEvent[] = [];
  private waiter: ((e: ConnEvent) => void) | null = null;
  private end: ConnEvent | null = null;
  /** bytes of a heartbeat record still to be skipped (never buffered) */
  private skip = 0;
  /** heartbeat payload bytes received and wiped */
  heartbeatBytesDiscarded = 0;
  bytesIn = 0;

  constructor(
    private readonly socket: net.Socket,
    private readonly limits: ConnLimits = CONN_LIMITS,
  ) {
    socket.setNoDelay?.(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => this.finish({ kind: 'closed', reset: false }));
    socket.on('close', () => this.finish({ kind: 'closed', reset: false }));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      this.finish(
        e.code === 'ECONNRESET' || e.code === 'EPIPE' ? { kind: 'closed', reset: true } : { kind: 'error', message: e.code ?? e.message },
      ),
    );
    socket.resume();
  }

  /** Bytes the server sent before this connection took the socket over (read past a preamble). */
  feed(b: Buffer | null): void {
    if (b?.length) this.onData(b);
  }

  write(b: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(b, () => {});
  }

  /** The next record or the end of the connection; `{kind:'timeout'}` after `ms`. */
  next(ms: number): Promise<ConnEvent> {
    const e = this.events.shift();
    if (e) return Promise.resolve(e);
    if (this.end) return Promise.resolve(this.end);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiter = null;
          resolve({ kind: 'timeout' });
        },
        Math.max(0, ms),
      );
      this.waiter = (ev) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(ev);
      };
    });
  }

  close(): void {
    this.buf.fill(0);
    this.buf = Buffer.alloc(0);
    this.socket.on('error', () => {});
    this.socket.destroy();
  }

  private emit(e: ConnEvent): void {
    if (this.waiter) this.waiter(e);
    else this.events.push(e);
  }

  private finish(e: ConnEvent): void {
    if (this.end) return;
    this.end = e;
    if (this.waiter && this.events.length === 0) this.waiter(e);
  }

  private onData(d: Buffer): void {
    if (this.end) return;
    this.bytesIn += d.length;
    if (this.bytesIn > this.limits.maxBytes) {
      d.fill(0);
      this.finish({ kind: 'error', message: `more than ${this.limits.maxBytes} bytes` });
      this.close();
      return;
    }
    let chunk = d;
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      this.heartbeatBytesDiscarded += n;
      chunk.subarray(0, n).fill(0);
      chunk = chunk.subarray(n);
    }
    if (chunk.length) this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    d.fill(0);
    this.drain();
  }

  private drain(): void {
    while (this.buf.length >= 5 && this.skip === 0) {
      const type = this.buf[0]!;
      const version = this.buf.readUInt16BE(1);
      const length = this.buf.readUInt16BE(3);
      if (type < 20 || type > 24 || this.buf[1] !== 3) {
        this.finish({ kind: 'error', message: `not a TLS record (first bytes ${this.buf.subarray(0, 5).toString('hex')})` });
        return this.close();
      }
      if (length > this.limits.maxRecord) {
        this.finish({ kind: 'error', message: `record of ${length} bytes over limit ${this.limits.maxRecord}` });
        return this.close();
      }
      if (type === 24) {
        // keep only the first bytes (message type + claimed payload length); wipe the rest
        const keep = Math.min(length, this.limits.heartbeatKeep);
        if (this.buf.length < 5 + keep) return;
        const fragment = Buffer.from(this.buf.subarray(5, 5 + keep));
        const have = Math.min(this.buf.length - 5, length);
        this.heartbeatBytesDiscarded += have - keep;
        this.skip = length - have;
        const rest = Buffer.from(this.buf.subarray(5 + have));
        this.buf.fill(0);
        this.buf = rest;
        this.emit({ kind: 'record', type, version, length, fragment });
        continue;
      }
      if (this.buf.length < 5 + length) return;
      const fragment = Buffer.from(this.buf.subarray(5, 5 + length));
      this.buf = this.buf.subarray(5 + length);
      this.emit({ kind: 'record', type, version, length, fragment });
    }
  }
}

export function record(type: number, version: number, body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(body.length, 3);
  return Buffer.concat([h, body]);
}

export function handshakeMessage(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

export function describeEvent(e: ConnEvent): string {
  switch (e.kind) {
    case 'record':
      if (e.type === 21 && e.fragment.length >= 2)
        return `alert ${e.fragment[0] === 2 ? 'fatal' : 'warning'} ${ALERT_DESCRIPTIONS[e.fragment[1]!] ?? `alert_${e.fragment[1]}`}`;
      return `record type ${e.type} (${e.length} bytes)`;
    case 'closed':
      return e.reset ? 'connection reset' : 'connection closed';
    case 'timeout':
      return 'no reply';
    case 'error':
      return `error: ${e.message}`;
  }
}

export interface FlightRead {
  flight: FlightResult;
  /** from the hello to the end of the server's first flight */
  ms: number;
  /** what ended the read when the flight was not complete */
  end: ConnEvent | null;
}

/**
 * Sends a hello and reads the server's first flight (up to ServerHelloDone, a TLS 1.3
 * ServerHello, an alert or an error), leaving later records on the connection. `sentAt` says the
 * hello went out already (with the preamble, at that time): `ms` then counts from it, a round
 * trip or more too long (the connect and greeting are in it), which only widens the waits
 * derived from it.
 */
export async function sendHelloReadFlight(conn: RecordConn, hello: Buffer, timeoutMs: number, sentAt?: number): Promise<FlightRead> {
  const parser = new ServerFlight(DEFAULT_LIMITS);
  const t0 = sentAt ?? performance.now();
  const deadline = performance.now() + timeoutMs;
  if (sentAt === undefined) conn.write(hello);
  for (;;) {
    const e = await conn.next(deadline - performance.now());
    if (e.kind !== 'record') {
      parser.end(e.kind === 'timeout' ? 'timeout' : describeEvent(e));
      return { flight: parser.result, ms: performance.now() - t0, end: e };
    }
    parser.push(record(e.type, e.version, e.fragment));
    if (parser.done) return { flight: parser.result, ms: performance.now() - t0, end: null };
  }
}

/** Suites offered at a TLS ≤ 1.2 version: every real suite OpenSSL ever named (keeps hellos < 512 bytes). */
export function helloSuites(version: number, filter: (s: ReturnType<typeof legacySuites>[number]) => boolean = () => true): number[] {
  return legacySuites()
    .filter((s) => s.openssl && (version >= 0x0303 || !s.tls12Only) && filter(s))
    .map((s) => s.code);
}

export function legacyHello(version: number, serverName: string | undefined, extra: Partial<ClientHelloOptions> = {}): Buffer {
  return buildClientHello({ version, suites: helloSuites(version), serverName, ...extra });
}

export interface ActiveOptions {
  serverName?: string;
  /** per step (open + hello + reply); default 8000 */
  timeoutMs?: number;
  /** parallel transports; default 4 */
  connections?: number;
  /** share a dialer (the battery does) so the cap and counts span all tests */
  dialer?: Dialer;
  /** ClientHello.client_version for the hello-level tests (default TLS 1.2; the server may answer lower) */
  version?: number;
}

export function dialerOf(open: OpenTransport, o: ActiveOptions): Dialer {
  return o.dialer ?? new Dialer(open, Math.max(1, o.connections ?? 4));
}

/** How long to wait for a reaction that a server sends at once: a few flight times, at least 1 s. */
export function reactionWindow(flightMs: number, timeoutMs: number): number {
  return Math.min(timeoutMs, Math.max(1000, Math.round(flightMs * 8)));
}

export function versionName(v: number): string {
  return (
    ({ 0x0300: 'SSLv3', 0x0301: 'TLSv1.0', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' } as Record<number, string>)[v] ??
    `0x${v.toString(16)}`
  );
}

/** A transport failure as evidence (the test is then inconclusive). */
export function transportError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `transport failed (${e?.code ?? 'error'}: ${e?.message ?? String(err)})`;
}

export function flightSummary(f: FlightResult): string {
  if (f.serverHello) {
    const sh = f.serverHello;
    return `ServerHello ${versionName(sh.version)} suite 0x${sh.cipherSuite.toString(16).padStart(4, '0')}`;
  }
  if (f.alert) return `alert ${f.alert.level === 2 ? 'fatal' : 'warning'} ${f.alert.name}`;
  return `${f.kind}${f.error ? ` (${f.error})` : ''}`;
}

/**
 * One connection: hello, first flight, then `fn` on the same connection. A transport failure
 * becomes `{ error }` (the caller reports inconclusive); the connection is always closed. The
 * hello goes with the preamble where the dialer can (`pipelined: false` keeps it after the 234,
 * for a test that times the flight itself).
 */
export async function withFlight<T>(
  dialer: Dialer,
  tag: string,
  hello: Buffer,
  timeoutMs: number,
  fn: (conn: RecordConn, fr: FlightRead) => Promise<T>,
  { pipelined = true }: { pipelined?: boolean } = {},
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return await dialer.with(
      tag,
      async (sock, sent) => {
        const conn = new RecordConn(sock);
        try {
          conn.feed(sent?.pending ?? null);
          const fr = await sendHelloReadFlight(conn, hello, timeoutMs, sent?.sentAt);
          return { ok: true as const, value: await fn(conn, fr) };
        } finally {
          conn.close();
        }
      },
      pipelined ? hello : undefined,
    );
  } catch (err) {
    return { ok: false, error: transportError(err) };
  }
}

/** Why a first flight cannot carry a TLS ≤ 1.2 test, or null when it can. */
export function legacyFlightProblem(fr: FlightRead): { status: 'not-applicable' | 'inconclusive'; why: string } | null {
  const f = fr.flight;
  const sh = f.serverHello;
  if (sh && sh.version >= 0x0304) return { status: 'not-applicable', why: 'the server answered a TLS ≤ 1.2 hello with TLS 1.3' };
  if (!sh && f.alert?.name === 'protocol_version')
    return { status: 'not-applicable', why: 'the server refuses TLS ≤ 1.2 (protocol_version alert)' };
  if (!sh) return { status: 'inconclusive', why: `no ServerHello: ${flightSummary(f)}` };
  if (!f.serverHelloDone)
    return { status: 'inconclusive', why: `the first flight did not end with ServerHelloDone (${f.error ?? 'incomplete'})` };
  return null;
}
