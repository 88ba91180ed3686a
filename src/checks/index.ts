// Every check the scanner knows, in report order.
import type { Check } from './engine.js';
import { netChecks } from './net.js';
import { ftpDetectionChecks } from './ftp.js';
import { ftpDeepChecks } from './ftp-deep.js';
import { policyChecks } from './policy.js';
import { sshChecks } from './ssh.js';
import { tlsChecks } from './tls.js';
import { firewallChecks } from './firewall.js';

export const ALL_CHECKS: Check[] = [
  ...netChecks,
  ...policyChecks,
  ...ftpDetectionChecks,
  ...ftpDeepChecks,
  ...firewallChecks,
  ...tlsChecks,
  ...sshChecks,
];
