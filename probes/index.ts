// The probes that run after detection (probes/detect.ts). One module per probe, one line here.
// A probe's needs must come before it in this list (a test checks it).
import type { AnyProbe } from '../src/probe.js';
import { tlsProbe } from './tls.js';
import { tlsVulnsProbe } from './tls-vulns.js';
import { ftpAnonymousProbe, ftpLoginPolicyProbe } from './ftp-login-policy.js';
import { ftpChannelsProbe } from './ftp-channels.js';
import { sshProbe } from './ssh.js';
import { ftpTransferSequenceProbe } from './ftp-transfer-sequence.js';

export const PROBES: readonly AnyProbe[] = [
  sshProbe,
  tlsProbe,
  tlsVulnsProbe,
  ftpAnonymousProbe,
  ftpLoginPolicyProbe,
  ftpChannelsProbe,
  ftpTransferSequenceProbe,
];
