import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clientIdentification, parseIdentification, takeIdentification, PRE_BANNER_MAX } from '../../../src/ssh/ident.js';

describe('identification parsing', () => {
  it('OpenSSH with a Debian comment', () => {
    const r = parseIdentification('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3');
    expect(r).toEqual({
      ok: true,
      ident: {
        raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
        protoVersion: '2.0',
        software: 'OpenSSH_9.2p1',
        comments: 'Debian-2+deb12u3',
        overlong: false,
      },
    });
  });
  it('no comments; 1.99; dashes in software', () => {
    expect(parseIdentification('SSH-2.0-dropbear_2022.83')).toMatchObject({
      ok: true,
      ident: { software: 'dropbear_2022.83', comments: '' },
    });
    expect(parseIdentification('SSH-1.99-Cisco-1.25')).toMatchObject({ ok: true, ident: { protoVersion: '1.99', software: 'Cisco-1.25' } });
    expect(parseIdentification('SSH-2.0-Foo-Bar baz qux\r')).toMatchObject({
      ok: true,
      ident: { software: 'Foo-Bar', comments: 'baz qux' },
    });
  });
  it('rejects non-SSH lines and a missing version', () => {
    expect(parseIdentification('220 ftp ready').ok).toBe(false);
    expect(parseIdentification('SSH-').ok).toBe(false);
    expect(parseIdentification('SSH--x').ok).toBe(false);
  });
  it('escapes control characters', () => {
    const r = parseIdentification('SSH-2.0-evil\x1b[31m x');
    expect(r.ok && r.ident.software).toBe('evil\\x1b[31m');
  });
  it('marks over-long lines', () => {
    const r = parseIdentification(`SSH-2.0-x ${'a'.repeat(300)}`);
    expect(r.ok && r.ident.overlong).toBe(true);
  });
  it('our identification', () => {
    expect(clientIdentification()).toMatch(/^SSH-2\.0-xferscan_[0-9A-Za-z._]+$/);
  });
});

describe('takeIdentification on a byte stream', () => {
  it('waits for a full line', () => {
    expect(takeIdentification(Buffer.from('SSH-2.0-Open'))).toBeNull();
  });
  it('pre-banner lines, LF-only endings, and leaves the rest in the buffer', () => {
    const buf = Buffer.from('Welcome\r\nauthorised use only\nSSH-2.0-OpenSSH_9.6\r\n\x00\x00\x01\x00');
    const r = takeIdentification(buf);
    expect(r && 'value' in r).toBe(true);
    if (!r || !('value' in r)) return;
    expect(r.value.preBanner).toEqual(['Welcome', 'authorised use only']);
    expect(r.value.software).toBe('OpenSSH_9.6');
    expect(buf.subarray(r.consumed)).toEqual(Buffer.from([0, 0, 1, 0]));
  });
  it('limits line length and the number of pre-banner lines', () => {
    expect(takeIdentification(Buffer.alloc(5000, 0x41))).toMatchObject({ error: expect.stringMatching(/longer than/) });
    const many = Buffer.from('x\n'.repeat(PRE_BANNER_MAX + 1));
    expect(takeIdentification(many)).toMatchObject({ error: expect.stringMatching(/more than/) });
    expect(takeIdentification(Buffer.from('\x00\x00\x00\x10junk\n'))).toMatchObject({ error: expect.stringMatching(/NUL/) });
  });
  it('property: never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
        const r = takeIdentification(Buffer.from(b));
        return r === null || 'error' in r || 'value' in r;
      }),
      { numRuns: 1000 },
    );
  });
});
