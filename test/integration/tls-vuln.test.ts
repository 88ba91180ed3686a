// The vulnerability battery against the real lab TLS servers (vsftpd explicit/implicit/lax,
// ProFTPD, Pure-FTPd): every active test must come out not vulnerable or not applicable — never
// inconclusive — with its evidence. Client-initiated renegotiation is also checked against
// `openssl s_server` with and without -client_renegotiation (a real server that allows it), and
// the server's own log is the oracle that the renegotiation really happened. Prints the battery's
// cost next to the hello-level inventory's, per endpoint (no timing is asserted here).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTls } from '../../src/tls/prober.js';
import { runVulnBattery, testClientRenegotiation, deriveVulns } from '../../src/tls/vuln/index.js';
import { ftpesOpen, listening, tcpOpen } from '../helpers/ftps-open.js';
import { freePort, waitListening } from '../helpers/fixtures.js';

const LAB = [
  { name: 'vsftpd-explicit', port: 21021, implicit: false },
  { name: 'vsftpd-implicit', port: 21990, implicit: true },
  { name: 'vsftpd-lax', port: 21025, implicit: false },
  { name: 'proftpd-tls', port: 21023, implicit: false },
  { name: 'pureftpd-tls', port: 21024, implicit: false },
];

const costs: string[] = [];
afterAll(() => {
  if (costs.length) console.log(`TLS vulnerability battery on the lab (loopback):\n  ${costs.join('\n  ')}`);
});

describe('vulnerability battery on the lab TLS servers', () => {
  for (const ep of LAB) {
    it(`${ep.name}: nothing vulnerable, nothing inconclusive`, async (ctx) => {
      if (!(await listening(ep.port))) return ctx.skip();
      const open = ep.implicit ? tcpOpen(ep.port) : ftpesOpen(ep.port);
      const t0 = performance.now();
      const inv = await probeTls(open, { timeoutMs: 8000, serverName: 'localhost', connections: 4 });
      const invMs = Math.round(performance.now() - t0);
      const b = await runVulnBattery(open, { timeoutMs: 8000, serverName: 'localhost', connections: 4, inventory: inv });
      const bare = await runVulnBattery(open, {
        timeoutMs: 8000,
        serverName: 'localhost',
        connections: 4,
        intrusive: false,
        inventory: inv,
      });
      costs.push(
        `${ep.name}: inventory ${inv.connections} conns ${invMs} ms; battery ${b.connections} conns ${b.ms} ms (+${Math.round((100 * b.ms) / invMs)}% of the inventory); --no-intrusive ${bare.connections} conns ${bare.ms} ms`,
      );
      for (const [id, r] of Object.entries(b.results)) {
        expect([id, r.status, r.evidence.length > 0], r.evidence.join(' | ')).toEqual([
          id,
          expect.stringMatching(/^(not-vulnerable|not-applicable)$/),
          true,
        ]);
      }
      expect(Object.keys(b.results).sort()).toEqual(
        [
          'ccs-injection',
          'client-renegotiation',
          'downgrade-sentinel',
          'heartbleed',
          'robot',
          'secure-renegotiation',
          'ticketbleed',
        ].sort(),
      );
      expect(b.results.heartbleed!.status).toBe('not-vulnerable');
      expect(b.results['ccs-injection']!.status).toBe('not-vulnerable');
      expect(b.results['secure-renegotiation']!.status).toBe('not-vulnerable');
      expect(b.results['client-renegotiation']!.status).toBe('not-vulnerable');
      // the TLS 1.3 servers mark TLS 1.2 with DOWNGRD\x01; ProFTPD (TLS ≤ 1.2 here) is not applicable
      expect(b.results['downgrade-sentinel']!.status).toBe(inv.protocols['TLSv1.3'] ? 'not-vulnerable' : 'not-applicable');
      // ROBOT applies wherever an RSA key-exchange suite is offered (vsftpd-lax offers none)
      expect(b.results.robot!.status).toBe(ep.name === 'vsftpd-lax' ? 'not-applicable' : 'not-vulnerable');
      expect(Object.keys(bare.results).sort()).toEqual([
        'client-renegotiation',
        'downgrade-sentinel',
        'secure-renegotiation',
        'ticketbleed',
      ]);
      // the derived ones on the same inventory: Debian's OpenSSL offers none of the old suites
      const d = deriveVulns({ ...inv, dhGroups: b.handshake.dhGroup ? [b.handshake.dhGroup] : null });
      for (const id of ['poodle', 'sweet32', 'freak', 'drown', 'rc4', 'crime'] as const)
        expect([id, d[id].status]).toEqual([id, 'not-vulnerable']);
      // the server survived it all: it still greets (and takes AUTH TLS)
      const after = await open();
      after.destroy();
    }, 120_000);
  }
});

// ---- client-initiated renegotiation: a real OpenSSL server that allows it -------------------

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('client-initiated renegotiation vs openssl s_server', () => {
  let dir = '';
  const procs: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xfs-reneg-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'k.pem'),
        '-out',
        path.join(dir, 'c.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
      ],
      {
        stdio: 'ignore',
      },
    );
  });
  afterAll(() => {
    for (const p of procs) p.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function sServer(args: string[]): Promise<{ port: number; log: () => string }> {
    const port = await freePort();
    let out = '';
    const p = spawn(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-cert',
        path.join(dir, 'c.pem'),
        '-key',
        path.join(dir, 'k.pem'),
        '-tls1_2',
        '-state',
        ...args,
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    procs.push(p);
    if (!(await waitListening(port))) throw new Error('s_server did not come up');
    return { port, log: () => out };
  }

  it('-client_renegotiation: vulnerable (secure RFC 5746 renegotiation, accepted); s_server logs the second handshake', async () => {
    const s = await sServer(['-client_renegotiation']);
    const r = await testClientRenegotiation(tcpOpen(s.port), { timeoutMs: 5000, rfc5746: true });
    expect(r.status).toBe('vulnerable');
    expect(r.outcome).toBe('accepted');
    expect(r.insecure).toBe(false);
    expect(r.connections).toBe(1);
    // the oracle: s_server's own state log shows a second handshake finished
    await new Promise((res) => setTimeout(res, 200));
    expect(s.log().match(/SSL_accept:SSLv3\/TLS write finished/g)?.length).toBe(2);
    expect(s.log()).not.toMatch(/alert write:warning:no renegotiation/);
  });

  it('default OpenSSL 3 server: not vulnerable (client-initiated renegotiation refused)', async () => {
    const s = await sServer([]);
    const r = await testClientRenegotiation(tcpOpen(s.port), { timeoutMs: 5000 });
    expect(r.status).toBe('not-vulnerable');
    expect(r.refusal).toMatch(/NO_RENEGOTIATION|no renegotiation/i);
    await new Promise((res) => setTimeout(res, 200));
    expect(s.log()).toMatch(/alert write:warning:no renegotiation/);
    expect(s.log().match(/SSL_accept:SSLv3\/TLS write finished/g)?.length).toBe(1);
  });
});
