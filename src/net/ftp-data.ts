// One FTP data transfer, passive (PASV/EPSV) or active (PORT/EPRT), in cleartext or TLS, with
// or without resuming the control channel's TLS session — and an honest account of what
// happened on the wire: replies, TLS details, bytes, and which step failed.
import net from 'node:net';
import type * as BasicFtp from 'basic-ftp';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import type tls from 'node:tls';
import type { FtpControl } from './ftp-control.js';
import type { FtpReply } from './ftp-reply.js';
import type { Dialer } from './dialer.js';
import type { PortState, Step } from '../model.js';
import { connectTls, summarizePeer } from './tls-upgrade.js';
import { Relay, looksLikeTls } from './relay.js';
import { TlsRecordTail } from './tls-records.js';
import { ProbeError, asProbeError, keepErrorSink } from './outcomes.js';
import { classifyAdvertised, eprtArgument, parseEpsv, parsePasv, portArgument, plainAddress, type PassiveAddress } from './ftp-passive.js';
import type { Transcript } from './transcript.js';

export type DataMode = 'PASV' | 'EPSV' | 'PORT' | 'EPRT';

/** Most bytes read from one data connection (a listing or the write-test file). */
export const MAX_DATA_BYTES = 4 * 1024 * 1024;

/** Active mode: how many --timeout periods to wait for the server's reply after it failed to connect back. */
export const ACTIVE_REPLY_PATIENCE = 5;
/** The least a data ClientHello waits for the transfer command's 1xx (see runCommandOverData). */
export const START_REPLY_FLOOR_MS = 250;

export interface DataOptions {
  mode: DataMode;
  /** TLS on the data connection (PROT P in force) */
  tls: boolean;
  /** resume the control channel's TLS session on the data connection */
  reuse: boolean;
  /**
   * which session to offer when resuming: the newest from any connection (default, as curl and
   * basic-ftp do), or always the control connection's own (a client that never learns new tickets)
   */
  offer?: 'latest' | 'control';
  /** the command that uses the data connection, e.g. LIST, MLSD, RETR x, STOR x */
  command: string;
  /** bytes to send (STOR); otherwise we read */
  upload?: Buffer;
  /** the target's host name (SNI) and the address every connection must go to */
  host: string;
  address: string;
  allowForeignPasv: boolean;
  /** the endpoint's dialer: data connections count against the scan's socket budget */
  dialer: Dialer;
  timeoutMs: number;
  /** the probe step the transfer belongs to (transcript tags; default 'transfer') */
  step?: Step;
  /** silence on an open data connection that counts as a stall (default: timeoutMs) */
  stallMs?: number;
  transcript: Transcript;
}

export interface DataTlsInfo {
  protocol: string | null;
  cipher: string | null;
  resumed: boolean;
  fingerprintSha256: string | null;
}

export interface DataResult {
  mode: DataMode;
  ok: boolean;
  /** address in a 227 reply (PASV) */
  advertisedAddress: string | null;
  port: number | null;
  /** where we actually connected (passive) or listened (active) */
  connectAddress: string | null;
  /** the reply to PASV/EPSV/PORT/EPRT */
  setupReply: { code: number; text: string } | null;
  /** the first reply to the transfer command (1xx, or an error such as 425/522) */
  startReply: { code: number; text: string } | null;
  /** the reply after the transfer (226/250, or 425/426/451/522…) */
  endReply: { code: number; text: string } | null;
  /** step that failed: setup | connect | tls | transfer | reply */
  failedStep: 'setup' | 'connect' | 'tls' | 'transfer' | 'reply' | null;
  /** the TCP state of the passive data connect */
  connectState?: PortState | null;
  /** active mode: the port the server's data connection came from (20/989 by convention, or ephemeral) */
  activeSourcePort?: number | null;
  error: string | null;
  tls: DataTlsInfo | null;
  /** a digest of the session (ticket) we offered to resume, to tell when the same one is offered again */
  offeredSession?: string | null;
  /** NewSessionTickets the server sent on this data connection */
  dataTickets?: number;
  /** the server ended the data connection with close_notify (null: it had not closed its side when we looked) */
  closeNotify?: boolean | null;
  /** the data connection was not TLS although TLS was expected (first bytes were not a TLS record) */
  notTls: boolean;
  /** a printable sample of what came instead of TLS */
  notTlsSample: string | null;
  bytes: number;
  /** entries in the listing (LIST/MLSD), parsed with basic-ftp; null when not a listing we can read */
  entries?: number | null;
  sha256: string | null;
  /** the data itself, only when asked for (write test) */
  data?: Buffer;
  ms: number;
}

/** How each TLS data connection ended, asked once the transfer is over. */
const tails = new WeakMap<DataResult, () => boolean | null>();

const brief = (r: FtpReply | null) => (r ? { code: r.code, text: r.text.slice(0, 300) } : null);

function emptyResult(mode: DataMode): DataResult {
  return {
    mode,
    ok: false,
    advertisedAddress: null,
    port: null,
    connectAddress: null,
    setupReply: null,
    startReply: null,
    endReply: null,
    failedStep: null,
    error: null,
    tls: null,
    notTls: false,
    notTlsSample: null,
    bytes: 0,
    sha256: null,
    ms: 0,
  };
}

/** Reads a data socket to its end (bounded), or writes `upload` and ends it. */
function pump(
  sock: net.Socket | tls.TLSSocket,
  upload: Buffer | undefined,
  timeoutMs: number,
  keep: boolean,
  budgetMs: number,
): Promise<{ bytes: number; sha256: string; data?: Buffer }> {
  return new Promise((resolve, reject) => {
    // A trickling server must not hold us forever: the whole transfer has a budget too.
    const budget = setTimeout(() => fail(new ProbeError('timeout', `data transfer took longer than ${budgetMs} ms`)), budgetMs);
    sock.once('close', () => clearTimeout(budget));
    const hash = crypto.createHash('sha256');
    const chunks: Buffer[] = [];
    let bytes = 0;
    let timer = setTimeout(() => fail(new ProbeError('timeout', 'data connection stalled')), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      clearTimeout(budget);
      sock.destroy();
      reject(e);
    };
    if (upload) {
      sock.end(upload, () => {
        clearTimeout(timer);
        clearTimeout(budget);
        resolve({ bytes: upload.length, sha256: crypto.createHash('sha256').update(upload).digest('hex') });
      });
      sock.on('error', fail);
      return;
    }
    // Node ends an empty socket on its own when nobody reads it: a server that closed an empty
    // listing before we got its 150 has already come and gone, and would never send 'end' again.
    if (sock.readableEnded) {
      clearTimeout(timer);
      clearTimeout(budget);
      resolve({ bytes: 0, sha256: hash.digest('hex'), data: keep ? Buffer.alloc(0) : undefined });
      return;
    }
    if (sock.destroyed) return fail(new ProbeError('protocol-error', 'the data connection was closed before any data arrived'));
    sock.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > MAX_DATA_BYTES) return fail(new ProbeError('protocol-error', `data connection sent more than ${MAX_DATA_BYTES} bytes`));
      hash.update(d);
      if (keep) chunks.push(d);
      clearTimeout(timer);
      timer = setTimeout(() => fail(new ProbeError('timeout', 'data connection stalled')), timeoutMs);
    });
    sock.on('end', () => {
      clearTimeout(timer);
      clearTimeout(budget);
      resolve({ bytes, sha256: hash.digest('hex'), data: keep ? Buffer.concat(chunks) : undefined });
    });
    sock.on('error', (e: NodeJS.ErrnoException) => fail(new ProbeError('protocol-error', `data connection error: ${e.code ?? e.message}`)));
  });
}

async function setupPassive(control: FtpControl, o: DataOptions, r: DataResult): Promise<PassiveAddress | null> {
  const reply = await control.command(o.mode, { step: o.step ?? (o.mode === 'PASV' ? 'pasv' : 'epsv') });
  r.setupReply = brief(reply);
  if (reply.code !== (o.mode === 'PASV' ? 227 : 229)) {
    r.failedStep = 'setup';
    r.error = `${o.mode} refused: ${reply.code} ${reply.text.slice(0, 120)}`;
    return null;
  }
  try {
    return o.mode === 'PASV' ? parsePasv(reply.text) : parseEpsv(reply.text);
  } catch (err) {
    r.failedStep = 'setup';
    r.error = (err as Error).message;
    return null;
  }
}

/** Where to connect for a passive transfer: the control address unless following is allowed. */
export function passiveConnectAddress(advertised: string | null, controlAddress: string, allowForeign: boolean): string {
  if (!advertised || !allowForeign) return controlAddress;
  const kind = classifyAdvertised(advertised, controlAddress);
  return kind === 'unspecified' ? controlAddress : advertised;
}

/** Upgrades a data socket to TLS as the FTPS client (also in active mode: RFC 4217 §7). */
async function dataTls(control: FtpControl, sock: net.Socket, o: DataOptions, r: DataResult): Promise<tls.TLSSocket> {
  const relay = new Relay(sock);
  const tail = new TlsRecordTail().watch(sock);
  const session = o.reuse ? (o.offer === 'control' ? control.controlSession() : control.resumableSession()) : undefined;
  r.offeredSession = session ? crypto.createHash('sha256').update(session).digest('hex').slice(0, 16) : null;
  try {
    const t = await connectTls(relay, {
      host: o.host,
      timeoutMs: o.timeoutMs,
      session,
      minVersion: control.tls ? (control.tls.getProtocol() as tls.SecureVersion) : undefined,
      maxVersion: control.tls ? (control.tls.getProtocol() as tls.SecureVersion) : undefined,
      clientCert: control.clientCert,
    });
    // TLS 1.3 tickets are single-use: keep the newest for the next data connection.
    r.dataTickets = 0;
    t.on('session', (s: Buffer) => {
      control.rememberSession(s);
      r.dataTickets = (r.dataTickets ?? 0) + 1;
    });
    // looked at when the transfer is over (see finishTransfer)
    const protocol = t.getProtocol();
    tails.set(r, () => tail.closeNotify(protocol));
    // The relay never closes TCP by itself: after our close_notify, end the TCP connection too
    // (servers such as vsftpd wait for it before they send the transfer's final reply).
    t.once('finish', () => sock.end());
    t.once('close', () => sock.destroy());
    const peer = summarizePeer(t);
    r.tls = { protocol: peer.protocol, cipher: peer.cipher, resumed: t.isSessionReused(), fingerprintSha256: peer.fingerprintSha256 };
    return t;
  } catch (err) {
    const sample = o.transcript.maskBytes(relay.sample());
    if (!looksLikeTls(sample)) {
      r.notTls = true;
      r.notTlsSample = sample
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '.')
        .slice(0, 64);
    }
    relay.destroy();
    sock.destroy();
    throw err;
  }
}

/**
 * Runs one transfer. Never throws for what the server does (that is the result); throws only
 * when the control connection itself breaks.
 */
/** Entries in a directory listing, read with basic-ftp's parser (Unix, DOS and MLSD formats). */
export async function countListing(data: Buffer | undefined): Promise<number | null> {
  if (!data) return null;
  try {
    const { parseList } = createRequire(import.meta.url)('basic-ftp') as typeof BasicFtp;
    return parseList(data.subarray(0, 256 * 1024).toString('utf8')).length;
  } catch {
    return null; // a format basic-ftp does not know: the bytes still arrived
  }
}

export async function transfer(control: FtpControl, o: DataOptions): Promise<DataResult> {
  const started = performance.now();
  const r = emptyResult(o.mode);
  try {
    if (o.mode === 'PASV' || o.mode === 'EPSV') await passiveTransfer(control, o, r);
    else await activeTransfer(control, o, r);
  } finally {
    r.ms = Math.round(performance.now() - started);
  }
  r.ok = r.failedStep === null && r.endReply !== null && r.endReply.code >= 200 && r.endReply.code < 300;
  if (/^(LIST|MLSD)\b/.test(o.command)) {
    r.entries = r.ok ? await countListing(r.data) : null;
    delete r.data; // the listing itself stays out of the report
  }
  if (!r.ok && !r.error && r.endReply) r.error = `${r.endReply.code} ${r.endReply.text.slice(0, 160)}`;
  return r;
}

async function passiveTransfer(control: FtpControl, o: DataOptions, r: DataResult): Promise<void> {
  const asked = performance.now();
  const pa = await setupPassive(control, o, r);
  const setupReplyMs = performance.now() - asked;
  if (!pa) return;
  r.advertisedAddress = pa.address;
  r.port = pa.port;
  const addr = passiveConnectAddress(pa.address, o.address, o.allowForeignPasv);
  r.connectAddress = addr;
  const d = await o.dialer.dialAddress(addr, pa.port, o.timeoutMs, { data: true });
  o.transcript.note(control.conn, `data ${addr}:${pa.port} ${d.state} after ${d.ms} ms`, o.step ?? 'transfer');
  r.connectState = d.state;
  if (!d.socket) {
    r.failedStep = 'connect';
    r.error = `data port ${pa.port} ${d.state}${d.code ? ` (${d.code})` : ''}`;
    // Leave the server's pending listener alone; ABOR is not needed: no command was sent.
    return;
  }
  await runCommandOverData(control, o, r, setupReplyMs, async () => d.socket!);
}

async function activeTransfer(control: FtpControl, o: DataOptions, r: DataResult): Promise<void> {
  // a control connection closed already (e.g. out of step) ends the session, as PASV on it would:
  // it has no local address left, which says nothing about active mode
  const setupStep = o.step ?? (o.mode === 'PORT' ? 'port' : 'eprt');
  control.ensureOpen(o.mode, setupStep);
  const local = control.localAddress ? plainAddress(control.localAddress) : null;
  if (!local) {
    r.failedStep = 'setup';
    r.error = 'cannot tell our own address for PORT/EPRT';
    return;
  }
  const listener = await listenForServer(control, o, local);
  r.connectAddress = local;
  r.port = listener.port;
  try {
    const arg = o.mode === 'PORT' ? portArgument(local, listener.port) : eprtArgument(local, listener.port);
    const asked = performance.now();
    const reply = await control.command(`${o.mode} ${arg}`, { step: setupStep });
    const setupReplyMs = performance.now() - asked;
    r.setupReply = brief(reply);
    if (listener.arrived) o.transcript.note(control.conn, `the server connected before replying to ${o.mode}`, o.step ?? 'transfer');
    if (reply.code !== 200) {
      r.failedStep = 'setup';
      r.error = `${o.mode} refused: ${reply.code} ${reply.text.slice(0, 120)}`;
      return;
    }
    const accepted = listener.next(o.timeoutMs);
    accepted.then((s) => (r.activeSourcePort = s.remotePort ?? null)).catch(() => {});
    await runCommandOverData(control, o, r, setupReplyMs, () => accepted);
  } finally {
    listener.close();
  }
}

/**
 * Listens for the server's active-mode data connection, accepting from the moment it listens:
 * some servers connect as soon as they read PORT/EPRT, before they reply. Only the target may
 * connect; anything else is refused and noted.
 */
async function listenForServer(control: FtpControl, o: DataOptions, local: string) {
  const server = net.createServer();
  server.on('error', () => {});
  let arrived: net.Socket | null = null;
  let waiting: ((s: net.Socket) => void) | null = null;
  server.on('connection', (s) => {
    keepErrorSink(s);
    if (plainAddress(s.remoteAddress ?? '') !== plainAddress(o.address) || arrived) {
      if (!arrived) o.transcript.note(control.conn, `refused a data connection from ${s.remoteAddress} (not the target)`);
      s.destroy();
      return;
    }
    arrived = s;
    o.dialer.track(s);
    waiting?.(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, local, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get arrived() {
      return arrived !== null;
    },
    /** the server's connection: at once if it came already, else within `ms` */
    next(ms: number): Promise<net.Socket> {
      if (arrived) return Promise.resolve(arrived);
      return new Promise<net.Socket>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new ProbeError('filtered', `the server did not connect back to ${local}:${port} within ${ms} ms`)),
          ms,
        );
        waiting = (s) => {
          clearTimeout(timer);
          resolve(s);
        };
      });
    },
    close: () => server.close(),
  };
}

/**
 * How long the data ClientHello waits for the transfer command's 1xx before it goes out anyway:
 * a few of the round trips the set-up command (PASV, PORT…) took, never less than the floor.
 */
export function startReplyPatienceMs(setupReplyMs: number): number {
  return Math.max(START_REPLY_FLOOR_MS, Math.round(4 * setupReplyMs));
}

/**
 * Sends the transfer command and brings the data connection up; on a protected data channel
 * our ClientHello waits for the command's 1xx. pyftpdlib up to 1.5.7 (Debian 12's) resets a data
 * handshake that reaches it before it has read the command, and then never ends the transfer:
 * sent together, the two race, and on a WAN (or behind a relay) the hello often wins — the same
 * server passed on loopback and failed PROT P from afar. Every lab server answers 1xx before the
 * data handshake; one that answers only after it gets the hello after `startReplyPatienceMs`.
 */
async function runCommandOverData(
  control: FtpControl,
  o: DataOptions,
  r: DataResult,
  setupReplyMs: number,
  getSocket: () => Promise<net.Socket>,
): Promise<void> {
  const step = o.step ?? 'transfer';
  control.send(o.command, step);
  const sentAt = performance.now();
  const active = o.mode === 'PORT' || o.mode === 'EPRT';
  // Active mode: the server answers only after its own connect back succeeds or gives up (vsftpd:
  // connect_timeout, 60 s by default), so a dropped connect-back must not be mistaken for a dead
  // control channel. Record it when our listener's wait ends, then give the server time to answer.
  const startP = control.readReply(active ? o.timeoutMs * ACTIVE_REPLY_PATIENCE : undefined, undefined, step);
  startP.catch(() => {});
  const dataReady = (async () => {
    const sock = await getSocket();
    if (!o.tls) return sock as net.Socket | tls.TLSSocket;
    const patience = startReplyPatienceMs(setupReplyMs);
    const answered = await firstReplyWithin(startP, patience - (performance.now() - sentAt));
    // refused: no handshake (the caller closes the socket)
    if (answered && answered.code >= 400) return sock;
    if (!answered)
      o.transcript.note(control.conn, `no reply to ${verbOf(o.command)} within ${patience} ms: data TLS started without it`, step);
    return dataTls(control, sock, o, r);
  })();
  dataReady.catch(() => {});
  if (active && (await activeConnectBackFailed(control, o, r, startP, dataReady, step))) return;
  const startReply = await startP;
  r.startReply = brief(startReply);
  if (startReply.code >= 400) {
    // The server refused the transfer (425/426/450/522/534/550…): record why, close our side.
    r.failedStep = 'transfer';
    r.error = `${startReply.code} ${startReply.text.slice(0, 160)}`;
    dataReady.then(
      (s) => s.destroy(),
      () => undefined,
    );
    return;
  }
  let sock: net.Socket | tls.TLSSocket;
  try {
    sock = await dataReady;
  } catch (err) {
    const e = asProbeError(err);
    r.failedStep = e.outcome === 'tls-handshake-failed' ? 'tls' : 'connect';
    r.error = r.notTls ? `the data connection was not TLS (server sent ${JSON.stringify(r.notTlsSample)})` : e.message;
    // The server will now report the failed transfer; read it so the session stays in step.
    try {
      r.endReply = brief(await control.readReply(undefined, undefined, step));
    } catch (err2) {
      outOfStep(control, o, r, err2);
    }
    return;
  }
  await transferOverData(control, o, r, sock, step);
}

/** The reply, or null when `ms` passed first or the control connection failed (its reader says why). */
async function firstReplyWithin(reply: Promise<FtpReply>, ms: number): Promise<FtpReply | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), Math.max(0, ms))));
  try {
    return await Promise.race([reply.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The command's verb, for notes (a file name stays out of them). */
const verbOf = (command: string): string => command.split(' ')[0]!;

/**
 * Active mode: the server answers only after its own connect back succeeds or gives up. When our
 * listener saw no connection (filtered), records it, waits for the server's reply and reads the
 * final one to stay in step; true when the transfer is over.
 */
async function activeConnectBackFailed(
  control: FtpControl,
  o: DataOptions,
  r: DataResult,
  startP: Promise<FtpReply>,
  dataReady: Promise<net.Socket | tls.TLSSocket>,
  step: Step,
): Promise<boolean> {
  const first = await Promise.race([
    startP.then(
      () => 'reply',
      () => 'reply',
    ),
    dataReady.then(
      () => 'data',
      () => 'no-data',
    ),
  ]);
  const e = first === 'no-data' ? asProbeError(await dataReady.catch((err: unknown) => err)) : null;
  if (e && e.outcome === 'filtered') {
    r.failedStep = 'connect';
    r.error = e.message;
    o.transcript.note(control.conn, `${e.message}; waiting for the server's reply`);
    const late = await startP.catch(() => null);
    r.startReply = brief(late);
    if (!late) {
      r.error += `; the server did not answer within ${o.timeoutMs * ACTIVE_REPLY_PATIENCE} ms either (control connection closed: it is out of step)`;
      control.close();
      return true;
    }
    // 1xx: it got through after all (too late for us); read the final reply to stay in step.
    r.endReply = late.code < 200 ? brief(await control.readReply(undefined, undefined, step).catch(() => null)) : brief(late);
    return true;
  }
  return false;
}

/** The data flowing, with the control channel read at the same time; then the final reply. */
async function transferOverData(
  control: FtpControl,
  o: DataOptions,
  r: DataResult,
  sock: net.Socket | tls.TLSSocket,
  step: Step,
): Promise<void> {
  if (r.tls)
    o.transcript.note(
      control.conn,
      `data TLS ${r.tls.protocol} ${r.tls.cipher ?? ''} ${r.tls.resumed ? 'resumed the control session' : 'new session (not resumed)'}`,
    );
  // Read the control channel while the data flows: a server that refuses the data connection
  // after the handshake (vsftpd's 522 without session reuse) says so there, and may wait for us
  // to close first; a server may also send 226 before the data reaches its end.
  const budget = o.timeoutMs * 4;
  // The final reply may come only after the data connection ends, or after we cut it off at
  // the budget: wait one more timeout for it than the data may take.
  const endReplyP = control.readReply(budget + o.timeoutMs, undefined, step);
  endReplyP.catch(() => undefined);
  // Keep what RETR downloads (write test) and what a listing says (to count its entries).
  const pumpP = pump(sock, o.upload, o.stallMs ?? o.timeoutMs, /^(RETR|LIST|MLSD|NLST)\b/.test(o.command), budget);
  pumpP.catch(() => undefined);
  const first = await Promise.race([
    pumpP.then(
      () => 'data' as const,
      () => 'data' as const,
    ),
    endReplyP.then(
      () => 'reply' as const,
      () => 'reply' as const,
    ),
  ]);
  if (first === 'reply') {
    const early = await endReplyP.catch(() => null);
    if (early && early.code >= 400) {
      sock.destroy();
      r.endReply = brief(early);
      r.failedStep = 'transfer';
      r.error = `${early.code} ${early.text.slice(0, 160)}`;
      o.transcript.note(control.conn, 'server refused the transfer while the data connection was open; closed it');
      return;
    }
  }
  try {
    const p = await pumpP;
    r.bytes = p.bytes;
    r.sha256 = p.sha256;
    if (p.data) r.data = p.data;
    o.transcript.note(control.conn, `data connection ${o.upload ? 'sent' : 'received'} ${p.bytes} bytes`);
  } catch (err) {
    // Too much data, a stall, a transfer that never ends, a reset: the data channel failed, and
    // that (with its cause) is the result, whatever the control connection does next.
    r.failedStep = 'transfer';
    r.error = asProbeError(err).message;
    o.transcript.note(control.conn, `data connection failed: ${r.error}`);
    sock.destroy();
  }
  await finishTransfer(control, o, r, sock, endReplyP);
}

/**
 * No final reply to a transfer in time: a late one would answer our next command (a 226 read as
 * the reply to PORT), so the session is out of step and closed; what uses it next fails for that
 * stated reason instead of reading another command's reply. The transfer's result stands, with
 * what happened after it.
 */
function outOfStep(control: FtpControl, o: DataOptions, r: DataResult, err: unknown): void {
  const why = `no final reply on the control connection (${asProbeError(err).message}); it was closed (out of step)`;
  if (r.failedStep) r.error = `${r.error}; ${why}`;
  else {
    r.failedStep = 'reply';
    r.error = why;
  }
  o.transcript.note(control.conn, why);
  // QUIT all the same: pyftpdlib spins on a control connection closed under a pending transfer
  if (control.writable) control.send('QUIT', 'quit');
  control.close('closed by xferscan: the server did not answer the end of a transfer');
}

/**
 * After the data: closes the data connection and reads the transfer's final reply. A reply that
 * never comes leaves the session out of step: the control connection is closed and the result
 * says so. Throws only when the control connection broke during a transfer that went well.
 */
async function finishTransfer(
  control: FtpControl,
  o: DataOptions,
  r: DataResult,
  sock: net.Socket | tls.TLSSocket,
  endReplyP: Promise<FtpReply>,
): Promise<void> {
  // Close our side cleanly (close_notify, then FIN), and make sure it is gone afterwards.
  sock.end();
  let endReply: FtpReply;
  try {
    endReply = await endReplyP;
  } catch (err) {
    sock.destroy();
    const e = asProbeError(err);
    // The control connection broke during a transfer that went well: that is the control's
    // failure, for the caller (e.g. the write test) to handle.
    if (!r.failedStep && e.outcome !== 'timeout') throw e;
    outOfStep(control, o, r, err);
    return;
  }
  r.closeNotify = tails.get(r)?.() ?? null;
  sock.destroy();
  r.endReply = brief(endReply);
  if (endReply.code < 400) return;
  const said = `${endReply.code} ${endReply.text.slice(0, 160)}`;
  if (!r.failedStep) {
    r.failedStep = 'reply';
    r.error = said;
  } else if (r.failedStep === 'transfer') {
    // A server that refuses a data connection says why and drops it (a 522 for a session not
    // resumed): its reply and the reset arrive together, on two connections, in either order.
    // Its reason comes first either way, so the same transfer reads the same on every run.
    r.error = `${said} (the data connection: ${r.error})`;
  }
}
