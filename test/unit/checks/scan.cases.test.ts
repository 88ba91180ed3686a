// The scan itself: a probe that broke, or an endpoint whose deadline passed, is an error
// finding, so a partial result is never read as a clean one.
import { probeError } from '../../../src/checks/scan/probe-error.js';
import { checkCases } from './harness.js';
import { ftpEndpoint, hardenedSsh, sshEndpoint, vsftpdStrict } from './facts.js';

const withRuns = (runs: NonNullable<ReturnType<typeof ftpEndpoint>['probeRuns']>) => {
  const ep = ftpEndpoint(vsftpdStrict());
  ep.probeRuns = runs;
  return ep;
};

checkCases(probeError, [
  { name: 'every probe completed: nothing to report', endpoint: ftpEndpoint(vsftpdStrict()), expect: null },
  { name: 'an endpoint without probe runs (SSH fixture): nothing to report', endpoint: sshEndpoint(hardenedSsh()), expect: null },
  {
    name: 'a probe that failed with an outcome is a fact, not a broken probe',
    endpoint: withRuns([
      { probe: 'ssh-audit', status: 'failed', outcome: 'refused-by-server', detail: 'connection closed by the server', ms: 12 },
    ]),
    expect: null,
  },
  {
    name: 'a probe that threw: error, naming it',
    endpoint: withRuns([
      { probe: 'tls-inventory', status: 'completed', ms: 900 },
      { probe: 'ftp-channels', status: 'error', detail: "internal: Cannot read properties of undefined (reading 'code')", ms: 40 },
    ]),
    expect: {
      status: 'error',
      severity: 'info',
      title: /^Probe ftp-channels could not finish$/,
      detail: /^internal: Cannot read properties/,
      remediation: 'none',
    },
  },
  {
    name: 'the endpoint deadline and a broken probe: one error each',
    endpoint: withRuns([
      { probe: 'ftp-anonymous', status: 'error', detail: 'internal: boom', ms: 3 },
      { probe: 'scheduler', status: 'error', outcome: 'timeout', detail: 'endpoint deadline of 300000 ms reached', ms: 300000 },
    ]),
    expect: [
      { status: 'error', title: /^Probe ftp-anonymous could not finish$/ },
      { status: 'error', title: /^Endpoint deadline reached$/, detail: /deadline of 300000 ms/ },
    ],
  },
  {
    name: 'interrupted (SIGINT) or not scanned: error, not called a deadline',
    endpoint: withRuns([
      { probe: 'scheduler', status: 'error', detail: 'the scan was interrupted (SIGINT) before this endpoint was scanned' },
    ]),
    expect: { status: 'error', title: /^Endpoint not fully scanned$/, detail: /interrupted \(SIGINT\)/ },
  },
]);
