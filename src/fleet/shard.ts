// --shard i/n: splits an inventory across CI jobs by a stable hash of host:port (not by position),
// so adding or reordering targets moves only the endpoints that changed, and every endpoint lands
// in exactly one shard whatever order the file lists them in.
import crypto from 'node:crypto';
import { UsageError } from '../targets.js';

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

/**
 * --shard auto: the shard of a Kubernetes Indexed Job pod. Kubernetes sets JOB_COMPLETION_INDEX
 * (0-based) in each pod; the Job passes its completion count as JOB_COMPLETIONS (the manifest
 * in docs/ci/ sets it from spec.completions). Shard = index + 1 of completions.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard {
  const idx = env.JOB_COMPLETION_INDEX;
  const count = env.JOB_COMPLETIONS;
  if (idx === undefined || count === undefined)
    throw new UsageError(
      "--shard auto needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job) and JOB_COMPLETIONS (set it to the Job's completions) in the environment",
    );
  if (!/^\d+$/.test(idx.trim()) || !/^\d+$/.test(count.trim()))
    throw new UsageError(
      `--shard auto: JOB_COMPLETION_INDEX and JOB_COMPLETIONS must be whole numbers (got ${JSON.stringify(idx)}, ${JSON.stringify(count)})`,
    );
  return parseShard(`${Number(idx) + 1}/${Number(count)}`);
}

export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  if (text.trim().toLowerCase() === 'auto') return shardFromEnv(env);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`invalid --shard "${text}": expected I/N, e.g. 2/4 (shards are numbered from 1)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000) throw new UsageError(`invalid --shard "${text}": N must be from 1 to 10000`);
  if (index < 1 || index > count)
    throw new UsageError(`invalid --shard "${text}": I must be from 1 to ${count} (shards are numbered from 1)`);
  return { index, count };
}

/** The shard (1-based) an endpoint belongs to: SHA-256 of "host:port" (host lower-cased), as a number mod n. */
export function shardOf(host: string, port: number, count: number): number {
  const h = crypto.createHash('sha256').update(`${host.toLowerCase()}:${port}`).digest();
  // 48 bits are plenty and stay exact in a double.
  return (h.readUIntBE(0, 6) % count) + 1;
}

/**
 * The items of one shard. `groupOf` names the group an item belongs to: a group's nodes are
 * compared with each other, so they all land in the shard of the group's name.
 */
export function inShard<T extends { host: string; port: number }>(
  items: T[],
  shard: Shard | null,
  groupOf?: (item: T) => string | null,
): T[] {
  if (!shard || shard.count === 1) return items;
  return items.filter((e) => {
    const g = groupOf?.(e);
    return (g ? shardOfGroup(g, shard.count) : shardOf(e.host, e.port, shard.count)) === shard.index;
  });
}

/** The shard (1-based) a group belongs to: SHA-256 of "group:NAME", as a number mod n. */
export function shardOfGroup(name: string, count: number): number {
  const h = crypto.createHash('sha256').update(`group:${name}`).digest();
  return (h.readUIntBE(0, 6) % count) + 1;
}
