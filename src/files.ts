// Reading the user's files (reports, policies, profiles, inventories): a missing or unreadable
// file is a one-line error naming it, in the caller's error class, never a stack trace. Every
// file is read with a size limit before anything parses it, chunk by chunk, so a device such as
// /dev/zero or a runaway file fails in one line instead of growing memory until the process dies.
import fs from 'node:fs';
import { UsageError } from './targets.js';

/** Limits per kind of input (bytes). */
export const INPUT_LIMITS = {
  policy: 4 * 1024 * 1024,
  profile: 4 * 1024 * 1024,
  inventory: 64 * 1024 * 1024,
  report: 256 * 1024 * 1024,
  key: 1024 * 1024,
} as const;

const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

/** Reads at most `limit` bytes; throws (in the caller's class) when the file is larger or unreadable. */
export function readLimited(
  file: string,
  limit: number,
  describe = file,
  makeError: (message: string) => Error = (m) => new UsageError(m),
  /** text inputs: a NUL byte ends the read at once (a binary file or a device such as /dev/zero) */
  text = false,
): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw makeError(`${describe}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw makeError(`${describe}: is a directory, not a file`);
    if (st.isFile() && st.size > limit) throw makeError(`${describe}: too large (${mib(st.size)}; at most ${mib(limit)})`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(limit + 1, 1024 * 1024));
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, Math.min(buf.length, limit + 1 - total), null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw makeError(`${describe}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (n === 0) break;
      if (text && buf.subarray(0, n).includes(0)) throw makeError(`${describe}: contains NUL bytes: not a text file`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > limit) throw makeError(`${describe}: larger than ${mib(limit)}; not read further`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

export function readTextFile(
  file: string,
  describe = file,
  makeError: (message: string) => Error = (m) => new UsageError(m),
  limit: number = INPUT_LIMITS.report,
): string {
  return readLimited(file, limit, describe, makeError, true).toString('utf8');
}
