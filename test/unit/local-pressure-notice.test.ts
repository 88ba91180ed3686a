// Out of file descriptors: the scan says so once on stderr (src/commands/scan.ts writes what
// onLocalPressure hands it), however many endpoints meet it, and then backs off on its own. The
// dial is replaced so that no descriptor is really exhausted: the first dials fail with EMFILE,
// the later ones find the port closed.
import { describe, expect, it, vi } from 'vitest';
import { LocalResourceError } from '../../src/net/outcomes.js';
import type * as Tcp from '../../src/net/tcp.js';

const dials = vi.hoisted(() => ({ n: 0, failFirst: 0 }));
vi.mock('../../src/net/tcp.js', async (original) => ({
  ...(await original<typeof Tcp>()),
  connectTcp: async (address: string) => {
    dials.n += 1;
    if (dials.n <= dials.failFirst) throw new LocalResourceError('EMFILE', 'connect');
    return { state: 'closed', socket: null, address, ms: 0, code: 'ECONNREFUSED' };
  },
}));

const { scan, localPressureLine } = await import('../../src/scan.js');
const { Progress } = await import('../../src/fleet/progress.js');

const targets = [1, 2, 3].map((i) => ({ input: `127.0.0.1:${i}`, host: '127.0.0.1', port: i, expectedService: null, scheme: null }));

async function run(failFirst: number) {
  dials.n = 0;
  dials.failFirst = failFirst;
  const seen: LocalResourceError[] = [];
  const report = await scan(targets, {
    timeoutMs: 1000,
    connections: 2,
    credentials: null,
    allowForeignPasv: false,
    active: false,
    writeTest: false,
    allowCleartextLogin: false,
    caFile: null,
    concurrency: 3,
    profile: 'baseline',
    checkOptions: {},
    onLocalPressure: (err) => seen.push(err),
  });
  return { report, seen };
}

describe('local resource pressure is said once', () => {
  it('three endpoints out of descriptors at once: one notice, then each is scanned again and reported', async () => {
    const { report, seen } = await run(3);
    expect(seen.map((e) => e.code)).toEqual(['EMFILE']);
    expect(report.endpoints.map((e) => e.state)).toEqual(['closed', 'closed', 'closed']);
    expect(report.endpoints.every((e) => !e.notScanned)).toBe(true);
  });

  it('no pressure, no notice', async () => {
    expect((await run(0)).seen).toEqual([]);
  });

  it('the line names the cause and the fix, and clears a live progress line before it', () => {
    const line = localPressureLine({ code: 'EMFILE' });
    expect(line).toBe(
      'xferscan: too many open files in this process (EMFILE): slowing down and scanning the endpoints affected again, one at a time; raise the limit (ulimit -n) or lower --concurrency / --max-sockets\n',
    );
    const written: string[] = [];
    const stream = { write: (s: string) => written.push(s), isTTY: true, columns: 80 } as unknown as NodeJS.WriteStream;
    const p = new Progress({ total: 1, stream, tty: true, redrawMs: 60_000 });
    p.update({ host: '127.0.0.1', port: 1, state: 'closed', findings: [] } as never);
    p.note(line);
    p.stop();
    const i = written.indexOf(line);
    expect(i).toBeGreaterThan(0);
    expect(written[i - 1]).toBe('\r\x1b[K');
    expect(written.slice(i + 1)).toEqual([]);
  });
});
