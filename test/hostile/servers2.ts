// The second hostile battery (issue 14): scripted servers that hang up mid-dialogue, echo the
// password back in long replies and in SSH command output, send terminal control sequences,
// send replies of 999 × 8,000 bytes, a KEXINIT with 50,000 names, certificates that are huge
// or unparsable, data connections that never end or send too much, refuse everything, or kill
// the SSH connection after the login. Loopback only; every connection is logged. Large outputs
// are written from one shared buffer with back-pressure, never allocated per reply.
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import type Ssh2 from 'ssh2';
import { testCertificate } from '../helpers/fixtures.js';
import { LOOPBACK, type ConnectionLog } from './servers.js';

const require = createRequire(import.meta.url);

/** What a server observed, for the tests to judge the scanner by (files left, logins seen). */
export interface Observed {
  /** files stored by STOR and not deleted since */
  files: Map<string, Buffer>;
  /** passwords received in PASS / SSH password auth, in order (for "did it log in at all") */
  passwords: string[];
  /** every command line received (PASS arguments kept: the tests need to know what came) */
  commands: string[];
}

export interface Hostile2Server {
  name: string;
  behaviour: string;
  port: number;
  /** the target to hand to the scanner (with a scheme when the behaviour needs one) */
  target: string;
  /** extra scan arguments this behaviour needs (e.g. --write-test) */
  args: string[];
  connections: ConnectionLog[];
  observed: Observed;
  close(): Promise<void>;
}

type AnySocket = net.Socket | tls.TLSSocket;

function observed(): Observed {
  return { files: new Map(), passwords: [], commands: [] };
}

interface Listening {
  port: number;
  connections: ConnectionLog[];
  close(): Promise<void>;
}

/** A TCP listener on loopback that logs each connection and destroys them all on close. */
async function listen(name: string, onSocket: (s: net.Socket, n: number) => void): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const connections: ConnectionLog[] = [];
  let n = 0;
  const server = net.createServer((s) => {
    connections.push({
      server: name,
      localAddress: s.localAddress ?? '',
      localPort: s.localPort ?? 0,
      remoteAddress: s.remoteAddress ?? '',
      at: Date.now(),
    });
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    try {
      onSocket(s, n++);
    } catch {
      s.destroy();
    }
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Splits a stream into lines (CR LF or LF), bounded; returns a function that stops it. */
function onLines(s: AnySocket, onLine: (line: string) => void): () => void {
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    if (buf.length > 65536) return void s.destroy();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      onLine(line);
    }
  };
  s.on('data', onData);
  return () => s.off('data', onData);
}

// ---------------------------------------------------------------------------------------------
// A scripted FTP(S) server: a complete default dialogue (login, FEAT, PBSZ/PROT, EPSV/PASV with
// real data connections, LIST/STOR/RETR/SIZE/DELE) that each behaviour overrides verb by verb.

export interface FtpCommand {
  verb: string;
  arg: string;
  line: string;
  /** one reply line (CR LF added) */
  say(text: string): void;
  /** the control connection as it is now (TLS after AUTH TLS) */
  ctl: AnySocket;
  /** the TCP connection underneath */
  raw: net.Socket;
  /** this connection's number on this server (0 = first) */
  n: number;
  /** replies sent on this connection so far */
  replies: number;
  /** the data connection of the last EPSV/PASV, TLS when PROT P is in force */
  dataSocket(): Promise<AnySocket>;
  observed: Observed;
}

export interface FtpScript {
  name: string;
  /** AUTH TLS → 234 and a real TLS upgrade (default true) */
  tls?: boolean;
  /** certificate for the control and data TLS (default: the test certificate) */
  cert?: { key: string; cert: string };
  /** highest TLS version offered (TLS 1.2 keeps the certificate readable to a hello-level prober) */
  maxTlsVersion?: tls.SecureVersion;
  /** instead of a TLS upgrade after 234 (e.g. a scripted handshake) */
  after234?: (raw: net.Socket) => void;
  /** greeting lines (default "220 hostile2 FTP ready"); null: the behaviour greets itself */
  greeting?: ((c: { n: number; say: (t: string) => void; raw: net.Socket; observed: Observed }) => void) | null;
  /** per-verb overrides; return false to fall back to the default answer */
  on?: Record<string, (c: FtpCommand) => void | boolean | Promise<void | boolean>>;
  /** one TLS context for the control and data connections (so that sessions can resume across them) */
  secureContext?: tls.SecureContext;
  /** instead of the default TLS on a PROT P data connection (e.g. to choose a context per ClientHello) */
  dataTls?: (s: net.Socket) => Promise<AnySocket>;
  /** after the data connection is up: a reply that refuses the transfer (the data connection is closed), or null */
  refuseData?: (d: AnySocket, c: FtpCommand) => string | null;
  /** LIST data (default: a one-line Unix listing) */
  listData?: (d: AnySocket, c: FtpCommand) => void;
}

export async function startScriptedFtp(script: FtpScript, obs: Observed = observed()): Promise<Listening & { observed: Observed }> {
  const material = script.cert ?? testCertificate();
  const l = await listen(script.name, (raw, n) => {
    let ctl: AnySocket = raw;
    let prot: 'C' | 'P' = 'C';
    let secure = false;
    let replies = 0;
    let passive: net.Server | null = null;
    let pending: Promise<net.Socket> | null = null;
    const say = (text: string) => {
      if (ctl.destroyed || !ctl.writable) return;
      replies += 1;
      ctl.write(`${text}\r\n`);
    };
    // the data connections of this session: closed with the control connection (one listener, not one each)
    const dataSockets = new Set<net.Socket>();
    raw.once('close', () => {
      passive?.close();
      for (const d of dataSockets) d.destroy();
    });
    const openPassive = async (): Promise<number> => {
      passive?.close();
      const srv = net.createServer();
      srv.on('error', () => {});
      passive = srv;
      pending = new Promise((resolve) =>
        srv.once('connection', (s) => {
          s.on('error', () => {});
          dataSockets.add(s);
          s.once('close', () => dataSockets.delete(s));
          resolve(s);
        }),
      );
      pending.catch(() => {});
      await new Promise<void>((r) => srv.listen(0, LOOPBACK, () => r()));
      return (srv.address() as net.AddressInfo).port;
    };
    const tlsOptions = (): tls.TLSSocketOptions =>
      script.secureContext
        ? { isServer: true, secureContext: script.secureContext }
        : { isServer: true, key: material.key, cert: material.cert, maxVersion: script.maxTlsVersion };
    /** the script's refusal of this transfer, said and acted on; true when refused */
    const refused = (d: AnySocket, c: FtpCommand): boolean => {
      const no = script.refuseData?.(d, c);
      if (!no) return false;
      say(no);
      d.destroy();
      return true;
    };
    const dataSocket = async (): Promise<AnySocket> => {
      if (!pending) throw new Error('no passive connection');
      const s = await pending;
      pending = null;
      if (prot === 'P' && secure && script.dataTls) return script.dataTls(s);
      if (prot === 'P' && secure) {
        const t = new tls.TLSSocket(s, tlsOptions());
        t.on('error', () => s.destroy());
        await new Promise<void>((r) => {
          t.once('secure', () => r());
          t.once('close', () => r());
        });
        return t;
      }
      return s;
    };
    const defaults = async (c: FtpCommand): Promise<void> => {
      switch (c.verb) {
        case 'USER':
          return say('331 Password required');
        case 'PASS':
          return say('230 Logged in');
        case 'FEAT':
          say('211-Features:');
          if (script.tls !== false) say(' AUTH TLS');
          say(' PBSZ');
          say(' PROT');
          say(' EPSV');
          say(' SIZE');
          return say('211 End');
        case 'SYST':
          return say('215 UNIX Type: L8');
        case 'AUTH': {
          if (secure) return say('503 Already secured');
          if (script.tls === false || !/^(TLS|SSL)$/i.test(c.arg)) return say('504 Security mechanism not understood');
          say('234 Proceed with negotiation');
          stopLines();
          if (script.after234) return script.after234(raw);
          const t = new tls.TLSSocket(raw, tlsOptions());
          t.on('error', () => raw.destroy());
          ctl = t;
          secure = true;
          stopLines = onLines(t, dispatch);
          return;
        }
        case 'PBSZ':
          return say('200 PBSZ=0');
        case 'PROT':
          prot = c.arg.toUpperCase() === 'P' ? 'P' : 'C';
          return say(`200 Protection level set to ${prot}`);
        case 'PWD':
          return say('257 "/" is the current directory');
        case 'CWD':
          return say(c.arg === '/' ? '250 OK' : '550 No such directory');
        case 'TYPE':
        case 'OPTS':
        case 'MODE':
        case 'STRU':
        case 'NOOP':
          return say('200 OK');
        case 'EPSV':
          return say(`229 Entering Extended Passive Mode (|||${await openPassive()}|)`);
        case 'PASV': {
          const p = await openPassive();
          return say(`227 Entering Passive Mode (127,0,0,1,${p >> 8},${p & 255})`);
        }
        case 'PORT':
        case 'EPRT':
          return say('500 Illegal PORT command');
        case 'LIST':
        case 'NLST':
        case 'MLSD': {
          if (!pending) return say('425 Use PASV or EPSV first');
          say('150 Here comes the listing');
          const d = await dataSocket();
          if (refused(d, c)) return;
          d.once('close', () => say(d.readableEnded || d.writableFinished ? '226 Transfer complete' : '426 Transfer aborted'));
          if (script.listData) return script.listData(d, c);
          d.resume();
          d.end('-rw-r--r-- 1 ftp ftp 12 Jan 01 00:00 readme.txt\r\n');
          return;
        }
        case 'STOR': {
          if (!pending) return say('425 Use PASV or EPSV first');
          say('150 Ok to send data');
          const d = await dataSocket();
          if (refused(d, c)) return;
          const chunks: Buffer[] = [];
          let size = 0;
          d.on('data', (b: Buffer) => {
            size += b.length;
            if (size <= 1024 * 1024) chunks.push(b);
          });
          d.once('end', () => {
            obs.files.set(c.arg, Buffer.concat(chunks));
            d.end();
            say('226 Transfer complete');
          });
          return;
        }
        case 'RETR': {
          const f = obs.files.get(c.arg);
          if (!f) return say('550 No such file');
          if (!pending) return say('425 Use PASV or EPSV first');
          say('150 Opening data connection');
          const d = await dataSocket();
          if (refused(d, c)) return;
          d.resume();
          d.end(f);
          d.once('close', () => say('226 Transfer complete'));
          return;
        }
        case 'SIZE': {
          const f = obs.files.get(c.arg);
          return say(f ? `213 ${f.length}` : '550 No such file');
        }
        case 'DELE':
          if (!obs.files.delete(c.arg)) return say('550 No such file');
          return say('250 Deleted');
        case 'CCC':
          return say('534 CCC not allowed');
        case 'QUIT':
          say('221 Goodbye');
          ctl.end();
          return;
        default:
          return say('502 Command not implemented');
      }
    };
    const dispatch = (line: string) => {
      obs.commands.push(line);
      const verb = line.split(' ')[0]!.toUpperCase();
      const arg = line.slice(verb.length + 1);
      if (verb === 'PASS') obs.passwords.push(arg);
      const c: FtpCommand = {
        verb,
        arg,
        line,
        say,
        get ctl() {
          return ctl;
        },
        raw,
        n,
        get replies() {
          return replies;
        },
        dataSocket,
        observed: obs,
      };
      void (async () => {
        const own = script.on?.[verb];
        if (own && (await own(c)) !== false) return;
        await defaults(c);
      })().catch(() => raw.destroy());
    };
    let stopLines = onLines(raw, dispatch);
    if (script.greeting === null) return;
    if (script.greeting) script.greeting({ n, say, raw, observed: obs });
    else say('220 hostile2 FTP ready');
  });
  return { ...l, observed: obs };
}

// ---------------------------------------------------------------------------------------------
// Text the echo servers build around the password.

/**
 * A long reply text with the password at a different offset each time, repeated so that a cut
 * at any of the usual lengths (80, 120, 160, 200, 300, 512 …) falls inside one of its copies.
 */
export function echoText(password: string, k: number, lead = 'you said'): string {
  const pad = 'x'.repeat(k % 23);
  return `${lead} ${pad}${`${password} | `.repeat(Math.max(8, Math.ceil(1400 / (password.length + 3))))}end`;
}

// ---------------------------------------------------------------------------------------------
// Terminal control sequences a banner may carry.

/** OSC title change, CSI clear screen + colour, C1 CSI (raw and UTF-8), BEL, NUL, RTL override, TAB. */
export const CONTROL_BANNER =
  'Welcome \x1b]0;pwned-title\x07 \x1b[2J\x1b[H\x1b[31mred\x1b[0m \u009b31m C1-CSI \u0085 NEL \x07 BEL \x00 NUL \u202e RTL-override \u2066 isolate \t TAB \x7f DEL end';

// ---------------------------------------------------------------------------------------------
// Certificates.

function forge(): typeof Forge {
  return require('node-forge') as typeof Forge;
}

/** A self-signed certificate whose CN is `cnLength` characters long. */
export function hugeCnCertificate(cnLength = 100_000): { key: string; cert: string } {
  const f = forge();
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = f.pki.createCertificate();
  cert.publicKey = f.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${crypto.randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  const cn = Array.from({ length: cnLength }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  // The issuer keeps a short name: with the long one twice, the certificate would pass 128 KiB,
  // which the hello-level prober rightly refuses to read; this one (about 100 KB) it reads.
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: 'hostile2 issuer' }]);
  cert.sign(f.pki.privateKeyFromPem(keyPem), f.md.sha256.create());
  return { key: keyPem, cert: f.pki.certificateToPem(cert) };
}

/** RSA key-exchange suites first: then the client expects no ServerKeyExchange. */
const RSA_SUITES = [0x009c, 0x009d, 0x002f, 0x0035, 0x003c, 0x003d, 0x000a];

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

/**
 * A scripted TLS ≤ 1.2 server flight whose Certificate message carries bytes that are not a
 * certificate: ServerHello (a suite the client offered), Certificate, ServerHelloDone. Answers
 * a TLS 1.3-only hello with a handshake_failure alert.
 */
export function unparsableCertificateHandshake(s: net.Socket): void {
  let buf = Buffer.alloc(0);
  let answered = false;
  const kill = setTimeout(() => s.destroy(), 10_000);
  kill.unref();
  s.on('close', () => clearTimeout(kill));
  s.on('data', (d: Buffer) => {
    if (answered) return void setTimeout(() => s.destroy(), 100).unref();
    buf = Buffer.concat([buf, d]);
    if (buf.length > 64 * 1024) return void s.destroy();
    if (buf.length < 9) return;
    if (buf[0] !== 0x16) return void s.destroy();
    const recLen = buf.readUInt16BE(3);
    if (buf.length < 5 + recLen) return;
    answered = true;
    const hello = buf.subarray(9, 5 + recLen);
    let version = hello.readUInt16BE(0);
    let p = 2 + 32;
    p += 1 + hello[p]!;
    const suitesLen = hello.readUInt16BE(p);
    const suites: number[] = [];
    for (let i = 0; i < suitesLen; i += 2) suites.push(hello.readUInt16BE(p + 2 + i));
    const usable = suites.filter((x) => x !== 0x00ff && x !== 0x5600 && x >> 8 !== 0x13);
    const suite = RSA_SUITES.find((x) => usable.includes(x)) ?? usable[0];
    if (suite === undefined) {
      s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
      return;
    }
    if (version > 0x0303) version = 0x0303;
    // renegotiation_info (empty): without it a current client stops before the certificate.
    const extensions = Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00]);
    const serverHello = handshake(
      2,
      Buffer.concat([
        u16(version),
        crypto.randomBytes(32),
        Buffer.from([0]),
        u16(suite),
        Buffer.from([0]),
        u16(extensions.length),
        extensions,
      ]),
    );
    // Starts like a DER SEQUENCE, then nonsense: no parser can make a certificate of it.
    const garbage = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x2c, 0x30, 0x82, 0xff, 0xff]), Buffer.alloc(292, 0xee)]);
    const certificate = handshake(11, Buffer.concat([u24(garbage.length + 3), u24(garbage.length), garbage]));
    const done = handshake(14, Buffer.alloc(0));
    const flight = Buffer.concat([serverHello, certificate, done]);
    s.write(Buffer.concat([Buffer.from([0x16]), u16(version), u16(flight.length), flight]));
  });
}

// ---------------------------------------------------------------------------------------------
// SSH.

function ssh2(): typeof Ssh2 {
  return require('ssh2') as typeof Ssh2;
}

let sshHostKey: string | null = null;
function hostKey(): string {
  sshHostKey ??= ssh2().utils.generateKeyPairSync('ed25519').private;
  return sshHostKey;
}

interface SshScript {
  name: string;
  /** USERAUTH_BANNER text for each new connection */
  banner?: (obs: Observed) => string | undefined;
  /** after a successful password login */
  onReady?: (client: Ssh2.Connection, raw: net.Socket) => void;
  /** what exec and shell print (stdout), and the exit code */
  output?: (obs: Observed, what: 'exec' | 'shell') => { stdout: string; stderr?: string; code: number };
}

async function startScriptedSsh(script: SshScript, obs: Observed = observed()): Promise<Listening & { observed: Observed }> {
  const { Server } = ssh2();
  // ssh2 reads the banner from the config object it was given, when a connection starts: keep
  // the object and set the banner before each connection is handed over.
  const cfg: Ssh2.ServerConfig = { hostKeys: [hostKey()], ident: 'OpenSSH_9.6 hostile2' };
  // One ssh2 Server without its own listener: connections are handed to it from ours, so the
  // connection log and close() work as for every other hostile server.
  const server = new Server(cfg, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') {
        obs.passwords.push(ctx.password);
        return ctx.accept();
      }
      ctx.reject(['password']);
    });
    client.on('ready', () => {
      const raw = (client as unknown as { _sock?: net.Socket })._sock;
      if (script.onReady && raw) return script.onReady(client, raw);
      client.on('session', (accept) => {
        const session = accept();
        const run = (what: 'exec' | 'shell', acceptCh: () => Ssh2.ServerChannel) => {
          const ch = acceptCh();
          const out = script.output?.(obs, what) ?? { stdout: 'This service allows sftp connections only.\n', code: 1 };
          ch.write(out.stdout);
          if (out.stderr) ch.stderr.write(out.stderr);
          ch.exit(out.code);
          ch.end();
        };
        session.on('exec', (acc) => run('exec', acc));
        session.on('shell', (acc) => run('shell', acc));
        session.on('pty', (acc) => acc?.());
        session.on('subsystem', (_acc, reject) => reject());
      });
      client.on('tcpip', (_accept, reject) => reject());
    });
  });
  server.on('error', () => {});
  const l = await listen(script.name, (s) => {
    cfg.banner = script.banner?.(obs);
    server.injectSocket(s);
  });
  return { ...l, observed: obs };
}

// ---------------------------------------------------------------------------------------------
// Raw SSH: identification and a KEXINIT with 50,000 key-exchange names.

function sshString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function sshPacket(payload: Buffer): Buffer {
  let pad = 8 - ((5 + payload.length) % 8);
  if (pad < 4) pad += 8;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(1 + payload.length + pad);
  return Buffer.concat([len, Buffer.from([pad]), payload, Buffer.alloc(pad)]);
}

export const KEXINIT_NAMES = 50_000;

/** KEXINIT whose kex list has 50,000 made-up names (4 characters each: it fits in 256 KiB). */
export function giantKexinit(): Buffer {
  const names = Array.from({ length: KEXINIT_NAMES }, (_, i) => i.toString(36).padStart(4, '0'));
  names.push('curve25519-sha256');
  const lists = [names.join(','), 'ssh-ed25519', 'aes128-ctr', 'aes128-ctr', 'hmac-sha2-256', 'hmac-sha2-256', 'none', 'none', '', ''];
  return sshPacket(Buffer.concat([Buffer.from([20]), crypto.randomBytes(16), ...lists.map(sshString), Buffer.from([0, 0, 0, 0, 0])]));
}

/**
 * An FTP(S) server that, once it has seen a password (not an anonymous e-mail address), echoes
 * it in every reply and in the greeting of every later connection, each time at another offset
 * in a long text (see echoText). `refuseLogin`: PASS gets a 530 that echoes it.
 */
export function startEchoFtp(
  o: { name: string; tls?: boolean; refuseLogin?: boolean },
  obs: Observed = observed(),
): Promise<Listening & { observed: Observed }> {
  let k = 0;
  const last = () => obs.passwords.filter((p) => !/@/.test(p)).at(-1);
  const echo = (code: number, c: { say(t: string): void }, fallback: string) => {
    const pw = last();
    c.say(pw ? `${code} ${echoText(pw, k++)}` : `${code} ${fallback}`);
  };
  return startScriptedFtp(
    {
      name: o.name,
      tls: o.tls,
      greeting: (g) => {
        const pw = last();
        if (pw) g.say(`220-${echoText(pw, k++, 'welcome back')}`);
        g.say('220 ready');
      },
      on: {
        USER: (c) => echo(331, c, 'Password required'),
        PASS: (c) => {
          // (the dispatcher has recorded the password already)
          if (o.refuseLogin) c.say(`530 ${echoText(c.arg, k++, 'Login incorrect for password')}`);
          else echo(230, c, 'Logged in');
        },
        SYST: (c) => echo(215, c, 'UNIX Type: L8'),
        PBSZ: (c) => echo(200, c, 'PBSZ=0'),
        PROT: (c) => (last() ? echo(200, c, 'ok') : false),
        PWD: (c) => echo(257, c, '"/"'),
        TYPE: (c) => echo(200, c, 'ok'),
        EPSV: (c) => echo(522, c, 'no EPSV'),
        PORT: (c) => echo(500, c, 'no'),
        EPRT: (c) => echo(500, c, 'no'),
        CCC: (c) => echo(534, c, 'no'),
        SIZE: (c) => echo(550, c, 'no'),
        NOOP: (c) => echo(200, c, 'ok'),
      },
    },
    obs,
  );
}

// ---------------------------------------------------------------------------------------------
// The battery.

/** Bytes of one line of the huge replies, and lines per reply. */
export const HUGE_LINE_BYTES = 8000;
export const HUGE_REPLY_LINES = 999;

/** One multi-line reply of 999 lines of 8,000 bytes, built once and shared. */
function hugeReply(code: number): Buffer {
  const body = Buffer.alloc(HUGE_LINE_BYTES - 4, 'A');
  const line = Buffer.concat([Buffer.from(`${code}-`), body, Buffer.from('\r\n')]);
  const parts: Buffer[] = [];
  for (let i = 0; i < HUGE_REPLY_LINES - 1; i++) parts.push(line);
  parts.push(Buffer.from(`${code} end of a very long reply\r\n`));
  return Buffer.concat(parts);
}

/** Writes a big buffer and calls `then` once it has drained (or the socket is gone). */
function writeBig(s: AnySocket, b: Buffer, then?: () => void): void {
  if (s.destroyed || !s.writable) return;
  if (s.write(b)) then?.();
  else s.once('drain', () => then?.());
}

export interface Spec2 {
  name: string;
  behaviour: string;
  /** how to name it to the scanner: scheme://127.0.0.1:port */
  scheme: 'ftp' | 'ftpes' | 'ftps' | 'sftp' | null;
  args?: string[];
  start(obs: Observed): Promise<Listening>;
}

const hugeCache = new Map<number, Buffer>();
const huge = (code: number) => {
  let b = hugeCache.get(code);
  if (!b) hugeCache.set(code, (b = hugeReply(code)));
  return b;
};

export const SPECS2: Spec2[] = [
  {
    name: 'hangup-after-user',
    behaviour: 'explicit FTPS; closes the connection (FIN) right after USER, without a reply',
    scheme: 'ftpes',
    start: (obs) => startScriptedFtp({ name: 'hangup-after-user', on: { USER: (c) => void c.raw.destroy() } }, obs),
  },
  {
    name: 'hangup-after-user-clear',
    behaviour: 'cleartext FTP (login allowed); closes the connection right after USER',
    scheme: 'ftp',
    args: ['--allow-cleartext-login'],
    start: (obs) => startScriptedFtp({ name: 'hangup-after-user-clear', tls: false, on: { USER: (c) => void c.raw.destroy() } }, obs),
  },
  {
    name: 'rst-after-pass',
    behaviour: 'explicit FTPS; resets the connection (RST) right after PASS',
    scheme: 'ftpes',
    start: (obs) => startScriptedFtp({ name: 'rst-after-pass', on: { PASS: (c) => void c.raw.resetAndDestroy() } }, obs),
  },
  {
    name: 'drop-after-stor',
    behaviour: 'explicit FTPS; stores an upload, then drops the control connection instead of 226 (with --write-test)',
    scheme: 'ftpes',
    args: ['--write-test'],
    start: (obs) =>
      startScriptedFtp(
        {
          name: 'drop-after-stor',
          on: {
            STOR: async (c) => {
              c.say('150 Ok to send data');
              const d = await c.dataSocket();
              const chunks: Buffer[] = [];
              d.on('data', (b: Buffer) => chunks.push(b));
              d.once('end', () => {
                obs.files.set(c.arg, Buffer.concat(chunks));
                d.end();
                c.raw.destroy();
              });
            },
          },
        },
        obs,
      ),
  },
  {
    name: 'dele-refused',
    behaviour: 'explicit FTPS; stores uploads but answers every DELE with 550 (with --write-test)',
    scheme: 'ftpes',
    args: ['--write-test'],
    start: (obs) => startScriptedFtp({ name: 'dele-refused', on: { DELE: (c) => c.say('550 Permission denied') } }, obs),
  },
  {
    name: 'stall-after-stor',
    behaviour: 'explicit FTPS; stores uploads, then never answers RETR (a write test caught half-way, for signals)',
    scheme: 'ftpes',
    args: ['--write-test'],
    start: (obs) => startScriptedFtp({ name: 'stall-after-stor', on: { RETR: () => undefined } }, obs),
  },
  {
    name: 'echo-long',
    behaviour: 'explicit FTPS; once it has seen the password, every reply echoes it in a text of about 1,400 characters',
    scheme: 'ftpes',
    start: (obs) => startEchoFtp({ name: 'echo-long' }, obs),
  },
  {
    name: 'echo-long-530',
    behaviour: 'explicit FTPS; refuses the login with a 530 whose long text echoes the password',
    scheme: 'ftpes',
    start: (obs) => startEchoFtp({ name: 'echo-long-530', refuseLogin: true }, obs),
  },
  {
    name: 'ssh-echo',
    behaviour: 'SSH (ssh2 Server): accepts the password, then prints it (with its spaces and tabs) in the banner, exec and shell output',
    scheme: 'sftp',
    start: (obs) => {
      let k = 5;
      const last = () => obs.passwords.at(-1);
      return startScriptedSsh(
        {
          name: 'ssh-echo',
          banner: () => {
            const pw = last();
            return pw ? `last login with ${echoText(pw, k++)}\n${echoText(pw, k++)}\n`.repeat(3) : 'hostile2 ssh';
          },
          output: () => {
            const pw = last() ?? '';
            return {
              stdout: `This service allows sftp connections only.\n${echoText(pw, k++, 'your\tpassword\tis')}\n`,
              stderr: echoText(pw, k++),
              code: 1,
            };
          },
        },
        obs,
      );
    },
  },
  {
    name: 'control-chars',
    behaviour: 'FTP whose greeting, FEAT, SYST and every reply carry OSC/CSI/C1/BEL/NUL/RTL override/TAB/DEL',
    scheme: 'ftpes',
    start: (obs) =>
      startScriptedFtp(
        {
          name: 'control-chars',
          greeting: (g) => {
            g.say(`220-${CONTROL_BANNER}`);
            g.say(`220-\x1b[1;1H\x1b[2K \x9b raw-C1-byte`);
            g.say(`220 ${CONTROL_BANNER}`);
          },
          on: {
            SYST: (c) => c.say(`215 UNIX ${CONTROL_BANNER}`),
            FEAT: (c) => {
              c.say(`211-Features ${CONTROL_BANNER}`);
              c.say(' AUTH TLS');
              c.say(` PBSZ ${CONTROL_BANNER}`);
              c.say(' PROT');
              c.say(`211 End ${CONTROL_BANNER}`);
            },
            USER: (c) => c.say(`331 ${CONTROL_BANNER}`),
            PASS: (c) => c.say(`530 ${CONTROL_BANNER}`),
          },
        },
        obs,
      ),
  },
  {
    name: 'ssh-control-chars',
    behaviour: 'SSH (ssh2 Server) whose pre-login banner and exec output carry terminal control sequences',
    scheme: 'sftp',
    start: (obs) =>
      startScriptedSsh(
        {
          name: 'ssh-control-chars',
          banner: () => `${CONTROL_BANNER}\r\n${CONTROL_BANNER}\r\n`,
          output: () => ({ stdout: `${CONTROL_BANNER}\n`, stderr: CONTROL_BANNER, code: 1 }),
        },
        obs,
      ),
  },
  {
    name: 'huge-replies',
    behaviour: `cleartext FTP (login allowed): every reply, the greeting included, is ${HUGE_REPLY_LINES} lines of ${HUGE_LINE_BYTES} bytes`,
    scheme: 'ftp',
    args: ['--allow-cleartext-login'],
    start: (obs) => {
      const answer = (code: number) => (c: FtpCommand) => void writeBig(c.ctl, huge(code));
      return startScriptedFtp(
        {
          name: 'huge-replies',
          tls: false,
          greeting: (g) => writeBig(g.raw, huge(220)),
          on: {
            FEAT: answer(211),
            SYST: answer(215),
            AUTH: answer(504),
            USER: answer(331),
            PASS: answer(230),
            PBSZ: answer(200),
            PROT: answer(200),
            PWD: answer(257),
            TYPE: answer(200),
            EPSV: answer(500),
            PASV: answer(500),
            PORT: answer(500),
            EPRT: answer(500),
            CCC: answer(500),
            SIZE: answer(550),
            QUIT: (c) => writeBig(c.ctl, huge(221), () => c.ctl.end()),
          },
        },
        obs,
      );
    },
  },
  {
    name: 'ssh-kexinit-50k',
    behaviour: `SSH identification, then a KEXINIT whose kex list has ${KEXINIT_NAMES} names; hangs up on what follows`,
    scheme: 'sftp',
    start: async () => {
      const packet = giantKexinit();
      return listen('ssh-kexinit-50k', (s) => {
        s.write('SSH-2.0-OpenSSH_9.6 hostile-kex\r\n');
        let sent = false;
        s.on('data', () => {
          if (sent) return;
          sent = true;
          s.write(packet);
          setTimeout(() => s.destroy(), 300).unref();
        });
      });
    },
  },
  {
    name: 'cert-100k-cn',
    behaviour: 'explicit FTPS whose certificate has a 100,000-character CN',
    scheme: 'ftpes',
    start: (obs) => startScriptedFtp({ name: 'cert-100k-cn', cert: hugeCnCertificate(), maxTlsVersion: 'TLSv1.2' }, obs),
  },
  {
    name: 'cert-unparsable',
    behaviour: 'explicit FTPS; after 234 a scripted TLS 1.2 flight whose Certificate message holds bytes that are no certificate',
    scheme: 'ftpes',
    start: (obs) => startScriptedFtp({ name: 'cert-unparsable', after234: unparsableCertificateHandshake }, obs),
  },
  {
    name: 'data-too-much',
    behaviour: 'cleartext FTP (login allowed); every listing sends 6 MiB (over the 4 MiB cap) and then ends',
    scheme: 'ftp',
    args: ['--allow-cleartext-login'],
    start: (obs) => {
      const chunk = Buffer.alloc(64 * 1024, 0x2e);
      return startScriptedFtp(
        {
          name: 'data-too-much',
          tls: false,
          listData: (d) => {
            d.resume();
            let left = 96; // × 64 KiB = 6 MiB
            const pump = () => {
              while (left > 0) {
                if (d.destroyed || !d.writable) return;
                left -= 1;
                if (!d.write(chunk)) return void d.once('drain', pump);
              }
              d.end();
            };
            pump();
          },
        },
        obs,
      );
    },
  },
  {
    name: 'data-never-ends',
    behaviour: 'cleartext FTP (login allowed); every listing trickles 100 bytes every 100 ms and never ends',
    scheme: 'ftp',
    args: ['--allow-cleartext-login'],
    start: (obs) =>
      startScriptedFtp(
        {
          name: 'data-never-ends',
          tls: false,
          listData: (d) => {
            d.resume();
            const timer = setInterval(() => {
              if (d.destroyed || !d.writable) return clearInterval(timer);
              d.write(`${'-'.repeat(98)}\r\n`);
            }, 100);
            d.once('close', () => clearInterval(timer));
          },
        },
        obs,
      ),
  },
  {
    name: 'greeting-554',
    behaviour: 'greets every connection with 554 and hangs up',
    scheme: null,
    start: (obs) =>
      startScriptedFtp(
        {
          name: 'greeting-554',
          greeting: (g) => {
            g.say('554 Access denied: this service refuses everyone');
            g.raw.end();
          },
        },
        obs,
      ),
  },
  {
    name: 'endless-120',
    behaviour: 'answers every connection with "120 Service ready in 5 minutes", again every 200 ms, forever',
    scheme: null,
    start: (obs) =>
      startScriptedFtp(
        {
          name: 'endless-120',
          greeting: (g) => {
            g.say('120 Service ready in 5 minutes');
            const timer = setInterval(() => {
              if (g.raw.destroyed) return clearInterval(timer);
              g.say('120 Service ready in 5 minutes');
            }, 200);
            g.raw.once('close', () => clearInterval(timer));
          },
          on: { QUIT: (c) => void c.raw.end() },
        },
        obs,
      ),
  },
  {
    name: 'ssh-kill-after-auth',
    behaviour: 'SSH (ssh2 Server): accepts the password, then destroys the TCP connection',
    scheme: 'sftp',
    start: (obs) => startScriptedSsh({ name: 'ssh-kill-after-auth', onReady: (_c, raw) => raw.destroy() }, obs),
  },
];

export interface Hostile2Set {
  servers: Hostile2Server[];
  byName(name: string): Hostile2Server;
  close(): Promise<void>;
}

/** Starts the second battery (or only the servers named). */
export async function startHostile2(only?: string[]): Promise<Hostile2Set> {
  const servers: Hostile2Server[] = [];
  try {
    for (const spec of SPECS2) {
      if (only && !only.includes(spec.name)) continue;
      const obs = observed();
      const l = await spec.start(obs);
      const hostPort = `${LOOPBACK}:${l.port}`;
      servers.push({
        name: spec.name,
        behaviour: spec.behaviour,
        port: l.port,
        target: spec.scheme ? `${spec.scheme}://${hostPort}` : hostPort,
        args: spec.args ?? [],
        connections: l.connections,
        observed: obs,
        close: l.close,
      });
    }
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.close()));
    throw err;
  }
  return {
    servers,
    byName(name) {
      const s = servers.find((x) => x.name === name);
      if (!s) throw new Error(`no hostile server ${name}`);
      return s;
    },
    close: async () => {
      await Promise.allSettled(servers.map((s) => s.close()));
    },
  };
}
