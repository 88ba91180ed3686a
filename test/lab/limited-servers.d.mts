// Types for test/lab/limited-servers.mjs (used by the politeness tests and the WAN bench).
import type { ChildProcess } from 'node:child_process';

export function waitForPort(port: number, tries?: number): Promise<void>;

export function startLimitedVsftpd(o: {
  labRun: string;
  dir: string;
  limit: number;
  port: number;
  passive: readonly [number, number];
}): Promise<ChildProcess>;
