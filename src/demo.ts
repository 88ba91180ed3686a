// `xferscan` with no target: start two small servers on loopback (an SFTP endpoint from ssh2's
// Server and a small explicit-FTPS endpoint of our own on Node's net/tls), scan them, print the
// report and explain. The FTPS endpoint is demo-only and deliberately tiny: it greets, answers
// FEAT/SYST, upgrades on AUTH TLS, takes PBSZ/PROT, refuses every login, and stores nothing.
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
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

const DEMO_LINE_LIMIT = 512;
const DEMO_IDLE_MS = 30_000;
const DEMO_MAX_CLIENTS = 32;

/** The demo server's answer to one command in a session's state (pure); 'AUTH' upgrades. */
export function demoFtpsReply(line: string, st: { secure: boolean; pbsz: boolean }): { reply: string; upgrade?: true; quit?: true } {
  const sp = line.indexOf(' ');
  const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  const arg =
    sp < 0
      ? ''
      : line
          .slice(sp + 1)
          .trim()
          .toUpperCase();
  switch (verb) {
    case 'AUTH':
      if (st.secure) return { reply: '503 TLS already active' };
      if (arg !== 'TLS' && arg !== 'TLS-C' && arg !== 'SSL') return { reply: '504 AUTH TLS only' };
      return { reply: '234 AUTH TLS successful', upgrade: true };
    case 'FEAT':
      return { reply: '211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End' };
    case 'SYST':
      return { reply: '215 UNIX Type: L8' };
    case 'NOOP':
      return { reply: '200 OK' };
    case 'OPTS':
      return { reply: arg.startsWith('UTF8') ? '200 UTF8 on' : '501 Option not understood' };
    case 'PBSZ':
      if (!st.secure) return { reply: '503 AUTH TLS first' };
      st.pbsz = true;
      return { reply: '200 PBSZ=0' };
    case 'PROT':
      if (!st.secure || !st.pbsz) return { reply: '503 PBSZ first' };
      return { reply: arg === 'P' ? '200 Protection level Private' : '536 Only PROT P is accepted' };
    case 'USER':
      return { reply: st.secure ? '331 Password required' : '530 Log in over TLS: send AUTH TLS first' };
    case 'PASS':
      return { reply: st.secure ? '530 Login incorrect (this demo server has no accounts)' : '530 Log in over TLS: send AUTH TLS first' };
    case 'QUIT':
      return { reply: '221 Goodbye', quit: true };
    case 'PASV':
    case 'EPSV':
    case 'PORT':
    case 'EPRT':
    case 'LIST':
    case 'NLST':
    case 'RETR':
    case 'STOR':
    case 'PWD':
    case 'CWD':
    case 'TYPE':
    case 'CCC':
      return { reply: '530 Not logged in' };
    default:
      return { reply: '502 Command not implemented' };
  }
}

/** One control connection: lines in, replies out, AUTH TLS upgrades the same socket. */
function demoFtpsSession(raw: net.Socket, context: tls.SecureContext): void {
  raw.on('error', () => raw.destroy());
  raw.setTimeout(DEMO_IDLE_MS, () => raw.destroy());
  let sock: net.Socket = raw;
  const st = { secure: false, pbsz: false };
  let buffered = '';
  const send = (line: string) => {
    if (!sock.destroyed && sock.writable) sock.write(`${line}\r\n`);
  };
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('latin1');
    if (buffered.length > DEMO_LINE_LIMIT && !buffered.includes('\n')) {
      send('500 Line too long');
      sock.destroy();
      return;
    }
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const r = demoFtpsReply(buffered.slice(0, nl).replace(/\r$/, ''), st);
      buffered = buffered.slice(nl + 1);
      send(r.reply);
      if (r.quit) sock.end();
      if (r.upgrade) {
        // Stop reading clear text: what follows is the client's TLS handshake.
        raw.off('data', onData);
        buffered = '';
        const t = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
        t.on('error', () => raw.destroy());
        t.on('secure', () => (st.secure = true));
        t.on('data', onData);
        sock = t;
        return;
      }
    }
  };
  raw.on('data', onData);
  send('220 xferscan demo FTPS endpoint');
}

/**
 * The demo's explicit-FTPS endpoint (RFC 4217): TLS 1.2+ with a fresh self-signed certificate,
 * logins only after AUTH TLS (and then always refused: there is nothing to log in to), PROT C
 * refused. Every connection has an idle timeout and a line-length limit; at most 32 at once.
 */
export async function startDemoFtps(material: { key: string; cert: string }): Promise<{ port: number; close(): Promise<void> }> {
  const context = tls.createSecureContext({ key: material.key, cert: material.cert, minVersion: 'TLSv1.2' });
  const clients = new Set<net.Socket>();
  const server = net.createServer((raw) => {
    if (clients.size >= DEMO_MAX_CLIENTS) {
      raw.on('error', () => raw.destroy());
      raw.end('421 Too many connections\r\n');
      return;
    }
    clients.add(raw);
    raw.on('close', () => clients.delete(raw));
    demoFtpsSession(raw, context);
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.destroy();
        server.close(() => resolve());
      }),
  };
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

  const ftps = await startDemoFtps(selfSignedCertificate());
  const ftpsPort = ftps.port;

  return {
    sftpPort,
    ftpsPort,
    async close() {
      await Promise.allSettled([new Promise<void>((r) => sshServer.close(() => r())), ftps.close()]);
    },
  };
}

export async function runDemo(args: Parameters<typeof runScan>[0]): Promise<number> {
  const say = (s: string) => process.stderr.write(`${s}\n`);
  say('xferscan: no target given, so here is a demo: two servers started on loopback just now —');
  const servers = await startDemoServers();
  say(`  SFTP (ssh2 Server)        127.0.0.1:${servers.sftpPort}`);
  say(`  explicit FTPS (built in)  127.0.0.1:${servers.ftpsPort}`);
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
