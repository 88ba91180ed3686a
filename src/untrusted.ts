// Untrusted text is data. A server's bytes (banners, replies, certificate names, SSH output) are
// made inert once, at the model boundary: every control character but LF/CR (TAB included), DEL,
// C1, bidi embeddings/overrides/isolates and marks, zero-width characters, BOM and line/paragraph
// separators become visible \xHH / \uHHHH escapes; lone surrogates become U+FFFD. Renderers then
// escape only for their own format. And a finding's text is bounded, with a "… N more" marker.
import type { Evidence, Finding } from './model.js';

const UNSAFE =
  /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** One string made inert (idempotent: what it writes contains no character it replaces). */
export function sanitizeText(s: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\uFFFD';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Every string (keys included) of a JSON-like value made inert; the value is copied only where it changes. */
export function sanitizeDeep<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return sanitizeText(v);
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((x) => {
        const y = walk(x);
        if (y !== x) changed = true;
        return y;
      });
      return changed ? out : v;
    }
    if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      let changed = false;
      const entries = Object.entries(v).map(([k, x]) => {
        const k2 = sanitizeText(k);
        const y = walk(x);
        if (y !== x || k2 !== k) changed = true;
        return [k2, y] as const;
      });
      return changed ? Object.fromEntries(entries) : v;
    }
    return v;
  };
  return walk(value) as T;
}

/** At most `max` characters, then "… N more characters" (never splitting a surrogate pair). */
export function boundText(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)} … ${s.length - cut} more characters`;
}

/** What one finding may carry: a report stays readable and every renderer stays fast. */
export const FINDING_LIMITS = { title: 300, detail: 8192, label: 300, value: 4096, evidence: 32 } as const;

/** A finding's server-derived text bounded (title, detail, evidence), with markers for what was left out. */
export function boundFinding(f: Finding): Finding {
  const L = FINDING_LIMITS;
  const ev = f.evidence
    .slice(0, L.evidence)
    .map((e): Evidence => ({ ...e, label: boundText(e.label, L.label), value: boundText(e.value, L.value) }));
  if (f.evidence.length > L.evidence)
    ev.push({ label: 'evidence', value: `… ${f.evidence.length - L.evidence} more evidence items not kept` });
  return { ...f, title: boundText(f.title, L.title), detail: boundText(f.detail, L.detail), evidence: ev };
}
