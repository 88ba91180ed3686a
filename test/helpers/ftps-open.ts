// Transports for the TLS engine tests: TLS on connect (implicit FTPS, plain TLS) and explicit FTPS
// (greeting, AUTH TLS, 234), the way the scanner's probes hand them over. A 421 is reported as
// code 'refused-by-server' so the engine backs off.
import net from 'node:net';
import type { OpenTransport } from '../../src/tls/prober.js';

export const tcpOpen =
  (port: number, host = '127.0.0.1'): OpenTransport =>
  () =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      s.setTimeout(10_000, () => s.destroy(new Error('connect timeout')));
      s.once('connect', () => {
        s.setTimeout(0);
        resolve(s);
      });
      s.once('error', reject);
    });

function readReply(s: net.Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(Object.assign(new Error(`no FTP reply: ${buf.trim()}`), { code: 'timeout' })), ms);
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.length > 8192) return done(Object.assign(new Error('FTP reply too long'), { code: 'protocol-error' }));
      const line = buf.split('\r\n').find((l) => /^\d{3} /.test(l));
      if (line) done(null, line);
    };
    const onEnd = () =>
      done(Object.assign(new Error(`closed: ${buf.trim()}`), { code: /^421/m.test(buf) ? 'refused-by-server' : 'closed' }));
    function done(err: Error | null, line?: string) {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onEnd);
      if (err) reject(err);
      else resolve(line!);
    }
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onEnd);
  });
}

/** Explicit FTPS: 220, AUTH TLS, 234, then the socket is ready for a ClientHello. */
export const ftpesOpen =
  (port: number, host = '127.0.0.1'): OpenTransport =>
  async () => {
    const s = await tcpOpen(port, host)();
    try {
      const greet = await readReply(s, 8000);
      if (!greet.startsWith('220'))
        throw Object.assign(new Error(greet), { code: greet.startsWith('421') ? 'refused-by-server' : 'protocol-error' });
      s.write('AUTH TLS\r\n');
      const r = await readReply(s, 8000);
      if (!r.startsWith('234')) throw Object.assign(new Error(r), { code: r.startsWith('421') ? 'refused-by-server' : 'protocol-error' });
      return s;
    } catch (err) {
      s.destroy();
      throw err;
    }
  };

export async function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host, port }, () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}
