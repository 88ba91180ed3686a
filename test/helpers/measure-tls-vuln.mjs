#!/usr/bin/env node
// What the TLS vulnerability battery costs on the lab's FTPS endpoints (loopback), for planning,
// not a test: per endpoint, the median wall time of a full `xferscan scan` (the built CLI), of the
// hello-level inventory (probeTls) and of the battery given that inventory, with and without the
// intrusive tests, and the connections each opens. Needs `npm run build` and the lab running.
//
//   XFS_LAB_RUN=/path/to/.run node test/helpers/measure-tls-vuln.mjs [--runs 3]
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { probeTls } = await import(path.join(ROOT, 'dist/src/tls/prober.js'));
const { runVulnBattery } = await import(path.join(ROOT, 'dist/src/tls/vuln/index.js'));
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;

const LAB = [
  ['vsftpd-explicit', 21021, false],
  ['vsftpd-implicit', 21990, true],
  ['vsftpd-lax', 21025, false],
  ['proftpd-tls', 21023, false],
  ['pureftpd-tls', 21024, false],
];

const tcp = (port) => () =>
  new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
function reply(s) {
  return new Promise((resolve, reject) => {
    let b = '';
    const t = setTimeout(() => reject(new Error('timeout')), 8000);
    const on = (d) => {
      b += d.toString('latin1');
      const l = b.split('\r\n').find((x) => /^\d{3} /.test(x));
      if (l) {
        clearTimeout(t);
        s.off('data', on);
        resolve(l);
      }
    };
    s.on('data', on);
    s.once('error', reject);
  });
}
const ftpes = (port) => async () => {
  const s = await tcp(port)();
  const g = await reply(s);
  if (!g.startsWith('220')) throw Object.assign(new Error(g), { code: g.startsWith('421') ? 'refused-by-server' : 'protocol-error' });
  s.write('AUTH TLS\r\n');
  const r = await reply(s);
  if (!r.startsWith('234')) throw new Error(r);
  return s;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const [name, port, implicit] of LAB) {
  const open = implicit ? tcp(port) : ftpes(port);
  const scan = [];
  const inv = [];
  const bat = [];
  const bare = [];
  let conns = null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, [path.join(ROOT, 'bin/xferscan.js'), 'scan', `127.0.0.1:${port}`, '--format', 'json'], { stdio: 'ignore' });
    scan.push(performance.now() - t0);
    const t1 = performance.now();
    const p = await probeTls(open, { timeoutMs: 8000, serverName: 'localhost', connections: 4 });
    inv.push(performance.now() - t1);
    const b = await runVulnBattery(open, { timeoutMs: 8000, serverName: 'localhost', connections: 4, inventory: p });
    bat.push(b.ms);
    const n = await runVulnBattery(open, { timeoutMs: 8000, serverName: 'localhost', connections: 4, inventory: p, intrusive: false });
    bare.push(n.ms);
    conns = { inventory: p.connections, battery: b.connections, bare: n.connections };
  }
  rows.push({ name, scan: median(scan), inv: median(inv), bat: median(bat), bare: median(bare), conns });
}
const pad = (s, n) => String(s).padEnd(n);
console.log(
  `${pad('endpoint', 17)}${pad('full scan', 11)}${pad('inventory', 16)}${pad('battery', 16)}${pad('+% of scan', 12)}--no-intrusive`,
);
let tScan = 0;
let tBat = 0;
for (const r of rows) {
  tScan += r.scan;
  tBat += r.bat;
  console.log(
    `${pad(r.name, 17)}${pad(`${Math.round(r.scan)} ms`, 11)}${pad(`${Math.round(r.inv)} ms/${r.conns.inventory}c`, 16)}${pad(`${Math.round(r.bat)} ms/${r.conns.battery}c`, 16)}${pad(`${Math.round((100 * r.bat) / r.scan)}%`, 12)}${Math.round(r.bare)} ms/${r.conns.bare}c`,
  );
}
console.log(
  `total (one after another): scans ${Math.round(tScan)} ms, battery ${Math.round(tBat)} ms (+${Math.round((100 * tBat) / tScan)}%); medians of ${runs} runs`,
);
