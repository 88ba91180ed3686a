// A TLS server no current client can complete a handshake with (only NULL ciphers): detection
// must still call it TLS, and the hello-level prober must still say what it offers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanJson } from '../helpers/cli.js';
import { freePort, testCertificate } from '../helpers/fixtures.js';

let server: ChildProcess | null = null;
let port = 0;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-null-'));
  const { key, cert } = testCertificate();
  fs.writeFileSync(path.join(dir, 'k.pem'), key);
  fs.writeFileSync(path.join(dir, 'c.pem'), cert);
  port = await freePort();
  server = spawn(
    'openssl',
    [
      's_server',
      '-quiet',
      '-accept',
      `127.0.0.1:${port}`,
      '-key',
      path.join(dir, 'k.pem'),
      '-cert',
      path.join(dir, 'c.pem'),
      '-tls1_2',
      '-cipher',
      'NULL-SHA:NULL-SHA256:@SECLEVEL=0',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((r) =>
      net
        .connect(port, '127.0.0.1')
        .once('connect', function (this: net.Socket) {
          this.destroy();
          r(true);
        })
        .once('error', () => r(false)),
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('openssl s_server did not start');
});
afterAll(() => {
  server?.kill();
});

describe('TLS that no current client can complete', () => {
  it('is still TLS (tls-unknown), and the NULL suites are found and fail', async () => {
    const { report } = await scanJson([`127.0.0.1:${port}`, '--timeout', '3000']);
    const ep = report.endpoints[0];
    expect(ep.service).toBe('tls-unknown');
    expect(ep.outcome).toBe('tls-handshake-failed');
    expect(ep.tls?.protocols['TLSv1.2']).toBe(true);
    expect(ep.tls?.cipherSuites['TLSv1.2']).toEqual(expect.arrayContaining(['TLS_RSA_WITH_NULL_SHA', 'TLS_RSA_WITH_NULL_SHA256']));
    expect(ep.findings.find((f) => f.id === 'TLS-CIPHER-NULL')?.status).toBe('fail');
  });
});
