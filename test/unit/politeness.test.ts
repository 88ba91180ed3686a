// The throttle log's bounded back-off and the dialer's cap lowering (no timing asserted).
import { describe, expect, it } from 'vitest';
import { ThrottleLog } from '../../src/net/throttle.js';
import { EndpointDialer, SocketBudget } from '../../src/net/dialer.js';
import { RatePerAddress } from '../../src/net/rate.js';

describe('ThrottleLog', () => {
  it('retries as many times as it has waits, then gives up', async () => {
    const t = new ThrottleLog([0, 0]);
    expect(await t.backoff(21, 'ftp-421', '421 too many', 0)).toBe(true);
    expect(await t.backoff(21, 'ftp-421', '421 too many', 1)).toBe(true);
    expect(await t.backoff(21, 'ftp-421', '421 too many', 2)).toBe(false);
    expect(t.report()).toMatchObject({ events: 3, gaveUp: 1, log: [{ retried: true }, { retried: true }, { retried: false }] });
  });

  it('reports nothing when nothing happened', () => {
    expect(new ThrottleLog().report()).toBeUndefined();
  });
});

describe('the dialer under throttling', () => {
  it('lowers its cap below what it held when the server refused, never below 1', () => {
    const d = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 4, throttle: new ThrottleLog([]) });
    const cap = (d as unknown as { state: { cap: SocketBudget } }).state.cap;
    d.throttle.record(21, 'ftp-421', '421', 0);
    expect(cap.max).toBe(1);
  });

  it('a lowered budget hands slots back only up to its new max', async () => {
    const b = new SocketBudget(3);
    const r = [await b.acquire(), await b.acquire(), await b.acquire()];
    b.max = 1;
    let got = false;
    void b.acquire().then(() => (got = true));
    r[0]!();
    r[1]!();
    await new Promise((r) => setImmediate(r));
    expect(got).toBe(false);
    r[2]!();
    await new Promise((r) => setImmediate(r));
    expect(got).toBe(true);
  });
});

describe('RatePerAddress', () => {
  it('shares one rate per address', () => {
    const r = new RatePerAddress(2);
    expect(r.for('127.0.0.1')).toBe(r.for('127.0.0.1'));
    expect(r.for('::1')).not.toBe(r.for('127.0.0.1'));
    expect(r.for('::1').intervalMs).toBeGreaterThanOrEqual(500);
  });
});
