#!/usr/bin/env node
// A/B timing of two builds on the lab, alternating run by run (other work on the machine hits both
// alike): `xferscan scan` of each endpoint with the build in --a (default: this tree) and --b (e.g.
// a checkout of the commit before a change, built), medians of the whole scan and of its TLS
// inventory / SSH audit. Optional --delay MS puts bench/relay.mjs in front (one way).
//
//   node bench/ab.mjs --b /tmp/old [--runs 5] [--delay 25] [--targets 127.0.0.1:21024,ftps://127.0.0.1:21990]
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRelay } from './relay.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TARGETS = [
  '127.0.0.1:21021',
  'ftps://127.0.0.1:21990',
  '127.0.0.1:21025',
  '127.0.0.1:21023',
  '127.0.0.1:21024',
  '127.0.0.1:22022',
  '127.0.0.1:22023',
];

function parseArgs(argv) {
  const o = { a: ROOT, b: null, runs: 5, delay: null, targets: DEFAULT_TARGETS, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--a') o.a = path.resolve(argv[++i]);
    else if (k === '--b') o.b = path.resolve(argv[++i]);
    else if (k === '--runs') o.runs = Number(argv[++i]);
    else if (k === '--delay') o.delay = Number(argv[++i]);
    else if (k === '--targets') o.targets = argv[++i].split(',');
    else if (k === '--') o.extra = argv.slice(i + 1);
    else throw new Error(`unknown argument ${k}`);
    if (k === '--') break;
  }
  if (!o.b) throw new Error('--b DIR (a built checkout) is required');
  return o;
}

function scan(dir, target, extra) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, [path.join(dir, 'bin/xferscan.js'), 'scan', target, '--format', 'json', ...extra], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', () => {
      const ms = Math.round(performance.now() - t0);
      let ep = null;
      try {
        ep = JSON.parse(out).endpoints[0];
      } catch {
        /* reported as null */
      }
      resolve({ ms, part: ep?.tls?.probe?.ms ?? ep?.ssh?.audit?.ms ?? null });
    });
  });
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  console.log(
    `A = ${o.a}\nB = ${o.b}\n${o.delay === null ? 'loopback' : `relay ${o.delay} ms each way`}, ${o.runs} runs each, alternating`,
  );
  console.log('target                      A scan   B scan   A part   B part   (part: TLS inventory or SSH audit)');
  for (const t of o.targets) {
    const m = /^(?:\w+:\/\/)?([\d.]+):(\d+)$/.exec(t);
    const relay = o.delay === null ? null : await startRelay({ target: Number(m[2]), delayMs: o.delay });
    const target = relay ? t.replace(`:${m[2]}`, `:${relay.port}`) : t;
    const a = [];
    const b = [];
    for (let i = 0; i < o.runs; i++) {
      if (i % 2 === 0) {
        a.push(await scan(o.a, target, o.extra));
        b.push(await scan(o.b, target, o.extra));
      } else {
        b.push(await scan(o.b, target, o.extra));
        a.push(await scan(o.a, target, o.extra));
      }
    }
    await relay?.close();
    const f = (x) => String(x ?? '-').padStart(6);
    console.log(
      `${t.padEnd(26)} ${f(median(a.map((r) => r.ms)))}   ${f(median(b.map((r) => r.ms)))}   ${f(median(a.map((r) => r.part)))}   ${f(median(b.map((r) => r.part)))}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
