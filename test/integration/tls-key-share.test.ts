// Which TLS 1.3 key share our own handshakes (control and data connections, detection) send
// first decides a round trip on each of them: a server that does not take the share answers with
// a HelloRetryRequest and waits for a second ClientHello. The truth comes from `openssl s_client
// -msg` (its ClientHellos counted) on the lab's three implementations with TLS 1.3 (its ProFTPD
// stops at 1.2): vsftpd and Pure-FTPd retry an X25519 share and take a P-256 one; pyftpdlib
// takes either. xferscan's handshake (src/net/tls-upgrade.ts, CLIENT_GROUPS), counted by a relay
// of the test's own, must go through on one ClientHello on all three.
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connectTls } from '../../src/net/tls-upgrade.js';
import { labEndpoint, labHas } from '../lab/endpoints.js';

const run = promisify(execFile);
const NAMES = ['vsftpd-explicit', 'pureftpd-tls', 'pyftpd-tls'] as const;
const LAB = labHas(...NAMES);

/** ClientHellos `openssl s_client` sent for one TLS 1.3 handshake offering `groups` in that order. */
async function opensslClientHellos(port: number, groups: string): Promise<number> {
  // stdin from /dev/null: s_client ends after the handshake instead of waiting for input
  const cmd = `openssl s_client -connect 127.0.0.1:${port} -starttls ftp -tls1_3 -groups ${groups} -msg </dev/null`;
  const { stdout } = await run('sh', ['-c', cmd], { timeout: 20_000 });
  return String(stdout)
    .split('\n')
    .filter((l) => /^>>> .*Handshake .*ClientHello/.test(l)).length;
}

/** Counts the handshake records of type ClientHello in what the client sent after `skip` bytes. */
function clientHellos(bytes: Buffer, skip: number): number {
  let n = 0;
  for (let at = skip; at + 5 <= bytes.length; at += 5 + bytes.readUInt16BE(at + 3)) {
    if (bytes[at] === 0x16 && bytes[at + 5] === 0x01) n++;
  }
  return n;
}

/** A relay in front of `port` that keeps what the client sent. */
async function recordingRelay(port: number): Promise<{ port: number; sent: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.push(client, upstream);
    client.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent: () => Buffer.concat(chunks),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** xferscan's own handshake after AUTH TLS: the TLS version, and the ClientHellos it took. */
async function xferscanClientHellos(port: number): Promise<{ protocol: string | null; hellos: number }> {
  const relay = await recordingRelay(port);
  const socket = net.connect(relay.port, '127.0.0.1');
  const reply = (code: string) =>
    new Promise<void>((resolve, reject) => {
      let text = '';
      const onData = (d: Buffer) => {
        text += d.toString('latin1');
        if (new RegExp(`^${code} `, 'm').test(text)) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  try {
    await reply('220');
    socket.write('AUTH TLS\r\n');
    await reply('234');
    const t = await connectTls(socket, { host: '127.0.0.1', timeoutMs: 10_000 });
    const protocol = t.getProtocol();
    t.destroy();
    return { protocol, hellos: clientHellos(relay.sent(), 'AUTH TLS\r\n'.length) };
  } finally {
    socket.destroy();
    relay.close();
  }
}

describe.skipIf(!LAB)('the key share of our TLS 1.3 handshakes, against openssl s_client', () => {
  it.each(NAMES)('%s: one ClientHello where openssl needs one with P-256 first', async (name) => {
    const port = labEndpoint(name).port;
    const x25519First = await opensslClientHellos(port, 'X25519:P-256');
    const p256First = await opensslClientHellos(port, 'P-256:X25519');
    // the oracle: a P-256 share is taken at once; whether X25519 is depends on the implementation
    expect({ name, p256First, x25519First }).toEqual({
      name,
      p256First: 1,
      x25519First: name === 'vsftpd-explicit' || name === 'pureftpd-tls' ? 2 : 1,
    });
    const ours = await xferscanClientHellos(port);
    expect({ name, ...ours }).toEqual({ name, protocol: 'TLSv1.3', hellos: 1 });
  });
});
