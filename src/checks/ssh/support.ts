// Shared pieces of the SSH checks (docs/checks.md, SSH-*): pure functions over `endpoint.ssh`.
import type { AlgCategory, AlgInfo } from '../../knowledge/ssh-algorithms.js';
import { classify } from '../../knowledge/ssh-algorithms.js';
import type { EndpointReport, Evidence, SshFacts } from '../../model.js';
import type { Check, CheckOptions, CheckOutcome } from '../types.js';

/** null: not an SSH endpoint; a skipped outcome: SSH but no facts; otherwise the facts. */
export function sshFacts(ep: EndpointReport): SshFacts | CheckOutcome | null {
  if (ep.service !== 'sftp') return null;
  if (!ep.ssh) return { status: 'skipped', detail: `no SSH facts were gathered${ep.error ? ` (${ep.error})` : ''}` };
  return ep.ssh;
}

export function isOutcome(x: SshFacts | CheckOutcome): x is CheckOutcome {
  return 'status' in x;
}

export function noLists(s: SshFacts): CheckOutcome | null {
  if (s.kex.length === 0 && s.ciphers.length === 0)
    return { status: 'skipped', detail: 'the server sent no algorithm lists (no SSH-2 KEXINIT was read)' };
  return null;
}

export function listEvidence(label: string, names: readonly string[]): Evidence {
  return { label, value: names.join(',') || '(empty)' };
}

export function offenders(cat: AlgCategory, names: readonly string[], min: 'weak' | 'fail' = 'weak'): { name: string; info: AlgInfo }[] {
  return names
    .map((name) => ({ name, info: classify(cat, name) }))
    .filter((x) => x.info.rating === 'fail' || (min === 'weak' && x.info.rating === 'weak'));
}

export function describe(o: { name: string; info: AlgInfo }[]): string {
  return o.map((x) => `${x.name} (${x.info.rating}: ${x.info.reason})`).join('; ');
}

export function unknowns(cat: AlgCategory, names: readonly string[]): string[] {
  return names.filter((n) => classify(cat, n).rating === 'unknown');
}

export function union(...lists: (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const l of lists) for (const n of l ?? []) if (!out.includes(n)) out.push(n);
  return out;
}

export const ciphersOf = (s: SshFacts) => union(s.ciphers, s.ciphersClientToServer);
export const macsOf = (s: SshFacts) => union(s.macs, s.macsClientToServer);
export const compressionOf = (s: SshFacts) => union(s.compression, s.compressionClientToServer);

export function withLists(
  run: (s: SshFacts, ep: EndpointReport, options: CheckOptions) => CheckOutcome | CheckOutcome[] | null,
): Check['run'] {
  return ({ endpoint, options }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    return noLists(s) ?? run(s, endpoint, options);
  };
}

export const KEX_LINE =
  'KexAlgorithms mlkem768x25519-sha256,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256';
