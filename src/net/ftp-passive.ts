// PASV/EPSV replies and PORT/EPRT arguments. Strict on purpose: basic-ftp's parser masks
// out-of-range numbers (& 255), which hides exactly what a scanner must report.
import net from 'node:net';

export interface PassiveAddress {
  /** dotted address from a 227 reply; null for EPSV (port only) */
  address: string | null;
  port: number;
}

export class PassiveParseError extends Error {
  override name = 'PassiveParseError';
}

/** 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2) — with or without parentheses. */
export function parsePasv(text: string): PassiveAddress {
  // Start only at the beginning of a number so a long digit run cannot cause quadratic work.
  const m = /(?<![\d,])(\d{1,10}),\s*(\d{1,10}),\s*(\d{1,10}),\s*(\d{1,10}),\s*(\d{1,10}),\s*(\d{1,10})(?![\d])/.exec(text);
  if (!m) throw new PassiveParseError(`cannot find h1,h2,h3,h4,p1,p2 in PASV reply: ${JSON.stringify(text.slice(0, 120))}`);
  const n = m.slice(1).map((x) => Number(x));
  const bad = n.findIndex((x) => x > 255);
  if (bad >= 0) throw new PassiveParseError(`PASV reply has a number out of range (${n[bad]} > 255): ${JSON.stringify(m[0])}`);
  const port = n[4] * 256 + n[5];
  if (port === 0) throw new PassiveParseError('PASV reply names port 0');
  return { address: n.slice(0, 4).join('.'), port };
}

/** 229 Entering Extended Passive Mode (|||port|) — any delimiter 33..126, as RFC 2428 allows. */
export function parseEpsv(text: string): PassiveAddress {
  const m = /\(([\x21-\x7e])\1\1(\d{1,10})\1\)/.exec(text) ?? /([|!])\1\1(\d{1,10})\1/.exec(text);
  if (!m) throw new PassiveParseError(`cannot find (|||port|) in EPSV reply: ${JSON.stringify(text.slice(0, 120))}`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new PassiveParseError(`EPSV reply names port ${m[2]}, out of range`);
  return { address: null, port };
}

export function portArgument(address: string, port: number): string {
  return `${address.split('.').join(',')},${port >> 8},${port & 255}`;
}

export function eprtArgument(address: string, port: number): string {
  return `|${net.isIPv6(address) ? 2 : 1}|${address}|${port}|`;
}

export { classifyAdvertised, plainAddress, type AddressKind } from '../knowledge/addresses.js';
