// TCP dialling with the outcome classification that firewall diagnosis depends on:
// open / closed (RST) / filtered (silence) / unreachable (ICMP or route error).
import net from 'node:net';
import type { PortState } from '../model.js';
import { acquireSocketSlot } from '../fleet/budget.js';

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

export function classifyConnectError(code: string | undefined): PortState {
  switch (code) {
    case 'ECONNREFUSED':
      return 'closed';
    case 'ETIMEDOUT':
      return 'filtered';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EACCES':
    case 'EPERM':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    default:
      return 'unreachable';
  }
}

/**
 * Connects to address:port (address must already be an IP: callers resolve once, so every
 * connection of a scan goes to the same, reported address). Never throws.
 */
export async function dial(address: string, port: number, timeoutMs: number, opts: { dataChannel?: boolean } = {}): Promise<DialResult> {
  // The scan-wide socket budget (src/fleet/budget.ts): wait for a slot before the timer starts.
  // An FTP data connection belongs to a control connection that already holds the endpoint's
  // slot: it counts globally but not against --connections (with 1, FTP could never transfer).
  const slot = await acquireSocketSlot({ endpointCap: !opts.dataChannel });
  if (!slot.ok) return { state: 'unreachable', socket: null, address, ms: 0, code: 'ECANCELED' };
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host: address, port, noDelay: true });
    slot.attach(socket);
    const finish = (state: PortState, code: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.removeAllListeners('error');
      const ms = Math.round(performance.now() - started);
      if (state === 'open') {
        resolve({ state, socket, address, ms, code });
      } else {
        socket.destroy();
        resolve({ state, socket: null, address, ms, code });
      }
    };
    const timer = setTimeout(() => finish('filtered', 'ETIMEDOUT'), timeoutMs);
    socket.once('connect', () => {
      // Keep a no-op error listener: later errors are handled by whoever takes the socket.
      socket.on('error', () => {});
      finish('open', null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => finish(classifyConnectError(err.code), err.code ?? null));
  });
}
