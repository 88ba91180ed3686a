// The throttle log's bounded back-off and the dialer's cap lowering (no timing asserted beyond
// the order of events), and the TLS battery's dialer retrying a refusal.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ThrottleLog } from '../../src/net/throttle.js';
import { EndpointDialer, SocketBudget, SLOT_GRACE_MS } from '../../src/net/dialer.js';
import { RatePerAddress } from '../../src/net/rate.js';
import { ProbeError } from '../../src/net/outcomes.js';
import { Dialer } from '../../src/tls/vuln/conn.js';

/** A loopback listener that accepts and ignores connections, for `fn`'s time. */
async function withListener(fn: (port: number) => Promise<void>): Promise<void> {
  const server = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as net.AddressInfo).port);
  } finally {
    server.close();
  }
}

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

  it('lowers its cap on a refusal its prober waits out itself (detection, FTP sessions, SSH), not on a slow accept', async () => {
    const d = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 4, throttle: new ThrottleLog([0]) });
    const cap = (d as unknown as { state: { cap: SocketBudget } }).state.cap;
    await d.throttle.backoff(21, 'slow-accept', 'accept took 3 s', 0);
    expect(cap.max).toBe(4);
    await d.throttle.backoff(21, 'closed-before-greeting', 'closed', 0);
    expect(cap.max).toBe(1);
  });

  it('keeps its cap when the refusal teaches nothing of it (our only connection, at first contact), but still waits and logs', async () => {
    const d = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 4, throttle: new ThrottleLog([0]) });
    const cap = (d as unknown as { state: { cap: SocketBudget } }).state.cap;
    expect(await d.throttle.backoff(21, 'ftp-refused-greeting', '530 full', 0, { teachesCap: false })).toBe(true);
    expect(cap.max).toBe(4);
    expect(d.serverLimit).toBeNull();
    expect(d.throttle.report()).toMatchObject({ events: 1, gaveUp: 0, log: [{ kind: 'ftp-refused-greeting', retried: true }] });
  });

  it('once the server showed a limit, a closed connection keeps its slot a moment (the server still counts it)', async () => {
    await withListener(async (port) => {
      const d = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 2, throttle: new ThrottleLog([]) });
      const first = await d.dial(port, 2000);
      d.throttle.record(port, 'ftp-421', '421', 0);
      // one open at the refusal: the cap is now 1
      const closedAt = await new Promise<number>((r) => {
        first.socket!.once('close', () => r(performance.now()));
        first.socket!.destroy();
      });
      const second = await d.dial(port, 2000);
      const waited = performance.now() - closedAt;
      second.socket!.destroy();
      expect(waited).toBeGreaterThanOrEqual(SLOT_GRACE_MS - 1);
    });
  });

  it('without a limit shown, the slot is handed on as the connection closes', async () => {
    await withListener(async (port) => {
      const d = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 1, throttle: new ThrottleLog([]) });
      const first = await d.dial(port, 2000);
      let second = false;
      const next = d.dial(port, 2000).then((x) => ((second = true), x));
      first.socket!.destroy();
      await new Promise((r) => first.socket!.once('close', r));
      await new Promise((r) => setTimeout(r, 1));
      const s = await next;
      expect(second).toBe(true);
      s.socket!.destroy();
    });
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

describe("the TLS battery's dialer", () => {
  it('retries a connection the server turned away, as the endpoint opener reports it (a ProbeError)', async () => {
    let calls = 0;
    const open = async (): Promise<net.Socket> => {
      calls += 1;
      if (calls === 1) throw new ProbeError('refused-by-server', '421 from server');
      return new net.Socket();
    };
    const d = new Dialer(open, 1, 2, 1);
    expect(await d.with('t', async () => 'ok')).toBe('ok');
    expect(calls).toBe(2);
    expect(d.limited).toBe(true);
  });

  it('does not retry other failures', async () => {
    const d = new Dialer(
      async () => {
        throw new ProbeError('timeout', 'no reply');
      },
      1,
      2,
      1,
    );
    await expect(d.with('t', async () => 'ok')).rejects.toThrow('no reply');
    expect(d.count('t')).toBe(1);
  });
});
