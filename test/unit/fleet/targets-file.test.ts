import { describe, expect, it } from 'vitest';
import { detectTargetsFormat, parseCsv, parseTargetsFile } from '../../../src/fleet/targets-file.js';
import { expandInventory, entryCredentials } from '../../../src/fleet/inventory.js';
import { UsageError } from '../../../src/targets.js';

const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toMatch(/\n/);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('format detection', () => {
  it.each([
    ['a.csv', 'x', 'csv'],
    ['a.yaml', 'x', 'yaml'],
    ['a.YML', 'x', 'yaml'],
    ['a.json', 'x', 'json'],
    ['a.txt', 'host,port', 'text'],
    ['inv', '# c\n[ "h" ]', 'json'],
    ['inv', '{"targets": []}', 'json'],
    ['inv', '- host: a\n', 'yaml'],
    ['inv', 'targets:\n  - a\n', 'yaml'],
    ['inv', 'host,port\na,21\n', 'csv'],
    ['inv', 'a.example.com\nsftp://b:22\n', 'text'],
  ])('%s %j -> %s', (file, text, want) => {
    expect(detectTargetsFormat(file, text)).toBe(want);
  });
});

describe('CSV', () => {
  it('parses RFC 4180 quoting: commas, doubled quotes, newlines inside quotes, CRLF, comments', () => {
    const rows = parseCsv('# inventory\r\nhost,port\r\n"a,b",21\r\n"say ""hi""",22\n"multi\nline",23\n\n  c , 990 \n');
    expect(rows.map((r) => r.cells)).toEqual([
      ['host', 'port'],
      ['a,b', '21'],
      ['say "hi"', '22'],
      ['multi\nline', '23'],
      ['c', '990'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 8]);
  });

  it('reads an inventory with a header, in any column order and spelling', () => {
    const text =
      'Host,Port,Service,User,password_env,Policy\nfiles.example.com,2222,sftp,partner,PW_A,pol.yaml\n"ftp.example.com",,ftps-explicit,,,\nsftp://h3:2200,,,,,\n';
    const es = parseTargetsFile(text, '/inv/t.csv');
    expect(es).toHaveLength(3);
    expect(es[0]).toMatchObject({
      target: { host: 'files.example.com', port: 2222, scheme: 'sftp' },
      expectedService: 'sftp',
      user: 'partner',
      passwordEnv: 'PW_A',
      policy: '/inv/pol.yaml',
      line: 2,
    });
    expect(es[1]).toMatchObject({
      target: { host: 'ftp.example.com', port: 21, scheme: 'ftpes' },
      expectedService: 'ftps-explicit',
      line: 3,
    });
    expect(es[2]).toMatchObject({ target: { host: 'h3', port: 2200, scheme: 'sftp' }, expectedService: 'sftp' });
  });

  it('reads rows without a header as host,port,service,…', () => {
    const es = parseTargetsFile('a.example.com,21\nb.example.com,990,ftps-implicit\n', 'x.csv');
    expect(es.map((e) => [e.target.host, e.target.port, e.expectedService])).toEqual([
      ['a.example.com', 21, null],
      ['b.example.com', 990, 'ftps-implicit'],
    ]);
  });

  it.each([
    ['host,port,password\na,21,secret\n', /t\.csv:1: a password column \("password"\) is refused/],
    ['host,port\na,99999\n', /t\.csv:2: invalid port "99999"/],
    ['host,port\na,21\nb,21,extra\n', /t\.csv:3: 3 fields, but there are only 2 columns/],
    ['host,port,service\na,21,ftps\n', /t\.csv:2: unknown service "ftps": expected one of sftp, ftps-explicit, ftps-implicit, ftp/],
    ['host,port\n"a,21\n', /t\.csv:2: unterminated quoted field/],
    ['host,port\na"b,21\n', /t\.csv:2: a quote in the middle of an unquoted field/],
    ['host,colour\na,red\n', /t\.csv:1: unknown column "colour"/],
    ['host,user,passwordEnv\na,u,"hunter2 !"\n', /t\.csv:2: passwordEnv must name an environment variable/],
    ['host,passwordEnv\na,PW\n', /t\.csv:2: passwordEnv\/keyFile given without user/],
    ['host,port,service\nsftp://a,22,ftp\n', /t\.csv:2: service ftp contradicts the URL scheme sftp/],
    ['host,port\na:21,22\n', /t\.csv:2: "a:21" names port 21 but the port field says 22/],
    ['host,port\nexa mple,21\n', /t\.csv:2: invalid target/],
  ])('rejects %j', (text, re) => {
    expect(err(() => parseTargetsFile(text, 't.csv'))).toMatch(re);
  });
});

describe('YAML', () => {
  it('reads a list or targets:, with strings and mappings, and knows each item line', () => {
    const text = `# partners
targets:
  - host: files.example.com
    port: 2222
    service: sftp
    user: partner
    passwordEnv: PARTNER_PW
  - "ftpes://ftp.example.com"
  - host: 192.0.2.7   # a comment
    service: ftps-implicit
    policy: policies/p.yaml
`;
    const es = parseTargetsFile(text, '/etc/xfer/inv.yaml');
    expect(es.map((e) => e.line)).toEqual([3, 8, 9]);
    expect(es[0]).toMatchObject({
      target: { host: 'files.example.com', port: 2222 },
      expectedService: 'sftp',
      user: 'partner',
      passwordEnv: 'PARTNER_PW',
    });
    expect(es[1]).toMatchObject({ target: { host: 'ftp.example.com', port: 21, scheme: 'ftpes' }, expectedService: 'ftps-explicit' });
    expect(es[2]).toMatchObject({ target: { host: '192.0.2.7', port: 990, scheme: 'ftps' }, policy: '/etc/xfer/policies/p.yaml' });
  });

  it.each([
    ['- host: a\n  password: hunter2\n', /inv\.yaml:1: a literal password \("password"\) is refused: put it in an environment variable/],
    ['- host: a\n- host: b\n  port: 0\n', /inv\.yaml:2: invalid port "0"/],
    ['- host: a\n  colour: red\n', /inv\.yaml:1: unknown field "colour"/],
    ['- host: a\n\tport: 21\n', /inv\.yaml:2: tab in indentation/],
    ['- host: &x a\n', /inv\.yaml:1: .*not supported/],
    ['hosts:\n  - a\n', /inv\.yaml:1: unknown top-level field "hosts"/],
    ['- [a, b]\n', /inv\.yaml:1: each target must be a string/],
  ])('rejects %j', (text, re) => {
    expect(err(() => parseTargetsFile(text, 'inv.yaml'))).toMatch(re);
  });
});

describe('JSON', () => {
  it('reads a list or {targets}, with the line of each item', () => {
    const text =
      '{\n  "targets": [\n    {"host": "a.example.com", "port": 22, "service": "sftp"},\n    "ftps://b.example.com",\n    {\n      "host": "c.example.com", "user": "u", "keyFile": "k/id"\n    }\n  ]\n}\n';
    const es = parseTargetsFile(text, '/x/inv.json');
    expect(es.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(es[2]).toMatchObject({ user: 'u', keyFile: '/x/k/id' });
    expect(parseTargetsFile('["a", {"host":"b","port":"2121"}]', 'l.json').map((e) => [e.target.host, e.target.port])).toEqual([
      ['a', null],
      ['b', 2121],
    ]);
  });

  it.each([
    ['[\n  {"host": "a"},\n  {"host": "b", "password": "x"}\n]', /inv\.json:3: a literal password/],
    ['[\n  {"host": "a"},\n  {"host": "b",, }\n]', /inv\.json:3: not valid JSON/],
    ['[\n  {"host": "a"},\n  {"port": 21}\n]', /inv\.json:3: no host/],
    ['{"targets": 5}', /inv\.json:1: expected a list of targets/],
    ['[{"host": "a", "port": 21.5}]', /inv\.json:1: invalid port/],
  ])('rejects %j', (text, re) => {
    expect(err(() => parseTargetsFile(text, 'inv.json'))).toMatch(re);
  });
});

describe('text (one target per line) still works', () => {
  it('keeps comments and URLs', () => {
    const es = parseTargetsFile('# fleet\na.example.com\nsftp://b.example.com:2222 # ssh\n\n', 'hosts.txt');
    expect(es.map((e) => [e.target.host, e.target.port, e.line])).toEqual([
      ['a.example.com', null, 2],
      ['b.example.com', 2222, 3],
    ]);
    expect(err(() => parseTargetsFile('ok.example.com\nhttp://x\n', 'hosts'))).toMatch(/^hosts:2: unsupported scheme/);
  });
});

describe('expansion and credentials', () => {
  it('expands portless entries with --ports and drops duplicates', () => {
    const es = parseTargetsFile('host,port\na,\na,21\nb,22\n', 'i.csv');
    const inv = expandInventory(es, [21, 22]);
    expect(inv.endpoints.map((e) => `${e.host}:${e.port}`)).toEqual(['a:21', 'a:22', 'b:22']);
  });

  it('reads passwords only from the named variable, and says which line names an unset one', () => {
    const [e] = parseTargetsFile('host,user,passwordEnv\na,u,FLEET_PW\n', 'i.csv');
    expect(entryCredentials(e, { FLEET_PW: 's3cret' })).toEqual({ user: 'u', password: 's3cret', privateKey: undefined });
    expect(err(() => entryCredentials(e, {}))).toMatch(/i\.csv:2: passwordEnv FLEET_PW for a: that environment variable is not set/);
  });
});
