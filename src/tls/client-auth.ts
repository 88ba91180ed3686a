// Client certificates (mutual TLS): does the server ask for one, does it insist, which CAs does it
// accept — and loading the partner's own certificate and key for the FTP control and data
// connections.
//
// TLS ≤ 1.2 shows the CertificateRequest (with the CA names) in the clear in the server's first
// flight: one hello-level connection. Whether the request is a demand shows only by trying: a
// node:tls handshake without a certificate that the server refuses (handshake_failure,
// certificate_required …) means required; one that completes means optional. TLS 1.3 encrypts the
// request, and a server refuses only after our Finished: the handshake "completes" and the alert
// follows, so we wait a moment after it (twice the handshake time, at least 250 ms). CA names are
// then not visible. Connections: 1 (TLS ≤ 1.2, not requested), 2 (requested: the handshake
// without a certificate), +1 with our certificate when credentials are given.
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { OpenTransport } from './prober.js';
import { nodeHandshake, type ClientCredentials, type NodeHandshakeResult } from './handshake.js';
import { derNameToString } from './der.js';
import { parseCertificate, pemToDer, type CertificateFacts } from './certs.js';
import { type CertificateRequestInfo } from './hello.js';
import { Dialer, legacyHello, transportError, withFlight } from './vuln/conn.js';

export type ClientAuthStatus =
  /** the server refuses a handshake without a client certificate */
  | 'required'
  /** it asks (TLS ≤ 1.2 CertificateRequest) but completes without one */
  | 'optional'
  /** a TLS ≤ 1.2 handshake carries no CertificateRequest */
  | 'not-requested'
  /** TLS 1.3 only: the handshake completes without a certificate (whether it asked is encrypted) */
  | 'not-required'
  | 'inconclusive';

export interface ClientAuthAttempt {
  protocol: string | null;
  outcome: 'completed' | 'refused' | 'failed';
  /** the alert that refused it (certificate_required, handshake_failure, unknown_ca, …) */
  alert: string | null;
  /** the refusal came after the handshake (TLS 1.3) */
  afterHandshake: boolean;
  detail: string;
}

export interface ClientAuthResult {
  status: ClientAuthStatus;
  evidence: string[];
  /** a TLS ≤ 1.2 CertificateRequest was seen; null when no TLS ≤ 1.2 flight was read */
  requested: boolean | null;
  /** CA names from the CertificateRequest; [] = any CA; null when not visible (TLS 1.3) */
  acceptedCAs: string[] | null;
  certificateTypes: string[] | null;
  signatureAlgorithms: string[] | null;
  withoutCertificate: ClientAuthAttempt | null;
  /** with the given credentials, when given */
  withCertificate: ClientAuthAttempt | null;
  connections: number;
  ms: number;
}

export interface ClientAuthOptions {
  serverName?: string;
  timeoutMs?: number;
  connections?: number;
  /** our certificate and key (loadClientCredentials), to check that the server accepts them */
  credentials?: ClientCredentials | null;
  /** a CertificateRequest already seen (the vulnerability battery's hello); skips the hello */
  certificateRequest?: CertificateRequestInfo | null;
  /** the inventory says whether TLS ≤ 1.2 is offered (false: go straight to TLS 1.3) */
  legacy?: boolean | null;
  dialer?: Dialer;
}

const CERT_TYPES: Record<number, string> = {
  1: 'rsa_sign',
  2: 'dss_sign',
  3: 'rsa_fixed_dh',
  4: 'dss_fixed_dh',
  64: 'ecdsa_sign',
  65: 'rsa_fixed_ecdh',
  66: 'ecdsa_fixed_ecdh',
};

function caNames(cr: CertificateRequestInfo): string[] {
  return cr.certificateAuthorities.map((dn) => {
    try {
      return derNameToString(dn);
    } catch {
      return `(unparsable name, ${dn.length} bytes)`;
    }
  });
}

/** A transport that could not be opened (e.g. a 421 from a per-IP limit): no handshake, no alert. */
function transportFailed(err: unknown): NodeHandshakeResult {
  return { ok: false, protocol: null, alert: null, afterHandshake: false, error: transportError(err) } as NodeHandshakeResult;
}

function attemptOf(r: NodeHandshakeResult): ClientAuthAttempt {
  if (r.ok)
    return {
      protocol: r.protocol,
      outcome: 'completed',
      alert: null,
      afterHandshake: false,
      detail: `${r.protocol} handshake completed${r.sawData ? ' and the server spoke' : ''}`,
    };
  const refused = r.alert !== null || r.afterHandshake;
  return {
    protocol: r.protocol,
    outcome: refused ? 'refused' : 'failed',
    alert: r.alert,
    afterHandshake: r.afterHandshake,
    detail: `${r.afterHandshake ? `${r.protocol} handshake completed, then ` : ''}${r.alert ? `alert ${r.alert}` : (r.error ?? 'failed')}`,
  };
}

/** Detects whether the server requests or requires a client certificate. Never throws. */
export async function detectClientAuth(open: OpenTransport, o: ClientAuthOptions = {}): Promise<ClientAuthResult> {
  const t0 = performance.now();
  const timeoutMs = o.timeoutMs ?? 8000;
  const dialer = o.dialer ?? new Dialer(open, Math.max(1, o.connections ?? 2));
  const out: ClientAuthResult = {
    status: 'inconclusive',
    evidence: [],
    requested: null,
    acceptedCAs: null,
    certificateTypes: null,
    signatureAlgorithms: null,
    withoutCertificate: null,
    withCertificate: null,
    connections: 0,
    ms: 0,
  };
  const finish = (status: ClientAuthStatus, why?: string) => {
    out.status = status;
    if (why) out.evidence.push(why);
    out.connections = dialer.count('client-auth');
    out.ms = Math.round(performance.now() - t0);
    return out;
  };

  // 1. the TLS ≤ 1.2 first flight
  let cr: CertificateRequestInfo | null | undefined = o.certificateRequest;
  if (cr === undefined && o.legacy !== false) {
    const r = await withFlight(dialer, 'client-auth', legacyHello(0x0303, o.serverName), timeoutMs, async (_c, fr) => fr);
    if (!r.ok) return finish('inconclusive', r.error);
    const f = r.value.flight;
    if (f.serverHello && f.serverHello.version < 0x0304 && f.serverHelloDone) cr = f.certificateRequest ?? null;
    else if (!(!f.serverHello && f.alert?.name === 'protocol_version'))
      return finish('inconclusive', `TLS ≤ 1.2 first flight incomplete: ${f.error ?? f.alert?.name ?? f.kind}`);
  }
  if (cr !== undefined) {
    out.requested = cr !== null;
    if (cr) {
      out.acceptedCAs = caNames(cr);
      out.certificateTypes = cr.certificateTypes.map((t) => CERT_TYPES[t] ?? `type_${t}`);
      out.signatureAlgorithms = cr.signatureAlgorithms?.map((a) => `0x${a.toString(16).padStart(4, '0')}`) ?? null;
      out.evidence.push(
        `TLS ≤ 1.2 CertificateRequest: ${out.acceptedCAs.length ? `accepts certificates from ${out.acceptedCAs.join('; ')}` : 'no CA names (any CA)'}`,
      );
    } else out.evidence.push('the TLS ≤ 1.2 first flight carries no CertificateRequest');
  }

  // 2. a handshake without a certificate (TLS ≤ 1.2 when it asked there, else TLS 1.3)
  const hsRun = async (credentials: ClientCredentials | undefined, maxVersion: 'TLSv1.2' | 'TLSv1.3') => {
    try {
      return await dialer.with('client-auth', async (raw) => {
        const probe = await nodeHandshake(raw, { serverName: o.serverName, timeoutMs, maxVersion, credentials, settleMs: 0 });
        return probe.result;
      });
    } catch (err) {
      return transportFailed(err);
    }
  };
  const tls13Settle = async (credentials: ClientCredentials | undefined) => {
    try {
      return await dialer.with('client-auth', async (raw) => {
        // the handshake, then a wait scaled to it for a TLS 1.3 refusal after our Finished
        const r = await nodeHandshake(raw, { serverName: o.serverName, timeoutMs, minVersion: 'TLSv1.3', credentials, settleMs: 'auto' });
        return r.result;
      });
    } catch (err) {
      return transportFailed(err);
    }
  };
  if (cr === null) return finish('not-requested');
  const without = cr ? await hsRun(undefined, 'TLSv1.2') : await tls13Settle(undefined);
  out.withoutCertificate = attemptOf(without);
  out.evidence.push(`without a client certificate: ${out.withoutCertificate.detail}`);
  if (o.credentials) {
    const withCert = cr ? await hsRun(o.credentials, 'TLSv1.2') : await tls13Settle(o.credentials);
    out.withCertificate = attemptOf(withCert);
    out.evidence.push(`with our client certificate: ${out.withCertificate.detail}`);
  }
  const w = out.withoutCertificate;
  if (w.outcome === 'refused') return finish('required');
  if (w.outcome === 'failed') return finish('inconclusive');
  return finish(cr ? 'optional' : 'not-required', cr ? undefined : 'TLS 1.3: whether the server asked is encrypted; it did not insist');
}

// ------------------------------------------------------------------------------------------

export class ClientCredentialError extends Error {}

export interface ClientCredentialSources {
  certFile: string;
  keyFile: string;
  /** name of an environment variable holding the key's passphrase */
  passphraseEnv?: string;
  /** a file whose first line is the key's passphrase */
  passphraseFile?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedClientCredentials extends ClientCredentials {
  /** the chain from the certificate file, DER, leaf first */
  chain: Buffer[];
  leaf: CertificateFacts;
  /** what to spread into tls.connect options (control and data connections alike) */
  tlsOptions: { cert: string; key: string; passphrase?: string };
}

function readText(path: string, what: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new ClientCredentialError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Loads a PEM client certificate (chain) and its private key. The passphrase of an encrypted key
 * comes only from an environment variable or a file, never from an argument. Checks that the key
 * belongs to the certificate. Throws ClientCredentialError with a message for the user.
 */
export function loadClientCredentials(src: ClientCredentialSources): LoadedClientCredentials {
  const certPem = readText(src.certFile, 'client certificate');
  const keyPem = readText(src.keyFile, 'client key');
  const chain = pemToDer(certPem);
  if (!chain.length) throw new ClientCredentialError(`${src.certFile} holds no PEM CERTIFICATE`);
  let passphrase: string | undefined;
  if (src.passphraseEnv) {
    passphrase = (src.env ?? process.env)[src.passphraseEnv];
    if (passphrase === undefined)
      throw new ClientCredentialError(`the environment variable ${src.passphraseEnv} (key passphrase) is not set`);
  } else if (src.passphraseFile) passphrase = readText(src.passphraseFile, 'passphrase file').split(/\r?\n/)[0]!;
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: keyPem, passphrase });
  } catch (err) {
    const m = (err as Error).message;
    // A wrong passphrase on an encrypted key fails as "bad decrypt", except about one time in 270
    // when its garbage passes the cipher's padding check and the decoder fails on it instead
    // ("unsupported"): with a passphrase given, any failure of an encrypted key is that passphrase.
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(keyPem);
    if (/passphrase|bad decrypt|interrupted or cancelled/i.test(m) || (encrypted && passphrase !== undefined))
      throw new ClientCredentialError(
        passphrase === undefined
          ? `${src.keyFile} is encrypted: give its passphrase in an environment variable or a file`
          : `the passphrase does not decrypt ${src.keyFile}`,
      );
    throw new ClientCredentialError(`${src.keyFile} is not a usable private key: ${m}`);
  }
  let leafKey: crypto.KeyObject;
  try {
    leafKey = new X509Certificate(chain[0]!).publicKey;
  } catch (err) {
    throw new ClientCredentialError(`the first certificate of ${src.certFile} is unreadable: ${(err as Error).message}`);
  }
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(crypto.createPublicKey(key)).equals(spki(leafKey)))
    throw new ClientCredentialError(`${src.keyFile} is not the key of the certificate in ${src.certFile}`);
  return {
    cert: certPem,
    key: keyPem,
    passphrase,
    chain,
    leaf: parseCertificate(chain[0]!, 0),
    tlsOptions: { cert: certPem, key: keyPem, ...(passphrase !== undefined ? { passphrase } : {}) },
  };
}
