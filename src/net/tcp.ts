// TCP connects with the outcome classification that firewall diagnosis depends on:
// open / closed (RST) / filtered (silence) / unreachable (ICMP or route error). Budgets, caps and
// which addresses may be dialled are the dialer's business (src/net/dialer.ts).
import net from 'node:net';
import type { PortState } from '../model.js';
import { LocalResourceError, isLocalResourceCode, keepErrorSink, portStateOfConnectError } from './outcomes.js';

export interface DialResult {
  state: PortState;
  /** the connected socket, only when state is 'open' */
  socket: net.Socket | null;
  /** the IP connected (or tried) */
  address: string;
  ms: number;
  /** the system error code behind a non-open state, e.g. ECONNREFUSED (EPROXY: the proxy failed) */
  code: string | null;
  /** why a connection through a proxy did not open, in one line naming the proxy */
  detail?: string;
  /** the proxy the connection went through (no credentials) */
  via?: string;
}

/**
 * Connects to address:port (an IP: callers resolve once, so every connection of a scan goes to
 * the same, reported address). Never throws for anything the network or the target does; throws
 * LocalResourceError when this machine ran out of file descriptors or memory (EMFILE, ENFILE,
 * ENOMEM, ENOBUFS): that is no fact about the target, and a port state made of it would be a
 * false verdict (an "unreachable" port, a firewall rule).
 */
export async function connectTcp(address: string, port: number, timeoutMs: number): Promise<DialResult> {
  const started = performance.now();
  const r = await new Promise<DialResult | LocalResourceError>((resolve) => {
    let done = false;
    let socket: net.Socket;
    try {
      socket = net.connect({ host: address, port, noDelay: true });
    } catch (err) {
      // Creating the socket itself failed (e.g. out of memory): nothing was sent anywhere.
      const code = (err as NodeJS.ErrnoException).code ?? 'ENOMEM';
      resolve(new LocalResourceError(isLocalResourceCode(code) ? code : 'ENOMEM', 'socket'));
      return;
    }
    // The socket's error sink for its whole life: whoever takes it adds listeners on top, and
    // a late error (EPIPE after the server's FIN, a reset after our owner moved on) ends here.
    keepErrorSink(socket);
    const finish = (state: PortState, code: string | null, err?: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      const ms = Math.round(performance.now() - started);
      if (state === 'open') {
        resolve({ state, socket, address, ms, code });
        return;
      }
      socket.destroy();
      if (isLocalResourceCode(code)) resolve(new LocalResourceError(code!, err?.syscall ?? 'connect'));
      else resolve({ state, socket: null, address, ms, code });
    };
    const onConnect = () => finish('open', null);
    const onError = (err: NodeJS.ErrnoException) => finish(portStateOfConnectError(err.code), err.code ?? null, err);
    const timer = setTimeout(() => finish('filtered', 'ETIMEDOUT'), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
  if (r instanceof LocalResourceError) throw r;
  return r;
}
