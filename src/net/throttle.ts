// The server refusing or delaying our new connections (OpenSSH PerSourcePenalties/MaxStartups
// closing before the banner, per-IP limits answering 421, accepts that stall): recorded per
// endpoint and answered with a bounded back-off. A step still refused after the last attempt is
// left undecided by its probe; it never becomes a finding about the server's configuration.
import type { Throttle, ThrottleEvent, ThrottleKind } from '../model.js';

/** Waits before each new attempt; their number bounds the attempts (one more than the waits). */
export const THROTTLE_DELAYS_MS = [1000, 3000, 8000];
/** --polite waits longer: a penalty that grows with each refused connection needs time to decay. */
export const POLITE_THROTTLE_DELAYS_MS = [3000, 10_000, 30_000];
const MAX_LOGGED = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ThrottleLog {
  events = 0;
  backoffMs = 0;
  gaveUp = 0;
  readonly log: ThrottleEvent[] = [];

  /** the endpoint's dialer listens: a refusal means we had more connections open than the server
   * allows, whichever probe met it (a slow accept is load, not a limit) */
  onEvent: (() => void) | null = null;

  constructor(readonly delaysMs: readonly number[] = THROTTLE_DELAYS_MS) {}

  /** Records a refused or delayed connection that its caller retries on its own (waiting `waitMs`). */
  record(port: number, kind: ThrottleKind, detail: string, waitMs: number | null): void {
    this.note(port, kind, detail, waitMs);
  }

  /**
   * Records a refused or delayed connection and waits before the next attempt. `attempt` counts
   * the attempts already refused for this step (0 for the first). False when attempts are used up.
   */
  async backoff(port: number, kind: ThrottleKind, detail: string, attempt: number, opts: { teachesCap?: boolean } = {}): Promise<boolean> {
    const wait = this.delaysMs[attempt];
    this.note(port, kind, detail, wait ?? null, opts.teachesCap ?? true);
    if (wait === undefined) return false;
    await sleep(wait);
    return true;
  }

  /** Counts one refusal, logs it (bounded) and tells the dialer. */
  private note(port: number, kind: ThrottleKind, detail: string, waitMs: number | null, teachesCap = true): void {
    if (kind !== 'slow-accept' && teachesCap) this.onEvent?.();
    this.events += 1;
    if (waitMs === null) this.gaveUp += 1;
    else this.backoffMs += waitMs;
    if (this.log.length < MAX_LOGGED)
      this.log.push({
        t: new Date().toISOString(),
        port,
        kind,
        detail: detail.slice(0, 200),
        waitMs: waitMs ?? 0,
        retried: waitMs !== null,
      });
  }

  /** The report's field, when anything happened. */
  report(): Throttle | undefined {
    if (this.events === 0) return undefined;
    return { events: this.events, backoffMs: this.backoffMs, gaveUp: this.gaveUp, log: [...this.log] };
  }
}
