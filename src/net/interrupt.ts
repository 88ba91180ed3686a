// An interruption of the whole scan (SIGINT/SIGTERM): endpoints not started are not dialled, the
// ones in flight have their connections closed (their probes end with what they have), and only
// the write test's clean-up may still open a session, to delete what it uploaded.
export type InterruptReason = 'SIGINT' | 'SIGTERM';

export class Interrupt {
  reason: InterruptReason | null = null;
  private readonly hooks = new Set<() => void>();

  /** Runs `fn` on interruption (at once if it already happened); returns its unregistration. */
  on(fn: () => void): () => void {
    if (this.reason) {
      fn();
      return () => undefined;
    }
    this.hooks.add(fn);
    return () => this.hooks.delete(fn);
  }

  fire(reason: InterruptReason): void {
    if (this.reason) return;
    this.reason = reason;
    for (const fn of this.hooks) fn();
    this.hooks.clear();
  }
}
