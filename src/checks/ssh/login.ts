// What logging in shows: the auth methods offered, the SFTP subsystem, and whether a
// file-transfer account can also get a shell, run commands or forward ports.
import type { Evidence } from '../../model.js';
import { defineCheck } from '../types.js';
import { isOutcome, sshFacts } from './support.js';

export const sshAuthMethods = defineCheck({
  id: 'SSH-AUTH-METHODS',
  family: 'ssh',
  observes: 'auth methods offered; password-only is a warning',
  title: 'SSH authentication methods',
  severity: 'info',
  remediation:
    'Prefer public-key authentication: `PubkeyAuthentication yes`, `PasswordAuthentication no`, `KbdInteractiveAuthentication no` (or require both with `AuthenticationMethods publickey,password` for MFA-like setups).',
  run: ({ endpoint }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    if (!s.authProbe) return { status: 'skipped', detail: 'auth methods were not probed' };
    if (!s.authProbe.ok) return { status: 'skipped', detail: `auth methods could not be learned: ${s.authProbe.error ?? 'unknown error'}` };
    const evidence = [
      { label: `methods after a "none" attempt as ${s.authProbe.username ?? '?'}`, value: s.authMethods.join(',') || '(none listed)' },
    ];
    if (s.authProbe.noneAccepted) {
      return {
        status: 'fail',
        detail: 'the server accepted authentication method "none": no credentials needed',
        evidence,
        severity: 'critical',
        remediation:
          'Disable passwordless access: `PermitEmptyPasswords no`, remove any `AuthenticationMethods none`, and review the account.',
      };
    }
    const pw = s.authMethods.filter((m) => m === 'password' || m === 'keyboard-interactive');
    const pk =
      s.authMethods.includes('publickey') || s.authMethods.includes('hostbased') || s.authMethods.some((m) => m.startsWith('gssapi'));
    if (pw.length && !pk)
      return { status: 'warn', detail: `password-only authentication (${s.authMethods.join(', ')})`, evidence, severity: 'medium' };
    return {
      status: 'info',
      detail: `authentication methods offered: ${s.authMethods.join(', ')}${pw.length ? ' (passwords accepted alongside keys)' : ''}`,
      evidence,
    };
  },
});

export const sshSftpSubsystem = defineCheck({
  id: 'SSH-SFTP-SUBSYSTEM',
  family: 'ssh',
  observes: 'SFTP subsystem opens and its version/extensions (needs credentials)',
  title: 'SFTP subsystem',
  severity: 'high',
  remediation:
    'Enable the SFTP subsystem: `Subsystem sftp internal-sftp` (or the sftp-server path) in sshd_config, and check the account may use it.',
  run: ({ endpoint }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    if (!s.login) return { status: 'skipped', detail: 'needs credentials (--user with --password-env/--password-file or --key)' };
    if (!s.login.ok) return { status: 'skipped', detail: `login failed, SFTP not tried: ${s.login.error ?? 'unknown error'}` };
    const sftp = s.sftp as {
      opened?: boolean;
      version?: number | null;
      extensions?: Record<string, string>;
      error?: string | null;
      realpath?: string | null;
    } | null;
    if (!sftp) return { status: 'error', detail: 'logged in but the SFTP subsystem was not probed' };
    const exts = Object.entries(sftp.extensions ?? {}).map(([k, v]) => `${k}=${v}`);
    const evidence = [
      { label: 'SFTP version and extensions', value: `version ${sftp.version ?? '?'}; ${exts.join(', ') || 'no extensions'}` },
    ];
    if (sftp.opened)
      return {
        status: 'pass',
        detail: `SFTP subsystem opened as ${s.authProbe?.username ?? '?'}: protocol version ${sftp.version ?? '?'}, ${exts.length} extensions${sftp.realpath ? `, working directory ${sftp.realpath}` : ''}`,
        evidence,
      };
    return { status: 'fail', detail: `SFTP subsystem did not open: ${sftp.error ?? 'unknown error'}`, evidence };
  },
});

export const sshSftpOnly = defineCheck({
  id: 'SSH-SFTP-ONLY',
  family: 'ssh',
  observes: 'with credentials: shell, exec and port forwarding are refused for a file-transfer account',
  title: 'File-transfer account restricted to SFTP',
  severity: 'medium',
  remediation:
    'Restrict file-transfer accounts to SFTP in sshd_config:\n```\nMatch User <account>   # or Match Group sftponly\n    ForceCommand internal-sftp\n    ChrootDirectory /srv/sftp/%u\n    DisableForwarding yes\n    PermitTTY no\n```\nand give the account a non-login shell (/usr/sbin/nologin).',
  run: ({ endpoint }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    if (!s.login) return { status: 'skipped', detail: 'needs credentials (--user with --password-env/--password-file or --key)' };
    if (!s.login.ok) return { status: 'skipped', detail: `login failed, hardening not tried: ${s.login.error ?? 'unknown error'}` };
    const h = s.sftpOnly;
    if (!h) return { status: 'error', detail: 'logged in but shell/exec/forwarding were not tried' };
    const evidence: Evidence[] = [
      { label: 'shell', value: `${h.shell}: ${h.details.shell}` },
      { label: "exec 'id'", value: `${h.exec}: ${h.details.exec}` },
      { label: 'port forwarding (direct-tcpip)', value: `${h.forwarding}: ${h.details.forwarding}` },
    ];
    const allowed = (['shell', 'exec', 'forwarding'] as const).filter((k) => h[k] === 'allowed');
    const errors = (['shell', 'exec', 'forwarding'] as const).filter((k) => h[k] === 'error');
    const who = s.authProbe?.username ?? 'the account';
    if (allowed.length)
      return {
        status: 'fail',
        detail: `${who} can do more than file transfer: ${allowed.join(', ')} allowed${errors.length ? `; ${errors.join(', ')} inconclusive` : ''} (fine for an administrator, not for a file-transfer account)`,
        evidence,
      };
    if (errors.length) return { status: 'warn', detail: `${who}: ${errors.join(', ')} inconclusive; the rest refused`, evidence };
    return { status: 'pass', detail: `${who} is restricted to SFTP: shell, exec and port forwarding refused`, evidence };
  },
});
