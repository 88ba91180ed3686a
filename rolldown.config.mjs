// One-file bundle of the CLI (dist/src/xferscan.cjs), loaded by bin/xferscan.js when present.
// Why: resolving and compiling ~140 separate ES modules (ours, yargs and its helpers) cost about
// 100 ms of every run, more than a whole TLS scan of a small server. tsc still builds dist/ as
// before; the bundle is made from that output, so tests of dist/ and of the CLI see the same code.
import { defineConfig } from 'rolldown';

// Loaded on demand with require() and kept out of the bundle: ssh2 (only SSH scans need it),
// node-forge (certificates), basic-ftp (listing parser), yaml and csv-parse (inventories, policies).
// The bundle must not contain a dynamic import(): code-cached scripts cannot run one (Node 20).
const external = ['ssh2', 'cpu-features', 'node-forge', 'basic-ftp', 'yaml', 'csv-parse', 'csv-parse/sync'];

// yargs lays out its whole help text with string-width on every run (in case a command fails
// later), and string-width builds an Intl.Segmenter and Unicode-property regular expressions
// when it is imported (~40 ms of ICU work before the first connection opens). In the bundle its
// body runs on first use instead, and printable ASCII (all of our help text but a few dashes)
// takes an exact shortcut: one column per character.
const lazyStringWidth = {
  name: 'lazy-string-width',
  transform(code, id) {
    if (!/[\\/]string-width[\\/]index\.js$/.test(id) || !/^export default function stringWidth\(/m.test(code)) return null;
    const lines = code.split('\n');
    const firstBody = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('import '));
    const imports = lines.slice(0, firstBody).join('\n');
    const body = lines
      .slice(firstBody)
      .join('\n')
      .replace(/^export default function stringWidth\(/m, 'function stringWidthImpl(');
    return `${imports}
let stringWidthReady;
function stringWidthInit() {
${body}
return stringWidthImpl;
}
export default function stringWidth(input, options) {
  if (typeof input === 'string' && /^[\\x20-\\x7e]*$/.test(input)) return input.length;
  return (stringWidthReady ??= stringWidthInit())(input, options);
}
`;
  },
};

export default defineConfig({
  input: 'dist/src/cli.js',
  platform: 'node',
  external,
  plugins: [lazyStringWidth],
  output: { file: 'dist/src/xferscan.cjs', format: 'cjs', codeSplitting: false },
  logLevel: 'warn',
  // yargs resolves the `extends` key of its own config files with import.meta.resolve; the CLI
  // reads no yargs config file, so the empty import.meta of a CJS bundle is never reached there
  onLog(level, log, handler) {
    if (log.code === 'EMPTY_IMPORT_META' && /yargs[\\/]build[\\/]lib[\\/]utils[\\/]apply-extends\.js/.test(log.id ?? '')) return;
    handler(level, log);
  },
});
