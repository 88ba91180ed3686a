// SSH/SFTP audit: raw KEXINIT inventory, every host key, DH-GEX sizes, auth methods and, with
// credentials, the SFTP subsystem and SFTP-only hardening (src/ssh/audit.ts does the talking).
import { completed, failed, type Probe } from '../src/probe.js';
import type { SshFacts } from '../src/model.js';
import { auditSsh } from '../src/ssh/audit.js';

/** The audit's facts: everything of SshFacts but what the identification line gave detection. */
export type SshAudit = Omit<SshFacts, 'preBanner'>;

export const sshProbe: Probe<SshAudit | null> = {
  id: 'ssh-audit',
  description: 'SSH algorithms, host keys, auth methods, SFTP subsystem and hardening',
  services: ['sftp'],
  section: 'ssh',
  needs: [],
  // the first key exchange, both group exchanges and the auth step run side by side; OpenSSH
  // >= 9.8 penalises sources that open many unauthenticated connections, so no more than that
  connections: 4,
  async run(ctx) {
    // detection was turned away to the last attempt (OpenSSH over MaxStartups): nothing to audit
    if (ctx.detected.outcome === 'refused-by-server') return completed(null);
    const { options } = ctx;
    const creds = options.credentials;
    const carried = ctx.detected.sshHandover;
    if (carried) ctx.transcript.note(carried.conn, 'the SSH audit continues on this connection', 'ssh-kex');
    const r = await auditSsh({
      socket: carried?.socket,
      preread: carried?.sent,
      host: ctx.target.host,
      address: ctx.address,
      port: ctx.target.port,
      dialer: ctx.dialer,
      timeoutMs: options.timeoutMs,
      maxConnections: 6,
      credentials: creds ? { username: creds.user, password: creds.password, privateKey: creds.privateKey } : null,
      transcript: ctx.transcript,
      // detection's TCP connect took about one round trip: a WAN is known before the first KEXINIT
      rttHintMs: ctx.detected.connectMs,
    });
    const { preBanner: _pre, ...facts } = r.facts ?? { preBanner: undefined };
    const audit = r.facts ? (facts as SshAudit) : null;
    if (r.outcome) return failed(r.outcome, r.error ?? r.outcome, audit);
    return completed(audit);
  },
};
