import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointDialer, SocketBudget } from '../../../src/net/dialer.js';

describe('socket budget', () => {
  it('never hands out more than max slots, and wakes waiters in order', async () => {
    const b = new SocketBudget(2);
    const r1 = await b.acquire();
    const r2 = await b.acquire();
    const order: number[] = [];
    const p3 = b.acquire().then((r) => (order.push(3), r));
    const p4 = b.acquire().then((r) => (order.push(4), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    r1();
    r1(); // idempotent
    const r3 = await p3;
    expect(order).toEqual([3]);
    r2();
    const r4 = await p4;
    expect(b.open).toBe(2);
    r3();
    r4();
    expect(b.open).toBe(0);
    expect(b.peak).toBe(2);
    expect(b.waited).toBe(2);
  });

  it('freed slots go to the waiters in arrival order', async () => {
    const b = new SocketBudget(1);
    const r0 = await b.acquire();
    const order: string[] = [];
    const wait = (name: string) =>
      b.acquire().then((r) => {
        order.push(name);
        r();
      });
    const all = Promise.all([wait('battery-1'), wait('ftp'), wait('inventory-1'), wait('battery-2')]);
    r0();
    await all;
    expect(order).toEqual(['battery-1', 'ftp', 'inventory-1', 'battery-2']);
    expect(b.open).toBe(0);
  });

  describe('dial', () => {
    let server: net.Server;
    let port: number;
    const held = new Set<net.Socket>();
    beforeAll(async () => {
      server = net.createServer((s) => held.add(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      for (const s of held) s.destroy();
      await new Promise((r) => server.close(r));
    });

    it('waits for a slot before connecting; the wait is not taken for filtering', async () => {
      const socketBudget = new SocketBudget(1);
      const dialer = new EndpointDialer({ address: '127.0.0.1', global: socketBudget, connections: 4 });
      const dial = (_address: string, p: number, ms: number) => dialer.dial(p, ms);
      const a = await dial('127.0.0.1', port, 200);
      expect(a.state).toBe('open');
      const pending = dial('127.0.0.1', port, 200);
      await new Promise((r) => setTimeout(r, 400)); // longer than the connect timeout
      expect(socketBudget.open).toBe(1);
      a.socket!.destroy();
      const b = await pending;
      expect(b.state).toBe('open');
      b.socket!.destroy();
      await new Promise((r) => setTimeout(r, 20));
      expect(socketBudget.open).toBe(0);
    });

    it('an aborted endpoint scope destroys its sockets and refuses new dials', async () => {
      const scope = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 4 });
      const first = await scope.dial(port, 500);
      expect(first.state).toBe('open');
      const closed = new Promise((r) => first.socket!.once('close', r));
      scope.abort();
      await closed;
      const again = await scope.dial(port, 500);
      expect(again).toMatchObject({ state: 'unreachable', code: 'ECANCELED', socket: null });
      // a deadline is no interruption: not even the write test's clean-up dials
      expect(await scope.dial(port, 500, { cleanup: true })).toMatchObject({ code: 'ECANCELED' });
    });

    it('a dial under way when the scope is aborted gets no socket: none is left open that nothing would close', async () => {
      // an HTTP CONNECT proxy that answers only when told: the scope is aborted while the dial waits for it
      let asked!: () => void;
      const reached = new Promise<void>((r) => (asked = r));
      let answer!: () => void;
      const go = new Promise<void>((r) => (answer = r));
      const proxySide = new Promise<net.Socket>((resolve) => {
        const proxy = net.createServer((s) => {
          s.once('data', () => {
            asked();
            void go.then(() => s.write('HTTP/1.1 200 Connection established\r\n\r\n'));
          });
          resolve(s);
          proxy.close();
        });
        proxy.listen(0, '127.0.0.1', () => {
          const scope = new EndpointDialer({
            address: '127.0.0.1',
            global: new SocketBudget(),
            connections: 4,
            proxy: { kind: 'http', host: '127.0.0.1', port: (proxy.address() as net.AddressInfo).port },
          });
          const pending = scope.dial(port, 2000);
          void reached.then(async () => {
            scope.abort();
            answer();
            expect(await pending).toMatchObject({ state: 'unreachable', code: 'ECANCELED', socket: null });
          });
        });
      });
      const s = await proxySide;
      // the proxy sees our side close: the socket the dial got after the abort was destroyed
      await new Promise<void>((r) => (s.destroyed || s.readableEnded ? r() : s.once('close', () => r())));
    }, 10_000);

    it('an interrupted scope (SIGINT/SIGTERM) refuses new dials but the write test clean-up', async () => {
      const scope = new EndpointDialer({ address: '127.0.0.1', global: new SocketBudget(), connections: 4 });
      const first = await scope.dial(port, 500);
      const closed = new Promise((r) => first.socket!.once('close', r));
      scope.interrupt();
      await closed;
      expect(scope.aborted && scope.interrupted).toBe(true);
      expect(await scope.dial(port, 500)).toMatchObject({ state: 'unreachable', code: 'ECANCELED' });
      const cleanup = await scope.dial(port, 500, { cleanup: true });
      expect(cleanup.state).toBe('open');
      cleanup.socket!.destroy();
    });
  });
});
