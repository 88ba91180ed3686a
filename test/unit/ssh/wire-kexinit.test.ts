import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildKexinit, parseKexinit, WIDE_OFFER, isKexMarker } from '../../../src/ssh/kexinit.js';
import { framePacket, takePacket, MAX_PACKET_LENGTH, encUint32, encString, mpintBits } from '../../../src/ssh/wire.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as { identification: string; packetHex: string };

function payloadOf(name: string): Buffer {
  const p = takePacket(Buffer.from(fixture(name).packetHex, 'hex'));
  if (!p.ok) throw new Error('fixture does not frame');
  return p.payload;
}

describe('recorded KEXINIT packets (OpenSSH 9.2p1)', () => {
  it('parses sshd-modern: lists, markers apart from algorithms', () => {
    const r = parseKexinit(payloadOf('sshd-modern'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const k = r.kexinit;
    expect(k.kex).toEqual([
      'sntrup761x25519-sha512',
      'sntrup761x25519-sha512@openssh.com',
      'curve25519-sha256',
      'curve25519-sha256@libssh.org',
      'ecdh-sha2-nistp256',
      'ecdh-sha2-nistp384',
      'ecdh-sha2-nistp521',
      'diffie-hellman-group-exchange-sha256',
      'diffie-hellman-group16-sha512',
      'diffie-hellman-group18-sha512',
      'diffie-hellman-group14-sha256',
    ]);
    expect(k.kexMarkers).toEqual(['kex-strict-s-v00@openssh.com']);
    expect(k.kexRaw.at(-1)).toBe('kex-strict-s-v00@openssh.com');
    expect(k.hostKeyAlgorithms).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256']);
    expect(k.ciphersStoC).toEqual([
      'chacha20-poly1305@openssh.com',
      'aes128-ctr',
      'aes192-ctr',
      'aes256-ctr',
      'aes128-gcm@openssh.com',
      'aes256-gcm@openssh.com',
    ]);
    expect(k.ciphersCtoS).toEqual(k.ciphersStoC);
    expect(k.macsStoC).toContain('umac-64-etm@openssh.com');
    expect(k.compressionStoC).toEqual(['none', 'zlib@openssh.com']);
    expect(k.languagesCtoS).toEqual([]);
    expect(k.firstKexPacketFollows).toBe(false);
    expect(k.reserved).toBe(0);
    expect(k.warnings).toEqual([]);
  });

  it('parses sshd-legacy: SHA-1 kex, CBC, MD5, ssh-dss', () => {
    const r = parseKexinit(payloadOf('sshd-legacy'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kexinit.kex).toContain('diffie-hellman-group1-sha1');
    expect(r.kexinit.kex).toContain('diffie-hellman-group-exchange-sha1');
    expect(r.kexinit.hostKeyAlgorithms).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss']);
    expect(r.kexinit.ciphersStoC).toContain('3des-cbc');
    expect(r.kexinit.macsStoC).toContain('hmac-md5-96');
  });

  it('round-trips our own KEXINIT', () => {
    const payload = buildKexinit(WIDE_OFFER);
    const r = parseKexinit(payload);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kexinit.kex).toEqual(WIDE_OFFER.kex.filter((n) => !isKexMarker(n)));
    expect(r.kexinit.kexMarkers).toEqual(['ext-info-c']);
    expect(r.kexinit.macsCtoS).toEqual(WIDE_OFFER.macsCtoS);
    const framed = framePacket(payload);
    expect(framed.length % 8).toBe(0);
    const t = takePacket(framed);
    expect(t.ok && t.payload.equals(payload)).toBe(true);
  });
});

describe('malformed input never throws', () => {
  const good = () => payloadOf('sshd-modern');

  it('a name-list length that overruns the payload', () => {
    const p = Buffer.from(good());
    p.writeUInt32BE(0x7fffffff, 17); // first name-list length
    const r = parseKexinit(p);
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.error).toMatch(/kex_algorithms length .* overruns/);
  });

  it('every truncation of a real payload is an error, not a throw', () => {
    const p = good();
    for (let n = 0; n < p.length - 5; n += 7) {
      const r = parseKexinit(p.subarray(0, n));
      expect(r.ok).toBe(false);
    }
  });

  it('wrong message number', () => {
    const p = Buffer.from(good());
    p[0] = 21;
    expect(parseKexinit(p)).toMatchObject({ ok: false, error: expect.stringMatching(/expected SSH_MSG_KEXINIT/) });
  });

  it('trailing bytes and odd names become warnings', () => {
    const payload = Buffer.concat([buildKexinit({ ...WIDE_OFFER, kex: ['curve25519-sha256', '', 'bad\x01name'] }), Buffer.from([1, 2, 3])]);
    const r = parseKexinit(payload);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kexinit.warnings.join(' ')).toMatch(/empty name/);
    expect(r.kexinit.warnings.join(' ')).toMatch(/non-printable/);
    expect(r.kexinit.warnings.join(' ')).toMatch(/3 trailing bytes/);
    expect(r.kexinit.kex).toContain('bad\\x01name');
  });

  it('huge packet_length (~4 GiB) is refused before buffering', () => {
    const hostile = Buffer.concat([encUint32(0xfffffff0), Buffer.from([4, 20])]);
    const t = takePacket(hostile);
    expect(t).toMatchObject({ ok: false });
    expect('error' in t && t.error).toMatch(/exceeds limit/);
    const justOver = takePacket(Buffer.concat([encUint32(MAX_PACKET_LENGTH + 1), Buffer.from([4])]));
    expect('error' in justOver).toBe(true);
  });

  it('padding longer than the packet, tiny packets, incomplete packets', () => {
    expect(takePacket(Buffer.concat([encUint32(8), Buffer.from([200]), Buffer.alloc(8)]))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/padding_length/),
    });
    expect(takePacket(Buffer.concat([encUint32(2), Buffer.from([0, 0])]))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/too small/),
    });
    expect(takePacket(Buffer.concat([encUint32(100), Buffer.from([4, 20, 0])]))).toMatchObject({ ok: false, need: 97 });
  });

  it('property: parseKexinit and takePacket never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const b = Buffer.from(bytes);
        const r1 = parseKexinit(b);
        const r2 = parseKexinit(Buffer.concat([Buffer.from([20]), b]));
        const r3 = takePacket(b);
        return typeof r1.ok === 'boolean' && typeof r2.ok === 'boolean' && typeof r3.ok === 'boolean';
      }),
      { numRuns: 2000 },
    );
  });

  it('property: random mutations of a real payload never throw', () => {
    const base = good();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (muts) => {
        const p = Buffer.from(base);
        for (const [i, v] of muts) p[i] = v;
        const r = parseKexinit(p);
        return typeof r.ok === 'boolean';
      }),
      { numRuns: 2000 },
    );
  });
});

describe('wire helpers', () => {
  it('mpintBits', () => {
    expect(mpintBits(Buffer.from([0x00, 0x80]))).toBe(8);
    expect(mpintBits(Buffer.from([0x01, 0x00]))).toBe(9);
    expect(mpintBits(Buffer.alloc(0))).toBe(0);
    expect(encString('ab')).toEqual(Buffer.from([0, 0, 0, 2, 0x61, 0x62]));
  });
});
