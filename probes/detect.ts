// Service detection, needing no hint: what really listens on a port.
//   SSH identification line            → sftp
//   FTP 220 greeting, AUTH TLS → 234    → ftps-explicit (refused → try AUTH SSL, else ftp)
//   silence, then a TLS handshake + 220 → ftps-implicit (TLS without FTP → tls-unknown)
//   anything else                      → unknown
// Detection runs before every other probe; its result (Detected) is what they build on.
import type { TLSSocket } from 'node:tls';
import type { ConnectContext, Detected, DetectedFtp } from '../src/probe.js';
import { openSession, type Session } from '../src/ftp/session.js';
import { FtpControl } from '../src/net/ftp-control.js';
import { asProbeError } from '../src/net/outcomes.js';
import { summarizePeer } from '../src/net/tls-upgrade.js';
import { looksLikeTls } from '../src/net/relay.js';
import { greetingRefusal, type FtpReply } from '../src/net/ftp-reply.js';
import { otherProtocol } from '../src/knowledge/banners.js';
import { isOpenSshRefusal, OPENSSH_REFUSED } from '../src/ssh/conn.js';
import type { ThrottleKind } from '../src/model.js';
import { helloSilenceMs, trialHelloPipelining } from '../src/tls/transport.js';
import { WAN_RTT_MS } from '../src/tls/exchange.js';
import { legacyHello } from '../src/tls/vuln/conn.js';

/** How long a silent server gets before we assume it waits for a TLS ClientHello. */
const SILENCE_MS = 2000;
/** Lines an SSH server may send before its identification line (RFC 4253 §4.2). */
const MAX_PRE_BANNER_LINES = 20;

/** Detection's working state for one attempt; the result is a snapshot of it. */
interface Detection extends Detected {
  /** a greeting arrived after we had given up waiting and started TLS */
  lateGreeting: boolean;
  /** the server turned us away as a connection limit does (worth asking again after a back-off) */
  limit: { kind: ThrottleKind; detail: string; what: string } | null;
}

function fresh(address: string): Detection {
  return {
    address,
    state: 'unreachable',
    connectMs: null,
    service: null,
    banner: null,
    outcome: null,
    error: null,
    ftp: null,
    tlsNegotiated: null,
    ssh: null,
    sshHandover: null,
    replyRttMs: null,
    helloPipelining: null,
    lateGreeting: false,
    limit: null,
  };
}

export function emptyDetectedFtp(greeting: string[]): DetectedFtp {
  return { greeting, syst: null, features: null, authTls: null, authSsl: null, authReplies: [] };
}

/** Detects the service; never throws (a failure is in the result's outcome). */
export async function detect(ctx: ConnectContext): Promise<Detected> {
  // An FTP server at a connection limit answers 421 and hangs up (vsftpd max_per_ip, Pure-FTPd),
  // or 530 (ProFTPD over MaxClients or MaxConnectionsPerHost): back off and ask again.
  let patient = false;
  for (let attempt = 0; ; attempt++) {
    const d = await detectOnce(ctx, patient);
    if (d.lateGreeting && !patient) {
      // The server spoke after our silence window (a slow or loaded server) and our ClientHello
      // broke the conversation: ask again, waiting as long as the timeout allows.
      ctx.transcript.note('detect', 'the server spoke after we had started TLS; asking again with more patience');
      patient = true;
      attempt -= 1;
      continue;
    }
    const limit = d.outcome === 'refused-by-server' ? d.limit : null;
    // Our only connection turned away: others hold the server's slots, which says nothing of how
    // many of ours it takes (the probes' own refusals teach that), so the cap stays.
    const waited = limit && (await ctx.dialer.throttle.backoff(ctx.target.port, limit.kind, limit.detail, attempt, { teachesCap: false }));
    if (!waited) {
      const { lateGreeting: _late, limit: _limit, ...result } = d;
      return result;
    }
    ctx.transcript.note('detect', `${limit.what} from server; retrying after a back-off (a connection limit?)`);
  }
}

/** A greeting a connection limit sends (421; ProFTPD's 530), or null. */
function limitGreeting(greeting: FtpReply): Detection['limit'] {
  const kind = greeting.code === 421 || greeting.code === 530 ? greetingRefusal(greeting.code) : null;
  return kind && { kind, detail: greeting.lines[0] ?? String(greeting.code), what: String(greeting.code) };
}

async function detectOnce(ctx: ConnectContext, patient: boolean): Promise<Detection> {
  const { address, target, options, transcript } = ctx;
  const d = fresh(address);
  const conn = transcript.conn('detect');
  const dialled = await ctx.dialer.dial(target.port, options.timeoutMs);
  d.state = dialled.state;
  d.connectMs = dialled.ms;
  transcript.note(
    conn,
    `TCP ${address}:${target.port} ${dialled.state} after ${dialled.ms} ms${dialled.code ? ` (${dialled.code})` : ''}${dialled.via ? ` via ${dialled.via}` : ''}${dialled.detail ? `: ${dialled.detail}` : ''}`,
    'connect',
  );
  if (!dialled.socket) {
    // through a proxy: its one line, naming it, says why (no fact about the target's own port)
    if (dialled.detail) d.error = dialled.detail;
    return d;
  }

  const control = new FtpControl(dialled.socket, transcript, conn, options.timeoutMs);
  try {
    // ftps:// (or port 990, implicit FTPS by IANA assignment) says TLS comes first, so a short
    // look for a cleartext greeting is enough: a greeting sent on accept arrives about one
    // connect time after the connect, so a few of those (50-300 ms). A later greeting is still
    // caught (lateGreeting) and the endpoint asked again.
    const patience = target.scheme === 'ftps' || target.port === 990 ? Math.min(300, Math.max(50, dialled.ms * 5)) : SILENCE_MS;
    const silence = patient ? options.timeoutMs : Math.min(patience, Math.max(200, Math.floor(options.timeoutMs / 2)));
    const spoke = await control.lines.waitForData(performance.now() + silence);
    if (spoke) {
      // Give the first line a moment to complete before judging it.
      await control.lines.readLine(performance.now() + options.timeoutMs).then(
        (line) => handleFirstLine(ctx, d, control, line),
        (err) => handleUnreadable(ctx, d, control, err),
      );
    } else if (control.lines.closed) {
      d.service = 'unknown';
      d.outcome = 'protocol-error';
      d.error = control.lines.failureMessage ?? 'the server closed the connection without saying anything';
    } else {
      await tryImplicitTls(ctx, d, control, silence);
    }
  } catch (err) {
    const e = asProbeError(err);
    d.outcome = e.outcome;
    d.error = e.message;
    if (e.outcome === 'timeout' && d.service === null) d.state = 'timeout';
    if (d.state === 'open') d.service ??= 'unknown';
  } finally {
    control.close();
  }
  return d;
}

async function handleFirstLine(ctx: ConnectContext, d: Detection, control: FtpControl, first: string): Promise<void> {
  if (first.startsWith('SSH-') || !/^\d{3}/.test(first)) return handleSshOrOther(ctx, d, control, first);
  // An FTP reply: feed the first line back through the reply assembler. It is FTP from here on,
  // even if the rest of the greeting never ends.
  d.service = 'ftp';
  d.banner = first.slice(0, 512);
  const greeting = await control.readReply(ctx.options.timeoutMs, first, 'greeting');
  await handleFtpGreeting(ctx, d, control, greeting);
}

async function handleSshOrOther(ctx: ConnectContext, d: Detection, control: FtpControl, first: string): Promise<void> {
  const { transcript } = ctx;
  // SSH servers may send other lines before the identification line.
  const pre: string[] = [];
  let line = first;
  while (!line.startsWith('SSH-')) {
    transcript.add(control.conn, 'server', line, 'ssh-ident');
    pre.push(line);
    if (pre.length === 1 && isOpenSshRefusal(line)) {
      // OpenSSH's words before it closes a connection over MaxStartups or under PerSourcePenalties
      // (no other server writes them): SSH, turning us away for now.
      d.service = 'sftp';
      d.banner = line.slice(0, 512);
      d.outcome = 'refused-by-server';
      d.error = `${OPENSSH_REFUSED}: "${line.slice(0, 80)}"`;
      d.limit = { kind: 'refused', detail: OPENSSH_REFUSED, what: `"${line.slice(0, 80)}"` };
      return;
    }
    const other = otherProtocol(pre);
    if (other || pre.length >= MAX_PRE_BANNER_LINES || !isPrintable(line)) {
      d.service = 'unknown';
      d.banner = pre.join('\n').slice(0, 512);
      d.outcome = 'protocol-error';
      d.error = other ? `the server speaks ${other}, not SSH or FTP` : 'the server speaks neither SSH nor FTP';
      return;
    }
    line = await control.lines.readLine(performance.now() + ctx.options.timeoutMs);
  }
  transcript.add(control.conn, 'server', line, 'ssh-ident');
  d.service = 'sftp';
  d.banner = line;
  d.ssh = parseSshIdent(line, pre);
  // The SSH probe carries on with this connection (the server now waits for our own
  // identification line), reading what we read here again.
  const handed = control.handOver();
  if (handed) {
    handed.socket.pause();
    const sent = Buffer.concat([Buffer.from([...pre, line].map((l) => `${l}\r\n`).join(''), 'utf8'), handed.unread]);
    d.sshHandover = { socket: handed.socket, sent, conn: control.conn };
  }
}

async function handleFtpGreeting(ctx: ConnectContext, d: Detection, control: FtpControl, greeting: FtpReply): Promise<void> {
  d.service = 'ftp';
  d.banner = greeting.lines.join('\n');
  if (notFtp(d, greeting.lines)) return control.quit();
  const ftp = emptyDetectedFtp(greeting.lines);
  d.ftp = ftp;
  if (greeting.code === 120) {
    // "Service ready in nnn minutes": the real greeting follows.
    greeting = await control.readReply(undefined, undefined, 'greeting');
    ftp.greeting.push(...greeting.lines);
  }
  // AUTH SSL is asked on a connection of its own once AUTH TLS is accepted (this one is inside TLS
  // then). After a 220, where the cap leaves room for it, it is opened now, beside FEAT, SYST and
  // AUTH TLS, which takes its connect and greeting off the end of detection (3 round trips on a
  // WAN); with one connection at a time it would wait for this one to close, so it is opened only
  // when needed (as after a refusing greeting, where it would only be refused too).
  const side = new SideSession(ctx, greeting.code === 220 && ctx.options.connections >= 2);
  try {
    if (!(await readGreetingFacts(d, ftp, control, greeting))) return;
    const authTls = await control.command('AUTH TLS', { step: 'auth-tls' });
    ftp.authReplies!.push({ command: 'AUTH TLS', code: authTls.code, text: authTls.text });
    if (authTls.code === 234) {
      ftp.authTls = true;
      d.service = 'ftps-explicit';
      const [, authSsl] = await Promise.all([
        completeTls(ctx, d, control, 'AUTH TLS'),
        tryAuthSslSeparately(ctx, ftp, side.take()),
        tryHelloPipelining(ctx, d),
      ]);
      ftp.authSsl = authSsl;
      return;
    }
    ftp.authTls = false;
    // not needed: this connection asks AUTH SSL itself
    void side.close();
    const authSsl = await control.command('AUTH SSL', { step: 'auth-ssl' });
    ftp.authReplies!.push({ command: 'AUTH SSL', code: authSsl.code, text: authSsl.text });
    if (authSsl.code === 234) {
      ftp.authSsl = true;
      d.service = 'ftps-explicit';
      await completeTls(ctx, d, control, 'AUTH SSL');
      return;
    }
    ftp.authSsl = false;
    await control.quit();
  } finally {
    // this connection first: the side one may be waiting for its slot
    if (side.closing()) control.close();
    await side.close();
  }
}

/** The connection AUTH SSL may be asked on: opened early or on demand, handed over or closed once. */
class SideSession {
  private opened: Promise<Session | null> | null = null;
  private closed: Promise<void> | null = null;
  private taken = false;
  constructor(
    private readonly ctx: ConnectContext,
    early: boolean,
  ) {
    if (early) this.opened = this.open();
  }

  private open(): Promise<Session | null> {
    return openSession(this.ctx, { purpose: 'auth-ssl', tls: 'none' }).catch((err: unknown) => {
      this.ctx.transcript.note('auth-ssl', `could not test AUTH SSL: ${asProbeError(err).message}`, 'auth-ssl');
      return null;
    });
  }

  /** The session, for the AUTH SSL test (which quits it). */
  take(): Promise<Session | null> {
    this.taken = true;
    return (this.opened ??= this.open());
  }

  /** True when an early session is still to be closed here. */
  closing(): boolean {
    return !this.taken && this.opened !== null;
  }

  /** Quits the session unless the AUTH SSL test took it; idempotent. */
  close(): Promise<void> {
    if (this.taken || !this.opened) return Promise.resolve();
    return (this.closed ??= this.opened.then((s) => s?.control.quit()));
  }
}

async function completeTls(ctx: ConnectContext, d: Detection, control: FtpControl, via: string): Promise<void> {
  let t: TLSSocket;
  try {
    t = await control.upgradeToTls({
      host: ctx.target.host,
      step: via === 'AUTH SSL' ? 'auth-ssl' : 'auth-tls',
      clientCert: ctx.options.clientCert?.tlsOptions,
    });
  } catch (err) {
    const e = asProbeError(err, 'tls-handshake-failed');
    d.outcome = e.outcome;
    d.error = `${via} accepted, but ${e.message}`;
    return;
  }
  recordTls(d, t);
  await control.quit();
}

function recordTls(d: Detection, t: TLSSocket): void {
  const peer = summarizePeer(t);
  d.tlsNegotiated = { protocol: peer.protocol, cipher: peer.cipher };
}

/**
 * On a WAN (a reply took at least WAN_RTT_MS), whether the server reads a ClientHello sent with
 * AUTH TLS: one more connection, beside the two above, so that the TLS probes know it from their
 * first hello (on loopback there is nothing to save, and nothing is tried).
 */
async function tryHelloPipelining(ctx: ConnectContext, d: Detection): Promise<void> {
  const rtt = d.replyRttMs;
  if (rtt === null || rtt < WAN_RTT_MS) return;
  const conn = ctx.transcript.conn('hello-pipelining');
  const dialled = await ctx.dialer.dial(ctx.target.port, ctx.options.timeoutMs);
  if (!dialled.socket) {
    ctx.transcript.note(conn, `TCP ${dialled.state}: hello pipelining not tried`, 'auth-tls');
    return;
  }
  const hello = legacyHello(0x0303, ctx.target.host);
  const silentMs = helloSilenceMs(rtt, 'trial');
  const r = await trialHelloPipelining(dialled.socket, 'AUTH TLS', hello, ctx.options.timeoutMs, silentMs);
  d.helloPipelining = r.pipelining;
  const said = r.pipelining === null ? 'undecided' : r.pipelining ? 'the server reads it' : 'the server drops it';
  ctx.transcript.note(conn, `AUTH TLS sent with a ClientHello: ${r.detail} — ${said}`, 'auth-tls');
}

/**
 * AUTH SSL on a connection of its own (after AUTH TLS succeeded, the first one is inside TLS).
 * The reply decides: after a 234 the connection is closed without a handshake (the server now
 * waits for a ClientHello, so a QUIT would only be read as a broken one). Completing it and
 * waiting for the 221 kept detection, and every probe behind it, 3 round trips longer.
 */
async function tryAuthSslSeparately(ctx: ConnectContext, ftp: DetectedFtp, side: Promise<Session | null>): Promise<boolean | null> {
  const opened = await side;
  if (!opened) return null;
  const { control } = opened;
  let accepted: boolean | null = null;
  try {
    const reply = await control.command('AUTH SSL', { step: 'auth-ssl' });
    ftp.authReplies!.push({ command: 'AUTH SSL', code: reply.code, text: reply.text });
    accepted = reply.code === 234;
    if (accepted)
      ctx.transcript.note(control.conn, 'AUTH SSL accepted (234): closed without a TLS handshake; the reply decides', 'auth-ssl');
    return accepted;
  } catch (err) {
    ctx.transcript.note(control.conn, `AUTH SSL test ended: ${asProbeError(err).message}`, 'auth-ssl');
    return accepted;
  } finally {
    if (accepted) control.close();
    else await control.quit();
  }
}

async function tryImplicitTls(ctx: ConnectContext, d: Detection, control: FtpControl, waitedMs: number): Promise<void> {
  const { options, transcript } = ctx;
  transcript.note(control.conn, `server silent for ${waitedMs} ms; trying a TLS handshake (implicit TLS)`, 'implicit-tls');
  let t: TLSSocket;
  try {
    t = await control.upgradeToTls({
      host: ctx.target.host,
      timeoutMs: Math.max(500, options.timeoutMs - waitedMs),
      step: 'implicit-tls',
      clientCert: options.clientCert?.tlsOptions,
    });
  } catch (err) {
    implicitTlsFailed(ctx, d, control, err);
    return;
  }
  recordTls(d, t);
  d.service = 'tls-unknown';
  let greeting: FtpReply;
  try {
    greeting = await control.readReply(undefined, undefined, 'greeting');
  } catch (err) {
    const e = asProbeError(err);
    d.outcome = null;
    transcript.note(control.conn, `TLS works but no FTP greeting inside it: ${e.message}`, 'greeting');
    return;
  }
  d.service = 'ftps-implicit';
  d.banner = greeting.lines.join('\n');
  d.ftp = emptyDetectedFtp(greeting.lines);
  if (await readGreetingFacts(d, d.ftp, control, greeting)) await control.quit();
}

/** What a failed implicit-TLS handshake says about the service. */
function implicitTlsFailed(ctx: ConnectContext, d: Detection, control: FtpControl, err: unknown): void {
  const e = asProbeError(err, 'tls-handshake-failed');
  const said = control.bytesBeforeTls().toString('latin1');
  const stalled = /did not complete within/.test(e.message);
  if (/^(\d{3}[ -]|SSH-)/.test(said)) {
    d.lateGreeting = true;
    ctx.transcript.note(control.conn, `the server answered in cleartext after all: ${JSON.stringify(said.slice(0, 60))}`);
    return;
  }
  // A server that answered in TLS and then stalled is not retried with a dozen more stalls.
  if (said.length > 0 && looksLikeTls(Buffer.from(said, 'latin1')) && !stalled) {
    // It answered in TLS, but nothing Node/OpenSSL 3 can complete (SSLv3-only, odd suites):
    // still TLS — the hello-level prober will say what it offers.
    d.service = 'tls-unknown';
    d.outcome = 'tls-handshake-failed';
    d.error = `the server speaks TLS, but no handshake a current client can complete: ${e.message}`;
    return;
  }
  d.service = 'unknown';
  if (stalled) {
    // Connected, then silence both ways: nothing we know how to speak to.
    d.state = 'timeout';
    d.outcome = 'timeout';
    d.error = 'connected, but the server said nothing and did not answer a TLS handshake';
  } else {
    d.outcome = e.outcome;
    d.error = e.message;
  }
}

/**
 * After a greeting: a non-220 means the server refused us; otherwise FEAT and SYST before login,
 * what the server discloses to anyone. Returns false when the server refused.
 */
async function readGreetingFacts(d: Detection, ftp: DetectedFtp, control: FtpControl, greeting: FtpReply): Promise<boolean> {
  if (greeting.code !== 220) {
    d.outcome = 'refused-by-server';
    d.error = `server greeted with ${greeting.code}: ${greeting.text.slice(0, 200)}`;
    d.limit = limitGreeting(greeting);
    return false;
  }
  const timed = async (command: 'FEAT' | 'SYST', step: 'feat' | 'syst') => {
    const asked = performance.now();
    const reply = await control.command(command, { step });
    const ms = performance.now() - asked;
    d.replyRttMs = d.replyRttMs === null ? ms : Math.min(d.replyRttMs, ms);
    return reply;
  };
  const feat = await timed('FEAT', 'feat');
  // an SMTP server answers FEAT with an enhanced status code ("500 5.5.2 …"): not FTP after all
  if (notFtp(d, [...greeting.lines, ...feat.lines])) return false;
  ftp.features = feat.code === 211 ? parseFeatures(feat) : [];
  const syst = await timed('SYST', 'syst');
  ftp.syst = syst.lines.join('\n');
  return true;
}

/** A 220 greeting that belongs to another protocol (SMTP): the endpoint is not FTP. */
function notFtp(d: Detection, lines: string[]): boolean {
  const other = otherProtocol(lines);
  if (!other) return false;
  // TLS-wrapped (SMTPS): still a TLS service the inventory can look at
  d.service = d.tlsNegotiated ? 'tls-unknown' : 'unknown';
  d.ftp = null;
  d.outcome = 'protocol-error';
  d.error = `the server speaks ${other}, not FTP (it greets with ${JSON.stringify((lines[0] ?? '').slice(0, 80))})`;
  return true;
}

function handleUnreadable(ctx: ConnectContext, d: Detection, control: FtpControl, err: unknown): void {
  const e = asProbeError(err);
  const partial = control.lines.partial();
  if (partial) ctx.transcript.add(control.conn, 'server', `${partial.slice(0, 256)} [no line end]`, 'greeting');
  d.service = 'unknown';
  d.banner = partial ? partial.slice(0, 256) : null;
  d.outcome = e.outcome === 'timeout' ? 'protocol-error' : e.outcome;
  d.error = e.outcome === 'timeout' ? 'the server sent bytes that never formed a line' : e.message;
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
  return { banner: line, preBanner, protoVersion: m ? m[1]! : '', software: m ? m[2]! : '', comments: m?.[3] ?? '' };
}
