// What a cluster comparison reads of one node: a flat digest (item key → value) derived from the
// node's endpoint facts, and what each item key means (the check that reports a difference in
// it, its name in words). Pure. Values are canonical strings: two nodes hold the same value
// exactly when the strings are equal (lists are sorted sets).
import type { EndpointReport, FtpFacts, SshFacts, TlsFacts } from '../model.js';
import { identifyFtpSoftware } from '../knowledge/ftp-software.js';
import { plainAddress } from '../knowledge/addresses.js';

export const CLUSTER_DRIFT_CHECKS = [
  'CLUSTER-HOSTKEY-DRIFT',
  'CLUSTER-CERT-DRIFT',
  'CLUSTER-TLS-DRIFT',
  'CLUSTER-SSH-ALGO-DRIFT',
  'CLUSTER-SOFTWARE-DRIFT',
  'CLUSTER-PASV-DRIFT',
  'CLUSTER-LOGIN-POLICY-DRIFT',
  'CLUSTER-FEATURES-DRIFT',
] as const;
export type ClusterDriftCheck = (typeof CLUSTER_DRIFT_CHECKS)[number];

export interface ItemSpec {
  check: ClusterDriftCheck;
  item: string;
  /**
   * value: compared as is; set: a sorted list (the difference is said as what one node has more
   * or less); ports: passive ports seen (compared by where they lie, src/derive/cluster.ts);
   * summary: not compared across nodes (other items say the same in detail), only used to tell
   * which node a virtual-address connection reached and what it showed.
   */
  kind: 'value' | 'set' | 'ports' | 'summary';
}

const SSH_LISTS: Record<string, string> = {
  kex: 'SSH key exchanges',
  hostKeyAlgorithms: 'SSH host-key algorithms',
  ciphers: 'SSH ciphers',
  macs: 'SSH MACs',
  compression: 'SSH compression',
};

/** What an item key means; null for a key this version does not know (ignored). */
export function itemSpec(key: string): ItemSpec | null {
  if (key.startsWith('ssh.hostkey.')) return { check: 'CLUSTER-HOSTKEY-DRIFT', item: `${key.slice(12)} host key`, kind: 'value' };
  if (key.startsWith('tls.suites.')) return { check: 'CLUSTER-TLS-DRIFT', item: `${key.slice(11)} cipher suites`, kind: 'set' };
  const list = /^ssh\.(\w+)$/.exec(key)?.[1];
  if (list && SSH_LISTS[list]) return { check: 'CLUSTER-SSH-ALGO-DRIFT', item: SSH_LISTS[list], kind: 'set' };
  return ITEMS[key] ?? null;
}

const ITEMS: Record<string, ItemSpec> = {
  software: { check: 'CLUSTER-SOFTWARE-DRIFT', item: 'server software', kind: 'value' },
  greeting: { check: 'CLUSTER-SOFTWARE-DRIFT', item: 'greeting', kind: 'summary' },
  'tls.cert': { check: 'CLUSTER-CERT-DRIFT', item: 'certificate', kind: 'value' },
  'tls.versions': { check: 'CLUSTER-TLS-DRIFT', item: 'TLS versions', kind: 'set' },
  'tls.negotiated': { check: 'CLUSTER-TLS-DRIFT', item: 'TLS version and suite a default client gets', kind: 'summary' },
  'ssh.authMethods': { check: 'CLUSTER-LOGIN-POLICY-DRIFT', item: 'SSH authentication methods', kind: 'set' },
  'ftp.cleartextLogin': { check: 'CLUSTER-LOGIN-POLICY-DRIFT', item: 'login before TLS', kind: 'value' },
  'ftp.anonymous': { check: 'CLUSTER-LOGIN-POLICY-DRIFT', item: 'anonymous login', kind: 'value' },
  'ftp.features': { check: 'CLUSTER-FEATURES-DRIFT', item: 'FEAT features', kind: 'set' },
  'ftp.auth': { check: 'CLUSTER-FEATURES-DRIFT', item: 'AUTH TLS / AUTH SSL', kind: 'value' },
  'ftp.pasv.address': { check: 'CLUSTER-PASV-DRIFT', item: 'PASV address', kind: 'value' },
  'ftp.pasv.advertised': { check: 'CLUSTER-PASV-DRIFT', item: 'address in PASV replies', kind: 'summary' },
  'ftp.pasv.ports': { check: 'CLUSTER-PASV-DRIFT', item: 'passive ports', kind: 'ports' },
  'ftp.pasv.port': { check: 'CLUSTER-PASV-DRIFT', item: 'passive port', kind: 'summary' },
};

export const setValue = (list: readonly string[]): string => (list.length ? [...new Set(list)].sort().join(', ') : '(none)');
export const setItems = (value: string): string[] => (value === '(none)' ? [] : value.split(', '));

/** The SSH items of a KEXINIT (node audit or one virtual-address connection alike). */
export function sshOfferFacts(k: Pick<SshFacts, 'kex' | 'hostKeyAlgorithms' | 'ciphers' | 'macs' | 'compression'>) {
  const out: Record<string, string> = {};
  for (const name of Object.keys(SSH_LISTS)) out[`ssh.${name}`] = setValue(k[name as keyof typeof k]);
  return out;
}

/** The software item of an FTP greeting: the product and version when known, else the first line. */
export function ftpSoftwareValue(greeting: readonly string[]): string | null {
  const sw = identifyFtpSoftware([...greeting]);
  if (sw) return `${sw.product}${sw.version ? ` ${sw.version}` : ''}`;
  return greeting[0]?.slice(0, 200) ?? null;
}

export const greetingValue = (lines: readonly string[]): string => lines.join(' / ').slice(0, 300);

/** A certificate as the comparison names it (its SHA-256 fingerprint) and in words. */
export function certificateValue(c: TlsFacts['certificate']): { value: string; words: string } | null {
  if (!c || c.parseError) return null;
  const key = `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}`;
  return { value: c.fingerprintSha256, words: `${c.subject}, ${key}, valid ${c.notBefore.slice(0, 10)} to ${c.notAfter.slice(0, 10)}` };
}

function sshFacts(ssh: SshFacts, out: Record<string, string>): void {
  out.software = ssh.banner;
  for (const k of ssh.hostKeys) out[`ssh.hostkey.${k.type}`] = k.fingerprintSha256;
  if (ssh.kex.length) Object.assign(out, sshOfferFacts(ssh));
  if (ssh.authProbe?.ok) out['ssh.authMethods'] = setValue(ssh.authMethods);
}

function tlsFacts(tls: TlsFacts, out: Record<string, string>, words: Record<string, string>): void {
  const cert = certificateValue(tls.certificate);
  if (cert) {
    out['tls.cert'] = cert.value;
    words[cert.value] = cert.words;
  }
  const versions = Object.entries(tls.protocols);
  if (versions.length) out['tls.versions'] = setValue(versions.filter(([, on]) => on).map(([v]) => v));
  for (const [v, suites] of Object.entries(tls.cipherSuites)) if (suites?.length) out[`tls.suites.${v}`] = setValue(suites);
  if (tls.negotiated?.protocol) out['tls.negotiated'] = `${tls.negotiated.protocol} ${tls.negotiated.cipher ?? ''}`.trim();
}

const yesNo = (b: boolean, yes: string, no: string) => (b ? yes : no);

function ftpFacts(ftp: FtpFacts, own: string | null, out: Record<string, string>): void {
  const sw = ftpSoftwareValue(ftp.greeting);
  if (sw) out.software = sw;
  if (ftp.greeting.length) out.greeting = greetingValue(ftp.greeting);
  if (ftp.features !== null) out['ftp.features'] = setValue(ftp.features.map((f) => f.trim().toUpperCase()));
  if (ftp.authTls !== null || ftp.authSsl !== null)
    out['ftp.auth'] =
      `AUTH TLS ${ftp.authTls === null ? 'untested' : yesNo(ftp.authTls, 'accepted', 'refused')}, AUTH SSL ${ftp.authSsl === null ? 'untested' : yesNo(ftp.authSsl, 'accepted', 'refused')}`;
  if (ftp.cleartextLogin !== null) out['ftp.cleartextLogin'] = yesNo(ftp.cleartextLogin, 'possible', 'refused');
  if (ftp.anonymousLogin !== null) out['ftp.anonymous'] = yesNo(ftp.anonymousLogin, 'allowed', 'refused');
  const advertised = [
    ...(ftp.passiveSamples ?? []).map((s) => s.advertisedAddress),
    ...ftp.dataChannels.filter((d) => d.mode === 'PASV').map((d) => d.advertisedAddress),
  ].filter((a): a is string => !!a);
  if (advertised.length) {
    const addrs = [...new Set(advertised.map(plainAddress))];
    out['ftp.pasv.advertised'] = setValue(addrs);
    out['ftp.pasv.address'] = setValue(addrs.map((a) => (own && a === plainAddress(own) ? 'its own address' : a)));
  }
  if (ftp.passivePortsSeen.length) out['ftp.pasv.ports'] = [...ftp.passivePortsSeen].sort((a, b) => a - b).join(',');
}

/** A node's digest: what the comparison reads, and certificate fingerprints in words. */
export function nodeFacts(ep: EndpointReport): { facts: Record<string, string>; words: Record<string, string> } {
  const facts: Record<string, string> = {};
  const words: Record<string, string> = {};
  if (ep.state !== 'open') return { facts, words };
  if (ep.ssh) sshFacts(ep.ssh, facts);
  if (ep.tls) tlsFacts(ep.tls, facts, words);
  if (ep.ftp) ftpFacts(ep.ftp, ep.address, facts);
  return { facts, words };
}
