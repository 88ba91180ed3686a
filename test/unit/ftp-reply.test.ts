import { describe, expect, it } from 'vitest';
import { FtpReplyAssembler, FtpReplyError, greetingRefusal, parseReply } from '../../src/net/ftp-reply.js';

describe('FTP reply parsing (recorded replies)', () => {
  it('single line', () => {
    expect(parseReply('220 (vsFTPd 3.0.3)\r\n')).toEqual({ code: 220, lines: ['220 (vsFTPd 3.0.3)'], text: '(vsFTPd 3.0.3)' });
  });

  it('multi-line greeting with text lines and code-dash lines (Pure-FTPd style)', () => {
    const raw = [
      '220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------',
      '220-You are user number 1 of 50 allowed.',
      '220-Local time is now 04:12. Server port: 21024.',
      '220-This is a private system - No anonymous login',
      '220 You will be disconnected after 15 minutes of inactivity.',
    ].join('\r\n');
    const r = parseReply(raw);
    expect(r.code).toBe(220);
    expect(r.lines).toHaveLength(5);
    expect(r.text).toMatch(/Pure-FTPd/);
  });

  it('FEAT reply whose inner lines start with a space', () => {
    const r = parseReply('211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n');
    expect(r.code).toBe(211);
    expect(r.lines.slice(1, -1).map((l) => l.trim())).toEqual(['AUTH TLS', 'PBSZ', 'PROT']);
  });

  it('an inner line that starts with the same code and a space ends the reply (RFC 959)', () => {
    const asm = new FtpReplyAssembler();
    expect(asm.push('230-Welcome')).toBeNull();
    expect(asm.push('230-more')).toBeNull();
    expect(asm.push('231 not the end, other code')).toBeNull();
    expect(asm.push('230 done')).toMatchObject({ code: 230 });
  });

  it('IBM z/OS style multi-line with different codes inside', () => {
    const r = parseReply(
      '220-FTPD1 IBM FTP CS V2R4 at HOST, 12:00:00 on 2026-11-22.\r\n220-More\r\n220 Connection will close if idle for more than 5 minutes.\r\n',
    );
    expect(r.code).toBe(220);
    expect(r.text).toMatch(/IBM FTP CS/);
  });

  it('a bare code line', () => {
    expect(parseReply('200\r\n')).toMatchObject({ code: 200 });
  });

  it('rejects non-replies', () => {
    expect(() => new FtpReplyAssembler().push('SSH-2.0-OpenSSH_9.2')).toThrow(FtpReplyError);
    expect(() => new FtpReplyAssembler().push('22 short')).toThrow(FtpReplyError);
    expect(() => new FtpReplyAssembler().push('2200 long')).toThrow(FtpReplyError);
  });

  it('bounds the number of lines of a multi-line reply', () => {
    const asm = new FtpReplyAssembler({ maxLines: 10 });
    asm.push('220-start');
    expect(() => {
      for (let i = 0; i < 20; i++) asm.push(`220-line ${i}`);
    }).toThrow(/longer than 10 lines/);
  });
});

describe('greetingRefusal', () => {
  it.each([
    [220, null],
    [120, null],
    [421, 'ftp-421'],
    [530, 'ftp-refused-greeting'], // ProFTPD over MaxConnectionsPerHost
    [550, 'ftp-refused-greeting'],
    [450, 'ftp-refused-greeting'],
  ] as const)('greeting %i → %s', (code, kind) => {
    expect(greetingRefusal(code)).toBe(kind);
  });
});
