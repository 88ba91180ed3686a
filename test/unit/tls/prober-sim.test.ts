// The prober's enumeration strategy against a simulated hello-level server on loopback (no
// OpenSSL): server-preference order recovered exactly, client preference reported by code,
// versions refused, no TLS 1.2-only suite offered below TLS 1.2, and the connection cap held
// although transports are opened ahead of need.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { probeTls, type OpenTransport } from '../../../src/tls/prober.js';
import { suiteByCode, suiteName } from '../../../src/tls/registry.js';

interface SimConfig {
  /** accepted suites per version (0x0301 … 0x0304), in the server's order */
  versions: Record<number, number[]>;
  serverPreference: boolean;
}

interface SimStats {
  maxConcurrent: number;
  connections: number;
  hellos: { version: number; suites: number[] }[];
}

function parseClientHello(buf: Buffer): { version: number; suites: number[]; scsvFallback: boolean } | null {
  if (buf.length < 5 || buf[0] !== 22) return null;
  const recLen = buf.readUInt16BE(3);
  if (buf.length < 5 + recLen) return null;
  let o = 5 + 4; // record header + handshake header
  let version = buf.readUInt16BE(o);
  o += 2 + 32;
  o += 1 + buf[o]!;
  const suitesLen = buf.readUInt16BE(o);
  o += 2;
  const suites: number[] = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(buf.readUInt16BE(o + i));
  o += suitesLen;
  o += 1 + buf[o]!;
  if (o + 2 <= 5 + recLen) {
    const extEnd = o + 2 + buf.readUInt16BE(o);
    o += 2;
    while (o + 4 <= extEnd) {
      const type = buf.readUInt16BE(o);
      const len = buf.readUInt16BE(o + 2);
      if (type === 43) {
        const list: number[] = [];
        for (let i = 1; i < 1 + buf[o + 4]!; i += 2) list.push(buf.readUInt16BE(o + 4 + i));
        version = Math.max(...list);
      }
      o += 4 + len;
    }
  }
  return { version, suites: suites.filter((s) => s !== 0x00ff && s !== 0x5600), scsvFallback: suites.includes(0x5600) };
}

function record(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(0x0303, 1);
  h.writeUInt16BE(body.length, 3);
  return Buffer.concat([h, body]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

function serverHello(version: number, suite: number): Buffer {
  const exts: Buffer[] = [];
  if (version === 0x0304) {
    exts.push(Buffer.from([0, 43, 0, 2, 0x03, 0x04]));
    const ks = Buffer.concat([Buffer.from([0, 51, 0, 36, 0, 29, 0, 32]), Buffer.alloc(32, 7)]);
    exts.push(ks);
  } else exts.push(Buffer.from([0xff, 0x01, 0, 1, 0]));
  const ext = Buffer.concat(exts);
  const extLen = Buffer.alloc(2);
  extLen.writeUInt16BE(ext.length);
  const body = Buffer.concat([
    Buffer.from([version === 0x0304 ? 0x03 : version >> 8, version === 0x0304 ? 0x03 : version & 0xff]),
    Buffer.alloc(32, 1),
    Buffer.from([0]),
    Buffer.from([suite >> 8, suite & 0xff]),
    Buffer.from([0]),
    extLen,
    ext,
  ]);
  const msgs = [handshake(2, body)];
  if (version !== 0x0304) msgs.push(handshake(14, Buffer.alloc(0)));
  return record(22, Buffer.concat(msgs));
}

const alert = (desc: number) => record(21, Buffer.from([2, desc]));

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function startSim(cfg: SimConfig): Promise<{ port: number; stats: SimStats }> {
  const stats: SimStats = { maxConcurrent: 0, connections: 0, hellos: [] };
  let active = 0;
  const maxVersion = Math.max(...Object.keys(cfg.versions).map(Number));
  const srv = net.createServer((sock) => {
    active++;
    stats.connections++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, active);
    sock.on('close', () => active--);
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf[0]! & 0x80) return sock.destroy(); // SSLv2: hang up
      const ch = parseClientHello(buf);
      if (!ch) return;
      stats.hellos.push({ version: ch.version, suites: ch.suites });
      const accepted = cfg.versions[ch.version];
      if (!accepted) return sock.end(alert(70));
      if (ch.scsvFallback && ch.version < maxVersion) return sock.end(alert(86));
      const pick = cfg.serverPreference ? accepted.find((s) => ch.suites.includes(s)) : ch.suites.find((s) => accepted.includes(s));
      if (pick === undefined) return sock.end(alert(40));
      sock.end(serverHello(ch.version, pick));
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, stats };
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
});
