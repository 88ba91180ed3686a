// Copies of lab servers with a connection limit, for the politeness tests and the WAN bench:
// the lab's own configuration on other ports, with one limit added. The caller stops the child.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';

/** Resolves once something on 127.0.0.1:`port` has said its first words (a greeting). */
export function waitForPort(port, tries = 50) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', () => (s.destroy(), resolve()));
    s.once('error', () => {
      s.destroy();
      if (tries <= 0) reject(new Error(`nothing on ${port}`));
      else setTimeout(() => waitForPort(port, tries - 1).then(resolve, reject), 100);
    });
  });
}

/**
 * The lab's vsftpd-explicit configuration (from `labRun`) on `port` and the `passive` range, with
 * `max_per_ip=limit` (421 beyond that many sessions from one address); its files go to `dir`.
 */
export async function startLimitedVsftpd({ labRun, dir, limit, port, passive }) {
  const conf = fs
    .readFileSync(path.join(labRun, 'conf', 'vsftpd-explicit.conf'), 'utf8')
    .replace(/^listen_port=.*$/m, `listen_port=${port}`)
    .replace(/^pasv_min_port=.*$/m, `pasv_min_port=${passive[0]}`)
    .replace(/^pasv_max_port=.*$/m, `pasv_max_port=${passive[1]}`)
    .replace(/^vsftpd_log_file=.*$/m, `vsftpd_log_file=${dir}/vsftpd-${limit}.log`)
    .concat(`\nmax_per_ip=${limit}\n`);
  const file = path.join(dir, `vsftpd-${limit}.conf`);
  fs.writeFileSync(file, conf);
  const env = { ...process.env, OPENSSL_CONF: path.join(labRun, 'conf', 'openssl-tls12.cnf') };
  const child = spawn('/usr/sbin/vsftpd', [file], { stdio: 'ignore', env });
  await waitForPort(port);
  return child;
}
