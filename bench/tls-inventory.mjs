#!/usr/bin/env node
// The TLS inventory alone (src/tls/prober.ts from dist/), through bench/relay.mjs: what the prober
// costs on a WAN, separate from the rest of a scan. Two ways to open connections:
//   caller:    like probes/tls.ts today — the opener reads the greeting, sends AUTH TLS, waits for
//              234 and hands the socket over (4 round trips per handshake);
//   pipelined: the prober gets `transport: { dial, starttls }` and pipelines the preamble itself.
//
//   node bench/tls-inventory.mjs [--port 21024] [--implicit] [--delay 25] [--connections 4] [--mode pipelined|caller]
//                                [--rtt-hint MS (as detection would pass it)] [--runs 3] [--json]
//
// `measureInventory` is used by bench/run.mjs.
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRelay } from './relay.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function dialer(port) {
  return () =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
      const t = setTimeout(() => {
        s.destroy();
        reject(Object.assign(new Error('connect timeout'), { code: 'timeout' }));
      }, 8000);
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
}

/** Reads one complete FTP reply (multi-line aware) from a socket; bounded. */
function readReply(s, ms) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(Object.assign(new Error('no reply'), { code: 'timeout' })), ms);
    const onData = (d) => {
      buf += d.toString('latin1');
      if (buf.length > 65536) return done(Object.assign(new Error('reply too long'), { code: 'protocol-error' }));
      const lines = buf.split('\r\n');
      const code = /^\d{3}/.exec(lines[0])?.[0];
      if (code && lines.some((l) => l.startsWith(`${code} `) || l === code)) done(null, Number(code));
    };
    const onEnd = () =>
      done(Object.assign(new Error(`closed: ${buf.trim()}`), { code: /^421/m.test(buf) ? 'refused-by-server' : 'closed' }));
    function done(err, code) {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onEnd);
      if (err) reject(err);
      else resolve(code);
    }
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onEnd);
  });
}

/** The opener probes/tls.ts uses today: greeting, AUTH TLS, 234, hand over. */
function callerOpen(port) {
  const dial = dialer(port);
  return async () => {
    const s = await dial();
    try {
      const g = await readReply(s, 8000);
      if (g !== 220) throw Object.assign(new Error(`greeting ${g}`), { code: g === 421 ? 'refused-by-server' : 'protocol-error' });
      s.write('AUTH TLS\r\n');
      const a = await readReply(s, 8000);
      if (a !== 234) throw Object.assign(new Error(`AUTH TLS ${a}`), { code: a === 421 ? 'refused-by-server' : 'protocol-error' });
      return s;
    } catch (err) {
      s.destroy();
      throw err;
    }
  };
}

/**
 * One inventory of 127.0.0.1:`port` through a relay with `delay` ms each way. Returns the
 * prober's result figures and what the relay counted.
 */
export async function measureInventory({ port, implicit = false, delay = 25, connections = 4, mode = 'pipelined', rttHint = null }) {
  const { probeTls } = await import(pathToFileURL(path.join(ROOT, 'dist/src/tls/prober.js')).href);
  const relay = await startRelay({ target: port, delayMs: delay });
  try {
    const dial = dialer(relay.port);
    const open = implicit ? dial : callerOpen(relay.port);
    const transport = mode === 'pipelined' ? { dial, starttls: implicit ? null : { protocol: 'ftp', command: 'AUTH TLS' } } : undefined;
    const t0 = performance.now();
    const trace = process.env.XFS_TRACE
      ? (e) =>
          console.log(
            `  ${String(Math.round(performance.now() - t0)).padStart(5)} ms  ${e.version.padEnd(7)} ${e.purpose.padEnd(13)} ${String(e.offered).padStart(3)} → ${e.outcome} (${e.ms} ms)`,
          )
      : undefined;
    const known = rttHint ? { rttMs: rttHint } : undefined;
    const r = await probeTls(open, { timeoutMs: 8000, serverName: 'localhost', connections, transport, onExchange: trace, known });
    const ms = Math.round(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 50 + 3 * delay));
    const counted = relay.stats();
    return {
      port,
      delay,
      mode,
      connections,
      ms,
      handshakes: r.handshakes,
      opened: r.connections,
      rttMs: r.rttMs,
      lowerBoundMs: r.lowerBoundMs,
      plan: r.plan,
      relay: { connections: counted.connections, handshakes: counted.handshakes, peakOpen: counted.peakOpen },
      result: {
        protocols: Object.entries(r.protocols)
          .filter(([, v]) => v)
          .map(([k]) => k),
        suites: Object.fromEntries(Object.entries(r.cipherSuites).map(([k, v]) => [k, v.length])),
        serverPreference: r.serverPreference,
        limited: r.limited,
        perIpLimit: r.perIpLimit,
        errors: r.errors,
      },
    };
  } finally {
    await relay.close();
  }
}

async function main() {
  const o = { port: 21024, implicit: false, delay: 25, connections: 4, mode: 'pipelined', runs: 1, json: false, 'rtt-hint': 0 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'implicit' || k === 'json') o[k] = true;
    else if (k === 'mode') o.mode = argv[++i];
    else if (k in o) o[k] = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  for (let i = 0; i < o.runs; i++) {
    const r = await measureInventory({ ...o, rttHint: o['rtt-hint'] || null });
    if (o.json) console.log(JSON.stringify(r));
    else
      console.log(
        `${o.port} ${o.mode} delay ${o.delay} cap ${o.connections}: ${r.ms} ms, ${r.handshakes} handshakes (relay ${r.relay.handshakes}), ${r.opened} connections (relay ${r.relay.connections}, peak ${r.relay.peakOpen}), rtt ${r.rttMs} ms, lower bound ${r.lowerBoundMs} ms (${r.plan.lowerBoundRtts} RTT: per handshake ${r.plan.rttsPerHandshake}, depth ${r.plan.depth}, preamble ${r.plan.preamble}) ${JSON.stringify(r.result.suites)} pref=${r.result.serverPreference}${r.result.limited ? ` LIMITED (cap learned ${r.result.perIpLimit})` : ''}${r.result.errors.length ? ` errors ${JSON.stringify(r.result.errors)}` : ''}`,
      );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
