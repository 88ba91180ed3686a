// Node TLS on an existing socket, configured to *talk to* any server we meet (weak keys,
// old versions) — judging what the server offers is the TLS engine's job, not this one's.
import tls from 'node:tls';
import net from 'node:net';
import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ProbeError, keepErrorSink } from './outcomes.js';

export interface TlsUpgradeOptions {
  /** the target's host name, sent as SNI when it is not an IP address */
  host: string;
  timeoutMs: number;
  session?: Buffer;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** our client certificate and key (--client-cert/--client-key) for servers that require one */
  clientCert?: ClientTlsCredentials | null;
}

/** A client certificate chain and key (PEM) as tls.connect takes them. */
export interface ClientTlsCredentials {
  cert: string;
  key: string;
  passphrase?: string;
}

export interface TlsPeerSummary {
  protocol: string | null;
  cipher: string | null;
  /** DER of the certificates as the server sent them, leaf first */
  chainDer: Buffer[];
  fingerprintSha256: string | null;
}

/**
 * The groups our node:tls handshakes offer, P-256 first. OpenSSL 3.0 (Node 20) sends a TLS 1.3
 * key share for the first group only. Servers pinned to P-256 (vsftpd 3.0.3 makes it its only
 * ECDH curve; Debian 12's Pure-FTPd 1.0.50 does the same) answer an X25519 share with a
 * HelloRetryRequest: one more round trip on every control and data handshake. RFC 8446 makes
 * P-256 mandatory, and OpenSSL and Go servers take a share of a group they support rather than
 * ask for another. Same set as OpenSSL's default, in another order: nothing a server is judged
 * on depends on it (test/integration/tls-key-share.test.ts counts the hellos).
 */
export const CLIENT_GROUPS = 'P-256:X25519:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192';

export function connectTls(socket: Duplex, opts: TlsUpgradeOptions): Promise<tls.TLSSocket> {
  // The stream underneath (a TCP socket or a Relay) and the TLS socket each keep an error sink
  // for their whole life: after a failed handshake, or once the owner has moved on, a late
  // error (EPIPE, a reset, an alert) must not become an unhandled 'error' event.
  keepErrorSink(socket);
  return new Promise((resolve, reject) => {
    let done = false;
    const t = tls.connect({
      socket,
      servername: net.isIP(opts.host) ? undefined : opts.host,
      rejectUnauthorized: false,
      minVersion: opts.minVersion ?? 'TLSv1',
      maxVersion: opts.maxVersion,
      // Level 0 lets us complete handshakes with 1024-bit keys and SHA-1 so we can report them.
      ciphers: 'ALL:@SECLEVEL=0',
      ecdhCurve: CLIENT_GROUPS,
      session: opts.session,
      ...(opts.clientCert ?? {}),
    });
    keepErrorSink(t);
    const finish = (err: ProbeError | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      t.off('secureConnect', onOk);
      t.off('error', onErr);
      if (err) {
        t.destroy();
        reject(err);
      } else {
        resolve(t);
      }
    };
    const onOk = () => finish(null);
    const onErr = (e: Error) => finish(new ProbeError('tls-handshake-failed', `TLS handshake failed: ${tlsReason(e)}`));
    const timer = setTimeout(
      () => finish(new ProbeError('tls-handshake-failed', `TLS handshake did not complete within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    t.once('secureConnect', onOk);
    t.once('error', onErr);
  });
}

export function summarizePeer(t: tls.TLSSocket): TlsPeerSummary {
  const chainDer: Buffer[] = [];
  let cert = t.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chainDer.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  const leaf = chainDer[0];
  return {
    protocol: t.getProtocol() ?? null,
    cipher: t.getCipher()?.standardName ?? t.getCipher()?.name ?? null,
    chainDer,
    fingerprintSha256: leaf
      ? crypto
          .createHash('sha256')
          .update(leaf)
          .digest('hex')
          .toUpperCase()
          .replace(/(..)(?!$)/g, '$1:')
      : null,
  };
}

/** OpenSSL's error text carries source paths and line breaks; say the reason in words. */
export function tlsReason(e: Error & { code?: string; reason?: string }): string {
  if (e.reason) return e.reason;
  if (e.code && /^ERR_SSL_/.test(e.code))
    return e.code
      .replace(/^ERR_SSL_/, '')
      .toLowerCase()
      .replace(/_/g, ' ');
  if (e.code === 'ECONNRESET') return 'connection reset by the server';
  const first = e.message
    .split('\n')[0]
    .replace(/\S*\.c:\d+:?/g, '')
    .replace(/^[\w:]*error:[0-9A-F]+:/i, '')
    .trim();
  return first || e.code || 'unknown error';
}
