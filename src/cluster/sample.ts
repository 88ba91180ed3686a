// Sampling through a virtual address: N connections, each recording what the node that answered
// showed (greeting or identification, certificate, TLS or SSH offer, host key, PASV answer) as
// facts with the same item keys as the nodes' digests. N is sized so that every node behind
// round-robin or random balancing is reached (src/knowledge/coverage.ts).
//
// A key exchange shows one host key, so SSH connections come in blocks by host-key type, one
// block after the other (round robin then sends a block's connections to consecutive nodes): the
// first type gets the N connections, which reach every node (a node missing from the group shows
// up there: another machine has other keys). Once the group's nodes are scanned, each type whose
// keys differ between them gets a block until every one of those keys has been seen through the
// virtual address (at most N); types the nodes agree on are not asked again (the comparison of
// the nodes already covers them; each connection costs the server a process). Without listed
// nodes every type gets N. Connections run a few at a time, and the sampler stops when the
// service starts refusing them (OpenSSH PerSourcePenalties, MaxStartups).
import type { Service, VipSample } from '../model.js';
import type { Credentials } from '../probe.js';
import { EndpointDialer, type SocketBudget } from '../net/dialer.js';
import type { ConnectionRate } from '../net/rate.js';
import type { ProxySpec } from '../net/proxy.js';
import { isFtpFamily } from '../knowledge/services.js';
import type { HostKeyFamily } from '../ssh/hostkeys.js';
import { sampleSsh } from './sample-ssh.js';
import { sampleFtp } from './sample-ftp.js';

export interface VipSampling {
  host: string;
  port: number;
  address: string;
  service: Service;
  /** connections per item (per host-key type for SSH) */
  samples: number;
  /** connections at once */
  concurrency: number;
  timeoutMs: number;
  credentials: Credentials | null;
  allowCleartextLogin: boolean;
  sockets: SocketBudget;
  /** --rate for the virtual address */
  rate?: ConnectionRate | null;
  /** --proxy: the virtual address is reached through it, as partners behind it reach it */
  proxy?: ProxySpec | null;
  /** the facts of the group's nodes that answered, once they are scanned (SSH: which keys to look for) */
  nodeFacts?: () => Promise<Record<string, string>[]>;
  /** overall deadline (ms, --endpoint-timeout): then the sampling's sockets are closed */
  deadlineMs?: number;
  /** nodes the group lists as active (0: a group with only a virtual address) */
  nodeCount?: number;
}

export interface VipSampled {
  samples: VipSample[];
  error: string | null;
}

/** Consecutive connections that failed before the sampler gives up on the address. */
const GIVE_UP_AFTER = 3;

type Draw = Omit<VipSample, 'index' | 'node'>;

/** Runs `n` draws, `c` at a time; stops early after GIVE_UP_AFTER failures in a row, or when `enough()`. */
async function draws(
  n: number,
  c: number,
  draw: (i: number) => Promise<Draw>,
  out: Draw[],
  enough: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failedInARow = 0;
  const worker = async () => {
    while (next < n && failedInARow < GIVE_UP_AFTER && !enough()) {
      const i = next++;
      const d = await draw(i);
      failedInARow = d.ok ? 0 : failedInARow + 1;
      out.push(d);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(c, n)) }, worker));
}

async function timed<T extends { ok: boolean; outcome: VipSample['outcome']; facts: Record<string, string>; error?: string }>(
  run: () => Promise<T>,
): Promise<Draw & { raw: T }> {
  const t0 = performance.now();
  const r = await run();
  const d: Draw & { raw: T } = { ok: r.ok, outcome: r.outcome, ms: Math.round(performance.now() - t0), facts: r.facts, raw: r };
  if (r.error) d.error = r.error;
  return d;
}

/** One SSH sample asking for `fam`'s host key (a node without that type answers without it). */
const sshDraw = (o: VipSampling, dialer: EndpointDialer, fam: HostKeyFamily | undefined) => async (): Promise<Draw> => {
  const pick = (f: HostKeyFamily[]) => (fam ? (f.find((x) => x.family === fam.family) ?? null) : null);
  const { raw: _r, ...d } = await timed(() => sampleSsh(dialer, o.host, o.port, o.timeoutMs, pick));
  return d;
};

/** The SSH blocks: the first type N times, then the types whose keys differ between the nodes (see the top). */
async function sampleSshVip(o: VipSampling, dialer: EndpointDialer, out: Draw[]): Promise<void> {
  let families: HostKeyFamily[] = [];
  const first = await timed(() =>
    sampleSsh(dialer, o.host, o.port, o.timeoutMs, (f) => {
      families = f;
      return f[0] ?? null;
    }),
  );
  const { raw: _raw, ...firstDraw } = first;
  out.push(firstDraw);
  if (!first.ok && !first.facts.software) return;
  const failing = () => out.length >= GIVE_UP_AFTER && out.slice(-GIVE_UP_AFTER).every((d) => !d.ok);
  const nodes = o.nodeCount ?? 0;
  const asked = new Map<string, number>();
  const block = async (fam: HostKeyFamily, n: number, enough: () => boolean = () => false) => {
    const before = out.length;
    await draws(n, o.concurrency, sshDraw(o, dialer, fam), out, () => failing() || enough());
    asked.set(fam.family, (asked.get(fam.family) ?? 0) + out.length - before);
  };
  if (families[0]) await block(families[0], o.samples - 1);
  if (nodes === 0) {
    for (const fam of families.slice(1)) if (!failing()) await block(fam, o.samples);
    return;
  }
  const facts = (await o.nodeFacts?.()) ?? [];
  for (const fam of families.slice(1)) {
    const key = `ssh.hostkey.${fam.family}`;
    const held = [...new Set(facts.map((f) => f[key]).filter((v): v is string => !!v))];
    const allSeen = () => held.every((v) => out.some((d) => d.facts[key] === v));
    const left = o.samples - (asked.get(fam.family) ?? 0);
    if (held.length > 1 && !allSeen() && left > 0 && !failing()) await block(fam, left, allSeen);
  }
}

async function sampleFtpVip(o: VipSampling, dialer: EndpointDialer, out: Draw[]): Promise<void> {
  await draws(
    o.samples,
    o.concurrency,
    async () => {
      const { raw: _r, ...d } = await timed(() =>
        sampleFtp({
          dialer,
          host: o.host,
          port: o.port,
          service: o.service,
          timeoutMs: o.timeoutMs,
          credentials: o.credentials,
          allowCleartextLogin: o.allowCleartextLogin,
        }),
      );
      return d;
    },
    out,
  );
}

/** Samples one virtual address. Never throws: what could not be done is in `error`. */
export async function sampleVip(o: VipSampling): Promise<VipSampled> {
  const dialer = new EndpointDialer({
    address: o.address,
    global: o.sockets,
    connections: o.concurrency,
    rate: o.rate ?? null,
    proxy: o.proxy ?? null,
  });
  const out: Draw[] = [];
  const timer = o.deadlineMs ? setTimeout(() => dialer.abort(), o.deadlineMs) : null;
  try {
    if (o.service === 'sftp') await sampleSshVip(o, dialer, out);
    else if (isFtpFamily(o.service)) await sampleFtpVip(o, dialer, out);
    else return { samples: [], error: `nothing to sample for service ${o.service}` };
  } catch (err) {
    dialer.abort();
    return { samples: out.map((d, index) => ({ index, node: null, ...d })), error: (err as Error).message };
  } finally {
    if (timer) clearTimeout(timer);
  }
  const samples = out.map((d, index) => ({ index, node: null, ...d }));
  const late = dialer.aborted ? `the deadline (--endpoint-timeout ${o.deadlineMs} ms) passed; ` : '';
  const error = samplingError(samples, `${o.host}:${o.port}`);
  return { samples, error: late || error ? `${late}${error ?? 'sampling stopped there'}` : null };
}

/** Why sampling stopped short: nothing answered, or the service began refusing after answering. */
function samplingError(samples: VipSample[], where: string): string | null {
  const failed = samples.filter((s) => !s.ok);
  if (samples.length > 0 && failed.length === samples.length)
    return `no connection through ${where} got anywhere (${failed[0]!.error ?? failed[0]!.outcome ?? 'failed'})`;
  const tail = samples.slice(-GIVE_UP_AFTER);
  if (tail.length === GIVE_UP_AFTER && tail.every((s) => !s.ok))
    return `stopped after ${GIVE_UP_AFTER} failed connections in a row (${samples.length - failed.length} had answered): the service may be refusing this source (e.g. OpenSSH PerSourcePenalties or MaxStartups, or a connection limit on the balancer)`;
  return null;
}
