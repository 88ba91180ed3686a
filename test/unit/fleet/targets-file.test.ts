import { describe, expect, it } from 'vitest';
import { detectTargetsFormat, loadTargetsFile, parseCsv, parseTargetsFile } from '../../../src/fleet/targets-file.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
    ['host,port,service\na,21,ftps\n', /t\.csv:2: unknown service "ftps": expected one of sftp, ftps-explicit, ftps-implicit, ftp/],
    ['host,port\n"a,21\n', /t\.csv:2: unterminated quoted field/],
    ['host,port\na"b,21\n', /t\.csv:2: a quote in the middle of an unquoted field/],
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
    ['- host: a\n\tport: 21\n', /inv\.yaml:2: /],
    ['hosts:\n  - a\n', /inv\.yaml:1: expected a list of targets, or "targets:" with one \(found "hosts"\)/],
    ['- host: 5\n', /inv\.yaml:1: host must be a string, not the number 5/],
    ['- 5\n', /inv\.yaml:1: a target must be a host name, address or URL in quotes, not the number 5/],
    ['- host: "5"\n', /inv\.yaml:1: host "5" is a number/],
    ['- host: "127.1"\n', /inv\.yaml:1: host "127\.1" is a number/],
    ['- host: a\n- host: a\n  port: 21\n  port: 22\n', /inv\.yaml:4: Map keys must be unique/],
    ['--- [a]\n--- [b]\n', /more than one YAML document/],
    ['- host: !!binary aGVsbG8=\n', /inv\.yaml:1: /],
    ['- [a, b]\n', /inv\.yaml:1: each target must be a string/],
  ])('rejects %j', (text, re) => {
    expect(err(() => parseTargetsFile(text, 'inv.yaml'))).toMatch(re);
  });
});

describe('inputs partners write (issue 15)', () => {
  it('YAML: flow mappings, anchors and aliases, folded scalars', () => {
    const warnings: string[] = [];
    const text = `defaults: &d {port: 2222, service: sftp}
targets:
  - {host: a.example.com, port: 2222, service: sftp}
  - host: b.example.com
    <<: *d
    notes: >
      folded
      text
`;
    const es = parseTargetsFile(text, 'inv.yaml', undefined, (m) => warnings.push(m));
    expect(es.map((e) => [e.target.host, e.target.port, e.expectedService, e.line])).toEqual([
      ['a.example.com', 2222, 'sftp', 3],
      ['b.example.com', 2222, 'sftp', 4],
    ]);
    expect(warnings.join('\n')).toMatch(/top-level field\(s\) "defaults" ignored/);
    expect(warnings.join('\n')).toMatch(/inv\.yaml:4: field\(s\) "notes" ignored/);
  });

  it('YAML: deep nesting and alias bombs are one-line errors, fast', () => {
    const t = performance.now();
    expect(err(() => parseTargetsFile(`${'['.repeat(50_000)}${']'.repeat(50_000)}`, 'deep.yaml'))).toMatch(/^deep\.yaml:1: .*(deep|nest)/);
    expect(err(() => parseTargetsFile(`- ${'['.repeat(100)}a${']'.repeat(100)}\n`, 'deep.yaml'))).toMatch(/nested deeper than 64/);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    bomb.push('targets: []');
    expect(err(() => parseTargetsFile(bomb.join('\n'), 'bomb.yaml'))).toMatch(/bomb\.yaml:1: /);
    expect(performance.now() - t).toBeLessThan(10_000);
  });

  it('CSV: ; delimiter sniffed, Notes column ignored with a warning, blank and ,, rows skipped', () => {
    const warnings: string[] = [];
    const text = 'host;port;service;Notes\r\na.example.com;2222;sftp;primary, EU\r\n;;;\r\n\r\nb.example.com;990;ftps-implicit;\r\n';
    const es = parseTargetsFile(text, 'x.csv', undefined, (m) => warnings.push(m));
    expect(es.map((e) => [e.target.host, e.target.port, e.expectedService, e.line])).toEqual([
      ['a.example.com', 2222, 'sftp', 2],
      ['b.example.com', 990, 'ftps-implicit', 5],
    ]);
    expect(warnings).toEqual([expect.stringMatching(/^x\.csv:1: column\(s\) "Notes" ignored/)]);
    const trailing = parseTargetsFile('host,port\na.example.com,21\n,,\n', 'y.csv');
    expect(trailing).toHaveLength(1);
    expect(detectTargetsFormat('inv', 'host;port\na;21\n')).toBe('csv');
  });

  it('CSV: extra cells beyond the header are ignored with a warning', () => {
    const warnings: string[] = [];
    const es = parseTargetsFile('host,port\na,21\nb,21,extra\n', 't.csv', undefined, (m) => warnings.push(m));
    expect(es).toHaveLength(2);
    expect(warnings).toEqual([expect.stringMatching(/t\.csv:3: fields beyond the 2 columns were ignored/)]);
  });

  it('reads with a size limit: /dev/zero fails in one line, fast', () => {
    const t = performance.now();
    expect(err(() => loadTargetsFile('/dev/zero', () => {}))).toMatch(/^--targets-file \/dev\/zero: contains NUL bytes/);
    expect(err(() => loadTargetsFile('/nonexistent/inv.csv', () => {}))).toMatch(/cannot read \(ENOENT\)/);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('parses 100k entries in linear time (JSON one per line, CSV, YAML)', () => {
    const n = 100_000;
    const hosts = Array.from({ length: n }, (_, i) => `h${i}.example.com`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-inv-'));
    const json = path.join(dir, 'inv.json');
    fs.writeFileSync(json, `[\n${hosts.map((h) => `  {"host": "${h}", "port": 22}`).join(',\n')}\n]\n`);
    const csv = path.join(dir, 'inv.csv');
    fs.writeFileSync(csv, `host,port\n${hosts.map((h) => `${h},22`).join('\n')}\n`);
    const yaml = path.join(dir, 'inv.yaml');
    fs.writeFileSync(yaml, hosts.map((h) => `- {host: ${h}, port: 22}`).join('\n'));
    for (const f of [json, csv, yaml]) {
      const t = performance.now();
      const es = loadTargetsFile(f, () => {});
      expect(es).toHaveLength(n);
      expect(es[n - 1].line).toBe(f === csv ? n + 1 : f === json ? n + 1 : n);
      expect(performance.now() - t, f).toBeLessThan(20_000);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
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
    ['[{"host": 5}]', /inv\.json:1: host must be a string, not the number 5/],
    ['[{"host": ["a"]}]', /inv\.json:1: host must be a string, not a list/],
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
