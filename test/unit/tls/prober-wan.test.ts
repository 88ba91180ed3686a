// The prober's round-trip-aware plan against simulated explicit-FTPS servers (test/helpers/tls-sim):
// with `transport: { dial, starttls }` it pipelines AUTH TLS with the connect, and the hello too
// where the server is seen to read it; it falls back where a server drops what came early; it
// learns a per-IP limit from 421s; the results are those of the ordinary opener; and it reports
// the round-trip time and the plan's lower bound (checked through bench/relay.mjs).
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { probeTls, type TlsProbeOptions, type TlsProbeResult } from '../../../src/tls/prober.js';
import { ftpsSim, listen, newStats, type FtpsSimOptions, type SimConfig } from '../../helpers/tls-sim.js';
import { startRelay } from '../../../bench/relay.mjs';
import { trialHelloPipelining } from '../../../src/tls/transport.js';
import { legacyHello } from '../../../src/tls/vuln/conn.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const CFG: SimConfig = { versions: { 0x0303: [0xc030, 0x009d, 0xc02f, 0x0035, 0x002f], 0x0304: [0x1302, 0x1301] }, serverPreference: true };

async function sim(o: FtpsSimOptions, cfg = CFG) {
  const stats = newStats();
  const srv = ftpsSim(cfg, o, stats);
  const port = await listen(srv);
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return { port, stats };
}

function dialer(port: number): () => Promise<net.Socket> {
  return () =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
}

/** The ordinary opener (what probes/tls.ts does today): greeting, AUTH TLS, 234, hand over. */
function callerOpen(port: number): () => Promise<net.Socket> {
  const dial = dialer(port);
  return async () => {
    const s = await dial();
    let buf = '';
    const line = () =>
      new Promise<string>((res, rej) => {
        const on = (d: Buffer) => {
          buf += d.toString('latin1');
          const i = buf.indexOf('\n');
          if (i < 0) return;
          const l = buf.slice(0, i);
          buf = buf.slice(i + 1);
          s.off('data', on);
          s.pause();
          res(l);
        };
        s.on('data', on);
        s.once('close', () => rej(Object.assign(new Error('closed'), { code: 'closed' })));
        s.resume();
      });
    const g = await line();
    if (g.startsWith('421')) throw Object.assign(new Error(g), { code: 'refused-by-server' });
    s.write('AUTH TLS\r\n');
    const a = await line();
    if (!a.startsWith('234')) throw Object.assign(new Error(a), { code: 'protocol-error' });
    return s;
  };
}

function probe(port: number, extra: Partial<TlsProbeOptions> = {}): Promise<TlsProbeResult> {
  return probeTls(callerOpen(port), {
    timeoutMs: 3000,
    connections: 4,
    backoffMs: 10,
    nodeTlsChain: false,
    transport: { dial: dialer(port), starttls: { protocol: 'ftp', command: 'AUTH TLS' } },
    ...extra,
  });
}

const facts = (r: TlsProbeResult) => ({
  protocols: r.protocols,
  cipherSuites: r.cipherSuites,
  pref: r.serverPreferenceByVersion,
  fallback: r.fallbackScsv,
});

describe('prober: pipelined explicit-FTPS preamble (simulated servers)', () => {
  // (pipelining is tried where round trips cost something: through a relay with 5 ms each way)
  async function behindRelay(port: number): Promise<number> {
    const relay = await startRelay({ target: port, delayMs: 5 });
    cleanup.push(() => relay.close());
    return relay.port;
  }

  it('sends the hello with AUTH TLS where the server reads it, with the same results as the ordinary opener', async () => {
    const { port } = await sim({ readsPipelinedHello: true });
    const ordinary = await probe(port, { transport: undefined });
    const r = await probe(await behindRelay(port));
    expect(facts(r)).toEqual(facts(ordinary));
    expect(r.plan.preamble).toBe('hello');
    expect(r.plan.rttsPerHandshake).toBe(2);
    expect(ordinary.plan.preamble).toBe('caller');
  });

  it('keeps the hello for after the 234 where the server drops what came with AUTH TLS', async () => {
    const { port } = await sim({ readsPipelinedHello: false });
    const ordinary = await probe(port, { transport: undefined });
    const t0 = performance.now();
    const r = await probe(await behindRelay(port));
    expect(facts(r)).toEqual(facts(ordinary));
    expect(r.plan.preamble).toBe('auth');
    expect(r.plan.rttsPerHandshake).toBe(3);
    // the failed trial costs one short wait, not a timeout
    expect(performance.now() - t0).toBeLessThan(2500);
  });

  it('waits for the greeting where the server throws away commands sent before it', async () => {
    const { port } = await sim({ readsPipelinedHello: false, losesEarlyCommands: true });
    const r = await probe(port);
    expect(r.cipherSuites['TLSv1.2']?.length).toBe(5);
    expect(r.plan.preamble).toBe('wait');
    expect(r.errors.join(' ')).toMatch(/no longer pipelined/);
  }, 20_000);

  it('learns a per-IP limit from 421s, respects it and still finds everything', async () => {
    const { port, stats } = await sim({ readsPipelinedHello: false, perIpLimit: 2 });
    const r = await probe(port, { connections: 6 });
    expect(stats.refused).toBeGreaterThan(0);
    expect(r.limited).toBe(true);
    expect(r.perIpLimit).not.toBeNull();
    expect(r.perIpLimit!).toBeLessThanOrEqual(5);
    expect(r.cipherSuites['TLSv1.2']).toHaveLength(5);
    expect(r.cipherSuites['TLSv1.3']).toHaveLength(2);
  });

  it('takes a close before the greeting for a limit too', async () => {
    const { port, stats } = await sim({ readsPipelinedHello: false, perIpLimit: 2, refuseBy: 'close' });
    const r = await probe(port, { connections: 6 });
    expect(stats.refused).toBeGreaterThan(0);
    expect(r.limited).toBe(true);
    expect(r.cipherSuites['TLSv1.2']).toHaveLength(5);
    expect(r.cipherSuites['TLSv1.3']).toHaveLength(2);
  });
});

describe("detection's trial of a hello sent with AUTH TLS (trialHelloPipelining) and the prober's use of it", () => {
  async function trial(o: FtpsSimOptions) {
    const { port } = await sim(o);
    const socket = await dialer(port)();
    const t0 = performance.now();
    const r = await trialHelloPipelining(socket, 'AUTH TLS', legacyHello(0x0303, undefined), 3000, 100);
    return { ...r, ms: performance.now() - t0, destroyed: socket.destroyed };
  }

  it('yes where the server reads it, no after a short silence where it drops it, undecided where AUTH goes unanswered', async () => {
    const reads = await trial({ readsPipelinedHello: true });
    expect(reads).toMatchObject({ pipelining: true, destroyed: true });
    const drops = await trial({ readsPipelinedHello: false });
    expect(drops).toMatchObject({ pipelining: false, destroyed: true });
    expect(drops.detail).toMatch(/no TLS answer within 100 ms/);
    expect(drops.ms).toBeLessThan(1000);
    const loses = await trial({ readsPipelinedHello: false, losesEarlyCommands: true });
    expect(loses).toMatchObject({ pipelining: null, destroyed: true });
  }, 10_000);

  it('undecided, without an error escaping, where the server resets the connection after its 234', async () => {
    const srv = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.write('220 ready\r\n');
      sock.once('data', () => {
        sock.write('234 go ahead\r\n');
        setTimeout(() => sock.resetAndDestroy(), 20);
      });
    });
    const port = await listen(srv);
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    const r = await trialHelloPipelining(await dialer(port)(), 'AUTH TLS', legacyHello(0x0303, undefined), 3000, 500);
    expect(r.pipelining).toBeNull();
    expect(r.detail).toBe('closed after the 234');
  });

  it('the prober takes the answer as given: no trial of its own, the same results', async () => {
    const { port, stats } = await sim({ readsPipelinedHello: true });
    const ordinary = await probe(port, { transport: undefined });
    const before = stats.connections;
    const told = await probe(port, { known: { rttMs: 10, helloPipelining: true } });
    expect(facts(told)).toEqual(facts(ordinary));
    expect(told.plan.preamble).toBe('hello');
    // every connection carried a hello that counted: none was spent on a trial
    expect(stats.connections - before).toBe(told.handshakes);
    // told "drops", it keeps the hello for after the 234 although this server would read it
    const no = await probe(port, { known: { rttMs: 10, helloPipelining: false } });
    expect(no.plan.preamble).toBe('auth');
    expect(facts(no)).toEqual(facts(ordinary));
  });
});

describe('prober: round-trip time and lower bound', () => {
  it('measures the round trip through a 20 ms (each way) relay and reports a lower bound below its own time', async () => {
    const { port } = await sim({ readsPipelinedHello: true });
    const relay = await startRelay({ target: port, delayMs: 20 });
    cleanup.push(() => relay.close());
    const t0 = performance.now();
    const r = await probe(relay.port, { connections: 6 });
    const ms = performance.now() - t0;
    expect(r.rttMs).not.toBeNull();
    expect(r.rttMs!).toBeGreaterThanOrEqual(38);
    expect(r.rttMs!).toBeLessThan(200);
    expect(r.lowerBoundMs).not.toBeNull();
    expect(r.lowerBoundMs!).toBeLessThanOrEqual(ms);
    expect(r.lowerBoundMs!).toBeGreaterThanOrEqual(r.plan.depth * r.rttMs!);
    expect(r.ms).toBe(r.durationMs);
    // the relay saw every hello the prober counted
    await new Promise((res) => setTimeout(res, 150));
    expect(relay.stats().handshakes).toBe(r.handshakes);
  }, 20_000);
});
