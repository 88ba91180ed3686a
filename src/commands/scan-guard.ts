// What keeps a scan's report when the scan cannot finish normally: SIGINT/SIGTERM (stop
// dialling, let the write test delete its file, report what finished marked interrupted, exit
// 130/143; a second signal exits at once) and the process-level last resort (src/last-resort.ts).
import type { EndpointReport } from '../model.js';
import { Interrupt, type InterruptReason } from '../net/interrupt.js';
import { onLastResort } from '../last-resort.js';

export const SIGNAL_EXIT: Record<InterruptReason, number> = { SIGINT: 130, SIGTERM: 143 };

/** How long an interrupted scan may take to wind down (clean-up included) before its report is written anyway. */
export const graceMs = (timeoutMs: number) => Math.min(15_000, Math.max(5_000, 2 * timeoutMs));

export interface GuardOptions {
  timeoutMs: number;
  /** writes the report of the endpoints that finished (the rest marked with `why`) */
  writePartial: (finished: ReadonlyMap<number, EndpointReport>, reason: InterruptReason | 'internal-error') => Promise<void>;
  /** keep finished endpoints (false when they are streamed as they finish) */
  keep: boolean;
  quiet?: boolean;
}

export class ScanGuard {
  readonly interrupt = new Interrupt();
  private readonly finished = new Map<number, EndpointReport>();
  private readonly offs: (() => void)[] = [];
  private partialWritten = false;

  constructor(private readonly o: GuardOptions) {}

  /** The endpoints finished so far, by their position in the input. */
  get finishedEndpoints(): ReadonlyMap<number, EndpointReport> {
    return this.finished;
  }

  /** An endpoint finished (index: its position in the input). */
  done(ep: EndpointReport, index: number): void {
    this.finished.set(index, this.o.keep ? ep : ({} as EndpointReport));
  }

  start(): void {
    const onSignal = (sig: InterruptReason) => {
      if (this.interrupt.reason) {
        process.stderr.write(`xferscan: ${sig} again: exiting at once\n`);
        process.exit(SIGNAL_EXIT[sig]);
      }
      process.stderr.write(
        `xferscan: ${sig}: stopping — no new connections; the write test cleans up and the report of what finished is written (${sig} again to quit at once)\n`,
      );
      this.interrupt.fire(sig);
      // the scan winds down on its own; if it does not in time, the report is written without it
      setTimeout(() => void this.partial(sig).finally(() => process.exit(SIGNAL_EXIT[sig])), graceMs(this.o.timeoutMs)).unref();
    };
    const int = () => onSignal('SIGINT');
    const term = () => onSignal('SIGTERM');
    process.on('SIGINT', int);
    process.on('SIGTERM', term);
    this.offs.push(
      () => process.off('SIGINT', int),
      () => process.off('SIGTERM', term),
      onLastResort(() => this.partial('internal-error')),
    );
  }

  /** Writes the report of what finished, once (a signal's grace ran out, or the last resort). */
  private partial(reason: InterruptReason | 'internal-error'): Promise<void> {
    if (!this.claim()) return this.partialDone ?? Promise.resolve();
    this.partialDone = this.o.writePartial(this.finished, reason);
    return this.partialDone;
  }

  private partialDone: Promise<void> | null = null;

  /**
   * Whoever writes the report claims it first: the scan that ended on its own, or the partial
   * report. False when the partial report was claimed (its writer exits the process).
   */
  claim(): boolean {
    if (this.partialWritten) return false;
    this.partialWritten = true;
    return true;
  }

  /** Waits for the partial report being written (when the scan ended after it was claimed). */
  async partialWrite(): Promise<void> {
    await this.partialDone;
  }

  /** The report is written: no more handlers. */
  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** The exit code: 130/143 after a signal, else the report's. */
  exitCode(normal: number): number {
    return this.interrupt.reason ? SIGNAL_EXIT[this.interrupt.reason] : normal;
  }
}
