// The closed vocabularies every part of the report shares: port states and connection outcomes,
// services, finding statuses and severities, transcript lines, evidence, findings and gaps.
import type { Static } from 'typebox';
import { List, Opt, Str, obj, strEnum } from './util.js';

export const PORT_STATES = ['open', 'closed', 'filtered', 'unreachable', 'timeout'] as const;
export const PortStateSchema = strEnum(PORT_STATES);
export type PortState = Static<typeof PortStateSchema>;

/** Closed vocabulary of connection outcomes (docs/design.md). PortState is its TCP-level subset. */
export const CONNECTION_OUTCOMES = [...PORT_STATES, 'tls-handshake-failed', 'protocol-error', 'refused-by-server'] as const;
export const ConnectionOutcomeSchema = strEnum(CONNECTION_OUTCOMES);
export type ConnectionOutcome = Static<typeof ConnectionOutcomeSchema>;

export const SERVICES = ['sftp', 'ftps-implicit', 'ftps-explicit', 'ftp', 'tls-unknown', 'unknown'] as const;
export const ServiceSchema = strEnum(SERVICES);
export type Service = Static<typeof ServiceSchema>;

export const FINDING_STATUSES = ['pass', 'fail', 'warn', 'info', 'error', 'skipped'] as const;
export const FindingStatusSchema = strEnum(FINDING_STATUSES);
export type FindingStatus = Static<typeof FindingStatusSchema>;

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const SeveritySchema = strEnum(SEVERITIES);
export type Severity = Static<typeof SeveritySchema>;

/**
 * The steps a probe tags its transcript lines with, so evidence is picked by connection and step
 * (a typed reference), never by matching text.
 */
export const STEPS = [
  'connect',
  'greeting',
  'feat',
  'syst',
  'auth-tls',
  'auth-ssl',
  'tls-handshake',
  'implicit-tls',
  'user',
  'pass',
  'login',
  'anonymous',
  'cleartext-login',
  'pbsz',
  'prot-p',
  'prot-c',
  'ccc',
  'pasv',
  'epsv',
  'port',
  'eprt',
  'transfer',
  'passive-sample',
  'bounce',
  'write-test',
  'session-reuse',
  'transfer-sequence',
  'quit',
  'tls-inventory',
  'tls-vulns',
  'ssh-ident',
  'ssh-kex',
  'ssh-gex',
  'ssh-hostkey',
  'ssh-auth',
  'ssh-sftp',
  'ssh-hardening',
  'scheduler',
] as const;
export const StepSchema = strEnum(STEPS);
export type Step = Static<typeof StepSchema>;

/** One line of a conversation with the server. Passwords are redacted before they get here. */
export const TranscriptLineSchema = obj({
  t: Str('ISO timestamp'),
  conn: Str('which connection this belongs to, e.g. "detect#1"'),
  dir: strEnum(['client', 'server', 'note'] as const),
  text: Str(),
  step: Opt(StepSchema),
});
export type TranscriptLine = Static<typeof TranscriptLineSchema>;

export const EvidenceSchema = obj({
  label: Str('what this piece of evidence shows'),
  value: Str('raw reply lines, handshake facts, …'),
  conn: Opt(Str('transcript connection id it was taken from, if any')),
  t: Opt(Str()),
  step: Opt(StepSchema),
});
export type Evidence = Static<typeof EvidenceSchema>;

export const FindingSchema = obj({
  id: Str(),
  status: FindingStatusSchema,
  severity: SeveritySchema,
  title: Str(),
  detail: Str(),
  remediation: Str(),
  controls: List(Str(), { description: 'the controls of the active profile that list this check' }),
  evidence: List(EvidenceSchema),
});
export type Finding = Static<typeof FindingSchema>;

/** Why a probe step could not decide something, in a closed vocabulary checks can read. */
export const GAP_REASONS = [
  'needs-login',
  'login-failed',
  'withheld',
  'not-requested',
  'refused',
  'unsupported',
  'connection-failed',
  'budget',
  'error',
] as const;
export const GapSchema = obj(
  {
    step: StepSchema,
    reason: strEnum(GAP_REASONS),
    detail: Str("what stopped it, in the user's terms"),
  },
  'a step a probe could not complete, and why',
);
export type Gap = Static<typeof GapSchema>;
export type GapReason = Gap['reason'];
