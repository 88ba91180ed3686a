// The scheduler of one endpoint: detection first, then every probe that applies to what it
// found, all started together; a probe that needs another's result awaits it (the probes form a
// small DAG). Each probe gets its own dialer, holding its connection allowance within the
// endpoint's cap. A probe that throws is recorded as broken, never takes the endpoint down.
import type { AnyProbe, Attempt, ConnectContext, Detected, ProbeOptions } from './probe.js';
import { failed } from './probe.js';
import type { Endpoint } from './targets.js';
import type { Transcript } from './net/transcript.js';
import type { Dialer } from './net/dialer.js';
import { asProbeError } from './net/outcomes.js';
import { detect } from '../probes/detect.js';
import type { ProbeRun } from './assemble.js';

export interface EndpointProbing {
  detected: Detected;
  runs: ProbeRun[];
  /** connections against the endpoint's cap that detection made (the probes made the rest) */
  detectionConnections: number;
  /** detection's start to the last probe's end */
  elapsedMs: number;
}

export interface SchedulerOptions {
  target: Endpoint;
  address: string;
  dialer: Dialer;
  transcript: Transcript;
  options: ProbeOptions;
  probes: readonly AnyProbe[];
  /** told when a probe starts and ends (progress) */
  onStep?: (step: string) => void;
}

/** The probes that apply to what detection found, each needing only probes before it. */
export function applicableProbes(probes: readonly AnyProbe[], detected: Detected): AnyProbe[] {
  if (detected.state !== 'open' || !detected.service) return [];
  const service = detected.service;
  return probes.filter((p) => p.services.includes(service));
}

async function runOne(
  probe: AnyProbe,
  base: ConnectContext,
  detected: Detected,
  started: Map<string, Promise<Attempt<unknown>>>,
): Promise<ProbeRun> {
  const t0 = performance.now();
  const notRun = (id: string): Promise<Attempt<unknown>> => Promise.resolve(failed('protocol-error', `${id} did not run`));
  const inputs = Object.fromEntries(probe.needs.map((id: string) => [id, started.get(id) ?? notRun(id)]));
  const ctx = { ...base, dialer: base.dialer.withAllowance(probe.connections), detected };
  try {
    const attempt = (await probe.run(ctx, inputs)) as Attempt<unknown>;
    return { id: probe.id, section: probe.section, attempt, crashed: false, ms: performance.now() - t0 };
  } catch (err) {
    const e = asProbeError(err);
    base.transcript.note(`probe:${probe.id}`, `probe ${probe.id} failed: ${e.message}`);
    return { id: probe.id, section: probe.section, attempt: failed(e.outcome, e.message), crashed: true, ms: performance.now() - t0 };
  }
}

/** Detection, then the applicable probes; resolves when every probe has ended. */
export async function probeEndpoint(o: SchedulerOptions): Promise<EndpointProbing> {
  const base: ConnectContext = { target: o.target, address: o.address, dialer: o.dialer, transcript: o.transcript, options: o.options };
  const t0 = performance.now();
  o.onStep?.('detect');
  const detected = await detect(base);
  const detectionConnections = o.dialer.connectionsMade;
  const started = new Map<string, Promise<Attempt<unknown>>>();
  const runs: Promise<ProbeRun>[] = [];
  for (const probe of applicableProbes(o.probes, detected)) {
    if (o.dialer.aborted) break;
    o.onStep?.(probe.id);
    const run = runOne(probe, base, detected, started);
    started.set(
      probe.id,
      run.then((r) => r.attempt),
    );
    runs.push(run);
  }
  const done = await Promise.all(runs);
  // detection's SSH connection, if no probe continued on it
  detected.sshHandover?.socket.destroy();
  return { detected, runs: done, detectionConnections, elapsedMs: performance.now() - t0 };
}
