// FTP reply assembly (RFC 959 §4.2): a reply is one line "ddd text", or a first line "ddd-text",
// any lines, and a last line "ddd text" with the same code. Pure: fed line by line.

export interface FtpReply {
  code: number;
  /** all lines as received */
  lines: string[];
  /** the message without the codes, lines joined by \n */
  text: string;
}

export class FtpReplyError extends Error {
  override name = 'FtpReplyError';
}

export interface ReplyLimits {
  maxLines: number;
}

export class FtpReplyAssembler {
  private lines: string[] = [];
  private code: string | null = null;

  constructor(private readonly limits: ReplyLimits = { maxLines: 1000 }) {}

  /** Feeds one line; returns the reply when it is complete. Throws FtpReplyError on garbage. */
  push(line: string): FtpReply | null {
    if (this.code === null) {
      const m = /^(\d{3})([ -]|$)/.exec(line);
      if (!m) throw new FtpReplyError(`not an FTP reply: ${JSON.stringify(line.slice(0, 80))}`);
      this.lines = [line];
      if (m[2] === '-') {
        this.code = m[1];
        return null;
      }
      return this.complete(m[1]);
    }
    this.lines.push(line);
    if (this.lines.length > this.limits.maxLines) {
      throw new FtpReplyError(`multi-line reply longer than ${this.limits.maxLines} lines`);
    }
    if (line.startsWith(`${this.code} `) || line === this.code) return this.complete(this.code);
    return null;
  }

  /** True while a multi-line reply is open. */
  get inProgress(): boolean {
    return this.code !== null;
  }

  private complete(code: string): FtpReply {
    const lines = this.lines;
    this.lines = [];
    this.code = null;
    const text = lines
      .map((l, i) => (i === 0 || i === lines.length - 1 || /^\d{3}[ -]/.test(l) ? l.replace(/^\d{3}[ -]?/, '') : l.replace(/^ /, '')))
      .join('\n')
      .trim();
    return { code: Number(code), lines, text };
  }
}

/** Parses a whole recorded reply (for tests and transcripts). */
export function parseReply(raw: string): FtpReply {
  const asm = new FtpReplyAssembler();
  const lines = raw.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const r = asm.push(line);
    if (r) return r;
  }
  throw new FtpReplyError('incomplete reply');
}

export function isPositive(reply: FtpReply | null | undefined): boolean {
  return !!reply && reply.code >= 200 && reply.code < 400;
}

/**
 * A greeting that turns the connection away, on an endpoint that greeted us with 220 before: 421
 * (vsftpd max_per_ip, Pure-FTPd -C), or another 4xx/5xx (ProFTPD answers 530 over
 * MaxConnectionsPerHost). null for a greeting that lets us in (220; 1xx comes before it).
 */
export function greetingRefusal(code: number): 'ftp-421' | 'ftp-refused-greeting' | null {
  if (code === 421) return 'ftp-421';
  return code >= 400 ? 'ftp-refused-greeting' : null;
}
