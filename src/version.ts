import { createRequire } from 'node:module';

// Read from package.json so the report always names the version that ran.
const require = createRequire(import.meta.url);
function readVersion(): string {
  for (const p of ['../package.json', '../../package.json']) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      // try the next location (source tree vs dist/)
    }
  }
  return '0.0.0';
}
export const TOOL_VERSION: string = readVersion();
