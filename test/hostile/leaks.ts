// Finding a password in rendered output: every 4-character window of it, looked for in every
// way a reader or a program may see an output (raw, entity-decoded, unescaped, JSON strings,
// folded). Passwords built from these alphabets have a character in each window that no report
// contains on its own, so any window found came from the password.

/** Characters no report contains on their own. */
export const DISTINCT = [...'ΩΨΦΞΛΔΓжщюяЖ'];
/** Blanks, '*', regular-expression and URL characters. */
export const HOSTILE = [...' \t*.+?^$|\\()[]{}aZ0-%/=:', '  ', '\t\t', '**'];

/** Every window of 4 characters of the password, as sent, folded, and with each blank a space. */
export function windows(pw: string): string[] {
  const out = new Set<string>();
  for (const form of [pw, pw.replace(/\s+/g, ' '), pw.replace(/\s/g, ' ')]) {
    const chars = [...form];
    for (let i = 0; i + 4 <= chars.length; i++) {
      const w = chars.slice(i, i + 4).join('');
      if (DISTINCT.some((d) => w.includes(d))) out.add(w);
    }
  }
  return [...out];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

export function jsonStrings(text: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const part of text.split('\n')) {
    try {
      walk(JSON.parse(part));
    } catch {
      // not one JSON value per line
    }
  }
  try {
    walk(JSON.parse(text));
  } catch {
    // not one JSON document
  }
  return out;
}

/** The ways a reader (or a program) sees an output: raw, decoded, unescaped, folded. */
export function views(format: string, text: string): string[] {
  const vs = [text, decodeEntities(text), text.replace(/\\(.)/g, '$1'), decodeEntities(text.replace(/\\(.)/g, '$1'))];
  if (format === 'json' || format === 'sarif' || format === 'ndjson') vs.push(jsonStrings(text).join('\u0000'));
  return [...vs, ...vs.map((v) => v.replace(/\s+/g, ' '))];
}

const DISTINCT_RE = new RegExp(`[${DISTINCT.join('')}]`, 'g');

/** The first leaked window, with where it was found, or null. */
export function leak(pw: string, format: string, text: string): string | null {
  const ws = new Set(windows(pw));
  for (const v of views(format, text)) {
    // Every window holds a distinct character: look only around those.
    for (const m of v.matchAll(DISTINCT_RE)) {
      const i = m.index;
      for (let start = Math.max(0, i - 3); start <= i; start++) {
        const w = v.slice(start, start + 4);
        if (ws.has(w)) return `${JSON.stringify(w)} in ${format}: …${JSON.stringify(v.slice(Math.max(0, i - 60), i + 60))}…`;
      }
    }
  }
  return null;
}
