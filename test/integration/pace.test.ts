// The whole-scan pace (endpoint.pace, src/derive/pace.ts) against real servers behind
// bench/relay.mjs, which adds 10 ms each way and counts the connections it relays on its own: the
// connections the report says the probes made are the relay's count less detection's, the round
// trip measured is the relay's, and the lower bound is below the time the scan took.
import { afterAll, describe, expect, it } from 'vitest';
import type { EndpointReport } from '../../src/model.js';
import { scanJson } from '../helpers/cli.js';
import { labEndpoint, loadLabEndpoints } from '../lab/endpoints.js';
import { startRelay, type Relay } from '../../bench/relay.mjs';

const LAB = (() => {
  try {
    return process.env.XFERSCAN_LAB !== 'off' && loadLabEndpoints().length > 0;
  } catch {
    return false;
  }
})();
const ONE_WAY_MS = 10;
const relays: Relay[] = [];
afterAll(async () => {
  for (const r of relays) await r.close();
});

async function throughRelay(name: string): Promise<{ ep: EndpointReport; relayed: number }> {
  const relay = await startRelay({ target: labEndpoint(name).port, delayMs: ONE_WAY_MS });
  relays.push(relay);
  const { report } = await scanJson([`127.0.0.1:${relay.port}`], { timeoutMs: 120_000 });
  return { ep: report.endpoints[0]!, relayed: relay.stats().connections };
}

describe.skipIf(!LAB)('endpoint.pace through a 20 ms round-trip relay', () => {
  it.each([
    // detection: the main connection, AUTH SSL on one of its own and (a WAN's round trip) the
    // trial of a ClientHello sent with AUTH TLS
    ['vsftpd-explicit', 'ftps-explicit', 3],
    // detection's connection is handed over to the SSH audit
    ['sshd-modern', 'sftp', 1],
  ] as const)(
    '%s: connections as the relay counted them, its round trip, a bound below the time taken',
    async (name, service, detection) => {
      const { ep, relayed } = await throughRelay(name);
      expect(ep.service).toBe(service);
      const pace = ep.pace!;
      expect(pace, 'pace reported').toBeDefined();
      // data connections go to the passive ports, not through the relay, and are not counted either
      expect(pace.connections + detection).toBe(relayed);
      expect(pace.connectionCap).toBe(4);
      expect(pace.rttMs!).toBeGreaterThanOrEqual(2 * ONE_WAY_MS);
      expect(pace.rttMs!).toBeLessThan(2 * ONE_WAY_MS + 30);
      expect(pace.roundTrips).toBeGreaterThanOrEqual(2 * pace.connections);
      expect(pace.lowerBoundRtts).toBe(2 + Math.max(Math.ceil(pace.roundTrips / 4), pace.chainRtts));
      expect(pace.lowerBoundMs!).toBeLessThanOrEqual(pace.elapsedMs);
      if (service === 'sftp') expect(pace.greetingMs).toBeUndefined();
      else {
        // detection's connection and the FTP sessions' (anonymous, login policy, main); a greeting
        // crosses the relay at least once
        expect(pace.greetingMs!.samples).toBeGreaterThanOrEqual(3);
        expect(pace.greetingMs!.median).toBeGreaterThanOrEqual(ONE_WAY_MS);
        expect(pace.greetingMs!.max).toBeGreaterThanOrEqual(pace.greetingMs!.median);
      }
    },
    130_000,
  );
});
