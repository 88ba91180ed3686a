// Evidence taken from an endpoint's transcript: the raw lines that prove a finding.
import type { EndpointReport, Evidence } from '../model.js';

/** Transcript lines matching `match` (and the server's reply lines that follow a client line). */
export function transcriptEvidence(ep: EndpointReport, label: string, match: RegExp, max = 6): Evidence[] {
  const out: Evidence[] = [];
  const lines = ep.transcript;
  for (let i = 0; i < lines.length && out.length < max; i++) {
    const l = lines[i];
    if (!match.test(l.text)) continue;
    out.push({ label, value: `${l.dir === 'client' ? '> ' : l.dir === 'server' ? '< ' : '# '}${l.text}`, conn: l.conn, t: l.t });
    if (l.dir === 'client') {
      // the reply: following server lines of the same connection, up to the final reply line
      for (let j = i + 1; j < lines.length && out.length < max; j++) {
        const r = lines[j];
        if (r.conn !== l.conn) continue;
        if (r.dir === 'client') break;
        out.push({ label, value: `${r.dir === 'server' ? '< ' : '# '}${r.text}`, conn: r.conn, t: r.t });
        if (r.dir === 'server' && /^\d{3} /.test(r.text)) break;
      }
    }
  }
  return out;
}

export function greetingEvidence(ep: EndpointReport): Evidence[] {
  return (ep.ftp?.greeting ?? []).slice(0, 4).map((g) => ({ label: 'greeting', value: `< ${g}` }));
}
