// The probes that run after detection, in order. One module per probe.
import type { Probe } from '../src/probe.js';
import { sshProbe } from './ssh.js';

export const PROBES: Probe[] = [sshProbe];
