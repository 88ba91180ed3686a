// Progress on stderr while a scan runs. On a terminal: one line redrawn on a timer (not only when
// an endpoint ends, so it never freezes): endpoints done of total, those in flight with the step
// each is on and for how long, elapsed time. Elsewhere (CI logs): a heartbeat line every ~10 s,
// so a long scan is never silent and a log is never flooded. Closed or filtered ports are
// counted as "not open", not as failures. Steps come from onStep(endpoint, step), which the
// scheduler calls as an endpoint moves on (connect, detect, tls, ssh, ftp, checks, …).
import type { EndpointReport } from '../model.js';

export interface ProgressOptions {
  total: number;
  stream?: NodeJS.WriteStream;
  /** sockets open right now, for the line */
  sockets?: () => number;
  now?: () => number;
  /** live line (terminal) or heartbeat lines (anything else); default: the stream's isTTY */
  tty?: boolean;
  /** redraw interval on a terminal (ms) */
  redrawMs?: number;
  /** heartbeat interval elsewhere (ms) */
  heartbeatMs?: number;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** An endpoint needs attention when it has a failing or error finding (a closed port is not a failure). */
export function isFailure(ep: EndpointReport): boolean {
  return ep.findings.some((f) => f.status === 'fail' || f.status === 'error');
}

type EndpointKey = string | { host: string; port: number };
const keyOf = (e: EndpointKey) => (typeof e === 'string' ? e : `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`);
// Step names and hosts reach a terminal: printable ASCII only.
const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);

export class Progress {
  done = 0;
  failures = 0;
  notOpen = 0;
  private readonly started: number;
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;
  private readonly tty: boolean;
  private readonly inFlight = new Map<string, { step: string; since: number; started: number }>();
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.now = o.now ?? (() => performance.now());
    this.started = this.now();
    this.tty = o.tty ?? !!this.stream.isTTY;
  }

  /** Starts the timer (unref'd: it never keeps the process alive). */
  start(): this {
    const every = this.tty ? (this.o.redrawMs ?? 250) : (this.o.heartbeatMs ?? 10_000);
    this.timer = setInterval(() => (this.tty ? this.draw() : this.heartbeat()), every);
    this.timer.unref();
    return this;
  }

  /** The scheduler's hook: `endpoint` is now at `step`. */
  onStep(endpoint: EndpointKey, step: string): void {
    const k = keyOf(endpoint);
    const t = this.now();
    const cur = this.inFlight.get(k);
    this.inFlight.set(k, { step: printable(step), since: t, started: cur?.started ?? t });
  }

  /** An endpoint finished. */
  update(ep: EndpointReport): void {
    this.done += 1;
    if (isFailure(ep)) this.failures += 1;
    if (ep.state !== 'open') this.notOpen += 1;
    this.inFlight.delete(keyOf(ep));
    if (this.tty && this.done === this.o.total) this.draw();
  }

  /** The status line (no control characters), cut to `width`. */
  line(width = 200): string {
    const t = this.now();
    const elapsed = t - this.started;
    const head = `[${this.done}/${this.o.total}] ${formatDuration(elapsed)}`;
    const tail = [
      this.failures ? `${this.failures} with failures` : '',
      this.notOpen ? `${this.notOpen} not open` : '',
      this.o.sockets ? `${this.o.sockets()} sockets` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const flights = [...this.inFlight.entries()]
      .sort((a, b) => a[1].started - b[1].started)
      .map(([k, v]) => `${printable(k)} ${v.step} ${formatDuration(t - v.since)}`);
    let text = `${head}${tail ? ` · ${tail}` : ''}`;
    if (flights.length) {
      const label = ` · in flight ${flights.length}: `;
      let list = '';
      let shown = 0;
      for (const f of flights) {
        const next = list ? `${list}, ${f}` : f;
        if (text.length + label.length + next.length + 8 > width && shown > 0) break;
        list = next;
        shown++;
      }
      text += `${label}${list}${shown < flights.length ? ` +${flights.length - shown}` : ''}`;
    }
    return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  }

  private draw(): void {
    const width = Math.max(20, (this.stream.columns || 100) - 1);
    this.stream.write(`\r\x1b[K${this.line(width)}`);
    this.drawn = true;
  }

  private heartbeat(): void {
    this.stream.write(`xferscan: ${this.line(300)}\n`);
  }

  /** A message on the progress stream (a whole line): the live line is cleared first and redrawn at the next tick. */
  note(text: string): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Stops the timer and clears the live line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
