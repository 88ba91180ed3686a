// The hello-level prober against real `openssl s_server` instances on loopback, checked against
// a loop of `openssl s_client -cipher X` per suite and version. Then (when the lab is up) against
// the lab's FTPS endpoints through a tiny explicit-FTPS transport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { probeTls, type OpenTransport, type TlsProbeResult } from '../../src/tls/prober.js';
import { scanTls } from '../../src/tls/index.js';
import { suiteByName } from '../../src/knowledge/tls-registry.js';
import { checksOf } from '../../src/checks/registry.js';

const tlsChecks = checksOf('tls');
import { runChecks } from '../../src/checks/engine.js';
import type { EndpointReport } from '../../src/model.js';
import { freePort, waitListening } from '../helpers/fixtures.js';
import { runOracle } from '../helpers/oracle.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

let dir = '';
const servers: ChildProcess[] = [];

async function startServer(args: string[]): Promise<number> {
  const port = await freePort();
  const p = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      path.join(dir, 'cert.pem'),
      '-key',
      path.join(dir, 'key.pem'),
      '-www',
      '-quiet',
      ...args,
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  servers.push(p);
  if (!(await waitListening(port))) throw new Error(`s_server on ${port} did not come up`);
  return port;
}

const tcpOpen =
  (port: number): OpenTransport =>
  () =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });

async function sClient(port: number, versionFlag: string, suiteArgs: string[]): Promise<boolean> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, versionFlag, ...suiteArgs, '-servername', 'localhost'];
  const r = await runOracle('openssl', args, { timeoutMs: 10_000 });
  return r.code === 0 && /Cipher is (?!\(NONE\))/.test(r.stdout);
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) {
        const k = i++;
        out[k] = await fn(items[k]!);
      }
    }),
  );
  return out;
}

/** What OpenSSL's own client can negotiate, one suite at a time (the reference). */
async function referenceSuites(port: number): Promise<Record<string, string[]>> {
  const lines = execFileSync('openssl', ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' }).trim().split('\n');
  const tls13: string[] = [];
  const legacy: string[] = [];
  for (const l of lines) {
    const m = /^\s*0x..,0x.. - (\S+)\s+(\S+)/.exec(l);
    if (!m) continue;
    (m[2] === 'TLSv1.3' ? tls13 : legacy).push(m[1]!);
  }
  const out: Record<string, string[]> = {};
  const versions: [string, string][] = [
    ['TLSv1.2', '-tls1_2'],
    ['TLSv1.1', '-tls1_1'],
    ['TLSv1.0', '-tls1'],
  ];
  for (const [label, flag] of versions) {
    const ok = await pool(legacy, 24, (c) => sClient(port, flag, ['-cipher', `${c}:@SECLEVEL=0`]));
    const names = legacy.filter((_, i) => ok[i]).map((c) => suiteByName(c)?.name ?? c);
    if (names.length) out[label] = names.sort();
  }
  const ok13 = await pool(tls13, 4, (c) => sClient(port, '-tls1_3', ['-ciphersuites', c]));
  const n13 = tls13.filter((_, i) => ok13[i]).map((c) => suiteByName(c)?.name ?? c);
  if (n13.length) out['TLSv1.3'] = n13.sort();
  return out;
}

function sortedSuites(r: TlsProbeResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [v, list] of Object.entries(r.cipherSuites)) if (list?.length && v !== 'SSLv2' && v !== 'SSLv3') out[v] = [...list].sort();
  return out;
}

const measured: string[] = [];

describe.skipIf(!hasOpenssl)('TLS prober vs openssl s_server', () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xfs-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '30',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => {
    for (const p of servers) p.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (measured.length) console.log(`TLS prober timings:\n  ${measured.join('\n  ')}`);
  });

  const configs: { name: string; args: string[]; expect: (r: TlsProbeResult) => void }[] = [
    {
      name: 'TLS 1.2 only, ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA',
      args: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA'],
      expect: (r) => {
        expect(r.protocols).toEqual({ SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false });
        expect([...r.cipherSuites['TLSv1.2']!].sort()).toEqual(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA']);
        expect(r.secureRenegotiation).toBe(true);
        expect(r.extendedMasterSecret).toBe(true);
        expect(r.fallbackScsv).toBe('n/a');
        expect(r.compression).toBe('none');
        expect(r.groups).toContain('secp256r1');
        expect(r.chainDer.length).toBe(1);
      },
    },
    {
      name: 'TLS 1.3 only, two suites',
      args: ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'],
      expect: (r) => {
        expect(r.protocols['TLSv1.3']).toBe(true);
        expect(r.protocols['TLSv1.2']).toBe(false);
        expect([...r.cipherSuites['TLSv1.3']!].sort()).toEqual(['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
        expect(r.groups).toEqual(expect.arrayContaining(['x25519', 'secp256r1']));
        expect(r.chainSource).toBe('node-tls');
        expect(r.chainDer.length).toBe(1);
        expect(r.secureRenegotiation).toBeNull();
      },
    },
    {
      name: '@SECLEVEL=0, TLS 1.0 … 1.3, everything OpenSSL 3 still builds',
      args: ['-cipher', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'],
      expect: (r) => {
        expect(r.protocols['TLSv1.0']).toBe(true);
        expect(r.protocols['TLSv1.2']).toBe(true);
        expect(r.protocols['TLSv1.3']).toBe(true);
        expect(r.cipherSuites['TLSv1.2']!.some((n) => suiteByName(n)?.anon)).toBe(true);
        expect(r.fallbackScsv).toBe('protected');
        expect(r.dhBits).not.toBeNull();
      },
    },
    {
      name: 'server preference, TLS 1.2',
      args: ['-tls1_2', '-serverpref', '-cipher', 'AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=0'],
      expect: (r) => {
        expect(r.serverPreference).toBe(true);
        expect(r.cipherSuites['TLSv1.2']).toEqual([
          'TLS_RSA_WITH_AES_256_CBC_SHA',
          'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
        ]);
      },
    },
  ];

  for (const cfg of configs) {
    it(`matches s_client per suite: ${cfg.name}`, async () => {
      const port = await startServer(cfg.args);
      const t0 = performance.now();
      const r = await probeTls(tcpOpen(port), { timeoutMs: 5000, serverName: 'localhost' });
      const ms = Math.round(performance.now() - t0);
      measured.push(`${cfg.name}: ${r.handshakes} handshakes, ${ms} ms, errors ${JSON.stringify(r.errors)}`);
      cfg.expect(r);
      const ref = await referenceSuites(port);
      expect(sortedSuites(r)).toEqual(ref);
    }, 180_000);
  }

  it('an RSA and an ECDSA certificate side by side: both are reported and judged', async () => {
    // the ECDSA certificate names another host: only it fails the name check
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'ec.key'),
        '-out',
        path.join(dir, 'ec.pem'),
        '-days',
        '30',
        '-subj',
        '/CN=other.test',
        '-addext',
        'subjectAltName=DNS:other.test',
      ],
      { stdio: 'ignore' },
    );
    const port = await startServer(['-tls1_2', '-dcert', path.join(dir, 'ec.pem'), '-dkey', path.join(dir, 'ec.key')]);
    const { facts, probe } = await scanTls(tcpOpen(port), { timeoutMs: 5000, serverName: 'localhost', hostname: 'localhost', caPem: null });
    expect(probe.otherChainsDer).toHaveLength(1);
    const all = [facts.chain[0]!, facts.otherCertificates![0]!.chain[0]!];
    expect(all.map((c) => c.keyType).sort()).toEqual(['EC', 'RSA']);
    expect(facts.cipherSuites['TLSv1.2']!.some((n) => n.includes('ECDSA'))).toBe(true);
    const ep: EndpointReport = {
      host: 'localhost',
      port,
      address: '127.0.0.1',
      state: 'open',
      connectMs: 1,
      service: 'ftps-implicit',
      banner: null,
      tls: facts,
      ssh: null,
      ftp: null,
      findings: [],
      transcript: [],
    };
    const name = runChecks(ep, tlsChecks, {}).find((f) => f.id === 'TLS-CERT-NAME-MISMATCH')!;
    expect(name.status).toBe('fail');
    expect(name.detail).toMatch(/certificate \d of 2 \(EC 256\): the certificate is not valid for localhost/);
    expect(name.detail).toMatch(/certificate \d of 2 \(RSA 2048\): the certificate is valid for localhost/);
    // with one certificate the detail stays as it was
    const single = runChecks({ ...ep, tls: { ...facts, otherCertificates: undefined } }, tlsChecks, {}).find(
      (f) => f.id === 'TLS-CERT-WEAK-KEY',
    )!;
    expect(single.detail).not.toMatch(/of 2/);
  }, 60_000);

  it('scanTls maps onto TlsFacts that the checks read', async () => {
    const port = await startServer(['-cipher', 'ALL:@SECLEVEL=0']);
    const { facts } = await scanTls(tcpOpen(port), { timeoutMs: 5000, serverName: 'localhost', hostname: 'localhost', caPem: null });
    expect(facts.certificate?.subject).toBe('CN=localhost');
    expect(facts.validation?.hostnameMatch).toBe(true);
    expect(facts.validation?.trusted).toBe(false);
    const ep: EndpointReport = {
      host: '127.0.0.1',
      port,
      address: '127.0.0.1',
      state: 'open',
      connectMs: 1,
      service: 'ftps-implicit',
      banner: null,
      tls: facts,
      ssh: null,
      ftp: null,
      findings: [],
      transcript: [],
    };
    const findings = runChecks(ep, tlsChecks, {});
    const byId = Object.fromEntries(findings.map((f) => [f.id, f.status]));
    expect(byId['TLS-PROTO-TLS10']).toBe('fail');
    expect(byId['TLS-CIPHER-ANON']).toBe('fail');
    expect(byId['TLS-CERT-UNTRUSTED']).toBe('fail');
    expect(byId['TLS-CERT-NAME-MISMATCH']).toBe('pass');
    expect(byId['TLS-FALLBACK-SCSV']).toBe('pass');
    expect(findings.every((f) => f.status !== 'error')).toBe(true);
  }, 60_000);
});

// ---- lab FTPS endpoints (only when they are listening) ----------------------------------

function readReply(s: net.Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(Object.assign(new Error(`no FTP reply: ${buf.trim()}`), { code: 'timeout' })), ms);
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const line = buf.split('\r\n').find((l) => /^\d{3} /.test(l));
      if (line) done(null, line);
    };
    const onEnd = () =>
      done(Object.assign(new Error(`closed: ${buf.trim()}`), { code: /^421/m.test(buf) ? 'refused-by-server' : 'closed' }));
    function done(err: Error | null, line?: string) {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onEnd);
      if (err) reject(err);
      else resolve(line!);
    }
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onEnd);
  });
}

/** Explicit FTPS: read the 220 greeting, AUTH TLS, expect 234, hand the socket over. 421 → refused-by-server. */
const ftpsExplicitOpen =
  (port: number): OpenTransport =>
  async () => {
    const s = await tcpOpen(port)();
    try {
      const greet = await readReply(s, 5000);
      if (!greet.startsWith('220'))
        throw Object.assign(new Error(greet), { code: greet.startsWith('421') ? 'refused-by-server' : 'protocol-error' });
      s.write('AUTH TLS\r\n');
      const r = await readReply(s, 5000);
      if (!r.startsWith('234')) throw Object.assign(new Error(r), { code: r.startsWith('421') ? 'refused-by-server' : 'protocol-error' });
      return s;
    } catch (err) {
      s.destroy();
      throw err;
    }
  };

async function listening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}

describe('TLS prober vs lab FTPS endpoints', () => {
  const labTimes: string[] = [];
  afterAll(() => {
    if (labTimes.length) console.log(`TLS prober on the lab:\n  ${labTimes.join('\n  ')}`);
  });
  const lab: { name: string; port: number; implicit: boolean }[] = [
    { name: 'vsftpd explicit', port: 21021, implicit: false },
    { name: 'vsftpd implicit', port: 21990, implicit: true },
    { name: 'ProFTPD explicit (weak, TLS 1.0)', port: 21023, implicit: false },
    { name: 'Pure-FTPd explicit', port: 21024, implicit: false },
  ];
  for (const ep of lab) {
    it(`probes ${ep.name} on ${ep.port}`, async (ctx) => {
      if (!(await listening(ep.port))) return ctx.skip();
      const open = ep.implicit ? tcpOpen(ep.port) : ftpsExplicitOpen(ep.port);
      const t0 = performance.now();
      const r = await probeTls(open, { timeoutMs: 8000, serverName: 'localhost', connections: 4 });
      labTimes.push(
        `${ep.name}: ${r.handshakes} handshakes, ${Math.round(performance.now() - t0)} ms, limited=${r.limited}, TLS1.2 suites ${r.cipherSuites['TLSv1.2']?.length ?? 0}, errors ${JSON.stringify(r.errors)}`,
      );
      expect(r.protocols['TLSv1.2'] || r.protocols['TLSv1.3']).toBe(true);
      expect(r.chainDer.length).toBeGreaterThan(0);
    }, 120_000);
  }
});
