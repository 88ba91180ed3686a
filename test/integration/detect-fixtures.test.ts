// Detection against scripted loopback servers: the odd behaviours real servers show in the wild.
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { scanJson, looksLikeStackTrace } from '../helpers/cli.js';
import { ftpScript, tcpFixture, tlsFixture, testCertificate, type Fixture } from '../helpers/fixtures.js';
import { buildKexinit, WIDE_OFFER } from '../../src/ssh/kexinit.js';
import { framePacket } from '../../src/ssh/wire.js';

const fixtures: Fixture[] = [];
afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
async function track(f: Promise<Fixture>) {
  const x = await f;
  fixtures.push(x);
  return x;
}

/** A server that answers every connection with `line` and hangs up, counting the connections. */
async function answersEveryConnection(line: string): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const f = await track(
    tcpFixture((s) => {
      connections += 1;
      s.end(`${line}\r\n`);
    }),
  );
  return { port: f.port, connections: () => connections };
}

describe('service detection on scripted servers', () => {
  it('SSH with lines before the identification line', async () => {
    const f = await track(tcpFixture((s) => s.write('Authorized use only\r\nsecond line\r\nSSH-2.0-OpenSSH_9.6 Example\r\n')));
    const { report } = await scanJson([`127.0.0.1:${f.port}`]);
    const ep = report.endpoints[0];
    expect(ep).toMatchObject({ state: 'open', service: 'sftp', banner: 'SSH-2.0-OpenSSH_9.6 Example' });
    expect(ep.ssh).toMatchObject({ software: 'OpenSSH_9.6', preBanner: ['Authorized use only', 'second line'] });
  });

  it('an SSH server that sends its KEXINIT with its identification (dropbear does): read exactly, on either path', async () => {
    // With a newline byte inside the binary KEXINIT, detection's line reader has split it as text:
    // the audit must not continue on that connection. Without one, it may.
    for (const cookie of [
      [0xff, 0x0a],
      [0x41, 0x42],
    ]) {
      const kexinit = framePacket(
        buildKexinit({ ...WIDE_OFFER, kex: ['curve25519-sha256', 'diffie-hellman-group14-sha256'], hostKey: ['ssh-ed25519'] }),
      );
      // the 16-byte cookie after length, padding length and message type: a byte that is not
      // UTF-8 before a newline is what a text reader cannot give back
      for (let i = 6; i < 22; i++) kexinit[i] = cookie[i % 2]!;
      // the random padding at the end could hold a newline too (a few scans in a hundred): zeros
      kexinit.fill(0, kexinit.length - kexinit[4]!);
      const f = await track(
        tcpFixture((s) => {
          s.on('data', () => {});
          s.write(Buffer.concat([Buffer.from('SSH-2.0-dropbear_2022.83\r\n'), kexinit]));
        }),
      );
      const { report } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '1500']);
      const ep = report.endpoints[0];
      expect(ep.service).toBe('sftp');
      expect(ep.ssh).toMatchObject({
        software: 'dropbear_2022.83',
        kex: ['curve25519-sha256', 'diffie-hellman-group14-sha256'],
        hostKeyAlgorithms: ['ssh-ed25519'],
      });
      const carried = ep.transcript.some((l) => l.text === 'the SSH audit continues on this connection');
      expect(carried).toBe(!cookie.includes(0x0a));
    }
  }, 30_000);

  it('plain FTP that refuses AUTH TLS and AUTH SSL → ftp, FTP-CLEARTEXT-SERVICE fails, exit 3', async () => {
    const f = await track(
      tcpFixture((s) => {
        s.write('220-Welcome\r\n220 ready\r\n');
        ftpScript(s, { FEAT: '211 no features', SYST: '215 UNIX Type: L8', AUTH: '530 Please login with USER and PASS.' });
      }),
    );
    const { report, result } = await scanJson([`127.0.0.1:${f.port}`]);
    const ep = report.endpoints[0];
    expect(ep.service).toBe('ftp');
    expect(ep.ftp).toMatchObject({ authTls: false, authSsl: false });
    expect(ep.findings.find((x) => x.id === 'FTP-CLEARTEXT-SERVICE')).toMatchObject({ status: 'fail' });
    expect(result.code).toBe(3);
  });

  it('the AUTH SSL connection opened at the greeting is closed whatever detection ends with, one connection at a time or four', async () => {
    // an SMTP server that says so only when asked FEAT: detection stops there, before AUTH TLS
    let quits = 0;
    const f = await track(
      tcpFixture((s) => {
        s.write('220 mail.example ready\r\n');
        s.on('data', (d: Buffer) => {
          for (const line of d.toString('latin1').split('\r\n').filter(Boolean)) {
            if (/^QUIT/i.test(line)) {
              quits++;
              s.end('221 2.0.0 Bye\r\n');
            } else s.write('502 5.5.2 Error: command not recognized\r\n');
          }
        });
      }),
    );
    for (const connections of [1, 4]) {
      quits = 0;
      const t0 = performance.now();
      const { report } = await scanJson([`127.0.0.1:${f.port}`, '--connections', String(connections), '--timeout', '20000']);
      const ep = report.endpoints[0];
      expect(ep.service).toBe('unknown');
      expect(ep.error).toMatch(/speaks SMTP/);
      // with one connection at a time the side one is never opened (it would wait for this one)
      const side = ep.transcript.filter((l) => l.conn.startsWith('auth-ssl'));
      expect(side.some((l) => l.text === 'QUIT')).toBe(connections > 1);
      expect(quits).toBe(connections > 1 ? 1 : 0);
      // nothing waited for a timeout
      expect(performance.now() - t0).toBeLessThan(10_000);
    }
  });

  it('explicit FTPS whose TLS handshake breaks after 234 → ftps-explicit with the failure reported', async () => {
    const f = await track(
      tcpFixture((s) => {
        s.write('220 ready\r\n');
        ftpScript(s, { FEAT: '211 end', SYST: '215 UNIX', 'AUTH TLS': '234 go ahead' }, (raw) =>
          raw.once('data', () => raw.end('garbage, not TLS\r\n')),
        );
      }),
    );
    const { report } = await scanJson([`127.0.0.1:${f.port}`]);
    const ep = report.endpoints[0];
    expect(ep.service).toBe('ftps-explicit');
    expect(ep.outcome).toBe('tls-handshake-failed');
    expect(ep.findings.find((x) => x.id === 'FTPS-AUTH-TLS')).toMatchObject({ status: 'fail' });
  });

  it('explicit FTPS that needs AUTH SSL (legacy) is still explicit FTPS', async () => {
    const { key, cert } = testCertificate();
    const f = await track(
      tcpFixture((s) => {
        s.write('220 ready\r\n');
        let buf = '';
        const onData = (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\r\n');
          buf = lines.pop()!;
          for (const line of lines) {
            if (line === 'AUTH SSL') {
              s.off('data', onData);
              s.write('234 AUTH SSL ok\r\n');
              const t = new tls.TLSSocket(s, { isServer: true, key, cert });
              t.on('error', () => {});
              t.on('data', () => t.end('221 bye\r\n'));
              return;
            }
            s.write(line === 'AUTH TLS' ? '504 unknown\r\n' : line === 'QUIT' ? '221 bye\r\n' : '502 no\r\n');
          }
        };
        s.on('data', onData);
      }),
    );
    const { report } = await scanJson([`127.0.0.1:${f.port}`]);
    expect(report.endpoints[0]).toMatchObject({ service: 'ftps-explicit', ftp: { authTls: false, authSsl: true } });
    expect(report.endpoints[0].tls?.negotiated?.protocol).toMatch(/TLSv1/);
  });

  it('silent server that speaks TLS and FTP inside it → ftps-implicit', async () => {
    const f = await track(
      tlsFixture((s) => {
        s.write('220 implicit ready\r\n');
        ftpScript(s, { FEAT: '211 end', SYST: '215 UNIX Type: L8' });
      }),
    );
    const { report } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '3000']);
    const ep = report.endpoints[0];
    expect(ep).toMatchObject({ state: 'open', service: 'ftps-implicit', banner: '220 implicit ready' });
    expect(ep.findings.find((x) => x.id === 'FTPS-IMPLICIT')?.status).toBe('info');
  });

  it('TLS that is not FTP → tls-unknown', async () => {
    const f = await track(tlsFixture(() => {}));
    const { report } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '1500']);
    expect(report.endpoints[0]).toMatchObject({ state: 'open', service: 'tls-unknown' });
  });

  it('accepts and stays silent → state timeout within the timeout', async () => {
    const f = await track(tcpFixture(() => {}));
    const { report, result } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '1500']);
    expect(report.endpoints[0]).toMatchObject({ state: 'timeout', service: 'unknown' });
    expect(result.ms).toBeLessThan(1500 + 2500);
    expect(result.code).toBe(1);
  });

  it.each([
    ['421 Too many connections (2) from this IP', 'ftp-421'],
    // ProFTPD's MaxConnectionsPerHost and MaxClients
    ['530 Sorry, the maximum number of connections (2) for your host are already connected.', 'ftp-refused-greeting'],
  ])('%s on the first connection, then a greeting: retried, not misreported', async (refusal, kind) => {
    const f = await track(
      tcpFixture((s, n) => {
        if (n === 0) return void s.end(`${refusal}\r\n`);
        s.write('220 ok\r\n');
        ftpScript(s, { FEAT: '211 end', SYST: '215 UNIX', 'AUTH TLS': '500 no', 'AUTH SSL': '500 no' });
      }),
    );
    const { report } = await scanJson([`127.0.0.1:${f.port}`]);
    const ep = report.endpoints[0]!;
    expect(ep).toMatchObject({ service: 'ftp', outcome: null, ftp: { authTls: false } });
    expect(ep.transcript.some((l) => new RegExp(`${refusal.slice(0, 3)} from server; retrying`).test(l.text))).toBe(true);
    expect(ep.throttled?.log[0]).toMatchObject({ kind, retried: true });
  });

  // OpenSSH 9.8+ under PerSourcePenalties (the lab's 9.2 has none; its MaxStartups words are in
  // politeness.test.ts): every attempt refused, so SSH refused by the server, and no audit is tried
  it('"Not allowed at this time" to the last attempt: SSH, refused by the server, nothing else dialled', async () => {
    const f = await answersEveryConnection('Not allowed at this time');
    const { report, result } = await scanJson([`127.0.0.1:${f.port}`], { timeoutMs: 60_000 });
    const ep = report.endpoints[0]!;
    expect(ep).toMatchObject({ state: 'open', service: 'sftp', outcome: 'refused-by-server' });
    expect(ep.throttled).toMatchObject({ events: 4, gaveUp: 1 });
    expect(f.connections()).toBe(4);
    expect(ep.findings.find((x) => x.id === 'NET-SERVICE-REFUSED')?.status).toBe('warn');
    expect(looksLikeStackTrace(result.stderr)).toBe(false);
  }, 60_000);

  it('a 500 greeting (not a limit) is not retried', async () => {
    const f = await answersEveryConnection('500 OOPS: vsftpd: cannot locate user specified in ftp_username');
    const { report } = await scanJson([`127.0.0.1:${f.port}`]);
    expect(report.endpoints[0]).toMatchObject({ service: 'ftp', outcome: 'refused-by-server' });
    expect(report.endpoints[0]!.throttled).toBeUndefined();
    expect(f.connections()).toBe(1);
  });

  it('a greeting that comes after the silence window is still recognised (slow or loaded server)', async () => {
    const f = await track(
      tcpFixture((s) => {
        setTimeout(() => {
          if (s.destroyed) return;
          s.write('220 slow but fine\r\n');
          ftpScript(s, { FEAT: '211 end', SYST: '215 UNIX', AUTH: '504 no' });
        }, 1300);
      }),
    );
    const { report } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '2000']);
    expect(report.endpoints[0]).toMatchObject({ state: 'open', service: 'ftp', banner: '220 slow but fine' });
  });

  it('421 greeting on detection → refused-by-server, checks skipped', async () => {
    const f = await track(tcpFixture((s) => s.end('421 Service not available, closing control connection.\r\n')));
    const { report, result } = await scanJson([`127.0.0.1:${f.port}`]);
    const ep = report.endpoints[0];
    expect(ep).toMatchObject({ service: 'ftp', outcome: 'refused-by-server' });
    expect(ep.findings.find((x) => x.id === 'FTPS-AUTH-TLS')?.status).toBe('skipped');
    expect(looksLikeStackTrace(result.stderr)).toBe(false);
  });

  it('random bytes without a line end → unknown, no hang', async () => {
    const f = await track(tcpFixture((s) => s.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0x00, 0x9c, 0x01]))));
    const { report, result } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '1500']);
    expect(report.endpoints[0]).toMatchObject({ state: 'open', service: 'unknown' });
    expect(result.ms).toBeLessThan(5000);
  });

  it('a greeting line longer than the limit is cut off with a protocol error', async () => {
    const f = await track(tcpFixture((s) => s.write(`220 ${'A'.repeat(100_000)}`)));
    const { report } = await scanJson([`127.0.0.1:${f.port}`, '--timeout', '2000']);
    expect(report.endpoints[0].outcome).toBe('protocol-error');
    expect(JSON.stringify(report).length).toBeLessThan(60_000);
  });
});
