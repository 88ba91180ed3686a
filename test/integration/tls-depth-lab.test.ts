// TLS depth in whole `xferscan scan` runs against the real lab servers:
// - the five core TLS servers: no TLS-VULN check fails (BEAST/LUCKY13 may only warn, "potentially",
//   where CBC suites are offered — confirmed with openssl s_client), each with its evidence;
// - vsftpd-mtls (tls-extra module): reported as requiring a client certificate with the CA names
//   `openssl s_client` prints; with --client-cert/--client-key the whole FTPS scan, data channels
//   included, runs — compared with Python's ftplib holding the same client certificate;
// - ProFTPD stapling good and revoked responses, as `openssl s_client -status` sees them;
// - revocation is asked of the lab OCSP responder/CRL only with --check-revocation: its access
//   log is the oracle that nothing is fetched without it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointReport, Finding } from '../../src/model.js';
import { scanJson, runCli } from '../helpers/cli.js';
import { listening } from '../helpers/ftps-open.js';
import { labRunDir } from '../lab/endpoints.js';

interface Info {
  rootCa: string;
  caBundle: string;
  clientCert: string;
  clientKey: string;
  clientKeyEncrypted: string;
  clientKeyPassphraseFile: string;
  ocspUrl: string;
  crlUrl: string;
  caIssuersUrl: string;
  ports: { ocspHttp: number; vsftpdMtls: number; proftpdStaple: number; proftpdRevoked: number; tlsLeafOnly: number };
}

const RUN = labRunDir();
const infoFile = path.join(RUN, 'tls-extra', 'info.json');
const info: Info | null = existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as Info) : null;
const accessLog = path.join(RUN, 'logs', 'ocsp-http.out.log');
const passwordFile = path.join(RUN, 'secrets', 'xfsuser.password');
const ARGS = ['--no-progress', '--timeout', '5000'];

const find = (ep: EndpointReport, id: string): Finding => {
  const f = ep.findings.find((x) => x.id === id);
  if (!f) throw new Error(`${id} missing from ${ep.host}:${ep.port}`);
  return f;
};

const run = async (cmd: string, args: string[], input = ''): Promise<string> => (await runOracle(cmd, args, { input })).out;

/** IANA → OpenSSL suite names, as OpenSSL itself maps them (`openssl ciphers -stdname`). */
let names: Map<string, string> | null = null;
async function opensslNames(): Promise<Map<string, string>> {
  names ??= new Map(
    (await run('openssl', ['ciphers', '-stdname', 'ALL:@SECLEVEL=0']))
      .split('\n')
      .map((l) => /^(\S+)\s+-\s+(\S+)/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [m[1]!, m[2]!]),
  );
  return names;
}

/** The requests the lab responder logged for our kind of fetch: OCSP, CRL and AIA issuer. */
const fetches = (): string[] =>
  existsSync(accessLog)
    ? readFileSync(accessLog, 'utf8')
        .split('\n')
        .filter((l) => /"(GET|POST) \/(ocsp|crl|ca)\b/.test(l))
    : [];

const LAB = [
  { name: 'vsftpd-explicit', url: 'ftpes://127.0.0.1:21021', port: 21021, starttls: true },
  { name: 'vsftpd-implicit', url: 'ftps://127.0.0.1:21990', port: 21990, starttls: false },
  { name: 'vsftpd-lax', url: 'ftpes://127.0.0.1:21025', port: 21025, starttls: true },
  { name: 'proftpd-tls', url: 'ftpes://127.0.0.1:21023', port: 21023, starttls: true },
  { name: 'pureftpd-tls', url: 'ftpes://127.0.0.1:21024', port: 21024, starttls: true },
];

describe('the five lab TLS servers in one scan: nothing vulnerable', () => {
  it('every TLS-VULN check passes (or, for BEAST/LUCKY13 with CBC suites, warns as potential), with evidence', async (ctx) => {
    for (const l of LAB) if (!(await listening(l.port))) return ctx.skip();
    const { report } = await scanJson([...LAB.map((l) => l.url), ...ARGS]);
    for (const [i, l] of LAB.entries()) {
      const ep = report.endpoints[i]!;
      const vulns = ep.findings.filter((f) => f.id.startsWith('TLS-VULN-'));
      expect(vulns.length, l.name).toBe(16);
      for (const f of vulns) {
        expect(f.evidence.length, `${l.name} ${f.id}`).toBeGreaterThan(0);
        if (f.status === 'warn' && /^TLS-VULN-(BEAST|LUCKY13)$/.test(f.id)) {
          expect(f.detail).toMatch(/potentially vulnerable — .*derived from the offered suites/);
          // the oracle: OpenSSL completes a handshake with the CBC suite the finding names
          const suite = f.evidence.find((e) => e.label === 'offered suite')!.value;
          const m = /^(TLS_\w+) \((TLSv1\.[0-2])\)$/.exec(suite)!;
          const ossl = (await opensslNames()).get(m[1]!)!;
          const flag = { 'TLSv1.0': '-tls1', 'TLSv1.1': '-tls1_1', 'TLSv1.2': '-tls1_2' }[m[2]!]!;
          const out = await run('openssl', [
            's_client',
            ...(l.starttls ? ['-starttls', 'ftp'] : []),
            '-connect',
            `127.0.0.1:${l.port}`,
            flag,
            '-cipher',
            `${ossl}:@SECLEVEL=0`,
          ]);
          expect(out, `${l.name} ${suite}`).toMatch(new RegExp(`Cipher is ${ossl}`));
          continue;
        }
        expect([l.name, f.id, f.status], f.detail).toEqual([l.name, f.id, 'pass']);
        expect(f.detail).toMatch(/: (not vulnerable|not applicable) — /);
        if (/^TLS-VULN-(POODLE|BEAST|LUCKY13|SWEET32|FREAK|LOGJAM|DROWN|RC4|CRIME)$/.test(f.id))
          expect(f.detail).toContain('derived from the offered suites');
      }
      // the active tests ran, intrusive ones included, within the endpoint's connection cap
      const v = ep.tls!.vulnerabilities!;
      expect(v.intrusive).toBe(true);
      expect(v.active.map((r) => r.id).sort()).toEqual(
        [
          'ccs-injection',
          'client-renegotiation',
          'downgrade-sentinel',
          'heartbleed',
          'robot',
          'secure-renegotiation',
          'ticketbleed',
        ].sort(),
      );
      expect(find(ep, 'TLS-VULN-HEARTBLEED').status).toBe('pass');
      // the server still works after the battery: the FTP probes after it logged in or were refused as usual
      expect(ep.probeRuns?.find((r) => r.probe === 'tls-vulns')?.status).toBe('completed');
    }
  }, 240_000);
});

describe('tls-extra lab module', () => {
  let up = false;
  beforeAll(async () => {
    up =
      !!info &&
      (await listening(info.ports.vsftpdMtls)) &&
      (await listening(info.ports.proftpdStaple)) &&
      (await listening(info.ports.proftpdRevoked)) &&
      (await listening(info.ports.ocspHttp));
  });

  it('vsftpd-mtls without a client certificate: required, with the CA names openssl s_client shows', async (ctx) => {
    if (!up) return ctx.skip();
    const { report } = await scanJson([`ftpes://127.0.0.1:${info!.ports.vsftpdMtls}`, ...ARGS]);
    const ep = report.endpoints[0]!;
    const f = find(ep, 'TLS-CLIENT-CERT');
    expect(f.status).toBe('info');
    expect(f.detail).toMatch(/this server requires your client certificate; send them its public part/);
    expect(ep.tls!.clientAuth!.status).toBe('required');
    const oracle = await run('openssl', ['s_client', '-starttls', 'ftp', '-connect', `127.0.0.1:${info!.ports.vsftpdMtls}`, '-tls1_2']);
    const names = /Acceptable client certificate CA names\n([\s\S]*?)\n(?:Requested|Client Certificate Types)/
      .exec(oracle)![1]!
      .split('\n')
      .map((n) => n.replace(/ = /g, '=').trim());
    expect(names.length).toBeGreaterThan(0);
    // same names, whatever the order of their parts
    const norm = (n: string) => n.split(/,\s*/).sort().join(', ');
    expect(ep.tls!.clientAuth!.acceptedCAs!.map(norm)).toEqual(names.map(norm));
    for (const n of ep.tls!.clientAuth!.acceptedCAs!) expect(f.detail).toContain(n);
    // without the certificate no login and no data channel can be tested
    expect(find(ep, 'FTP-DATA-PASSIVE').status).toBe('skipped');
  }, 120_000);

  it('vsftpd-mtls with --client-cert/--client-key: login and PASV/EPSV data channels run; ftplib with the same certificate agrees', async (ctx) => {
    if (!up) return ctx.skip();
    const { report } = await scanJson([
      `ftpes://127.0.0.1:${info!.ports.vsftpdMtls}`,
      ...ARGS,
      '--client-cert',
      info!.clientCert,
      '--client-key',
      info!.clientKeyEncrypted,
      '--client-key-passphrase-file',
      info!.clientKeyPassphraseFile,
      '--user',
      'xfsuser',
      '--password-file',
      passwordFile,
      '--ca-file',
      info!.caBundle,
    ]);
    const ep = report.endpoints[0]!;
    expect(report.options?.clientCertificate).toMatch(/xferscan lab partner/);
    expect(JSON.stringify(report)).not.toContain(readFileSync(info!.clientKeyPassphraseFile, 'utf8').trim());
    expect(find(ep, 'TLS-CLIENT-CERT').detail).toMatch(/the certificate we were given was accepted/);
    expect(find(ep, 'FTP-DATA-PASSIVE').status).toBe('pass');
    expect(find(ep, 'FTPS-PROT-P').status).toBe('pass');
    const ok = ep.ftp!.dataChannels.filter((d) => d.ok && d.protection === 'P');
    expect(new Set(ok.map((d) => d.mode))).toEqual(new Set(['PASV', 'EPSV']));
    expect(ok.every((d) => d.tls?.protocol)).toBe(true);
    // the oracle: ftplib with an SSL context holding the same client certificate
    const py = await run('/usr/bin/python3', [
      '-c',
      FTPLIB_MTLS,
      String(info!.ports.vsftpdMtls),
      info!.clientCert,
      info!.clientKey,
      passwordFile,
    ]);
    const truth = JSON.parse(py.trim().split('\n').at(-1)!) as { without: string; PASV: number; EPSV: number };
    expect(truth.without).toMatch(/handshake failure|HANDSHAKE_FAILURE|alert/i);
    for (const d of ok) expect([d.mode, d.entries]).toEqual([d.mode, truth[d.mode as 'PASV' | 'EPSV']]);
  }, 120_000);

  it('a passphrase on the command line is refused (exit 1, one line)', async () => {
    const r = await runCli([
      'scan',
      'ftpes://127.0.0.1:1',
      '--client-cert',
      'c.pem',
      '--client-key',
      'k.pem',
      '--client-key-passphrase',
      'x',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--client-key-passphrase is refused/);
  });

  it('ProFTPD stapling GOOD (Must-Staple honoured) and REVOKED, as openssl s_client -status sees them', async (ctx) => {
    if (!up) return ctx.skip();
    const { report } = await scanJson([
      `ftpes://127.0.0.1:${info!.ports.proftpdStaple}`,
      `ftpes://127.0.0.1:${info!.ports.proftpdRevoked}`,
      ...ARGS,
      '--ca-file',
      info!.caBundle,
    ]);
    const [good, revoked] = report.endpoints as [EndpointReport, EndpointReport];
    const status = async (port: number) =>
      /Cert Status: (\w+)/.exec(
        await run('openssl', ['s_client', '-starttls', 'ftp', '-connect', `127.0.0.1:${port}`, '-status', '-tls1_2']),
      )?.[1];
    expect(await status(info!.ports.proftpdStaple)).toBe('good');
    expect(await status(info!.ports.proftpdRevoked)).toBe('revoked');
    expect(find(good, 'TLS-OCSP-STAPLING')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/good OCSP response is stapled/),
    });
    expect(good.tls!.ocsp).toMatchObject({ stapled: true, status: 'good', mustStaple: true, signatureValid: true });
    expect(good.tls!.ocsp!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(find(good, 'TLS-CERT-MUST-STAPLE').status).toBe('pass');
    expect(find(good, 'TLS-CERT-CHAIN').status).toBe('pass');
    expect(find(revoked, 'TLS-OCSP-STAPLING')).toMatchObject({
      status: 'fail',
      severity: 'critical',
      detail: expect.stringMatching(/REVOKED.*keyCompromise/),
    });
    expect(find(revoked, 'TLS-CERT-REVOKED').status).toBe('skipped');
  }, 120_000);

  it('revocation: nothing fetched without --check-revocation; with it the CA is asked and the revoked certificate fails', async (ctx) => {
    if (!up) return ctx.skip();
    const mtls = [
      `ftpes://127.0.0.1:${info!.ports.vsftpdMtls}`,
      ...ARGS,
      '--client-cert',
      info!.clientCert,
      '--client-key',
      info!.clientKey,
      '--ca-file',
      info!.caBundle,
    ];
    // vsftpd does not staple: any request the responder logs during this scan would be ours
    const before = fetches().length;
    const { report: quiet } = await scanJson(mtls);
    await new Promise((r) => setTimeout(r, 300));
    expect(fetches().length).toBe(before);
    expect(quiet.endpoints[0]!.tls!.revocation).toBeNull();
    expect(find(quiet.endpoints[0]!, 'TLS-CERT-REVOKED').status).toBe('skipped');

    const { report: asked } = await scanJson([...mtls, '--check-revocation']);
    await new Promise((r) => setTimeout(r, 300));
    const logged = fetches().slice(before);
    expect(logged.some((l) => l.includes('POST /ocsp'))).toBe(true);
    expect(logged.some((l) => l.includes('GET /crl/issuing.crl'))).toBe(true);
    const ep = asked.endpoints[0]!;
    expect(asked.options?.checkRevocation).toBe(true);
    expect(ep.tls!.revocation!.contacted).toEqual(expect.arrayContaining([info!.ocspUrl, info!.crlUrl]));
    expect(find(ep, 'TLS-CERT-REVOKED')).toMatchObject({ status: 'pass' });

    const { report: rev } = await scanJson([`ftpes://127.0.0.1:${info!.ports.proftpdRevoked}`, ...ARGS, '--check-revocation']);
    expect(find(rev.endpoints[0]!, 'TLS-CERT-REVOKED')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/REVOKED/) });
  }, 180_000);

  it('a leaf sent without its intermediate: a warning naming the AIA URL; proved missing (fail) once --check-revocation fetched it', async (ctx) => {
    if (!up || !(await listening(info!.ports.tlsLeafOnly))) return ctx.skip();
    const target = `127.0.0.1:${info!.ports.tlsLeafOnly}`;
    const { report } = await scanJson([target, ...ARGS, '--ca-file', info!.rootCa]);
    const chain = find(report.endpoints[0]!, 'TLS-CERT-CHAIN');
    expect(chain).toMatchObject({ status: 'warn', detail: expect.stringContaining(info!.caIssuersUrl) });
    const { report: fetched } = await scanJson([target, ...ARGS, '--ca-file', info!.rootCa, '--check-revocation']);
    expect(find(fetched.endpoints[0]!, 'TLS-CERT-CHAIN')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/issuing CA/) });
    // the oracle: openssl verify needs the intermediate
    expect(await run('openssl', ['verify', '-CAfile', info!.rootCa, path.join(path.dirname(info!.caBundle), 'staple-good.crt')])).toMatch(
      /unable to get local issuer/,
    );
  }, 120_000);
});

/** ftplib over explicit FTPS with a client certificate (TLS 1.2, session reuse for vsftpd), PASV and EPSV listings. */
const FTPLIB_MTLS = String.raw`
import ftplib, json, socket, ssl, sys
port, cert, key, pwfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
pw = open(pwfile).read().strip()
def ctx(with_cert):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    c.maximum_version = ssl.TLSVersion.TLSv1_2
    if with_cert:
        c.load_cert_chain(cert, key)
    return c
class Reuse(ftplib.FTP_TLS):
    epsv = False
    def makepasv(self):
        if self.epsv:
            return ftplib.parse229(self.sendcmd('EPSV'), self.sock.getpeername())
        return ftplib.FTP_TLS.makepasv(self)
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
out = {}
try:
    f = Reuse(context=ctx(False), timeout=10)
    f.connect('127.0.0.1', port)
    f.auth()
    out['without'] = 'completed'
except Exception as e:
    out['without'] = str(e)
f = Reuse(context=ctx(True), timeout=10)
f.connect('127.0.0.1', port)
f.login('xfsuser', pw)
f.prot_p()
for mode in ('PASV', 'EPSV'):
    f.epsv = mode == 'EPSV'
    lines = []
    f.retrlines('LIST', lines.append)
    out[mode] = len(lines)
f.quit()
print(json.dumps(out))
`;
import { runOracle } from '../helpers/oracle.js';
