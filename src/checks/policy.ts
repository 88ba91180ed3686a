import type { Check } from './engine.js';

export const policyChecks: Check[] = [
  {
    id: 'POLICY-EXPECTED-SERVICE',
    title: 'Expected service',
    severity: 'high',
    controls: [],
    remediation: 'Make the endpoint offer the agreed service (e.g. ftpes:// means explicit FTPS with TLS required; sftp:// means SSH on this port), or correct the target/policy.',
    run: ({ endpoint: ep }) => {
      if (!ep.expectedService) return null;
      if (ep.state !== 'open') return { status: 'skipped', detail: `port is ${ep.state}; nothing to compare` };
      if (ep.service === ep.expectedService) return { status: 'pass', detail: `found ${ep.service}, as expected` };
      return { status: 'fail', detail: `expected ${ep.expectedService}, found ${ep.service ?? 'nothing recognisable'}` };
    },
  },
];
