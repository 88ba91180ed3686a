// Progress on stderr for a terminal: done/total, failures, open sockets, rate and ETA on one line,
// redrawn at most a few times a second. Silent when stderr is not a TTY (CI logs stay clean).
import type { EndpointReport } from '../model.js';

export interface ProgressOptions {
  total: number;
  stream?: NodeJS.WriteStream;
  /** sockets open right now, for the line */
  sockets?: () => number;
  now?: () => number;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** An endpoint counts as a failure when it could not be reached or has a failing or error finding. */
export function isFailure(ep: EndpointReport): boolean {
  return ep.state !== 'open' || ep.findings.some((f) => f.status === 'fail' || f.status === 'error');
}

export class Progress {
  done = 0;
  failures = 0;
  unreachable = 0;
  private readonly started: number;
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.now = o.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** The status line (no control characters). */
  line(last?: EndpointReport): string {
    const elapsed = this.now() - this.started;
    const pct = this.o.total ? Math.floor((this.done / this.o.total) * 100) : 100;
    const rate = elapsed > 0 ? (this.done / elapsed) * 1000 : 0;
    const eta =
      this.done > 0 && this.done < this.o.total ? ` ETA ${formatDuration(((this.o.total - this.done) / this.done) * elapsed)}` : '';
    const sockets = this.o.sockets ? ` sockets ${this.o.sockets()}` : '';
    const lastText = last
      ? `  ${last.host.includes(':') ? `[${last.host}]` : last.host}:${last.port} ${last.state}${last.service ? ` ${last.service}` : ''}`
      : '';
    return `[${this.done}/${this.o.total} ${pct}%] failures ${this.failures} (unreachable ${this.unreachable})${sockets} ${rate.toFixed(1)}/s elapsed ${formatDuration(elapsed)}${eta}${lastText}`;
  }

  update(ep: EndpointReport): void {
    this.done += 1;
    if (isFailure(ep)) this.failures += 1;
    if (ep.state !== 'open') this.unreachable += 1;
    const t = this.now();
    if (this.done < this.o.total && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const width = (this.stream.columns || 100) - 1;
    this.stream.write(`\r\x1b[K${this.line(ep).slice(0, width)}${this.done === this.o.total ? '\n' : ''}`);
  }
}
