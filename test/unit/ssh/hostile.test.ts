// The raw reader against fake servers on 127.0.0.1: hostile framing, silence, pre-banner text.
import { EndpointDialer, SocketBudget } from '../../../src/net/dialer.js';
import { ThrottleLog } from '../../../src/net/throttle.js';
import net from 'node:net';
import { testDialer } from '../../helpers/fixtures.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readServerKexinit } from '../../../src/ssh/session.js';
import { auditSsh } from '../../../src/ssh/audit.js';
import { buildKexinit, WIDE_OFFER } from '../../../src/ssh/kexinit.js';
import { encUint32, framePacket } from '../../../src/ssh/wire.js';
import { Transcript } from '../../../src/net/transcript.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function fake(onConn: (s: net.Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer((s) => {
      s.on('error', () => {});
      onConn(s);
    });
    servers.push(srv);
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
  });
}

describe('raw reader against hostile or odd servers', () => {
  it('refuses a ~4 GiB packet_length without buffering it', async () => {
    const port = await fake((s) => {
      s.write('SSH-2.0-evil\r\n');
      s.write(Buffer.concat([encUint32(0xfffffff0), Buffer.from([4, 20]), Buffer.alloc(64)]));
    });
    const t0 = Date.now();
    const r = await readServerKexinit({ host: '127.0.0.1', port, dialer: testDialer() }, { timeoutMs: 3000 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.stage).toBe('kexinit');
    expect(r.kind).toBe('protocol-error');
    expect(r.error).toMatch(/exceeds limit/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('times out on silence', async () => {
    const port = await fake(() => {});
    const r = await readServerKexinit({ host: '127.0.0.1', port, dialer: testDialer() }, { timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, stage: 'identification', kind: 'timeout' });
  });

  it('reads pre-banner lines; sends a wide KEXINIT when the server waits for ours', async () => {
    let gotKexinit = false;
    const port = await fake((s) => {
      s.write('Authorised users only\r\nSSH-2.0-Waiter_1.0 hello\r\n');
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        const nl = buf.indexOf(10);
        if (nl >= 0 && buf.length > nl + 6 && buf[nl + 6] === 20 && !gotKexinit) {
          gotKexinit = true;
          s.write(framePacket(buildKexinit({ ...WIDE_OFFER, kex: ['curve25519-sha256', 'kex-strict-s-v00@openssh.com'] })));
        }
      });
    });
    const t = new Transcript();
    const r = await readServerKexinit(
      { host: '127.0.0.1', port, dialer: testDialer() },
      { timeoutMs: 3000, serverFirstMs: 200, transcript: t },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(gotKexinit).toBe(true);
    expect(r.ident.preBanner).toEqual(['Authorised users only']);
    expect(r.ident.software).toBe('Waiter_1.0');
    expect(r.ident.comments).toBe('hello');
    expect(r.kexinit.kex).toEqual(['curve25519-sha256']);
    expect(r.kexinit.kexMarkers).toEqual(['kex-strict-s-v00@openssh.com']);
    const text = t
      .finish()
      .map((l) => `${l.dir} ${l.text}`)
      .join('\n');
    expect(text).toMatch(/server SSH-2.0-Waiter_1.0 hello/);
    expect(text).toMatch(/client SSH-2.0-xferscan_/);
    expect(text).toMatch(/KEXINIT kex_algorithms: curve25519-sha256,kex-strict-s-v00@openssh.com/);
  });

  it('reports DISCONNECT and name-list overruns as errors', async () => {
    const port = await fake((s) => {
      s.write('SSH-2.0-x\r\n');
      const bad = buildKexinit(WIDE_OFFER);
      bad.writeUInt32BE(0x00ffffff, 17);
      s.write(framePacket(bad));
    });
    const r = await readServerKexinit({ host: '127.0.0.1', port, dialer: testDialer() }, { timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, stage: 'kexinit', kind: 'protocol-error', error: expect.stringMatching(/overruns/) });
  });

  it('takes an already-connected socket', async () => {
    const port = await fake((s) => {
      s.write('SSH-2.0-Sock_1\r\n');
      s.write(framePacket(buildKexinit(WIDE_OFFER)));
    });
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    const r = await readServerKexinit({ socket: sock }, { timeoutMs: 2000 });
    expect(r.ok && r.ident.software).toBe('Sock_1');
    expect(sock.destroyed).toBe(true);
  });

  it('auditSsh: a non-SSH greeting times out waiting for SSH-, SSH-1 only yields facts with empty lists', async () => {
    const ftp = await fake((s) => s.write('220 FTP ready\r\n'));
    const r = await auditSsh({ host: '127.0.0.1', dialer: testDialer(), port: ftp, timeoutMs: 500, auth: false });
    expect(r.facts).toBeNull();
    expect(r.outcome).toBe('timeout');
    const ssh1 = await fake((s) => s.write('SSH-1.5-old\r\n'));
    const r1 = await auditSsh({ host: '127.0.0.1', dialer: testDialer(), port: ssh1, timeoutMs: 1000, auth: false });
    expect(r1.facts?.protoVersion).toBe('1.5');
    expect(r1.facts?.kex).toEqual([]);
    expect(r1.outcome).toBe('protocol-error');
  });

  it('auditSsh: notices a server that starts resetting connections', async () => {
    let n = 0;
    const port = await fake((s) => {
      n += 1;
      if (n > 1) {
        s.resetAndDestroy();
        return;
      }
      s.write('SSH-2.0-Penalty_1\r\n');
      s.write(
        framePacket(
          buildKexinit({
            ...WIDE_OFFER,
            kex: ['curve25519-sha256', 'diffie-hellman-group-exchange-sha256'],
            hostKey: ['ssh-ed25519', 'rsa-sha2-512'],
          }),
        ),
      );
      s.on('data', () => s.end());
    });
    // two retries per refused connection (no wait in a unit test), then the step is given up
    const dialer = new EndpointDialer({
      address: '127.0.0.1',
      global: new SocketBudget(),
      connections: 16,
      throttle: new ThrottleLog([0, 0]),
    });
    const r = await auditSsh({ host: '127.0.0.1', dialer, port, timeoutMs: 1000 });
    expect(r.blocked).toBe(true);
    expect(r.facts?.audit?.blocked).toBe(true);
    expect(r.notes.join(' ')).toMatch(/rate-limiting or penalising/);
    // kex + auth + the two group-exchange probes (they run side by side); nothing after that
    expect(r.connections).toBeLessThanOrEqual(4);
    // each of the (at most 3) refused ones was tried 3 times in all, and recorded
    expect(n).toBeLessThanOrEqual(1 + 3 * 3);
    expect(dialer.throttle.report()?.events).toBeGreaterThan(0);
    expect(dialer.throttle.report()?.log.every((e) => e.kind === 'reset-before-greeting')).toBe(true);
  });
});
