// Reads CRLF/LF-terminated lines from a socket with hard limits on line length and on the
// time to wait: a hostile server can neither make us buffer without bound nor hang us.
import type { Duplex } from 'node:stream';
import { ProbeError } from './outcomes.js';

export interface LineReaderOptions {
  /** longest line accepted, bytes (without the line end) */
  maxLineBytes: number;
  /** complete lines held for a reader that is not reading; the stream is paused above this */
  maxQueuedBytes?: number;
  /**
   * Applied to every line and unfinished line handed out (secret redaction): callers that cut
   * what they read can then never cut a password in half. Bytes given up by detach() stay raw.
   */
  mask?: (text: string) => string;
}

/** Default bound on lines received but not yet read (back-pressure, not an error). */
const MAX_QUEUED_BYTES = 1024 * 1024;

export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private lines: string[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private failure: ProbeError | null = null;
  private waiter: (() => void) | null = null;
  private stream: Duplex | null = null;
  /** total bytes received on this reader, for evidence and limits */
  bytesReceived = 0;

  constructor(private readonly opts: LineReaderOptions) {}

  private readonly onData = (chunk: Buffer) => {
    this.bytesReceived += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.size + piece.length > this.opts.maxLineBytes) {
        this.fail(new ProbeError('protocol-error', `server sent a line longer than ${this.opts.maxLineBytes} bytes`));
        return;
      }
      const line = Buffer.concat([...this.chunks, piece])
        .toString('utf8')
        .replace(/\r$/, '');
      this.chunks = [];
      this.size = 0;
      this.lines.push(line);
      this.queued += line.length;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.size + rest.length > this.opts.maxLineBytes) {
        this.fail(new ProbeError('protocol-error', `server sent a line longer than ${this.opts.maxLineBytes} bytes`));
        return;
      }
      // Copy: the socket may reuse its buffer.
      this.chunks.push(Buffer.from(rest));
      this.size += rest.length;
    }
    if (this.queued > (this.opts.maxQueuedBytes ?? MAX_QUEUED_BYTES) && !this.paused) {
      // Nobody is reading: stop taking bytes from the server until lines are consumed.
      this.paused = true;
      this.stream?.pause();
    }
    this.wake();
  };

  private readonly onEnd = () => {
    this.ended = true;
    this.wake();
  };

  private readonly onError = (err: NodeJS.ErrnoException) => {
    this.fail(
      new ProbeError(
        'protocol-error',
        err.code === 'ECONNRESET' ? 'the server reset the connection' : `connection error: ${err.code ?? err.message}`,
      ),
    );
  };

  private fail(err: ProbeError) {
    this.failure = err;
    this.stream?.pause();
    this.stream?.destroy();
    this.wake();
  }

  private wake() {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  attach(stream: Duplex): void {
    this.stream = stream;
    this.ended = false;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  /** Stops reading from the stream (e.g. before a TLS upgrade); returns bytes not yet consumed. */
  detach(): Buffer {
    if (this.stream) {
      this.stream.off('data', this.onData);
      this.stream.off('end', this.onEnd);
      this.stream.off('close', this.onEnd);
      this.stream.off('error', this.onError);
      this.stream = null;
    }
    const left = Buffer.concat([...this.lines.map((l) => Buffer.from(`${l}\n`)), ...this.chunks]);
    this.lines = [];
    this.queued = 0;
    this.paused = false;
    this.chunks = [];
    this.size = 0;
    return left;
  }

  /** True when a line is already waiting (or bytes of an unfinished one). */
  hasPending(): boolean {
    return this.lines.length > 0 || this.size > 0;
  }

  /** The first waiting line, or else the unfinished one, without consuming it. */
  peek(): string {
    const first = this.lines[0];
    return first !== undefined ? this.masked(first) : this.partial();
  }

  /** Bytes of the unfinished line received so far. */
  partial(): string {
    return this.masked(Buffer.concat(this.chunks).toString('utf8'));
  }

  private masked(text: string): string {
    return this.opts.mask && text ? this.opts.mask(text) : text;
  }

  /**
   * Resolves with the next line; rejects with 'timeout' when no full line arrives by the
   * deadline (an absolute time from performance.now()), or with 'protocol-error' when the
   * connection ends or breaks.
   */
  async readLine(deadline: number): Promise<string> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        this.queued -= line.length;
        if (this.paused && this.queued <= (this.opts.maxQueuedBytes ?? MAX_QUEUED_BYTES) / 2) {
          this.paused = false;
          this.stream?.resume();
        }
        return this.masked(line);
      }
      if (this.failure) throw this.failure;
      if (this.ended) throw new ProbeError('protocol-error', 'connection closed by the server');
      const left = deadline - performance.now();
      if (left <= 0) throw new ProbeError('timeout', 'no complete reply from the server in time');
      await this.nap(left);
    }
  }

  /** Sleeps until data, end or failure wakes us, or `ms` pass. */
  private nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve();
      }, ms);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Waits until any byte arrives or the deadline passes; true when something arrived. */
  async waitForData(deadline: number): Promise<boolean> {
    for (;;) {
      // A reader that failed on received bytes (e.g. a line over the limit) did get data: say so,
      // so the caller reads on and reports the real failure, not "closed without saying anything".
      if (this.hasPending() || this.failure || this.ended) return this.hasPending() || (this.failure !== null && this.bytesReceived > 0);
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.nap(left);
    }
  }

  /** Why reading failed (e.g. a reset), if it did. */
  /** complete lines received and not yet read */
  get pendingLines(): number {
    return this.lines.length;
  }

  get failureMessage(): string | null {
    return this.failure?.message ?? null;
  }

  get closed(): boolean {
    return this.ended || this.failure !== null;
  }
}
