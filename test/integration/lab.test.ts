// Checks that the real-server lab itself is up (not the scanner): every open
// endpoint accepts TCP and greets with the right kind of banner, the closed port
// refuses, and (when present) the firewall namespace behaves as documented.
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { labPassword, coreLabEndpoints, loadLabNetnsTargets, type LabEndpoint } from '../lab/endpoints.js';

const run = promisify(execFile);
const labOff = process.env.XFERSCAN_LAB === 'off';

/** First line the server sends (plain TCP, or TLS first for implicit FTPS). */
function firstLine(e: LabEndpoint, timeoutMs = 8000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock: net.Socket =
      e.expectedService === 'ftps-implicit'
        ? tls.connect({ host: e.host, port: e.port, rejectUnauthorized: false, servername: 'localhost' })
        : net.connect({ host: e.host, port: e.port });
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${e.name}: no greeting within ${timeoutMs} ms (got ${JSON.stringify(buf)})`));
    }, timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf.slice(0, i).replace(/\r$/, ''));
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function connectError(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(5000, () => {
      s.destroy();
      resolve('TIMEOUT');
    });
    s.on('connect', () => {
      s.destroy();
      resolve('CONNECTED');
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe.skipIf(labOff)('test lab', () => {
  const endpoints = labOff ? [] : coreLabEndpoints(); // lab modules are checked by their own tests
  const open = endpoints.filter((e) => e.expectedState === 'open');
  const closed = endpoints.filter((e) => e.expectedState === 'closed');

  it('manifest lists the nine core endpoints and a closed port, all on loopback', () => {
    // lab modules (test/lab/servers/*.sh) add more endpoints beside these
    expect(open.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'proftpd-tls',
        'pureftpd-tls',
        'sshd-legacy',
        'sshd-modern',
        'sshd-sftponly',
        'vsftpd-explicit',
        'vsftpd-implicit',
        'vsftpd-lax',
        'vsftpd-plain',
      ]),
    );
    expect(closed.length).toBeGreaterThanOrEqual(1);
    for (const e of endpoints) expect(e.host).toMatch(/^(127\.|::1$)/);
  });

  it('password files are readable', () => {
    expect(labPassword('xfsuser').length).toBeGreaterThan(8);
    expect(labPassword('xfssftp').length).toBeGreaterThan(8);
    expect(labPassword('vsftpd-explicit')).toBe(labPassword('xfsuser'));
  });

  it.each(open.map((e) => [e.name, e] as const))('%s greets correctly', async (_name, e) => {
    const line = await firstLine(e);
    if (e.expectedService === 'sftp') {
      expect(line).toMatch(e.software === 'openssh' ? /^SSH-2\.0-OpenSSH_/ : /^SSH-2\.0-/);
    } else {
      expect(line).toMatch(/^220[ -]/);
    }
  });

  it.each(closed.map((e) => [e.name, e] as const))('%s refuses connections', async (_name, e) => {
    expect(await connectError(e.host, e.port)).toBe('ECONNREFUSED');
  });
});

describe.skipIf(labOff)('firewall namespace', () => {
  const targets = labOff ? [] : loadLabNetnsTargets();

  it.skipIf(targets.length === 0)('ports inside xfs-fw behave as documented', async () => {
    // the probe runs inside the namespace: traffic stays on its own loopback
    const probe = `
      const net = require('net');
      const t = JSON.parse(process.argv[1]);
      const one = (x) => new Promise((r) => {
        const s = net.connect({ host: x.host, port: x.port });
        s.setTimeout(2000, () => { s.destroy(); r([x.name, 'filtered']); });
        s.on('connect', () => { s.destroy(); r([x.name, 'open']); });
        s.on('error', (e) => r([x.name, e.code === 'ECONNREFUSED' ? 'closed' : e.code]));
      });
      Promise.all(t.map(one)).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));
    `;
    const ns = targets[0]!.netns;
    const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', probe, JSON.stringify(targets)], {
      timeout: 20_000,
    });
    const got = JSON.parse(stdout) as Record<string, string>;
    expect(got).toEqual(Object.fromEntries(targets.map((t) => [t.name, t.expectedState])));
  });
});
