import { describe, expect, it } from 'vitest';
import { parsePortList, parseTarget, UsageError } from '../../src/targets.js';
import { expandTargets } from '../../src/fleet/inventory.js';

describe('parseTarget', () => {
  it.each([
    ['example.com', { host: 'example.com', port: null, scheme: null }],
    ['Example.COM.', { host: 'example.com', port: null, scheme: null }],
    ['example.com:2121', { host: 'example.com', port: 2121, scheme: null }],
    ['192.0.2.7', { host: '192.0.2.7', port: null, scheme: null }],
    ['192.0.2.7:22', { host: '192.0.2.7', port: 22, scheme: null }],
    ['[2001:db8::1]:990', { host: '2001:db8::1', port: 990, scheme: null }],
    ['[::1]', { host: '::1', port: null, scheme: null }],
    ['2001:db8::1', { host: '2001:db8::1', port: null, scheme: null }],
    ['sftp://files.example.com', { host: 'files.example.com', port: 22, scheme: 'sftp' }],
    ['sftp://files.example.com:2222', { host: 'files.example.com', port: 2222, scheme: 'sftp' }],
    ['ftp://h', { host: 'h', port: 21, scheme: 'ftp' }],
    ['ftps://h', { host: 'h', port: 990, scheme: 'ftps' }],
    ['FTPES://h:2121/', { host: 'h', port: 2121, scheme: 'ftpes' }],
    ['ftps://[::1]:9990', { host: '::1', port: 9990, scheme: 'ftps' }],
  ])('%s', (input, want) => {
    expect(parseTarget(input)).toMatchObject(want);
  });

  it.each([
    ['', /empty target/],
    ['http://example.com', /unsupported scheme "http:\/\/"/],
    ['example.com:0', /invalid port "0"/],
    ['example.com:65536', /invalid port/],
    ['example.com:abc', /invalid port/],
    ['exa mple.com', /not a host name/],
    ['-bad-.com', /not a host name/],
    ['sftp://user:pw@host', /do not put credentials/],
    ['[not-v6]:21', /not an IPv6 address/],
    ['a:b:c', /IPv6 addresses with a port/],
    ['host/path', /expected host/],
  ])('rejects %j with a one-line message', (input, msg) => {
    let err: unknown;
    try {
      parseTarget(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toMatch(/\n/);
  });
});

describe('expandTargets', () => {
  it('tries every --ports entry for a target without port, and one port otherwise', () => {
    const eps = expandTargets([parseTarget('h'), parseTarget('ftpes://g'), parseTarget('h')], [21, 22, 990]);
    expect(eps.map((e) => `${e.host}:${e.port}:${e.expectedService}`)).toEqual([
      'h:21:null',
      'h:22:null',
      'h:990:null',
      'g:21:ftps-explicit',
    ]);
  });

  it('maps schemes to the service they demand', () => {
    const [s] = expandTargets([parseTarget('sftp://h')], [21]);
    const [i] = expandTargets([parseTarget('ftps://h')], [21]);
    const [f] = expandTargets([parseTarget('ftp://h')], [21]);
    expect([s.expectedService, i.expectedService, f.expectedService]).toEqual(['sftp', 'ftps-implicit', null]);
  });
});

describe('parsePortList', () => {
  it('parses and de-duplicates', () => expect(parsePortList('21, 22,21,990')).toEqual([21, 22, 990]));
  it('rejects empty and bad lists', () => {
    expect(() => parsePortList(',')).toThrow(UsageError);
    expect(() => parsePortList('21,x')).toThrow(/invalid port "x"/);
  });
});
