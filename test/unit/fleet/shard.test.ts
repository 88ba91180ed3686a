import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inShard, parseShard, shardOf } from '../../../src/fleet/shard.js';

const fleet = Array.from({ length: 1000 }, (_, i) => ({ host: `10.${i >> 8}.${i & 255}.1`, port: [21, 22, 990][i % 3] }));

describe('--shard', () => {
  it('parses I/N (from 1) and rejects the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0', '-1/2']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('puts every endpoint in exactly one shard, for any N', () => {
    for (const n of [1, 2, 3, 7, 16]) {
      const parts = Array.from({ length: n }, (_, k) => inShard(fleet, { index: k + 1, count: n }));
      expect(parts.reduce((s, p) => s + p.length, 0)).toBe(fleet.length);
      const keys = parts.flat().map((e) => `${e.host}:${e.port}`);
      expect(new Set(keys).size).toBe(fleet.length);
      // roughly balanced
      if (n > 1) for (const p of parts) expect(p.length).toBeGreaterThan(fleet.length / n / 2);
    }
  });

  it('depends on host:port only, not on position or case', () => {
    const shuffled = [...fleet].reverse();
    const a = inShard(fleet, { index: 2, count: 5 })
      .map((e) => `${e.host}:${e.port}`)
      .sort();
    const b = inShard(shuffled, { index: 2, count: 5 })
      .map((e) => `${e.host}:${e.port}`)
      .sort();
    expect(a).toEqual(b);
    expect(shardOf('Files.Example.COM', 22, 8)).toBe(shardOf('files.example.com', 22, 8));
    // pinned: the hash is part of the contract between CI jobs of different versions
    expect([shardOf('files.example.com', 22, 4), shardOf('files.example.com', 21, 4), shardOf('10.0.0.1', 990, 4)]).toEqual([3, 1, 4]);
  });

  it('property: shard is in 1..N and stable', () => {
    fc.assert(
      fc.property(fc.domain(), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 64 }), (h, p, n) => {
        const s = shardOf(h, p, n);
        return s >= 1 && s <= n && s === shardOf(h, p, n);
      }),
    );
  });
});

describe('--shard auto (Kubernetes Indexed Job)', () => {
  it('takes the shard from JOB_COMPLETION_INDEX (0-based) and JOB_COMPLETIONS', async () => {
    const { parseShard } = await import('../../../src/fleet/shard.js');
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '4' })).toEqual({ index: 1, count: 4 });
    expect(parseShard('AUTO', { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '4' })).toEqual({ index: 4, count: 4 });
    expect(() => parseShard('auto', {})).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '4', JOB_COMPLETIONS: '4' })).toThrow(/I must be from 1 to 4/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: 'x', JOB_COMPLETIONS: '4' })).toThrow(/whole numbers/);
  });
});
