// Whole `xferscan scan` runs against scripted explicit-FTPS servers (test/helpers/scripted-ftps.ts)
// that have the flaws no real lab server has: each TLS-VULN check must fail there, with the
// evidence that decided it, and the derived ones must say they are derived. The real lab servers
// are the other half (tls-depth-lab.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import type { EndpointReport, Finding } from '../../src/model.js';
import { scanJson } from '../helpers/cli.js';
import { flawShim, legacyTls, startScriptedFtps, type ScriptedServer, type ShimStats } from '../helpers/scripted-ftps.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
});

const find = (ep: EndpointReport, id: string): Finding => {
  const f = ep.findings.find((x) => x.id === id);
  if (!f) throw new Error(`${id} missing`);
  return f;
};
const ARGS = ['--no-progress', '--timeout', '4000'];

async function server(onTls: Parameters<typeof startScriptedFtps>[0]): Promise<ScriptedServer> {
  const s = await startScriptedFtps(onTls);
  closers.push(() => s.close());
  return s;
}

/** A 512-bit prime (LOGJAM's export-grade DH). */
const weakPrime = crypto.generatePrimeSync(512, { bigint: false }) as ArrayBuffer;

describe('TLS-VULN checks fail on scripted servers that have the flaw', () => {
  let legacy: ScriptedServer;
  let modernSameKey: ScriptedServer;
  let shimA: ScriptedServer;
  let shimAStats: () => ShimStats = () => ({ heartbeats: 0, earlyCcs: 0, rsaKeyExchanges: 0 });
  let shimB: ScriptedServer;
  beforeAll(async () => {
    legacy = await server(
      legacyTls({
        versions: {
          0x0300: [0x002f, 0x0005],
          0x0301: [0x002f, 0x000a, 0x0003, 0x0014],
          0x0303: [0x009c, 0x002f],
        },
        compression: true,
        sslv2: [0x010080, 0x0700c0],
        dhPrime: Buffer.from(weakPrime),
      }),
    );
    modernSameKey = await server(legacyTls({ versions: { 0x0303: [0x009c] } }));
    const a = await flawShim(['heartbleed', 'ccs-injection', 'robot', 'ticketbleed']);
    closers.push(() => a.close());
    shimA = await server(a.onTls);
    shimAStats = () => ({ ...a.stats });
    const b = await flawShim(['no-downgrade-sentinel', 'no-rfc5746']);
    closers.push(() => b.close());
    shimB = await server(b.onTls);
  });

  it('derived: POODLE, SWEET32, FREAK, LOGJAM, RC4, CRIME, DROWN fail, BEAST and LUCKY13 warn — each says it is derived', async () => {
    const { report } = await scanJson([`ftpes://127.0.0.1:${legacy.port}`, `ftpes://127.0.0.1:${modernSameKey.port}`, ...ARGS]);
    const [ep, other] = report.endpoints as [EndpointReport, EndpointReport];
    expect(ep.tls?.protocols).toMatchObject({ SSLv2: true, SSLv3: true, 'TLSv1.0': true });
    for (const id of ['POODLE', 'SWEET32', 'FREAK', 'LOGJAM', 'RC4', 'CRIME', 'DROWN']) {
      const f = find(ep, `TLS-VULN-${id}`);
      expect([id, f.status], f.detail).toEqual([id, 'fail']);
      expect(f.detail).toMatch(/: vulnerable — .*derived from the offered suites/);
      expect(f.evidence.length).toBeGreaterThan(0);
    }
    for (const id of ['BEAST', 'LUCKY13']) {
      const f = find(ep, `TLS-VULN-${id}`);
      expect([id, f.status]).toEqual([id, 'warn']);
      expect(f.detail).toMatch(/potentially vulnerable — .*derived from the offered suites/);
    }
    expect(find(ep, 'TLS-VULN-SWEET32').evidence.map((e) => e.value)).toContain('TLS_RSA_WITH_3DES_EDE_CBC_SHA (TLSv1.0)');
    expect(find(ep, 'TLS-VULN-LOGJAM').detail).toMatch(/export DH suites/);
    expect(find(ep, 'TLS-VULN-CRIME').detail).toMatch(/DEFLATE/);
    expect(ep.tls!.vulnerabilities!.derived.every((r) => r.derived && r.connections === 0)).toBe(true);
    // the other endpoint offers no SSLv2, but its key is served with SSLv2 on the first one
    const drown = find(other, 'TLS-VULN-DROWN');
    expect(drown.status).toBe('fail');
    expect(drown.detail).toContain(`served with SSLv2 on 127.0.0.1:${legacy.port}`);
    expect(other.tls!.vulnerabilities!.comparedEndpoints).toBe(1);
    for (const id of ['POODLE', 'BEAST', 'LUCKY13', 'SWEET32', 'FREAK', 'LOGJAM', 'RC4', 'CRIME'])
      expect([id, find(other, `TLS-VULN-${id}`).status]).toEqual([id, 'pass']);
  }, 120_000);

  it('active: Heartbleed, CCS injection, ROBOT, Ticketbleed and client renegotiation fail, with their evidence', async () => {
    const { report, result } = await scanJson([`ftpes://127.0.0.1:${shimA.port}`, ...ARGS]);
    const ep = report.endpoints[0]!;
    for (const id of ['HEARTBLEED', 'CCS-INJECTION', 'ROBOT', 'TICKETBLEED', 'RENEG-CLIENT']) {
      const f = find(ep, `TLS-VULN-${id}`);
      expect([id, f.status], f.detail).toEqual([id, 'fail']);
      expect(f.detail).not.toMatch(/derived/);
    }
    expect(
      find(ep, 'TLS-VULN-HEARTBLEED')
        .evidence.map((e) => e.value)
        .join(' '),
    ).toMatch(/read 48 bytes past our message/);
    expect(
      find(ep, 'TLS-VULN-CCS-INJECTION')
        .evidence.map((e) => e.value)
        .join(' '),
    ).toMatch(/bad_record_mac/);
    expect(find(ep, 'TLS-VULN-ROBOT').evidence.find((e) => e.label === 'oracle')?.value).toBe('strong');
    expect(find(ep, 'TLS-VULN-TICKETBLEED').detail).toMatch(/32-byte session ID/);
    // the over-read bytes (0x41 'A') are nowhere in the report
    expect(result.stdout).not.toMatch(/AAAAAAAAAAAAAAAA/);
    // the rest of the scan went on: the server still answered the FTP probes
    expect(ep.service).toBe('ftps-explicit');
  }, 120_000);

  it('active: no downgrade sentinel and no RFC 5746 fail', async () => {
    const { report } = await scanJson([`ftpes://127.0.0.1:${shimB.port}`, ...ARGS]);
    const ep = report.endpoints[0]!;
    expect(find(ep, 'TLS-VULN-DOWNGRADE')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/sentinel|DOWNGRD/) });
    expect(find(ep, 'TLS-VULN-RENEG-INSECURE')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no renegotiation_info/) });
  }, 120_000);

  it('--no-intrusive: Heartbleed, CCS injection and ROBOT are skipped and none of their records reach the server', async () => {
    const before = { ...shimAStats() };
    const { report } = await scanJson([`ftpes://127.0.0.1:${shimA.port}`, ...ARGS, '--no-intrusive']);
    const ep = report.endpoints[0]!;
    expect(report.options?.intrusive).toBe(false);
    for (const id of ['HEARTBLEED', 'CCS-INJECTION', 'ROBOT'])
      expect(find(ep, `TLS-VULN-${id}`)).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/--no-intrusive/) });
    expect(find(ep, 'TLS-VULN-TICKETBLEED').status).toBe('fail');
    expect(shimAStats()).toEqual(before);
  }, 120_000);
});
