import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../../src/checks/engine.js';
import { checksOf } from '../../../src/checks/registry.js';

const sshChecks = checksOf('ssh');
import type { EndpointReport, SshFacts } from '../../../src/model.js';
import { parseSshSoftware, softwareAdvisories } from '../../../src/knowledge/ssh-software.js';

const MODERN: SshFacts = {
  banner: 'SSH-2.0-OpenSSH_9.9p1',
  protoVersion: '2.0',
  software: 'OpenSSH_9.9p1',
  kex: ['mlkem768x25519-sha256', 'curve25519-sha256', 'diffie-hellman-group-exchange-sha256'],
  kexMarkers: ['ext-info-s', 'kex-strict-s-v00@openssh.com'],
  hostKeyAlgorithms: ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
  ciphers: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr'],
  macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'],
  compression: ['none', 'zlib@openssh.com'],
  hostKeys: [
    { type: 'ssh-ed25519', bits: 256, fingerprintSha256: 'SHA256:a' },
    { type: 'ssh-rsa', bits: 3072, fingerprintSha256: 'SHA256:b' },
  ],
  gex: [{ label: 'default', min: 1024, n: 2048, max: 8192, kex: 'diffie-hellman-group-exchange-sha256', bits: 3072, error: null }],
  authMethods: ['publickey'],
  authProbe: { ok: true, error: null, noneAccepted: false, username: 'xferscan' },
  strictKex: true,
  sftp: null,
};

const LEGACY: SshFacts = {
  banner: 'SSH-1.99-OpenSSH_8.9p1',
  protoVersion: '1.99',
  software: 'OpenSSH_8.9p1',
  kex: ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1'],
  kexMarkers: [],
  hostKeyAlgorithms: ['ssh-rsa', 'ssh-dss'],
  ciphers: ['aes128-cbc', '3des-cbc', 'chacha20-poly1305@openssh.com'],
  macs: ['hmac-md5', 'hmac-sha1-96', 'hmac-sha2-256-etm@openssh.com'],
  compression: ['none', 'zlib'],
  hostKeys: [
    { type: 'ssh-rsa', bits: 1024, fingerprintSha256: 'SHA256:c' },
    { type: 'ssh-dss', bits: 1024, fingerprintSha256: 'SHA256:d' },
  ],
  gex: [{ label: 'small', min: 1024, n: 1024, max: 8192, kex: 'diffie-hellman-group-exchange-sha1', bits: 1024, error: null }],
  authMethods: ['password'],
  authProbe: { ok: true, error: null, noneAccepted: false, username: 'xferscan' },
  strictKex: false,
  sftp: null,
};

function ep(ssh: SshFacts | null, service: EndpointReport['service'] = 'sftp'): EndpointReport {
  return {
    host: 'h',
    port: 22,
    address: '127.0.0.1',
    state: 'open',
    connectMs: 1,
    service,
    banner: ssh?.banner ?? null,
    tls: null,
    ssh,
    ftp: null,
    findings: [],
    transcript: [],
  };
}

type F = CheckOutcome & { id: string; severity: string; remediation: string; evidence: NonNullable<CheckOutcome['evidence']> };
// Runs the checks the way the engine does (its signature is still moving), one outcome per check.
function runAll(e: EndpointReport): F[] {
  const out: F[] = [];
  for (const c of sshChecks) {
    const r = c.run({ endpoint: e, options: {} });
    if (r === null) continue;
    for (const o of Array.isArray(r) ? r : [r]) {
      out.push({
        ...o,
        id: c.id,
        severity: o.severity ?? c.severity,
        remediation: o.remediation ?? (o.status === 'fail' || o.status === 'warn' ? c.remediation : ''),
        evidence: o.evidence ?? [],
      });
    }
  }
  return out;
}
function run(e: EndpointReport): Record<string, F> {
  return Object.fromEntries(runAll(e).map((f) => [f.id, f]));
}

describe('SSH checks on synthetic facts', () => {
  it('covers every SSH-* id of docs/checks.md', () => {
    expect(sshChecks.map((c) => c.id).sort()).toEqual([
      'SSH-AUTH-METHODS',
      'SSH-CIPHER-WEAK',
      'SSH-COMPRESSION',
      'SSH-HOSTKEY-WEAK',
      'SSH-KEX-WEAK',
      'SSH-MAC-WEAK',
      'SSH-NO-PQ-KEX',
      'SSH-PROTO-1',
      'SSH-SFTP-ONLY',
      'SSH-SFTP-SUBSYSTEM',
      'SSH-SOFTWARE',
      'SSH-TERRAPIN',
    ]);
  });

  it('is silent on non-SSH endpoints and skips without facts', () => {
    expect(runAll(ep(null, 'ftp'))).toEqual([]);
    const f = run(ep(null));
    expect(Object.values(f).every((x) => x.status === 'skipped')).toBe(true);
  });

  it('a modern server passes', () => {
    const f = run(ep(MODERN));
    for (const id of [
      'SSH-PROTO-1',
      'SSH-KEX-WEAK',
      'SSH-HOSTKEY-WEAK',
      'SSH-CIPHER-WEAK',
      'SSH-MAC-WEAK',
      'SSH-TERRAPIN',
      'SSH-NO-PQ-KEX',
      'SSH-COMPRESSION',
    ]) {
      expect(f[id]!.status, `${id}: ${f[id]!.detail}`).toBe('pass');
    }
    expect(f['SSH-SOFTWARE']!.status).toBe('info');
    expect(f['SSH-AUTH-METHODS']!.status).toBe('info');
    expect(f['SSH-SFTP-SUBSYSTEM']!.status).toBe('skipped');
    expect(f['SSH-SFTP-SUBSYSTEM']!.detail).toMatch(/credentials/);
    expect(f['SSH-SFTP-ONLY']!.status).toBe('skipped');
  });

  it('a legacy server fails with the offending algorithms as evidence', () => {
    const f = run(ep(LEGACY));
    expect(f['SSH-PROTO-1']!.status).toBe('fail');
    expect(f['SSH-KEX-WEAK']!.status).toBe('fail');
    expect(f['SSH-KEX-WEAK']!.detail).toMatch(/1024-bit groups/);
    expect(f['SSH-KEX-WEAK']!.evidence.map((e) => e.value).join(' ')).toMatch(/diffie-hellman-group1-sha1/);
    expect(f['SSH-KEX-WEAK']!.remediation).toMatch(/KexAlgorithms /);
    expect(f['SSH-HOSTKEY-WEAK']!.status).toBe('fail');
    expect(f['SSH-HOSTKEY-WEAK']!.detail).toMatch(/1024 bits/);
    expect(f['SSH-CIPHER-WEAK']!.status).toBe('fail');
    expect(f['SSH-CIPHER-WEAK']!.evidence.find((e) => e.label === 'offending ciphers')!.value).toBe('aes128-cbc,3des-cbc');
    expect(f['SSH-MAC-WEAK']!.status).toBe('fail');
    expect(f['SSH-TERRAPIN']!.status).toBe('fail');
    expect(f['SSH-NO-PQ-KEX']!.status).toBe('info');
    expect(f['SSH-COMPRESSION']!.status).toBe('warn');
    expect(f['SSH-AUTH-METHODS']!.status).toBe('warn');
    expect(f['SSH-SOFTWARE']!.status).toBe('fail');
    expect(f['SSH-SOFTWARE']!.detail).toMatch(/version indicates regreSSHion/);
  });

  it('Terrapin: strict kex turns the preconditions into a pass; CBC+EtM counts', () => {
    expect(run(ep({ ...LEGACY, strictKex: true }))['SSH-TERRAPIN']!.status).toBe('pass');
    const cbcEtm = { ...MODERN, strictKex: false, ciphers: ['aes128-cbc'], macs: ['hmac-sha2-256-etm@openssh.com'] };
    expect(run(ep(cbcEtm))['SSH-TERRAPIN']!.status).toBe('fail');
    const cbcOnly = { ...MODERN, strictKex: false, ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256-etm@openssh.com'] };
    expect(run(ep(cbcOnly))['SSH-TERRAPIN']!.status).toBe('pass');
  });

  it('auth methods: none accepted is critical; unknown is skipped', () => {
    const none = run(ep({ ...MODERN, authMethods: ['none'], authProbe: { ok: true, error: null, noneAccepted: true, username: 'x' } }));
    expect(none['SSH-AUTH-METHODS']).toMatchObject({ status: 'fail', severity: 'critical' });
    const unk = run(
      ep({ ...MODERN, authMethods: [], authProbe: { ok: false, error: 'handshake failed', noneAccepted: false, username: 'x' } }),
    );
    expect(unk['SSH-AUTH-METHODS']!.status).toBe('skipped');
  });

  it('SFTP subsystem and SFTP-only with credentials', () => {
    const sftpOnly = {
      ...MODERN,
      login: { attempted: true, ok: true, method: 'password', error: null },
      sftp: { opened: true, version: 3, extensions: { 'posix-rename@openssh.com': '1' }, error: null },
      sftpOnly: {
        shell: 'refused' as const,
        exec: 'refused' as const,
        forwarding: 'refused' as const,
        details: { shell: 'exit 1', exec: 'exit 1', forwarding: 'prohibited' },
      },
    };
    const a = run(ep(sftpOnly));
    expect(a['SSH-SFTP-SUBSYSTEM']!.status).toBe('pass');
    expect(a['SSH-SFTP-SUBSYSTEM']!.detail).toMatch(/version 3/);
    expect(a['SSH-SFTP-ONLY']!.status).toBe('pass');
    const normal = { ...sftpOnly, sftpOnly: { ...sftpOnly.sftpOnly, exec: 'allowed' as const, shell: 'allowed' as const } };
    const b = run(ep(normal));
    expect(b['SSH-SFTP-ONLY']!.status).toBe('fail');
    expect(b['SSH-SFTP-ONLY']!.remediation).toMatch(/ForceCommand internal-sftp/);
    expect(b['SSH-SFTP-ONLY']!.remediation).toMatch(/DisableForwarding yes/);
    const failed = run(ep({ ...MODERN, login: { attempted: true, ok: false, method: 'password', error: 'auth failed' } }));
    expect(failed['SSH-SFTP-ONLY']!.status).toBe('skipped');
  });
});

describe('software advisories', () => {
  it('regreSSHion range, vendor backports', () => {
    const adv = (s: string, c = '') => softwareAdvisories(parseSshSoftware(s, c)).map((a) => `${a.id}:${a.verdict}`);
    expect(adv('OpenSSH_9.7p1')).toEqual(['CVE-2024-6387:vulnerable']);
    expect(adv('OpenSSH_8.5p1')).toEqual(['CVE-2024-6387:vulnerable']);
    expect(adv('OpenSSH_8.4p1')).toEqual([]);
    expect(adv('OpenSSH_9.8p1')).toEqual([]);
    expect(adv('OpenSSH_9.2p1', 'Debian-2+deb12u3')).toEqual(['CVE-2024-6387:fixed-by-vendor']);
    expect(adv('OpenSSH_9.2p1', 'Debian-2+deb12u2')).toEqual(['CVE-2024-6387:vulnerable']);
    expect(adv('OpenSSH_8.9p1', 'Ubuntu-3ubuntu0.10')).toEqual(['CVE-2024-6387:fixed-by-vendor']);
    expect(adv('OpenSSH_9.3p1', 'FreeBSD-20230719')).toEqual(['CVE-2024-6387:check-vendor']);
    expect(adv('OpenSSH_7.2p2')).toEqual(['EOL:vulnerable']);
    expect(adv('dropbear_2022.83')).toEqual([]);
  });
});
