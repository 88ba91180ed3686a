// An FTP control connection that records every line in the endpoint's transcript, bounds every
// reply in size and time, and can be upgraded to TLS (AUTH TLS) or started inside TLS (implicit).
import type net from 'node:net';
import type tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { LineReader } from './line-reader.js';
import { FtpReplyAssembler, FtpReplyError, type FtpReply } from './ftp-reply.js';
import { ProbeError } from './outcomes.js';
import { connectTls, type TlsUpgradeOptions } from './tls-upgrade.js';
import { Relay } from './relay.js';
import type { Transcript } from './transcript.js';
import type { Step } from '../model.js';

export interface CommandOptions {
  /** the probe step this exchange belongs to: tags its transcript lines, so evidence can be picked by it */
  step?: Step;
  timeoutMs?: number;
}

export const FTP_LIMITS = {
  /** longest single reply line */
  maxLineBytes: 8192,
  /** most lines in one multi-line reply */
  maxReplyLines: 1000,
};

export class FtpControl {
  private reader = new LineReader({ maxLineBytes: FTP_LIMITS.maxLineBytes });
  private socket: Duplex;
  /** the TCP connection underneath everything */
  private readonly raw: net.Socket;
  private relay: Relay | null = null;
  private failedRelaySample: Buffer | null = null;
  tls: tls.TLSSocket | null = null;
  /** the newest resumable TLS session (TLS 1.3 tickets are single-use: keep the latest) */
  private session: Buffer | null = null;
  /** the TCP connection now belongs to someone else (handOver): close() leaves it alone */
  private handedOver = false;

  constructor(
    socket: net.Socket,
    private readonly transcript: Transcript,
    readonly conn: string,
    private readonly timeoutMs: number,
  ) {
    this.socket = socket;
    this.raw = socket;
    this.reader.attach(socket);
  }

  /** What the peer sent through the TLS relay (e.g. cleartext instead of a ServerHello). */
  bytesBeforeTls(): Buffer {
    return this.relay?.sample() ?? this.failedRelaySample ?? Buffer.alloc(0);
  }

  /** Our side's address of the control connection (where an active-mode server connects back). */
  get localAddress(): string | undefined {
    return this.raw.localAddress;
  }

  /** The peer's address as the socket sees it. */
  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }

  /** A session to resume on a data connection: the latest ticket, else the control session. */
  resumableSession(): Buffer | undefined {
    return this.session ?? this.tls?.getSession() ?? undefined;
  }

  /** Remembers a newer session (e.g. a ticket issued on a data connection). */
  rememberSession(session: Buffer): void {
    this.session = session;
  }

  /**
   * Gives up the plain TCP connection (e.g. detection found SSH and the SSH probe continues on
   * it): the socket and the bytes read but not yet consumed. This control must not be used after.
   */
  handOver(): { socket: net.Socket; unread: Buffer } | null {
    if (this.tls || this.relay || this.handedOver) return null;
    // Complete lines after the one read were decoded as text: binary data (an SSH server that
    // sends its KEXINIT at once, with a newline byte in it) cannot be rebuilt from them.
    if (this.reader.pendingLines > 0) return null;
    this.handedOver = true;
    const unread = this.reader.detach();
    return { socket: this.raw, unread };
  }

  /** The raw reader, for callers that must look at bytes before deciding what protocol this is. */
  get lines(): LineReader {
    return this.reader;
  }

  /**
   * Reads one complete reply (single- or multi-line) within the timeout. `firstLine` is a line
   * the caller already took from `lines` (e.g. while finding out what protocol this is).
   */
  async readReply(timeoutMs = this.timeoutMs, firstLine?: string, step?: Step): Promise<FtpReply> {
    const deadline = performance.now() + timeoutMs;
    const asm = new FtpReplyAssembler({ maxLines: FTP_LIMITS.maxReplyLines });
    let pending = firstLine;
    for (;;) {
      let line: string;
      try {
        line = pending ?? (await this.reader.readLine(deadline));
        pending = undefined;
      } catch (err) {
        const partial = this.reader.partial();
        if (partial) this.transcript.add(this.conn, 'server', `${partial} [incomplete line]`, step);
        if (err instanceof ProbeError && err.outcome === 'timeout' && asm.inProgress) {
          throw new ProbeError('timeout', 'multi-line reply did not end in time');
        }
        throw err;
      }
      this.transcript.add(this.conn, 'server', line, step);
      try {
        const reply = asm.push(line);
        if (reply) return reply;
      } catch (err) {
        if (err instanceof FtpReplyError) throw new ProbeError('protocol-error', err.message);
        throw err;
      }
    }
  }

  /** Sends a command line (redacted in the transcript) and reads its reply. */
  async command(line: string, opts: CommandOptions = {}): Promise<FtpReply> {
    this.send(line, opts.step);
    return this.readReply(opts.timeoutMs ?? this.timeoutMs, undefined, opts.step);
  }

  send(line: string, step?: Step): void {
    if (/[\r\n]/.test(line)) throw new ProbeError('protocol-error', 'refusing to send a command containing a line break');
    this.transcript.add(this.conn, 'client', line, step);
    this.socket.write(`${line}\r\n`);
  }

  /** After a 234 reply: hand the same TCP connection to TLS and continue the dialogue inside it. */
  async upgradeToTls(opts: Omit<TlsUpgradeOptions, 'timeoutMs'> & { timeoutMs?: number; step?: Step }): Promise<tls.TLSSocket> {
    const left = this.reader.detach();
    if (left.length > 0) {
      // Bytes after 234 and before our ClientHello would be injected into the TLS stream.
      this.transcript.note(this.conn, `server sent ${left.length} unexpected bytes after 234; not upgrading`);
      throw new ProbeError('protocol-error', 'server sent data after accepting AUTH; TLS upgrade aborted');
    }
    this.relay = new Relay(this.raw);
    let t: tls.TLSSocket;
    try {
      t = await connectTls(this.relay, { ...opts, timeoutMs: opts.timeoutMs ?? this.timeoutMs });
    } catch (err) {
      this.failedRelaySample = this.relay.sample();
      throw err;
    }
    t.on('session', (s: Buffer) => (this.session = s));
    this.tls = t;
    this.socket = t;
    this.reader = new LineReader({ maxLineBytes: FTP_LIMITS.maxLineBytes });
    this.reader.attach(t);
    this.transcript.note(
      this.conn,
      `TLS established: ${t.getProtocol()} ${t.getCipher()?.standardName ?? t.getCipher()?.name ?? ''}`.trim(),
      opts.step ?? 'tls-handshake',
    );
    return t;
  }

  /**
   * After the server accepted CCC: exchange close_notify and carry on in cleartext on the same
   * TCP connection. Returns true when the server's close_notify arrived in time.
   */
  async dropTls(waitMs = 1000): Promise<boolean> {
    const t = this.tls;
    const relay = this.relay;
    if (!t || !relay) return false;
    this.reader.detach();
    const closed = new Promise<boolean>((resolve) => {
      // Servers that answer close_notify do so at once; many never do (ProFTPD): wait briefly.
      const timer = setTimeout(() => resolve(false), Math.min(this.timeoutMs, waitMs));
      t.once('end', () => {
        clearTimeout(timer);
        resolve(true);
      });
      t.resume();
    });
    t.end(); // our close_notify; the relay keeps the TCP connection open
    const gotCloseNotify = await closed;
    relay.detach();
    this.tls = null;
    this.relay = null;
    this.socket = this.raw;
    this.reader = new LineReader({ maxLineBytes: FTP_LIMITS.maxLineBytes });
    this.reader.attach(this.raw);
    this.raw.resume();
    this.transcript.note(
      this.conn,
      gotCloseNotify
        ? 'TLS closed (close_notify exchanged); control channel now in cleartext'
        : 'sent close_notify; the server sent none back in time',
      'ccc',
    );
    return gotCloseNotify;
  }

  /**
   * Hands the TCP connection over (e.g. to the TLS engine after 234) and forgets it. Refuses
   * when the server already sent bytes we have not read: they would corrupt the next protocol.
   */
  release(): net.Socket {
    const left = this.reader.detach();
    if (left.length > 0) throw new ProbeError('protocol-error', 'server sent data after accepting AUTH');
    return this.raw;
  }

  /** Says QUIT politely (without waiting long) and closes. Never throws. */
  async quit(): Promise<void> {
    try {
      if (!this.reader.closed) {
        this.send('QUIT', 'quit');
        await this.readReply(Math.min(this.timeoutMs, 1000)).catch(() => undefined);
      }
    } catch {
      // ignore: we are leaving anyway
    }
    this.close();
  }

  close(): void {
    this.reader.detach();
    if (this.handedOver) return;
    this.socket.destroy();
    this.raw.destroy();
  }
}
