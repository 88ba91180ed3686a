// A loopback TCP relay that puts a WAN between a client and a lab server: every chunk is held for a
// fixed one-way delay in its direction (order kept), half-closes and resets are passed on after the
// same delay, and the TCP handshake's round trip is charged too (the client's connect completes at
// once on loopback, so the relay holds the connection for one round trip before it opens the
// server side: the server greets after 1.5 RTT and its greeting arrives after 2 RTT, as on a WAN).
//
// It also counts what went through it, per connection: TLS ClientHellos (after a clear-text FTP
// preamble too), SSLv2 hellos, SSH key exchanges (the client's KEXINIT, and NEWKEYS when a key
// exchange completed). IPv4 loopback only, on both sides.
//
//   import { startRelay } from './relay.mjs';
//   const r = await startRelay({ target: 21024, delayMs: 25 }); // 50 ms RTT
//   … connect to 127.0.0.1:r.port …;  r.stats();  r.reset();  await r.close();
//
//   node bench/relay.mjs TARGET_PORT DELAY_MS [LISTEN_PORT]   (runs until Ctrl-C, prints counts)
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** What the relay buffers per direction before it stops reading (the sender then waits, like TCP). */
const HIGH_WATER = 1 << 20;
/** How much of the client's stream is inspected for handshakes. */
const SNIFF_LIMIT = 64 * 1024;

/**
 * One direction of a relayed connection: chunks are written `delayMs` after they arrived, in order.
 * `end`/`destroy` travel the same way, so a half-close arrives after the bytes that preceded it.
 */
class DelayedPipe {
  constructor(src, delayMs, onDeliver) {
    this.src = src;
    this.delayMs = delayMs;
    this.onDeliver = onDeliver;
    this.queue = [];
    this.bytes = 0;
    this.timer = null;
    this.dst = null;
    this.notBefore = 0;
    this.finished = false;
  }

  /** The destination is ready (the server side connects after the handshake's round trip). */
  attach(dst, notBefore = 0) {
    this.dst = dst;
    this.notBefore = notBefore;
    this.schedule();
  }

  push(item) {
    this.queue.push({ at: performance.now() + this.delayMs, ...item });
    if (item.data) {
      this.bytes += item.data.length;
      if (this.bytes > HIGH_WATER) this.src.pause();
    }
    this.schedule();
  }

  schedule() {
    if (this.timer || !this.dst || !this.queue.length) return;
    const wait = Math.max(this.queue[0].at, this.notBefore) - performance.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  flush() {
    const now = performance.now();
    while (this.queue.length && this.queue[0].at <= now && this.notBefore <= now) {
      const item = this.queue.shift();
      if (this.finished) continue;
      if (item.data) {
        this.bytes -= item.data.length;
        this.onDeliver?.(item.data);
        if (!this.dst.destroyed) this.dst.write(item.data);
        if (this.bytes <= HIGH_WATER && this.src.isPaused()) this.src.resume();
      } else if (item.end) {
        this.finished = true;
        if (!this.dst.destroyed) this.dst.end();
      } else if (item.reset) {
        this.finished = true;
        if (!this.dst.destroyed) this.dst.resetAndDestroy();
      }
    }
    this.schedule();
  }

  cancel() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

/**
 * Reads what a client sends and counts the handshakes it starts: a TLS ClientHello at the start of
 * the stream or right after a line (explicit FTPS: AUTH TLS), an SSLv2 CLIENT-HELLO, or an SSH
 * identification followed by binary packets (KEXINIT = a key exchange started; NEWKEYS = completed;
 * what follows NEWKEYS is encrypted and no longer read).
 */
export class HandshakeSniffer {
  constructor() {
    this.buf = Buffer.alloc(0);
    this.done = false;
    this.tls = 0;
    this.sslv2 = 0;
    this.sshKexinit = 0;
    this.sshNewkeys = 0;
    this.mode = null; // 'ssh' once an SSH identification is seen
    this.sshPos = -1;
  }

  push(chunk) {
    if (this.done) return;
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > SNIFF_LIMIT) this.done = true;
    this.scan();
  }

  scan() {
    const b = this.buf;
    if (this.mode === null && b.length >= 4 && b.subarray(0, 4).toString('latin1') === 'SSH-') this.mode = 'ssh';
    if (this.mode === 'ssh') return this.scanSsh();
    // TLS record: 0x16 0x03 x, length, handshake type 1 — at offset 0 or right after "\n"
    for (let p = 0; p + 6 <= b.length; p++) {
      if (p > 0 && b[p - 1] !== 0x0a) continue;
      if (b[p] === 0x16 && b[p + 1] === 0x03 && b[p + 5] === 0x01) {
        this.tls++;
        this.done = true;
        return;
      }
      // SSLv2 CLIENT-HELLO: 2-byte header with the high bit set, message type 1, version 0x0002
      if (p + 5 <= b.length && (b[p] & 0x80) !== 0 && b[p + 2] === 0x01 && b[p + 3] === 0x00 && b[p + 4] === 0x02) {
        this.sslv2++;
        this.done = true;
        return;
      }
    }
  }

  scanSsh() {
    const b = this.buf;
    if (this.sshPos < 0) {
      const nl = b.indexOf(0x0a);
      if (nl < 0) return;
      this.sshPos = nl + 1;
    }
    while (this.sshPos + 6 <= b.length) {
      const len = b.readUInt32BE(this.sshPos);
      if (len < 5 || len > 35000) {
        this.done = true;
        return;
      }
      if (this.sshPos + 4 + len > b.length) return;
      const type = b[this.sshPos + 5];
      if (type === 20) this.sshKexinit++;
      if (type === 21) {
        this.sshNewkeys++;
        this.done = true;
        return;
      }
      this.sshPos += 4 + len;
    }
  }
}

/**
 * Starts a relay on 127.0.0.1 to 127.0.0.1:`target` (or { host, port }, loopback only).
 * `delayMs` is one way (a number, or { up, down }: up = client → server); `handshakeRtt` (default
 * true) charges the TCP handshake's round trip before the server side is opened.
 */
export async function startRelay({ target, delayMs = 0, listenHost = '127.0.0.1', port = 0, handshakeRtt = true } = {}) {
  const to = typeof target === 'number' ? { host: '127.0.0.1', port: target } : { host: '127.0.0.1', ...target };
  if (!LOOPBACK.test(to.host) || !LOOPBACK.test(listenHost)) throw new Error('relay: IPv4 loopback addresses only');
  const delay = typeof delayMs === 'number' ? { up: delayMs, down: delayMs } : { up: delayMs.up ?? 0, down: delayMs.down ?? 0 };
  const live = new Set();
  let counts = emptyCounts();

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    counts.connections++;
    counts.open++;
    counts.peakOpen = Math.max(counts.peakOpen, counts.open);
    counts.clientOpen++;
    counts.peakClientOpen = Math.max(counts.peakClientOpen, counts.clientOpen);
    const sniffer = new HandshakeSniffer();
    const c = { client, upstream: null, sniffer, up: null, down: null, timer: null };
    live.add(c);
    client.setNoDelay(true);
    let clientClosed = false;
    let upstreamClosed = false;
    let counted = false;
    const settle = () => {
      if (counted || !clientClosed || (c.upstream && !upstreamClosed)) return;
      counted = true;
      counts.open--;
      counts.tlsHellos += sniffer.tls;
      counts.sslv2Hellos += sniffer.sslv2;
      counts.sshKexinits += sniffer.sshKexinit;
      counts.sshNewkeys += sniffer.sshNewkeys;
      live.delete(c);
    };
    const up = new DelayedPipe(client, delay.up, (d) => {
      counts.bytesUp += d.length;
      sniffer.push(d);
    });
    c.up = up;
    client.on('data', (d) => up.push({ data: d }));
    client.on('end', () => up.push({ end: true }));
    client.on('error', () => up.push({ reset: true }));
    // The server side opens once the simulated SYN/SYN-ACK/ACK has crossed (1.5 RTT). A client
    // that sends at once (it thinks it is connected) has its bytes delivered as if it had sent
    // them after the handshake.
    const openAfter = handshakeRtt ? delay.up + delay.down + delay.up : delay.up;
    c.timer = setTimeout(() => {
      c.timer = null;
      if (clientClosed && up.queue.every((i) => !i.data)) {
        // gone before the server saw it (a connect probe)
        up.cancel();
        settle();
        return;
      }
      const upstream = net.connect({ host: to.host, port: to.port, allowHalfOpen: true });
      c.upstream = upstream;
      upstream.setNoDelay(true);
      const down = new DelayedPipe(upstream, delay.down, (d) => (counts.bytesDown += d.length));
      c.down = down;
      down.attach(client);
      upstream.on('data', (d) => down.push({ data: d }));
      upstream.on('end', () => down.push({ end: true }));
      upstream.on('error', () => down.push({ reset: true }));
      upstream.on('close', () => {
        upstreamClosed = true;
        settle();
      });
      upstream.once('connect', () => up.attach(upstream));
    }, openAfter);
    client.on('close', () => {
      clientClosed = true;
      counts.clientOpen--;
      settle();
    });
  });
  server.on('error', () => {});
  await new Promise((res, rej) => {
    server.once('error', rej);
    server.listen({ host: listenHost, port }, () => {
      server.removeListener('error', rej);
      res();
    });
  });
  return {
    port: server.address().port,
    host: listenHost,
    delay,
    /** counts so far; connections still open are included with what they sent until now */
    stats() {
      const s = { ...counts };
      for (const c of live) {
        s.tlsHellos += c.sniffer.tls;
        s.sslv2Hellos += c.sniffer.sslv2;
        s.sshKexinits += c.sniffer.sshKexinit;
        s.sshNewkeys += c.sniffer.sshNewkeys;
      }
      s.handshakes = s.tlsHellos + s.sslv2Hellos + s.sshKexinits;
      return s;
    },
    reset() {
      const { open, clientOpen } = counts;
      counts = emptyCounts();
      counts.open = open;
      counts.clientOpen = clientOpen;
    },
    async close() {
      for (const c of live) {
        clearTimeout(c.timer);
        c.up?.cancel();
        c.down?.cancel();
        c.client.destroy();
        c.upstream?.destroy();
      }
      live.clear();
      await new Promise((r) => server.close(() => r()));
    },
  };
}

function emptyCounts() {
  return {
    connections: 0,
    open: 0,
    peakOpen: 0,
    clientOpen: 0,
    peakClientOpen: 0,
    bytesUp: 0,
    bytesDown: 0,
    tlsHellos: 0,
    sslv2Hellos: 0,
    sshKexinits: 0,
    sshNewkeys: 0,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [targetPort, delay, listenPort] = process.argv.slice(2).map(Number);
  if (!targetPort || Number.isNaN(delay)) {
    console.error('node bench/relay.mjs TARGET_PORT DELAY_MS [LISTEN_PORT]');
    process.exit(64);
  }
  const r = await startRelay({ target: targetPort, delayMs: delay, port: listenPort || 0 });
  console.log(`relay 127.0.0.1:${r.port} -> 127.0.0.1:${targetPort}, ${delay} ms each way`);
  const show = () => console.log(JSON.stringify(r.stats()));
  const iv = setInterval(show, 5000);
  process.on('SIGINT', async () => {
    clearInterval(iv);
    show();
    await r.close();
    process.exit(0);
  });
}
