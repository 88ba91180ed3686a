// The proxy client against scripted proxies on loopback: what it sends (a name goes to the proxy
// unresolved), what each reply means, bytes the server sent right behind the proxy's reply, limits.
// The real proxies (Dante, tinyproxy) are exercised by test/integration/proxy-lab.test.ts.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dialViaProxy, parseProxy, proxyLabel, ProxyConfigError } from '../../src/net/proxy.js';
import { chooseAddress, parseResolveOverrides, resolveAll } from '../../src/net/resolve.js';
import { SocketBudget } from '../../src/net/dialer.js';
import { RatePerAddress } from '../../src/net/rate.js';
import { networkFrom } from '../../src/commands/network.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A proxy that runs `script` on each connection; resolves with its port. */
async function scripted(script: (s: net.Socket, read: (n: number) => Promise<Buffer>) => void | Promise<void>): Promise<number> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    let wake: (() => void) | null = null;
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      wake?.();
    });
    const read = async (n: number) => {
      while (buf.length < n) await new Promise<void>((r) => (wake = r));
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      return out;
    };
    void script(s, read);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as net.AddressInfo).port;
}

const firstLine = (s: net.Socket) => new Promise<string>((r) => s.once('data', (c: Buffer) => r(c.toString())));

describe('parseProxy', () => {
  it('reads socks5:// and http:// with a port; credentials only from the environment', () => {
    expect(parseProxy('socks5://127.0.0.1:1080', {})).toEqual({ kind: 'socks5', host: '127.0.0.1', port: 1080 });
    expect(parseProxy('http://[::1]:3128', {})).toMatchObject({ kind: 'http', host: '::1', port: 3128 });
    expect(proxyLabel(parseProxy('http://[::1]:3128', {}))).toBe('http://[::1]:3128');
    const p = parseProxy('socks5://proxy.example:1080', { XFERSCAN_PROXY_USER: 'u', XFERSCAN_PROXY_PASSWORD: 'secret' });
    expect(p).toMatchObject({ user: 'u', password: 'secret' });
    expect(proxyLabel(p)).not.toContain('secret');
  });
  it.each([
    ['socks5://u:pw@127.0.0.1:1080', /credentials in the URL are refused/],
    ['socks4://127.0.0.1:1080', /expected socks5/],
    ['http://127.0.0.1', /expected socks5/],
    ['http://127.0.0.1:70000', /out of range/],
  ])('refuses %s in one line', (text, msg) => {
    expect(() => parseProxy(text, {})).toThrow(ProxyConfigError);
    expect(() => parseProxy(text, {})).toThrow(msg);
  });
  it('wants the user and the password together', () => {
    expect(() => parseProxy('socks5://127.0.0.1:1', { XFERSCAN_PROXY_USER: 'u' })).toThrow(/go together/);
  });
});

describe('SOCKS5', () => {
  it('sends a name unresolved (address type 3) and keeps bytes the server sent behind the reply', async () => {
    let request: Buffer | null = null;
    const port = await scripted(async (s, read) => {
      expect([...(await read(3))]).toEqual([5, 1, 0]);
      s.write(Buffer.from([5, 0]));
      const head = await read(5);
      request = Buffer.concat([head, await read(head[4]! + 2)]);
      // success, bound to 0.0.0.0:0, and the FTP greeting in the same segment
      s.write(Buffer.concat([Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from('220 hello\r\n')]));
    });
    const r = await dialViaProxy({ kind: 'socks5', host: '127.0.0.1', port }, 'files.example', 2121, 2000);
    expect(r.state).toBe('open');
    expect(r.via).toBe(`socks5://127.0.0.1:${port}`);
    expect(await firstLine(r.socket!)).toBe('220 hello\r\n');
    r.socket!.destroy();
    expect([...request!.subarray(0, 5)]).toEqual([5, 1, 0, 3, 'files.example'.length]);
    expect(request!.subarray(5, 5 + 13).toString()).toBe('files.example');
    expect(request!.readUInt16BE(18)).toBe(2121);
  });

  it('sends RFC 1929 user/password and reads a refused connection as closed, naming the proxy', async () => {
    let creds = '';
    const port = await scripted(async (s, read) => {
      expect([...(await read(4))]).toEqual([5, 2, 0, 2]);
      s.write(Buffer.from([5, 2]));
      const [, ulen] = await read(2);
      const user = (await read(ulen!)).toString();
      const [plen] = await read(1);
      creds = `${user}:${(await read(plen!)).toString()}`;
      s.write(Buffer.from([1, 0]));
      await read(10); // IPv4 CONNECT
      s.write(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    });
    const r = await dialViaProxy({ kind: 'socks5', host: '127.0.0.1', port, user: 'alice', password: 'pw' }, '127.0.0.1', 21, 2000);
    expect(creds).toBe('alice:pw');
    expect(r).toMatchObject({ state: 'closed', socket: null, code: 'ECONNREFUSED' });
    expect(r.detail).toBe(`proxy socks5://127.0.0.1:${port}: connection refused (SOCKS5 reply 5)`);
    expect(r.detail).not.toContain('pw');
  });

  it('sends an IPv6 address as address type 4', async () => {
    let req: Buffer | null = null;
    const port = await scripted(async (s, read) => {
      await read(3);
      s.write(Buffer.from([5, 0]));
      req = await read(22);
      s.write(Buffer.from([5, 0, 0, 4, ...Array<number>(18).fill(0)]));
    });
    const r = await dialViaProxy({ kind: 'socks5', host: '127.0.0.1', port }, '::1', 22, 2000);
    r.socket?.destroy();
    expect(r.state).toBe('open');
    expect(req![3]).toBe(4);
    expect([...req!.subarray(4, 20)]).toEqual([...Array<number>(15).fill(0), 1]);
  });

  it('a proxy that never answers is a timeout within the connect timeout', async () => {
    const port = await scripted(() => {});
    const r = await dialViaProxy({ kind: 'socks5', host: '127.0.0.1', port }, 'x.example', 22, 300);
    expect(r).toMatchObject({ state: 'filtered', code: 'ETIMEDOUT' });
    expect(r.detail).toMatch(/did not answer in time/);
  });

  it('an unreachable proxy is one line naming it', async () => {
    const port = await scripted(() => {});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    const r = await dialViaProxy({ kind: 'socks5', host: '127.0.0.1', port }, 'x.example', 22, 1000);
    expect(r.detail).toBe(`cannot reach the proxy socks5://127.0.0.1:${port}: closed (ECONNREFUSED)`);
  });
});

describe('HTTP CONNECT', () => {
  it('opens the tunnel on 2xx and keeps the bytes behind the headers', async () => {
    let head = '';
    const port = await scripted(async (s, read) => {
      head = (await read('CONNECT [::1]:22 HTTP/1.1\r\n'.length)).toString();
      s.write('HTTP/1.1 200 Connection established\r\nProxy-Agent: x\r\n\r\nSSH-2.0-Test\r\n');
    });
    const r = await dialViaProxy({ kind: 'http', host: '127.0.0.1', port, user: 'u', password: 'p' }, '::1', 22, 2000);
    expect(r.state).toBe('open');
    expect(await firstLine(r.socket!)).toBe('SSH-2.0-Test\r\n');
    r.socket!.destroy();
    expect(head).toBe('CONNECT [::1]:22 HTTP/1.1\r\n');
  });

  it.each([
    ['HTTP/1.1 407 Proxy Authentication Required\r\n\r\n', 'unreachable', /wants credentials/],
    ['HTTP/1.0 504 Gateway Timeout\r\n\r\n', 'filtered', /HTTP 504/],
    ['SSH-2.0-not-a-proxy\r\n\r\n', 'unreachable', /not an HTTP proxy reply/],
  ])('reads %j', async (reply, state, detail) => {
    const port = await scripted(async (s, read) => {
      await read(1);
      s.write(reply);
    });
    const r = await dialViaProxy({ kind: 'http', host: '127.0.0.1', port }, 'h.example', 21, 2000);
    expect(r.state).toBe(state);
    expect(r.detail).toMatch(detail);
  });

  it('a proxy that echoes our password back does not get it into the report', async () => {
    const port = await scripted(async (s, read) => {
      await read(1);
      s.write('HTTP/1.1 403 denied for u:hunter2\r\n\r\n');
    });
    const r = await dialViaProxy({ kind: 'http', host: '127.0.0.1', port, user: 'u', password: 'hunter2' }, 'h.example', 21, 2000);
    expect(r.detail).toContain('denied for u:********');
    expect(r.detail).not.toContain('hunter2');
  });

  it('stops reading headers past the size limit', async () => {
    const port = await scripted(async (s, read) => {
      await read(1);
      s.write(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`);
    });
    const r = await dialViaProxy({ kind: 'http', host: '127.0.0.1', port }, 'h.example', 21, 2000);
    expect(r.state).toBe('unreachable');
    expect(r.detail).toMatch(/longer than 16384 bytes/);
  });
});

describe('resolve', () => {
  it('--resolve pins a name; -4/-6 keep one family; through a proxy a name stays a name', async () => {
    const overrides = parseResolveOverrides(['dual.test=::1,127.0.0.1']);
    expect(await resolveAll('dual.test', { overrides })).toEqual(['::1', '127.0.0.1']);
    expect(await resolveAll('DUAL.test', { overrides, family: 'ipv4' })).toEqual(['127.0.0.1']);
    await expect(resolveAll('127.0.0.1', { family: 'ipv6' })).rejects.toThrow(/has no IPv6 address/);
    expect(await resolveAll('files.example', { proxied: true })).toEqual(['files.example']);
    expect(() => parseResolveOverrides(['dual.test=not-an-ip'])).toThrow(/expected NAME=ADDR/);
  });
});

describe('dual-stack choice', () => {
  it('tries every address once in order and scans the first that accepts', async () => {
    const server = net.createServer((s) => s.destroy());
    servers.push(server);
    const listening = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(0, '::1', () => r(true));
    });
    if (!listening) return; // no IPv6 loopback on this machine
    const port = (server.address() as net.AddressInfo).port;
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(port, '127.0.0.1', () => r()));
    // the same port number on 127.0.0.1 is ours and then closed: nothing listens there
    await new Promise<void>((r) => free.close(() => r()));
    const pick = await chooseAddress(['127.0.0.1', '::1'], port, 2000, new SocketBudget());
    expect(pick.address).toBe('::1');
    expect(pick.tried!.map((t) => [t.family, t.state])).toEqual([
      ['ipv4', 'closed'],
      ['ipv6', 'open'],
    ]);
    expect((await chooseAddress(['::1'], port, 2000, new SocketBudget())).tried).toBeNull();
    // --rate counts these connections as any other, per address
    const rates = new RatePerAddress(5);
    await chooseAddress(['127.0.0.1', '::1'], port, 2000, new SocketBudget(), null, (a) => rates.for(a));
    expect([rates.for('127.0.0.1').started, rates.for('::1').started]).toEqual([1, 1]);
  });
});

describe('--proxy, -4/-6, --resolve on the command line', () => {
  it.each([
    [{ ipv4: true, ipv6: true }, /-4 and -6 exclude each other/],
    [{ proxy: 'socks5://127.0.0.1:1080', ipv6: true }, /cannot choose the address family/],
    [{ proxy: 'http://user:pw@127.0.0.1:3128' }, /credentials in the URL are refused/],
    [{ resolve: 'name' }, /expected NAME=ADDR/],
  ])('refuses %j in one line', (args, msg) => {
    expect(() => networkFrom(args)).toThrow(msg);
  });
  it('one --resolve or several', () => {
    expect(networkFrom({ resolve: 'a.test=::1' }).resolve.overrides!.get('a.test')).toEqual(['::1']);
    expect(networkFrom({ resolve: ['a.test=::1', 'b.test=127.0.0.1'], ipv4: true }).resolve).toMatchObject({ family: 'ipv4' });
  });
});
