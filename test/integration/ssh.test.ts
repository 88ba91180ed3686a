// SSH/SFTP audit against the lab's real OpenSSH servers (test/lab): every fact is compared with
// what OpenSSH itself says (`sshd -T -f <config>`, `ssh-keygen -lf <hostkey>.pub`).
import { execFileSync } from 'node:child_process';
import { sftpOnlyFrom } from '../../src/derive/ssh.js';
import { testDialer } from '../helpers/fixtures.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSsh, type SshAuditResult } from '../../src/ssh/audit.js';
import { fetchHostKeyWithSsh2, fingerprintSha256, parseHostKeyBlob } from '../../src/ssh/hostkeys.js';
import { readServerKexinit } from '../../src/ssh/session.js';
import { checksOf } from '../../src/checks/registry.js';

const sshChecks = checksOf('ssh');
import { Transcript } from '../../src/net/transcript.js';
import type { EndpointReport } from '../../src/model.js';
import { labPassword, labRunDir, loadLabEndpoints, type LabEndpoint } from '../lab/endpoints.js';

function lab(): LabEndpoint[] | null {
  try {
    return loadLabEndpoints();
  } catch {
    return null;
  }
}
const endpoints = lab();
const ep = (name: string) => endpoints!.find((e) => e.name === name)!;

function sshdT(name: string): Record<string, string> {
  const conf = path.join(labRunDir(), 'conf', `${name}.sshd_config`);
  const out = execFileSync('/usr/sbin/sshd', ['-T', '-f', conf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) m[line.slice(0, i)] = (m[line.slice(0, i)] ? `${m[line.slice(0, i)]}\n` : '') + line.slice(i + 1);
  }
  return m;
}

function keygen(name: string): { type: string; bits: number; fingerprint: string }[] {
  const conf = readFileSync(path.join(labRunDir(), 'conf', `${name}.sshd_config`), 'utf8');
  const files = [...conf.matchAll(/^HostKey\s+(\S+)/gm)].map((m) => `${m[1]}.pub`).filter(existsSync);
  return files.map((f) => {
    const [bits, fingerprint] = execFileSync('ssh-keygen', ['-lf', f], { encoding: 'utf8' }).trim().split(/\s+/);
    const type = readFileSync(f, 'utf8').split(' ')[0]!;
    return { type, bits: Number(bits), fingerprint: fingerprint! };
  });
}

function report(r: SshAuditResult, port: number): EndpointReport {
  return {
    host: '127.0.0.1',
    port,
    address: '127.0.0.1',
    state: 'open',
    connectMs: 0,
    service: 'sftp',
    banner: r.facts?.banner ?? null,
    tls: null,
    // as the scan's assembly does: the derive layer judges the hardening attempts
    ssh: r.facts ? { ...r.facts, ...(r.facts.hardening ? { sftpOnly: sftpOnlyFrom(r.facts.hardening) } : {}) } : null,
    ftp: null,
    findings: [],
    transcript: [],
  };
}

function outcomes(e: EndpointReport): Record<string, string> {
  const o: Record<string, string> = {};
  for (const c of sshChecks) {
    const r = c.run({ endpoint: e, options: {} });
    if (r) o[c.id] = (Array.isArray(r) ? r : [r]).map((x) => x.status).join(',');
  }
  return o;
}

const timings: string[] = [];
const LAB_SH = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'lab', 'lab.sh');
let startedHere: string[] = [];

describe.skipIf(!endpoints)('auditSsh against the lab sshd endpoints', () => {
  // The lab may have been stopped by another run: start the three sshd endpoints (idempotent)
  // and stop only what this file started.
  beforeAll(() => {
    const out = execFileSync('bash', [LAB_SH, 'start', 'sshd-modern', 'sshd-legacy', 'sshd-sftponly'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const m = /^LAB_STARTED=(.*)$/m.exec(out);
    startedHere = m?.[1] ? m[1].split(',').filter(Boolean) : [];
  }, 180_000);
  afterAll(() => {
    if (startedHere.length) execFileSync('bash', [LAB_SH, 'stop', ...startedHere], { encoding: 'utf8', timeout: 60_000 });
  });

  for (const name of ['sshd-modern', 'sshd-legacy'] as const) {
    it(`${name}: name-lists, host keys, GEX and auth methods match OpenSSH's own view`, async () => {
      const e = ep(name);
      const t = new Transcript();
      const r = await auditSsh({ host: e.host, port: e.port, dialer: testDialer(e.host), timeoutMs: 8000, transcript: t });
      timings.push(`${name}: ${r.ms} ms, ${r.connections} connections (no credentials)`);
      expect(r.error).toBeNull();
      expect(r.blocked).toBe(false);
      const f = r.facts!;
      const T = sshdT(name);
      expect(f.protoVersion).toBe('2.0');
      expect(f.software).toMatch(/^OpenSSH_/);
      expect(f.kex).toEqual(T.kexalgorithms!.split(','));
      expect(f.ciphers).toEqual(T.ciphers!.split(','));
      expect(f.macs).toEqual(T.macs!.split(','));
      expect(f.ciphersClientToServer).toBeUndefined();
      expect(f.compression).toEqual(T.compression === 'yes' || T.compression === 'delayed' ? ['none', 'zlib@openssh.com'] : ['none']);
      expect(f.strictKex).toBe(true);
      expect(f.kexMarkers).toContain('kex-strict-s-v00@openssh.com');
      // offered host-key algorithms: those sshd -T allows for which a key exists (no certificates here)
      const allowed = T.hostkeyalgorithms!.split(',');
      for (const a of f.hostKeyAlgorithms) expect(allowed).toContain(a);
      const want = keygen(name);
      const got = f.hostKeys.map((k) => ({ type: k.type, bits: k.bits, fingerprint: k.fingerprintSha256 }));
      const sort = (x: { fingerprint: string }[]) => [...x].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
      expect(sort(got)).toEqual(sort(want));
      expect(f.hostKeysNotFetched).toBeUndefined();
      expect(f.gex?.length).toBe(2);
      for (const g of f.gex!) expect(g.bits).toBeGreaterThanOrEqual(2048);
      expect(f.authMethods).toEqual(['publickey', 'password']);
      expect(r.connections).toBeLessThanOrEqual(6);
      // transcript evidence: identification lines and KEXINIT summaries
      const text = t
        .finish()
        .map((l) => l.text)
        .join('\n');
      expect(text).toContain(f.banner);
      expect(text).toMatch(/SSH-2\.0-xferscan_/);
      expect(text).toMatch(/KEXINIT kex_algorithms: /);
      const o = outcomes(report(r, e.port));
      if (name === 'sshd-legacy') {
        expect(o).toMatchObject({
          'SSH-KEX-WEAK': 'fail',
          'SSH-HOSTKEY-WEAK': 'fail',
          'SSH-CIPHER-WEAK': 'fail',
          'SSH-MAC-WEAK': 'fail',
          'SSH-TERRAPIN': 'pass',
        });
      } else {
        expect(o).toMatchObject({
          'SSH-KEX-WEAK': 'pass',
          'SSH-HOSTKEY-WEAK': 'pass',
          'SSH-CIPHER-WEAK': 'pass',
          'SSH-PROTO-1': 'pass',
          'SSH-NO-PQ-KEX': 'pass',
        });
      }
      expect(o['SSH-SFTP-ONLY']).toBe('skipped');
    });
  }

  it('sshd-sftponly: the SFTP-only account is told apart from the normal account', async () => {
    const e = ep('sshd-sftponly');
    const t = new Transcript();
    const sftpPw = labPassword('xfssftp');
    const userPw = labPassword('xfsuser');
    const a = await auditSsh({
      host: e.host,
      dialer: testDialer(e.host),
      port: e.port,
      timeoutMs: 8000,
      credentials: { username: 'xfssftp', password: sftpPw },
      transcript: t,
    });
    timings.push(`sshd-sftponly (xfssftp): ${a.ms} ms, ${a.connections} connections`);
    const b = await auditSsh({
      host: e.host,
      dialer: testDialer(e.host),
      port: e.port,
      timeoutMs: 8000,
      credentials: { username: 'xfsuser', password: userPw },
      hostKeys: false,
      gex: false,
    });
    timings.push(`sshd-sftponly (xfsuser, auth only): ${b.ms} ms, ${b.connections} connections`);
    // the engine records what happened; the derive layer judges it (as the scan's assembly does)
    const fa = { ...a.facts!, sftpOnly: sftpOnlyFrom(a.facts!.hardening!) };
    const fb = { ...b.facts!, sftpOnly: b.facts!.hardening ? sftpOnlyFrom(b.facts!.hardening) : null };
    expect(fa.login).toMatchObject({ ok: true, method: 'password' });
    expect(fa.sftp).toMatchObject({ opened: true, version: 3 });
    expect(Object.keys((fa.sftp as { extensions: Record<string, string> }).extensions)).toContain('posix-rename@openssh.com');
    expect(fa.sftpOnly).toMatchObject({ shell: 'refused', exec: 'refused', forwarding: 'refused' });
    expect(fa.sftpOnly!.details.exec).toMatch(/sftp connections only|exited 1/);
    expect(fb.login).toMatchObject({ ok: true });
    expect(fb.sftp).toMatchObject({ opened: true });
    expect(fb.sftpOnly).toMatchObject({ shell: 'allowed', exec: 'allowed', forwarding: 'allowed' });
    expect(outcomes(report(a, e.port))).toMatchObject({ 'SSH-SFTP-SUBSYSTEM': 'pass', 'SSH-SFTP-ONLY': 'pass' });
    expect(outcomes(report(b, e.port))).toMatchObject({ 'SSH-SFTP-SUBSYSTEM': 'pass', 'SSH-SFTP-ONLY': 'fail' });
    // never a password in the transcript
    const text = JSON.stringify(t.finish());
    expect(text).not.toContain(sftpPw);
    // wrong password: login fails, methods still learned
    const c = await auditSsh({
      host: e.host,
      dialer: testDialer(e.host),
      port: e.port,
      timeoutMs: 8000,
      credentials: { username: 'xfssftp', password: `${sftpPw}-wrong` },
      hostKeys: false,
      gex: false,
    });
    expect(c.facts!.authMethods).toEqual(['publickey', 'password']);
    expect(c.facts!.login).toMatchObject({ attempted: true, ok: false });
    expect(outcomes(report(c, e.port))['SSH-SFTP-ONLY']).toBe('skipped');
  });

  it('ssh2 fallback fetches the same host key as the raw exchange (legacy server, ssh-dss too)', async () => {
    const e = ep('sshd-legacy');
    const k = await readServerKexinit({ host: e.host, port: e.port, dialer: testDialer(e.host) }, { timeoutMs: 8000 });
    expect(k.ok).toBe(true);
    if (!k.ok) return;
    const want = keygen('sshd-legacy');
    for (const alg of ['rsa-sha2-512', 'ssh-dss']) {
      const r = await fetchHostKeyWithSsh2(e.host, e.port, alg, k.kexinit, 8000, testDialer(e.host));
      expect(r.error).toBeNull();
      const p = parseHostKeyBlob(r.blob!);
      expect(p.ok).toBe(true);
      if (!p.ok) continue;
      expect(want).toContainEqual({ type: p.type, bits: p.bits, fingerprint: fingerprintSha256(p.plainBlob) });
    }
  });

  it('prints timings', () => {
    console.log(`[ssh timings]\n  ${timings.join('\n  ')}`);
  });
});
