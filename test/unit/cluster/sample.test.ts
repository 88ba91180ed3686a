// Sampling a virtual address never throws and never hangs: a closed port, a server that talks
// garbage, one that stays silent, and one that stops answering after a few connections (as
// OpenSSH PerSourcePenalties does) end in bounded time with the reason in `error`.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleVip } from '../../../src/cluster/sample.js';
import { SocketBudget } from '../../../src/net/dialer.js';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(onConn: (s: net.Socket, n: number) => void): Promise<number> {
  let n = 0;
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    sockets.add(s);
    onConn(s, n++);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

const opts = (port: number, service: 'sftp' | 'ftps-explicit' | 'ftp', samples = 6) => ({
  host: '127.0.0.1',
  port,
  address: '127.0.0.1',
  service,
  samples,
  concurrency: 2,
  timeoutMs: 400,
  credentials: null,
  allowCleartextLogin: false,
  sockets: new SocketBudget(16),
});

describe('sampleVip', () => {
  it('a closed port: gives up after three failures, says so', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    for (const service of ['sftp', 'ftps-explicit'] as const) {
      const r = await sampleVip(opts(port, service, 20));
      expect(r.samples.length).toBeLessThanOrEqual(4);
      expect(r.samples.every((s) => !s.ok && s.outcome === 'closed')).toBe(true);
      expect(r.error).toMatch(/no connection through 127\.0\.0\.1:\d+ got anywhere/);
    }
  });

  it('garbage and silence end in bounded time without a throw', async () => {
    const garbage = await serve((s) => s.end(Buffer.alloc(5000, 0xff)));
    const silent = await serve(() => {});
    const t0 = performance.now();
    const [a, b, c] = await Promise.all([
      sampleVip(opts(garbage, 'sftp')),
      sampleVip(opts(garbage, 'ftps-explicit')),
      sampleVip(opts(silent, 'ftps-explicit')),
    ]);
    for (const r of [a, b, c]) {
      expect(r.error).toBeTruthy();
      expect(r.samples.length).toBeGreaterThan(0);
    }
    expect(performance.now() - t0).toBeLessThan(8000);
  });

  it('a service that stops answering after some connections: the sampler stops and names the likely cause', async () => {
    // FTP greets the first three connections, then resets every later one
    const port = await serve((s, n) => (n < 3 ? s.write('220 ok\r\n') : s.resetAndDestroy()));
    const r = await sampleVip({ ...opts(port, 'ftp', 30), concurrency: 1 });
    expect(r.samples.filter((s) => s.ok)).toHaveLength(3);
    expect(r.samples.length).toBe(6);
    expect(r.error).toMatch(/stopped after 3 failed connections in a row \(3 had answered\).*PerSourcePenalties/);
  });
});
