// The programmatic API: `import { render } from 'xferscan'`. Everything here is pure and stable:
// the report types (the JSON contract, docs/design.md), render(report, format) for every output
// format, and the integrity helpers (digest and Ed25519 signatures).
export { render, FORMATS, type Format, type RenderOptions } from '../reports/index.js';
export type {
  Report,
  ReportSummary,
  EndpointReport,
  Finding,
  FindingStatus,
  Severity,
  Evidence,
  PortState,
  Service,
  TranscriptLine,
} from './model.js';
export {
  canonicalJson,
  reportDigest,
  verifyDigest,
  signReport,
  verifySignature,
  loadSigningKey,
  loadPublicKey,
  keyFingerprint,
  computeOverview,
  type Integrity,
  type ReportSignature,
  type ReportOverview,
  type EndpointOverview,
} from './report-meta.js';

// ---------------------------------------------------------------------------------------------
// scan(targets, options) → Promise<Report>: to be exported here by the lead once the scan
// command lives in src/commands/scan.ts (issue 15, part kept by the lead). Intended shape:
//   export { scan, type ScanApiOptions } from './commands/scan.js';
// ---------------------------------------------------------------------------------------------
