// The CLI as a user meets it: help that teaches, one-line errors, exit 1 on bad input, no stack trace.
import { describe, expect, it } from 'vitest';
import { runCli, looksLikeStackTrace } from '../helpers/cli.js';

describe('xferscan CLI', () => {
  it('--help explains targets, credentials and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/xferscan scan <target\.\.\.>/);
    expect(r.stdout).toMatch(/ftpes:\/\//);
    expect(r.stdout).toMatch(/Exit codes/);
    expect(r.stdout).toMatch(/--password-env/);
  });

  it('scan --help lists the scan options', async () => {
    const r = await runCli(['scan', '--help']);
    expect(r.code).toBe(0);
    for (const opt of [
      '--ports',
      '--format',
      '--timeout',
      '--expect-passive-range',
      '--concurrency',
      '--connections',
      '--targets-file',
      '--rate',
      '--polite',
    ])
      expect(r.stdout).toContain(opt);
  });

  it.each([
    [['scan', 'http://example.com'], /unsupported scheme/],
    [['scan', 'host:99999'], /invalid port/],
    [['scan', 'exa mple'], /not a host name/],
    [['scan', '127.0.0.1', '--ports', '21,x'], /invalid port "x"/],
    [['scan', '127.0.0.1', '--timeout', '-5'], /--timeout must be/],
    [['scan', '127.0.0.1', '--rate', '0'], /--rate must be a number of connections per second above 0/],
    [['scan', '127.0.0.1', '--rate', 'fast'], /--rate must be/],
    [['scan', '127.0.0.1', '--format', 'pdf'], /Invalid values|unknown format/],
    [['scan', '127.0.0.1', '--password', 'hunter2'], /--password is refused.*--password-env/],
    [['scan', '127.0.0.1', '--user', 'u', '--password-env', 'XFERSCAN_SURELY_UNSET'], /not set/],
    [['scan', '127.0.0.1', '--expect-passive-range', '5-1'], /start is above end/],
    [['scan', '127.0.0.1', '--bogus'], /Unknown argument/],
    [['scan'], /no target given/],
    [['scan', '127.0.0.1', '--profile', 'pci-dss-9'], /unknown profile "pci-dss-9"/],
    [['example.com'], /did you mean "xferscan scan example.com"/],
  ])('%j → exit 1 with a one-line error', async (args, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
    expect(looksLikeStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain('hunter2');
  });
});
