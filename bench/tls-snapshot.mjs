#!/usr/bin/env node
// TLS results snapshot: scans the lab's FTPS endpoints with the built CLI and keeps what the TLS
// inventory found (protocols, suites in order, preference, groups, extensions, certificates) —
// not how long it took. Used to prove that a change to the prober changes no result:
//
//   node bench/tls-snapshot.mjs --out before.json            # on the old build
//   node bench/tls-snapshot.mjs --compare before.json        # on the new one: exit 1 on a difference
//
// Options: --runs N (default 2: each endpoint is scanned N times and must agree with itself),
// --connections N (passed to xferscan), --ports 21021,21990,… (default: the five lab FTPS endpoints).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/xferscan.js');
const ENDPOINTS = [
  { name: 'vsftpd-explicit', target: '127.0.0.1:21021' },
  { name: 'vsftpd-implicit', target: 'ftps://127.0.0.1:21990' },
  { name: 'vsftpd-lax', target: '127.0.0.1:21025' },
  { name: 'proftpd-tls', target: '127.0.0.1:21023' },
  { name: 'pureftpd-tls', target: '127.0.0.1:21024' },
];

/** The result part of TlsFacts: everything but the probe's bookkeeping (times, counts). */
export function tlsResult(tls) {
  if (!tls) return null;
  const { probe, negotiated, dataChannel, ...rest } = tls;
  void negotiated;
  void dataChannel;
  return {
    ...rest,
    probe: probe ? { chainSource: probe.chainSource, evidence: probe.evidence?.filter((e) => !/connection set-up/.test(e.label)) } : null,
  };
}

function parseArgs(argv) {
  const o = { out: null, compare: null, runs: 2, connections: null, ports: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = argv[++i];
    else if (a === '--compare') o.compare = argv[++i];
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--connections') o.connections = Number(argv[++i]);
    else if (a === '--ports') o.ports = argv[++i].split(',').map(Number);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function scanOnce(target, connections) {
  const args = [BIN, 'scan', target, '--format', 'json', ...(connections ? ['--connections', String(connections)] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Math.round(performance.now() - t0);
  const ep = JSON.parse(r.stdout).endpoints[0];
  return { ms, tlsMs: ep.tls?.probe?.ms ?? null, result: tlsResult(ep.tls), errors: ep.tls?.probe?.errors ?? [] };
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const eps = o.ports ? ENDPOINTS.filter((e) => o.ports.some((p) => e.target.endsWith(`:${p}`))) : ENDPOINTS;
  const snap = {};
  let bad = 0;
  for (const ep of eps) {
    const runs = [];
    for (let i = 0; i < o.runs; i++) runs.push(scanOnce(ep.target, o.connections));
    const same = runs.every((r) => JSON.stringify(r.result) === JSON.stringify(runs[0].result));
    if (!same) {
      bad++;
      console.log(`${ep.name}: two scans disagree with each other`);
    }
    snap[ep.name] = runs[0].result;
    console.log(
      `${ep.name}: scan ${runs.map((r) => r.ms).join('/')} ms, tls ${runs.map((r) => r.tlsMs).join('/')} ms${runs[0].errors.length ? `; errors ${JSON.stringify(runs[0].errors)}` : ''}`,
    );
  }
  if (o.out) fs.writeFileSync(o.out, `${JSON.stringify(snap, null, 1)}\n`);
  if (o.compare) {
    const before = JSON.parse(fs.readFileSync(o.compare, 'utf8'));
    for (const name of Object.keys(snap)) {
      const a = JSON.stringify(before[name], null, 1);
      const b = JSON.stringify(snap[name], null, 1);
      if (a === b) console.log(`${name}: identical`);
      else {
        bad++;
        const al = a.split('\n');
        const bl = b.split('\n');
        const first = al.findIndex((l, i) => l !== bl[i]);
        console.log(
          `${name}: DIFFERS at line ${first}:\n  before: ${al.slice(first, first + 4).join(' ')}\n  after:  ${bl.slice(first, first + 4).join(' ')}`,
        );
      }
    }
  }
  process.exitCode = bad ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
