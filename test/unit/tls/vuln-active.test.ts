// Every active vulnerability test against a scripted responder built here on the raw TLS record
// layer: one that has the flaw (the test must say vulnerable, with the evidence that decided it)
// and one that does not. The real servers of the lab are the other half (test/integration/tls-vuln.test.ts).
import crypto from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import {
  runVulnBattery,
  testCcsInjection,
  testClientRenegotiation,
  testDowngradeSentinel,
  testHeartbleed,
  testRobot,
  testSecureRenegotiation,
  testTicketbleed,
} from '../../../src/tls/vuln/index.js';
import { robotPlaintext, shortenedWait } from '../../../src/tls/vuln/robot.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12 } from '../../../src/tls/vuln/downgrade.js';
import {
  alertRecord,
  legacyFlight,
  record,
  serverHello,
  startResponder,
  tcpOpener,
  testRsaMaterial,
  type ClientHelloInfo,
  type RecordSource,
  type Responder,
} from '../../helpers/tls-responder.js';
import { startMiniTlsServer } from '../../helpers/mini-tls-server.js';
import { listenOnLoopback, testCertificate } from '../../helpers/fixtures.js';

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});
async function responder(h: (src: RecordSource, sock: net.Socket, n: number) => Promise<void> | void): Promise<Responder> {
  const r = await startResponder(h);
  running.push(r);
  return r;
}

const RSA_SUITE = 0x002f;
const ECDHE_SUITE = 0xc02f;
const opts = { timeoutMs: 3000, serverName: 'localhost' };

/** A plain TLS 1.2 server flight for whatever hello came; `then` scripts what follows. */
function flightThen(
  then: (src: RecordSource, sock: net.Socket, ch: ClientHelloInfo) => Promise<void> | void,
  ext: [number, Buffer][] = [[0xff01, Buffer.from([0])]],
) {
  return async (src: RecordSource, sock: net.Socket) => {
    const ch = await src.clientHello();
    if (!ch) return void sock.destroy();
    const suite = ch.suites.includes(ECDHE_SUITE) ? ECDHE_SUITE : ch.suites[0]!;
    sock.write(legacyFlight(ch, { suite, extensions: ext }));
    await then(src, sock, ch);
  };
}

const SECRET = Buffer.from('TOP-SECRET-SERVER-MEMORY-'.repeat(4));
/** A server with Heartbleed: it echoes the length the heartbeat claims, with its "memory" after our bytes. */
const heartbleeding = () =>
  responder(
    flightThen(
      async (src, sock) => {
        const rec = await src.next();
        if (rec?.type !== 24) return void sock.destroy();
        const claimed = rec.body.readUInt16BE(1);
        const echo = Buffer.concat([rec.body.subarray(3), SECRET]).subarray(0, claimed);
        sock.write(record(24, 0x0303, Buffer.concat([Buffer.from([2, claimed >> 8, claimed & 0xff]), echo, crypto.randomBytes(16)])));
      },
      [
        [0xff01, Buffer.from([0])],
        [15, Buffer.from([1])],
      ],
    ),
  );

describe('Heartbleed', () => {
  it('vulnerable: the responder echoes the claimed 64 bytes; the result keeps none of them', async () => {
    const r = await heartbleeding();
    const res = await testHeartbleed(r.open, opts);
    expect(res.status).toBe('vulnerable');
    expect(res.heartbeatExtension).toBe(true);
    expect(res.responseClaimed).toBe(64);
    expect(res.responseLength).toBe(3 + 64 + 16);
    expect(res.connections).toBe(1);
    expect(res.intrusive).toBe(true);
    expect(res.evidence.join(' ')).toMatch(/read 48 bytes past our message/);
    expect(JSON.stringify(res)).not.toMatch(/SECRET/);
  });

  it('not vulnerable: silent drop (RFC 6520) or an alert', async () => {
    const silent = await responder(flightThen(async (src) => void (await src.next())));
    const s = await testHeartbleed(silent.open, opts);
    expect(s.status).toBe('not-vulnerable');
    expect(s.evidence.join(' ')).toMatch(/no heartbeat response within/);
    const alerting = await responder(flightThen(async (src, sock) => void (await src.next(), sock.end(alertRecord(10)))));
    const a = await testHeartbleed(alerting.open, opts);
    expect(a.status).toBe('not-vulnerable');
    expect(a.evidence.join(' ')).toMatch(/unexpected_message/);
  });

  it('not applicable on a TLS 1.3-only server; inconclusive when the hello fails', async () => {
    const t13 = await responder(async (src, sock) => void (await src.clientHello(), sock.end(alertRecord(70))));
    expect((await testHeartbleed(t13.open, opts)).status).toBe('not-applicable');
    const broken = await responder(async (_src, sock) => void sock.end('220 not tls\r\n'));
    const b = await testHeartbleed(broken.open, opts);
    expect(b.status).toBe('inconclusive');
  });
});

describe('CCS injection', () => {
  it('vulnerable: the responder accepts the first early CCS and fails the second with bad_record_mac', async () => {
    const r = await responder(
      flightThen(async (src, sock) => {
        const a = await src.next();
        const b = await src.next();
        if (a?.type === 20 && b?.type === 20) sock.write(alertRecord(20));
      }),
    );
    const res = await testCcsInjection(r.open, opts);
    expect(res.status).toBe('vulnerable');
    expect(res.reaction).toBe('alert fatal bad_record_mac');
    expect(res.connections).toBe(1);
  });

  it('not vulnerable: unexpected_message at the first CCS', async () => {
    const r = await responder(flightThen(async (src, sock) => void (await src.next(), sock.end(alertRecord(10)))));
    const res = await testCcsInjection(r.open, opts);
    expect(res.status).toBe('not-vulnerable');
    expect(res.evidence.join(' ')).toMatch(/rejected the early CCS: alert fatal unexpected_message/);
  });
});

/** A ROBOT responder: decrypts the premaster with the real key and reacts by `react`. */
function robotResponder(react: (m: Buffer | null, flow: 'standard' | 'shortened', ch: ClientHelloInfo) => number | null | 'close') {
  const { key } = testRsaMaterial();
  return responder(async (src, sock) => {
    const ch = await src.clientHello();
    if (!ch) return void sock.destroy();
    if (!ch.suites.includes(RSA_SUITE)) return void sock.end(alertRecord(40));
    sock.write(legacyFlight(ch, { suite: RSA_SUITE }));
    const cke = await src.next();
    if (!cke || cke.type !== 22 || cke.body[0] !== 16) return void sock.destroy();
    const enc = cke.body.subarray(6);
    const m = crypto.privateDecrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, enc);
    // the standard flow writes CCS + Finished in the same write as the ClientKeyExchange, so they
    // have arrived with it; the shortened flow sends nothing more (no timer decides which)
    const out = react(m, src.hasMore() ? 'standard' : 'shortened', ch);
    if (out === 'close') return void sock.destroy();
    if (out !== null) sock.end(alertRecord(out));
  });
}

/** What a pre-ROBOT TLS stack did: a different alert per padding defect. */
function leakyAlert(m: Buffer | null, _flow: string, ch: ClientHelloInfo): number {
  if (!m || m[0] !== 0 || m[1] !== 2) return 51; // decrypt_error
  const sep = m.indexOf(0, 2);
  if (sep < 0) return 50; // decode_error
  if (m.length - sep - 1 !== 48) return 47; // illegal_parameter
  if (m.readUInt16BE(sep + 1) !== ch.version) return 70; // protocol_version
  return 20; // bad_record_mac at the (garbage) Finished
}

/**
 * ROBOT's verdicts rest on which reactions differ, and a silent server is only known by waiting: the
 * tests wait a fixed, generous time for each reaction (an alert comes at once, whatever the load),
 * with the five variants of a round side by side, and give the handshakes a wide timeout.
 */
const robotOpts = { timeoutMs: 15_000, serverName: 'localhost', reactionWaitMs: 2000, connections: 5 };
const ROBOT_TEST_MS = 60_000;

describe('ROBOT', { timeout: ROBOT_TEST_MS }, () => {
  it('the five premaster plaintexts have the shapes of the ROBOT paper', () => {
    const k = 256;
    const good = robotPlaintext('correct-padding', k, 0x0303);
    expect([good.length, good[0], good[1], good[k - 49], good.readUInt16BE(k - 48)]).toEqual([k, 0, 2, 0, 0x0303]);
    expect(good.subarray(2, k - 49).includes(0)).toBe(false);
    expect(robotPlaintext('wrong-first-bytes', k, 0x0303).subarray(0, 2)).toEqual(Buffer.from([0x41, 0x17]));
    const nozero = robotPlaintext('no-zero-separator', k, 0x0303);
    expect(nozero.subarray(2).includes(0)).toBe(false);
    const wrongPos = robotPlaintext('zero-wrong-position', k, 0x0303);
    expect(wrongPos.indexOf(0, 2)).toBe(k - 2);
    expect(robotPlaintext('wrong-version', k, 0x0303).readUInt16BE(k - 48)).toBe(0x0202);
  });

  it('vulnerable (strong oracle): different paddings, different alerts, the same twice', async () => {
    const r = await robotResponder(leakyAlert);
    const res = await testRobot(r.open, robotOpts);
    expect(res.status).toBe('vulnerable');
    expect(res.oracle).toBe('strong');
    expect(res.flow).toBe('standard');
    expect(res.keyBits).toBe(2048);
    const round1 = res.reactions.filter((x) => x.round === 1).map((x) => x.reaction);
    expect(round1).toEqual([
      'alert fatal bad_record_mac',
      'alert fatal decrypt_error',
      'alert fatal illegal_parameter',
      'alert fatal decode_error',
      'alert fatal protocol_version',
    ]);
    expect(res.connections).toBe(10);
    expect(r.connections()).toBe(10);
  });

  it('vulnerable in the shortened flow only: bad paddings alert at once, a good one waits', async () => {
    const r = await robotResponder((m, flow, ch) => {
      if (flow === 'standard') return 20; // everything fails at the Finished
      return leakyAlert(m, flow, ch) === 20 ? null : 51;
    });
    const res = await testRobot(r.open, robotOpts);
    expect(res.status).toBe('vulnerable');
    expect(res.flow).toBe('shortened');
    expect(res.oracle).toBe('weak');
    expect(res.reactions.filter((x) => x.flow === 'shortened' && x.round === 1)[0]!.reaction).toBe('no reply');
    expect(res.connections).toBe(15);
  });

  it('not vulnerable: the same alert for every padding in both flows (10 connections)', async () => {
    const r = await robotResponder((_m, flow) => (flow === 'standard' ? 20 : null));
    const res = await testRobot(r.open, robotOpts);
    expect(res.status).toBe('not-vulnerable');
    expect(res.connections).toBe(10);
    expect(res.evidence.join(' ')).toMatch(/waited \d+ ms for each/);
  });

  it('inconclusive when the reactions change between identical rounds (noise, never a false positive)', async () => {
    let n = 0;
    const r = await robotResponder(() => [20, 51, 20, 50, 20, 47, 47, 20, 20, 51, 50, 20][n++ % 12]!);
    const res = await testRobot(r.open, robotOpts);
    expect(res.status).toBe('inconclusive');
    expect(res.evidence.join(' ')).toMatch(/changed between two identical rounds/);
  });

  it('not applicable without an RSA key exchange suite: one connection', async () => {
    // an ECDHE-only server: the RSA-only hello gets handshake_failure
    const r = await responder(async (src, sock) => {
      const ch = await src.clientHello();
      if (ch && !ch.suites.includes(ECDHE_SUITE)) sock.end(alertRecord(40));
    });
    const res = await testRobot(r.open, robotOpts);
    expect(res.status).toBe('not-applicable');
    expect(res.connections).toBe(1);
  });
});

describe('renegotiation', () => {
  it('secure renegotiation: vulnerable without renegotiation_info, not vulnerable with it', async () => {
    const bare = await responder(flightThen(() => undefined, []));
    const v = await testSecureRenegotiation(bare.open, opts);
    expect(v.status).toBe('vulnerable');
    expect(v.rfc5746).toBe(false);
    const ok = await responder(flightThen(() => undefined));
    expect((await testSecureRenegotiation(ok.open, opts)).status).toBe('not-vulnerable');
  });

  it('client-initiated renegotiation on a server without RFC 5746 that allows it: vulnerable and insecure', async () => {
    const srv = await startMiniTlsServer({ renegotiationInfo: false, allowRenegotiation: true });
    running.push(srv);
    const sr = await testSecureRenegotiation(srv.open, opts);
    expect(sr.status).toBe('vulnerable');
    const res = await testClientRenegotiation(srv.open, { ...opts, rfc5746: sr.rfc5746 });
    expect(res.status).toBe('vulnerable');
    expect(res.outcome).toBe('accepted');
    expect(res.insecure).toBe(true);
    expect(res.evidence.join(' ')).toMatch(/CVE-2009-3555/);
    expect(srv.stats.renegotiations).toBe(1);
  });

  it('the same server refusing renegotiation (no_renegotiation warning): not vulnerable', async () => {
    const srv = await startMiniTlsServer({ renegotiationInfo: false, allowRenegotiation: false });
    running.push(srv);
    const res = await testClientRenegotiation(srv.open, opts);
    expect(res.status).toBe('not-vulnerable');
    expect(res.refusal).toMatch(/NO_RENEGOTIATION|no renegotiation/i);
    expect(srv.stats.handshakes).toBe(1);
  });
});

describe('Ticketbleed', () => {
  /** answers a ticket hello as an abbreviated handshake with the session id `echo` makes of ours */
  function ticketResponder(echo: (sid: Buffer) => Buffer) {
    return responder(async (src, sock) => {
      const ch = await src.clientHello();
      if (!ch) return void sock.destroy();
      const ticket = ch.extensions.get(35);
      if (!ticket?.length) return void sock.write(legacyFlight(ch, { suite: ECDHE_SUITE }));
      sock.write(
        Buffer.concat([
          record(22, 0x0303, serverHello({ version: 0x0303, suite: ECDHE_SUITE, sessionId: echo(ch.sessionId), extensions: [] })),
          record(20, 0x0303, Buffer.from([1])),
        ]),
      );
    });
  }

  it('vulnerable: a 32-byte echo of our 31-byte session id; the extra byte is not kept', async () => {
    const r = await ticketResponder((sid) => Buffer.concat([sid, Buffer.from([0xee])]));
    const res = await testTicketbleed(r.open, { ...opts, ticket: crypto.randomBytes(160) });
    expect(res.status).toBe('vulnerable');
    expect([res.sessionIdSent, res.sessionIdEchoed]).toEqual([31, 32]);
    expect(res.connections).toBe(1);
    expect(JSON.stringify(res)).not.toMatch(/ee"/);
  });

  it('not vulnerable: an exact echo on resumption', async () => {
    const r = await ticketResponder((sid) => sid);
    const res = await testTicketbleed(r.open, { ...opts, ticket: crypto.randomBytes(160) });
    expect(res.status).toBe('not-vulnerable');
    expect(res.resumed).toBe(true);
  });

  it('the whole test: a ticket from a real node:tls server, then the hello to the responder', async () => {
    const { key, cert } = testCertificate();
    const server = tls.createServer({ key, cert, maxVersion: 'TLSv1.2' }, (s) => s.on('error', () => {}));
    server.on('tlsClientError', () => {});
    const real = await listenOnLoopback(server);
    running.push(real);
    const leaky = await ticketResponder((sid) => Buffer.concat([sid, Buffer.from([0xee])]));
    let n = 0;
    const open = () => (n++ === 0 ? tcpOpener(real.port)() : leaky.open());
    const res = await testTicketbleed(open, opts);
    expect(res.ticketIssued).toBe(true);
    expect(res.status).toBe('vulnerable');
    expect(res.connections).toBe(2);
  });

  it('not applicable when the server issues no ticket', async () => {
    const { key, cert } = testCertificate();
    const server = tls.createServer({ key, cert, maxVersion: 'TLSv1.2', secureOptions: crypto.constants.SSL_OP_NO_TICKET }, (s) =>
      s.on('error', () => {}),
    );
    server.on('tlsClientError', () => {});
    const real = await listenOnLoopback(server);
    running.push(real);
    const res = await testTicketbleed(tcpOpener(real.port), opts);
    expect(res.status).toBe('not-applicable');
    expect(res.ticketIssued).toBe(false);
  });
});

describe('TLS 1.3 downgrade sentinel', () => {
  /** speaks TLS 1.3 (a bare ServerHello) and TLS 1.2/1.1 with `tail` as the last 8 random bytes */
  function downgradeResponder(tail: (v: number) => Buffer | null) {
    return responder(async (src, sock) => {
      const ch = await src.clientHello();
      if (!ch) return void sock.destroy();
      if (ch.supportedVersions?.includes(0x0304)) {
        const ks = Buffer.concat([Buffer.from([0, 29, 0, 32]), crypto.randomBytes(32)]);
        return void sock.write(
          record(
            22,
            0x0303,
            serverHello({
              version: 0x0304,
              suite: 0x1301,
              sessionId: ch.sessionId,
              extensions: [
                [43, Buffer.from([3, 4])],
                [51, ks],
              ],
            }),
          ),
        );
      }
      const v = Math.min(ch.version, 0x0303);
      const t = tail(v);
      const random = Buffer.concat([crypto.randomBytes(24), t ?? crypto.randomBytes(8)]);
      sock.write(legacyFlight(ch, { suite: ECDHE_SUITE, version: v, random }));
    });
  }

  it('vulnerable: a TLS 1.3 server without DOWNGRD\\x01 when it negotiates TLS 1.2', async () => {
    const r = await downgradeResponder(() => null);
    const res = await testDowngradeSentinel(r.open, opts);
    expect(res.status).toBe('vulnerable');
    expect(res.tls13).toBe(true);
    expect(res.tls12Sentinel).toBe('none');
    expect(res.connections).toBe(3);
  });

  it('not vulnerable: DOWNGRD\\x01 at TLS 1.2 and DOWNGRD\\x00 at TLS 1.1', async () => {
    const r = await downgradeResponder((v) => (v === 0x0303 ? DOWNGRADE_TLS12 : DOWNGRADE_TLS11));
    const res = await testDowngradeSentinel(r.open, opts);
    expect(res.status).toBe('not-vulnerable');
    expect([res.tls12Sentinel, res.tls11Sentinel, res.lowVersion]).toEqual(['DOWNGRD\\x01', 'DOWNGRD\\x00', 'TLSv1.1']);
  });

  it('the wrong sentinel at TLS 1.2 is reported as an anomaly', async () => {
    const r = await downgradeResponder(() => DOWNGRADE_TLS11);
    const res = await testDowngradeSentinel(r.open, { ...opts, legacyBelow12: false });
    expect(res.anomalies.join(' ')).toMatch(/DOWNGRD\\x00 in a TLS 1.2 ServerHello/);
    expect(res.connections).toBe(2);
  });
});

describe('the battery on one scripted server', () => {
  it('runs every test over one dialer, skips the intrusive ones on request and counts connections', async () => {
    const r = await responder(flightThen(async (src, sock) => void (await src.next(), sock.end(alertRecord(10)))));
    const all = await runVulnBattery(r.open, { ...opts, intrusive: false });
    expect(Object.keys(all.results).sort()).toEqual(['client-renegotiation', 'downgrade-sentinel', 'secure-renegotiation', 'ticketbleed']);
    expect(all.skipped.map((s) => s.id).sort()).toEqual(['ccs-injection', 'heartbleed', 'robot']);
    expect(all.connections).toBe(r.connections());
  });

  it('a test a lost connection left inconclusive is asked again, alone: the verdicts equal an undisturbed run', async () => {
    const r = await responder(flightThen(async (src, sock) => void (await src.next(), sock.end(alertRecord(10)))));
    const calm = await runVulnBattery(r.open, { ...opts, intrusive: false });
    let n = 0;
    // the third connection of the run dies before the hello: whichever test it belonged to decides nothing
    const flaky = async () => {
      const s = await r.open();
      if (++n === 3) s.destroy();
      return s;
    };
    const busy = await runVulnBattery(flaky, { ...opts, intrusive: false });
    const statuses = (b: typeof calm) => Object.fromEntries(Object.entries(b.results).map(([id, x]) => [id, x.status]));
    expect(statuses(busy)).toEqual(statuses(calm));
    const asked = Object.values(busy.results).filter((x) => x.evidence[0]?.startsWith('a first attempt was inconclusive'));
    expect(asked.length).toBeGreaterThan(0);
    // and without the retry the lost connection shows
    n = 0;
    const once = await runVulnBattery(flaky, { ...opts, intrusive: false, retryInconclusive: false });
    expect(Object.values(once.results).some((x) => x.status === 'inconclusive')).toBe(true);
  });

  it('TLS 1.2 undecided in the inventory is asked of the server, never taken for "TLS 1.3 only"', async () => {
    const r = await responder(flightThen(async (src, sock) => void (await src.next(), sock.end(alertRecord(10)))));
    const inventory = (tls12: boolean | null) => ({
      protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': tls12, 'TLSv1.3': true },
      cipherSuites: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'] },
    });
    const only13 = await runVulnBattery(r.open, { ...opts, intrusive: false, inventory: inventory(false) });
    expect(only13.connections).toBe(0);
    expect(only13.results['secure-renegotiation']!.status).toBe('not-applicable');
    const undecided = await runVulnBattery(r.open, { ...opts, intrusive: false, inventory: inventory(null) });
    expect(undecided.connections).toBeGreaterThan(0);
    expect(undecided.results['secure-renegotiation']).toMatchObject({ status: 'not-vulnerable', version: 'TLSv1.2' });
  });
});

describe('the battery beside the inventory (inventoryLater)', () => {
  const legacyInventory = {
    protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
    cipherSuites: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
  };
  const statuses = (b: Awaited<ReturnType<typeof runVulnBattery>>) =>
    Object.fromEntries(Object.entries(b.results).map(([id, x]) => [id, x.status]));

  it('starts before the inventory is known and reaches the verdicts it reaches with the inventory given', async () => {
    const r = await responder(flightThen(async (src, sock) => void (await src.next(), sock.end(alertRecord(10)))));
    const given = await runVulnBattery(r.open, { ...opts, intrusive: false, inventory: legacyInventory });
    // the inventory is given only once the battery opened its first connection (or after 5 s, so a
    // battery that waits for it first ends instead of hanging): it must not have been needed first
    let release!: (inv: typeof legacyInventory) => void;
    const later = new Promise<typeof legacyInventory>((res) => (release = res));
    const safety = setTimeout(() => release(legacyInventory), 5000);
    let openedBeforeInventory: boolean | null = null;
    let inventoryGiven = false;
    void later.then(() => (inventoryGiven = true));
    const open = async () => {
      if (openedBeforeInventory === null) {
        openedBeforeInventory = !inventoryGiven;
        release(legacyInventory);
      }
      return r.open();
    };
    const beside = await runVulnBattery(open, { ...opts, intrusive: false, inventoryLater: later });
    clearTimeout(safety);
    expect(openedBeforeInventory).toBe(true);
    expect(statuses(beside)).toEqual(statuses(given));
    expect(beside.results['secure-renegotiation']).toMatchObject({ status: 'not-vulnerable', version: 'TLSv1.2' });
  });

  it('a server that refuses TLS ≤ 1.2: hello A decides nothing, the inventory then says TLS 1.3 only', async () => {
    const r = await responder(async (src, sock) => {
      await src.clientHello();
      sock.end(alertRecord(70)); // protocol_version
    });
    const only13 = { ...legacyInventory, protocols: { ...legacyInventory.protocols, 'TLSv1.2': false, 'TLSv1.3': true } };
    const b = await runVulnBattery(r.open, { ...opts, intrusive: false, inventoryLater: Promise.resolve(only13) });
    expect(b.connections).toBe(1);
    expect(new Set(Object.values(b.results).map((x) => x.status))).toEqual(new Set(['not-applicable']));
    expect(b.results['secure-renegotiation']!.evidence[0]).toMatch(/TLS 1\.3 only/);
  });
});

describe("ROBOT's shortened-flow wait: a margin on the server's own time, not on the round trip", () => {
  it.each([
    ['loopback, fast server', [2, 3, 2, 2, 2], 2, 100],
    ['50 ms round trip, fast server', [52, 53, 52, 51, 52], 51, 204],
    ['loopback, slow server', [50, 40, 45, 50, 48], 5, 550],
    ['a reaction never seen', [2, null, 2, 2, 2], 2, null],
    ['bounded by the timeout', [900, 900, 900, 900, 900], 10, 3000],
  ] as [string, (number | null)[], number, number | null][])('%s', (_, reactMs, flightMs, want) => {
    expect(shortenedWait(reactMs, flightMs, 3000)).toBe(want);
  });
});

describe('hostile servers: every test ends within its timeouts, keeps its size limits, never throws', () => {
  const quick = { timeoutMs: 800, serverName: 'localhost' };
  const hostile: [string, (src: RecordSource, sock: net.Socket) => void | Promise<void>][] = [
    ['silent', () => undefined],
    ['garbage', (_src, sock) => void sock.write(crypto.randomBytes(300))],
    ['an oversized record header', (_src, sock) => void sock.write(Buffer.from([22, 3, 3, 0xff, 0xff]))],
    [
      'a never-ending record stream',
      (_src, sock) => {
        const chunk = record(22, 0x0303, Buffer.alloc(16000, 0x0e));
        const pump = () => {
          while (!sock.destroyed && sock.write(chunk));
          if (!sock.destroyed) sock.once('drain', pump);
        };
        pump();
      },
    ],
    ['a close mid-record', (_src, sock) => void sock.end(Buffer.from([22, 3, 3, 0, 50, 2, 0]))],
    ['an FTP reply instead of TLS', (_src, sock) => void sock.end('421 Too many connections\r\n')],
  ];
  for (const [name, h] of hostile) {
    it(`the whole battery against ${name}`, async () => {
      const r = await responder(async (src, sock) => {
        await src.next();
        await h(src, sock);
      });
      const t0 = performance.now();
      const b = await runVulnBattery(r.open, { ...quick, connections: 4 });
      // the slowest chain: a few steps of at most timeoutMs each, whatever the server does
      expect(performance.now() - t0).toBeLessThan(8 * quick.timeoutMs + 2000);
      for (const res of Object.values(b.results)) expect(['inconclusive', 'not-applicable', 'not-vulnerable']).toContain(res.status);
      expect(b.results.heartbleed!.status).not.toBe('vulnerable');
    }, 30_000);
  }
});

describe('the battery with its hellos sent as the connection opens (openWithHello)', () => {
  /**
   * Stands for explicit FTPS with the hello sent with AUTH TLS: the hello goes out as soon as the
   * socket connects, and the first bytes the server answers are read before the socket is handed
   * over (as the preamble reads past its 234), so the test must take them from `pending`.
   */
  function helloFirst(port: number) {
    let used = 0;
    const open = async (hello: Buffer) => {
      used++;
      const socket = await tcpOpener(port)();
      const sentAt = performance.now();
      socket.write(hello);
      const pending = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
      socket.pause();
      return { socket, pending, sentAt };
    };
    return { open, used: () => used };
  }

  it('finds the same verdicts as with hellos sent after the socket is handed over', async () => {
    const r = await heartbleeding();
    const only = ['heartbleed', 'secure-renegotiation', 'downgrade-sentinel'] as const;
    const ordinary = await runVulnBattery(r.open, { ...opts, only: [...only] });
    const first = helloFirst(r.port);
    const piped = await runVulnBattery(r.open, { ...opts, only: [...only], openWithHello: first.open });
    const statuses = (b: typeof ordinary) => Object.fromEntries(Object.entries(b.results).map(([id, x]) => [id, x.status]));
    expect(statuses(ordinary)).toMatchObject({ heartbleed: 'vulnerable', 'secure-renegotiation': 'not-vulnerable' });
    expect(statuses(piped)).toEqual(statuses(ordinary));
    expect(first.used()).toBeGreaterThan(0);
    expect(piped.connections).toBe(ordinary.connections);
    expect(JSON.stringify(piped)).not.toMatch(/SECRET/);
  });
});
