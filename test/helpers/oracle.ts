import { execFile } from 'node:child_process';

export interface OracleResult {
  /** Exit code; -1 when the client was killed (timeout) or could not start. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for tests that match either. */
  out: string;
}

export interface OracleOptions {
  /** Written to the client's stdin, then EOF. */
  input?: string;
  /** Keep stdin open this long before EOF (openssl s_client reads a server's late alerts only while stdin is open). */
  stdinOpenMs?: number;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  maxBuffer?: number;
}

/**
 * Runs an independent client (openssl, curl, lftp, ssh, ssh-keyscan…) and resolves with what it said; never rejects.
 * A client that exits before reading its stdin (s_client refused, curl failing fast) makes our write fail with
 * EPIPE: its output already says what happened, and left unhandled the pipe's error would end the test run.
 */
export function runOracle(cmd: string, args: readonly string[], opts: OracleOptions = {}): Promise<OracleResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: opts.maxBuffer ?? 4 << 20, env: opts.env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, out: `${stdout}${stderr}` });
      },
    );
    child.stdin?.on('error', () => {});
    const close = () => child.stdin?.end(opts.input ?? '');
    if (opts.stdinOpenMs) setTimeout(close, opts.stdinOpenMs).unref();
    else close();
  });
}
