// OCSP stapling, revocation and trust against the tls-extra lab module: ProFTPD stapling a good
// and a revoked response from a local `openssl ocsp` responder, and a plain TLS server that sends
// its leaf without the issuing CA. Oracles: `openssl s_client -status` (what was stapled), `openssl
// ocsp` as a client of the responder (the revocation status), `openssl verify` (trust per store).
// Revocation fetching is checked to happen only when asked: the responder's own access log counts
// the requests.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assessStaple, checkRevocation, fetchStaple } from '../../src/tls/ocsp.js';
import { analyzeTrust } from '../../src/tls/trust.js';
import { certificateExtensionFacts, pemToDer } from '../../src/tls/certs.js';
import { runVulnBattery } from '../../src/tls/vuln/index.js';
import { labRunDir } from '../lab/endpoints.js';
import { ftpesOpen, listening, tcpOpen } from '../helpers/ftps-open.js';
import { runOracle } from '../helpers/oracle.js';

interface Info {
  rootCa: string;
  issuingCa: string;
  caBundle: string;
  clientCa: string;
  goodCert: string;
  revokedCert: string;
  ocspUrl: string;
  caIssuersUrl: string;
  ports: { ocspHttp: number; proftpdStaple: number; proftpdRevoked: number; tlsLeafOnly: number };
}

const infoFile = path.join(labRunDir(), 'tls-extra', 'info.json');
const info: Info | null = existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as Info) : null;
const accessLog = path.join(labRunDir(), 'logs', 'ocsp-http.out.log');
const der = (file: string) => pemToDer(readFileSync(file, 'utf8'))[0]!;

const run = async (cmd: string, args: string[]): Promise<string> =>
  (await runOracle(cmd, args, { stdinOpenMs: 500, timeoutMs: 20_000 })).out;

/** s_client -status: the stapled response as OpenSSL prints it. */
async function sClientStatus(
  port: number,
  starttls: boolean,
): Promise<{ status: string | null; reason: string | null; responder: string | null }> {
  const out = await run('openssl', [
    's_client',
    ...(starttls ? ['-starttls', 'ftp'] : []),
    '-connect',
    `127.0.0.1:${port}`,
    '-status',
    '-tls1_2',
  ]);
  return {
    status: /Cert Status: (\w+)/.exec(out)?.[1] ?? null,
    reason: /Revocation Reason: (\w+)/.exec(out)?.[1] ?? null,
    responder: /Responder Id: (.+)/.exec(out)?.[1]?.replace(/ = /g, '=').trim() ?? null,
  };
}

const requests = () =>
  existsSync(accessLog)
    ? readFileSync(accessLog, 'utf8')
        .split('\n')
        .filter((l) => /"(GET|POST) /.test(l)).length
    : 0;

let up = false;
beforeAll(async () => {
  up =
    !!info &&
    (await listening(info.ports.proftpdStaple)) &&
    (await listening(info.ports.ocspHttp)) &&
    (await listening(info.ports.tlsLeafOnly));
});

describe('OCSP stapling on real servers (tls-extra lab module)', () => {
  it('ProFTPD staples GOOD for a Must-Staple certificate, over TLS 1.2 and 1.3, as s_client -status sees it', async (ctx) => {
    if (!up) return ctx.skip();
    const open = ftpesOpen(info!.ports.proftpdStaple);
    const st = await fetchStaple(open, { serverName: 'localhost' });
    expect(st.via).toBe('tls12-flight');
    const a = assessStaple(st.ocspDer, st.chainDer);
    expect(a).toMatchObject({
      stapled: true,
      status: 'good',
      forLeaf: true,
      mustStaple: true,
      signatureValid: true,
      signer: 'delegated-responder',
      expired: false,
    });
    expect(a.ageSeconds).toBeGreaterThanOrEqual(0);
    const oracle = await sClientStatus(info!.ports.proftpdStaple, true);
    expect(oracle.status).toBe('good');
    expect(a.responder).toBe(oracle.responder);
    const t13 = await fetchStaple(open, { serverName: 'localhost', via: 'tls13' });
    expect(t13.protocol).toBe('TLSv1.3');
    expect(assessStaple(t13.ocspDer, t13.chainDer)).toMatchObject({ stapled: true, status: 'good', forLeaf: true });
  });

  it('ProFTPD staples REVOKED (keyCompromise) for the revoked certificate, as s_client -status sees it', async (ctx) => {
    if (!up) return ctx.skip();
    const st = await fetchStaple(ftpesOpen(info!.ports.proftpdRevoked), { serverName: 'localhost' });
    const a = assessStaple(st.ocspDer, st.chainDer);
    expect(a).toMatchObject({
      stapled: true,
      status: 'revoked',
      revocationReason: 'keyCompromise',
      signatureValid: true,
      mustStaple: false,
    });
    const oracle = await sClientStatus(info!.ports.proftpdRevoked, true);
    expect([oracle.status, oracle.reason]).toEqual(['revoked', 'keyCompromise']);
  });

  it('the battery hands over the staple it saw in its first hello', async (ctx) => {
    if (!up) return ctx.skip();
    const b = await runVulnBattery(ftpesOpen(info!.ports.proftpdRevoked), {
      serverName: 'localhost',
      intrusive: false,
      only: ['secure-renegotiation'],
    });
    expect(assessStaple(b.handshake.stapledOcsp, [der(info!.revokedCert), der(info!.issuingCa)]).status).toBe('revoked');
  });

  it('no stapling on a lab server that does not staple', async (ctx) => {
    if (!(await listening(21021))) return ctx.skip();
    const st = await fetchStaple(ftpesOpen(21021), { serverName: 'localhost' });
    expect(assessStaple(st.ocspDer, st.chainDer)).toMatchObject({ stapled: false, status: null });
  });
});

describe('revocation by asking the CA (only when asked)', () => {
  it('stapling, trust and chain analysis contact nobody; checkRevocation asks the OCSP responder and the CRL', async (ctx) => {
    if (!up) return ctx.skip();
    const before = requests();
    const st = await fetchStaple(tcpOpen(info!.ports.tlsLeafOnly), { serverName: 'localhost' });
    assessStaple(st.ocspDer, st.chainDer, { issuerDer: der(info!.issuingCa) });
    const t = await analyzeTrust(st.chainDer, {
      stores: [{ name: 'root', pem: readFileSync(info!.rootCa, 'utf8') }],
      hostname: 'localhost',
    });
    expect(t.contacted).toEqual([]);
    expect(requests()).toBe(before);
    const good = await checkRevocation([der(info!.goodCert), der(info!.issuingCa)]);
    expect(good.contacted).toEqual([info!.ocspUrl, expect.stringMatching(/\/crl\/issuing\.crl$/)]);
    expect(requests()).toBe(before + 2);
    expect(good).toMatchObject({
      status: 'good',
      ocsp: { status: 'good', signatureValid: true, nonceMatched: true },
      crl: { listed: false, signatureValid: true },
    });
    const revoked = await checkRevocation([der(info!.revokedCert), der(info!.issuingCa)]);
    expect(revoked).toMatchObject({ status: 'revoked', ocsp: { status: 'revoked' }, crl: { listed: true } });
    // the oracle: openssl ocsp as a client of the same responder
    for (const [cert, want] of [
      [info!.goodCert, 'good'],
      [info!.revokedCert, 'revoked'],
    ] as const) {
      const out = await run('openssl', ['ocsp', '-issuer', info!.issuingCa, '-cert', cert, '-url', info!.ocspUrl, '-CAfile', info!.rootCa]);
      expect(out).toMatch(new RegExp(`: ${want}`));
    }
  });
});

describe('trust across several stores, chain order, missing intermediates, key usage', () => {
  it('a leaf sent without its issuing CA: named with its AIA URL, fetched only with fetchMissing; openssl verify agrees', async (ctx) => {
    if (!up) return ctx.skip();
    const st = await fetchStaple(tcpOpen(info!.ports.tlsLeafOnly), { serverName: 'localhost' });
    expect(st.chainDer).toHaveLength(1);
    const stores = [
      { name: info!.rootCa, pem: readFileSync(info!.rootCa, 'utf8') },
      { name: info!.caBundle, pem: readFileSync(info!.caBundle, 'utf8') },
      { name: info!.clientCa, pem: readFileSync(info!.clientCa, 'utf8') },
    ];
    const t = await analyzeTrust(st.chainDer, { stores, hostname: 'localhost' });
    // with the root alone the path breaks at the missing intermediate; the bundle holds it
    expect(t.stores.map((s) => [s.store, s.trusted])).toEqual([
      ['system', false],
      [info!.rootCa, false],
      [info!.caBundle, true],
      [info!.clientCa, false],
    ]);
    expect(t.missingIssuers).toEqual([]); // the bundle store has it: not "missing everywhere"
    const rootOnly = await analyzeTrust(st.chainDer, { stores: [stores[0]!], hostname: 'localhost' });
    expect(rootOnly.missingIssuers).toEqual([
      { subject: 'CN=localhost', issuer: 'CN=xferscan lab issuing CA, O=xferscan lab', caIssuersUrls: [info!.caIssuersUrl], fetched: null },
    ]);
    const fetched = await analyzeTrust(st.chainDer, { stores: [stores[0]!], hostname: 'localhost', fetchMissing: true });
    expect(fetched.contacted).toEqual([info!.caIssuersUrl]);
    expect(fetched.missingIssuers[0]!.fetched).toMatchObject({ ok: true, subject: 'CN=xferscan lab issuing CA, O=xferscan lab' });
    expect(fetched.storesWithFetched?.find((s) => s.store === info!.rootCa)?.trusted).toBe(true);
    // the oracle
    expect(await run('openssl', ['verify', '-CAfile', info!.rootCa, info!.goodCert])).toMatch(/unable to get local issuer/);
    expect(await run('openssl', ['verify', '-CAfile', info!.rootCa, '-untrusted', info!.issuingCa, info!.goodCert])).toMatch(/: OK/);
  });

  it('the ProFTPD chain is sent in order; its leaf fits a TLS server; extensions match openssl x509 -text', async (ctx) => {
    if (!up) return ctx.skip();
    const st = await fetchStaple(ftpesOpen(info!.ports.proftpdStaple), { serverName: 'localhost' });
    const t = await analyzeTrust(st.chainDer, {
      stores: [{ name: 'root', pem: readFileSync(info!.rootCa, 'utf8') }],
      hostname: 'localhost',
      offeredSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
    });
    expect(t.order).toBe('ok');
    expect(t.chain.map((c) => c.issuedByNext)).toEqual([true, null]);
    expect(t.trustedBy).toEqual(['root']);
    expect(t.usage).toMatchObject({ fit: true, keyUsage: ['digitalSignature', 'keyEncipherment'], extendedKeyUsage: ['serverAuth'] });
    const ext = certificateExtensionFacts(st.chainDer[0]!)!;
    const text = await run('openssl', ['x509', '-in', info!.goodCert, '-noout', '-text']);
    expect(text).toMatch(/TLS Feature:\s+status_request/);
    expect(ext.mustStaple).toBe(true);
    expect(text).toContain(`OCSP - URI:${ext.ocspUrls[0]}`);
    expect(text).toContain(`CA Issuers - URI:${ext.caIssuersUrls[0]}`);
    expect(text).toContain(`URI:${ext.crlUrls[0]}`);
  });
});
