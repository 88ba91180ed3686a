// Progress: a live line redrawn on a timer (it moves while one slow endpoint works, showing its
// step), a heartbeat every ~10 s when stderr is not a terminal, and closed ports are not failures.
import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/fleet/progress.js';

const ep = (host: string, port: number, state: string, statuses: string[] = []) =>
  ({ host, port, state, service: state === 'open' ? 'ftp' : null, findings: statuses.map((status) => ({ status })) }) as never;

function fakeStream(tty: boolean) {
  const out: string[] = [];
  return { out, stream: { write: (s: string) => out.push(s), columns: 100, isTTY: tty } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('shows done/total, elapsed, and what each endpoint in flight is doing', () => {
    let t = 0;
    const { stream } = fakeStream(true);
    const p = new Progress({ total: 3, now: () => t, stream });
    p.onStep({ host: 'a', port: 21 }, 'detect');
    p.onStep('[::1]:22', 'ssh');
    t = 4000;
    p.onStep({ host: 'a', port: 21 }, 'tls');
    t = 9000;
    expect(p.line()).toBe('[0/3] 9s · in flight 2: a:21 tls 5s, [::1]:22 ssh 9s');
    p.update(ep('a', 21, 'open', ['fail', 'pass']));
    p.update(ep('b', 22, 'closed'));
    expect(p.line()).toBe('[2/3] 9s · 1 with failures, 1 not open · in flight 1: [::1]:22 ssh 9s');
    expect(p.failures).toBe(1); // the closed port is not a failure
  });

  it('redraws on a timer on a terminal, so one slow endpoint never freezes the line', async () => {
    const { out, stream } = fakeStream(true);
    const p = new Progress({ total: 1, stream, redrawMs: 20 }).start();
    p.onStep('slow:21', 'tls-inventory');
    await new Promise((r) => setTimeout(r, 120));
    p.stop();
    const draws = out.filter((s) => s.startsWith('\r\x1b[K['));
    expect(draws.length).toBeGreaterThan(2);
    expect(draws.at(-1)).toContain('slow:21 tls-inventory');
    expect(out.at(-1)).toBe('\r\x1b[K'); // the line is cleared before the report
  });

  it('writes heartbeat lines (no cursor movement) when stderr is not a terminal', async () => {
    const { out, stream } = fakeStream(false);
    const p = new Progress({ total: 2, stream, heartbeatMs: 30 }).start();
    p.onStep('h:990', 'detect');
    await new Promise((r) => setTimeout(r, 100));
    p.stop();
    expect(out.length).toBeGreaterThan(1);
    for (const l of out) expect(l).toMatch(/^xferscan: \[0\/2\] \d+s · in flight 1: h:990 detect \d+s\n$/);
  });

  it('keeps to the terminal width and prints nothing a server could have sent', () => {
    const { stream } = fakeStream(true);
    const p = new Progress({ total: 40, stream });
    for (let i = 0; i < 40; i++) p.onStep(`host-${i}.example.com:21`, `step\x1b[2J${i}`);
    const line = p.line(60);
    expect(line.length).toBeLessThanOrEqual(60);
    expect(line).not.toMatch(/[\x00-\x1f]/);
  });
});
