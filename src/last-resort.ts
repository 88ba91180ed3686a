// The process-level last resort: an exception nothing caught (a bug in a callback, a rejected
// promise nobody awaited) must not end the run with a stack trace and no report. One line on
// stderr (the stack only with XFERSCAN_DEBUG=1), the report of what finished (the running scan
// registers how to write it), exit 1.
import { EXIT } from './knowledge/exit-code.js';

type Emergency = () => Promise<void>;

let emergency: Emergency | null = null;
let installed = false;
let handling = false;

/** The running scan's way to write the report of what finished; returns its unregistration. */
export function onLastResort(fn: Emergency): () => void {
  emergency = fn;
  return () => {
    if (emergency === fn) emergency = null;
  };
}

/** How long the report of what finished may take before the process exits anyway. */
const WRITE_LIMIT_MS = 5000;

function lastResort(err: unknown): void {
  const message = (err as Error)?.message ?? String(err);
  if (handling) {
    // a second failure while writing the report: give up at once, still without a trace
    process.stderr.write(`xferscan: internal error while writing the report: ${message.split('\n')[0]}\n`);
    process.exit(EXIT.SCAN_ERROR);
  }
  handling = true;
  process.exitCode = EXIT.SCAN_ERROR;
  const write = emergency;
  process.stderr.write(
    `xferscan: internal error: ${message.split('\n')[0]}${write ? ' (the report of what finished is written; the rest are marked as errors)' : ''}\n`,
  );
  if (process.env.XFERSCAN_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  const exit = () => process.exit(EXIT.SCAN_ERROR);
  setTimeout(exit, WRITE_LIMIT_MS).unref();
  if (!write) return exit();
  write().then(exit, (e: unknown) => {
    process.stderr.write(`xferscan: the report could not be written: ${(e as Error)?.message ?? String(e)}\n`);
    exit();
  });
}

export function installLastResort(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
}
