// Whether an explicit-FTPS server reads a ClientHello sent together with AUTH TLS decides a round
// trip per TLS connection on a WAN. Detection tries it once (probes/detect.ts, only when a reply
// took a WAN's time) and the TLS probes plan on it. The truth comes from Python's ssl module
// (test/oracle/hello_with_auth.py: its own hello, sent with AUTH TLS straight to the server), on
// four implementations: vsftpd reads it; Pure-FTPd, ProFTPD and pyftpdlib drop it. Through
// bench/relay.mjs (10 ms each way) the scan must agree with the oracle, plan accordingly, and find
// the same TLS facts as a scan without the relay (where nothing is tried).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EndpointReport } from '../../src/model.js';
import { ROOT, scanJson } from '../helpers/cli.js';
import { runOracle } from '../helpers/oracle.js';
import { labEndpoint, labHas } from '../lab/endpoints.js';
import { startRelay, type Relay } from '../../bench/relay.mjs';

const NAMES = ['vsftpd-explicit', 'pureftpd-tls', 'proftpd-tls', 'pyftpd-tls'] as const;
const LAB = labHas(...NAMES);
const relays: Relay[] = [];
afterAll(async () => {
  for (const r of relays) await r.close();
});

async function scan(port: number): Promise<EndpointReport> {
  const { report } = await scanJson([`127.0.0.1:${port}`], { timeoutMs: 120_000 });
  return report.endpoints[0]!;
}

const tlsFacts = (ep: EndpointReport) => ({
  protocols: ep.tls?.protocols,
  cipherSuites: ep.tls?.cipherSuites,
  vulnerabilities: ep.tls?.vulnerabilities?.active.map((v) => `${v.id}=${v.status}`).sort(),
});

const trialNote = (ep: EndpointReport) => (ep.transcript ?? []).find((l) => l.conn.startsWith('hello-pipelining'))?.text ?? null;

describe.skipIf(!LAB)('a ClientHello sent with AUTH TLS: detection against Python ssl', () => {
  it.each(NAMES)(
    '%s: the scan through a 20 ms round-trip relay agrees with the oracle and finds what a direct scan finds',
    async (name) => {
      const port = labEndpoint(name).port;
      const oracle = await runOracle('python3', [path.join(ROOT, 'test/oracle/hello_with_auth.py'), String(port)], { timeoutMs: 15_000 });
      expect(oracle.stdout.trim(), oracle.out).toMatch(/^(reads|drops)$/);
      const reads = oracle.stdout.trim() === 'reads';

      const relay = await startRelay({ target: port, delayMs: 10 });
      relays.push(relay);
      const wan = await scan(relay.port);
      expect(trialNote(wan), 'detection tried it').toMatch(reads ? /the server reads it$/ : /the server drops it$/);
      expect(wan.tls?.probe?.plan?.preamble).toBe(reads ? 'hello' : 'auth');

      const direct = await scan(port);
      // on loopback there is no round trip to save: nothing is tried
      expect(trialNote(direct)).toBeNull();
      expect(tlsFacts(wan)).toEqual(tlsFacts(direct));
    },
    180_000,
  );

  it('the oracle tells the implementations apart (vsftpd reads, Pure-FTPd drops)', async () => {
    const said = async (name: string) =>
      (await runOracle('python3', [path.join(ROOT, 'test/oracle/hello_with_auth.py'), String(labEndpoint(name).port)])).stdout.trim();
    expect(await said('vsftpd-explicit')).toBe('reads');
    expect(await said('pureftpd-tls')).toBe('drops');
  });
});
