// One raw SSH connection up to (and optionally a little past) the server's KEXINIT: identification
// exchange, the server's KEXINIT, and on request enough of a key exchange to receive the server's
// host key (K_S) and/or a group-exchange modulus. Nothing is ever encrypted or authenticated; the
// connection is dropped once the facts are in.
import { createECDH, generateKeyPairSync, getDiffieHellman, randomBytes } from 'node:crypto';
import type { Dialer } from '../net/dialer.js';
import type net from 'node:net';
import type { Transcript } from '../net/transcript.js';
import { RawConn, connectTcp, type ConnErrorKind } from './conn.js';
import { clientIdentification, readIdentification, type Identification } from './ident.js';
import { WIDE_OFFER, buildKexinit, parseKexinit, summarizeKexinit, type KexInit } from './kexinit.js';
import { MSG, Reader, bigIntToMpint, bytesToMpint, encString, encUint32, framePacket, mpintBits, mpintToBigInt } from './wire.js';

export type SshTarget = { socket: net.Socket; preread?: Buffer } | { host: string; port: number; dialer: Dialer };

export interface SessionOptions {
  timeoutMs: number;
  transcript?: Transcript;
  /** transcript purpose, e.g. "ssh-kex" → "ssh-kex#3" */
  purpose?: string;
  /** how long to wait for the server's KEXINIT before sending a wide one first (default 2000 ms) */
  serverFirstMs?: number;
}

export interface Session {
  conn: RawConn;
  connId: string | null;
  ident: Identification;
  kexinit: KexInit;
  /** we had to send our (wide) KEXINIT before the server sent its own */
  sentKexinit: boolean;
  deadline: number;
  transcript?: Transcript;
  /** request → reply times on this connection (ms): our identification → the server's KEXINIT, GEX request → group, … */
  rttSamples: number[];
  /** when the last request was written (read before the write, see `request`) */
  requestedAt: number;
}

export type SessionStage = 'connect' | 'identification' | 'kexinit';

export type SessionResult =
  | { ok: true; session: Session }
  | {
      ok: false;
      stage: SessionStage;
      kind: ConnErrorKind;
      error: string;
      ident?: Identification;
      connId: string | null;
      bytesReceived: number;
    };

function note(s: { transcript?: Transcript; connId: string | null }, dir: 'client' | 'server' | 'note', text: string): void {
  if (s.transcript && s.connId) s.transcript.add(s.connId, dir, text);
}

type Msg = { ok: true; payload: Buffer } | { ok: false; kind: ConnErrorKind; error: string };

/** Reads the next message that is not IGNORE/DEBUG/UNIMPLEMENTED; DISCONNECT becomes an error. */
async function nextMessage(conn: RawConn, deadline: number): Promise<Msg> {
  for (let i = 0; i < 64; i++) {
    const p = await conn.readPacket(deadline);
    if (!p.ok) return { ok: false, kind: p.kind, error: p.message };
    const type = p.value[0];
    if (type === MSG.IGNORE || type === MSG.DEBUG || type === MSG.UNIMPLEMENTED) continue;
    if (type === MSG.DISCONNECT) {
      const r = new Reader(p.value.subarray(1));
      const code = r.uint32();
      const desc = r.string(1024)?.toString('utf8') ?? '';
      return { ok: false, kind: 'closed', error: `server sent DISCONNECT ${code ?? '?'}: ${desc.replace(/[^\x20-\x7e]/g, '?')}` };
    }
    return { ok: true, payload: p.value };
  }
  return { ok: false, kind: 'protocol-error', error: 'too many IGNORE/DEBUG messages' };
}

/** Opens a raw session: identification exchange and the server's KEXINIT. Never throws. */
export async function openSession(target: SshTarget, opts: SessionOptions): Promise<SessionResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const t = opts.transcript;
  const connId = t ? t.conn(opts.purpose ?? 'ssh-kex') : null;
  const ctx = { transcript: t, connId };
  let socket: net.Socket;
  if ('socket' in target) {
    socket = target.socket;
  } else {
    const c = await connectTcp(target.dialer, target.port, opts.timeoutMs);
    if (!c.ok) {
      note(ctx, 'note', `connect to ${target.host}:${target.port} failed: ${c.message}`);
      return { ok: false, stage: 'connect', kind: c.kind, error: c.message, connId, bytesReceived: 0 };
    }
    socket = c.socket;
  }
  const conn = new RawConn(socket, 'socket' in target ? target.preread : undefined);
  socket.resume();
  const fail = (stage: SessionStage, kind: ConnErrorKind, error: string, ident?: Identification): SessionResult => {
    note(ctx, 'note', `${stage}: ${error}`);
    conn.close();
    return { ok: false, stage, kind, error, ident, connId, bytesReceived: conn.received };
  };

  // Both sides may send their identification at once (RFC 4253 §4.2); OpenSSH sends its KEXINIT
  // only after it has ours, so ours goes out with the connection: one round trip less.
  const ours = clientIdentification();
  // the clock is read before the write: a pause of this process between the two (a loaded
  // machine) can then only lengthen a round-trip sample, never shorten it below the path's
  const identSentAt = performance.now();
  conn.write(`${ours}\r\n`);
  const id = await readIdentification(conn, deadline);
  if (!id.ok) return fail('identification', id.kind, id.message);
  const ident = id.value;
  // the server's line was already there (detection read it): our line → its KEXINIT is a clean round trip
  const identWasWaiting = 'socket' in target && (target.preread?.length ?? 0) > 0;
  for (const l of ident.preBanner) note(ctx, 'server', l);
  note(ctx, 'server', ident.raw);
  note(ctx, 'client', ours);
  if (!ident.protoVersion.startsWith('2.') && ident.protoVersion !== '1.99') {
    // SSH-1 only: there is no KEXINIT to read.
    return fail('kexinit', 'protocol-error', `server speaks SSH protocol ${ident.protoVersion} only`, ident);
  }

  let sentKexinit = false;
  const firstDeadline = Math.min(deadline, Date.now() + (opts.serverFirstMs ?? 2000));
  let m = await nextMessage(conn, firstDeadline);
  if (!m.ok && m.kind === 'timeout' && Date.now() < deadline) {
    // Some servers wait for the client's KEXINIT: offer everything so that they answer.
    conn.write(framePacket(buildKexinit(WIDE_OFFER)));
    sentKexinit = true;
    note(ctx, 'client', 'KEXINIT (wide offer, server had not sent its own)');
    m = await nextMessage(conn, deadline);
  }
  if (!m.ok) return fail('kexinit', m.kind, m.error, ident);
  const rttSamples = identWasWaiting && !sentKexinit ? [performance.now() - identSentAt] : [];
  const k = parseKexinit(m.payload);
  if (!k.ok) return fail('kexinit', 'protocol-error', k.error, ident);
  for (const line of summarizeKexinit(k.kexinit)) note(ctx, 'server', line);
  for (const w of k.kexinit.warnings) note(ctx, 'note', `KEXINIT: ${w}`);
  return {
    ok: true,
    session: { conn, connId, ident, kexinit: k.kexinit, sentKexinit, deadline, transcript: t, rttSamples, requestedAt: identSentAt },
  };
}

export type KexinitReadResult =
  | { ok: true; ident: Identification; kexinit: KexInit; connId: string | null }
  | { ok: false; stage: SessionStage; kind: ConnErrorKind; error: string; ident?: Identification; connId: string | null };

/**
 * The inventory read: identification + the server's KEXINIT, then the connection is closed.
 * `target` is an already-connected socket (it is consumed and destroyed) or host/port.
 */
export async function readServerKexinit(target: SshTarget, opts: SessionOptions): Promise<KexinitReadResult> {
  const s = await openSession(target, opts);
  if (!s.ok) return { ok: false, stage: s.stage, kind: s.kind, error: s.error, ident: s.ident, connId: s.connId };
  s.session.conn.close();
  return { ok: true, ident: s.session.ident, kexinit: s.session.kexinit, connId: s.session.connId };
}

// ---------------------------------------------------------------------------------------------
// Just enough key exchange to see K_S (the host key) and group-exchange groups.

/** Key exchanges we can run far enough to receive the server's reply, in preference order. */
const DOABLE_KEX = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group14-sha1',
  'diffie-hellman-group15-sha512',
  'diffie-hellman-group17-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group1-sha1',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group-exchange-sha1',
];

const ECDH_CURVES: Record<string, string> = {
  'ecdh-sha2-nistp256': 'prime256v1',
  'ecdh-sha2-nistp384': 'secp384r1',
  'ecdh-sha2-nistp521': 'secp521r1',
};
const MODP_GROUPS: Record<string, string> = {
  'diffie-hellman-group1-sha1': 'modp2',
  'diffie-hellman-group14-sha1': 'modp14',
  'diffie-hellman-group14-sha256': 'modp14',
  'diffie-hellman-group15-sha512': 'modp15',
  'diffie-hellman-group16-sha512': 'modp16',
  'diffie-hellman-group17-sha512': 'modp17',
  'diffie-hellman-group18-sha512': 'modp18',
};

export function isGexKex(name: string): boolean {
  return name.startsWith('diffie-hellman-group-exchange-');
}

/** The first key exchange of ours the server offers, or null. */
export function chooseDoableKex(serverKex: readonly string[], gex = false): string | null {
  for (const k of DOABLE_KEX) {
    if (gex !== isGexKex(k)) continue;
    if (serverKex.includes(k)) return k;
  }
  return null;
}

export interface GexRequest {
  min: number;
  n: number;
  max: number;
}

export interface GexGroup extends GexRequest {
  kex: string;
  pBits: number;
  generator: string;
}

export interface KexContinueResult {
  kex: string | null;
  hostKeyAlgorithm: string | null;
  hostKeyBlob: Buffer | null;
  gexGroup: GexGroup | null;
  error: string | null;
  errorKind: ConnErrorKind | null;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/** Our KEXINIT, limited to one key exchange and the host-key algorithm(s) we want. */
function sendLimitedKexinit(s: Session, kex: string, hostKeyAlgorithm: string | null): void {
  const k = s.kexinit;
  const hk = hostKeyAlgorithm ? [hostKeyAlgorithm] : k.hostKeyAlgorithms;
  s.conn.write(
    framePacket(
      buildKexinit({
        kex: [kex],
        hostKey: hk,
        ciphersCtoS: k.ciphersCtoS,
        ciphersStoC: k.ciphersStoC,
        macsCtoS: k.macsCtoS,
        macsStoC: k.macsStoC,
        compressionCtoS: k.compressionCtoS,
        compressionStoC: k.compressionStoC,
      }),
    ),
  );
  note(s, 'client', `KEXINIT kex=${kex} hostkey=${hk.join(',')}`);
}

/** Writes a request the next `reply` is timed from (the clock read first, as for our identification). */
function request(s: Session, packet: Buffer): void {
  s.requestedAt = performance.now();
  s.conn.write(packet);
}

/** The next message, timed as a round trip from the last `request`. */
async function reply(s: Session): Promise<Msg> {
  const m = await nextMessage(s.conn, s.deadline);
  if (m.ok) s.rttSamples.push(performance.now() - s.requestedAt);
  return m;
}

type Step = { ok: true } | { ok: false; error: string; kind?: ConnErrorKind };

/**
 * KEX_DH_GEX_REQUEST → KEX_DH_GEX_GROUP (recorded in `out`); with `goOn`, KEX_DH_GEX_INIT so that
 * the reply brings the host key.
 */
async function groupExchange(s: Session, g: GexRequest, kex: string, goOn: boolean, out: KexContinueResult): Promise<Step | 'stop'> {
  request(s, framePacket(Buffer.concat([Buffer.from([MSG.KEX_DH_GEX_REQUEST]), encUint32(g.min), encUint32(g.n), encUint32(g.max)])));
  note(s, 'client', `KEX_DH_GEX_REQUEST min=${g.min} n=${g.n} max=${g.max}`);
  const m = await reply(s);
  if (!m.ok) return { ok: false, error: `no KEX_DH_GEX_GROUP: ${m.error}`, kind: m.kind };
  if (m.payload[0] !== MSG.KEX_DH_GEX_GROUP) return { ok: false, error: `expected KEX_DH_GEX_GROUP (31), got message ${m.payload[0]}` };
  const r = new Reader(m.payload.subarray(1));
  const p = r.mpint();
  const gen = r.mpint();
  if (!p || !gen) return { ok: false, error: 'malformed KEX_DH_GEX_GROUP' };
  const pBits = mpintBits(p);
  const genBig = mpintToBigInt(gen);
  out.gexGroup = { ...g, kex, pBits, generator: genBig.toString() };
  note(s, 'server', `KEX_DH_GEX_GROUP p=${pBits} bits g=${genBig.toString()}`);
  if (!goOn) return 'stop';
  if (mpintToBigInt(p) < 7n) return { ok: false, error: 'group modulus too small to continue' };
  request(s, framePacket(Buffer.concat([Buffer.from([MSG.KEX_DH_GEX_INIT]), encString(gexPublicValue(p, gen))])));
  return { ok: true };
}

/**
 * Our public value for a key exchange we never finish: it only has to be valid for the server to
 * answer with its host key, and no secret is ever derived from it. So one per kind is made per
 * process and reused (a fleet scan would otherwise spend seconds of CPU making fresh ones).
 */
const publicValues = new Map<string, Buffer>();
function publicValueFor(kex: string): Buffer | null {
  const kind = kex.startsWith('curve25519-') ? 'x25519' : (ECDH_CURVES[kex] ?? MODP_GROUPS[kex] ?? null);
  if (!kind) return null;
  let pub = publicValues.get(kind);
  if (!pub) {
    if (kind === 'x25519') pub = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    else if (ECDH_CURVES[kex]) pub = createECDH(kind).generateKeys();
    else pub = bytesToMpint(getDiffieHellman(kind).generateKeys());
    publicValues.set(kind, pub);
  }
  return pub;
}

/** The same for a group-exchange group: g^x mod p, per group (servers hand out a few groups). */
const gexPublic = new Map<string, Buffer>();
function gexPublicValue(p: Buffer, gen: Buffer): Buffer {
  const key = `${p.toString('hex')}/${gen.toString('hex')}`;
  let e = gexPublic.get(key);
  if (!e) {
    const x = mpintToBigInt(randomBytes(32)) | 2n;
    e = bigIntToMpint(modPow(mpintToBigInt(gen), x, mpintToBigInt(p)));
    if (gexPublic.size >= 32) gexPublic.clear();
    gexPublic.set(key, e);
  }
  return e;
}

/** KEXDH_INIT (or KEX_ECDH_INIT) with a public value of the chosen exchange. */
function sendKexInit(s: Session, kex: string): Step {
  const pub = publicValueFor(kex);
  if (!pub) return { ok: false, error: `internal: no handler for ${kex}` };
  request(s, framePacket(Buffer.concat([Buffer.from([MSG.KEXDH_INIT]), encString(pub)])));
  return { ok: true };
}

/**
 * Continues an open session: sends a KEXINIT limited to one key exchange (a group exchange
 * when `gex` is given) and one host-key algorithm, then runs the exchange until the server's
 * reply carries K_S. Closes the connection. Never throws.
 */
export async function continueKex(
  s: Session,
  want: { hostKeyAlgorithm?: string | null; gex?: GexRequest | null },
): Promise<KexContinueResult> {
  const out: KexContinueResult = {
    kex: null,
    hostKeyAlgorithm: want.hostKeyAlgorithm ?? null,
    hostKeyBlob: null,
    gexGroup: null,
    error: null,
    errorKind: null,
  };
  const done = (error?: string, kind: ConnErrorKind = 'protocol-error'): KexContinueResult => {
    s.conn.close();
    if (error) {
      out.error = error;
      out.errorKind = kind;
      note(s, 'note', error);
    }
    return out;
  };
  try {
    if (s.sentKexinit) return done('the server waited for our KEXINIT; no key exchange on this connection');
    const kex = chooseDoableKex(s.kexinit.kex, !!want.gex);
    if (!kex)
      return done(
        want.gex
          ? 'server offers no group exchange'
          : `no key exchange in common that xferscan can run (server: ${s.kexinit.kex.join(',')})`,
      );
    out.kex = kex;
    sendLimitedKexinit(s, kex, want.hostKeyAlgorithm ?? null);
    const step = want.gex ? await groupExchange(s, want.gex, kex, !!want.hostKeyAlgorithm, out) : sendKexInit(s, kex);
    if (step === 'stop') return done();
    if (!step.ok) return done(step.error, step.kind);
    const replyType: number = want.gex ? MSG.KEX_DH_GEX_REPLY : MSG.KEXDH_REPLY;
    const m = await reply(s);
    if (!m.ok) return done(`no key-exchange reply: ${m.error}`, m.kind);
    if (m.payload[0] !== replyType) return done(`expected key-exchange reply (${replyType}), got message ${m.payload[0]}`);
    const ks = new Reader(m.payload.subarray(1)).string();
    if (!ks) return done('malformed key-exchange reply (K_S)');
    out.hostKeyBlob = Buffer.from(ks);
    note(s, 'server', `KEX reply: host key blob ${ks.length} bytes`);
    return done();
  } catch (err) {
    return done(`internal error: ${(err as Error).message}`);
  }
}
