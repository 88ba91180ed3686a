// The scan itself: a probe that broke, or an endpoint whose deadline passed, is an error finding,
// so a partial result is never read as a clean one.
import { defineCheck } from '../types.js';

export const probeError = defineCheck({
  id: 'PROBE-ERROR',
  family: 'scan',
  observes: 'a probe broke (a bug, or something it did not expect) or the endpoint deadline passed: what it would have found is missing',
  title: 'Probe could not finish',
  severity: 'info',
  remediation: '',
  run: ({ endpoint: ep }) => {
    const broken = (ep.probeRuns ?? []).filter((r) => r.status === 'error');
    if (broken.length === 0) return null;
    return broken.map((r) => ({
      status: 'error' as const,
      detail: r.detail ?? '',
      title:
        r.probe !== 'scheduler'
          ? `Probe ${r.probe} could not finish`
          : r.outcome === 'timeout'
            ? 'Endpoint deadline reached'
            : 'Endpoint not fully scanned',
    }));
  },
});
