// The SSH identification exchange (RFC 4253 §4.2): the server may send other lines before its
// `SSH-` line; the `SSH-` line is `SSH-protoversion-softwareversion [SP comments]` CR LF.
import { readFileSync } from 'node:fs';
import { type RawConn, type Result } from './conn.js';

/** RFC 4253: the identification line is at most 255 characters including CR LF. */
export const IDENT_MAX = 255;
/** Longest line we accept at all (pre-banner lines or an over-long identification). */
export const LINE_MAX = 1024;
/** Most lines we accept before the `SSH-` line. */
export const PRE_BANNER_MAX = 64;

export interface Identification {
  /** the whole line without CR LF */
  raw: string;
  protoVersion: string;
  software: string;
  comments: string;
  /** lines sent before the identification line */
  preBanner: string[];
  /** the line exceeded RFC 4253's 255 characters (accepted anyway) */
  overlong: boolean;
}

export type IdentParse = { ok: true; ident: Omit<Identification, 'preBanner'> } | { ok: false; error: string };

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Parses one identification line (without CR LF). Never throws. */
export function parseIdentification(line: string): IdentParse {
  const raw = line.replace(/\r?\n$/, '').replace(/\r$/, '');
  if (!raw.startsWith('SSH-')) return { ok: false, error: `not an SSH identification line: ${printable(raw.slice(0, 80))}` };
  const rest = raw.slice(4);
  const dash = rest.indexOf('-');
  if (dash <= 0) return { ok: false, error: `identification without protocol version: ${printable(raw.slice(0, 80))}` };
  const protoVersion = rest.slice(0, dash);
  const afterProto = rest.slice(dash + 1);
  const sp = afterProto.indexOf(' ');
  const software = sp < 0 ? afterProto : afterProto.slice(0, sp);
  const comments = sp < 0 ? '' : afterProto.slice(sp + 1);
  return {
    ok: true,
    ident: {
      raw: printable(raw),
      protoVersion: printable(protoVersion),
      software: printable(software),
      comments: printable(comments),
      overlong: raw.length + 2 > IDENT_MAX,
    },
  };
}

export type IdentTake = { value: Identification; consumed: number } | { error: string } | null;

/**
 * Looks for a complete identification at the front of `buf` (after any pre-banner lines).
 * Returns null when more bytes are needed.
 */
export function takeIdentification(buf: Buffer): IdentTake {
  const preBanner: string[] = [];
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, pos);
    const lineEnd = nl < 0 ? buf.length : nl;
    if (lineEnd - pos > LINE_MAX) return { error: `line longer than ${LINE_MAX} bytes before the identification` };
    if (nl < 0) {
      // an SSH binary packet after a line-less start would never end in LF: be sure we are not
      // waiting forever on a non-SSH stream that never sends LF — LINE_MAX bounds it above.
      return null;
    }
    let line = buf.subarray(pos, nl).toString('latin1');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    pos = nl + 1;
    if (line.startsWith('SSH-')) {
      const p = parseIdentification(line);
      if (!p.ok) return { error: p.error };
      return { value: { ...p.ident, preBanner }, consumed: pos };
    }
    if (line.includes('\0')) return { error: 'NUL byte in a pre-banner line: not an SSH server' };
    preBanner.push(printable(line));
    if (preBanner.length > PRE_BANNER_MAX) return { error: `more than ${PRE_BANNER_MAX} lines before the identification` };
  }
}

let cachedVersion: string | null = null;
/** xferscan's version from package.json (best effort; works from src/ and from dist/src/). */
export function xferscanVersion(): string {
  if (cachedVersion) return cachedVersion;
  cachedVersion = '0';
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'xferscan' && pkg.version) {
        cachedVersion = pkg.version;
        break;
      }
    } catch {
      // try the next candidate
    }
  }
  return cachedVersion;
}

/** Our identification line, without CR LF: `SSH-2.0-xferscan_<version>`. */
export function clientIdentification(): string {
  return `SSH-2.0-xferscan_${xferscanVersion().replace(/[^0-9A-Za-z.]/g, '_')}`;
}

/** Reads the server's identification from a raw connection. */
export function readIdentification(conn: RawConn, deadline: number): Promise<Result<{ value: Identification }>> {
  return conn.take(takeIdentification, deadline);
}
