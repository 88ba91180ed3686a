import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fingerprintSha256, hostKeyFamilies, parseHostKeyBlob } from '../../../src/ssh/hostkeys.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/hostkeys.json', import.meta.url), 'utf8')) as {
  keys: { pub: string; bits: number; fingerprint: string; label: string }[];
};

describe('host key blobs (expected values from ssh-keygen -lf)', () => {
  for (const k of fx.keys) {
    it(`${k.label} ${k.bits}`, () => {
      const blob = Buffer.from(k.pub.split(' ')[1]!, 'base64');
      const p = parseHostKeyBlob(blob);
      expect(p.ok).toBe(true);
      if (!p.ok) return;
      expect(p.type).toBe(k.pub.split(' ')[0]);
      expect(p.bits).toBe(k.bits);
      expect(fingerprintSha256(p.plainBlob)).toBe(k.fingerprint);
      expect(p.certificate).toBe(k.label.endsWith('-CERT)'));
      if (p.type.startsWith('ecdsa')) expect(p.curve).toBe(`nistp${k.bits}`);
    });
  }
  it('truncated and garbage blobs are errors', () => {
    const blob = Buffer.from(fx.keys.find((k) => k.label === '(RSA)')!.pub.split(' ')[1]!, 'base64');
    for (let n = 0; n < blob.length; n += 13) expect(parseHostKeyBlob(blob.subarray(0, n)).ok).toBe(false);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => typeof parseHostKeyBlob(Buffer.from(b)).ok === 'boolean'));
  });
  it('unknown key types parse with bits null', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-xyz')]);
    expect(parseHostKeyBlob(blob)).toMatchObject({ ok: true, type: 'ssh-xyz', bits: null });
  });
});

describe('host key families', () => {
  it('groups RSA signature variants into one key and keeps others apart', () => {
    const f = hostKeyFamilies([
      'ssh-ed25519',
      'rsa-sha2-256',
      'ssh-rsa',
      'rsa-sha2-512',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ssh-dss',
      'rsa-sha2-512-cert-v01@openssh.com',
      'sk-ssh-ed25519@openssh.com',
    ]);
    expect(f.map((x) => [x.family, x.request])).toEqual([
      ['ssh-ed25519', 'ssh-ed25519'],
      ['ssh-rsa', 'rsa-sha2-512'],
      ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
      ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
      ['ssh-dss', 'ssh-dss'],
      ['ssh-rsa-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com'],
      ['sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519@openssh.com'],
    ]);
    expect(f[1]!.algorithms).toEqual(['rsa-sha2-256', 'ssh-rsa', 'rsa-sha2-512']);
  });
});
