import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  CIPHER_SUITES,
  legacySuites,
  parseSuiteName,
  SSLV2_KINDS,
  suiteByCode,
  suiteByName,
  suiteName,
  tls13Suites,
} from '../../../src/knowledge/tls-registry.js';

describe('cipher-suite registry', () => {
  it('has every IANA code once', () => {
    const codes = CIPHER_SUITES.map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
    const names = CIPHER_SUITES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(CIPHER_SUITES.length).toBeGreaterThanOrEqual(340);
  });

  it('knows the names and OpenSSL names', () => {
    expect(suiteByCode(0xc02f)).toMatchObject({ name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(suiteByCode(0x000a)?.name).toBe('TLS_RSA_WITH_3DES_EDE_CBC_SHA');
    expect(suiteByCode(0x1301)?.name).toBe('TLS_AES_128_GCM_SHA256');
    expect(suiteByCode(0xcca8)?.name).toBe('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
    expect(suiteByCode(0xc0b4)?.name).toBe('TLS_SHA256_SHA256');
    expect(suiteByName('DES-CBC3-SHA')?.code).toBe(0x000a);
    expect(suiteName(0x1234)).toBe('UNKNOWN_0x12,0x34');
    // includes suites OpenSSL never implemented
    expect(suiteByCode(0x0021)?.name).toBe('TLS_KRB5_WITH_IDEA_CBC_SHA');
    expect(suiteByCode(0xc100)?.name).toBe('TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC');
  });

  it('parses attributes from names', () => {
    expect(suiteByCode(0xc02f)).toMatchObject({
      kex: 'ECDHE',
      auth: 'RSA',
      cipher: 'AES-GCM',
      bits: 128,
      mac: 'AEAD',
      pfs: true,
      aead: true,
      cbc: false,
      tls12Only: true,
    });
    expect(suiteByCode(0x0003)).toMatchObject({ kex: 'RSA', export: true, cipher: 'RC4', bits: 40, mac: 'MD5', pfs: false });
    expect(suiteByCode(0x0018)).toMatchObject({ kex: 'DHE', anon: true, cipher: 'RC4' });
    expect(suiteByCode(0xc018)).toMatchObject({ kex: 'ECDHE', anon: true, cipher: 'AES-CBC', bits: 128 });
    expect(suiteByCode(0x0001)).toMatchObject({ cipher: 'NULL', mac: 'MD5', bits: 0 });
    expect(suiteByCode(0x000a)).toMatchObject({ cipher: '3DES', bits: 112, mac: 'SHA1', cbc: true });
    expect(suiteByCode(0x0009)).toMatchObject({ cipher: 'DES', bits: 56 });
    expect(suiteByCode(0xc09c)).toMatchObject({ cipher: 'AES-CCM', aead: true, mac: 'AEAD' });
    expect(suiteByCode(0xc0a0)).toMatchObject({ cipher: 'AES-CCM8' });
    expect(suiteByCode(0x0096)).toMatchObject({ cipher: 'SEED' });
    expect(suiteByCode(0x0007)).toMatchObject({ cipher: 'IDEA' });
    expect(suiteByCode(0xc03c)).toMatchObject({ cipher: 'ARIA-CBC', bits: 128, mac: 'SHA256' });
    expect(suiteByCode(0x0041)).toMatchObject({ cipher: 'CAMELLIA-CBC' });
    expect(suiteByCode(0x00ab)).toMatchObject({ kex: 'DHE_PSK', auth: 'PSK', pfs: true });
    expect(suiteByCode(0x1303)).toMatchObject({ tls13Only: true, cipher: 'CHACHA20', pfs: true });
    expect(suiteByCode(0xc0b5)).toMatchObject({ tls13Only: true, cipher: 'NULL' });
    expect(suiteByCode(0x00ff)).toMatchObject({ scsv: true });
    expect(suiteByCode(0x5600)).toMatchObject({ scsv: true, name: 'TLS_FALLBACK_SCSV' });
    expect(parseSuiteName(0x9999, 'WEIRD')).toMatchObject({ cipher: 'NONE' });
  });

  it('splits suites for enumeration', () => {
    expect(tls13Suites().map((s) => s.code)).toEqual(expect.arrayContaining([0x1301, 0x1302, 0x1303, 0x1304, 0x1305]));
    expect(legacySuites().some((s) => s.tls13Only || s.scsv)).toBe(false);
    expect(SSLV2_KINDS.map((k) => k.code)).toContain(0x0700c0);
  });

  it('marks as TLS 1.2-only exactly what OpenSSL does (the prober leaves those out below TLS 1.2)', () => {
    expect(suiteByCode(0x003c)).toMatchObject({ tls12Only: true }); // TLS_RSA_WITH_AES_128_CBC_SHA256
    expect(suiteByCode(0x00ae)).toMatchObject({ tls12Only: false }); // TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487)
    let lines: string[];
    try {
      lines = execFileSync('openssl', ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' }).trim().split('\n');
    } catch {
      return; // no openssl: the two fixed cases above still hold
    }
    const wrong: string[] = [];
    for (const l of lines) {
      const m = /^\s*0x..,0x.. - (\S+)\s+(\S+)/.exec(l);
      if (!m || m[2] === 'TLSv1.3') continue;
      const s = suiteByName(m[1]!);
      if (s && s.tls12Only !== (m[2] === 'TLSv1.2')) wrong.push(`${m[1]} (${m[2]})`);
    }
    expect(wrong).toEqual([]);
  });
});
