// Port-state truth through real firewalls: real vsftpd servers in namespace xfs-srv behind iptables,
// the CLI in namespace xfs-cli, joined by a veth pair (test/lab/fwlab.sh). Asserts that silence
// (DROP) is told apart from a reset (REJECT / nothing listens) and from a server's refusal, on
// control ports, passive data ports and active connect-backs, and that the report's firewall
// section names the missing rules in every format.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanJson } from '../helpers/cli.js';
import { labDir, labRunDir } from '../lab/endpoints.js';
import type { EndpointReport, Finding, Report } from '../../src/model.js';
import { FORMATS, render } from '../../reports/index.js';
import { passiveObservations, passivePortStates } from '../../src/derive/firewall.js';

const run = promisify(execFile);
const FWLAB = path.join(labDir(), 'fwlab.sh');
const MANIFEST = path.join(labRunDir(), 'fwlab.json');
const TIMEOUT = 2000;

interface FwEndpoint {
  name: string;
  host: string;
  port: number;
  url?: string;
  expectedState: 'open' | 'closed' | 'filtered';
  passiveRange?: [number, number];
  passiveAllowed?: [number, number];
  passiveDropped?: [number, number] | null;
  activeBlocked?: boolean;
}
interface FwManifest {
  serverNetns: string;
  clientNetns: string;
  serverAddress: string;
  clientAddress: string;
  user: string;
  passwordFile: string;
  endpoints: FwEndpoint[];
}

/** Why the firewall lab cannot run here, or null when it can. */
function unavailable(): string | null {
  if (process.env.XFERSCAN_LAB === 'off') return 'XFERSCAN_LAB=off';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, iptables)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `ip netns unavailable: ${r.error?.message ?? r.stderr.trim()}`;
  if (!existsSync(path.join(labRunDir(), 'secrets/xfsuser.password'))) return 'the lab is not set up (bash test/lab/lab.sh start)';
  return null;
}

const reason = unavailable();
if (reason) process.stderr.write(`[firewall.test] skipped: ${reason}\n`);

const finding = (ep: EndpointReport, id: string): Finding => {
  const f = ep.findings.find((x) => x.id === id);
  if (!f) throw new Error(`${ep.host}:${ep.port} has no ${id} finding`);
  return f;
};
const inRange = (p: number, r: [number, number]) => p >= r[0] && p <= r[1];

describe.skipIf(reason !== null)('firewall lab: port-state truth through real iptables (xfs-srv ⇄ xfs-cli)', () => {
  let created = false;
  let m: FwManifest;
  let env: NodeJS.ProcessEnv;
  let ftps: { report: Report; ms: number };
  let plain: { report: Report; ms: number };

  beforeAll(async () => {
    const present = spawnSync('bash', [FWLAB, 'status'], { encoding: 'utf8' }).status === 0 && existsSync(MANIFEST);
    if (!present) {
      await run('bash', [FWLAB, 'create'], { timeout: 60_000 });
      created = true;
    }
    m = JSON.parse(readFileSync(MANIFEST, 'utf8')) as FwManifest;
    env = { XFS_FW_PW: readFileSync(m.passwordFile, 'utf8').split('\n')[0] };
    const ep = (name: string) => m.endpoints.find((e) => e.name === name)!;
    const tls = ep('fw-ftps');
    const creds = ['--user', m.user, '--password-env', 'XFS_FW_PW'];
    // Two scans at once, each from inside the scanner's namespace.
    const [a, b] = await Promise.all([
      scanJson(
        [
          tls.url!,
          ...creds,
          '--active',
          '--expect-passive-range',
          `${tls.passiveAllowed![0]}-${tls.passiveAllowed![1]}`,
          '--timeout',
          String(TIMEOUT),
        ],
        { netns: m.clientNetns, env },
      ),
      scanJson(
        [
          ep('fw-plain').url!,
          ep('fw-noactive').url!,
          ...['fw-drop', 'fw-reject', 'fw-closed'].map((n) => `${ep(n).host}:${ep(n).port}`),
          '--active',
          '--timeout',
          String(TIMEOUT),
        ],
        { netns: m.clientNetns, env },
      ),
    ]);
    ftps = { report: a.report, ms: a.result.ms };
    plain = { report: b.report, ms: b.result.ms };
    process.stderr.write(`[firewall.test] FTPS scan through the firewall: ${ftps.ms} ms; plain + control ports: ${plain.ms} ms\n`);
  }, 180_000);

  afterAll(async () => {
    if (created) await run('bash', [FWLAB, 'destroy'], { timeout: 60_000 });
  });

  const byPort = (r: Report, port: number) => r.endpoints.find((e) => e.port === port)!;

  it('control ports: DROP → filtered within --timeout, REJECT → closed, nothing → closed', () => {
    for (const e of m.endpoints.filter((x) => ['fw-drop', 'fw-reject', 'fw-closed'].includes(x.name))) {
      const ep = byPort(plain.report, e.port);
      expect({ name: e.name, state: ep.state }).toEqual({ name: e.name, state: e.expectedState });
      if (e.expectedState === 'filtered') {
        expect(ep.connectMs).toBeGreaterThanOrEqual(TIMEOUT - 100);
        expect(ep.connectMs).toBeLessThan(TIMEOUT + 1000);
      } else expect(ep.connectMs).toBeLessThan(500);
    }
    // the firewall section says which is which, and only blames the firewall for silence
    const fw = plain.report.firewall!;
    const view = (port: number) => fw.endpoints.find((x) => x.endpoint.endsWith(`:${port}`))!;
    expect(view(2124).control.verdict).toBe('dropped');
    expect(view(2124).missing.map((r) => r.text)).toContain(
      `allow inbound TCP ${m.serverAddress}:2124 from clients (control connection, server side)`,
    );
    expect(view(2125).control.verdict).toBe('reset');
    expect(view(2126).control.verdict).toBe('reset');
    expect(view(2122).control.verdict).toBe('reachable');
  });

  it('dropped passive ports are named as filtered (NET-PASV-FILTERED) and no allowed port is blamed', () => {
    const e = m.endpoints.find((x) => x.name === 'fw-ftps')!;
    const ep = byPort(ftps.report, e.port);
    expect(ep.service).toBe('ftps-explicit');
    const states = passivePortStates(passiveObservations(ep.ftp));
    const blocked = [...states].filter(([, s]) => s !== 'open').map(([p]) => p);
    const open = [...states].filter(([, s]) => s === 'open').map(([p]) => p);
    // every state matches the rules: dropped half filtered, allowed half open
    for (const [p, s] of states)
      expect({ port: p, state: s }).toEqual({ port: p, state: inRange(p, e.passiveDropped!) ? 'filtered' : 'open' });
    expect(blocked.length, 'no dropped passive port was advertised to us: sample more PASV replies').toBeGreaterThan(0);
    const f = finding(ep, 'NET-PASV-FILTERED');
    expect(f.status).toBe('fail');
    const blamed = /filtered \(silence[^)]*\): ([\d, ]+)/.exec(f.detail)![1].split(', ').map(Number);
    expect(blamed.sort()).toEqual(blocked.sort());
    for (const p of open) expect(f.title).not.toContain(String(p));
    // the remediation is the missing rule: inbound TCP to the server's address, inside the dropped range
    const rule = new RegExp(
      `allow inbound TCP ${m.serverAddress.replace(/\./g, '\\.')}:(\\d+)(?:-(\\d+))? from clients \\(passive data, server side\\)`,
    ).exec(f.remediation);
    expect(rule, f.remediation).not.toBeNull();
    const [lo, hi] = [Number(rule![1]), Number(rule![2] ?? rule![1])];
    expect(inRange(lo, e.passiveDropped!) && inRange(hi, e.passiveDropped!)).toBe(true);
    // FTP-DATA-PASSIVE does not blame the server for a filtered data port
    const passive = finding(ep, 'FTP-DATA-PASSIVE');
    if (passive.status !== 'pass') expect(passive.detail).toMatch(/not a server refusal/);
  });

  it('FTP-PASV-RANGE fails naming the ports outside --expect-passive-range', () => {
    const e = m.endpoints.find((x) => x.name === 'fw-ftps')!;
    const ep = byPort(ftps.report, e.port);
    const outside = ep.ftp!.passivePortsSeen.filter((p) => !inRange(p, e.passiveAllowed!));
    const f = finding(ep, 'FTP-PASV-RANGE');
    expect(outside.length).toBeGreaterThan(0);
    expect(f.status).toBe('fail');
    const named = /outside the expected [\d-]+: ([\d, ]+)/.exec(f.detail)![1].split(', ').map(Number);
    expect(named.sort()).toEqual([...outside].sort());
    const fwe = ftps.report.firewall!.endpoints[0];
    expect(fwe.passive!.expectedRange).toEqual(e.passiveAllowed);
    expect(fwe.passive!.outsideExpected.sort()).toEqual([...outside].sort());
  });

  it('active mode: blocked connect-back → FTP-DATA-ACTIVE fails with "did not connect back"; allowed → passes', () => {
    for (const e of m.endpoints.filter((x) => x.activeBlocked !== undefined)) {
      const report = e.name === 'fw-ftps' ? ftps.report : plain.report;
      const ep = byPort(report, e.port);
      const f = finding(ep, 'FTP-DATA-ACTIVE');
      const fwe = report.firewall!.endpoints.find((x) => x.endpoint.endsWith(`:${e.port}`))!;
      if (e.activeBlocked) {
        expect({ name: e.name, status: f.status }).toEqual({ name: e.name, status: 'fail' });
        expect(f.detail).toMatch(/did not connect back/);
        expect(f.detail).toMatch(/active mode does not get back through/);
        expect(f.detail).not.toMatch(/refused PORT/);
        // recorded as data channels (the control session survived the silence)
        expect(ep.ftp!.dataChannels.filter((d) => d.mode === 'PORT' || d.mode === 'EPRT').every((d) => d.failedStep === 'connect')).toBe(
          true,
        );
        expect(fwe.active!.noConnectBack).toBe(true);
        const texts = fwe.missing.map((r) => r.text);
        expect(texts).toContain(
          `allow inbound TCP to ${m.clientAddress} ports 1024-65535 from ${m.serverAddress} port 20 (active data, client side; or an FTP-aware NAT/helper)`,
        );
        expect(texts.some((t) => t.startsWith(`allow outbound TCP from ${m.serverAddress} port 20`))).toBe(true);
      } else {
        expect({ name: e.name, status: f.status }).toEqual({ name: e.name, status: 'pass' });
        expect(fwe.active!.ok).toBe(true);
        expect(fwe.missing.filter((r) => r.purpose === 'active-data')).toEqual([]);
      }
    }
    // the unblocked plain endpoint needs nothing
    expect(plain.report.firewall!.endpoints.find((x) => x.endpoint.endsWith(':2122'))!.missing).toEqual([]);
  });

  it('the firewall section names the missing rules, in every format', () => {
    const fw = ftps.report.firewall!;
    expect(fw.counts.withMissingRules).toBe(1);
    const passiveRule = fw.endpoints[0].missing.find((r) => r.purpose === 'passive-data')!;
    expect(passiveRule).toMatchObject({ side: 'server', direction: 'inbound', protocol: 'tcp', status: 'blocked', blockage: 'dropped' });
    expect(fw.statement).toMatch(/missing/);
    for (const report of [ftps.report, plain.report]) {
      const rules = report.firewall!.endpoints.flatMap((e) => e.missing.map((r) => r.text));
      expect(rules.length).toBeGreaterThan(0);
      for (const format of FORMATS) {
        const text = render(report, format)
          .replace(/&#39;|&#x27;|&apos;/g, "'")
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&')
          // the terminal format word-wraps long rules to the terminal width
          .replace(/\s+/g, ' ');
        for (const rule of rules) expect(text.includes(rule.replace(/\s+/g, ' ')), `${format} lacks "${rule}"`).toBe(true);
      }
    }
  });

  it('scans through the firewall stay bounded by --timeout', () => {
    // each dropped passive port or control port costs one --timeout; a blocked connect-back
    // costs --timeout plus the server's own give-up (4 s in the lab)
    expect(ftps.ms).toBeLessThan(60_000);
    expect(plain.ms).toBeLessThan(60_000);
  });
});
