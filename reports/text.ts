// Plain-text helpers for the terminal renderer: untrusted text made inert and visible (no byte a
// server sent can move the cursor, change the title or reorder a line), display width in terminal
// cells, and word wrapping. Everything here is linear in its input.

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, zero-width characters
// and the BOM, lone surrogates.
const UNSAFE =
  /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) return '\uFFFD';
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of untrusted text for a terminal: tabs become a space, every other control is shown escaped. */
export function inert(s: unknown): string {
  return String(s ?? '')
    .replace(/\t/g, ' ')
    .replace(UNSAFE, escapeChar);
}

/** Like inert(), but keeps line breaks (for code blocks and multi-line text). */
export function inertLines(s: unknown): string[] {
  return String(s ?? '')
    .split(/\r?\n/)
    .map((l) => inert(l));
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
  );
}

export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  return isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
}

/** Terminal cells a string takes (text already made inert, no escape sequences). */
export function cellWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** Cuts to at most `width` cells, ending in "…" when cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (s.length <= width && /^[\x20-\x7e]*$/.test(s)) return s;
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch);
    if (w + cw > width) {
      // make room for the ellipsis
      while (out && cellWidth(out) > width - 1) out = [...out].slice(0, -1).join('');
      return `${out}…`;
    }
    out += ch;
    w += cw;
  }
  return out;
}

/** Splits a word that is wider than `width` into pieces of at most `width` cells. */
function splitWord(word: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of word) {
    const cw = charWidth(ch);
    if (w + cw > width && cur) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Word-wraps one line of text to `width` cells: the first line after `first`, the others after
 * `rest` (both counted in the width). Words longer than a line are split.
 */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let prefix = first;
  let cur = '';
  let curW = 0;
  const avail = () => Math.max(8, width - cellWidth(prefix));
  const flush = () => {
    lines.push(prefix + cur);
    prefix = rest;
    cur = '';
    curW = 0;
  };
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const ww = cellWidth(word);
    if (curW > 0 && curW + 1 + ww <= avail()) {
      cur += ` ${word}`;
      curW += 1 + ww;
      continue;
    }
    if (curW > 0) flush();
    if (ww <= avail()) {
      cur = word;
      curW = ww;
      continue;
    }
    const pieces = splitWord(word, avail());
    for (let i = 0; i < pieces.length - 1; i++) {
      cur = pieces[i];
      flush();
    }
    cur = pieces[pieces.length - 1];
    curW = cellWidth(cur);
  }
  if (cur || lines.length === 0) lines.push(prefix + cur);
  return lines;
}

/** Hard-wraps a line of code (no word breaks, nothing lost): continuation lines start with `cont`. */
export function wrapCode(line: string, width: number, indent: string, cont = '  '): string[] {
  const first = Math.max(8, width - cellWidth(indent));
  if (cellWidth(line) <= first) return [indent + line];
  const pieces = splitWord(line, first);
  const out = [indent + pieces[0]];
  const restText = pieces.slice(1).join('');
  for (const p of splitWord(restText, Math.max(8, first - cellWidth(cont)))) out.push(indent + cont + p);
  return out;
}

/** At most `max` characters of untrusted text, with a marker saying how much was left out. */
export function capText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)} … (${s.length - max} more characters in the JSON report)`;
}
