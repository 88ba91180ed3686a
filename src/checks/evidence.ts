// Evidence by typed reference: the transcript lines a probe tagged with a step (and, where it
// matters, of one connection), never lines picked by matching their text.
import type { EndpointReport, Evidence, Step, TranscriptLine } from '../model.js';

const prefix = (l: TranscriptLine) => (l.dir === 'client' ? '> ' : l.dir === 'server' ? '< ' : '# ');

export interface EvidenceRef {
  steps: readonly Step[];
  /** only this connection's lines */
  conn?: string | null;
  /** only these directions (default: all) */
  dirs?: readonly TranscriptLine['dir'][];
  max?: number;
}

/** The transcript lines of the given steps (and connection), as evidence. */
export function stepEvidence(ep: Pick<EndpointReport, 'transcript'>, label: string, ref: EvidenceRef): Evidence[] {
  const out: Evidence[] = [];
  for (const l of ep.transcript) {
    if (out.length >= (ref.max ?? 6)) break;
    if (!l.step || !ref.steps.includes(l.step)) continue;
    if (ref.conn && l.conn !== ref.conn) continue;
    if (ref.dirs && !ref.dirs.includes(l.dir)) continue;
    out.push({ label, value: `${prefix(l)}${l.text}`, conn: l.conn, t: l.t, step: l.step });
  }
  return out;
}

export function greetingEvidence(ep: Pick<EndpointReport, 'ftp'>): Evidence[] {
  return (ep.ftp?.greeting ?? []).slice(0, 4).map((g) => ({ label: 'greeting', value: `< ${g}` }));
}
