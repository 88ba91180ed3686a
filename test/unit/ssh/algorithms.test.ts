import { describe, expect, it } from 'vitest';
import { classify, isPostQuantumKex } from '../../../src/knowledge/ssh-algorithms.js';

describe('classification table (src/knowledge/ssh-algorithms.ts)', () => {
  const cases: [Parameters<typeof classify>[0], string, string][] = [
    ['kex', 'mlkem768x25519-sha256', 'good'],
    ['kex', 'sntrup761x25519-sha512', 'good'],
    ['kex', 'sntrup761x25519-sha512@openssh.com', 'good'],
    ['kex', 'curve25519-sha256', 'good'],
    ['kex', 'curve25519-sha256@libssh.org', 'good'],
    ['kex', 'ecdh-sha2-nistp256', 'acceptable'],
    ['kex', 'ecdh-sha2-nistp521', 'acceptable'],
    ['kex', 'ecdh-sha2-1.3.132.0.10', 'acceptable'],
    ['kex', 'diffie-hellman-group14-sha256', 'acceptable'],
    ['kex', 'diffie-hellman-group16-sha512', 'acceptable'],
    ['kex', 'diffie-hellman-group-exchange-sha256', 'acceptable'],
    ['kex', 'diffie-hellman-group14-sha1', 'weak'],
    ['kex', 'diffie-hellman-group1-sha1', 'fail'],
    ['kex', 'diffie-hellman-group-exchange-sha1', 'fail'],
    ['kex', 'rsa1024-sha1', 'fail'],
    ['kex', 'gss-gex-sha1-toWM5Slw5Ew8Mqkay+al2g==', 'fail'],
    ['kex', 'kex-strict-s-v00@openssh.com', 'good'],
    ['kex', 'something-new@example.com', 'unknown'],
    ['hostkey', 'ssh-ed25519', 'good'],
    ['hostkey', 'rsa-sha2-512', 'good'],
    ['hostkey', 'rsa-sha2-256', 'good'],
    ['hostkey', 'ssh-rsa', 'fail'],
    ['hostkey', 'ssh-dss', 'fail'],
    ['hostkey', 'ecdsa-sha2-nistp256', 'acceptable'],
    ['hostkey', 'sk-ssh-ed25519@openssh.com', 'good'],
    ['hostkey', 'sk-ecdsa-sha2-nistp256@openssh.com', 'acceptable'],
    ['hostkey', 'ssh-ed25519-cert-v01@openssh.com', 'good'],
    ['hostkey', 'ssh-rsa-cert-v01@openssh.com', 'fail'],
    ['hostkey', 'ssh-dss-cert-v01@openssh.com', 'fail'],
    ['hostkey', 'sk-ssh-ed25519-cert-v01@openssh.com', 'good'],
    ['hostkey', 'foo-cert-v01@openssh.com', 'acceptable'],
    ['cipher', 'chacha20-poly1305@openssh.com', 'good'],
    ['cipher', 'aes256-gcm@openssh.com', 'good'],
    ['cipher', 'aes128-ctr', 'good'],
    ['cipher', 'aes128-cbc', 'weak'],
    ['cipher', 'aes256-cbc', 'weak'],
    ['cipher', 'twofish256-cbc', 'weak'],
    ['cipher', '3des-cbc', 'fail'],
    ['cipher', 'blowfish-cbc', 'fail'],
    ['cipher', 'cast128-cbc', 'fail'],
    ['cipher', 'arcfour', 'fail'],
    ['cipher', 'arcfour256', 'fail'],
    ['cipher', 'none', 'fail'],
    ['mac', 'hmac-sha2-256-etm@openssh.com', 'good'],
    ['mac', 'umac-128-etm@openssh.com', 'good'],
    ['mac', 'hmac-sha2-512', 'acceptable'],
    ['mac', 'hmac-sha1', 'weak'],
    ['mac', 'hmac-sha1-etm@openssh.com', 'weak'],
    ['mac', 'umac-64@openssh.com', 'weak'],
    ['mac', 'umac-64-etm@openssh.com', 'weak'],
    ['mac', 'hmac-sha2-256-96', 'weak'],
    ['mac', 'hmac-sha1-96', 'fail'],
    ['mac', 'hmac-md5', 'fail'],
    ['mac', 'hmac-md5-96', 'fail'],
    ['mac', 'hmac-md5-etm@openssh.com', 'fail'],
    ['mac', 'hmac-ripemd160', 'weak'],
    ['mac', 'hmac-whatever-96', 'weak'],
    ['compression', 'none', 'good'],
    ['compression', 'zlib@openssh.com', 'good'],
    ['compression', 'zlib', 'weak'],
  ];
  for (const [cat, name, rating] of cases) {
    it(`${cat} ${name} → ${rating}`, () => {
      const c = classify(cat, name);
      expect(c.rating).toBe(rating);
      if (rating !== 'unknown') {
        expect(c.reason.length).toBeGreaterThan(0);
        expect(c.source.length).toBeGreaterThan(0);
      }
    });
  }
  it('does not read inherited properties as algorithms', () => {
    expect(classify('kex', 'constructor').rating).toBe('unknown');
    expect(classify('cipher', '__proto__').rating).toBe('unknown');
  });
  it('post-quantum detection', () => {
    expect(isPostQuantumKex('mlkem768x25519-sha256')).toBe(true);
    expect(isPostQuantumKex('curve25519-sha256')).toBe(false);
  });
});
