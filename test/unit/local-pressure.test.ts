// Out of file descriptors: once it happened, endpoints are scanned one at a time (src/scan.ts).
import { describe, expect, it } from 'vitest';
import { LocalPressure } from '../../src/scan.js';

describe('LocalPressure.serial', () => {
  it('runs one at a time, in order, and a failure does not stop the queue', async () => {
    const p = new LocalPressure();
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      order.push(i);
      running -= 1;
      if (i === 1) throw new Error('EMFILE again');
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => p.serial(job(i))));
    expect(peak).toBe(1);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  });
});
