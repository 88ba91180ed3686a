// --rate: new connections per second to one target address, scan-wide (every endpoint and probe
// on that address shares it). Connections are spaced evenly (a bucket of one token): a server
// counting our connections over any one-second window never sees more than the rate, which a
// bucket allowing bursts cannot promise. The spacing is measured from when each connection was
// actually started, so a late timer never lets two connections crowd together.

/** A little more than 1000/rate ms between connections: timers and the network are not exact. */
const MARGIN_MS = 15;

export class ConnectionRate {
  private chain: Promise<void> = Promise.resolve();
  private last = -Infinity;
  /** connections started so far, and time spent waiting for a slot */
  started = 0;
  waitedMs = 0;

  constructor(readonly perSecond: number) {}

  get intervalMs(): number {
    return 1000 / this.perSecond + MARGIN_MS;
  }

  /** Resolves when the next connection may start (in the order asked). */
  take(): Promise<void> {
    const turn = this.chain.then(async () => {
      const wait = this.last + this.intervalMs - performance.now();
      if (wait > 0) {
        this.waitedMs += wait;
        await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      }
      this.last = performance.now();
      this.started += 1;
    });
    this.chain = turn;
    return turn;
  }
}

/** One ConnectionRate per target address, for the whole scan. */
export class RatePerAddress {
  private readonly rates = new Map<string, ConnectionRate>();
  constructor(readonly perSecond: number) {}

  for(address: string): ConnectionRate {
    let r = this.rates.get(address);
    if (!r) this.rates.set(address, (r = new ConnectionRate(this.perSecond)));
    return r;
  }
}
