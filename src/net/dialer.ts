// The dialer of one endpoint: every outgoing connection of a scan goes through one. It holds the
// scan-wide socket budget (file descriptors), the endpoint's cap (--connections) and each probe's
// allowance, it only ever connects to the target's address (a foreign address only when the user
// allowed it), and it can cut the endpoint off at its deadline (abort: its sockets are destroyed,
// later dials fail at once). With --proxy every connection goes through the proxy (src/net/proxy.ts).
// Engines receive a dialer; nothing reaches for a global.
import type net from 'node:net';
import { connectTcp, type DialResult } from './tcp.js';
import { dialViaProxy, proxyLabel, type ProxySpec } from './proxy.js';
import { isLocalResourceError, type LocalResourceError } from './outcomes.js';
import type { ConnectionRate } from './rate.js';
import { ThrottleLog } from './throttle.js';

/** A counting semaphore over sockets, with statistics for the report. */
export class SocketBudget {
  private inUse = 0;
  /** in arrival order */
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

  /**
   * Waits for a slot; freed slots go to the waiters in arrival order (every probe alike: one that
   * went first starved the others, and the scan then ended on their chains; see src/derive/pace.ts).
   * The returned function gives it back (idempotent).
   */
  async acquire(): Promise<() => void> {
    if (this.inUse >= this.max) {
      this.waited += 1;
      await new Promise<void>((wake) => this.waiters.push(wake));
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
      // a lowered max (the server allows fewer) takes effect as slots come back
      const next = this.inUse <= this.max ? this.waiters.shift() : undefined;
      if (next) next();
      else this.inUse -= 1;
    };
  }
}

export interface DialOptions {
  /** a data connection belongs to a control connection that already holds the endpoint's slot:
   * it counts against the scan-wide budget, not against --connections (with 1, FTP could never
   * transfer) nor the probe's allowance */
  data?: boolean;
  /** the write test's clean-up (DELE of its file): still allowed after an interruption (SIGINT/SIGTERM) */
  cleanup?: boolean;
}

export interface Dialer {
  /** the target's resolved address: every connection goes there */
  readonly address: string;
  readonly aborted: boolean;
  /** the proxy every connection goes through (its name, no credentials); null: direct */
  readonly proxy: string | null;
  /** a connection to `port` at the target's address */
  dial(port: number, timeoutMs: number, opts?: DialOptions): Promise<DialResult>;
  /**
   * A connection to another address (a foreign PASV address): refused, without a packet sent,
   * unless the user allowed foreign addresses.
   */
  dialAddress(address: string, port: number, timeoutMs: number, opts?: DialOptions): Promise<DialResult>;
  /** ties a socket we did not dial (accepted by a listener of ours) to the endpoint's lifetime */
  track(socket: { destroy(): unknown; once(event: 'close', fn: () => void): unknown }): void;
  /** a view of this dialer that keeps at most `n` connections open at once (a probe's allowance) */
  withAllowance(n: number): Dialer;
  /** where the probes record the server refusing or delaying our connections, and how to back off */
  readonly throttle: ThrottleLog;
  /** connections counted against the endpoint's cap so far (data connections ride on a control connection's slot) */
  readonly connectionsMade: number;
}

interface Shared {
  address: string;
  global: SocketBudget;
  cap: SocketBudget;
  allowForeign: boolean;
  /** --proxy: every connection is made through it (the server cannot connect back to us then) */
  proxy: ProxySpec | null;
  sockets: Set<{ destroy(): unknown }>;
  aborted: boolean;
  /** aborted by an interruption of the scan: clean-up dials still go through */
  interrupted: boolean;
  /** the first local resource failure (EMFILE, ENOMEM…) a dial met, whoever swallowed it */
  localFailure: LocalResourceError | null;
  /** --rate for the target's address (shared with every endpoint on it), or none */
  rate: ConnectionRate | null;
  throttle: ThrottleLog;
  /** the cap the server's refusals taught (lower than --connections), null while none came */
  serverLimit: number | null;
}

/** How long a closed connection's slot stays taken once the server showed a limit. */
export const SLOT_GRACE_MS = 10;

const refused = (address: string, code: string): DialResult => ({ state: 'unreachable', socket: null, address, ms: 0, code });

class ScopedDialer implements Dialer {
  constructor(
    private readonly shared: Shared,
    private readonly allowance: SocketBudget | null,
  ) {}

  get address(): string {
    return this.shared.address;
  }

  get aborted(): boolean {
    return this.shared.aborted;
  }

  get connectionsMade(): number {
    return this.shared.cap.total;
  }

  get throttle(): ThrottleLog {
    return this.shared.throttle;
  }
  get proxy(): string | null {
    return this.shared.proxy ? proxyLabel(this.shared.proxy) : null;
  }

  dial(port: number, timeoutMs: number, opts: DialOptions = {}): Promise<DialResult> {
    return this.connect(this.shared.address, port, timeoutMs, opts);
  }

  dialAddress(address: string, port: number, timeoutMs: number, opts: DialOptions = {}): Promise<DialResult> {
    if (address !== this.shared.address && !this.shared.allowForeign) return Promise.resolve(refused(address, 'EFOREIGN'));
    return this.connect(address, port, timeoutMs, opts);
  }

  track(socket: { destroy(): unknown; once(event: 'close', fn: () => void): unknown }): void {
    if (this.shared.aborted) {
      socket.destroy();
      return;
    }
    this.shared.sockets.add(socket);
    socket.once('close', () => this.shared.sockets.delete(socket));
  }

  withAllowance(n: number): Dialer {
    return new ScopedDialer(this.shared, new SocketBudget(n));
  }

  /** Takes the slots (before any connect timer starts: waiting for a slot is not silence), then connects. */
  private async connect(address: string, port: number, timeoutMs: number, opts: DialOptions): Promise<DialResult> {
    const cancelled = () => this.shared.aborted && !(opts.cleanup && this.shared.interrupted);
    if (cancelled()) return refused(address, 'ECANCELED');
    const releases: (() => void)[] = [];
    if (!opts.data && this.allowance) releases.push(await this.allowance.acquire());
    if (!opts.data) releases.push(await this.shared.cap.acquire());
    releases.push(await this.shared.global.acquire());
    const release = () => releases.reverse().forEach((r) => r());
    // --rate is taken last, right before the SYN (and before the connect timer starts)
    if (this.shared.rate) await this.shared.rate.take();
    if (cancelled()) {
      release();
      return refused(address, 'ECANCELED');
    }
    let result: DialResult;
    try {
      const p = this.shared.proxy;
      result = p ? await dialViaProxy(p, address, port, timeoutMs) : await connectTcp(address, port, timeoutMs);
    } catch (err) {
      // out of descriptors or memory here: give the slots back, remember it (a probe may turn
      // it into a gap; the scheduler must still know to back off), and let the caller see why
      release();
      if (isLocalResourceError(err)) this.shared.localFailure ??= err;
      throw err;
    }
    if (!result.socket) {
      release();
      return result;
    }
    if (cancelled()) {
      // aborted while connecting: nothing would ever close this socket (abort() closed those it knew)
      result.socket.destroy();
      release();
      return refused(address, 'ECANCELED');
    }
    const socket: net.Socket = result.socket;
    this.shared.sockets.add(socket);
    socket.once('close', () => {
      this.shared.sockets.delete(socket);
      // A server that limits us counts a session until its own process for it has ended, a few
      // ms after our close: handing the slot on at once drew a 421 on most next connections
      // (vsftpd max_per_ip=1). Once a limit showed, the slot waits that long first.
      if (this.shared.serverLimit === null) release();
      else setTimeout(release, SLOT_GRACE_MS).unref();
    });
    return result;
  }
}

/** The dialer of one endpoint; `abort()` cuts it off. */
export class EndpointDialer extends ScopedDialer {
  private readonly state: Shared;

  constructor(opts: {
    address: string;
    global: SocketBudget;
    connections: number;
    allowForeignAddresses?: boolean;
    rate?: ConnectionRate | null;
    throttle?: ThrottleLog;
    proxy?: ProxySpec | null;
  }) {
    const state: Shared = {
      address: opts.address,
      global: opts.global,
      cap: new SocketBudget(opts.connections),
      allowForeign: opts.allowForeignAddresses ?? false,
      proxy: opts.proxy ?? null,
      sockets: new Set(),
      aborted: false,
      interrupted: false,
      localFailure: null,
      rate: opts.rate ?? null,
      throttle: opts.throttle ?? new ThrottleLog(),
      serverLimit: null,
    };
    super(state, null);
    this.state = state;
    // The server turned a connection away while we held `open` (that one included): it allows
    // fewer. Lower the endpoint's cap so the probes queue for a slot instead of being refused.
    state.throttle.onEvent = () => {
      state.cap.max = Math.max(1, Math.min(state.cap.max, state.cap.open - 1));
      state.serverLimit = state.cap.max;
    };
  }

  /** The connections at once the server's refusals taught (below --connections); null while none came. */
  get serverLimit(): number | null {
    return this.state.serverLimit;
  }

  /** Sockets open right now (for tests and progress). */
  get open(): number {
    return this.state.sockets.size;
  }

  /** The first local resource failure (out of descriptors or memory) any dial of this endpoint met. */
  get localFailure(): LocalResourceError | null {
    return this.state.localFailure;
  }

  /** Whether the scan was interrupted (SIGINT/SIGTERM) while this endpoint was at work. */
  get interrupted(): boolean {
    return this.state.interrupted;
  }

  /** Like abort(), for an interruption of the scan: the write test's clean-up may still dial. */
  interrupt(): void {
    this.state.interrupted = true;
    this.abort();
  }

  /** Stops the endpoint's work: destroys its sockets; its next dials fail at once. */
  abort(): void {
    this.state.aborted = true;
    for (const s of this.state.sockets) s.destroy();
    this.state.sockets.clear();
  }
}
