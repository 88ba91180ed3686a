// SSH: what the identification line says (protocol 1, software and version).
import type { Check } from '../../../src/checks/types.js';
import { sshProto1, sshSoftware } from '../../../src/checks/ssh/identity.js';
import type { SshFacts } from '../../../src/model.js';
import { checkCases, type CheckCase } from './harness.js';
import { hardenedSsh, notSshRows, sshEndpoint } from './facts.js';

const ssh = (over: Partial<SshFacts> = {}) => sshEndpoint(hardenedSsh(over));
const sshCases = (check: Check, rows: CheckCase[], lists = true) => checkCases(check, [...notSshRows(lists), ...rows]);

sshCases(
  sshProto1,
  [
    { name: 'protocol 2.0: pass', endpoint: ssh(), expect: { status: 'pass', detail: /^protocol 2\.0 only$/, evidence: { count: 1 } } },
    {
      name: 'SSH-1.99 (both): fail, critical',
      endpoint: ssh({ banner: 'SSH-1.99-OpenSSH_3.9p1', protoVersion: '1.99', software: 'OpenSSH_3.9p1', comments: undefined }),
      expect: { status: 'fail', severity: 'critical', detail: /protocol 1\.99: SSH-1 is accepted alongside SSH-2$/ },
    },
    {
      name: 'SSH-1.5 only: fail',
      endpoint: ssh({ banner: 'SSH-1.5-1.2.27', protoVersion: '1.5', software: '1.2.27', comments: undefined }),
      expect: { status: 'fail', detail: /protocol 1\.5: SSH-1 is accepted$/ },
    },
  ],
  false,
);

sshCases(
  sshSoftware,
  [
    {
      name: 'Debian 12 OpenSSH 9.2p1 past the regreSSHion fix: info',
      endpoint: ssh(),
      expect: { status: 'info', detail: /vendor build Debian-2\+deb12u10 is at or past the fix/, remediation: 'none' },
    },
    {
      name: 'Debian 12 before the fix (deb12u2): fail, critical',
      endpoint: ssh({ banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2', comments: 'Debian-2+deb12u2' }),
      expect: { status: 'fail', severity: 'critical', detail: /predates the fix/, remediation: /9\.8p1/ },
    },
    {
      name: 'upstream 9.6p1 with no vendor suffix: fail, critical',
      endpoint: ssh({ banner: 'SSH-2.0-OpenSSH_9.6p1', software: 'OpenSSH_9.6p1', comments: undefined }),
      expect: { status: 'fail', severity: 'critical', detail: /regreSSHion/ },
    },
    {
      name: 'a vendor build with no known fix revision: warn, high, check the vendor',
      endpoint: ssh({ banner: 'SSH-2.0-OpenSSH_9.3p1 Ubuntu-1ubuntu3.6', software: 'OpenSSH_9.3p1', comments: 'Ubuntu-1ubuntu3.6' }),
      expect: { status: 'warn', severity: 'high', detail: /may carry a backported fix/ },
    },
    {
      name: 'OpenSSH 7.2p2 without a vendor: fail (end-of-life)',
      endpoint: ssh({ banner: 'SSH-2.0-OpenSSH_7.2p2', software: 'OpenSSH_7.2p2', comments: undefined }),
      expect: { status: 'fail', detail: /released before 7\.4/ },
    },
    {
      name: 'ProFTPD mod_sftp: info, not recognised',
      endpoint: ssh({ banner: 'SSH-2.0-mod_sftp', software: 'mod_sftp', comments: undefined }),
      expect: { status: 'info', detail: /^mod_sftp \(software not recognised; no version judgement\)$/ },
    },
    {
      name: 'Dropbear: info, no advisory data',
      endpoint: ssh({ banner: 'SSH-2.0-dropbear_2022.83', software: 'dropbear_2022.83', comments: undefined }),
      expect: { status: 'info', detail: /^dropbear_2022\.83$/ },
    },
  ],
  false,
);
