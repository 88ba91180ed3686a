// The opener the vulnerability battery gets (probes/tls.ts pipelinedTlsTransport): AUTH TLS goes
// out with the connect, through the endpoint's dialer; a server that throws away commands sent
// before its greeting gets the waiting preamble from then on. Simulated explicit-FTPS servers
// (test/helpers/tls-sim) stand for the behaviours; results must equal the ordinary opener's.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { probeTls, type TlsProbeResult } from '../../../src/tls/prober.js';
import type { ConnectContext } from '../../../src/probe.js';
import { helloWithAuthOpener, pipelinedTlsTransport, tlsCapabilities, tlsTransport } from '../../../probes/tls.js';
import { runVulnBattery } from '../../../src/tls/vuln/index.js';
import { ftpsSim, listen, newStats, type FtpsSimOptions, type SimConfig } from '../../helpers/tls-sim.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const CFG: SimConfig = { versions: { 0x0303: [0xc030, 0x009d, 0xc02f, 0x0035, 0x002f], 0x0304: [0x1302, 0x1301] }, serverPreference: true };

async function sim(o: FtpsSimOptions) {
  const stats = newStats();
  const srv = ftpsSim(CFG, o, stats);
  const port = await listen(srv);
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return { port, stats };
}

/** Just enough of a probe's context: a dialer to 127.0.0.1 that counts its dials. */
function ctxFor(port: number): { ctx: ConnectContext; dials: () => number } {
  let n = 0;
  const dialer = {
    dial: (p: number) =>
      new Promise((resolve) => {
        n++;
        const s = net.connect({ host: '127.0.0.1', port: p }, () =>
          resolve({ state: 'open', socket: s, address: '127.0.0.1', ms: 0, code: null }),
        );
        s.once('error', (e: NodeJS.ErrnoException) =>
          resolve({ state: 'closed', socket: null, address: '127.0.0.1', ms: 0, code: e.code ?? null }),
        );
      }),
  };
  const ctx = {
    target: { host: '127.0.0.1', port },
    address: '127.0.0.1',
    dialer,
    options: { timeoutMs: 3000 },
  } as unknown as ConnectContext;
  return { ctx, dials: () => n };
}

const tlsCapabilitiesFor = (ctx: ConnectContext) => tlsCapabilities(ctx, true, 'AUTH TLS');
const facts = (r: TlsProbeResult) => ({ protocols: r.protocols, cipherSuites: r.cipherSuites, pref: r.serverPreferenceByVersion });
const opts = { timeoutMs: 3000, connections: 4, backoffMs: 10, nodeTlsChain: false };

describe('pipelinedTlsTransport (the battery opener)', () => {
  it('hands over sockets ready for a ClientHello: the same inventory as the waiting opener', async () => {
    const { port } = await sim({ readsPipelinedHello: false });
    const ordinary = await probeTls(tlsTransport(ctxFor(port).ctx, true, 'AUTH TLS'), opts);
    const r = await probeTls(pipelinedTlsTransport(ctxFor(port).ctx, true, 'AUTH TLS'), opts);
    expect(facts(r)).toEqual(facts(ordinary));
    expect(r.errors).toEqual(ordinary.errors);
  });

  it('waits for the greeting from then on where the server throws away commands sent before it', async () => {
    const { port } = await sim({ readsPipelinedHello: false, losesEarlyCommands: true });
    const { ctx, dials } = ctxFor(port);
    const open = pipelinedTlsTransport(ctx, true, 'AUTH TLS');
    const first = await open();
    first.destroy();
    // the pipelined AUTH went unanswered: one more dial, waiting for the greeting
    expect(dials()).toBe(2);
    const second = await open();
    second.destroy();
    expect(dials()).toBe(3);
    const r = await probeTls(open, opts);
    expect(r.cipherSuites['TLSv1.2']?.length).toBe(5);
  }, 20_000);
});

describe('helloWithAuthOpener (the battery on a server said to read a hello sent with AUTH TLS)', () => {
  const only = ['secure-renegotiation', 'downgrade-sentinel'] as const;
  const statuses = (b: Awaited<ReturnType<typeof runVulnBattery>>) =>
    Object.fromEntries(Object.entries(b.results).map(([id, x]) => [id, x.status]));
  const battery = { timeoutMs: 3000, only: [...only], intrusive: false };

  it('sends each hello with AUTH TLS where the server reads it: the verdicts of the ordinary opener', async () => {
    const { port, stats } = await sim({ readsPipelinedHello: true });
    const ordinary = await runVulnBattery(pipelinedTlsTransport(ctxFor(port).ctx, true, 'AUTH TLS'), battery);
    const { ctx } = ctxFor(port);
    const before = stats.connections;
    const piped = await runVulnBattery(pipelinedTlsTransport(ctx, true, 'AUTH TLS'), {
      ...battery,
      openWithHello: helloWithAuthOpener(ctx, 1000),
    });
    expect(statuses(ordinary)['secure-renegotiation']).toBe('not-vulnerable');
    expect(statuses(piped)).toEqual(statuses(ordinary));
    expect(stats.connections - before).toBe(piped.connections);
  });

  it('a server that drops it after all: one short silence, then the hellos wait for the 234, with the same verdicts', async () => {
    const { port } = await sim({ readsPipelinedHello: false });
    const ordinary = await runVulnBattery(pipelinedTlsTransport(ctxFor(port).ctx, true, 'AUTH TLS'), battery);
    const { ctx, dials } = ctxFor(port);
    const t0 = performance.now();
    const piped = await runVulnBattery(pipelinedTlsTransport(ctx, true, 'AUTH TLS'), {
      ...battery,
      openWithHello: helloWithAuthOpener(ctx, 200),
    });
    expect(statuses(piped)).toEqual(statuses(ordinary));
    // no test waited for its timeout (3 s): each connection that carried a dropped hello waited 200 ms
    expect(performance.now() - t0).toBeLessThan(2500);
    expect(dials()).toBeGreaterThan(piped.connections);
  });
});

describe('the prober told the server reads a hello sent with AUTH TLS when it does not', () => {
  it('finds out after one silence, then waits for the 234: the same inventory as the ordinary opener', async () => {
    const { port } = await sim({ readsPipelinedHello: false });
    const ordinary = await probeTls(tlsTransport(ctxFor(port).ctx, true, 'AUTH TLS'), opts);
    const { ctx } = ctxFor(port);
    const t0 = performance.now();
    const told = await probeTls(pipelinedTlsTransport(ctx, true, 'AUTH TLS'), {
      ...opts,
      transport: tlsCapabilitiesFor(ctx),
      known: { rttMs: 10, helloPipelining: true },
    });
    expect(facts(told)).toEqual(facts(ordinary));
    expect(told.plan.preamble).toBe('auth');
    expect(told.errors.join(' ')).toMatch(/went unanswered/);
    expect(performance.now() - t0).toBeLessThan(2900);
  });
});
