// An FTP control connection that records every line in the endpoint's transcript, bounds every
// reply in size and time, and can be upgraded to TLS (AUTH TLS) or started inside TLS (implicit).
import type net from 'node:net';
import type tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { LineReader } from './line-reader.js';
import { FtpReplyAssembler, FtpReplyError, parseReply, type FtpReply } from './ftp-reply.js';
import { ProbeError, keepErrorSink } from './outcomes.js';
import { connectTls, type ClientTlsCredentials, type TlsUpgradeOptions } from './tls-upgrade.js';
import { Relay } from './relay.js';
import type { Transcript } from './transcript.js';
import type { Step } from '../model.js';

export interface CommandOptions {
  /** the probe step this exchange belongs to: tags its transcript lines, so evidence can be picked by it */
  step?: Step;
  timeoutMs?: number;
}

export const FTP_LIMITS = {
  /** longest single reply line read (a longer one is a protocol error) */
  maxLineBytes: 8192,
  /** most lines in one multi-line reply */
  maxReplyLines: 1000,
  /** characters kept of one reply line, after redaction ("… N bytes more" marks the cut) */
  keptLineChars: 1024,
  /** characters kept of one reply's lines together; the first and last line are always kept */
  keptReplyChars: 8192,
  /** lines of one reply recorded in the transcript: the first ones and the last */
  transcriptLinesPerReply: 12,
};

export class FtpControl {
  private reader: LineReader;
  private socket: Duplex;
  /** the TCP connection underneath everything */
  private readonly raw: net.Socket;
  private relay: Relay | null = null;
  private failedRelaySample: Buffer | null = null;
  tls: tls.TLSSocket | null = null;
  /** the newest resumable TLS session (TLS 1.3 tickets are single-use: keep the latest) */
  private session: Buffer | null = null;
  /** the newest session the control connection itself received (what a client that never learns from data connections offers) */
  private controlOnlySession: Buffer | null = null;
  /** NewSessionTickets received on the control connection so far */
  ticketsSeen = 0;
  /** the client certificate the control channel presented: data connections present it too */
  clientCert: ClientTlsCredentials | null = null;
  /** the TCP connection now belongs to someone else (handOver): close() leaves it alone */
  private handedOver = false;
  /** why we closed the connection ourselves, if we did */
  private closedBecause: string | null = null;

  constructor(
    socket: net.Socket,
    private readonly transcript: Transcript,
    readonly conn: string,
    private readonly timeoutMs: number,
  ) {
    this.socket = socket;
    this.raw = socket;
    this.reader = this.newReader();
    // This control owns the socket's error handling for its whole life: the reader's listener
    // comes and goes (detach, TLS upgrade, CCC), the sink stays, so that a late EPIPE or reset
    // after quit()/close() can never become an unhandled 'error' event.
    keepErrorSink(socket);
    this.reader.attach(socket);
  }

  /** Lines come out redacted: whoever reads them (detection, too) sees no secret to cut. */
  private newReader(): LineReader {
    return new LineReader({ maxLineBytes: FTP_LIMITS.maxLineBytes, mask: (text) => this.transcript.mask(text) });
  }

  /** What the peer sent through the TLS relay (e.g. cleartext instead of a ServerHello), secrets masked. */
  bytesBeforeTls(): Buffer {
    return this.transcript.maskBytes(this.relay?.sample() ?? this.failedRelaySample ?? Buffer.alloc(0));
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

  /** The control connection's own newest session (never one a data connection brought). */
  controlSession(): Buffer | undefined {
    return this.controlOnlySession ?? this.tls?.getSession() ?? undefined;
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
   *
   * Every line is redacted first (the registered secrets, in every form) and only then cut to
   * its budget, so no caller can cut a password in half. The reply keeps at most
   * FTP_LIMITS.keptReplyChars of its lines (first and last line always), and the transcript the
   * first lines and the last; what was left out is said, with its size.
   */
  async readReply(timeoutMs = this.timeoutMs, firstLine?: string, step?: Step): Promise<FtpReply> {
    const deadline = performance.now() + timeoutMs;
    const asm = new FtpReplyAssembler({ maxLines: FTP_LIMITS.maxReplyLines });
    const rawSizes: number[] = [];
    let recorded = 0;
    let unrecorded = 0;
    let unrecordedBytes = 0;
    let pending = firstLine;
    for (;;) {
      let raw: string;
      try {
        raw = pending ?? (await this.reader.readLine(deadline));
        pending = undefined;
      } catch (err) {
        const partial = this.reader.partial();
        if (partial)
          this.transcript.add(
            this.conn,
            'server',
            `${this.transcript.maskAndClip(partial, FTP_LIMITS.keptLineChars)} [incomplete line]`,
            step,
          );
        if (unrecorded > 0) this.noteUnrecorded(unrecorded, unrecordedBytes);
        if (err instanceof ProbeError && err.outcome === 'timeout' && asm.inProgress) {
          throw new ProbeError('timeout', 'multi-line reply did not end in time');
        }
        throw err;
      }
      const line = this.transcript.maskAndClip(raw, FTP_LIMITS.keptLineChars);
      rawSizes.push(Buffer.byteLength(raw, 'utf8'));
      let reply: FtpReply | null;
      try {
        reply = asm.push(line);
      } catch (err) {
        this.transcript.add(this.conn, 'server', line, step);
        if (err instanceof FtpReplyError) throw new ProbeError('protocol-error', err.message);
        throw err;
      }
      if (reply || recorded < FTP_LIMITS.transcriptLinesPerReply) {
        if (reply && unrecorded > 0) this.noteUnrecorded(unrecorded, unrecordedBytes);
        this.transcript.add(this.conn, 'server', line, step);
        recorded += 1;
      } else {
        unrecorded += 1;
        unrecordedBytes += rawSizes[rawSizes.length - 1]!;
      }
      if (reply) return shapeReply(reply, rawSizes);
    }
  }

  private noteUnrecorded(lines: number, bytes: number): void {
    this.transcript.note(this.conn, `… ${lines} more lines of this reply (${bytes} bytes) not recorded`);
  }

  /** Sends a command line (redacted in the transcript) and reads its reply. */
  async command(line: string, opts: CommandOptions = {}): Promise<FtpReply> {
    await this.absorbLateReplies(opts.step);
    this.send(line, opts.step);
    return this.readReply(opts.timeoutMs ?? this.timeoutMs, undefined, opts.step);
  }

  /**
   * Replies that arrived before we sent a command cannot be its reply: a late 426 after a
   * failed transfer, an unsolicited 421. Read and note them, so every later reply answers the
   * command it follows instead of the one before.
   */
  private async absorbLateReplies(step?: Step): Promise<void> {
    for (let i = 0; i < 5 && this.reader.pendingLines > 0; i++) {
      const late = await this.readReply(Math.min(this.timeoutMs, 500), undefined, step);
      this.transcript.note(this.conn, `late reply ${late.code} (it answers an earlier command, not the next one)`, step);
    }
  }

  /** False once the connection is closed, reset, or half-closed by the server (its FIN). */
  get writable(): boolean {
    return !this.handedOver && !this.raw.destroyed && !this.socket.destroyed && this.socket.writable && this.raw.writable;
  }

  /** Throws ProbeError (and notes that `verb` was not sent) when the connection can no longer carry a command. */
  ensureOpen(verb: string, step?: Step): void {
    if (this.writable) return;
    const why = this.closedBecause ?? this.reader.failureMessage ?? 'connection closed by the server';
    this.transcript.note(this.conn, `${verb} not sent: ${why}`, step);
    throw new ProbeError('protocol-error', why);
  }

  /**
   * Sends a command line. Throws ProbeError (never writes) when the connection can no longer
   * carry it: a write after the server's FIN would only come back as an EPIPE.
   */
  send(line: string, step?: Step): void {
    if (/[\r\n]/.test(line)) throw new ProbeError('protocol-error', 'refusing to send a command containing a line break');
    this.ensureOpen(line.split(' ')[0]!, step);
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
    t.on('session', (s: Buffer) => {
      this.session = s;
      this.controlOnlySession = s;
      this.ticketsSeen += 1;
    });
    this.clientCert = opts.clientCert ?? null;
    this.tls = t;
    this.socket = t;
    this.reader = this.newReader();
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
    this.reader = this.newReader();
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
      if (!this.reader.closed && this.writable) {
        this.send('QUIT', 'quit');
        await this.readReply(Math.min(this.timeoutMs, 1000)).catch(() => undefined);
      }
    } catch {
      // ignore: we are leaving anyway
    }
    this.close();
  }

  /** Closes both layers. Idempotent; the error sinks stay on the sockets after it. */
  close(reason?: string): void {
    this.closedBecause ??= reason ?? (this.reader.closed ? null : 'the connection was closed by xferscan');
    this.reader.detach();
    if (this.handedOver) return;
    this.socket.destroy();
    this.raw.destroy();
  }
}

/**
 * Keeps a reply within FTP_LIMITS.keptReplyChars: the first line, as many following lines as
 * fit, a line saying what was left out, and the last line (the one with the final code).
 */
function shapeReply(reply: FtpReply, rawSizes: number[]): FtpReply {
  const lines = reply.lines;
  if (lines.length <= 2) return reply;
  let total = lines[0]!.length + lines[lines.length - 1]!.length;
  let k = 1;
  while (k < lines.length - 1 && total + lines[k]!.length <= FTP_LIMITS.keptReplyChars) total += lines[k++]!.length;
  if (k >= lines.length - 1) return reply;
  const left = lines.length - 1 - k;
  const bytes = rawSizes.slice(k, lines.length - 1).reduce((a, b) => a + b, 0);
  const kept = [...lines.slice(0, k), ` … ${left} more lines (${bytes} bytes) not kept`, lines[lines.length - 1]!];
  return { ...parseReply(kept.join('\n')), code: reply.code };
}
