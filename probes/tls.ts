// TLS inventory: every protocol version and cipher suite the server accepts, its preference,
// groups, extensions and certificate chain — with our own hello-level prober (src/tls/), over
// the transport the endpoint speaks: TLS on connect, or a fresh control connection + AUTH TLS.
import fs from 'node:fs';
import type net from 'node:net';
import { completed, type ConnectContext, type Detected, type Probe } from '../src/probe.js';
import type { TlsFacts } from '../src/model.js';
import { scanTls, type OpenTransport, type TlsTransportCapabilities } from '../src/tls/index.js';
import { firstBytes, ftpsPreamble, tellRefusal, TransportError, type PreambleMode } from '../src/tls/transport.js';
import type { OpenWithHello } from '../src/tls/vuln/conn.js';
import { FtpControl } from '../src/net/ftp-control.js';
import { ProbeError } from '../src/net/outcomes.js';
import { Transcript } from '../src/net/transcript.js';
import { greetingRefusal } from '../src/net/ftp-reply.js';

/** The inventory's facts: everything of TlsFacts but what detection and the data channels add. */
export type TlsInventory = Omit<TlsFacts, 'negotiated' | 'dataChannel'>;

/**
 * A transport that yields a socket ready for a ClientHello. `greetingMs` collects how long each
 * explicit-FTPS connection waited for its 220: a server that is slow to take new connections sets
 * the pace of the whole inventory, and the report should say so.
 */
export function tlsTransport(
  ctx: ConnectContext,
  explicit: boolean,
  authCommand: string,
  greetingMs: number[] = [],
): () => Promise<net.Socket> {
  const { target, options } = ctx;
  return async () => {
    const d = await ctx.dialer.dial(target.port, options.timeoutMs);
    if (!d.socket) throw new ProbeError(d.state, `TCP connect: ${d.state}`);
    if (!explicit) return d.socket;
    // The enumeration opens many connections: they are not kept in the endpoint's transcript.
    const control = new FtpControl(d.socket, new Transcript(), 'tls-enum', options.timeoutMs);
    try {
      const asked = performance.now();
      const greeting = await control.readReply();
      greetingMs.push(performance.now() - asked);
      const refusal = greetingRefusal(greeting.code);
      if (refusal) {
        // the prober backs off and retries on its own: the event is only recorded here
        ctx.dialer.throttle.record(target.port, refusal, greeting.text, 0);
        throw new ProbeError('refused-by-server', `${greeting.code} from server`);
      }
      if (greeting.code !== 220) throw new ProbeError('protocol-error', `greeting ${greeting.code}`);
      const auth = await control.command(authCommand);
      if (auth.code === 421) throw new ProbeError('refused-by-server', '421 from server');
      if (auth.code !== 234) throw new ProbeError('protocol-error', `${authCommand} answered ${auth.code}`);
      return control.release();
    } catch (err) {
      control.close();
      throw err;
    }
  };
}

/**
 * The same connections described to the prober instead of handed over ready: it dials through the
 * endpoint's dialer and runs the explicit-FTPS preamble itself, so it can pipeline it (AUTH with
 * the connect, the ClientHello with AUTH where the server is seen to allow it) and fall back to
 * waiting for each reply where a server does not answer a pipelined command.
 */
export function tlsCapabilities(
  ctx: ConnectContext,
  explicit: boolean,
  authCommand: 'AUTH TLS' | 'AUTH SSL',
  greetingMs: number[] = [],
): TlsTransportCapabilities {
  const { target, options } = ctx;
  return {
    dial: async () => {
      const d = await ctx.dialer.dial(target.port, options.timeoutMs);
      if (d.socket) return d.socket;
      // the prober tells a refused connect after successful ones (a limit) by this code
      throw Object.assign(new ProbeError(d.state, `TCP connect: ${d.state}`), { code: d.code ?? d.state });
    },
    starttls: explicit ? { protocol: 'ftp', command: authCommand } : null,
    onGreeting: (ms) => greetingMs.push(ms),
    // the endpoint's dialer lowers its cap for every probe; the caller retries on its own
    onRefused: (kind, detail) => ctx.dialer.throttle.record(target.port, kind, detail, 0),
  };
}

/** A preamble failure as the ProbeError an opener throws (other errors unchanged). */
function asOpenError(err: unknown): unknown {
  if (!(err instanceof TransportError)) return err;
  return new ProbeError(err.code === 'refused-by-server' || err.code === 'timeout' ? err.code : 'protocol-error', err.message);
}

/**
 * `tlsTransport` with the explicit-FTPS preamble pipelined, for callers that only take an opener
 * (the vulnerability battery): AUTH goes out with the connection, one round trip saved per
 * connection. A server that did not answer a pipelined AUTH gets the waiting preamble from then
 * on. Failures are the same ProbeErrors as `tlsTransport`'s.
 */
export function pipelinedTlsTransport(ctx: ConnectContext, explicit: boolean, authCommand: 'AUTH TLS' | 'AUTH SSL'): OpenTransport {
  const caps = tlsCapabilities(ctx, explicit, authCommand);
  let mode: PreambleMode = 'auth';
  const once = async (): Promise<net.Socket> => {
    const socket = await caps.dial();
    if (!explicit) return socket;
    const tried = mode;
    try {
      const t = await ftpsPreamble(socket, authCommand, tried, null, ctx.options.timeoutMs, () => {});
      if (t.pending) throw new ProbeError('protocol-error', 'server sent data after accepting AUTH');
      // as a released control connection leaves it: flowing, the server silent until our hello
      socket.resume();
      return socket;
    } catch (err) {
      tellRefusal(caps, err);
      socket.on('error', () => {});
      socket.destroy();
      if (err instanceof TransportError && err.code === 'pipeline-refused' && tried !== 'wait') {
        mode = 'wait';
        return once();
      }
      throw asOpenError(err);
    }
  };
  return once;
}

/**
 * For the vulnerability battery on a server detection saw read a hello sent with AUTH TLS: each
 * connection carries its test's hello with AUTH TLS, ahead of the greeting (a round trip saved).
 * Should a hello still go unanswered after the 234 (for `silentMs`), the server dropped it after
 * all: that connection and every later one send the hello after the 234 instead. Failures are the
 * same ProbeErrors as `tlsTransport`'s.
 */
export function helloWithAuthOpener(ctx: ConnectContext, silentMs: number): OpenWithHello {
  const caps = tlsCapabilities(ctx, true, 'AUTH TLS');
  const afterAuth = pipelinedTlsTransport(ctx, true, 'AUTH TLS');
  let dropped = false;
  const helloAfterAuth = async (hello: Buffer) => {
    const socket = await afterAuth();
    socket.pause();
    const sentAt = performance.now();
    socket.write(hello);
    return { socket, pending: null, sentAt };
  };
  return async (hello) => {
    if (dropped) return helloAfterAuth(hello);
    const socket = await caps.dial();
    const sentAt = performance.now();
    try {
      const t = await ftpsPreamble(socket, 'AUTH TLS', 'hello', hello, ctx.options.timeoutMs, () => {});
      // left paused: the answer is the reader's to take
      const pending = t.pending ?? (await firstBytes(socket, silentMs));
      if (pending === null) {
        dropped = true;
        socket.destroy();
        return helloAfterAuth(hello);
      }
      return { socket, pending: pending.length ? pending : null, sentAt };
    } catch (err) {
      tellRefusal(caps, err);
      socket.on('error', () => {});
      socket.destroy();
      throw asOpenError(err);
    }
  };
}

const positive = (ms: number | null | undefined): ms is number => typeof ms === 'number' && Number.isFinite(ms) && ms > 0;

/**
 * A first round-trip estimate from detection: its quickest reply to a clear-text command where it
 * asked one (end to end, whatever lies between), else its TCP connect time (one RTT on a direct
 * path); null if neither.
 */
export function rttHintOf(detected: Pick<Detected, 'connectMs' | 'replyRttMs'>): number | null {
  if (positive(detected.replyRttMs)) return detected.replyRttMs;
  return positive(detected.connectMs) ? detected.connectMs : null;
}

export const tlsProbe: Probe<TlsInventory | null> = {
  id: 'tls-inventory',
  description: 'TLS versions, cipher suites, preference, groups, extensions and certificates',
  services: ['ftps-explicit', 'ftps-implicit', 'tls-unknown'],
  section: 'tls',
  needs: [],
  // the prober opens its connections ahead, up to the endpoint's --connections
  connections: Infinity,
  async run(ctx) {
    const { detected } = ctx;
    const ftp = detected.ftp;
    // Explicit FTPS whose AUTH was refused has no TLS to enumerate. Where Node's own handshake
    // failed (e.g. an SSLv3-only server), the hello-level prober still sees what is offered.
    if (detected.service === 'ftps-explicit' && !ftp?.authTls && !ftp?.authSsl) return completed(null);
    const conn = ctx.transcript.conn('tls-enum');
    const caFiles = ctx.options.caFiles ?? (ctx.options.caFile ? [ctx.options.caFile] : []);
    const caPem = caFiles.length ? caFiles.map((f) => fs.readFileSync(f, 'utf8')).join('\n') : null;
    const greetingMs: number[] = [];
    const authCommand = ftp?.authTls === false && ftp?.authSsl ? 'AUTH SSL' : 'AUTH TLS';
    const explicit = detected.service === 'ftps-explicit';
    const { facts, probe } = await scanTls(tlsTransport(ctx, explicit, authCommand, greetingMs), {
      serverName: ctx.target.host,
      hostname: ctx.target.host,
      timeoutMs: ctx.options.timeoutMs,
      connections: ctx.options.connections,
      caPem,
      transport: tlsCapabilities(ctx, explicit, authCommand, greetingMs),
      known: { rttMs: rttHintOf(detected), helloPipelining: detected.helloPipelining },
    });
    const { negotiated: _n, dataChannel: _d, ...inventory } = facts;
    const accepted = Object.entries(facts.protocols)
      .filter(([, v]) => v)
      .map(([k]) => k);
    ctx.transcript.note(
      conn,
      `TLS enumeration: ${probe.handshakes} handshakes in ${probe.durationMs} ms; accepted ${accepted.join(', ') || 'nothing'}${probe.limited ? '; the server limited our connections (421)' : ''}`,
      'tls-inventory',
    );
    const slow = slowGreetings(greetingMs, detected.banner ?? '');
    if (slow) {
      ctx.transcript.note(conn, slow, 'tls-inventory');
      inventory.probe?.evidence.push({ label: 'connection set-up', value: slow });
    }
    return completed(inventory);
  },
};

/** A sentence when new connections waited long for their greeting (median over 150 ms), else null. */
export function slowGreetings(ms: number[], banner: string): string | null {
  if (ms.length < 4) return null;
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (median < 150) return null;
  const why = /ProFTPD/i.test(banner)
    ? ' (a standalone ProFTPD pauses about 0.2-0.4 s before taking a new connection whenever a session has just ended: its EINTR retry interval)'
    : '';
  return `the server took a median ${Math.round(median)} ms (longest ${Math.round(sorted.at(-1)!)} ms) to greet each of ${ms.length} new connections: the inventory's time is set by the server${why}`;
}
