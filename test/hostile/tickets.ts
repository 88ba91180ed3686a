// Scripted FTPS servers for the transfer sequence (issue 17): TLS 1.3 tickets that are
// single-use (the first data connection resumes with a ticket, a later one offering the same
// ticket cannot and is refused with 522, as vsftpd refuses an unresumed data connection), and a
// server that accepts a resumed session for LIST but refuses it for STOR. No real server in the
// lab does either. Single use is enforced by reading the PSK identity in the ClientHello: a
// ticket seen before goes to a TLS context with other ticket keys, which cannot decrypt it, so
// OpenSSL falls back to a full handshake — exactly what the client of a single-use ticket meets.
import crypto from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { testCertificate } from '../helpers/fixtures.js';
import { startScriptedFtp } from './servers2.js';

const REUSE_REQUIRED = '522 SSL connection failed: session reuse required';

/** The first PSK identity (a TLS 1.3 ticket) in a ClientHello record, or null. */
export function pskIdentity(record: Buffer): Buffer | null {
  try {
    let i = 5 + 4 + 2 + 32; // record header, handshake header, version, random
    i += 1 + record[i]!; // session id
    i += 2 + record.readUInt16BE(i); // cipher suites
    i += 1 + record[i]!; // compression methods
    const end = i + 2 + record.readUInt16BE(i);
    for (i += 2; i + 4 <= end;) {
      const type = record.readUInt16BE(i);
      const len = record.readUInt16BE(i + 2);
      if (type === 41) return record.subarray(i + 4 + 4, i + 4 + 4 + record.readUInt16BE(i + 6));
      i += 4 + len;
    }
  } catch {
    // a hello we cannot read: no ticket
  }
  return null;
}

/** Reads the first TLS record (the ClientHello) without losing it; bounded in size and time. */
function firstRecord(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error('no ClientHello')), 5000);
    const done = (err: Error | null) => {
      clearTimeout(timer);
      s.off('data', onData);
      s.pause();
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length > 20000) return done(new Error('ClientHello too large'));
      if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) done(null);
    };
    s.on('data', onData);
  });
}

/** A stream that gives TLS the bytes already read first, then the socket's. */
function replay(raw: net.Socket, first: Buffer): Duplex {
  const d = new Duplex({
    read: () => void raw.resume(),
    write: (chunk: Buffer, _e, cb) => void raw.write(chunk, (err) => cb(err ?? null)),
    final: (cb) => {
      raw.end();
      cb();
    },
    destroy: (err, cb) => {
      raw.destroy();
      cb(err);
    },
  });
  d.push(first);
  raw.on('data', (c: Buffer) => {
    if (!d.push(c)) raw.pause();
  });
  raw.on('end', () => d.push(null));
  raw.on('close', () => d.destroy());
  return d;
}

function context(): tls.SecureContext {
  const { key, cert } = testCertificate();
  return tls.createSecureContext({ key, cert, minVersion: 'TLSv1.3', ticketKeys: crypto.randomBytes(48) });
}

/** TLS on a data connection; a ticket offered a second time meets keys that cannot open it. */
function singleUseDataTls(main: tls.SecureContext, used: Set<string>) {
  return async (s: net.Socket): Promise<tls.TLSSocket> => {
    const hello = await firstRecord(s);
    const id = pskIdentity(hello)?.toString('hex') ?? null;
    const replayed = id !== null && used.has(id);
    if (id) used.add(id);
    const t = new tls.TLSSocket(replay(s, hello), { isServer: true, secureContext: replayed ? context() : main });
    t.on('error', () => s.destroy());
    await new Promise<void>((r) => {
      t.once('secure', () => r());
      t.once('close', () => r());
    });
    return t;
  };
}

const resumed = (d: net.Socket | tls.TLSSocket) => d instanceof tls.TLSSocket && d.isSessionReused();

/** TLS 1.3 only, single-use tickets, data connections must resume (vsftpd's require_ssl_reuse). */
export async function startSingleUseTicketFtp() {
  const main = context();
  const used = new Set<string>();
  return startScriptedFtp({
    name: 'single-use-tickets',
    secureContext: main,
    dataTls: singleUseDataTls(main, used),
    refuseData: (d) => (resumed(d) ? null : REUSE_REQUIRED),
  });
}

/** Accepts a resumed data connection for LIST and RETR, refuses it for STOR (and an unresumed one for everything). */
export async function startNoResumedStorFtp() {
  const main = context();
  return startScriptedFtp({
    name: 'no-resumed-stor',
    secureContext: main,
    refuseData: (d, c) => {
      if (!resumed(d)) return REUSE_REQUIRED;
      return c.verb === 'STOR' ? '425 Uploads need a new TLS session, not a resumed one' : null;
    },
  });
}
