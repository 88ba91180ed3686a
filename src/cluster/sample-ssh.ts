// One connection through a virtual address to an SSH service: identification, the server's
// KEXINIT (its offer), and a key exchange limited to one host-key type, far enough to receive
// that host key. One key per connection (a key exchange shows one), so the sampler asks each
// type on its own block of connections.
import type { Dialer } from '../net/dialer.js';
import { openSession, continueKex } from '../ssh/session.js';
import { hostKeyFact, hostKeyFamilies, type HostKeyFamily } from '../ssh/hostkeys.js';
import { sshOfferFacts } from '../derive/cluster-facts.js';
import type { ConnErrorKind } from '../ssh/conn.js';
import type { ConnectionOutcome } from '../model.js';

export interface SshSampleResult {
  ok: boolean;
  outcome: ConnectionOutcome | null;
  facts: Record<string, string>;
  /** the host-key types the server offered (one request each) */
  families: HostKeyFamily[];
  error?: string;
}

function outcomeOf(kind: ConnErrorKind, stage: string): ConnectionOutcome {
  if (kind === 'timeout') return stage === 'connect' ? 'filtered' : 'timeout';
  if (kind === 'connect-failed') return 'closed';
  return kind === 'closed' || kind === 'reset' ? 'refused-by-server' : 'protocol-error';
}

/**
 * One sample. `pick` chooses the host-key type to ask for from the types this server offers
 * (null: none, e.g. the first connection that learns them).
 */
export async function sampleSsh(
  dialer: Dialer,
  host: string,
  port: number,
  timeoutMs: number,
  pick: (families: HostKeyFamily[]) => HostKeyFamily | null,
): Promise<SshSampleResult> {
  const s = await openSession({ host, port, dialer }, { timeoutMs, serverFirstMs: Math.min(2000, timeoutMs) });
  if (!s.ok) {
    const facts: Record<string, string> = s.ident ? { software: s.ident.raw } : {};
    return { ok: false, outcome: outcomeOf(s.kind, s.stage), facts, families: [], error: `${s.stage}: ${s.error}` };
  }
  const k = s.session.kexinit;
  const families = hostKeyFamilies(k.hostKeyAlgorithms);
  const facts: Record<string, string> = {
    software: s.session.ident.raw,
    ...sshOfferFacts({
      kex: k.kex,
      hostKeyAlgorithms: k.hostKeyAlgorithms,
      ciphers: k.ciphersStoC,
      macs: k.macsStoC,
      compression: k.compressionStoC,
    }),
  };
  const fam = pick(families);
  if (!fam) {
    s.session.conn.close();
    return { ok: true, outcome: null, facts, families };
  }
  const r = await continueKex(s.session, { hostKeyAlgorithm: fam.request });
  if (!r.hostKeyBlob)
    return { ok: false, outcome: 'protocol-error', facts, families, error: `host key ${fam.request}: ${r.error ?? 'none'}` };
  const key = hostKeyFact(r.hostKeyBlob, fam, 'raw');
  if ('reason' in key) return { ok: false, outcome: 'protocol-error', facts, families, error: key.reason };
  facts[`ssh.hostkey.${key.type}`] = key.fingerprintSha256;
  return { ok: true, outcome: null, facts, families };
}
