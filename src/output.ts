// Where a report goes, checked before the scan starts: -o into a missing or read-only directory
// is a one-line error at once, not an "internal error" after minutes of scanning. Also what the
// renderers are asked for (colour only on a terminal, never under NO_COLOR), the signing key, and
// a stdout whose reader went away (`xferscan scan … | head -1`), which ends the run quietly with
// the scan's own exit code.
import fs from 'node:fs';
import path from 'node:path';
import type { RenderOptions } from '../reports/index.js';
import { UsageError } from './targets.js';
import { INPUT_LIMITS, readLimited } from './files.js';
import { loadSigningKey, signReport, SigningError } from './report-meta.js';
import type { KeyObject } from 'node:crypto';

/** Throws a UsageError unless `file` can be created or overwritten. */
export function checkOutputPath(file: string, what = '--output'): void {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    throw new UsageError(`${what} ${file}: the directory ${dir} does not exist (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isDirectory()) throw new UsageError(`${what} ${file}: ${dir} is not a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${what} ${file}: cannot write in ${dir} (permission denied)`);
  }
  try {
    const f = fs.statSync(file);
    if (f.isDirectory()) throw new UsageError(`${what} ${file}: is a directory`);
    fs.accessSync(file, fs.constants.W_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`${what} ${file}: cannot write it (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** Writes a report file; a failure is one line naming the file. */
export function writeOutput(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org) unless --color says so. */
export function useColor(
  explicit: boolean | undefined,
  format: string,
  toFile: boolean,
  stream: { isTTY?: boolean } = process.stdout,
): boolean {
  if (explicit !== undefined) return explicit;
  if (process.env.NO_COLOR) return false;
  return format === 'table' && !!stream.isTTY && !toFile;
}

/** The renderers' options from the command line (scan, report, merge). */
export function renderOptionsFrom(a: Record<string, unknown>, format: string): RenderOptions {
  const level = a.all ? 'all' : ((a.level as RenderOptions['level']) ?? 'warn');
  return {
    width: process.stdout.columns,
    color: useColor(a.color as boolean | undefined, format, !!a.output),
    level,
    quiet: !!a.quiet,
    verbose: !!a.verbose,
    sarifAll: !!a['sarif-all'],
    junitFailOnWarn: !!a['junit-fail-on-warn'],
  };
}

/** --sign-key FILE: read and checked before the scan; needs a JSON report written with -o. */
export function signingKeyFrom(a: Record<string, unknown>, format: string): KeyObject | null {
  const file = a['sign-key'] as string | undefined;
  if (!file) return null;
  if (format !== 'json') throw new UsageError('--sign-key signs the JSON report: use it with --format json');
  if (!a.output) throw new UsageError('--sign-key writes a detached signature next to the report: give --output FILE');
  try {
    return loadSigningKey(readLimited(file, INPUT_LIMITS.key, `--sign-key ${file}`));
  } catch (err) {
    if (err instanceof SigningError) throw new UsageError(`--sign-key ${file}: ${err.message}`);
    throw err;
  }
}

/** Writes REPORT.sig beside the report; returns its path. */
export function writeSignature(reportFile: string, report: object, key: KeyObject): string {
  const sigFile = `${reportFile}.sig`;
  writeOutput(sigFile, `${JSON.stringify(signReport(report, key), null, 2)}\n`);
  return sigFile;
}

let pipeClosed = false;
/** true once stdout's reader has gone away (EPIPE): nothing more is written to it. */
export const stdoutClosed = () => pipeClosed;

/**
 * A reader that goes away (`| head -1`) is not an error: stop writing, keep the exit code the
 * run sets, print nothing. Without this, Node turns EPIPE into an unhandled 'error' event.
 */
export function quietOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      pipeClosed = true;
      stream.destroy();
      return;
    }
    process.stderr.write(`xferscan: cannot write the output (${err.code ?? err.message})\n`);
    process.exitCode = 1;
  });
}
