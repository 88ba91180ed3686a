// SSH with credentials: the auth methods, the SFTP subsystem, and what a file-transfer account
// may do besides SFTP.
import type { Check } from '../../../src/checks/types.js';
import { sshAuthMethods, sshSftpOnly, sshSftpSubsystem } from '../../../src/checks/ssh/login.js';
import type { SshFacts } from '../../../src/model.js';
import { checkCases, type CheckCase } from './harness.js';
import { hardenedSsh, notSshRows, sshEndpoint } from './facts.js';

const ssh = (over: Partial<SshFacts> = {}) => sshEndpoint(hardenedSsh(over));
const sshCases = (check: Check, rows: CheckCase[], lists = true) => checkCases(check, [...notSshRows(lists), ...rows]);

sshCases(
  sshAuthMethods,
  [
    { name: 'not probed: skipped', endpoint: ssh({ authProbe: undefined }), expect: { status: 'skipped', detail: /were not probed/ } },
    {
      name: 'the probe failed: skipped with its error',
      endpoint: ssh({ authProbe: { ok: false, error: 'connection closed by the server', noneAccepted: false, username: 'xferscan' } }),
      expect: { status: 'skipped', detail: /could not be learned: connection closed by the server$/ },
    },
    {
      name: '"none" accepted: fail, critical, its own remediation',
      endpoint: ssh({ authMethods: [], authProbe: { ok: true, error: null, noneAccepted: true, username: 'xferscan' } }),
      expect: { status: 'fail', severity: 'critical', detail: /no credentials needed/, remediation: /PermitEmptyPasswords no/ },
    },
    {
      name: 'password only: warn, medium',
      endpoint: ssh({ authMethods: ['password', 'keyboard-interactive'] }),
      expect: { status: 'warn', severity: 'medium', detail: /^password-only authentication/ },
    },
    {
      name: 'keys and passwords: info',
      endpoint: ssh({ authMethods: ['publickey', 'password'] }),
      expect: { status: 'info', detail: /\(passwords accepted alongside keys\)$/, evidence: { some: [{ label: /as xfssftp/ }] } },
    },
    { name: 'keys only: info', endpoint: ssh(), expect: { status: 'info', detail: /^authentication methods offered: publickey$/ } },
  ],
  false,
);

const NO_CREDS: Partial<SshFacts> = { login: null, sftp: null, sftpOnly: null };
const LOGIN_FAILED: Partial<SshFacts> = {
  login: { attempted: true, ok: false, method: 'password', error: 'All configured authentication methods failed' },
};

sshCases(
  sshSftpSubsystem,
  [
    { name: 'no credentials: skipped', endpoint: ssh(NO_CREDS), expect: { status: 'skipped', detail: /^needs credentials/ } },
    {
      name: 'login failed: skipped',
      endpoint: ssh(LOGIN_FAILED),
      expect: { status: 'skipped', detail: /login failed, SFTP not tried: All configured/ },
    },
    {
      name: 'logged in, the subsystem not probed: error',
      endpoint: ssh({ sftp: null }),
      expect: { status: 'error', detail: /not probed/ },
    },
    {
      name: 'opened: pass, with version and extensions',
      endpoint: ssh(),
      expect: { status: 'pass', detail: /^SFTP subsystem opened as xfssftp: protocol version 3, 2 extensions, working directory \/$/ },
    },
    {
      name: 'refused (no Subsystem line): fail, high',
      endpoint: ssh({ sftp: { opened: false, version: null, extensions: {}, error: 'subsystem request failed on channel 0' } }),
      expect: {
        status: 'fail',
        severity: 'high',
        detail: /did not open: subsystem request failed/,
        remediation: /Subsystem sftp internal-sftp/,
      },
    },
  ],
  false,
);

sshCases(
  sshSftpOnly,
  [
    { name: 'no credentials: skipped', endpoint: ssh(NO_CREDS), expect: { status: 'skipped', detail: /^needs credentials/ } },
    { name: 'login failed: skipped', endpoint: ssh(LOGIN_FAILED), expect: { status: 'skipped', detail: /hardening not tried/ } },
    { name: 'logged in, nothing tried: error', endpoint: ssh({ sftpOnly: null }), expect: { status: 'error' } },
    {
      name: 'ForceCommand internal-sftp, no forwarding: pass',
      endpoint: ssh(),
      expect: { status: 'pass', detail: /^xfssftp is restricted to SFTP/, evidence: { count: 3 } },
    },
    {
      name: 'the lab xfsuser gets a shell, exec and forwarding: fail',
      endpoint: ssh({
        authProbe: { ok: true, error: null, noneAccepted: false, username: 'xfsuser' },
        sftpOnly: {
          shell: 'allowed',
          exec: 'allowed',
          forwarding: 'allowed',
          details: {
            shell: 'shell ran our echo command (exit 0)',
            exec: "exec 'id' ran (exit 0): uid=1001(xfsuser)",
            forwarding: 'direct-tcpip channel to 127.0.0.1:22022 opened',
          },
        },
      }),
      expect: {
        status: 'fail',
        severity: 'medium',
        detail: /^xfsuser can do more than file transfer: shell, exec, forwarding allowed/,
        remediation: /ForceCommand internal-sftp/,
      },
    },
    {
      name: 'one answer inconclusive, the rest refused: warn',
      endpoint: ssh({
        sftpOnly: {
          ...hardenedSsh().sftpOnly!,
          forwarding: 'error',
          details: { ...hardenedSsh().sftpOnly!.details, forwarding: 'channel closed unanswered' },
        },
      }),
      expect: { status: 'warn', detail: /forwarding inconclusive; the rest refused$/ },
    },
  ],
  false,
);
