// Credentials from wherever the user names them — command line (--user, --password-env,
// --password-file, --key), inventory entries and policies (user + passwordEnv / keyFile) — read
// one way: never from the command line itself, a missing variable or unreadable file is a
// one-line error naming where it was asked for.
import fs from 'node:fs';
import type { Credentials } from './probe.js';
import { UsageError } from './targets.js';

export interface CredentialSource {
  user?: string;
  passwordEnv?: string;
  passwordFile?: string;
  keyFile?: string;
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The credentials a source names, or null without a user. `where` prefixes errors (e.g.
 * "--password-env", "inventory.csv:2: passwordEnv").
 */
export function resolveCredentials(
  src: CredentialSource,
  where: { passwordEnv: string; passwordFile?: string; keyFile: string; target?: string },
  env: NodeJS.ProcessEnv = process.env,
): Credentials | null {
  if (src.passwordEnv && src.passwordFile) throw new UsageError('give either --password-env or --password-file, not both');
  let password: string | undefined;
  if (src.passwordEnv) {
    password = env[src.passwordEnv];
    if (password === undefined)
      throw new UsageError(
        `${where.passwordEnv} ${src.passwordEnv}${where.target ? ` for ${where.target}` : ''}: that environment variable is not set`,
      );
  }
  // The first line of the file is the password (a trailing newline is not part of it).
  if (src.passwordFile)
    password = readFile(src.passwordFile, where.passwordFile ?? '--password-file')
      .toString('utf8')
      .split(/\r?\n/)[0];
  const privateKey = src.keyFile ? readFile(src.keyFile, where.keyFile) : undefined;
  if (!src.user) {
    if (password !== undefined || privateKey) throw new UsageError('a password or key was given without --user');
    return null;
  }
  return { user: src.user, password, privateKey };
}
