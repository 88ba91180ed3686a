// Preloaded (NODE_OPTIONS=--require) into a scan by test/integration/hostile2.test.ts: throws
// from a timer after XFS_FAULT_MS, as any unexpected bug in a callback would, to prove that a
// process-level last resort writes the report of what finished instead of a stack trace.
const ms = Number(process.env.XFS_FAULT_MS || 0);
if (ms > 0) {
  setTimeout(() => {
    throw new Error('xferscan test: injected fault in a timer');
  }, ms).unref();
}
