// A timestamped record of everything said on every connection of one endpoint: the evidence
// behind every finding. Secrets are redacted here, at the only place lines are recorded, and
// always on the raw text first: only then is a line shaped (control characters made visible,
// cut to its budget). A transcript has budgets per line, in lines and in bytes, so a hostile
// server cannot grow a report without bound; what is cut is said ("… N bytes more").
import type { Step, TranscriptLine } from '../model.js';

/** Longest text kept for one transcript line; the rest is summarised, never buffered whole. */
export const MAX_LINE = 2048;
/** Most lines kept per endpoint. */
export const MAX_LINES = 5000;
/** Most characters kept per endpoint, all lines together. */
export const MAX_TRANSCRIPT_BYTES = 1024 * 1024;

export class Transcript {
  readonly lines: TranscriptLine[] = [];
  private dropped = 0;
  private droppedBytes = 0;
  private kept = 0;
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

  /** The registered secrets (for callers that redact text they keep outside the transcript). */
  get secretList(): readonly string[] {
    return this.secrets;
  }

  /**
   * Masks every registered secret (in every form a server may echo it) in raw text. Call it
   * before cutting, folding or reformatting anything a server sent that is kept in facts.
   */
  mask(text: string): string {
    return this.secrets.length ? maskSecrets(text, this.secrets) : text;
  }

  /** Masks, then cuts to `max` characters with a "… N bytes more" marker. */
  maskAndClip(text: string, max: number): string {
    return clip(this.mask(text), max);
  }

  /** Masks secrets in bytes a server sent (e.g. a sample of a data connection). */
  maskBytes(data: Buffer): Buffer {
    return this.secrets.length ? maskSecretBytes(data, this.secrets) : data;
  }

  add(conn: string, dir: TranscriptLine['dir'], text: string, step?: Step): void {
    if (this.lines.length >= MAX_LINES || this.kept >= MAX_TRANSCRIPT_BYTES) {
      this.dropped += 1;
      this.droppedBytes += text.length;
      return;
    }
    // Redact first (the whole raw text), then shape.
    const clean = clip(redact(text, this.secrets), MAX_LINE);
    this.kept += clean.length;
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
        text: `… ${this.dropped} further lines (${this.droppedBytes} bytes) not kept (limits: ${MAX_LINES} lines, ${MAX_TRANSCRIPT_BYTES} bytes)`,
      });
      this.dropped = 0;
      this.droppedBytes = 0;
    }
    return this.lines;
  }
}

/**
 * Cuts text to `max` characters and says how much was left out, in UTF-8 bytes. Redact before
 * calling this: a secret cut in half can no longer be found.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair: half a character is not text.
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… ${Buffer.byteLength(text.slice(end), 'utf8')} bytes more`;
}

/**
 * Characters that must not reach a terminal or a viewer as they are: C0 controls (TAB included,
 * which also breaks table layouts), DEL, C1 controls, and the bidirectional overrides and
 * isolates that can reorder what a reader sees.
 */
const UNSAFE = /[\x00-\x08\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Redacts FTP PASS arguments and any registered secret; then makes unsafe characters visible. */
export function redact(text: string, secrets: readonly string[] = []): string {
  const out = maskSecrets(text.replace(/^(\s*PASS)(\s+).*$/i, '$1$2********'), secrets);
  // Keep evidence printable: a hostile server's raw bytes must not drive a terminal.
  return out.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

const MASK = '********';
/** A fragment of a secret this long, left at a cut, is masked too (shorter ones say nothing). */
const MIN_FRAGMENT = 3;
/** Markers the code base and peers use where text was cut. */
const CUT_MARKERS = ['…', '...'];

const formsCache = new Map<string, string[]>();

/** The secret's base64 for each of the three alignments it can have inside a longer encoding. */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Characters that mix the secret's bits with its neighbours' depend on those neighbours.
    const start = k === 0 ? 0 : k === 1 ? 2 : 3;
    const end = (bytes.length + k) % 3 === 0 ? enc.length : enc.length - 1;
    const core = enc.slice(start, end);
    if (core.length >= 4) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/**
 * Every form of a secret a server (or our own shaping) may produce: as is; with whitespace
 * collapsed or trimmed (folded text); each whitespace character as a space; percent-encoded
 * (upper and lower hex, '+' for space); JSON-escaped; hex; and base64 in each alignment.
 * Longest first, so that a form is masked before the shorter forms inside it.
 */
export function secretForms(secret: string): string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const bytes = Buffer.from(secret, 'utf8');
  const collapsed = secret.replace(/\s+/g, ' ');
  const pct = encodeURIComponent(secret);
  const forms = new Set<string>([
    secret,
    collapsed,
    collapsed.trim(),
    secret.trim(),
    secret.replace(/\s/g, ' '),
    pct,
    pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    pct.replace(/%20/g, '+'),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    ...base64Cores(bytes),
  ]);
  const list = [...forms].filter((f) => f.length > 0 && (f === secret || f.length >= Math.min(4, secret.length)));
  list.sort((a, b) => b.length - a.length);
  if (formsCache.size > 64) formsCache.clear();
  formsCache.set(secret, list);
  return list;
}

/** Replaces every occurrence of `s` with the mask, until none is left. */
function maskAll(text: string, s: string): string {
  let out = text;
  // A secret that starts or ends with '*' can re-form from the mask and its neighbours ("*!"
  // in "x*!!"). Each round removes at least one non-'*' character, so it ends; an all-'*'
  // secret is one round.
  for (let round = 0; out.includes(s) && round < 64; round++) {
    out = out.split(s).join(MASK);
    if (/^\*+$/.test(s)) break;
  }
  return out;
}

/**
 * A fragment of a form left at a cut: a prefix right before a cut marker or at the very end of
 * the text, a suffix right after a marker or at its very start. Text cut before it was redacted
 * (by code that did not know better) would otherwise show the first characters of a password.
 */
function maskFragments(text: string, allForms: readonly string[]): string {
  const forms = allForms.filter((form) => form.length > MIN_FRAGMENT && !/^\*+$/.test(form));
  if (forms.length === 0) return text;
  let out = text;
  // The longest piece any form leaves at a cut: masking a shorter one first would leave the rest.
  const prefixBefore = (at: number, min: number) => {
    let best = 0;
    for (const form of forms)
      for (let k = Math.min(form.length - 1, at); k >= Math.max(min, best + 1); k--)
        if (out.slice(at - k, at) === form.slice(0, k)) {
          best = k;
          break;
        }
    if (best) out = `${out.slice(0, at - best)}${MASK}${out.slice(at)}`;
  };
  const suffixAfter = (at: number, min: number) => {
    let best = 0;
    for (const form of forms)
      for (let k = Math.min(form.length - 1, out.length - at); k >= Math.max(min, best + 1); k--)
        if (out.slice(at, at + k) === form.slice(form.length - k)) {
          best = k;
          break;
        }
    if (best) out = `${out.slice(0, at)}${MASK}${out.slice(at + best)}`;
  };
  for (const marker of CUT_MARKERS) {
    for (let i = out.indexOf(marker); i >= 0; i = out.indexOf(marker, i + 1)) {
      const before = out.length;
      prefixBefore(i, MIN_FRAGMENT);
      i += out.length - before;
      suffixAfter(i + marker.length, MIN_FRAGMENT);
    }
  }
  // At the ends of a string only longer fragments count: short ones occur in ordinary text.
  prefixBefore(out.length, 4);
  suffixAfter(0, 4);
  return out;
}

/**
 * Replaces every occurrence of each secret, in every form it may take (see secretForms), and
 * the fragments of a secret left where text was cut, with asterisks.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of secretForms(s)) if (out.includes(form)) out = maskAll(out, form);
    out = maskFragments(out, [s, s.replace(/\s+/g, ' ')]);
  }
  return out;
}

/** Masks each secret's UTF-8 bytes in raw data, and a prefix of one cut off at the end. */
export function maskSecretBytes(data: Buffer, secrets: readonly string[]): Buffer {
  let out: Buffer | null = null;
  for (const s of secrets) {
    const needle = Buffer.from(s, 'utf8');
    if (needle.length === 0) continue;
    const buf: Buffer = out ?? data;
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + needle.length)) {
      out ??= Buffer.from(data);
      out.fill(0x2a, i, i + needle.length);
    }
    // A sample cut in the middle of the secret.
    const b: Buffer = out ?? data;
    for (let k = Math.min(needle.length - 1, b.length); k >= MIN_FRAGMENT; k--) {
      if (b.subarray(b.length - k).equals(needle.subarray(0, k))) {
        out ??= Buffer.from(data);
        out.fill(0x2a, out.length - k);
        break;
      }
    }
  }
  return out ?? data;
}
