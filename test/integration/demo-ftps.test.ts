// The demo's own explicit-FTPS endpoint (it replaced ftp-srv), checked with an independent
// client, Python's ftplib (Debian's /usr/bin/python3): AUTH TLS upgrades to TLS 1.2+, PBSZ/PROT P
// work, a login before TLS is refused, every login is refused, and a hostile line is cut off.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startDemoFtps } from '../../src/demo.js';

let ftps: { port: number; close(): Promise<void> };

beforeAll(async () => {
  ftps = await startDemoFtps(selfSignedCertificate());
});
afterAll(async () => ftps?.close());

function python(code: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('/usr/bin/python3', ['-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (c) => {
      clearTimeout(t);
      resolve({ code: c, out, err });
    });
  });
}

describe('demo FTPS endpoint, seen by ftplib', () => {
  it('AUTH TLS, PBSZ 0, PROT P; TLS 1.2 or newer; logins refused before and after TLS', async () => {
    const r = await python(`
import ftplib, ssl, json
out = {}
f = ftplib.FTP()
out['greeting'] = f.connect('127.0.0.1', ${ftps.port}, timeout=10)
try:
    f.sendcmd('USER someone')
except ftplib.error_perm as e:
    out['user_clear'] = str(e)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
t = ftplib.FTP_TLS(context=ctx)
t.connect('127.0.0.1', ${ftps.port}, timeout=10)
out['auth'] = t.auth()
out['version'] = t.sock.version()
out['pbsz'] = t.sendcmd('PBSZ 0')
out['prot'] = t.sendcmd('PROT P')
try:
    t.sendcmd('PROT C')
except ftplib.error_perm as e:
    out['prot_c'] = str(e)
try:
    t.login('someone', 'x')
except ftplib.error_perm as e:
    out['login'] = str(e)
out['quit'] = t.quit()
print(json.dumps(out))
`);
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.greeting).toMatch(/^220 /);
    expect(o.user_clear).toMatch(/^530 /);
    expect(o.auth).toMatch(/^234 /);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(o.version);
    expect(o.pbsz).toMatch(/^200 /);
    expect(o.prot).toMatch(/^200 /);
    expect(o.prot_c).toMatch(/^536 /);
    expect(o.login).toMatch(/^530 /);
    expect(o.quit).toMatch(/^221 /);
  }, 60_000);

  it('a line without an end is cut off at 512 bytes', async () => {
    const s = net.connect(ftps.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    await new Promise((r) => s.once('connect', r));
    s.write('A'.repeat(4096));
    await new Promise((r) => s.once('close', r));
    expect(got).toMatch(/^220 .*\r\n500 Line too long\r\n$/);
  });
});
