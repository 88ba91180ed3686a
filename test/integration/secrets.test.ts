// Issue 8: a password given to xferscan never appears in any output, whatever the format and
// whatever a hostile server echoes back — and it cannot be given on the command line at all.
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServers, type DemoServers } from '../../src/demo.js';
import type { Report } from '../../src/model.js';
import { looksLikeStackTrace, runCli, type CliResult } from '../helpers/cli.js';
import { tcpFixture, testCertificate, type Fixture } from '../helpers/fixtures.js';
import { expectValidReport } from '../helpers/schema.js';

const PASSWORD = 'Xfs-s3cret/Pw+42=!';
const USER = 'xfsuser';
const ENV = { XFS_SECRET_PW: PASSWORD };
const CRED_ARGS = ['--user', USER, '--password-env', 'XFS_SECRET_PW'];

function forms(pw: string): string[] {
  return [pw, Buffer.from(pw).toString('base64'), Buffer.from(pw).toString('hex'), encodeURIComponent(pw), JSON.stringify(pw).slice(1, -1)];
}

/** Where in a JSON text a string occurs (report paths), to make a leak easy to fix. */
function leakPaths(text: string, needle: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const i = text.indexOf(needle);
    return i < 0 ? [] : [`…${text.slice(Math.max(0, i - 80), i + needle.length + 20)}…`];
  }
  const out: string[] = [];
  const walk = (v: unknown, p: string) => {
    if (typeof v === 'string') {
      if (v.includes(needle)) out.push(`${p} = ${JSON.stringify(v.slice(0, 120))}`);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`);
  };
  walk(doc, '$');
  return out;
}

function expectNoSecret(r: CliResult, what: string, extra = ''): void {
  for (const f of forms(PASSWORD)) {
    expect(r.stdout.includes(f), `${what}: stdout contains ${f} at ${leakPaths(r.stdout, f).slice(0, 8).join('; ')}`).toBe(false);
    expect(r.stderr.includes(f), `${what}: stderr contains ${f}: ${leakPaths(r.stderr, f).join('; ')}`).toBe(false);
    expect(extra.includes(f), `${what}: output file contains ${f} at ${leakPaths(extra, f).slice(0, 8).join('; ')}`).toBe(false);
  }
  expect(looksLikeStackTrace(r.stderr), `${what}: ${r.stderr.slice(0, 500)}`).toBe(false);
}

async function formatsFromHelp(): Promise<string[]> {
  const help = await runCli(['scan', '--help']);
  const m = /--format[\s\S]*?\[choices: ([^\]]+)\]/.exec(help.stdout);
  expect(m, help.stdout).not.toBeNull();
  return m![1]!.split(',').map((f) => f.trim().replace(/^"|"$/g, ''));
}

/**
 * A hostile explicit-FTPS server: accepts AUTH TLS, echoes every PASS argument in its 230 reply,
 * and from then on greets every new connection with the last password it saw. With `knows`, it
 * puts that text in its greeting and replies from the very first connection (a banner or
 * error text that happens to contain the password).
 */
async function echoServer(opts: { knows?: string; tls: boolean }): Promise<Fixture & { sawPassword: () => boolean }> {
  let last: string | null = opts.knows ?? null;
  let saw = false;
  const f = await tcpFixture((s) => {
    s.write(last ? `220-Welcome back. Last password: ${last}\r\n220 ready\r\n` : '220 echo server ready\r\n');
    const dialogue = (c: net.Socket | tls.TLSSocket, secure: boolean) => {
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).replace(/\r$/, '');
          buf = buf.slice(i + 1);
          const verb = line.split(' ')[0]!.toUpperCase();
          const arg = line.slice(verb.length + 1);
          const say = (t: string) => c.writable && c.write(`${t}\r\n`);
          if (verb === 'AUTH' && !secure && opts.tls) {
            say('234 go ahead');
            c.off('data', onData);
            const { key, cert } = testCertificate();
            const t = new tls.TLSSocket(c as net.Socket, { isServer: true, key, cert });
            t.on('error', () => c.destroy());
            dialogue(t, true);
            return;
          }
          if (verb === 'USER') say(`331 Password required for ${arg}${last ? ` (last time you used ${last})` : ''}`);
          else if (verb === 'PASS') {
            if (arg !== 'anonymous@' && !/^[a-z]+@example\./.test(arg)) saw = saw || arg === PASSWORD;
            last = arg;
            say(`230-You said your password is ${arg}`);
            say(`230 Logged in with ${arg}`);
          } else if (verb === 'FEAT') {
            say('211-Features:');
            say(opts.tls ? ' AUTH TLS' : ' UTF8');
            say(' PBSZ');
            say(' PROT');
            say(' EPSV');
            say(`211 End ${last ?? ''}`);
          } else if (verb === 'SYST') say(`215 UNIX Type: L8 ${last ?? ''}`);
          else if (verb === 'PBSZ') say('200 PBSZ=0');
          else if (verb === 'PROT') say(`200 PROT ok ${last ?? ''}`);
          else if (verb === 'PWD') say(`257 "/home/${last ?? 'x'}"`);
          else if (verb === 'PASV') say(`227 Entering Passive Mode (127,0,0,1,0,1) ${last ?? ''}`);
          else if (verb === 'EPSV') say(`500 no EPSV for ${last ?? ''}`);
          else if (verb === 'QUIT') {
            say(`221 Bye ${last ?? ''}`);
            c.end();
            return;
          } else say(`502 ${line} not implemented; by the way: ${last ?? ''}`);
        }
      };
      c.on('data', onData);
    };
    dialogue(s, false);
  });
  return Object.assign(f, { sawPassword: () => saw });
}

let demo: DemoServers;
let formats: string[];
const fixtures: Fixture[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-secrets-'));

beforeAll(async () => {
  demo = await startDemoServers();
  formats = await formatsFromHelp();
}, 60_000);

afterAll(async () => {
  await demo?.close();
  await Promise.all(fixtures.map((f) => f.close()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('secrets never leak', () => {
  it('every output format of a scan of the demo servers, with a password', async () => {
    expect(formats).toContain('json');
    for (const format of formats) {
      const out = path.join(tmp, `demo.${format}`);
      const targets = [`127.0.0.1:${demo.sftpPort}`, `127.0.0.1:${demo.ftpsPort}`];
      const r = await runCli(['scan', ...targets, ...CRED_ARGS, '--format', format, '--timeout', '3000'], { env: ENV });
      expect([0, 1, 2, 3], `${format}: ${r.stderr}`).toContain(r.code);
      expect(r.stdout.length, format).toBeGreaterThan(0);
      expectNoSecret(r, `demo/${format}`);
      if (format === 'json') {
        const report = JSON.parse(r.stdout) as Report;
        expectValidReport(report);
        expect(report.endpoints.map((e) => e.service).sort()).toEqual(['ftps-explicit', 'sftp']);
      }
      // --output FILE as well
      const w = await runCli(['scan', ...targets, ...CRED_ARGS, '--format', format, '--timeout', '3000', '--output', out], { env: ENV });
      expectNoSecret(w, `demo/${format}/--output`, fs.readFileSync(out, 'utf8'));
    }
  }, 180_000);

  it('a password from --password-file is just as invisible', async () => {
    const file = path.join(tmp, 'pw.txt');
    fs.writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    const r = await runCli([
      'scan',
      `127.0.0.1:${demo.ftpsPort}`,
      `127.0.0.1:${demo.sftpPort}`,
      '--user',
      USER,
      '--password-file',
      file,
      '--format',
      'json',
      '--timeout',
      '3000',
    ]);
    expect([0, 1, 2, 3]).toContain(r.code);
    expectNoSecret(r, 'password-file');
  }, 60_000);

  it('a hostile FTPS server that echoes the password in replies and later greetings', async () => {
    const f = await echoServer({ tls: true });
    fixtures.push(f);
    for (const format of formats) {
      const out = path.join(tmp, `echo.${format}`);
      const r = await runCli(
        ['scan', `ftpes://127.0.0.1:${f.port}`, ...CRED_ARGS, '--format', format, '--timeout', '3000', '--output', out],
        { env: ENV },
      );
      expect([0, 1, 2, 3], `${format}: ${r.stderr}`).toContain(r.code);
      expectNoSecret(r, `echo/${format}`, fs.readFileSync(out, 'utf8'));
      if (format === 'json') expectValidReport(JSON.parse(fs.readFileSync(out, 'utf8')));
    }
    // Whether the scanner logged in at all depends on the probes present; say which case ran.
    console.info(`echo server received the password: ${f.sawPassword()}`);
  }, 180_000);

  it('a server whose banner and every reply already contain the password (e.g. a password equal to a site name)', async () => {
    const f = await echoServer({ tls: true, knows: PASSWORD });
    fixtures.push(f);
    for (const format of formats) {
      const out = path.join(tmp, `knows.${format}`);
      const r = await runCli(['scan', `127.0.0.1:${f.port}`, ...CRED_ARGS, '--format', format, '--timeout', '3000', '--output', out], {
        env: ENV,
      });
      expect([0, 1, 2, 3], `${format}: ${r.stderr}`).toContain(r.code);
      expectNoSecret(r, `knows/${format}`, fs.readFileSync(out, 'utf8'));
    }
  }, 180_000);

  it('a cleartext FTP echo server with --allow-cleartext-login', async () => {
    const f = await echoServer({ tls: false, knows: PASSWORD });
    fixtures.push(f);
    const r = await runCli(
      ['scan', `ftp://127.0.0.1:${f.port}`, ...CRED_ARGS, '--allow-cleartext-login', '--format', 'json', '--timeout', '3000'],
      { env: ENV },
    );
    expect([0, 1, 2, 3], r.stderr).toContain(r.code);
    expectNoSecret(r, 'cleartext');
  }, 60_000);

  it('--password on the command line is refused with a hint, exit 1, and not echoed', async () => {
    for (const args of [['--password', PASSWORD], [`--password=${PASSWORD}`]]) {
      const r = await runCli(['scan', '127.0.0.1:1', '--user', USER, ...args, '--format', 'json']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--password-env|--password-file/);
      expect(r.stdout).toBe('');
      expectNoSecret(r, 'refused --password');
    }
  });

  it('credentials inside a target URL are refused and not echoed', async () => {
    const r = await runCli(['scan', `ftp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:21`, '--format', 'json']);
    expect(r.code).toBe(1);
    expectNoSecret(r, 'url credentials');
  });
});
