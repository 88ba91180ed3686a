// PASV/EPSV replies as real servers send them (recorded), and the odd ones.
import { describe, expect, it } from 'vitest';
import { classifyAdvertised, eprtArgument, parseEpsv, parsePasv, PassiveParseError, portArgument } from '../../src/net/ftp-passive.js';
import { judgeUserReply } from '../../probes/ftp-login-policy.js';
import { parseReply } from '../../src/net/ftp-reply.js';

describe('parsePasv', () => {
  it.each([
    ['227 Entering Passive Mode (127,0,0,1,156,64).', '127.0.0.1', 40000], // vsftpd
    ['227 Entering Passive Mode (10,10,10,10,156,74).', '10.10.10.10', 40010], // ProFTPD MasqueradeAddress
    ['227 Entering Passive Mode (127,0,0,1,156,161)', '127.0.0.1', 40097], // Pure-FTPd
    ['227 Entering Passive Mode 192,0,2,7,4,1', '192.0.2.7', 1025], // no parentheses
    ['227 =192,0,2,7,4,1', '192.0.2.7', 1025], // IBM-style terse reply
    ['227 Entering Passive Mode (0,0,0,0,195,80)', '0.0.0.0', 50000],
    ['227 Entering Passive Mode ( 192, 0, 2, 7, 4, 1 )', '192.0.2.7', 1025],
  ])('%s', (text, address, port) => {
    expect(parsePasv(parseReply(`${text}\r\n`).text)).toEqual({ address, port });
  });

  it.each([
    ['Entering Passive Mode (300,1,1,1,4,1)', /out of range/],
    ['Entering Passive Mode (1,1,1,1,999,999)', /out of range/],
    ['Entering Passive Mode (1,1,1,1,0,0)', /port 0/],
    ['Entering Passive Mode', /cannot find/],
    ['Entering Passive Mode (1,2,3,4,5)', /cannot find/],
  ])('rejects %s', (text, msg) => {
    expect(() => parsePasv(text)).toThrow(PassiveParseError);
    expect(() => parsePasv(text)).toThrow(msg);
  });
});

describe('parseEpsv', () => {
  it.each([
    ['Entering Extended Passive Mode (|||40011|)', 40011],
    ['Entering Extended Passive Mode (!!!40011!)', 40011], // IBM i
    ['EPSV ok (|||6446|)', 6446],
  ])('%s', (text, port) => expect(parseEpsv(text)).toEqual({ address: null, port }));
  it('rejects out-of-range ports', () => expect(() => parseEpsv('(|||99999|)')).toThrow(/out of range/));
});

describe('addresses', () => {
  it('classifies advertised addresses against the one connected to', () => {
    expect(classifyAdvertised('127.0.0.1', '127.0.0.1')).toBe('same');
    expect(classifyAdvertised('127.0.0.1', '::ffff:127.0.0.1')).toBe('same');
    expect(classifyAdvertised('10.10.10.10', '203.0.113.5')).toBe('private');
    expect(classifyAdvertised('172.20.1.1', '203.0.113.5')).toBe('private');
    expect(classifyAdvertised('192.168.1.1', '203.0.113.5')).toBe('private');
    expect(classifyAdvertised('0.0.0.0', '203.0.113.5')).toBe('unspecified');
    expect(classifyAdvertised('198.51.100.9', '203.0.113.5')).toBe('foreign');
    expect(classifyAdvertised('127.0.0.1', '203.0.113.5')).toBe('loopback');
  });
  it('encodes PORT and EPRT arguments', () => {
    expect(portArgument('127.0.0.1', 40000)).toBe('127,0,0,1,156,64');
    expect(eprtArgument('127.0.0.1', 40000)).toBe('|1|127.0.0.1|40000|');
    expect(eprtArgument('::1', 40000)).toBe('|2|::1|40000|');
  });
});

describe('cleartext-login verdicts (recorded replies)', () => {
  const r = (s: string) => parseReply(`${s}\r\n`);
  it.each([
    ['530 Non-anonymous sessions must use encryption.', null, 'refused'], // vsftpd force_local_logins_ssl
    ['421 Sorry, cleartext sessions and weak ciphers are not accepted on this server.', null, 'refused'], // Pure-FTPd -Y 2
    ['331 Password required for xfs1234', '530 Login incorrect.', 'password-requested'], // ProFTPD TLSRequired off
    ['331 Please specify the password.', '530 Login incorrect.', 'password-requested'], // vsftpd plain
    ['331 Password required', '530 TLS required', 'refused-at-password'],
    ['331 Password required', '534 Policy requires SSL.', 'refused-at-password'],
    ['230 Login successful.', null, 'accepted'],
    ['331 Password required', null, 'password-requested'],
  ])('USER → %s, PASS → %s: %s', (user, pass, verdict) => {
    expect(judgeUserReply(r(user), pass ? r(pass) : null)).toBe(verdict);
  });
});
