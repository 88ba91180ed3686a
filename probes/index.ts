// The probes that run after detection, in order. One module per probe.
import type { Probe } from '../src/probe.js';
import { sshProbe } from './ssh.js';
import { tlsProbe } from './tls.js';
import { ftpLoginPolicyProbe } from './ftp-login-policy.js';
import { ftpChannelsProbe } from './ftp-channels.js';

export const PROBES: Probe[] = [sshProbe, tlsProbe, ftpLoginPolicyProbe, ftpChannelsProbe];
