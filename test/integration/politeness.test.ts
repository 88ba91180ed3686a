// Politeness against real servers (docs/politeness.md). The server side is measured on its own:
// a relay process in front of a lab server logs the time of every connection it accepts, and the
// test counts them per one-second window (a count, not a speed). A copy of the lab's sshd with
// MaxStartups 1:100:1 (OpenSSH 9.2 has no PerSourcePenalties) refuses every second unauthenticated
// connection: the scan must notice, back off, report it, and find what an unthrottled scan finds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointReport } from '../../src/model.js';
import { scanJson } from '../helpers/cli.js';
import { labEndpoint, labLoginArgs, labRunDir, loadLabEndpoints } from '../lab/endpoints.js';
import { startLimitedVsftpd as startLimited, waitForPort } from '../lab/limited-servers.mjs';
import { startRelay as startCountingRelay } from '../../bench/relay.mjs';

const LAB = (() => {
  try {
    return loadLabEndpoints().length > 0;
  } catch {
    return false;
  }
})();
/** the throttled sshd's own port (test/lab/README.md lists it) */
const PENALTY_PORT = 22150;
/** the vsftpds with max_per_ip=1, 2 and 3 (below the default cap of 4): control port and passive range */
const PER_IP = [
  { limit: 1, port: 21150, passive: [44150, 44169] },
  { limit: 2, port: 21151, passive: [44170, 44179] },
  { limit: 3, port: 21152, passive: [44180, 44189] },
] as const;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-polite-'));
const children: ChildProcess[] = [];

function startRelay(port: number, log: string): Promise<number> {
  const child = spawn(process.execPath, [
    path.join(import.meta.dirname, '../helpers/accept-log-relay.mjs'),
    '127.0.0.1',
    String(port),
    log,
  ]);
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
}

/** Most accepts in any window [t, t + 1000 ms). */
function maxPerSecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j]! < t[i]! - 999.999) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const accepts = (log: string) => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number);

/** Findings whose status differs from the twin's (a server without the limit), with why; and the twin's that are missing. */
function verdictChanges(ep: EndpointReport, twin: EndpointReport): string[] {
  const base = new Map(twin.findings.map((f) => [f.id, f.status]));
  const ids = new Set(ep.findings.map((f) => f.id));
  return [
    ...ep.findings
      .filter((f) => base.get(f.id) !== f.status)
      .map((f) => `${f.id} ${f.status} (without the limit: ${base.get(f.id)}): ${f.detail.slice(0, 160)}`),
    ...twin.findings.filter((f) => !ids.has(f.id)).map((f) => `${f.id} missing (without the limit: ${f.status})`),
  ];
}

/** The limited server and its lab twin, logged in as the twin's user, with --active. */
async function scanWithTwin(port: number, twin: string): Promise<{ limited: EndpointReport; baseline: EndpointReport }> {
  const lab = labEndpoint(twin);
  const args = ['--ca-file', path.join(labRunDir(), 'certs/good.crt'), '--active', ...labLoginArgs(lab)];
  // a deadlock would run into the endpoint timeout
  const limited = (await scanJson([`127.0.0.1:${port}`, ...args, '--endpoint-timeout', '60000'])).report.endpoints[0]!;
  const baseline = (await scanJson([`127.0.0.1:${lab.port}`, ...args])).report.endpoints[0]!;
  return { limited, baseline };
}

/** The lab's vsftpd-explicit configuration on its own ports, with max_per_ip (421 beyond that many sessions). */
async function startLimitedVsftpd(v: (typeof PER_IP)[number]): Promise<void> {
  children.push(await startLimited({ labRun: labRunDir(), dir, ...v }));
}

/** the ProFTPDs with MaxConnectionsPerHost 2 (a 530 greeting beyond) and MaxClientsPerHost 1 (530 at
 * PASS to a second logged-in session): the politeness one, and the one a test fills before the scan */
const PER_HOST_PORT = 21153;
const FULL_PORT = 21157;
/** the sshd with MaxStartups 1:100:1 a test fills before the scan (one connection of another client) */
const FULL_SSH_PORT = 22151;
const LAB_PREFIX = process.env.XFS_LAB_PREFIX ?? '/opt/xferscan-lab/root';

/** The lab's proftpd-tls configuration on its own ports and files, with both per-host limits. */
async function startLimitedProftpd(port = PER_HOST_PORT, passive = [44190, 44199]): Promise<void> {
  const own = path.join(dir, `proftpd-${port}`);
  fs.mkdirSync(own, { recursive: true });
  const conf = fs
    .readFileSync(path.join(labRunDir(), 'conf', 'proftpd-tls.conf'), 'utf8')
    .replace(/^Port .*$/m, `Port ${port}`)
    .replace(/^PidFile .*$/m, `PidFile ${own}/proftpd.pid`)
    .replace(/^ScoreboardFile .*$/m, `ScoreboardFile ${own}/proftpd.scoreboard`)
    .replace(/^DelayTable .*$/m, `DelayTable ${own}/proftpd.delay`)
    .replace(/^SystemLog .*$/m, `SystemLog ${own}/proftpd.system.log`)
    .replace(/^TransferLog .*$/m, `TransferLog ${own}/proftpd.xfer.log`)
    .replace(/^PassivePorts .*$/m, `PassivePorts ${passive[0]} ${passive[1]}`)
    .concat('\nMaxConnectionsPerHost 2\nMaxClientsPerHost 1\n');
  fs.writeFileSync(path.join(own, 'proftpd.conf'), conf);
  const env = { ...process.env, OPENSSL_CONF: path.join(labRunDir(), 'conf', 'openssl-legacy.cnf') };
  children.push(spawn(path.join(LAB_PREFIX, 'usr/sbin/proftpd'), ['-n', '-c', path.join(own, 'proftpd.conf')], { stdio: 'ignore', env }));
  await waitForPort(port);
}

/** the Pure-FTPd with -C 2 (two connections per address, passive 44220-44229) */
const PURE_PER_IP_PORT = 21154;

/** The lab's pureftpd-tls command line on its own ports, with -C 2 (per-address limit) instead of 20. */
async function startLimitedPureFtpd(): Promise<void> {
  const c = path.join(labRunDir(), 'certs');
  const args = ['-S', `127.0.0.1,${PURE_PER_IP_PORT}`, '-p', '44220:44229', '-l', 'unix', '-E', '-Y', '2'];
  args.push('-2', `${c}/good.crt,${c}/good.key`, '-H', '-c', '50', '-C', '2');
  children.push(spawn(path.join(LAB_PREFIX, 'usr/sbin/pure-ftpd'), args, { stdio: 'ignore' }));
  await waitForPort(PURE_PER_IP_PORT);
}

/** The lab's sshd-modern configuration on its own port, with MaxStartups 1:100:1. */
async function startPenaltySshd(port = PENALTY_PORT): Promise<void> {
  const own = path.join(dir, `sshd-${port}`);
  fs.mkdirSync(own, { recursive: true });
  const conf = fs
    .readFileSync(path.join(labRunDir(), 'conf', 'sshd-modern.sshd_config'), 'utf8')
    .replace(/^Port .*$/m, `Port ${port}`)
    .replace(/^PidFile .*$/m, `PidFile ${own}/sshd.pid`)
    .replace(/^MaxStartups .*$/m, 'MaxStartups 1:100:1');
  fs.writeFileSync(path.join(own, 'sshd_config'), conf);
  children.push(
    spawn('/usr/sbin/sshd', ['-D', '-f', path.join(own, 'sshd_config'), '-E', path.join(own, 'sshd.log')], { stdio: 'ignore' }),
  );
  await waitForPort(port);
}

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

describe.skipIf(!LAB)('--rate 2', () => {
  let ftpLog: string;
  let sshLog: string;
  let endpoints: EndpointReport[];
  beforeAll(async () => {
    ftpLog = path.join(dir, 'ftp.log');
    sshLog = path.join(dir, 'ssh.log');
    const ftpPort = await startRelay(labEndpoint('vsftpd-explicit').port, ftpLog);
    const sshPort = await startRelay(labEndpoint('sshd-modern').port, sshLog);
    const { report } = await scanJson([`127.0.0.1:${ftpPort}`, `127.0.0.1:${sshPort}`, '--rate', '2'], { timeoutMs: 300_000 });
    endpoints = report.endpoints;
    expect(report.options?.rate).toBe(2);
  }, 320_000);

  it('the scan went through the relays', () => {
    expect(endpoints.map((e) => e.service)).toEqual(['ftps-explicit', 'sftp']);
  });

  it('no server saw more than 2 new connections in any second, nor both together (one address)', () => {
    const ftp = accepts(ftpLog);
    const ssh = accepts(sshLog);
    expect(ftp.length + ssh.length).toBeGreaterThanOrEqual(10);
    expect(maxPerSecond(ftp)).toBeLessThanOrEqual(2);
    expect(maxPerSecond(ssh)).toBeLessThanOrEqual(2);
    expect(maxPerSecond([...ftp, ...ssh])).toBeLessThanOrEqual(2);
  });
});

describe.skipIf(!LAB)('the measurement itself', () => {
  it('sees more than 2 new connections in a second without --rate (the relay can tell)', async () => {
    const log = path.join(dir, 'unlimited.log');
    const port = await startRelay(labEndpoint('sshd-modern').port, log);
    await scanJson([`127.0.0.1:${port}`]);
    expect(maxPerSecond(accepts(log))).toBeGreaterThan(2);
  }, 120_000);
});

describe.skipIf(!LAB)('a server that refuses connections over its limit (sshd MaxStartups 1:100:1)', () => {
  let throttled: EndpointReport;
  let baseline: EndpointReport;
  beforeAll(async () => {
    await startPenaltySshd();
    throttled = (await scanJson([`127.0.0.1:${PENALTY_PORT}`])).report.endpoints[0]!;
    // the same configuration without the limit: the lab's sshd-modern
    baseline = (await scanJson([`127.0.0.1:${labEndpoint('sshd-modern').port}`])).report.endpoints[0]!;
  }, 180_000);

  it('is detected and reported, with the back-off', () => {
    expect(throttled.throttled?.events).toBeGreaterThan(0);
    expect(throttled.throttled?.backoffMs).toBeGreaterThan(0);
    expect(throttled.throttled?.log.some((e) => e.kind === 'refused')).toBe(true);
  });

  it('produces no finding the unthrottled scan does not (same statuses, same grade)', () => {
    expect(verdictChanges(throttled, baseline)).toEqual([]);
    expect(throttled.grade?.grade).toBe(baseline.grade?.grade);
  });
});

// Below the default cap the server's limit must be learned by every probe at once (the TLS
// inventory, the battery, the FTP sessions share the endpoint's cap): before it was, the battery
// and the client-certificate test gave up on 421s (max_per_ip=1: seven vulnerability verdicts
// undecided) and a cap lowered to one slot deadlocked the FTP probes (max_per_ip=2).
describe.skipIf(!LAB)('FTP servers with a per-IP limit below our cap (vsftpd max_per_ip=1, 2, 3)', () => {
  const limited = new Map<number, EndpointReport>();
  let baseline: EndpointReport;
  beforeAll(async () => {
    const ca = ['--ca-file', path.join(labRunDir(), 'certs/good.crt')];
    await Promise.all(PER_IP.map(startLimitedVsftpd));
    // one at a time (each its own source of load); a deadlock would run into the endpoint timeout
    for (const v of PER_IP) {
      const r = await scanJson([`127.0.0.1:${v.port}`, ...ca, '--endpoint-timeout', '60000']);
      limited.set(v.limit, r.report.endpoints[0]!);
    }
    baseline = (await scanJson([`127.0.0.1:${labEndpoint('vsftpd-explicit').port}`, ...ca])).report.endpoints[0]!;
  }, 400_000);

  it.each(PER_IP.map((v) => v.limit))('max_per_ip=%i: detected and reported (421), and the limit learned', (limit) => {
    const ep = limited.get(limit)!;
    expect(ep.service).toBe('ftps-explicit');
    expect(ep.throttled?.log.some((e) => e.kind === 'ftp-421')).toBe(true);
    // the limit is learned, not run into again and again: a few refusals, not one per connection
    expect(ep.throttled!.events).toBeLessThanOrEqual(6);
  });

  it.each(PER_IP.map((v) => v.limit))('max_per_ip=%i: every verdict as the unthrottled scan gives it', (limit) => {
    expect(verdictChanges(limited.get(limit)!, baseline)).toEqual([]);
  });
});

// ProFTPD answers its per-host limits with 530, not 421. Over MaxConnectionsPerHost it greets
// with 530 and hangs up: that was read as a protocol error, not a limit (TLS 1.0 and the suites
// that hang on it undecided, the session-reuse test skipped, no refusal reported). Over
// MaxClientsPerHost it refuses the login at PASS, as it would a wrong password: two
// transfer-sequence runs side by side met it and one was reported as not logged in. ProFTPD
// refuses the login only when two logins race (2 scans in 5 here); the scripted server in
// ftp-broken.test.ts refuses on every run. Here: whatever the race, the verdicts stay.
describe.skipIf(!LAB).each([
  {
    server: 'ProFTPD limiting connections and logins per host (530 greeting, 530 at PASS)',
    start: () => startLimitedProftpd(),
    port: PER_HOST_PORT,
    twin: 'proftpd-tls',
    kind: 'ftp-refused-greeting',
  },
  {
    server: 'Pure-FTPd with a per-address limit below our cap (-C 2)',
    start: startLimitedPureFtpd,
    port: PURE_PER_IP_PORT,
    twin: 'pureftpd-tls',
    kind: 'ftp-421',
  },
] as const)('$server', ({ start, port, twin, kind }) => {
  let limited: EndpointReport;
  let baseline: EndpointReport;
  beforeAll(async () => {
    await start();
    ({ limited, baseline } = await scanWithTwin(port, twin));
  }, 200_000);

  it('met the limit, reported and learned it (a few refusals, none given up)', () => {
    expect(limited.throttled?.log.some((e) => e.kind === kind)).toBe(true);
    expect(limited.throttled!.events).toBeLessThanOrEqual(6);
    expect(limited.throttled!.gaveUp).toBe(0);
  });

  it(`every verdict as on the lab twin (${twin}), logged in`, () => {
    expect(verdictChanges(limited, baseline)).toEqual([]);
  });
});

/** A control connection of another client on this address, open once the server greeted it. */
function connectAndGreet(port: number): Promise<{ greeting: string; release: () => void }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(10_000, () => s.destroy(new Error('no greeting')));
    s.once('data', (d) => {
      s.setTimeout(0);
      resolve({ greeting: d.toString('latin1').trim(), release: () => s.destroy() });
    });
    s.once('error', reject);
  });
}

/** Such a connection, admitted (`admitted` greeting): the server may still count the one waitForPort made. */
async function holdConnection(port: number, admitted: RegExp): Promise<{ greeting: string; release: () => void }> {
  for (let i = 0; ; i++) {
    const c = await connectAndGreet(port);
    if (admitted.test(c.greeting) || i >= 20) return c;
    c.release();
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Scans `port` while `held` (another client's connections) fill it, releasing them once the
 * scan's first connection has ended (a relay with no delay in front of the server sees it): the
 * scan meets the refusal first, and must wait it out to see the server.
 */
async function scanWhileHeld(port: number, held: { release: () => void }[], args: string[] = []): Promise<EndpointReport> {
  const relay = await startCountingRelay({ target: port, delayMs: 0, handshakeRtt: false });
  const scan = scanJson([`127.0.0.1:${relay.port}`, ...args]);
  const firstEnded = setInterval(() => {
    const c = relay.stats();
    if (c.connections >= 1 && c.open === 0) {
      clearInterval(firstEnded);
      held.forEach((h) => h.release());
    }
  }, 10);
  try {
    return (await scan).report.endpoints[0]!;
  } finally {
    clearInterval(firstEnded);
    await relay.close();
  }
}

// On first contact too, ProFTPD's MaxConnectionsPerHost answers 530: another client on the
// partner's address (a colleague's FileZilla, a job still running) holds the connections. Like a
// 421, it is a limit to wait out, not the server turning the scan away for good.
describe.skipIf(!LAB)('ProFTPD with every per-host connection taken at first contact (530 greeting)', () => {
  let oracleWhileFull: string;
  let scanned: EndpointReport;
  let baseline: EndpointReport;
  beforeAll(async () => {
    await startLimitedProftpd(FULL_PORT, [44250, 44259]);
    const held = [await holdConnection(FULL_PORT, /^220 /), await holdConnection(FULL_PORT, /^220 /)];
    expect(held.map((h) => h.greeting.slice(0, 3))).toEqual(['220', '220']);
    // the independent client's view of the full server
    const py = spawnSync(
      'python3',
      [
        '-c',
        `import ftplib\ntry:\n ftplib.FTP().connect('127.0.0.1', ${FULL_PORT}, timeout=10)\n print('greeted')\nexcept ftplib.all_errors as e:\n print(e)`,
      ],
      { encoding: 'utf8' },
    );
    oracleWhileFull = py.stdout.trim();
    // the twin (the same configuration without the limits; the limited server's verdicts equal its
    // own, above), scanned meanwhile
    const twin = scanJson([`127.0.0.1:${labEndpoint('proftpd-tls').port}`]);
    scanned = await scanWhileHeld(FULL_PORT, held);
    baseline = (await twin).report.endpoints[0]!;
  }, 120_000);

  it('the oracle (Python ftplib) is turned away with 530 while the connections are held', () => {
    expect(oracleWhileFull).toMatch(/^530 /);
  });

  it('detection waited and asked again: the server is scanned, the refusal reported', () => {
    expect(scanned).toMatchObject({ service: 'ftps-explicit', outcome: null });
    const first = scanned.throttled?.log[0];
    expect(first).toMatchObject({ kind: 'ftp-refused-greeting', retried: true });
    expect(first?.detail).toMatch(/^530 /);
    expect(scanned.transcript.some((l) => /530 from server; retrying after a back-off/.test(l.text))).toBe(true);
  });

  it('every verdict as on the lab twin (proftpd-tls)', () => {
    expect(verdictChanges(scanned, baseline)).toEqual([]);
  });
});

// OpenSSH over MaxStartups says "Exceeded MaxStartups" and closes, before any identification
// line: at first contact (another client's unauthenticated connection holding the one startup
// slot) that was "unknown service, protocol error". It is SSH turning us away for now.
describe.skipIf(!LAB)('sshd with its one startup slot taken at first contact (Exceeded MaxStartups)', () => {
  let keyscanWhileFull: string;
  let keyscanFree: string;
  let scanned: EndpointReport;
  let baseline: EndpointReport;
  beforeAll(async () => {
    await startPenaltySshd(FULL_SSH_PORT);
    const held = [await holdConnection(FULL_SSH_PORT, /^SSH-/)];
    expect(held[0]!.greeting).toMatch(/^SSH-2\.0-OpenSSH/);
    // the independent client's view of the full server
    const keyscan = () =>
      spawnSync('ssh-keyscan', ['-p', String(FULL_SSH_PORT), '-t', 'ed25519', '127.0.0.1'], {
        encoding: 'utf8',
        timeout: 20_000,
      }).stdout.trim();
    keyscanWhileFull = keyscan();
    scanned = await scanWhileHeld(FULL_SSH_PORT, held);
    // the same server with nothing held (its verdicts equal sshd-modern's, above)
    baseline = (await scanJson([`127.0.0.1:${FULL_SSH_PORT}`])).report.endpoints[0]!;
    keyscanFree = keyscan();
  }, 120_000);

  it('the oracle (ssh-keyscan) gets no host key while the slot is held, and one once it is free', () => {
    expect(keyscanWhileFull).toBe('');
    expect(keyscanFree).toMatch(/ ssh-ed25519 AAAA/);
  });

  it('detection waited and asked again: the server is audited, the refusal reported', () => {
    expect(scanned).toMatchObject({ service: 'sftp', outcome: null });
    expect(scanned.throttled?.log[0]).toMatchObject({ kind: 'refused', retried: true });
    expect(scanned.transcript.some((l) => /"Exceeded MaxStartups" from server; retrying after a back-off/.test(l.text))).toBe(true);
    expect(scanned.ssh?.hostKeys?.length).toBe(baseline.ssh?.hostKeys?.length);
  });

  it('every verdict as in a scan with nothing held', () => {
    expect(verdictChanges(scanned, baseline)).toEqual([]);
  });
});
