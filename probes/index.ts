// The probes that run after detection, in order. One module per probe.
import type { Probe } from '../src/probe.js';

export const PROBES: Probe[] = [];
