// Target parsing: host | host:port | [v6]:port | sftp:// ftp:// ftps:// ftpes:// URLs.
// Errors are UsageError with a one-line message: bad input never produces a stack trace.
import net from 'node:net';
import type { Service } from './model.js';
import { SCHEME_DEFAULT_PORT, SCHEMES, type Scheme } from './knowledge/services.js';

export type { Scheme } from './knowledge/services.js';

export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string) {
    // One printable line, whatever the user (or a file) typed.
    super(message.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  }
}

export interface Target {
  /** what the user typed */
  input: string;
  host: string;
  /** explicit port; null = try the --ports list */
  port: number | null;
  scheme: Scheme | null;
}

export interface Endpoint {
  input: string;
  host: string;
  port: number;
  /** the service the URL scheme demands, if any */
  expectedService: Service | null;
  scheme: Scheme | null;
}

// RFC 1123 host names; labels of letters, digits and hyphens, not starting/ending with '-'.
const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/;

export function parsePort(text: string, what = 'port'): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`invalid ${what} "${text}": expected a number from 1 to 65535`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw new UsageError(`invalid ${what} "${text}": expected a number from 1 to 65535`);
  return n;
}

export function parsePortList(text: string): number[] {
  const ports = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => parsePort(p));
  if (ports.length === 0) throw new UsageError(`invalid --ports "${text}": give a comma-separated list such as 21,22,990`);
  return [...new Set(ports)];
}

const LEGACY_NUMERIC_HOST = /^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?$/i;

function checkHost(host: string, input: string): string {
  if (host.length === 0) throw new UsageError(`invalid target "${input}": no host`);
  if (net.isIP(host)) return host;
  // inet_aton's legacy forms ("5", "127.1", "0x7f.1", "017.0.0.1"): resolvers turn them into an
  // address the user never wrote, so they are refused unless they are a plain dotted quad.
  if (LEGACY_NUMERIC_HOST.test(host))
    throw new UsageError(
      `host "${host}" is a number, not a host name or a dotted-quad address (a resolver would read it as an address you did not write)`,
    );
  if (!HOSTNAME.test(host)) throw new UsageError(`invalid target "${input}": "${host}" is not a host name or IP address`);
  return host.replace(/\.$/, '').toLowerCase();
}

export function parseTarget(input: string): Target {
  const raw = input.trim();
  if (raw.length === 0) throw new UsageError('empty target');
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  if (schemeMatch) {
    const scheme = schemeMatch[1].toLowerCase();
    if (!(SCHEMES as readonly string[]).includes(scheme)) {
      throw new UsageError(
        `unsupported scheme "${scheme}://" in "${input}": use sftp://, ftp://, ftps:// (implicit) or ftpes:// (explicit)`,
      );
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(`invalid target URL "${input}"`);
    }
    if (url.username || url.password) {
      throw new UsageError(`do not put credentials in the target "${scheme}://…@…": use --user and --password-env/--password-file`);
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port ? parsePort(url.port) : SCHEME_DEFAULT_PORT[scheme as Scheme];
    return { input, host: checkHost(host, input), port, scheme: scheme as Scheme };
  }
  if (raw.includes('/')) throw new UsageError(`invalid target "${input}": expected host, host:port, [v6]:port or a URL`);
  // [v6] or [v6]:port
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(raw);
  if (bracket) {
    if (net.isIPv6(bracket[1]) === false) throw new UsageError(`invalid target "${input}": "${bracket[1]}" is not an IPv6 address`);
    return { input, host: bracket[1], port: bracket[2] !== undefined ? parsePort(bracket[2]) : null, scheme: null };
  }
  // A bare IPv6 address has several colons and no port.
  if (net.isIPv6(raw)) return { input, host: raw, port: null, scheme: null };
  const parts = raw.split(':');
  if (parts.length > 2) throw new UsageError(`invalid target "${input}": write IPv6 addresses with a port as [addr]:port`);
  const host = checkHost(parts[0], input);
  return { input, host, port: parts.length === 2 ? parsePort(parts[1]) : null, scheme: null };
}
