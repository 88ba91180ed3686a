// Reading the user's files (reports, policies, profiles, inventories): a missing or unreadable
// file is a one-line error naming it, in the caller's error class, never a stack trace.
import fs from 'node:fs';
import { UsageError } from './targets.js';

export function readTextFile(file: string, describe = file, makeError: (message: string) => Error = (m) => new UsageError(m)): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw makeError(`${describe}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
