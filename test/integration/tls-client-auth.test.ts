// Client certificates against a real server that requires one: vsftpd-mtls of the tls-extra lab
// module (require_cert + validate_cert, lab client CA). The oracle is `openssl s_client -starttls
// ftp` (the CA names it prints, the alert it gets without a certificate) and curl --cert (a real
// FTPS listing over control and data connections with the partner's certificate).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'basic-ftp';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectClientAuth, loadClientCredentials, ClientCredentialError, type LoadedClientCredentials } from '../../src/tls/client-auth.js';
import { labPassword, labRunDir } from '../lab/endpoints.js';
import { runVulnBattery } from '../../src/tls/vuln/index.js';
import { ftpesOpen, listening } from '../helpers/ftps-open.js';
import { runOracle } from '../helpers/oracle.js';

interface Info {
  clientCert: string;
  clientKey: string;
  clientKeyEncrypted: string;
  clientKeyPassphraseFile: string;
  strangerCert: string;
  strangerKey: string;
  serverCert: string;
  ports: { vsftpdMtls: number };
}

const infoFile = path.join(labRunDir(), 'tls-extra', 'info.json');
const info: Info | null = existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as Info) : null;
const PORT = info?.ports.vsftpdMtls ?? 24021;

// s_client reads the server's late alerts only while its stdin is open
const run = (cmd: string, args: string[], stdinOpenMs = 1000) => runOracle(cmd, args, { stdinOpenMs, timeoutMs: 20_000 });

const sClient = (...extra: string[]) => run('openssl', ['s_client', '-starttls', 'ftp', '-connect', `127.0.0.1:${PORT}`, ...extra]);

let up = false;
let creds: LoadedClientCredentials;
beforeAll(async () => {
  up = !!info && (await listening(PORT));
  if (up)
    creds = loadClientCredentials({
      certFile: info!.clientCert,
      keyFile: info!.clientKeyEncrypted,
      passphraseFile: info!.clientKeyPassphraseFile,
    });
});

describe('a server that requires a client certificate (vsftpd-mtls)', () => {
  it('TLS 1.2: required, with the CA names s_client prints; our certificate is accepted', async (ctx) => {
    if (!up) return ctx.skip();
    const r = await detectClientAuth(ftpesOpen(PORT), { serverName: 'localhost', timeoutMs: 8000, credentials: creds });
    expect(r.status).toBe('required');
    expect(r.requested).toBe(true);
    expect(r.withoutCertificate).toMatchObject({ outcome: 'refused', alert: 'handshake_failure' });
    expect(r.withCertificate).toMatchObject({ outcome: 'completed', protocol: 'TLSv1.2' });
    expect(r.connections).toBe(3);
    const oracle = await sClient('-tls1_2');
    const m = /Acceptable client certificate CA names\n([\s\S]*?)\n(?:Requested|Client Certificate Types)/.exec(oracle.out);
    const names = m![1]!.split('\n').map((l) => l.replace(/ = /g, '=').trim());
    expect(r.acceptedCAs).toEqual(names);
    expect(names).toEqual(['O=xferscan lab, CN=xferscan lab client CA']);
  });

  it('TLS 1.3: the refusal comes after the handshake as certificate_required, as s_client sees it', async (ctx) => {
    if (!up) return ctx.skip();
    const r = await detectClientAuth(ftpesOpen(PORT), { serverName: 'localhost', timeoutMs: 8000, legacy: false, credentials: creds });
    expect(r.status).toBe('required');
    expect(r.acceptedCAs).toBeNull(); // encrypted in TLS 1.3
    expect(r.withoutCertificate).toMatchObject({
      outcome: 'refused',
      alert: 'certificate_required',
      afterHandshake: true,
      protocol: 'TLSv1.3',
    });
    expect(r.withCertificate).toMatchObject({ outcome: 'completed', protocol: 'TLSv1.3' });
    expect((await sClient('-tls1_3')).out).toMatch(/alert certificate required/);
  });

  it("a stranger's certificate is refused (unknown_ca), as with s_client", async (ctx) => {
    if (!up) return ctx.skip();
    const stranger = loadClientCredentials({ certFile: info!.strangerCert, keyFile: info!.strangerKey });
    const r = await detectClientAuth(ftpesOpen(PORT), { serverName: 'localhost', timeoutMs: 8000, credentials: stranger });
    expect(r.withCertificate).toMatchObject({ outcome: 'refused', alert: 'unknown_ca' });
    expect((await sClient('-tls1_2', '-cert', info!.strangerCert, '-key', info!.strangerKey)).out).toMatch(/alert unknown ca/);
  });

  it('control and data connections run with the loaded certificate; curl --cert lists the same', async (ctx) => {
    if (!up) return ctx.skip();
    const password = labPassword('xfsuser');
    const client = new Client(10_000);
    try {
      await client.access({
        host: '127.0.0.1',
        port: PORT,
        user: 'xfsuser',
        password,
        secure: true,
        secureOptions: { ...creds.tlsOptions, rejectUnauthorized: false },
      });
      // basic-ftp lists with LIST -a; compare what is not a dot file
      const names = (await client.list())
        .map((f) => f.name)
        .filter((n) => !n.startsWith('.'))
        .sort();
      expect(names).toContain('readme.txt');
      const curl = await run(
        'curl',
        [
          '-s',
          '--ssl-reqd',
          '-k',
          '--cert',
          info!.clientCert,
          '--key',
          info!.clientKey,
          '--list-only',
          `ftp://xfsuser:${password}@127.0.0.1:${PORT}/`,
        ],
        0,
      );
      expect(curl.code).toBe(0);
      expect(
        curl.out
          .trim()
          .split(/\r?\n/)
          .filter((n) => !n.startsWith('.'))
          .sort(),
      ).toEqual(names);
    } finally {
      client.close();
    }
    // without the certificate neither gets in
    const bare = new Client(10_000);
    await expect(
      bare.access({ host: '127.0.0.1', port: PORT, user: 'xfsuser', password, secure: true, secureOptions: { rejectUnauthorized: false } }),
    ).rejects.toThrow();
    bare.close();
    const curlBare = await run('curl', ['-s', '--ssl-reqd', '-k', `ftp://xfsuser:${password}@127.0.0.1:${PORT}/`], 0);
    expect(curlBare.code).not.toBe(0);
  });
});

describe('the vulnerability battery on a server that requires a client certificate', () => {
  it('without one, the tests that need a full handshake say so; with one, every test decides', async (ctx) => {
    if (!up) return ctx.skip();
    const bare = await runVulnBattery(ftpesOpen(PORT), { serverName: 'localhost', timeoutMs: 8000 });
    for (const id of ['client-renegotiation', 'ticketbleed', 'robot'] as const) {
      expect([id, bare.results[id]!.status]).toEqual([id, 'inconclusive']);
      expect(bare.results[id]!.evidence.join(' ')).toMatch(/client certificate/);
    }
    const withCert = await runVulnBattery(ftpesOpen(PORT), { serverName: 'localhost', timeoutMs: 8000, credentials: creds });
    for (const [id, r] of Object.entries(withCert.results))
      expect([id, r.status], r.evidence.join(' | ')).toEqual([id, expect.stringMatching(/^(not-vulnerable|not-applicable)$/)]);
    expect(withCert.handshake.certificateRequest?.certificateAuthorities).toHaveLength(1);
  });
});

describe('loading the partner certificate and key', () => {
  it('passphrase from a file or an environment variable, never an argument; clear errors otherwise', (ctx) => {
    if (!info || !existsSync(info.clientCert)) return ctx.skip();
    const pass = readFileSync(info.clientKeyPassphraseFile, 'utf8').trim();
    const viaEnv = loadClientCredentials({
      certFile: info.clientCert,
      keyFile: info.clientKeyEncrypted,
      passphraseEnv: 'XFS_KEY_PASS',
      env: { XFS_KEY_PASS: pass },
    });
    expect(viaEnv.leaf.subject).toBe('CN=xferscan lab partner, O=xferscan partner');
    expect(viaEnv.tlsOptions.passphrase).toBe(pass);
    expect(() => loadClientCredentials({ certFile: info.clientCert, keyFile: info.clientKeyEncrypted })).toThrow(
      /is encrypted: give its passphrase/,
    );
    expect(() =>
      loadClientCredentials({ certFile: info.clientCert, keyFile: info.clientKeyEncrypted, passphraseEnv: 'X', env: { X: 'wrong' } }),
    ).toThrow(/does not decrypt/);
    expect(() =>
      loadClientCredentials({ certFile: info.clientCert, keyFile: info.clientKeyEncrypted, passphraseEnv: 'UNSET_XFS', env: {} }),
    ).toThrow(/UNSET_XFS .* is not set/);
    expect(() => loadClientCredentials({ certFile: info.clientCert, keyFile: info.strangerKey })).toThrow(ClientCredentialError);
    expect(() => loadClientCredentials({ certFile: info.clientCert, keyFile: info.strangerKey })).toThrow(
      /is not the key of the certificate/,
    );
    expect(() => loadClientCredentials({ certFile: '/nonexistent/x.pem', keyFile: info.clientKey })).toThrow(
      /cannot read the client certificate/,
    );
  });
});
