// TCP connects with the outcome classification that firewall diagnosis depends on:
// open / closed (RST) / filtered (silence) / unreachable (ICMP or route error). Budgets, caps and
// which addresses may be dialled are the dialer's business (src/net/dialer.ts).
import net from 'node:net';
import type { PortState } from '../model.js';
import { portStateOfConnectError } from './outcomes.js';

export interface DialResult {
  state: PortState;
  /** the connected socket, only when state is 'open' */
  socket: net.Socket | null;
  /** the IP connected (or tried) */
  address: string;
  ms: number;
  /** the system error code behind a non-open state, e.g. ECONNREFUSED */
  code: string | null;
}

/**
 * Connects to address:port (an IP: callers resolve once, so every connection of a scan goes to
 * the same, reported address). Never throws.
 */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<DialResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host: address, port, noDelay: true });
    const finish = (state: PortState, code: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.removeAllListeners('error');
      // Keep a no-op error listener for the socket's whole life: later errors are handled by
      // whoever takes the socket, and a late one must never become an unhandled 'error'.
      socket.on('error', () => {});
      const ms = Math.round(performance.now() - started);
      if (state === 'open') {
        resolve({ state, socket, address, ms, code });
      } else {
        socket.destroy();
        resolve({ state, socket: null, address, ms, code });
      }
    };
    const timer = setTimeout(() => finish('filtered', 'ETIMEDOUT'), timeoutMs);
    socket.once('connect', () => finish('open', null));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(portStateOfConnectError(err.code), err.code ?? null));
  });
}
