// Every check the scanner knows, in report order.
import type { Check } from './engine.js';
import { netChecks } from './net.js';
import { ftpDetectionChecks } from './ftp.js';
import { policyChecks } from './policy.js';
import { sshChecks } from './ssh.js';

export const ALL_CHECKS: Check[] = [...netChecks, ...policyChecks, ...ftpDetectionChecks, ...sshChecks];
