// ROBOT: Bleichenbacher's RSA PKCS#1 v1.5 padding oracle, tested as the ROBOT paper (Böck,
// Somorovsky, Young, 2018) describes. For an RSA key-exchange handshake we send a
// ClientKeyExchange whose encrypted premaster secret is, in turn: correctly padded; padded with
// wrong first bytes (0x41 0x17 instead of 0x00 0x02); with the 0x00 separator in the wrong
// place; with no 0x00 separator; correctly padded with a wrong TLS version inside. Each variant
// gets its own connection, followed by ChangeCipherSpec and a (garbage) Finished — the standard
// flow. A server without an oracle reacts to all five the same way (it cannot tell them apart
// before the Finished fails). When all five agree, the five are repeated with the ClientKeyExchange
// alone (the shortened flow), where some servers leak the difference as alert-vs-silence; there a
// silent server is waited for ten times as long as it took to judge a key exchange in the standard
// flow (at least 100 ms), not a fixed second. Any difference is re-checked with the same flow: the
// same difference twice is an oracle, a different one is noise (inconclusive). A server that asked
// for a client certificate gets an empty Certificate message (or ours) before the key exchange.
//
// Connections: 1 when the server accepts no RSA key exchange (not applicable), 10 when there is
// no oracle (5 standard + 5 shortened; +1 when a server that asked for a client certificate
// answers everything with the same alert), 10 or 15 when an oracle is found and confirmed.
import crypto, { X509Certificate } from 'node:crypto';
import type { OpenTransport } from '../prober.js';
import {
  describeEvent,
  dialerOf,
  handshakeMessage,
  helloSuites,
  legacyHello,
  reactionWindow,
  record,
  versionName,
  withFlight,
  type ActiveOptions,
  type Dialer,
} from './conn.js';
import { suiteName } from '../../knowledge/tls-registry.js';
import type { VulnResultBase } from './types.js';

export const ROBOT_VARIANTS = [
  'correct-padding',
  'wrong-first-bytes',
  'zero-wrong-position',
  'no-zero-separator',
  'wrong-version',
] as const;
export type RobotVariant = (typeof ROBOT_VARIANTS)[number];
export type RobotFlow = 'standard' | 'shortened';

export interface RobotReaction {
  flow: RobotFlow;
  round: number;
  variant: RobotVariant;
  reaction: string;
}

export interface RobotResult extends VulnResultBase {
  id: 'robot';
  reactions: RobotReaction[];
  /** strong: the oracle tells malformed paddings apart; weak: only a correct padding stands out */
  oracle: 'strong' | 'weak' | null;
  flow: RobotFlow | null;
  suite: string | null;
  version: string | null;
  keyBits: number | null;
}

/** The premaster-secret plaintext of a variant, `k` bytes (k = modulus bytes), for `clientVersion`. */
export function robotPlaintext(
  variant: RobotVariant,
  k: number,
  clientVersion: number,
  rand: () => Buffer = () => crypto.randomBytes(46),
): Buffer {
  const padLen = k - 3 - 48;
  if (padLen < 8) throw new Error(`RSA modulus of ${k} bytes is too small for PKCS#1 v1.5 with a 48-byte premaster`);
  const pad = nonZero(crypto.randomBytes(padLen));
  // no 0x00 in the secret either: a stray zero would move the separator of the malformed variants
  const secret = nonZero(rand());
  const v = Buffer.from([clientVersion >> 8, clientVersion & 0xff]);
  const m = (() => {
    switch (variant) {
      case 'correct-padding':
        return Buffer.concat([Buffer.from([0, 2]), pad, Buffer.from([0]), v, secret]);
      case 'wrong-first-bytes':
        return Buffer.concat([Buffer.from([0x41, 0x17]), pad, Buffer.from([0]), v, secret]);
      case 'zero-wrong-position':
        return Buffer.concat([Buffer.from([0, 2]), pad, Buffer.from([0x11]), secret, Buffer.from([0, 0x11])]);
      case 'no-zero-separator':
        return Buffer.concat([Buffer.from([0, 2]), pad, Buffer.from([0x11, 0x11, 0x11]), secret]);
      case 'wrong-version':
        return Buffer.concat([Buffer.from([0, 2]), pad, Buffer.from([0, 2, 2]), secret]);
    }
  })();
  if (m.length !== k) throw new Error(`internal: ${variant} plaintext is ${m.length} bytes, not ${k}`);
  return m;
}

function nonZero(b: Buffer): Buffer {
  for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 0x5a;
  return b;
}

type Once =
  | {
      kind: 'reaction';
      reaction: string;
      /** from our last write to the server's reaction; null when it did not react */
      reactMs: number | null;
      flightMs: number;
      suite: number;
      version: number;
      keyBits: number;
      certificateRequested: boolean;
    }
  | { kind: 'not-applicable'; why: string }
  | { kind: 'failed'; why: string };

/** A garbage "encrypted Finished": 64 bytes fit a CBC (4 blocks) and a GCM record (8 + 40 + 16). */
const FAKE_FINISHED = Buffer.alloc(64, 0x5a);

/** A TLS ≤ 1.2 Certificate handshake message carrying `chain` (DER, leaf first; empty allowed). */
function certificateMessage(chain: Buffer[]): Buffer {
  const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  const list = Buffer.concat(chain.map((c) => Buffer.concat([u24(c.length), c])));
  return handshakeMessage(11, Buffer.concat([u24(list.length), list]));
}

interface OnceOptions {
  serverName?: string;
  timeoutMs: number;
  version: number;
  /** how long to wait for a reaction; null: a window scaled to the flight time */
  waitMs: number | null;
  clientChain?: Buffer[];
}

async function oracleOnce(dialer: Dialer, variant: RobotVariant | 'certificate-only', flow: RobotFlow, o: OnceOptions): Promise<Once> {
  const rsaSuites = helloSuites(o.version, (s) => s.kex === 'RSA' && !s.export);
  const hello = legacyHello(o.version, o.serverName, { suites: rsaSuites });
  const r = await withFlight(
    dialer,
    'robot',
    hello,
    o.timeoutMs,
    async (conn, fr): Promise<Once> => {
      const f = fr.flight;
      const sh = f.serverHello;
      if (!sh && f.alert && /handshake_failure|insufficient_security|illegal_parameter/.test(f.alert.name))
        return {
          kind: 'not-applicable',
          why: `no RSA key exchange suite accepted (${f.alert.name} to a hello offering only RSA key exchange)`,
        };
      if (sh && sh.version >= 0x0304) return { kind: 'not-applicable', why: 'the server answered with TLS 1.3 (no RSA key exchange)' };
      if (!sh && f.alert?.name === 'protocol_version') return { kind: 'not-applicable', why: 'the server refuses TLS ≤ 1.2' };
      if (!sh || !f.serverHelloDone || !f.certificates?.length)
        return { kind: 'failed', why: `first flight incomplete: ${f.error ?? f.kind}${f.alert ? ` (${f.alert.name})` : ''}` };
      let key: crypto.KeyObject;
      try {
        key = new X509Certificate(f.certificates[0]!).publicKey;
      } catch (err) {
        return { kind: 'failed', why: `leaf certificate unreadable: ${(err as Error).message}` };
      }
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (key.asymmetricKeyType !== 'rsa' || !bits)
        return { kind: 'not-applicable', why: `the certificate key is ${key.asymmetricKeyType}, not RSA` };
      const k = Math.ceil(bits / 8);
      let enc: Buffer;
      try {
        const plain = robotPlaintext(variant === 'certificate-only' ? 'correct-padding' : variant, k, o.version);
        enc = crypto.publicEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, plain);
      } catch (err) {
        return { kind: 'failed', why: `could not build the ${variant} ClientKeyExchange: ${(err as Error).message}` };
      }
      const v = sh.version;
      // a server that asked for a client certificate expects a Certificate message first (empty
      // unless we hold one); without it the ClientKeyExchange is never even decrypted
      const certMsg = f.certificateRequest ? [certificateMessage(o.clientChain ?? [])] : [];
      const cke = handshakeMessage(16, Buffer.concat([Buffer.from([k >> 8, k & 0xff]), enc]));
      const out = [record(22, v, Buffer.concat([...certMsg, ...(variant === 'certificate-only' ? [] : [cke])]))];
      if (flow === 'standard' && variant !== 'certificate-only') out.push(record(20, v, Buffer.from([1])), record(22, v, FAKE_FINISHED));
      conn.write(Buffer.concat(out));
      const sent = performance.now();
      const e = await conn.next(o.waitMs ?? reactionWindow(fr.ms, o.timeoutMs));
      return {
        kind: 'reaction',
        reaction: describeEvent(e),
        reactMs: e.kind === 'timeout' ? null : performance.now() - sent,
        flightMs: fr.ms,
        suite: sh.cipherSuite,
        version: v,
        keyBits: bits,
        certificateRequested: !!f.certificateRequest,
      };
      // the shortened flow's wait is worked out from this flight's time: the hello goes after the 234
    },
    { pipelined: false },
  );
  return r.ok ? r.value : { kind: 'failed', why: r.error };
}

const VARIANT_LABEL: Record<RobotVariant, string> = {
  'correct-padding': 'correct padding',
  'wrong-first-bytes': 'wrong first bytes (0x41 0x17)',
  'zero-wrong-position': '0x00 in the wrong position',
  'no-zero-separator': 'no 0x00 separator',
  'wrong-version': 'wrong TLS version in the premaster',
};

function describeRound(flow: RobotFlow, round: number, reactions: string[]): string {
  const what = flow === 'standard' ? 'ClientKeyExchange + ChangeCipherSpec + Finished' : 'ClientKeyExchange alone (shortened flow)';
  return `round ${round}, ${what}: ${ROBOT_VARIANTS.map((v, i) => `${VARIANT_LABEL[v]} → ${reactions[i]}`).join('; ')}`;
}

export interface RobotOptions extends ActiveOptions {
  /** the inventory shows an RSA key-exchange suite: start all variants at once instead of probing first */
  rsaKnown?: boolean;
  /** our client certificate chain (DER), sent when the server asks for one (empty otherwise) */
  clientChain?: Buffer[];
  /** how long to wait for each reaction, in both flows (default: scaled to the server's own times) */
  reactionWaitMs?: number;
}

function describeHead(out: RobotResult, r: Extract<Once, { kind: 'reaction' }>): Extract<Once, { kind: 'reaction' }> {
  out.suite = suiteName(r.suite);
  out.version = versionName(r.version);
  out.keyBits = r.keyBits;
  const cert = r.certificateRequested ? ' (the server asked for a client certificate: an empty Certificate message goes first)' : '';
  out.evidence.push(`${out.version} ${out.suite}, RSA-${r.keyBits} key; each variant on its own connection${cert}`);
  return r;
}

const CERT_REFUSED =
  'the server refuses the handshake at our (empty) client certificate, before the key exchange: no padding was judged (give a client certificate)';

function emptyResult(): RobotResult {
  return {
    id: 'robot',
    status: 'inconclusive',
    evidence: [],
    intrusive: true,
    derived: false,
    connections: 0,
    ms: 0,
    reactions: [],
    oracle: null,
    flow: null,
    suite: null,
    version: null,
    keyBits: null,
  };
}

/**
 * How long to wait for each reaction in the shortened flow: twice the slowest reaction of the
 * standard flow plus ten times the server's own share of it (reaction minus the first flight's
 * round trip), at least four first flights and 100 ms; null when a reaction was never seen. Too
 * short a wait would make every variant time out alike — a false "no oracle" — hence the margin.
 */
export function shortenedWait(reactMs: (number | null)[], flightMs: number, timeoutMs: number): number | null {
  if (!reactMs.length || reactMs.some((x) => x === null)) return null;
  const slowest = Math.max(0, ...(reactMs as number[]));
  const serverShare = Math.max(0, slowest - flightMs);
  return Math.min(timeoutMs, Math.round(Math.max(100, 2 * slowest + 10 * serverShare, flightMs * 4)));
}

export async function testRobot(open: OpenTransport, o: RobotOptions = {}): Promise<RobotResult> {
  const t0 = performance.now();
  const dialer = dialerOf(open, o);
  const timeoutMs = o.timeoutMs ?? 8000;
  const version = o.version ?? 0x0303;
  const out = emptyResult();
  const done = (status: RobotResult['status'], ...evidence: string[]): RobotResult => {
    out.status = status;
    out.evidence.push(...evidence);
    out.connections = dialer.count('robot');
    out.ms = Math.round(performance.now() - t0);
    return out;
  };
  const fixedWait = o.reactionWaitMs ?? null;
  const opts: OnceOptions = { serverName: o.serverName, timeoutMs, version, waitMs: fixedWait, clientChain: o.clientChain };
  /** reaction times of the standard flow (calibrates the shortened flow's wait) */
  const reactMs: (number | null)[] = [];
  type Reaction = Extract<Once, { kind: 'reaction' }>;
  let head: Reaction | null = null;
  // rounds: a list of 5 promises; a failure or not-applicable anywhere ends the test
  const launch = (flow: RobotFlow, known?: Once) =>
    ROBOT_VARIANTS.map((v, i) => (i === 0 && known ? Promise.resolve(known) : oracleOnce(dialer, v, flow, opts)));
  const settle = async (flow: RobotFlow, n: number, ps: Promise<Once>[]): Promise<string[] | Exclude<Once, Reaction>> => {
    const rs = await Promise.all(ps);
    const bad = rs.find((x): x is Exclude<Once, Reaction> => x.kind !== 'reaction');
    if (bad) return bad;
    if (!head) head = describeHead(out, rs[0] as Reaction);
    const reactions = rs.map((x) => (x as Reaction).reaction);
    if (flow === 'standard' && n === 1) reactMs.push(...rs.map((x) => (x as Reaction).reactMs));
    ROBOT_VARIANTS.forEach((variant, i) => out.reactions.push({ flow, round: n, variant, reaction: reactions[i]! }));
    out.evidence.push(
      describeRound(flow, n, reactions) + (flow === 'shortened' && opts.waitMs ? ` (waited ${opts.waitMs} ms for each)` : ''),
    );
    return reactions;
  };
  const stop = (x: Exclude<Once, Reaction>) => done(x.kind === 'not-applicable' ? 'not-applicable' : 'inconclusive', x.why);

  let standard: Promise<Once>[];
  if (o.rsaKnown) standard = launch('standard');
  else {
    const first = await oracleOnce(dialer, 'correct-padding', 'standard', opts);
    if (first.kind !== 'reaction') return stop(first);
    standard = launch('standard', first);
  }
  let flow: RobotFlow = 'standard';
  let r1 = await settle('standard', 1, standard);
  if (!Array.isArray(r1)) return stop(r1);
  if (new Set(r1).size === 1) {
    flow = 'shortened';
    // Without CCS and Finished a server without an oracle just waits: wait as long as this server
    // took to judge a key exchange in the standard flow, with a wide margin, not a fixed second.
    // The margin multiplies the server's own time, not the round trip (which the first flight
    // measured): on a WAN, ten round trips per variant would be most of the battery's time.
    opts.waitMs = fixedWait ?? shortenedWait(reactMs, head!.flightMs, timeoutMs);
    const s1 = await settle('shortened', 1, launch('shortened'));
    if (!Array.isArray(s1)) return stop(s1);
    if (new Set(s1).size === 1) {
      // the same alert everywhere may be the refusal of our empty Certificate, before any RSA
      if (head!.certificateRequested && r1[0] === s1[0] && r1[0]!.startsWith('alert')) {
        const c = await oracleOnce(dialer, 'certificate-only', 'standard', opts);
        if (c.kind === 'reaction') out.evidence.push(`an empty Certificate alone → ${c.reaction}`);
        if (c.kind === 'reaction' && c.reaction === r1[0]) return done('inconclusive', CERT_REFUSED);
      }
      return done('not-vulnerable', 'all five paddings drew the same reaction in both flows: no padding oracle');
    }
    r1 = s1;
  }
  const r2 = await settle(flow, 2, launch(flow));
  if (!Array.isArray(r2)) return stop(r2);
  out.flow = flow;
  if (r2.some((x, i) => x !== r1[i]))
    return done('inconclusive', 'the reactions changed between two identical rounds: noisy server, no stable oracle');
  out.oracle = r1[1] === r1[2] && r1[2] === r1[3] ? 'weak' : 'strong';
  return done(
    'vulnerable',
    `the server reacts differently to different paddings, the same way twice: a ${out.oracle} Bleichenbacher oracle (${flow} flow)`,
  );
}
