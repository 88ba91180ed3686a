// A timestamped record of everything said on every connection of one endpoint: the evidence
// behind every finding. Secrets are redacted here, at the only place lines are recorded.
import type { Step, TranscriptLine } from '../model.js';

/** Longest text kept for one transcript line; the rest is summarised, never buffered whole. */
const MAX_LINE = 2048;
/** Most lines kept per endpoint, so a hostile server cannot grow a report without bound. */
const MAX_LINES = 5000;

export class Transcript {
  readonly lines: TranscriptLine[] = [];
  private dropped = 0;
  private readonly secrets: string[] = [];
  private counter = 0;

  /** A new connection id, e.g. "detect#2". */
  conn(purpose: string): string {
    this.counter += 1;
    return `${purpose}#${this.counter}`;
  }

  /** Registers a secret (a password) whose bytes must never appear in any line. */
  addSecret(secret: string | undefined | null): void {
    if (secret && secret.length > 0 && !this.secrets.includes(secret)) this.secrets.push(secret);
  }

  add(conn: string, dir: TranscriptLine['dir'], text: string, step?: Step): void {
    if (this.lines.length >= MAX_LINES) {
      this.dropped += 1;
      return;
    }
    let clean = redact(text, this.secrets);
    if (clean.length > MAX_LINE) clean = `${clean.slice(0, MAX_LINE)}… [${clean.length - MAX_LINE} more characters]`;
    this.lines.push({ t: new Date().toISOString(), conn, dir, text: clean, ...(step ? { step } : {}) });
  }

  note(conn: string, text: string, step?: Step): void {
    this.add(conn, 'note', text, step);
  }

  /** Lines of one connection, for evidence. */
  of(conn: string): TranscriptLine[] {
    return this.lines.filter((l) => l.conn === conn);
  }

  finish(): TranscriptLine[] {
    if (this.dropped > 0) {
      this.lines.push({
        t: new Date().toISOString(),
        conn: 'xferscan',
        dir: 'note',
        text: `${this.dropped} further lines not kept (limit ${MAX_LINES})`,
      });
      this.dropped = 0;
    }
    return this.lines;
  }
}

/** Redacts FTP PASS arguments and any registered secret; also makes control characters visible. */
export function redact(text: string, secrets: readonly string[] = []): string {
  const out = maskSecrets(text.replace(/^(\s*PASS)(\s+).*$/i, '$1$2********'), secrets);
  // Keep evidence printable: a hostile server's raw bytes must not drive a terminal.
  return out.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const MASK = '********';

/**
 * Replaces every occurrence of each secret with asterisks. Repeats until none is left: a secret
 * that starts or ends with '*' can re-form from the mask and its neighbours ("*!" in "x*!!").
 * Each round removes at least one non-'*' character, so it ends; an all-'*' secret is one round.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (let round = 0; out.includes(s) && round < 64; round++) {
      out = out.split(s).join(MASK);
      if (/^\*+$/.test(s)) break;
    }
  }
  return out;
}
