// Drift between the nodes of one service: one check per kind of item, one finding per item that
// differs (naming the odd nodes, the value each holds and how often the virtual address showed
// it), a pass when the nodes agree. The differences come from src/derive/cluster.ts.
import type { ClusterDifference, ClusterGroup, ClusterValue, Evidence, Severity } from '../../model.js';
import { comparedNodes, MIN_PORTS_COMPARED } from '../../derive/cluster.js';
import { itemSpec, setItems, type ClusterDriftCheck } from '../../derive/cluster-facts.js';
import { defineClusterCheck, type CheckOutcome } from '../types.js';

const MAX_SHOWN = 12;
const short = (v: string) => (v.length > 160 ? `${v.slice(0, 157)}…` : v);
const list = (xs: readonly string[]) =>
  xs.length > MAX_SHOWN ? `${xs.slice(0, MAX_SHOWN).join(', ')} and ${xs.length - MAX_SHOWN} more` : xs.join(', ');

/** A value in words: a certificate fingerprint with its subject and expiry. */
export function valueWords(group: Pick<ClusterGroup, 'descriptions'>, value: string): string {
  const words = group.descriptions?.[value];
  return words ? `${value} (${words})` : value;
}

/** For set items: what a value has more and less than the majority's. */
function setDelta(v: string, majority: string): string {
  const mine = setItems(v);
  const theirs = new Set(setItems(majority));
  const more = mine.filter((x) => !theirs.has(x));
  const less = [...theirs].filter((x) => !mine.includes(x));
  return [more.length ? `also ${list(more)}` : '', less.length ? `lacks ${list(less)}` : ''].filter(Boolean).join('; ') || v;
}

function holderText(d: ClusterDifference, v: ClusterValue, group: ClusterGroup): string {
  const isSet = itemSpec(d.key)?.kind === 'set';
  const what = isSet && d.majority && v.value !== d.majority ? setDelta(v.value, d.majority) : short(valueWords(group, v.value));
  const who = v.nodes.length ? list(v.nodes) : 'no listed node (seen only through the virtual address)';
  return `${who}: ${what}`;
}

function vipText(d: ClusterDifference, group: ClusterGroup): string {
  const vip = group.vip;
  const counts = d.values.filter((v) => v.vip !== undefined);
  if (!vip || counts.length === 0) return '';
  const n = counts.reduce((a, v) => a + (v.vip ?? 0), 0);
  const parts = counts.map((v) => `${short(v.value)} ${v.vip}×`);
  return ` Through the virtual address ${vip.endpoint}, ${n} connection(s) showed the ${d.item}: ${parts.join(', ')}.`;
}

/** The finding for one difference: the odd nodes and the value each holds, and the majority's. */
export function driftOutcome(d: ClusterDifference, group: ClusterGroup): CheckOutcome {
  const majority = d.values.find((v) => v.value === d.majority);
  const others = d.values.filter((v) => v !== majority);
  const head = majority
    ? `${d.item} differs: ${others.map((v) => holderText(d, v, group)).join('; ')} — while ${majority.nodes.length ? list(majority.nodes) : 'the virtual address'} ${majority.nodes.length > 1 ? 'hold' : 'holds'} ${short(valueWords(group, majority.value))}.`
    : `${d.item} differs and no value is held by most nodes: ${d.values.map((v) => holderText(d, v, group)).join('; ')}.`;
  const unknown = d.unknown?.length ? ` Not learnt on ${list(d.unknown)}.` : '';
  const evidence: Evidence[] = d.values.map((v) => ({
    label: `${d.item}${v.value === d.majority ? ' (majority)' : ''}: ${v.nodes.length ? v.nodes.join(', ') : 'virtual address only'}`,
    value: `${valueWords(group, v.value)}${v.vip !== undefined ? `; through the virtual address ${v.vip}×` : ''}`,
  }));
  return { status: 'fail', titleSuffix: d.item, detail: `${head}${unknown}${vipText(d, group)}`, evidence };
}

/** Items of this check that at least two answering nodes have a value for. */
function comparedItems(group: ClusterGroup, id: ClusterDriftCheck): string[] {
  const nodes = comparedNodes(group.nodes);
  const keys = new Set(nodes.flatMap((n) => Object.keys(n.facts)));
  return [...keys].filter((k) => {
    const spec = itemSpec(k);
    if (!spec || spec.check !== id || spec.kind === 'summary') return false;
    const min = spec.kind === 'ports' ? MIN_PORTS_COMPARED : 1;
    return nodes.filter((n) => (n.facts[k]?.split(',').length ?? 0) >= min).length >= 2;
  });
}

function judgeDrift(group: ClusterGroup | null, id: ClusterDriftCheck): CheckOutcome | CheckOutcome[] | null {
  if (!group) return null;
  const diffs = group.differences.filter((d) => d.check === id);
  if (diffs.length) return diffs.map((d) => driftOutcome(d, group));
  const nodes = comparedNodes(group.nodes);
  const items = comparedItems(group, id).map((k) => itemSpec(k)!.item);
  if (items.length === 0) {
    // a group of one node (a standby on its own) has nothing to compare by design
    if (nodes.length < 2 && group.nodes.length > 1)
      return { status: 'skipped', detail: `fewer than two nodes of ${group.name} answered: nothing to compare` };
    return null;
  }
  return {
    status: 'pass',
    detail: `the ${nodes.length} answering nodes of ${group.name} agree on ${[...new Set(items)].sort().join(', ')}`,
    evidence: [{ label: 'nodes compared', value: nodes.map((n) => n.endpoint).join(', ') }],
  };
}

interface DriftMeta<Id extends ClusterDriftCheck> {
  id: Id;
  title: string;
  observes: string;
  severity: Severity;
  remediation: string;
}

const drift = <const Id extends ClusterDriftCheck>(m: DriftMeta<Id>) =>
  defineClusterCheck({ ...m, family: 'cluster', scope: 'group', run: ({ group }) => judgeDrift(group, m.id) });

export const clusterHostkeyDrift = drift({
  id: 'CLUSTER-HOSTKEY-DRIFT',
  title: 'Nodes present different SSH host keys',
  observes: 'the SSH host key of each type on every node of the group (and through its virtual address)',
  severity: 'high',
  remediation:
    'Give every node of the service the same host keys: copy /etc/ssh/ssh_host_*_key and their .pub files from one node to the others (or deploy them from your secrets store), restart sshd, and keep them in configuration management so that a rebuilt node gets them back. Partners pin the key they saw first: a node with another key makes their clients refuse with "REMOTE HOST IDENTIFICATION HAS CHANGED" on the share of connections it takes. Alternatively sign every node\'s key with one host CA (sshd HostCertificate) that partners trust (@cert-authority in known_hosts).',
});

export const clusterCertDrift = drift({
  id: 'CLUSTER-CERT-DRIFT',
  title: 'Nodes serve different certificates',
  observes: 'the leaf certificate every node presents (fingerprint, subject, validity), and through the virtual address',
  severity: 'high',
  remediation:
    'Deploy one certificate and chain to every node (vsftpd `rsa_cert_file`, ProFTPD `TLSRSACertificateFile`/`TLSCertificateChainFile`, Pure-FTPd `/etc/ssl/private/pure-ftpd.pem`) and reload each. Renew all nodes together (automate renewal on every node, or distribute from one place): a node that keeps an old certificate fails partners who pinned the new one, and expires on its own.',
});

export const clusterTlsDrift = drift({
  id: 'CLUSTER-TLS-DRIFT',
  title: 'Nodes accept different TLS versions or cipher suites',
  observes: 'the TLS versions and cipher suites every node accepts',
  severity: 'medium',
  remediation:
    'Apply one TLS configuration to every node: the same protocol versions and suites (vsftpd `ssl_tlsv1*`/`ssl_ciphers`, ProFTPD `TLSProtocol`/`TLSCipherSuite`, Pure-FTPd `-J`, or the system OpenSSL configuration). A node that still allows an old version or suite weakens the service for every partner it answers.',
});

export const clusterSshAlgorithmsDrift = drift({
  id: 'CLUSTER-SSH-ALGO-DRIFT',
  title: 'Nodes offer different SSH algorithms',
  observes: 'the key exchanges, host-key algorithms, ciphers, MACs and compression every node offers',
  severity: 'medium',
  remediation:
    'Use the same `KexAlgorithms`, `HostKeyAlgorithms`, `Ciphers` and `MACs` (or the same system crypto policy) and the same OpenSSH version on every node: a partner client that works against one node fails against another, and a node with weaker algorithms weakens the service.',
});

export const clusterSoftwareDrift = drift({
  id: 'CLUSTER-SOFTWARE-DRIFT',
  title: 'Nodes run different server software',
  observes: 'the server software and version each node discloses (SSH identification, FTP greeting)',
  severity: 'low',
  remediation:
    'Run the same server version on every node: patch them together (a node left behind keeps its vulnerabilities and its old behaviour), and rebuild or upgrade the odd one from the same image.',
});

export const clusterPasvDrift = drift({
  id: 'CLUSTER-PASV-DRIFT',
  title: 'Nodes use different passive ranges or PASV addresses',
  observes: 'the passive ports and the address each node advertises in PASV replies (sampled; with credentials)',
  severity: 'high',
  remediation:
    'Give every node the same passive port range (vsftpd `pasv_min_port`/`pasv_max_port`, ProFTPD `PassivePorts`, Pure-FTPd `-p`) and the same PASV address setting (vsftpd `pasv_address`, ProFTPD `MasqueradeAddress`, Pure-FTPd `-P`), and open that one range in the firewalls and the load balancer: data connections to a node outside it fail for the share of sessions that node takes.',
});

export const clusterLoginPolicyDrift = drift({
  id: 'CLUSTER-LOGIN-POLICY-DRIFT',
  title: 'Nodes apply different login policies',
  observes: 'whether each node accepts logins before TLS, anonymous logins, and which SSH authentication methods it offers',
  severity: 'high',
  remediation:
    'Make the login policy the same on every node: TLS required before login (vsftpd `force_local_logins_ssl=YES`, ProFTPD `TLSRequired on`, Pure-FTPd `-Y 2`), anonymous access off, the same SSH `AuthenticationMethods`/`PasswordAuthentication`. The weakest node sets the policy partners really get.',
});

export const clusterFeaturesDrift = drift({
  id: 'CLUSTER-FEATURES-DRIFT',
  title: 'Nodes announce different FTP features',
  observes: 'the FEAT list and AUTH TLS/SSL support of every node',
  severity: 'low',
  remediation:
    'Deploy one configuration file and the same modules to every node: clients that rely on a feature (MLSD, EPSV, REST STREAM, UTF8) fail on the nodes that lack it.',
});

export const CLUSTER_DRIFT = [
  clusterHostkeyDrift,
  clusterCertDrift,
  clusterTlsDrift,
  clusterSshAlgorithmsDrift,
  clusterSoftwareDrift,
  clusterPasvDrift,
  clusterLoginPolicyDrift,
  clusterFeaturesDrift,
] as const;
