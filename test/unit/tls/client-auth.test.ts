// Client-certificate detection against node:tls servers (real OpenSSL) on loopback: not asking,
// asking, insisting — under TLS 1.2 (CertificateRequest in the clear, with CA names) and TLS 1.3
// (refusal after the handshake). Plus the new hello-level parsers (CertificateRequest,
// CertificateStatus, the DHE prime) and the extensions the builder now carries.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { detectClientAuth, loadClientCredentials } from '../../../src/tls/client-auth.js';
import {
  buildClientHello,
  EXT,
  HEARTBEAT_PEER_ALLOWED,
  parseCertificateRequest,
  parseCertificateStatus,
  parseDhPrime,
  ServerFlight,
  STATUS_REQUEST_OCSP,
} from '../../../src/tls/hello.js';
import { certificateDerParts, derNameToString } from '../../../src/tls/der.js';
import { listenOnLoopback, testCertificate, type Fixture } from '../../helpers/fixtures.js';
import {
  certificateRequestMsg,
  certificateStatusMsg,
  dheServerKeyExchange,
  parseClientHello,
  record,
  serverHello,
  serverHelloDone,
  certificateMsg,
  tcpOpener,
  testRsaMaterial,
} from '../../helpers/tls-responder.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

async function server(o: tls.TlsOptions): Promise<number> {
  const { key, cert } = testCertificate();
  const srv = tls.createServer({ key, cert, ...o }, (s) => {
    s.on('error', () => {});
    s.write('220 hello\r\n');
  });
  srv.on('tlsClientError', () => {});
  const f = await listenOnLoopback(srv);
  fixtures.push(f);
  return f.port;
}

/** A self-signed client certificate (clientAuth), made with the openssl CLI. */
function clientCertificate(cn: string): { key: string; cert: string } {
  const out = execFileSync('sh', [
    '-c',
    `d=$(mktemp -d) && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=unit/CN=${cn}" -addext extendedKeyUsage=clientAuth -keyout $d/k -out $d/c 2>/dev/null && cat $d/k $d/c && rm -r $d`,
  ]).toString();
  return { key: out.slice(0, out.indexOf('-----BEGIN CERTIFICATE')), cert: out.slice(out.indexOf('-----BEGIN CERTIFICATE')) };
}
const partner = clientCertificate('partner');
const stranger = clientCertificate('stranger');

describe('detectClientAuth against node:tls servers', () => {
  it('not requested: one hello-level connection', async () => {
    const port = await server({});
    const r = await detectClientAuth(tcpOpener(port), { timeoutMs: 3000 });
    expect(r).toMatchObject({ status: 'not-requested', requested: false, connections: 1 });
  });

  it('optional (requestCert without rejectUnauthorized), with the CA names of the CertificateRequest', async () => {
    const port = await server({ requestCert: true, rejectUnauthorized: false, ca: [partner.cert], maxVersion: 'TLSv1.2' });
    const r = await detectClientAuth(tcpOpener(port), { timeoutMs: 3000 });
    expect(r.status).toBe('optional');
    expect(r.acceptedCAs).toEqual(['O=unit, CN=partner']);
    expect(r.certificateTypes).toContain('rsa_sign');
    expect(r.connections).toBe(2);
  });

  it('required at TLS 1.2: refused without a certificate; our certificate (trusted by the server) completes', async () => {
    const port = await server({ requestCert: true, rejectUnauthorized: true, ca: [partner.cert], maxVersion: 'TLSv1.2' });
    const r = await detectClientAuth(tcpOpener(port), { timeoutMs: 3000, credentials: partner });
    expect(r.status).toBe('required');
    expect(r.withoutCertificate).toMatchObject({ outcome: 'refused', afterHandshake: false });
    expect(r.withCertificate).toMatchObject({ outcome: 'completed' });
    expect(r.connections).toBe(3);
  });

  it('required at TLS 1.3 only: the refusal arrives after the handshake (certificate_required)', async () => {
    const port = await server({ requestCert: true, rejectUnauthorized: true, ca: [partner.cert], minVersion: 'TLSv1.3' });
    const r = await detectClientAuth(tcpOpener(port), { timeoutMs: 3000, credentials: stranger });
    expect(r.status).toBe('required');
    expect(r.requested).toBeNull();
    expect(r.withoutCertificate).toMatchObject({
      outcome: 'refused',
      alert: 'certificate_required',
      afterHandshake: true,
      protocol: 'TLSv1.3',
    });
    // a certificate the server does not trust is refused too
    expect(r.withCertificate?.outcome).toBe('refused');
  });

  it('TLS 1.3 only, not insisting: not-required (whether it asked is encrypted)', async () => {
    const port = await server({ minVersion: 'TLSv1.3' });
    const r = await detectClientAuth(tcpOpener(port), { timeoutMs: 3000 });
    expect(r.status).toBe('not-required');
    expect(r.withoutCertificate).toMatchObject({ outcome: 'completed', protocol: 'TLSv1.3' });
  });
});

describe('hello-level additions (hello.ts)', () => {
  it('the builder carries status_request, heartbeat and a session ticket', () => {
    const ticket = crypto.randomBytes(100);
    const rec = buildClientHello({
      version: 0x0303,
      suites: [0xc02f],
      sessionTicketData: ticket,
      extraExtensions: [
        { type: EXT.status_request, data: STATUS_REQUEST_OCSP },
        { type: EXT.heartbeat, data: HEARTBEAT_PEER_ALLOWED },
      ],
    });
    const ch = parseClientHello(rec.subarray(5))!;
    expect(ch.extensions.get(EXT.status_request)).toEqual(STATUS_REQUEST_OCSP);
    expect(ch.extensions.get(EXT.heartbeat)).toEqual(Buffer.from([1]));
    expect(ch.extensions.get(EXT.session_ticket)).toEqual(ticket);
  });

  it('the flight parser picks up CertificateRequest (CA names), CertificateStatus and the DHE prime', () => {
    const caName = certificateDerParts(testRsaMaterial().certDer)!.subjectName;
    expect(derNameToString(caName)).toBe('CN=localhost, O=xferscan demo');
    const ocsp = Buffer.from('3003 0a0101'.replace(/ /g, ''), 'hex');
    const p = crypto.getDiffieHellman('modp14').getPrime();
    const flight = record(
      22,
      0x0303,
      Buffer.concat([
        serverHello({ version: 0x0303, suite: 0x009e, extensions: [[0xff01, Buffer.from([0])]] }),
        certificateMsg([testRsaMaterial().certDer]),
        certificateStatusMsg(ocsp),
        dheServerKeyExchange(p),
        certificateRequestMsg([caName]),
        serverHelloDone(),
      ]),
    );
    const f = new ServerFlight();
    f.push(flight);
    expect(f.done).toBe(true);
    expect(f.result.certificateStatus).toEqual(ocsp);
    expect(f.result.dhPrime).toEqual(p);
    expect(f.result.certificateRequest).toEqual({
      certificateTypes: [1, 64],
      signatureAlgorithms: [0x0401, 0x0804],
      certificateAuthorities: [caName],
    });
    expect(f.result.serverKeyExchange).toEqual({ kind: 'dh', dhBits: 2048 });
  });

  it('the parsers say what is wrong instead of throwing', () => {
    expect(parseCertificateRequest(Buffer.from([3, 1]), 0x0303).ok).toBe(false);
    expect(parseCertificateRequest(Buffer.from([1, 1, 0, 0]), 0x0301)).toEqual({
      ok: true,
      value: { certificateTypes: [1], signatureAlgorithms: null, certificateAuthorities: [] },
    });
    expect(parseCertificateStatus(Buffer.from([2, 0, 0, 0]))).toMatchObject({ ok: false, error: expect.stringMatching(/not ocsp/) });
    expect(parseDhPrime(Buffer.from([0, 2, 1]), 0x0033).ok).toBe(false);
    expect(parseDhPrime(Buffer.alloc(10), 0xc02f)).toEqual({ ok: true, value: null });
  });
});

describe('loadClientCredentials: a wrong passphrase', () => {
  it('is named as such even when it passes the padding check and the key decoder fails instead', () => {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }) as string;
    // about one wrong passphrase in 270 decrypts to garbage with valid padding: find one
    let unlucky: string | null = null;
    for (let i = 0; i < 20_000 && unlucky === null; i++) {
      try {
        crypto.createPrivateKey({ key: pem, passphrase: `wrong-${i}` });
      } catch (err) {
        if (!/bad decrypt/.test((err as Error).message)) unlucky = `wrong-${i}`;
      }
    }
    expect(unlucky, 'a wrong passphrase whose failure is not "bad decrypt"').not.toBeNull();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xfs-key-'));
    try {
      fs.writeFileSync(path.join(dir, 'cert.pem'), testCertificate().cert);
      fs.writeFileSync(path.join(dir, 'key.pem'), pem);
      const load = (passphrase: string) =>
        loadClientCredentials({
          certFile: path.join(dir, 'cert.pem'),
          keyFile: path.join(dir, 'key.pem'),
          passphraseEnv: 'P',
          env: { P: passphrase },
        });
      expect(() => load(unlucky!)).toThrow(/^the passphrase does not decrypt /);
      expect(() => load('wrong-for-sure')).toThrow(/^the passphrase does not decrypt /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
