// xferscan verify REPORT.json [--public-key PUB] [--signature SIG]: what each check proves, said
// plainly. The digest (always checked) detects accidental change — a damaged or truncated copy —
// but anyone who edits a report can recompute it, so it proves nothing about tampering. A
// detached Ed25519 signature (scan --sign-key, REPORT.json.sig) checked against a public key the
// auditor trusts does.
import fs from 'node:fs';
import type { Report } from '../model.js';
import { loadPublicKey, SigningError, verifyDigest, verifySignature } from '../report-meta.js';
import { readReportFile } from './read-report.js';
import { INPUT_LIMITS, readLimited, readTextFile } from '../files.js';
import { UsageError } from '../targets.js';

export interface VerifyOutcome {
  exitCode: number;
  message: string;
}

export interface VerifyOptions {
  publicKey?: string;
  /** signature file (default REPORT.sig) */
  signature?: string;
}

export function verifyReportFile(file: string, opts: VerifyOptions = {}): VerifyOutcome {
  const report: Report = readReportFile(file);
  const v = verifyDigest(report);
  const lines: string[] = [];
  let exitCode = 0;
  if (v.ok) {
    lines.push(
      `${file}: digest OK — the content matches its SHA-256 digest ${v.digest} (the file is not damaged; a digest is not a signature and does not show who wrote the report or that nobody edited it)`,
    );
  } else if (v.reason === 'no-digest') {
    exitCode = 3;
    lines.push(`${file}: NO DIGEST — the report carries no integrity digest (content SHA-256 ${v.actual})`);
  } else {
    exitCode = 3;
    lines.push(
      `${file}: DIGEST MISMATCH — the content does not match its recorded digest (recorded ${v.expected}, computed ${v.actual}): the file was changed or damaged after it was written`,
    );
  }
  if (!opts.publicKey) return { exitCode, message: lines.join('\n') };
  let key;
  try {
    key = loadPublicKey(readLimited(opts.publicKey, INPUT_LIMITS.key, `--public-key ${opts.publicKey}`));
  } catch (err) {
    if (err instanceof SigningError) throw new UsageError(`--public-key ${opts.publicKey}: ${err.message}`);
    throw err;
  }
  const sigFile = opts.signature ?? `${file}.sig`;
  if (!opts.signature && !fs.existsSync(sigFile))
    return {
      exitCode: 3,
      message: [...lines, `${file}: NOT SIGNED — no signature file ${sigFile} (sign with scan --sign-key KEY)`].join('\n'),
    };
  let sig: unknown;
  try {
    sig = JSON.parse(readTextFile(sigFile, `signature ${sigFile}`, undefined, INPUT_LIMITS.key));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return { exitCode: 3, message: [...lines, `${file}: SIGNATURE UNREADABLE — ${sigFile} is not JSON`].join('\n') };
  }
  const s = verifySignature(report, sig, key);
  if (s.ok) lines.push(`${file}: SIGNATURE OK — signed with Ed25519 key ${s.keyFingerprint}; the content is exactly what was signed`);
  else {
    exitCode = 3;
    lines.push(
      s.reason === 'invalid'
        ? `${file}: SIGNATURE INVALID — ${s.detail}: the report was changed after it was signed`
        : `${file}: SIGNATURE NOT VERIFIED — ${s.detail}`,
    );
  }
  return { exitCode, message: lines.join('\n') };
}
