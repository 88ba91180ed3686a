// SSH/SFTP audit: raw KEXINIT inventory, every host key, DH-GEX sizes, auth methods and, with
// credentials, the SFTP subsystem and SFTP-only hardening (src/ssh/audit.ts does the talking).
import type { Probe } from '../src/probe.js';
import { auditSsh } from '../src/ssh/audit.js';

export const sshProbe: Probe = {
  id: 'ssh-audit',
  description: 'SSH algorithms, host keys, auth methods, SFTP subsystem and hardening',
  services: ['sftp'],
  produces: ['ssh'],
  // OpenSSH >= 9.8 penalises sources that open many unauthenticated connections.
  maxConnections: 1,
  async run(ctx) {
    const { endpoint: ep, options } = ctx;
    const creds = options.credentials;
    const carried = ctx.scratch.sshConnection;
    ctx.scratch.sshConnection = undefined;
    if (carried) ctx.transcript.note(carried.conn, 'the SSH audit continues on this connection');
    const r = await auditSsh({
      socket: carried?.socket,
      preread: carried?.sent,
      host: ctx.target.host,
      address: ctx.address,
      port: ctx.target.port,
      timeoutMs: options.timeoutMs,
      maxConnections: 6,
      credentials: creds ? { username: creds.user, password: creds.password, privateKey: creds.privateKey } : null,
      transcript: ctx.transcript,
    });
    if (r.facts) {
      // keep what detection saw before the identification line
      ep.ssh = { ...r.facts, preBanner: r.facts.preBanner ?? ep.ssh?.preBanner };
    }
    if (r.outcome && !ep.outcome) {
      ep.outcome = r.outcome;
      ep.error = r.error ?? null;
    }
  },
};
