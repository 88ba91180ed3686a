// A complete TLS handshake with node:tls over a caller-supplied transport, for what hello-level
// probing cannot see: session tickets, renegotiation, a stapled OCSP response under TLS 1.3, and
// whether a server that asks for a client certificate really insists on one (TLS 1.3 sends its
// CertificateRequest encrypted and refuses only after our Finished). Never throws.
import type net from 'node:net';
import tls from 'node:tls';
import { CLIENT_GROUPS } from '../net/tls-upgrade.js';

export interface ClientCredentials {
  cert: Buffer | string;
  key: Buffer | string;
  passphrase?: string;
}

export interface NodeHandshakeOptions {
  serverName?: string;
  timeoutMs: number;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher string for TLS ≤ 1.2; default everything, security level 0 (a scanner talks to old servers) */
  ciphers?: string;
  /** ask for a stapled OCSP response (status_request) */
  requestOCSP?: boolean;
  credentials?: ClientCredentials;
  secureOptions?: number;
  /**
   * after the handshake, wait this long for a late alert (a TLS 1.3 client-certificate refusal
   * comes after our Finished); 'auto' = twice the handshake's time, at least 250 ms
   */
  settleMs?: number | 'auto';
}

export interface NodeHandshakeResult {
  ok: boolean;
  protocol: string | null;
  cipher: string | null;
  /** Node/OpenSSL error code and message when the handshake (or the settle wait) failed */
  errorCode: string | null;
  error: string | null;
  /** the TLS alert the server sent, when the error names one (e.g. certificate_required) */
  alert: string | null;
  /** the error came after the handshake had completed (TLS 1.3 refusals arrive then) */
  afterHandshake: boolean;
  ocspResponse: Buffer | null;
  ticket: Buffer | null;
  /** the server's chain as node:tls saw it, leaf first */
  peerChain: Buffer[];
  /** the server sent application data during the settle wait (e.g. an implicit-FTPS 220) */
  sawData: boolean;
  ms: number;
}

/** "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" → "certificate_required". */
export function alertFromError(code: string | undefined, message: string | undefined): string | null {
  const m = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/.exec(code ?? '');
  if (m) return m[1]!.toLowerCase();
  const t = /(?:sslv3|tlsv1|tlsv13) alert ([a-z ]+?)(?::|$)/.exec(message ?? '');
  return t ? t[1]!.trim().replace(/ /g, '_') : null;
}

function isIp(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':');
}

function chainOf(s: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(Buffer.from(c.raw));
    if (!c.issuerCertificate || c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  return out;
}

type Late = NodeJS.ErrnoException | 'closed' | 'data' | null;

/** Waits `ms` after the handshake for what the server does first: data, an error (alert), a close, or nothing. */
function settle(s: tls.TLSSocket, ms: number): Promise<Late> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), ms);
    const onData = () => done('data');
    const onErr = (e: NodeJS.ErrnoException) => done(e);
    const onClose = () => done('closed');
    function done(v: Late) {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('error', onErr);
      s.off('close', onClose);
      resolve(v);
    }
    s.on('data', onData);
    s.once('error', onErr);
    s.once('close', onClose);
  });
}

function handshakeDone(
  s: tls.TLSSocket,
  timeoutMs: number,
  result: NodeHandshakeResult,
  fail: (e: NodeJS.ErrnoException) => void,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      result.error = `handshake timeout after ${timeoutMs} ms`;
      resolve(false);
    }, timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(true);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
      resolve(false);
    });
    s.once('close', () => {
      clearTimeout(timer);
      result.error ??= 'connection closed during the handshake';
      resolve(false);
    });
  });
}

/**
 * Runs a handshake on `raw`. When `then` is given it runs on the connected socket (renegotiation,
 * application data) before the socket is destroyed; its value is returned beside the result.
 */
export async function nodeHandshake<T = undefined>(
  raw: net.Socket,
  o: NodeHandshakeOptions,
  then?: (s: tls.TLSSocket, r: NodeHandshakeResult) => Promise<T>,
): Promise<{ result: NodeHandshakeResult; value: T | undefined }> {
  const t0 = performance.now();
  const result: NodeHandshakeResult = {
    ok: false,
    protocol: null,
    cipher: null,
    errorCode: null,
    error: null,
    alert: null,
    afterHandshake: false,
    ocspResponse: null,
    ticket: null,
    peerChain: [],
    sawData: false,
    ms: 0,
  };
  // requestOCSP is a TLSSocket option node:tls honours in connect() but its typings omit
  const options: tls.ConnectionOptions & { requestOCSP?: boolean } = {
    socket: raw,
    servername: o.serverName && !isIp(o.serverName) ? o.serverName : undefined,
    rejectUnauthorized: false,
    minVersion: o.minVersion ?? 'TLSv1',
    maxVersion: o.maxVersion ?? 'TLSv1.3',
    ciphers: o.ciphers ?? 'ALL:@SECLEVEL=0',
    ecdhCurve: CLIENT_GROUPS,
    requestOCSP: o.requestOCSP ?? false,
    secureOptions: o.secureOptions,
    ...(o.credentials ? { cert: o.credentials.cert, key: o.credentials.key, passphrase: o.credentials.passphrase } : {}),
  };
  const s = tls.connect(options);
  s.on('OCSPResponse', (r: Buffer) => {
    if (r?.length) result.ocspResponse = Buffer.from(r);
  });
  const fail = (e: NodeJS.ErrnoException) => {
    result.errorCode ??= e.code ?? null;
    result.error ??= e.message.split('\n')[0]!.trim();
    result.alert ??= alertFromError(e.code, e.message);
  };
  let value: T | undefined;
  try {
    if (await handshakeDone(s, o.timeoutMs, result, fail)) {
      result.ok = true;
      result.protocol = s.getProtocol();
      result.cipher = s.getCipher()?.name ?? null;
      result.peerChain = chainOf(s);
      result.ticket = s.getTLSTicket() ?? null;
      const wait = o.settleMs === 'auto' ? Math.max(250, 2 * (performance.now() - t0)) : (o.settleMs ?? 0);
      const late = wait > 0 ? await settle(s, wait) : null;
      if (late === 'data') result.sawData = true;
      else if (late) {
        result.ok = false;
        result.afterHandshake = true;
        if (late === 'closed') result.error = 'connection closed right after the handshake';
        else fail(late);
      }
      result.ticket ??= s.getTLSTicket() ?? null;
      if (then && result.ok) value = await then(s, result);
    }
  } finally {
    result.ms = Math.round(performance.now() - t0);
    s.removeAllListeners('error');
    s.on('error', () => {});
    s.destroy();
    raw.destroy();
  }
  return { result, value };
}
