// OCSP responses, CRLs, certificate extensions and key-usage fitness on material made here with
// the openssl CLI (a throw-away CA in a temp dir). The oracle for every parsed value is OpenSSL's
// own text output (`openssl ocsp -resp_text`, `openssl crl -text`); the parsers never throw on
// garbage (fast-check).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessStaple, buildOcspRequest, parseCrl, parseOcspResponse, verifyOcspResponse } from '../../../src/tls/ocsp.js';
import { certificateExtensionFacts, pemToDer, publicKeyFingerprint } from '../../../src/tls/certs.js';
import { chainAsSent, usageFitness, certificatesFromIssuerFile } from '../../../src/tls/trust.js';
import { derNameToString } from '../../../src/tls/der.js';

let dir = '';
const f = (n: string) => path.join(dir, n);
const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const der = (n: string) => pemToDer(readFileSync(f(n), 'utf8'))[0]!;

function caConf(): string {
  return `[ ca ]
default_ca = c
[ c ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 30
default_crl_days = 7
policy = p
[ p ]
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
authorityInfoAccess = OCSP;URI:http://127.0.0.1:9/ocsp, caIssuers;URI:http://127.0.0.1:9/ca.der
crlDistributionPoints = URI:http://127.0.0.1:9/ca.crl
tlsfeature = status_request
[ clientonly ]
basicConstraints = CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = clientAuth
[ ocsp ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
`;
}

function issue(name: string, ext: string, keyAlg: string[] = ['-newkey', 'rsa:2048']) {
  ossl('req', '-new', ...keyAlg, '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
  ossl(
    'ca',
    '-batch',
    '-config',
    f('ca.cnf'),
    '-cert',
    f('ca.crt'),
    '-keyfile',
    f('ca.key'),
    '-extensions',
    ext,
    '-notext',
    '-in',
    f(`${name}.csr`),
    '-out',
    f(`${name}.crt`),
  );
}

/** `openssl ocsp` as the responder, answering our own DER request from a file. */
function respond(reqDer: Buffer, signer: 'ca' | 'ocsp'): Buffer {
  writeFileSync(f('req.der'), reqDer);
  ossl(
    'ocsp',
    '-index',
    f('index.txt'),
    '-CA',
    f('ca.crt'),
    '-rsigner',
    f(`${signer}.crt`),
    '-rkey',
    f(`${signer}.key`),
    '-reqin',
    f('req.der'),
    '-respout',
    f('resp.der'),
    '-nmin',
    '10',
  );
  return readFileSync(f('resp.der'));
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'xfs-ocsp-'));
  writeFileSync(f('index.txt'), '');
  writeFileSync(f('serial'), '2000\n');
  writeFileSync(f('crlnumber'), '1000\n');
  writeFileSync(f('ca.cnf'), caConf());
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/O=unit/CN=unit CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  issue('good', 'leaf');
  issue('bad', 'leaf');
  issue('ocsp', 'ocsp');
  issue('clientonly', 'clientonly');
  issue('ec', 'leaf', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']);
  ossl(
    'ca',
    '-batch',
    '-config',
    f('ca.cnf'),
    '-cert',
    f('ca.crt'),
    '-keyfile',
    f('ca.key'),
    '-revoke',
    f('bad.crt'),
    '-crl_reason',
    'superseded',
  );
  ossl('ca', '-batch', '-config', f('ca.cnf'), '-cert', f('ca.crt'), '-keyfile', f('ca.key'), '-gencrl', '-out', f('ca.crl'));
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('OCSP', () => {
  it('our request is a request OpenSSL reads (the serial it names is ours)', () => {
    const req = buildOcspRequest(der('good.crt'), der('ca.crt'));
    writeFileSync(f('q.der'), req);
    const text = ossl('ocsp', '-reqin', f('q.der'), '-req_text');
    const serial = ossl('x509', '-in', f('good.crt'), '-noout', '-serial').split('=')[1]!.trim();
    expect(text).toContain(`Serial Number: ${serial}`);
    expect(text).toMatch(/OCSP Nonce/);
  });

  it('good, revoked and unknown responses parse as openssl -resp_text prints them; signatures verify', () => {
    for (const [cert, want] of [
      ['good.crt', 'good'],
      ['bad.crt', 'revoked'],
      ['ca.crt', 'unknown'],
    ] as const) {
      const resp = respond(buildOcspRequest(der(cert), der('ca.crt')), 'ocsp');
      const facts = parseOcspResponse(resp);
      writeFileSync(f('r.der'), resp);
      const text = ossl('ocsp', '-respin', f('r.der'), '-resp_text', '-noverify');
      expect(facts.responseStatus).toBe('successful');
      expect(facts.responses[0]!.certStatus).toBe(want);
      expect(text).toContain(`Cert Status: ${want}`);
      expect(facts.responderId).toBe('CN=ocsp');
      expect(facts.signatureAlgorithm).toBe('sha256WithRSAEncryption');
      expect(facts.certificates).toHaveLength(1);
      if (want === 'revoked') expect(facts.responses[0]!.revocationReason).toBe('superseded');
      expect(new Date(facts.responses[0]!.nextUpdate!).getTime() - new Date(facts.responses[0]!.thisUpdate!).getTime()).toBe(10 * 60_000);
      expect(verifyOcspResponse(resp, der('ca.crt'))).toMatchObject({ signatureValid: true, signer: 'delegated-responder' });
    }
    const byCa = respond(buildOcspRequest(der('good.crt'), der('ca.crt')), 'ca');
    expect(verifyOcspResponse(byCa, der('ca.crt'))).toMatchObject({ signatureValid: true, signer: 'issuer' });
    // one byte of the signed data changed (the responder's name, first in tbsResponseData)
    const tampered = Buffer.from(byCa);
    tampered[tampered.indexOf('unit CA')] ^= 0x20;
    expect(verifyOcspResponse(tampered, der('ca.crt')).signatureValid).toBe(false);
  });

  it('assessStaple: status for OUR leaf, age, Must-Staple, and a staple about another certificate', () => {
    const resp = respond(buildOcspRequest(der('good.crt'), der('ca.crt')), 'ocsp');
    const a = assessStaple(resp, [der('good.crt'), der('ca.crt')]);
    expect(a).toMatchObject({ stapled: true, status: 'good', forLeaf: true, mustStaple: true, signatureValid: true, expired: false });
    const later = assessStaple(resp, [der('good.crt'), der('ca.crt')], { now: new Date(Date.now() + 3600_000) });
    expect(later.expired).toBe(true);
    expect(later.ageSeconds).toBeGreaterThan(3500);
    const other = assessStaple(resp, [der('bad.crt'), der('ca.crt')]);
    expect(other).toMatchObject({ forLeaf: false, status: null });
    expect(assessStaple(null, [der('good.crt')])).toMatchObject({ stapled: false, mustStaple: true });
    expect(assessStaple(null, [der('good.crt')]).evidence.join(' ')).toMatch(/demands one/);
  });

  it('CRLs parse as openssl crl -text prints them', () => {
    const crl = parseCrl(readFileSync(f('ca.crl')));
    const text = ossl('crl', '-in', f('ca.crl'), '-noout', '-text');
    const badSerial = ossl('x509', '-in', f('bad.crt'), '-noout', '-serial').split('=')[1]!.trim();
    expect(crl.parseError).toBeNull();
    expect(crl.issuer).toBe('O=unit, CN=unit CA');
    expect([...crl.revoked.keys()]).toEqual([badSerial]);
    expect(text).toContain(`Serial Number: ${badSerial}`);
  });
});

describe('certificate extensions and fitness for a TLS server', () => {
  it('AIA, CRL DP, TLS feature, key usage and EKU as openssl x509 -text shows them', () => {
    const e = certificateExtensionFacts(der('good.crt'))!;
    expect(e).toMatchObject({
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['serverAuth'],
      ocspUrls: ['http://127.0.0.1:9/ocsp'],
      caIssuersUrls: ['http://127.0.0.1:9/ca.der'],
      crlUrls: ['http://127.0.0.1:9/ca.crl'],
      tlsFeatures: [5],
      mustStaple: true,
    });
    expect(certificateExtensionFacts(der('ca.crt'))!.mustStaple).toBe(false);
    const spki = execFileSync('sh', [
      '-c',
      `openssl x509 -in ${f('good.crt')} -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r`,
    ])
      .toString()
      .split(' ')[0]!;
    expect(publicKeyFingerprint(der('good.crt'))!.replace(/:/g, '').toLowerCase()).toBe(spki);
  });

  it('usage: a clientAuth-only RSA key with keyEncipherment only is unfit; the EC server key is fit', () => {
    const bad = usageFitness(der('clientonly.crt'), ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
    expect(bad.fit).toBe(false);
    expect(bad.problems.join(' ')).toMatch(/does not include serverAuth/);
    expect(bad.problems.join(' ')).toMatch(/lacks digitalSignature/);
    expect(usageFitness(der('good.crt'), ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA']).fit).toBe(true);
    expect(usageFitness(der('ec.crt')).fit).toBe(true);
    expect(usageFitness(der('ca.crt')).notes.join(' ')).toMatch(/CA certificate/);
  });

  it('chain order as sent: in order, reversed, and with an unrelated certificate', () => {
    expect(chainAsSent([der('good.crt'), der('ca.crt')]).order).toBe('ok');
    const rev = chainAsSent([der('good.crt'), der('ec.crt'), der('ca.crt')]);
    expect(rev.order).toBe('unrelated-certificates');
    expect(rev.problems.join(' ')).toMatch(/certificate 2 \(CN=unit CA, O=unit|certificate 1 \(CN=ec\) is not on the path/);
    expect(chainAsSent([]).order).toBe('empty');
  });

  it('issuer files: DER, PEM and a PKCS#7 bundle (.p7c) all yield the certificate', () => {
    ossl('crl2pkcs7', '-nocrl', '-certfile', f('ca.crt'), '-outform', 'DER', '-out', f('ca.p7c'));
    for (const body of [der('ca.crt'), readFileSync(f('ca.crt')), readFileSync(f('ca.p7c'))])
      expect(certificatesFromIssuerFile(body)).toEqual([der('ca.crt')]);
  });
});

describe('parsers never throw on garbage', () => {
  it('OCSP, CRL, extensions, names, issuer files', () => {
    const good = respond(buildOcspRequest(der('good.crt'), der('ca.crt')), 'ocsp');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(good.length - 1), (bytes, cut) => {
        const b = Buffer.from(bytes);
        parseOcspResponse(b);
        parseOcspResponse(good.subarray(0, cut));
        parseCrl(b);
        certificateExtensionFacts(b);
        certificatesFromIssuerFile(b);
        assessStaple(b, [der('good.crt')]);
        try {
          derNameToString(b);
        } catch {
          /* documented to throw: callers guard */
        }
      }),
      { numRuns: 300 },
    );
  });
});
