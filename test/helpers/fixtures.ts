// Small scripted servers on loopback for behaviours the lab's real servers cannot be made to
// show on demand (silence, 421, TLS that is not FTP, pre-banner lines). They complement the lab.
import net from 'node:net';
import tls from 'node:tls';
import { selfSignedCertificate } from '../../src/demo.js';
import { EndpointDialer, SocketBudget } from '../../src/net/dialer.js';

/** A loopback port that was free a moment ago (for servers the tests start themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts TCP on 127.0.0.1:port; false after `ms`. */
export async function waitListening(port: number, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export interface Fixture {
  port: number;
  close(): Promise<void>;
}

let material: { key: string; cert: string } | null = null;
export function testCertificate() {
  material ??= selfSignedCertificate();
  return material;
}

export async function tcpFixture(onSocket: (s: net.Socket, n: number) => void): Promise<Fixture> {
  let n = 0;
  const server = net.createServer((s) => {
    s.on('error', () => {});
    onSocket(s, n++);
  });
  return listenOnLoopback(server);
}

/** Listens on a random loopback port; close() also drops every open connection. */
export async function listenOnLoopback(server: net.Server): Promise<Fixture> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A TLS-on-connect server; `onSecure` talks inside TLS. */
export async function tlsFixture(onSecure: (s: tls.TLSSocket) => void): Promise<Fixture> {
  const { key, cert } = testCertificate();
  const server = tls.createServer({ key, cert }, (s) => {
    s.on('error', () => {});
    onSecure(s);
  });
  server.on('tlsClientError', () => {});
  return listenOnLoopback(server);
}

/** A 'data' listener that calls `onLine` for every complete line (CR/LF stripped). */
export function lineSplitter(onLine: (line: string) => void | 'stop'): (d: Buffer) => void {
  let buf = '';
  return (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (onLine(line) === 'stop') return;
    }
  };
}

/** A minimal line-based FTP responder: `answers` maps a command verb to its reply. */
export function ftpScript(s: net.Socket | tls.TLSSocket, answers: Record<string, string>, onAuthTls?: (s: net.Socket) => void) {
  const onData = lineSplitter((line) => {
    const verb = line.split(' ')[0].toUpperCase();
    const key = answers[line.toUpperCase()] !== undefined ? line.toUpperCase() : verb;
    if (key === 'AUTH TLS' && onAuthTls && answers[key]?.startsWith('234')) {
      s.write(`${answers[key]}\r\n`);
      s.off('data', onData);
      onAuthTls(s as net.Socket);
      return 'stop';
    }
    if (verb === 'QUIT') {
      s.end('221 bye\r\n');
      return 'stop';
    }
    s.write(`${answers[key] ?? '502 not implemented'}\r\n`);
  });
  s.on('data', onData);
}

/** A dialer for engine-level tests that call the SSH/TLS/FTP engines without a scan. */
export function testDialer(address = '127.0.0.1', connections = 16): EndpointDialer {
  return new EndpointDialer({ address, global: new SocketBudget(), connections });
}
