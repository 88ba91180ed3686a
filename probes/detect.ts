// Service detection, needing no hint: what really listens on a port.
//   SSH identification line            → sftp
//   FTP 220 greeting, AUTH TLS → 234    → ftps-explicit (refused → try AUTH SSL, else ftp)
//   silence, then a TLS handshake + 220 → ftps-implicit (TLS without FTP → tls-unknown)
//   anything else                      → unknown
import type { ProbeContext } from '../src/probe.js';
import type { FtpFacts } from '../src/model.js';
import { dial } from '../src/net/tcp.js';
import { openSession, RETRY_421_DELAYS_MS } from '../src/ftp/session.js';
import { FtpControl } from '../src/net/ftp-control.js';
import { asProbeError } from '../src/net/errors.js';
import { summarizePeer } from '../src/net/tls-upgrade.js';
import { looksLikeTls } from '../src/net/relay.js';
import type { FtpReply } from '../src/net/ftp-reply.js';
import type { TLSSocket } from 'node:tls';

/** How long a silent server gets before we assume it waits for a TLS ClientHello. */
const SILENCE_MS = 2000;
/** Lines an SSH server may send before its identification line (RFC 4253 §4.2). */
const MAX_PRE_BANNER_LINES = 20;

export function emptyFtpFacts(greeting: string[]): FtpFacts {
  return {
    greeting,
    syst: null,
    features: null,
    authTls: null,
    authSsl: null,
    pbsz: null,
    protP: null,
    protC: null,
    ccc: null,
    cleartextLogin: null,
    anonymousLogin: null,
    sessionReuseRequired: null,
    dataChannels: [],
    passivePortsSeen: [],
    authReplies: [],
  };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function detect(ctx: ProbeContext): Promise<void> {
  // An FTP server at its per-IP limit answers 421 and hangs up: back off and ask again.
  let patient = false;
  for (let attempt = 0; ; attempt++) {
    await detectOnce(ctx, patient);
    const ep = ctx.endpoint;
    if (ctx.scratch.lateGreeting && !patient) {
      // The server spoke after our silence window (a slow or loaded server) and our ClientHello
      // broke the conversation: ask again, waiting as long as the timeout allows.
      ctx.transcript.note('detect', 'the server spoke after we had started TLS; asking again with more patience');
      patient = true;
      attempt -= 1;
      Object.assign(ep, { service: null, banner: null, outcome: null, error: null, ftp: null, tls: null, ssh: null, state: 'open' });
      continue;
    }
    const limited = ep.outcome === 'refused-by-server' && ep.ftp?.greeting[0]?.startsWith('421');
    if (!limited || attempt >= RETRY_421_DELAYS_MS.length) return;
    ctx.transcript.note('detect', `421 from server; retrying in ${RETRY_421_DELAYS_MS[attempt]} ms`);
    await sleep(RETRY_421_DELAYS_MS[attempt]);
    Object.assign(ep, { service: null, banner: null, outcome: null, error: null, ftp: null, tls: null, ssh: null });
  }
}

async function detectOnce(ctx: ProbeContext, patient = false): Promise<void> {
  const { endpoint: ep, address, target, options, transcript } = ctx;
  const conn = transcript.conn('detect');
  const d = await dial(address, target.port, options.timeoutMs);
  ep.address = address;
  ep.state = d.state;
  ep.connectMs = d.ms;
  transcript.note(conn, `TCP ${address}:${target.port} ${d.state} after ${d.ms} ms${d.code ? ` (${d.code})` : ''}`);
  if (!d.socket) return;

  const control = new FtpControl(d.socket, transcript, conn, options.timeoutMs);
  try {
    // ftps:// (or port 990, implicit FTPS by IANA assignment) says TLS comes first, so a short
    // look for a cleartext greeting is enough: a greeting sent on accept arrives about one
    // connect time after the connect, so a few of those (50-300 ms). A later greeting is still
    // caught (lateGreeting) and the endpoint asked again.
    const patience = target.scheme === 'ftps' || target.port === 990 ? Math.min(300, Math.max(50, d.ms * 5)) : SILENCE_MS;
    const silence = patient ? options.timeoutMs : Math.min(patience, Math.max(200, Math.floor(options.timeoutMs / 2)));
    const spoke = await control.lines.waitForData(performance.now() + silence);
    if (spoke) {
      // Give the first line a moment to complete before judging it.
      await control.lines.readLine(performance.now() + options.timeoutMs).then(
        (line) => handleFirstLine(ctx, control, line),
        (err) => handleUnreadable(ctx, control, err),
      );
    } else if (control.lines.closed) {
      ep.service = 'unknown';
      ep.outcome = 'protocol-error';
      ep.error = control.lines.failureMessage ?? 'the server closed the connection without saying anything';
    } else {
      await tryImplicitTls(ctx, control, silence);
    }
  } catch (err) {
    const e = asProbeError(err);
    ep.outcome = e.outcome;
    ep.error = e.message;
    if (e.outcome === 'timeout' && ep.service === null) ep.state = 'timeout';
    if (ep.state === 'open') ep.service ??= 'unknown';
  } finally {
    control.close();
  }
}

async function handleFirstLine(ctx: ProbeContext, control: FtpControl, first: string): Promise<void> {
  const { endpoint: ep, transcript } = ctx;
  if (first.startsWith('SSH-') || !/^\d{3}/.test(first)) {
    // SSH servers may send other lines before the identification line.
    const pre: string[] = [];
    let line = first;
    while (!line.startsWith('SSH-')) {
      transcript.add(control.conn, 'server', line);
      pre.push(line);
      if (pre.length >= MAX_PRE_BANNER_LINES || !isPrintable(line)) {
        ep.service = 'unknown';
        ep.banner = pre.join('\n').slice(0, 512);
        ep.outcome = 'protocol-error';
        ep.error = 'the server speaks neither SSH nor FTP';
        return;
      }
      line = await control.lines.readLine(performance.now() + ctx.options.timeoutMs);
    }
    transcript.add(control.conn, 'server', line);
    ep.service = 'sftp';
    ep.banner = line;
    ep.ssh = parseSshIdent(line, pre);
    // The SSH probe carries on with this connection (the server now waits for our own
    // identification line), reading what we read here again.
    const handed = control.handOver();
    if (handed) {
      handed.socket.pause();
      const sent = Buffer.concat([Buffer.from([...pre, line].map((l) => `${l}\r\n`).join(''), 'utf8'), handed.unread]);
      ctx.scratch.sshConnection = { socket: handed.socket, sent, conn: control.conn };
    }
    return;
  }
  // An FTP reply: feed the first line back through the reply assembler. It is FTP from here on,
  // even if the rest of the greeting never ends.
  ep.service = 'ftp';
  ep.banner = first.slice(0, 512);
  const greeting = await control.readReply(ctx.options.timeoutMs, first);
  await handleFtpGreeting(ctx, control, greeting);
}

async function handleFtpGreeting(ctx: ProbeContext, control: FtpControl, greeting: FtpReply): Promise<void> {
  const { endpoint: ep } = ctx;
  ep.service = 'ftp';
  ep.banner = greeting.lines.join('\n');
  const ftp = emptyFtpFacts(greeting.lines);
  ep.ftp = ftp;
  if (greeting.code === 120) {
    // "Service ready in nnn minutes": the real greeting follows.
    greeting = await control.readReply();
    ftp.greeting.push(...greeting.lines);
  }
  if (!(await readGreetingFacts(ctx, control, greeting))) return;

  const authTls = await control.command('AUTH TLS');
  ftp.authReplies!.push({ command: 'AUTH TLS', code: authTls.code, text: authTls.text });
  if (authTls.code === 234) {
    ftp.authTls = true;
    ep.service = 'ftps-explicit';
    // AUTH SSL needs a connection of its own: ask it while this one finishes its handshake.
    const [, authSsl] = await Promise.all([completeTls(ctx, control, 'AUTH TLS'), tryAuthSslSeparately(ctx)]);
    ftp.authSsl = authSsl;
    return;
  }
  ftp.authTls = false;
  const authSsl = await control.command('AUTH SSL');
  ftp.authReplies!.push({ command: 'AUTH SSL', code: authSsl.code, text: authSsl.text });
  if (authSsl.code === 234) {
    ftp.authSsl = true;
    ep.service = 'ftps-explicit';
    await completeTls(ctx, control, 'AUTH SSL');
    return;
  }
  ftp.authSsl = false;
  await control.quit();
}

async function completeTls(ctx: ProbeContext, control: FtpControl, via: string): Promise<void> {
  const { endpoint: ep } = ctx;
  let t: TLSSocket;
  try {
    t = await control.upgradeToTls({ host: ctx.target.host });
  } catch (err) {
    const e = asProbeError(err, 'tls-handshake-failed');
    ep.outcome = e.outcome;
    ep.error = `${via} accepted, but ${e.message}`;
    return;
  }
  recordTls(ctx, t);
  await control.quit();
}

function recordTls(ctx: ProbeContext, t: TLSSocket): void {
  const peer = summarizePeer(t);
  ctx.scratch.tlsChainDer = peer.chainDer;
  ctx.endpoint.tls = {
    protocols: {},
    cipherSuites: {},
    serverPreference: null,
    groups: [],
    certificate: null,
    chain: [],
    negotiated: { protocol: peer.protocol, cipher: peer.cipher },
  };
}

/** AUTH SSL on a connection of its own (after AUTH TLS succeeded, the first one is inside TLS). */
async function tryAuthSslSeparately(ctx: ProbeContext): Promise<boolean | null> {
  let opened;
  try {
    opened = await openSession(ctx, { purpose: 'auth-ssl', tls: 'none' });
  } catch (err) {
    ctx.transcript.note('auth-ssl', `could not test AUTH SSL: ${asProbeError(err).message}`);
    return null;
  }
  const { control } = opened;
  try {
    const reply = await control.command('AUTH SSL');
    ctx.endpoint.ftp!.authReplies!.push({ command: 'AUTH SSL', code: reply.code, text: reply.text });
    if (reply.code !== 234) return false;
    await control.upgradeToTls({ host: ctx.target.host });
    return true;
  } catch (err) {
    ctx.transcript.note(control.conn, `AUTH SSL test ended: ${asProbeError(err).message}`);
    return null;
  } finally {
    await control.quit();
  }
}

async function tryImplicitTls(ctx: ProbeContext, control: FtpControl, waitedMs: number): Promise<void> {
  const { endpoint: ep, options, transcript } = ctx;
  transcript.note(control.conn, `server silent for ${waitedMs} ms; trying a TLS handshake (implicit TLS)`);
  let t: TLSSocket;
  try {
    t = await control.upgradeToTls({ host: ctx.target.host, timeoutMs: Math.max(500, options.timeoutMs - waitedMs) });
  } catch (err) {
    const e = asProbeError(err, 'tls-handshake-failed');
    const said = control.bytesBeforeTls().toString('latin1');
    if (/^(\d{3}[ -]|SSH-)/.test(said)) {
      ctx.scratch.lateGreeting = true;
      transcript.note(control.conn, `the server answered in cleartext after all: ${JSON.stringify(said.slice(0, 60))}`);
      return;
    }
    // A server that answered in TLS and then stalled is not retried with a dozen more stalls.
    if (said.length > 0 && looksLikeTls(Buffer.from(said, 'latin1')) && !/did not complete within/.test(e.message)) {
      // It answered in TLS, but nothing Node/OpenSSL 3 can complete (SSLv3-only, odd suites):
      // still TLS — the hello-level prober will say what it offers.
      ep.service = 'tls-unknown';
      ep.outcome = 'tls-handshake-failed';
      ep.error = `the server speaks TLS, but no handshake a current client can complete: ${e.message}`;
      return;
    }
    if (/did not complete within/.test(e.message)) {
      // Connected, then silence both ways: nothing we know how to speak to.
      ep.state = 'timeout';
      ep.service = 'unknown';
      ep.outcome = 'timeout';
      ep.error = 'connected, but the server said nothing and did not answer a TLS handshake';
    } else {
      ep.service = 'unknown';
      ep.outcome = e.outcome;
      ep.error = e.message;
    }
    return;
  }
  recordTls(ctx, t);
  ep.service = 'tls-unknown';
  let greeting: FtpReply;
  try {
    greeting = await control.readReply();
  } catch (err) {
    const e = asProbeError(err);
    ep.outcome = null;
    transcript.note(control.conn, `TLS works but no FTP greeting inside it: ${e.message}`);
    return;
  }
  ep.service = 'ftps-implicit';
  ep.banner = greeting.lines.join('\n');
  ep.ftp = emptyFtpFacts(greeting.lines);
  if (await readGreetingFacts(ctx, control, greeting)) await control.quit();
}

/**
 * After a greeting: a non-220 means the server refused us; otherwise FEAT and SYST before login,
 * what the server discloses to anyone. Returns false when the server refused.
 */
async function readGreetingFacts(ctx: ProbeContext, control: FtpControl, greeting: FtpReply): Promise<boolean> {
  const { endpoint: ep } = ctx;
  const ftp = ep.ftp!;
  if (greeting.code !== 220) {
    ep.outcome = 'refused-by-server';
    ep.error = `server greeted with ${greeting.code}: ${greeting.text.slice(0, 200)}`;
    return false;
  }
  const feat = await control.command('FEAT');
  ftp.features = feat.code === 211 ? parseFeatures(feat) : [];
  const syst = await control.command('SYST');
  ftp.syst = syst.lines.join('\n');
  return true;
}

function handleUnreadable(ctx: ProbeContext, control: FtpControl, err: unknown): void {
  const { endpoint: ep, transcript } = ctx;
  const e = asProbeError(err);
  const partial = control.lines.partial();
  if (partial) transcript.add(control.conn, 'server', `${partial.slice(0, 256)} [no line end]`);
  ep.service = 'unknown';
  ep.banner = partial ? partial.slice(0, 256) : null;
  ep.outcome = e.outcome === 'timeout' ? 'protocol-error' : e.outcome;
  ep.error = e.outcome === 'timeout' ? 'the server sent bytes that never formed a line' : e.message;
}

export function parseFeatures(reply: FtpReply): string[] {
  // 211-Features:\n FEAT1\n FEAT2\n211 End: the lines between first and last.
  return reply.lines
    .slice(1, -1)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function isPrintable(line: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(line);
}

export function parseSshIdent(line: string, preBanner: string[] = []) {
  // SSH-protoversion-softwareversion SP comments (RFC 4253 §4.2)
  const m = /^SSH-([^-\s]+)-(\S+)(?:\s+(.*))?$/.exec(line);
  return {
    banner: line,
    preBanner,
    protoVersion: m ? m[1] : '',
    software: m ? m[2] : '',
    comments: m?.[3] ?? '',
    kex: [],
    hostKeyAlgorithms: [],
    ciphers: [],
    macs: [],
    compression: [],
    hostKeys: [],
    authMethods: [],
    strictKex: null,
    sftp: null,
  };
}
