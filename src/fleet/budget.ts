// The global socket budget: a cap on TCP sockets open at once across the whole scan, so that
// hundreds of targets scanned at once cannot exhaust file descriptors. Every outgoing connection
// takes a slot before it dials (src/net/tcp.ts `dial`, src/ssh/conn.ts) and gives it back when the
// socket closes. Listeners (active-mode FTP data channels) do not count.
//
// Each endpoint is scanned inside a scope (AsyncLocalStorage): the sockets it opens are tracked so
// that an endpoint past its overall deadline can be cut off, its sockets destroyed and its later
// dials refused at once, instead of keeping a worker and budget slots busy.
import { AsyncLocalStorage } from 'node:async_hooks';
import type net from 'node:net';

export class EndpointScope {
  readonly sockets = new Set<{ destroy(): unknown }>();
  aborted = false;
  /** --connections: sockets this endpoint may have open at once, whichever probe opens them */
  readonly budget: SocketBudget | null;
  constructor(
    readonly name: string,
    maxConnections?: number,
  ) {
    this.budget = maxConnections ? new SocketBudget(maxConnections) : null;
  }

  /** Stops the endpoint's work: destroys its sockets; its next dials fail at once. */
  abort(): void {
    this.aborted = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

const scopes = new AsyncLocalStorage<EndpointScope>();

export function runInScope<T>(scope: EndpointScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

export function currentScope(): EndpointScope | undefined {
  return scopes.getStore();
}

export class SocketBudget {
  private inUse = 0;
  private readonly waiters: (() => void)[] = [];
  /** most sockets open at once so far */
  peak = 0;
  /** slots handed out in total */
  total = 0;
  /** times a dial had to wait for a slot */
  waited = 0;

  constructor(public max: number = Infinity) {}

  get open(): number {
    return this.inUse;
  }

  /** Waits for a slot. The returned function gives it back (idempotent). */
  async acquire(): Promise<() => void> {
    if (this.inUse >= this.max) {
      this.waited += 1;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } else {
      this.inUse += 1;
    }
    // A woken waiter has been handed the slot of the releaser (inUse unchanged).
    this.total += 1;
    if (this.inUse > this.peak) this.peak = this.inUse;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.inUse -= 1;
    };
  }
}

/** The process-wide budget; unlimited until the CLI sets --max-sockets. */
export const socketBudget = new SocketBudget();

export function configureSocketBudget(max: number): void {
  socketBudget.max = max;
}

export interface SocketSlot {
  /** false when the endpoint's scope was aborted: do not dial */
  ok: boolean;
  /** ties the slot to a socket: released (and untracked) when it closes */
  attach(socket: net.Socket): void;
  /** gives the slot back without a socket (the dial failed before one existed) */
  release(): void;
  /** for clients that make their own socket (ssh2): released on its 'close'; `destroy` on abort */
  attachClient(client: { once(ev: 'close', fn: () => void): unknown; destroy(): unknown }): void;
}

/**
 * Takes a socket slot for the current endpoint. Call before creating the socket and before
 * starting any connect timer, so time spent waiting for the budget is not taken for silence.
 */
export async function acquireSocketSlot(opts: { endpointCap?: boolean } = {}): Promise<SocketSlot> {
  const scope = currentScope();
  const refused: SocketSlot = { ok: false, attach: (s) => s.destroy(), release: () => {}, attachClient: (c) => c.destroy() };
  if (scope?.aborted) return refused;
  // The endpoint's own cap first (probes running side by side share it), then the global one.
  const releaseLocal = scope?.budget && opts.endpointCap !== false ? await scope.budget.acquire() : () => {};
  const releaseGlobal = await socketBudget.acquire();
  const release = () => {
    releaseGlobal();
    releaseLocal();
  };
  if (scope?.aborted) {
    release();
    return refused;
  }
  const attachClient = (c: { once(ev: 'close', fn: () => void): unknown; destroy(): unknown }) => {
    scope?.sockets.add(c);
    c.once('close', () => {
      scope?.sockets.delete(c);
      release();
    });
  };
  return { ok: true, attach: attachClient, release, attachClient };
}
