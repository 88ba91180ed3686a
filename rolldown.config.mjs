// One-file bundle of the CLI (dist/src/xferscan.mjs), loaded by bin/xferscan.js when present.
// Why: resolving and compiling ~140 separate ES modules (ours, yargs and its helpers) cost about
// 100 ms of every run, more than a whole TLS scan of a small server. tsc still builds dist/ as
// before; the bundle is made from that output, so tests of dist/ and of the CLI see the same code.
import { defineConfig } from 'rolldown';

// Loaded on demand and kept out of the bundle: ssh2 (only SSH scans need it), node-forge (only
// certificates), basic-ftp (listing parser), table (terminal output), the demo (ftp-srv).
const external = ['ssh2', 'cpu-features', 'node-forge', 'basic-ftp', 'table', 'ftp-srv', './demo.js'];

// yargs lays out its whole help text with string-width (in case a command fails later) on every
// run, ~45 ms of CPU spent measuring our option descriptions one grapheme at a time with an
// Intl.Segmenter it builds at import. Two exact shortcuts, applied to the copies in the bundle:
// printable ASCII is one column per character, and the segmenter is built on first use.
const fastStringWidth = {
  name: 'fast-string-width',
  transform(code, id) {
    if (!/[\\/]string-width[\\/]index\.js$/.test(id)) return null;
    let out = code.replace(
      'const segmenter = new Intl.Segmenter();',
      'let segmenterInstance; const segmenter = { segment: (text) => (segmenterInstance ??= new Intl.Segmenter()).segment(text) };',
    );
    out = out.replace(
      /export default function stringWidth\((\w+), options = \{\}\) \{/,
      (head, arg) => `${head}\n\tif (typeof ${arg} === 'string' && /^[\\x20-\\x7e]*$/.test(${arg})) return ${arg}.length;`,
    );
    return out === code ? null : out;
  },
};

export default defineConfig({
  input: 'dist/src/cli.js',
  platform: 'node',
  external,
  plugins: [fastStringWidth],
  output: { file: 'dist/src/xferscan.mjs', format: 'esm', codeSplitting: false },
  logLevel: 'warn',
});
