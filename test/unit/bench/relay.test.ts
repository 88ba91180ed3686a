// bench/relay.mjs, the WAN the bench puts in front of the lab: each direction delayed by its
// one-way delay, order kept, half-close passed on after the bytes before it, resets passed on,
// many connections at once, handshakes counted, loopback only.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { HandshakeSniffer, startRelay, type Relay } from '../../../bench/relay.mjs';
import { buildClientHello, buildSSLv2ClientHello } from '../../../src/tls/hello.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** An echo server that stamps when each chunk arrived, and ends when the client ends. */
async function echoServer(): Promise<{ port: number; arrivals: number[] }> {
  const arrivals: number[] = [];
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => {
      arrivals.push(performance.now());
      s.write(d);
    });
    s.on('end', () => s.end('<eof>'));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return { port: (srv.address() as net.AddressInfo).port, arrivals };
}

async function relayTo(port: number, delayMs: number | { up: number; down: number }, handshakeRtt = true): Promise<Relay> {
  const r = await startRelay({ target: port, delayMs, handshakeRtt });
  cleanup.push(() => r.close());
  return r;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((res, rej) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => res(s));
    s.once('error', rej);
  });
}

describe('bench relay', () => {
  it('delays each direction by its one-way delay and charges the TCP handshake round trip', async () => {
    const echo = await echoServer();
    const relay = await relayTo(echo.port, { up: 30, down: 50 });
    const s = await connect(relay.port);
    const t0 = performance.now();
    s.write('ping');
    const back = await new Promise<number>((res) => s.once('data', () => res(performance.now())));
    // up (30) + down (50) + the handshake round trip charged before the server side opens (30+50)
    expect(back - t0).toBeGreaterThanOrEqual(155);
    expect(back - t0).toBeLessThan(400);
    // once open, a request costs one round trip
    const t1 = performance.now();
    s.write('again');
    const back2 = await new Promise<number>((res) => s.once('data', () => res(performance.now())));
    expect(back2 - t1).toBeGreaterThanOrEqual(78);
    expect(back2 - t1).toBeLessThan(250);
    s.destroy();
  });

  it('keeps order, passes a half-close on after the data, and counts connections', async () => {
    const echo = await echoServer();
    const relay = await relayTo(echo.port, 5);
    const s = await connect(relay.port);
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    for (let i = 0; i < 50; i++) s.write(`${i},`);
    s.end();
    await new Promise((r) => s.once('end', r));
    expect(got).toBe(`${Array.from({ length: 50 }, (_, i) => `${i},`).join('')}<eof>`);
    s.destroy();
    expect(relay.stats().connections).toBe(1);
  });

  it('carries many connections at once', async () => {
    const echo = await echoServer();
    const relay = await relayTo(echo.port, 10);
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const s = await connect(relay.port);
        const p = new Promise<string>((res) => {
          let b = '';
          s.on('data', (d) => (b += d.toString()));
          s.on('end', () => res(b));
        });
        s.end(`n${i}`);
        const r = await p;
        s.destroy();
        return r;
      }),
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => `n${i}<eof>`));
    expect(relay.stats().connections).toBe(40);
    expect(relay.stats().peakClientOpen).toBeGreaterThan(1);
  });

  it('passes a reset on', async () => {
    const srv = net.createServer((s) => {
      s.on('error', () => {});
      s.resetAndDestroy();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    const relay = await relayTo((srv.address() as net.AddressInfo).port, 5);
    const s = await connect(relay.port);
    const err = await new Promise<string>((res) => {
      s.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? 'error'));
      s.once('close', () => res('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(err);
  });

  it('counts TLS and SSLv2 hellos (also after an FTP preamble) and SSH key exchanges', () => {
    const tls = new HandshakeSniffer();
    tls.push(Buffer.from('AUTH TLS\r\n'));
    tls.push(buildClientHello({ version: 0x0303, suites: [0xc02f] }));
    expect(tls.tls).toBe(1);
    const v2 = new HandshakeSniffer();
    v2.push(buildSSLv2ClientHello([0x010080]));
    expect(v2.sslv2).toBe(1);
    const ssh = new HandshakeSniffer();
    const pkt = (type: number) => {
      const payload = Buffer.concat([Buffer.from([type]), Buffer.alloc(20)]);
      const pad = 4;
      const len = Buffer.alloc(4);
      len.writeUInt32BE(payload.length + pad + 1);
      return Buffer.concat([len, Buffer.from([pad]), payload, Buffer.alloc(pad)]);
    };
    ssh.push(Buffer.from('SSH-2.0-test\r\n'));
    ssh.push(Buffer.concat([pkt(20), pkt(30), pkt(21)]));
    expect([ssh.sshKexinit, ssh.sshNewkeys]).toEqual([1, 1]);
  });

  it('relays only between loopback addresses', async () => {
    await expect(startRelay({ target: { host: '10.0.0.1', port: 21 } })).rejects.toThrow(/loopback/);
    await expect(startRelay({ target: 21, listenHost: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
