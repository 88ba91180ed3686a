// Clusters against the lab module `cluster` (test/lab/servers/cluster.sh): three OpenSSH and three
// vsftpd nodes per service behind HAProxy round robin, one drifted cluster per protocol (node 3:
// another ed25519 host key; another certificate and passive range) and one consistent cluster.
// The truth comes from independent clients: ssh-keyscan + ssh-keygen -lf and openssl s_client
// against each node and, several times, against the virtual address (round robin: three
// consecutive connections reach the three nodes), and Python's ftplib for the passive ports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPassword, labRunDir } from '../lab/endpoints.js';
import { runCli, scanJson } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/schema.js';
import { junitXsdErrors, sarifErrors } from '../helpers/reports.js';
import type { ClusterGroup, Finding, Report } from '../../src/model.js';
import { runOracle } from '../helpers/oracle.js';

interface Info {
  vip: string;
  nodes: string[];
  standbyDown: string;
  planted: { sshEd25519: { majority: string; odd: string }; cert: { majority: string; odd: string } };
  groups: Record<string, { port: number; passiveRanges?: Record<string, [number, number]>; passiveRange?: [number, number] }>;
}

const infoFile = path.join(labRunDir(), 'cluster', 'info.json');
const labOff = process.env.XFERSCAN_LAB === 'off';
const info: Info | null = !labOff && existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as Info) : null;
const d = info ? describe : describe.skip;

const sh = async (cmd: string, args: string[], input?: string): Promise<string> => (await runOracle(cmd, args, { input })).out;

/** ssh-keyscan + ssh-keygen -lf: type → SHA256 fingerprint, as OpenSSH prints them. */
async function keyscan(host: string, port: number, types = 'rsa,ecdsa,ed25519'): Promise<Record<string, string>> {
  const scanned = await sh('ssh-keyscan', ['-p', String(port), '-t', types, host]);
  const lines = scanned.split('\n').filter((l) => /^\S+ (ssh-|ecdsa-)/.test(l));
  const out: Record<string, string> = {};
  for (const l of lines) {
    const type = l.split(' ')[1]!;
    const fp = (await sh('ssh-keygen', ['-lf', '-'], `${l}\n`)).split(' ')[1]!;
    out[type] = fp;
  }
  return out;
}

/** openssl s_client -starttls ftp: the leaf's SHA-256 fingerprint ("AA:BB:…"). */
async function certOf(host: string, port: number): Promise<string> {
  const pem = await sh('openssl', ['s_client', '-starttls', 'ftp', '-connect', `${host}:${port}`, '-servername', 'localhost']);
  const fp = await sh('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], pem);
  return fp.trim().replace(/^.*=/, '');
}

/** openssl s_client -starttls ftp -tls1: does the node complete a TLS 1.0 handshake? */
async function acceptsTls10(host: string, port: number): Promise<boolean> {
  const out = await sh('openssl', ['s_client', '-starttls', 'ftp', '-connect', `${host}:${port}`, '-tls1', '-cipher', 'ALL:@SECLEVEL=0']);
  return /^New, TLSv1(\.0)?, Cipher is (?!\(NONE\))/m.test(out);
}

/** Python's ftplib: the FEAT lines a node announces before login, sorted. */
function featOf(host: string, port: number): string[] {
  const py = `import ftplib,sys
f=ftplib.FTP(); f.connect(sys.argv[1], int(sys.argv[2]), timeout=10)
print('\\n'.join(sorted(l.strip() for l in f.sendcmd('FEAT').splitlines()[1:-1]))); f.quit()`;
  const r = spawnSync('python3', ['-c', py, host, String(port)], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.trim().split('\n').filter(Boolean);
}

/** Python's ftplib: passive ports a node hands out over TLS (PROT P), `n` PASV replies. */
function pasvPorts(host: string, port: number, n: number): number[] {
  const py = `import ftplib,sys,ssl
ctx=ssl.create_default_context(); ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE
f=ftplib.FTP_TLS(context=ctx, timeout=10); f.connect(sys.argv[1], int(sys.argv[2])); f.auth(); f.login(sys.argv[3], sys.argv[4]); f.prot_p()
print(','.join(str(f.makepasv()[1]) for _ in range(int(sys.argv[5])))); f.quit()`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, host, String(port), 'xfsuser', labPassword('xfsuser'), String(n)], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return r.stdout.trim().split(',').map(Number);
}

let dir = '';
let report: Report;
const oracle = {
  ssh: {} as Record<string, Record<string, string>>,
  vipEd25519: new Set<string>(),
  certs: {} as Record<string, string>,
  vipCerts: new Set<string>(),
  ports: {} as Record<string, number[]>,
  tls10: {} as Record<string, boolean>,
  feat: {} as Record<string, string[]>,
};
const group = (name: string): ClusterGroup => report.clusters!.groups.find((g) => g.name === name)!;
const bad = (g: ClusterGroup): Finding[] => g.findings.filter((f) => f.status === 'fail' || f.status === 'warn' || f.status === 'error');

d('clusters on the lab (HAProxy round robin, OpenSSH and vsftpd nodes)', () => {
  beforeAll(async () => {
    const i = info!;
    for (const n of i.nodes) {
      oracle.ssh[n] = await keyscan(n, 25022);
      oracle.certs[n] = await certOf(n, 25021);
      oracle.ports[n] = pasvPorts(n, 25021, 6);
      oracle.tls10[n] = await acceptsTls10(n, 25021);
      oracle.feat[n] = featOf(n, 25021);
    }
    for (let k = 0; k < 6; k++) {
      const keys = await keyscan(i.vip, 25022, 'ed25519');
      if (keys['ssh-ed25519']) oracle.vipEd25519.add(keys['ssh-ed25519']);
      oracle.vipCerts.add(await certOf(i.vip, 25021));
    }
    dir = mkdtempSync(path.join(os.tmpdir(), 'xfs-cluster-'));
    const g = (name: string, service: string, port: number, extra = '') =>
      `  - name: ${name}\n    service: ${service}\n    vip: ${i.vip}:${port}\n    nodes: [${i.nodes.map((n) => `"${n}:${port}"`).join(', ')}]\n${extra}`;
    const creds = '    user: xfsuser\n    passwordEnv: XFS_CLUSTER_PW\n';
    writeFileSync(
      path.join(dir, 'groups.yaml'),
      `groups:\n${g('ssh-drift', 'sftp', 25022)}${g('ssh-good', 'sftp', 25122)}${g('ftps-drift', 'ftps-explicit', 25021, creds)}${g('ftps-good', 'ftps-explicit', 25121, creds)}`,
    );
    const r = await scanJson(['--targets-file', path.join(dir, 'groups.yaml'), '--no-progress'], {
      env: { XFS_CLUSTER_PW: labPassword('xfsuser') },
      timeoutMs: 180_000,
    });
    report = r.report;
    expect(r.result.code).toBe(3);
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the oracle sees what was planted: node 3 has another ed25519 key and certificate, the VIP shows both', () => {
    const i = info!;
    const [n1, n2, n3] = i.nodes;
    expect(oracle.ssh[n1!]!['ssh-ed25519']).toBe(i.planted.sshEd25519.majority);
    expect(oracle.ssh[n2!]!['ssh-ed25519']).toBe(i.planted.sshEd25519.majority);
    expect(oracle.ssh[n3!]!['ssh-ed25519']).toBe(i.planted.sshEd25519.odd);
    expect(oracle.ssh[n3!]!['ssh-rsa']).toBe(oracle.ssh[n1!]!['ssh-rsa']);
    expect(oracle.certs[n3!]).toBe(i.planted.cert.odd);
    expect(oracle.certs[n1!]).toBe(i.planted.cert.majority);
    expect([...oracle.vipEd25519].sort()).toEqual([i.planted.sshEd25519.majority, i.planted.sshEd25519.odd].sort());
    expect([...oracle.vipCerts].sort()).toEqual([i.planted.cert.majority, i.planted.cert.odd].sort());
    const range = (n: string) => i.groups['ftps-drift']!.passiveRanges![n]!;
    for (const n of i.nodes)
      for (const p of oracle.ports[n]!) {
        expect(p).toBeGreaterThanOrEqual(range(n)[0]);
        expect(p).toBeLessThanOrEqual(range(n)[1]);
      }
  });

  it('ssh-drift: the host key difference is reported once, naming node 3 and both keys, across nodes and through the VIP', () => {
    const g = group('ssh-drift');
    const odd = `${info!.nodes[2]}:25022`;
    expect(bad(g).map((f) => f.id)).toEqual(['CLUSTER-HOSTKEY-DRIFT']);
    const f = bad(g)[0]!;
    expect(f.title).toMatch(/ssh-ed25519/);
    for (const s of [odd, oracle.ssh[info!.nodes[2]!]!['ssh-ed25519']!, oracle.ssh[info!.nodes[0]!]!['ssh-ed25519']!])
      expect(f.detail).toContain(s);
    expect(f.detail).toMatch(/Through the virtual address 127\.0\.0\.1:25022/);
    // what the VIP showed for ed25519 is exactly what ssh-keyscan saw through it
    const seen = g.vip!.seen.find((s) => s.key === 'ssh.hostkey.ssh-ed25519')!;
    expect(seen.values.map((v) => v.value).sort()).toEqual([...oracle.vipEd25519].sort());
    expect(seen.values.find((v) => v.value === info!.planted.sshEd25519.odd)!.nodes).toEqual([odd]);
    // the first type (rsa, which every node shares) reached all nodes through the VIP: one key;
    // ecdsa, on which the nodes agree, was not asked again
    expect(g.vip!.seen.find((s) => s.key === 'ssh.hostkey.ssh-rsa')!.values.map((v) => v.value)).toEqual([
      oracle.ssh[info!.nodes[0]!]!['ssh-rsa'],
    ]);
    expect(g.vip!.seen.some((s) => s.key === 'ssh.hostkey.ecdsa-sha2-nistp256')).toBe(false);
    expect(g.findings.find((x) => x.id === 'CLUSTER-VIP-MULTIPLE-KEYS')!.status).toBe('info');
  });

  it('ftps-drift: the certificate, the passive range, TLS 1.0/1.1 and FEAT are each reported once, naming node 3', () => {
    const g = group('ftps-drift');
    const odd = `${info!.nodes[2]}:25021`;
    expect(
      bad(g)
        .map((f) => f.id)
        .sort(),
    ).toEqual(['CLUSTER-CERT-DRIFT', 'CLUSTER-FEATURES-DRIFT', 'CLUSTER-PASV-DRIFT', 'CLUSTER-TLS-DRIFT']);
    // openssl s_client: only node 3 completes a TLS 1.0 handshake
    expect(info!.nodes.map((n) => oracle.tls10[n])).toEqual([false, false, true]);
    const tls = bad(g).find((f) => f.id === 'CLUSTER-TLS-DRIFT')!;
    expect(tls.detail).toMatch(new RegExp(`^TLS versions differs: ${odd.replace(/\./g, '\\.')}: also TLSv1\\.0, TLSv1\\.1 — `));
    // vsftpd announces AUTH TLS in FEAT only where TLS 1.0 is on (ssl_tlsv1): ftplib sees the same
    const [f1, , f3] = info!.nodes.map((n) => oracle.feat[n]!);
    expect(f3!.filter((l) => !f1!.includes(l))).toEqual(['AUTH TLS']);
    expect(bad(g).find((f) => f.id === 'CLUSTER-FEATURES-DRIFT')!.detail).toContain(`${odd}: also AUTH TLS`);
    const cert = bad(g).find((f) => f.id === 'CLUSTER-CERT-DRIFT')!;
    for (const s of [odd, info!.planted.cert.odd, info!.planted.cert.majority]) expect(cert.detail).toContain(s);
    const seen = g.vip!.seen.find((s) => s.key === 'tls.cert')!;
    expect(seen.values.map((v) => v.value).sort()).toEqual([...oracle.vipCerts].sort());
    const pasv = g.differences.find((x) => x.check === 'CLUSTER-PASV-DRIFT')!;
    expect(pasv.odd).toEqual([odd]);
    const [oddLo, oddHi] = pasv.values
      .find((v) => v.nodes.includes(odd))!
      .value.split(' ')[0]!
      .split('-')
      .map(Number);
    const [pLo, pHi] = info!.groups['ftps-drift']!.passiveRanges![info!.nodes[2]!]!;
    expect(oddLo).toBeGreaterThanOrEqual(pLo);
    expect(oddHi).toBeLessThanOrEqual(pHi);
    expect(bad(g).find((f) => f.id === 'CLUSTER-PASV-DRIFT')!.detail).toMatch(/Through the virtual address 127\.0\.0\.1:25021/);
    // PASV answers through the VIP name each node's own address
    expect(
      g
        .vip!.seen.find((s) => s.key === 'ftp.pasv.advertised')!
        .values.map((v) => v.value)
        .sort(),
    ).toEqual([...info!.nodes].sort());
  });

  it('the consistent clusters pass: no failing cluster finding, keys and certificates compared and equal', () => {
    for (const name of ['ssh-good', 'ftps-good']) {
      const g = group(name);
      expect(bad(g), name).toEqual([]);
      expect(g.differences, name).toEqual([]);
    }
    expect(group('ssh-good').findings.find((f) => f.id === 'CLUSTER-HOSTKEY-DRIFT')!.status).toBe('pass');
    expect(group('ftps-good').findings.find((f) => f.id === 'CLUSTER-CERT-DRIFT')!.status).toBe('pass');
    expect(group('ftps-good').findings.find((f) => f.id === 'CLUSTER-PASV-DRIFT')!.status).toBe('pass');
    expect(report.clusters!.findings.map((f) => [f.id, f.status])).toEqual([['HOSTKEY-SHARED', 'pass']]);
  });

  it('every format carries the cluster section; SARIF and JUnit stay valid', async () => {
    const file = path.join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(report));
    for (const format of ['table', 'html', 'markdown', 'sarif', 'junit', 'ndjson']) {
      const r = await runCli(['report', file, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, format).toContain(info!.planted.sshEd25519.odd);
      if (format === 'sarif') expect(sarifErrors(JSON.parse(r.stdout))).toBeNull();
      if (format === 'junit') expect(junitXsdErrors(r.stdout)).toBeNull();
    }
  });

  it('a fleet where two unrelated endpoints share a host key reports it (and the oracle agrees)', async () => {
    const [n1, n2] = info!.nodes;
    expect(oracle.ssh[n1!]).toEqual({ ...oracle.ssh[n2!] });
    const { report: r } = await scanJson([`sftp://${n1}:25022`, `sftp://${n2}:25022`, '--no-progress']);
    const shared = r.clusters!.findings.filter((f) => f.id === 'HOSTKEY-SHARED');
    expect(shared.map((f) => f.status)).toEqual(['warn', 'warn', 'warn']);
    for (const f of shared) expect(f.detail).toContain(`${n1}:25022, ${n2}:25022`);
    expect(shared.map((f) => f.title.split(' ').at(-1)!.replace(')', '')).sort()).toEqual(Object.values(oracle.ssh[n1!]!).sort());
  });

  it('a standby node that is down is as expected: no scan error', async () => {
    const file = path.join(dir, 'down.yaml');
    writeFileSync(file, `groups:\n  - name: down\n    service: sftp\n    standby: ["${info!.standbyDown}"]\n`);
    const { report: r, result } = await scanJson(['--targets-file', file, '--no-progress']);
    expect(r.clusters!.groups[0]!.findings.map((f) => [f.id, f.status])).toEqual([['CLUSTER-STANDBY-ANSWERS', 'pass']]);
    expect(r.endpoints[0]!.state).toBe('closed');
    expect(result.code).toBe(0);
  });

  // the proxy module (test/lab/servers/proxy.sh) runs beside this one in the lab: Dante, loopback only
  const socks = 'socks5://127.0.0.1:27180';
  const proxyUp = existsSync(path.join(labRunDir(), 'proxy', 'info.json'));
  it.skipIf(!proxyUp)(
    'through a SOCKS5 proxy: the nodes and the virtual address are reached through it, the same drift is found',
    async () => {
      const file = path.join(dir, 'proxied.yaml');
      writeFileSync(file, readFileSync(path.join(dir, 'groups.yaml'), 'utf8').split('  - name: ssh-good')[0]!);
      const { report: r } = await scanJson(['--targets-file', file, '--proxy', socks, '--no-progress'], { timeoutMs: 180_000 });
      expectValidReport(r);
      expect(r.vantage?.proxy).toBe(socks);
      expect(r.endpoints.map((e) => e.via)).toEqual(r.endpoints.map(() => socks));
      const g = r.clusters!.groups.find((x) => x.name === 'ssh-drift')!;
      expect(bad(g).map((f) => f.id)).toEqual(['CLUSTER-HOSTKEY-DRIFT']);
      expect(bad(g)[0]!.detail).toContain(`${info!.nodes[2]}:25022`);
      // through the proxy the virtual address showed what ssh-keyscan saw through it directly
      const seen = g.vip!.seen.find((x) => x.key === 'ssh.hostkey.ssh-ed25519')!;
      expect(seen.values.map((v) => v.value).sort()).toEqual([...oracle.vipEd25519].sort());
    },
  );

  it('--expect-standby: a standby node that answers fails, one that is down passes', async () => {
    const file = path.join(dir, 'pair.yaml');
    writeFileSync(
      file,
      `groups:\n  - name: pair\n    service: sftp\n    nodes: ["${info!.nodes[0]}:25122", "${info!.nodes[1]}:25122"]\n    standby: ["${info!.standbyDown}"]\n`,
    );
    const { report: r, result } = await scanJson(['--targets-file', file, '--expect-standby', `${info!.nodes[1]}:25122`, '--no-progress']);
    expectValidReport(r);
    expect(result.code).toBe(3);
    const standby = r.clusters!.groups[0]!.findings.filter((f) => f.id === 'CLUSTER-STANDBY-ANSWERS');
    expect(standby.map((f) => [f.status, f.title])).toEqual(
      expect.arrayContaining([
        ['fail', `A standby node answers (${info!.nodes[1]}:25122)`],
        ['pass', `A standby node answers (${info!.standbyDown})`],
      ]),
    );
  });
});
