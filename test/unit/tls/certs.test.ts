import { describe, expect, it, beforeAll } from 'vitest';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import tls from 'node:tls';
import path from 'node:path';
import forge from 'node-forge';
import { analyzeChain, parseCertificate, pemToDer } from '../../../src/tls/certs.js';
import { checksOf } from '../../../src/checks/registry.js';

const tlsChecks = checksOf('tls');
import { runChecks } from '../../../src/checks/engine.js';
import type { EndpointReport, TlsFacts } from '../../../src/model.js';

function rsaKeys(bits: number) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    priv: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
    pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  };
}

interface MkOpts {
  cn: string;
  keys: ReturnType<typeof rsaKeys>;
  issuer?: { cn: string; priv: forge.pki.rsa.PrivateKey };
  notBefore?: Date;
  notAfter?: Date;
  sans?: string[];
  ca?: boolean;
  md?: 'sha1' | 'sha256' | 'md5';
}

function mkCert(o: MkOpts): Buffer {
  const c = forge.pki.createCertificate();
  c.publicKey = o.keys.pub;
  c.serialNumber = '0' + crypto.randomBytes(8).toString('hex');
  c.validity.notBefore = o.notBefore ?? new Date(Date.now() - 86_400_000);
  c.validity.notAfter = o.notAfter ?? new Date(Date.now() + 90 * 86_400_000);
  c.setSubject([{ name: 'commonName', value: o.cn }]);
  c.setIssuer([{ name: 'commonName', value: o.issuer?.cn ?? o.cn }]);
  const exts: object[] = [{ name: 'basicConstraints', cA: !!o.ca }];
  if (o.sans)
    exts.push({ name: 'subjectAltName', altNames: o.sans.map((s) => (/^\d/.test(s) ? { type: 7, ip: s } : { type: 2, value: s })) });
  c.setExtensions(exts);
  const md = o.md === 'sha1' ? forge.md.sha1.create() : o.md === 'md5' ? forge.md.md5.create() : forge.md.sha256.create();
  c.sign(o.issuer?.priv ?? o.keys.priv, md);
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary');
}

function toPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
}

function endpointWith(der: Buffer[], hostname: string, caPem: string | null): EndpointReport {
  const a = analyzeChain(der, { hostname, caPem, systemRoots: false });
  const tls: TlsFacts = {
    protocols: { 'TLSv1.2': true },
    cipherSuites: {},
    serverPreference: null,
    groups: [],
    certificate: a.certificates[0] ?? null,
    chain: a.certificates,
    validation: {
      trusted: a.trusted,
      error: a.trustError,
      trustAnchor: a.trustAnchor,
      trustSource: a.trustSource,
      hostname: a.hostname,
      hostnameMatch: a.hostnameMatch,
      chainOrderProblem: a.chainOrderProblem,
    },
  };
  return {
    host: hostname,
    port: 990,
    address: '127.0.0.1',
    state: 'open',
    connectMs: 1,
    service: 'ftps-implicit',
    banner: null,
    tls,
    ssh: null,
    ftp: null,
    findings: [],
    transcript: [],
  };
}

const statusOf = (ep: EndpointReport, id: string) => runChecks(ep, tlsChecks, {}).find((f) => f.id === id)?.status;

describe('certificate analysis', () => {
  let caKeys: ReturnType<typeof rsaKeys>;
  let caDer: Buffer;
  let leafDer: Buffer;
  beforeAll(() => {
    caKeys = rsaKeys(2048);
    caDer = mkCert({ cn: 'xferscan Test CA', keys: caKeys, ca: true, notAfter: new Date(Date.now() + 3650 * 86_400_000) });
    leafDer = mkCert({
      cn: 'ftp.test',
      keys: rsaKeys(2048),
      issuer: { cn: 'xferscan Test CA', priv: caKeys.priv },
      sans: ['ftp.test', '127.0.0.1'],
    });
  });

  it('reads the facts of a leaf', () => {
    const c = parseCertificate(leafDer);
    expect(c).toMatchObject({
      subject: 'CN=ftp.test',
      issuer: 'CN=xferscan Test CA',
      keyType: 'RSA',
      keyBits: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      signatureHash: 'sha256',
      selfSigned: false,
      isCA: false,
    });
    expect(c.subjectAltNames).toEqual(['DNS:ftp.test', 'IP Address:127.0.0.1']);
    expect(c.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(c.lifetimeDays).toBe(91);
  });

  it('verifies a chain to a --ca-file anchor, and checks the name', () => {
    const a = analyzeChain([leafDer], { hostname: 'ftp.test', caPem: toPem(caDer), systemRoots: false });
    expect(a).toMatchObject({ trusted: true, trustSource: 'ca-file', trustAnchor: 'CN=xferscan Test CA', hostnameMatch: true });
    expect(analyzeChain([leafDer, caDer], { hostname: '127.0.0.1', caPem: toPem(caDer), systemRoots: false })).toMatchObject({
      trusted: true,
      hostnameMatch: true,
    });
    expect(analyzeChain([leafDer], { hostname: 'other.test', caPem: toPem(caDer), systemRoots: false }).hostnameMatch).toBe(false);
    const untrusted = analyzeChain([leafDer], { hostname: 'ftp.test' });
    expect(untrusted.trusted).toBe(false);
    expect(untrusted.trustError).toMatch(/unable to get issuer/);
    const ep = endpointWith([leafDer], 'ftp.test', toPem(caDer));
    expect(statusOf(ep, 'TLS-CERT-UNTRUSTED')).toBe('pass');
    expect(statusOf(ep, 'TLS-CERT-NAME-MISMATCH')).toBe('pass');
    expect(statusOf(endpointWith([leafDer], 'wrong.test', toPem(caDer)), 'TLS-CERT-NAME-MISMATCH')).toBe('fail');
    expect(statusOf(endpointWith([leafDer], 'ftp.test', null), 'TLS-CERT-UNTRUSTED')).toBe('fail');
  });

  it('matches anchors by canonical name, not by bytes: string type, case and spacing may differ', () => {
    const keys = rsaKeys(2048);
    const ca = forge.pki.createCertificate();
    ca.publicKey = keys.pub;
    ca.serialNumber = '01';
    ca.validity.notBefore = new Date(Date.now() - 86_400_000);
    ca.validity.notAfter = new Date(Date.now() + 86_400_000);
    const caName = [
      { name: 'organizationName', value: 'Example  Trust', valueTagClass: forge.asn1.Type.PRINTABLESTRING },
      { name: 'commonName', value: 'Example Root', valueTagClass: forge.asn1.Type.PRINTABLESTRING },
    ];
    ca.setSubject(caName as unknown as forge.pki.CertificateField[]);
    ca.setIssuer(caName as unknown as forge.pki.CertificateField[]);
    ca.setExtensions([{ name: 'basicConstraints', cA: true }]);
    ca.sign(keys.priv, forge.md.sha256.create());
    const caPem = forge.pki.certificateToPem(ca);
    const leaf = forge.pki.createCertificate();
    leaf.publicKey = rsaKeys(2048).pub;
    leaf.serialNumber = '02';
    leaf.validity.notBefore = ca.validity.notBefore;
    leaf.validity.notAfter = ca.validity.notAfter;
    leaf.setSubject([{ name: 'commonName', value: 'leaf.test' }]);
    // the same name as UTF8String, differently cased and spaced: OpenSSL's canonical form matches it
    leaf.setIssuer([
      { name: 'organizationName', value: 'example trust', valueTagClass: forge.asn1.Type.UTF8 },
      { name: 'commonName', value: 'EXAMPLE ROOT', valueTagClass: forge.asn1.Type.UTF8 },
    ] as unknown as forge.pki.CertificateField[]);
    leaf.sign(keys.priv, forge.md.sha256.create());
    const leafBytes = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), 'binary');
    expect(analyzeChain([leafBytes], { caPem, systemRoots: false })).toMatchObject({
      trusted: true,
      trustSource: 'ca-file',
      trustAnchor: 'O=Example  Trust, CN=Example Root',
    });
    // a different name is not matched, even with the right key
    leaf.setIssuer([{ name: 'commonName', value: 'Example Root 2' }]);
    leaf.sign(keys.priv, forge.md.sha256.create());
    const other = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), 'binary');
    expect(analyzeChain([other], { caPem, systemRoots: false }).trusted).toBe(false);
  });

  it('trusts a certificate that is itself a system root, and names it', () => {
    const rootPem = tls.rootCertificates[0]!;
    const rootDer = pemToDer(rootPem)[0]!;
    const a = analyzeChain([rootDer]);
    expect(a).toMatchObject({ trusted: true, trustSource: 'system' });
    expect(a.trustAnchor).toBe(parseCertificate(rootDer).subject);
    expect(analyzeChain([rootDer], { systemRoots: false }).trusted).toBe(false);
  });

  it('flags an expired, self-signed, 1024-bit, SHA-1 certificate', () => {
    const der = mkCert({
      cn: 'old.test',
      keys: rsaKeys(1024),
      md: 'sha1',
      notBefore: new Date('2019-01-01'),
      notAfter: new Date('2021-01-01'),
      sans: ['old.test'],
    });
    const c = parseCertificate(der);
    expect(c).toMatchObject({ keyBits: 1024, signatureAlgorithm: 'sha1WithRSAEncryption', selfSigned: true });
    const ep = endpointWith([der], 'old.test', null);
    expect(statusOf(ep, 'TLS-CERT-EXPIRED')).toBe('fail');
    expect(statusOf(ep, 'TLS-CERT-WEAK-KEY')).toBe('fail');
    expect(statusOf(ep, 'TLS-CERT-WEAK-SIGNATURE')).toBe('fail');
    expect(statusOf(ep, 'TLS-CERT-UNTRUSTED')).toBe('fail');
    expect(statusOf(ep, 'TLS-CERT-LIFETIME')).toBe('warn');
    expect(analyzeChain([der], {}).trustError).toMatch(/self-signed/);
  });

  it('flags not-yet-valid and expiring certificates', () => {
    const future = mkCert({
      cn: 'f.test',
      keys: rsaKeys(2048),
      notBefore: new Date(Date.now() + 5 * 86_400_000),
      notAfter: new Date(Date.now() + 50 * 86_400_000),
    });
    expect(statusOf(endpointWith([future], 'f.test', null), 'TLS-CERT-NOT-YET-VALID')).toBe('fail');
    const soon = mkCert({ cn: 's.test', keys: rsaKeys(2048), notAfter: new Date(Date.now() + 10 * 86_400_000) });
    expect(statusOf(endpointWith([soon], 's.test', null), 'TLS-CERT-EXPIRING')).toBe('warn');
    expect(statusOf(endpointWith([soon], 's.test', null), 'TLS-CERT-EXPIRED')).toBe('pass');
  });

  it('reads EC certificates (forge cannot) through node:crypto', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xfs-cert-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(dir, 'k.pem'),
        '-out',
        path.join(dir, 'c.pem'),
        '-days',
        '10',
        '-subj',
        '/CN=ec.test',
      ],
      { stdio: 'ignore' },
    );
    const der = pemToDer(readFileSync(path.join(dir, 'c.pem'), 'utf8'))[0]!;
    expect(parseCertificate(der)).toMatchObject({
      keyType: 'EC',
      keyBits: 256,
      keyCurve: 'prime256v1',
      signatureAlgorithm: 'ecdsa-with-SHA256',
      selfSigned: true,
    });
  });

  it('reads the signature algorithm from the DER, RSASSA-PSS hash included (as openssl writes them)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xfs-pss-'));
    const make = (name: string, args: string[]) => {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-new',
          '-nodes',
          '-subj',
          `/CN=${name}`,
          '-days',
          '2',
          '-keyout',
          path.join(dir, `${name}.key`),
          '-out',
          path.join(dir, `${name}.pem`),
          ...args,
        ],
        { stdio: 'ignore' },
      );
      return pemToDer(readFileSync(path.join(dir, `${name}.pem`), 'utf8'))[0]!;
    };
    const pss = make('pss', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-sha384', '-sigopt', 'rsa_padding_mode:pss']);
    expect(parseCertificate(pss)).toMatchObject({ signatureAlgorithm: 'RSASSA-PSS(sha384)', signatureHash: 'sha384' });
    const ec = make('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-sha512']);
    expect(parseCertificate(ec)).toMatchObject({
      signatureAlgorithm: 'ecdsa-with-SHA512',
      signatureHash: 'sha512',
      keyCurve: 'secp384r1',
      keyBits: 384,
    });
    const ed = make('ed', ['-newkey', 'ed25519']);
    expect(parseCertificate(ed)).toMatchObject({ signatureAlgorithm: 'Ed25519', keyType: 'Ed25519' });
  });

  it('never throws on garbage', () => {
    expect(parseCertificate(Buffer.from('not a certificate')).parseError).toBeTruthy();
    expect(analyzeChain([Buffer.from([0x30, 0x00])]).trusted).toBe(false);
    expect(analyzeChain([]).trustError).toBe('no certificate');
  });
});
