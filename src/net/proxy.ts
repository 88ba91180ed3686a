// Scanning through a proxy: SOCKS5 (RFC 1928, CONNECT only; RFC 1929 user/password) and HTTP
// CONNECT. The target is handed to the proxy by name when it is one (SOCKS5 address type 3), so
// the name is resolved where the proxy sits, as the partner's own clients would. Every step has
// the connect timeout as its deadline and every reply a size limit; credentials come from the
// environment only and are never part of the proxy's name in output.
import net from 'node:net';
import type { PortState } from '../model.js';
import { connectTcp, type DialResult } from './tcp.js';
import { keepErrorSink } from './outcomes.js';

export type ProxyKind = 'socks5' | 'http';

export interface ProxySpec {
  kind: ProxyKind;
  host: string;
  port: number;
  user?: string;
  password?: string;
}

export class ProxyConfigError extends Error {
  override name = 'ProxyConfigError';
}

/** The environment variables that carry the proxy's credentials. */
export const PROXY_USER_ENV = 'XFERSCAN_PROXY_USER';
export const PROXY_PASSWORD_ENV = 'XFERSCAN_PROXY_PASSWORD';

/** The proxy as the report names it: scheme, host and port, never credentials. */
export function proxyLabel(p: Pick<ProxySpec, 'kind' | 'host' | 'port'>): string {
  return `${p.kind}://${net.isIPv6(p.host) ? `[${p.host}]` : p.host}:${p.port}`;
}

/** --proxy socks5://HOST:PORT or http://HOST:PORT; user and password from the environment only. */
export function parseProxy(text: string, env: NodeJS.ProcessEnv = process.env): ProxySpec {
  const m = /^(socks5h?|http):\/\/(?:([^@/]*)@)?(\[[0-9a-fA-F:.]+\]|[^:/[\]@]+):(\d{1,5})\/?$/.exec(text.trim());
  if (!m)
    throw new ProxyConfigError(
      `--proxy "${text.slice(0, 80)}": expected socks5://HOST:PORT or http://HOST:PORT (credentials from the environment)`,
    );
  if (m[2] !== undefined)
    throw new ProxyConfigError(
      `--proxy: credentials in the URL are refused (they leak into shell history and process lists); set ${PROXY_USER_ENV} and ${PROXY_PASSWORD_ENV}`,
    );
  const port = Number(m[4]);
  if (port < 1 || port > 65535) throw new ProxyConfigError(`--proxy: port ${m[4]} is out of range`);
  const user = env[PROXY_USER_ENV];
  const password = env[PROXY_PASSWORD_ENV];
  if ((user === undefined) !== (password === undefined))
    throw new ProxyConfigError(`--proxy: ${PROXY_USER_ENV} and ${PROXY_PASSWORD_ENV} go together`);
  if (user !== undefined && (Buffer.byteLength(user) > 255 || Buffer.byteLength(password!) > 255 || user === ''))
    throw new ProxyConfigError('--proxy: the proxy user and password must be 1-255 bytes each');
  const host = m[3]!.replace(/^\[(.*)\]$/, '$1');
  return { kind: m[1] === 'http' ? 'http' : 'socks5', host, port, ...(user !== undefined ? { user, password } : {}) };
}

/** Why the proxy did not give us the connection: the port state it means, and one line naming the proxy. */
class ProxyFailure extends Error {
  constructor(
    readonly state: PortState,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads exact byte counts (or up to a delimiter) from a socket before anyone else reads it. */
class HandshakeReader {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly deadline: number,
  ) {
    socket.on('readable', this.onReadable);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private readonly onReadable = () => {
    for (let c = this.socket.read() as Buffer | null; c; c = this.socket.read() as Buffer | null) this.buf = Buffer.concat([this.buf, c]);
    this.wake?.();
  };
  private readonly onClose = () => {
    this.failure ??= new Error('the proxy closed the connection');
    this.wake?.();
  };
  private readonly onError = (e: Error) => {
    this.failure ??= e;
    this.wake?.();
  };

  /** Waits until `ready(buffer)` holds, within the deadline and a size limit. */
  private async until(ready: (b: Buffer) => boolean, limit: number): Promise<void> {
    while (!ready(this.buf)) {
      if (this.buf.length > limit) throw new ProxyFailure('unreachable', 'EPROXY', `the proxy's reply is longer than ${limit} bytes`);
      if (this.failure) throw new ProxyFailure('unreachable', 'EPROXY', this.failure.message);
      const left = this.deadline - performance.now();
      if (left <= 0) throw new ProxyFailure('filtered', 'ETIMEDOUT', 'the proxy did not answer in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  async exactly(n: number): Promise<Buffer> {
    await this.until((b) => b.length >= n, n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  async through(delimiter: string, limit: number): Promise<Buffer> {
    await this.until((b) => b.includes(delimiter), limit);
    const end = this.buf.indexOf(delimiter) + delimiter.length;
    const out = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    return out;
  }

  /** Hands the socket on: bytes the server sent right behind the proxy's reply are put back. */
  release(): void {
    this.socket.off('readable', this.onReadable);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    if (this.buf.length > 0) this.socket.unshift(this.buf);
  }
}

const SOCKS_REPLIES: Record<number, [PortState, string, string]> = {
  1: ['unreachable', 'EPROXY', 'general SOCKS server failure'],
  2: ['unreachable', 'EPROXY', 'connection not allowed by ruleset'],
  3: ['unreachable', 'ENETUNREACH', 'network unreachable'],
  4: ['unreachable', 'EHOSTUNREACH', 'host unreachable'],
  5: ['closed', 'ECONNREFUSED', 'connection refused'],
  6: ['filtered', 'ETIMEDOUT', 'TTL expired'],
  7: ['unreachable', 'EPROXY', 'command not supported'],
  8: ['unreachable', 'EPROXY', 'address type not supported'],
};

function socksAddress(host: string): Buffer {
  if (net.isIPv4(host)) return Buffer.from([1, ...host.split('.').map(Number)]);
  if (net.isIPv6(host)) {
    const words = expandV6(host);
    const b = Buffer.alloc(17);
    b[0] = 4;
    words.forEach((w, i) => b.writeUInt16BE(w, 1 + i * 2));
    return b;
  }
  const name = Buffer.from(host, 'utf8');
  if (name.length > 255) throw new ProxyFailure('unreachable', 'EPROXY', 'the host name is too long for SOCKS5');
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}

/** An IPv6 address as eight 16-bit words (an embedded IPv4 tail included). */
function expandV6(a: string): number[] {
  let s = a.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

async function socksAuth(r: HandshakeReader, s: net.Socket, p: ProxySpec): Promise<void> {
  const methods = p.user !== undefined ? [0x00, 0x02] : [0x00];
  s.write(Buffer.from([5, methods.length, ...methods]));
  const [ver, method] = await r.exactly(2);
  if (ver !== 5) throw new ProxyFailure('unreachable', 'EPROXY', `not a SOCKS5 proxy (version byte ${ver})`);
  if (method === 0xff) throw new ProxyFailure('unreachable', 'EPROXY', 'the proxy accepts none of our authentication methods');
  if (method === 0x00) return;
  if (method !== 0x02 || p.user === undefined)
    throw new ProxyFailure('unreachable', 'EPROXY', `the proxy chose a method we did not offer (${method})`);
  const u = Buffer.from(p.user);
  const pw = Buffer.from(p.password ?? '');
  s.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([pw.length]), pw]));
  const [, status] = await r.exactly(2);
  if (status !== 0) throw new ProxyFailure('unreachable', 'EPROXY', 'the proxy refused our user name and password');
}

/** RFC 1928 CONNECT; RFC 1929 user/password when credentials are set. */
async function socks5Connect(r: HandshakeReader, s: net.Socket, p: ProxySpec, host: string, port: number): Promise<void> {
  await socksAuth(r, s, p);
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  s.write(Buffer.concat([Buffer.from([5, 1, 0]), socksAddress(host), portBytes]));
  const [ver, rep, , atyp] = await r.exactly(4);
  if (ver !== 5) throw new ProxyFailure('unreachable', 'EPROXY', `bad SOCKS5 reply (version byte ${ver})`);
  if (rep !== 0) {
    const [state, code, text] = SOCKS_REPLIES[rep!] ?? ['unreachable', 'EPROXY', `reply code ${rep}`];
    throw new ProxyFailure(state, code, `${text} (SOCKS5 reply ${rep})`);
  }
  const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? (await r.exactly(1))[0]! : -1;
  if (addrLen < 0) throw new ProxyFailure('unreachable', 'EPROXY', `bad SOCKS5 reply (address type ${atyp})`);
  await r.exactly(addrLen + 2);
}

/** HTTP CONNECT; a 2xx status opens the tunnel, anything else says why not. */
async function httpConnect(r: HandshakeReader, s: net.Socket, p: ProxySpec, host: string, port: number): Promise<void> {
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const auth = p.user !== undefined ? `Proxy-Authorization: Basic ${Buffer.from(`${p.user}:${p.password}`).toString('base64')}\r\n` : '';
  s.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  const head = (await r.through('\r\n\r\n', 16_384)).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})([^\r\n]*)/.exec(head);
  if (!status) throw new ProxyFailure('unreachable', 'EPROXY', `not an HTTP proxy reply: ${JSON.stringify(head.slice(0, 60))}`);
  const code = Number(status[1]);
  if (code >= 200 && code < 300) return;
  const line = `HTTP ${code}${status[2]!.slice(0, 80)}`;
  if (code === 407 || code === 401)
    throw new ProxyFailure('unreachable', 'EPROXY', `the proxy wants credentials or refused ours (${line})`);
  // 504: the proxy's own connect timed out; other codes do not tell closed from unreachable
  throw new ProxyFailure(code === 504 ? 'filtered' : 'unreachable', code === 504 ? 'ETIMEDOUT' : 'EPROXY', line);
}

/**
 * A connection to host:port through the proxy: the same DialResult a direct connect gives, its
 * state as the proxy saw it, and `detail` naming the proxy when it failed. Throws only what a
 * direct connect throws (this machine out of descriptors or memory).
 */
export async function dialViaProxy(p: ProxySpec, host: string, port: number, timeoutMs: number): Promise<DialResult> {
  const started = performance.now();
  const label = proxyLabel(p);
  const toProxy = await connectTcp(p.host, p.port, timeoutMs);
  const ms = () => Math.round(performance.now() - started);
  if (!toProxy.socket) {
    const detail = `cannot reach the proxy ${label}: ${toProxy.state}${toProxy.code ? ` (${toProxy.code})` : ''}`;
    return { state: 'unreachable', socket: null, address: host, ms: ms(), code: 'EPROXY', detail };
  }
  const s = toProxy.socket;
  keepErrorSink(s);
  const reader = new HandshakeReader(s, started + timeoutMs);
  try {
    if (p.kind === 'socks5') await socks5Connect(reader, s, p, host, port);
    else await httpConnect(reader, s, p, host, port);
  } catch (err) {
    reader.release();
    s.destroy();
    const f = err instanceof ProxyFailure ? err : new ProxyFailure('unreachable', 'EPROXY', (err as Error).message);
    // a proxy may echo what we sent it: never our password
    const said = p.password ? f.message.split(p.password).join('********') : f.message;
    return { state: f.state, socket: null, address: host, ms: ms(), code: f.code, detail: `proxy ${label}: ${said}` };
  }
  reader.release();
  return { state: 'open', socket: s, address: host, ms: ms(), code: null, via: label };
}
