// The prober's enumeration strategy against a simulated hello-level server on loopback (no
// OpenSSL): server-preference order recovered exactly, client preference reported by code,
// versions refused, no TLS 1.2-only suite offered below TLS 1.2, and the connection cap held
// although transports are opened ahead of need.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { probeTls, type OpenTransport } from '../../../src/tls/prober.js';
import { suiteByCode, suiteName } from '../../../src/knowledge/tls-registry.js';
import { answer, listen, newStats, simServer, type SimConfig, type SimStats } from '../../helpers/tls-sim.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function startSim(cfg: SimConfig): Promise<{ port: number; stats: SimStats }> {
  const stats = newStats();
  const srv = simServer(stats, (sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = answer(buf, cfg, stats);
      if (r === 'close') sock.destroy();
      else if (r) sock.end(r);
    });
  });
  servers.push(srv);
  return { port: await listen(srv), stats };
}

/** Transports as the prober holds them: at every open, how many of ours are not yet destroyed. */
function opener(port: number): { open: OpenTransport; maxHeld: () => number } {
  const held = new Set<net.Socket>();
  let max = 0;
  const open: OpenTransport = () =>
    new Promise((resolve, reject) => {
      for (const x of held) if (x.destroyed) held.delete(x);
      const s = net.connect({ host: '127.0.0.1', port });
      held.add(s);
      max = Math.max(max, held.size);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  return { open, maxHeld: () => max };
}

const open = (port: number): OpenTransport => opener(port).open;

const TLS12 = [0xc030, 0x009d, 0xc02f, 0x0035, 0x002f];
const TLS10 = [0xc014, 0x0035, 0x002f];
const names = (codes: number[]) => codes.map(suiteName);

describe('prober enumeration strategy (simulated server)', () => {
  for (const connections of [1, 2, 4]) {
    it(`recovers the server's order exactly and holds a cap of ${connections}`, async () => {
      const { port, stats } = await startSim({ versions: { 0x0303: TLS12, 0x0302: TLS10, 0x0301: TLS10 }, serverPreference: true });
      const o = opener(port);
      const r = await probeTls(o.open, { timeoutMs: 3000, connections, backoffMs: 10, nodeTlsChain: false });
      expect(r.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false });
      expect(r.cipherSuites['TLSv1.2']).toEqual(names(TLS12));
      expect(r.cipherSuites['TLSv1.1']).toEqual(names(TLS10));
      expect(r.cipherSuites['TLSv1.0']).toEqual(names(TLS10));
      expect(r.serverPreference).toBe(true);
      expect(r.serverPreferenceByVersion).toMatchObject({ 'TLSv1.2': true, 'TLSv1.1': true, 'TLSv1.0': true });
      expect(r.fallbackScsv).toBe('protected');
      // (the server may see one more for a moment: it notices a close after we opened the next)
      expect(o.maxHeld()).toBeLessThanOrEqual(connections);
      // the server may accept the last connection (opened ahead, then closed) a moment after we return
      await new Promise((res) => setTimeout(res, 50));
      expect(r.connections).toBe(stats.connections);
      // no TLS 1.2-only suite below TLS 1.2, no TLS 1.3 suite below TLS 1.3
      for (const h of stats.hellos) {
        if (h.version < 0x0303) expect(h.suites.filter((s) => suiteByCode(s)?.tls12Only)).toEqual([]);
        if (h.version < 0x0304) expect(h.suites.filter((s) => suiteByCode(s)?.tls13Only)).toEqual([]);
      }
    });
  }

  it('reports a client-preference server by code and does not spend an ordering pass', async () => {
    const { port } = await startSim({ versions: { 0x0303: TLS12 }, serverPreference: false });
    const r = await probeTls(open(port), { timeoutMs: 3000, connections: 4, backoffMs: 10, nodeTlsChain: false });
    expect(r.cipherSuites['TLSv1.2']).toEqual(names([...TLS12].sort((a, b) => a - b)));
    expect(r.serverPreference).toBe(false);
    expect(r.protocols['TLSv1.1']).toBe(false);
    // accepted (5) + terminal per lane (≤ 2) + preference (1) + one each for SSLv2 (+1 retry after a
    // silent close), SSLv3, 1.0, 1.1, 1.3, compression, curves
    expect(r.handshakes).toBeLessThanOrEqual(5 + 2 + 1 + 8);
  });

  it('keeps the order when long lists are split into chunks (maxSuitesPerHello)', async () => {
    const { port } = await startSim({ versions: { 0x0303: TLS12, 0x0301: TLS10 }, serverPreference: true });
    const r = await probeTls(open(port), { timeoutMs: 3000, connections: 3, backoffMs: 10, nodeTlsChain: false, maxSuitesPerHello: 40 });
    expect(r.cipherSuites['TLSv1.2']).toEqual(names(TLS12));
    expect(r.cipherSuites['TLSv1.0']).toEqual(names(TLS10));
    expect(r.serverPreference).toBe(true);
  });

  it('enumerates TLS 1.3 with TLS 1.3 suites only', async () => {
    const { port, stats } = await startSim({ versions: { 0x0304: [0x1302, 0x1301], 0x0303: [0xc02f] }, serverPreference: true });
    const r = await probeTls(open(port), { timeoutMs: 3000, connections: 4, backoffMs: 10, nodeTlsChain: false });
    expect(r.cipherSuites['TLSv1.3']).toEqual(names([0x1302, 0x1301]));
    expect(r.cipherSuites['TLSv1.2']).toEqual(names([0xc02f]));
    for (const h of stats.hellos) if (h.version === 0x0304) expect(h.suites.every((s) => suiteByCode(s)?.tls13Only)).toBe(true);
  });

  it('a version that draws no answer is undecided (null), never "refused"; one refused by an alert is false', async () => {
    const cfg: SimConfig = { versions: { 0x0303: [0xc02f] }, serverPreference: true };
    const stats = newStats();
    // TLS 1.0 hellos are read and never answered (a middlebox that swallows them); the rest as usual
    const srv = simServer(stats, (sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 11 && buf[0] === 22 && buf.readUInt16BE(9) === 0x0301) return;
        const r = answer(buf, cfg, stats);
        if (r === 'close') sock.destroy();
        else if (r) sock.end(r);
      });
    });
    servers.push(srv);
    const port = await listen(srv);
    const r = await probeTls(open(port), { timeoutMs: 400, connections: 4, backoffMs: 10, nodeTlsChain: false });
    expect(r.protocols['TLSv1.2']).toBe(true);
    expect(r.protocols['TLSv1.0']).toBeNull();
    expect(r.protocols['TLSv1.1']).toBe(false);
    expect(r.protocols.SSLv3).toBe(false);
    expect(r.errors.some((e) => e.startsWith('TLSv1.0:'))).toBe(true);
  });
});
