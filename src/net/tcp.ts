// TCP dialling with the outcome classification that firewall diagnosis depends on:
// open / closed (RST) / filtered (silence) / unreachable (ICMP or route error).
import net from 'node:net';
import type { PortState } from '../model.js';
import { acquireSocketSlot } from '../fleet/budget.js';
import { LocalResourceError, isLocalResourceCode, keepErrorSink } from './errors.js';

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
 * connection of a scan goes to the same, reported address). Never throws for anything the
 * network or the target does; throws LocalResourceError when this machine ran out of file
 * descriptors or memory (EMFILE, ENFILE, ENOMEM, ENOBUFS): that is no fact about the target, and
 * a port state made of it would be a false verdict (an "unreachable" port, a firewall rule).
 */
export async function dial(address: string, port: number, timeoutMs: number, opts: { dataChannel?: boolean } = {}): Promise<DialResult> {
  // The scan-wide socket budget (src/fleet/budget.ts): wait for a slot before the timer starts.
  // An FTP data connection belongs to a control connection that already holds the endpoint's
  // slot: it counts globally but not against --connections (with 1, FTP could never transfer).
  const slot = await acquireSocketSlot({ endpointCap: !opts.dataChannel });
  if (!slot.ok) return { state: 'unreachable', socket: null, address, ms: 0, code: 'ECANCELED' };
  const started = performance.now();
  const r = await new Promise<DialResult | LocalResourceError>((resolve) => {
    let done = false;
    let socket: net.Socket;
    try {
      socket = net.connect({ host: address, port, noDelay: true });
    } catch (err) {
      // Creating the socket itself failed (e.g. out of memory): nothing was sent anywhere.
      slot.release();
      const code = (err as NodeJS.ErrnoException).code ?? 'ENOMEM';
      resolve(new LocalResourceError(isLocalResourceCode(code) ? code : 'ENOMEM', 'socket'));
      return;
    }
    // The socket's error sink for its whole life: whoever takes it adds listeners on top, and
    // a late error (EPIPE after the server's FIN, a reset after our owner moved on) ends here.
    keepErrorSink(socket);
    slot.attach(socket);
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
    const onError = (err: NodeJS.ErrnoException) => finish(classifyConnectError(err.code), err.code ?? null, err);
    const timer = setTimeout(() => finish('filtered', 'ETIMEDOUT'), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
  if (r instanceof LocalResourceError) throw r;
  return r;
}
