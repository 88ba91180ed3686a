// `xferscan` with no target: start two small servers on loopback (an SFTP endpoint from ssh2's
// Server and an explicit-FTPS endpoint from ftp-srv), scan them, print the report and explain.
import crypto from 'node:crypto';
import net from 'node:net';
import type Forge from 'node-forge';
import type Ssh2 from 'ssh2';
import { createRequire } from 'node:module';
import { runScan } from './commands/scan.js';

// Loaded when the demo runs, not when the CLI starts (the CLI bundle has the demo inside it).
const require = createRequire(import.meta.url);

/** A self-signed certificate for CN=localhost, made fresh for each demo run. */
export function selfSignedCertificate(days = 90): { key: string; cert: string } {
  const forge = require('node-forge') as typeof Forge;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${crypto.randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  const attrs = [
    { name: 'commonName', value: 'localhost' },
    { name: 'organizationName', value: 'xferscan demo' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}

const silentLog = {
  child() {
    return silentLog;
  },
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface DemoServers {
  sftpPort: number;
  ftpsPort: number;
  close(): Promise<void>;
}

export async function startDemoServers(): Promise<DemoServers> {
  const ssh2 = require('ssh2') as typeof Ssh2;
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const sshServer = new ssh2.Server({ hostKeys: [hostKey.private], banner: 'xferscan demo SFTP endpoint' }, (client) => {
    client.on('authentication', (ctx) => ctx.reject(['publickey', 'password']));
    client.on('error', () => {});
  });
  sshServer.on('error', () => {});
  await new Promise<void>((resolve) => sshServer.listen(0, '127.0.0.1', () => resolve()));
  const sftpPort = (sshServer.address() as net.AddressInfo).port;

  const FtpSrv = require('ftp-srv');
  const ftpsPort = await freePort();
  const tlsMaterial = selfSignedCertificate();
  const ftpServer = new FtpSrv({
    url: `ftp://127.0.0.1:${ftpsPort}`,
    pasv_url: '127.0.0.1',
    pasv_min: 40500,
    pasv_max: 40599,
    tls: tlsMaterial,
    anonymous: false,
    greeting: ['xferscan demo FTPS endpoint (ftp-srv)'],
    log: silentLog,
  });
  ftpServer.on('login', (_data: unknown, _resolve: unknown, reject: (e: Error) => void) => reject(new Error('demo: no logins')));
  ftpServer.on('client-error', () => {});
  await ftpServer.listen();

  return {
    sftpPort,
    ftpsPort,
    async close() {
      await Promise.allSettled([new Promise<void>((r) => sshServer.close(() => r())), ftpServer.close()]);
    },
  };
}

export async function runDemo(args: Parameters<typeof runScan>[0]): Promise<number> {
  const say = (s: string) => process.stderr.write(`${s}\n`);
  say('xferscan: no target given, so here is a demo: two servers started on loopback just now —');
  const servers = await startDemoServers();
  say(`  SFTP (ssh2 Server)        127.0.0.1:${servers.sftpPort}`);
  say(`  explicit FTPS (ftp-srv)   127.0.0.1:${servers.ftpsPort}`);
  say('Scanning them as you would scan a real host…\n');
  try {
    // The demo is for a person: a table unless a format was asked for.
    const { exitCode } = await runScan({ ...args, format: args.format ?? 'table' }, [
      `127.0.0.1:${servers.sftpPort}`,
      `127.0.0.1:${servers.ftpsPort}`,
    ]);
    say(
      `\nThat was a demo (exit code ${exitCode}; 0 clean, 1 scan error, 2 warnings, 3 failures).\n` +
        'Scan a real endpoint:   xferscan scan files.example.com          (tries ports 21, 22, 990)\n' +
        '                        xferscan scan ftpes://files.example.com --format json -o report.json\n' +
        'More:                   xferscan --help',
    );
    return exitCode;
  } finally {
    await servers.close();
  }
}
