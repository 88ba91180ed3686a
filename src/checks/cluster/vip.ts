// What partners see through the virtual address (more than one host key or certificate where
// there must be one), standby nodes that answer, and host keys shared by unrelated endpoints.
import type { ClusterGroup, Evidence, VipSeen } from '../../model.js';
import { defineClusterCheck, type CheckOutcome } from '../types.js';
import { driftOutcome, valueWords } from './drift.js';

function vipOutcomes(
  group: ClusterGroup | null,
  id: string,
  prefix: string,
  what: string,
  drift: string,
): CheckOutcome | CheckOutcome[] | null {
  const vip = group?.vip;
  if (!group || !vip) return null;
  const own = group.differences.filter((d) => d.check === id);
  if (own.length) return own.map((d) => driftOutcome(d, group));
  const ok = vip.samples.filter((s) => s.ok).length;
  const has = (key: string) => (prefix.endsWith('.') ? key.startsWith(prefix) : key === prefix);
  // an SSH service has no certificate, an FTPS one no host key: nothing to say
  const service = group.service ?? group.nodes.find((n) => n.service)?.service ?? null;
  const applies = service ? (prefix === 'tls.cert' ? service !== 'sftp' && service !== 'ftp' : service === 'sftp') : true;
  if (!applies) return null;
  if (ok === 0)
    return { status: 'skipped', detail: `no connection through ${vip.endpoint} got far enough${vip.error ? `: ${vip.error}` : ''}` };
  const seen = vip.seen.filter((s) => has(s.key));
  if (seen.length === 0) {
    return { status: 'skipped', detail: `the connections through ${vip.endpoint} showed no ${what}` };
  }
  const evidence: Evidence[] = seen.map((s: VipSeen) => ({
    label: `${s.item} through ${vip.endpoint}`,
    value: s.values.map((v) => `${valueWords(group, v.value)} ${v.count}× (${v.nodes.join(', ') || 'no listed node'})`).join('; '),
  }));
  const multiple = seen.filter((s) => s.values.length > 1);
  if (multiple.length) {
    return {
      status: 'info',
      detail: `${multiple.map((s) => `${s.values.length} ${s.item}s`).join(', ')} through ${vip.endpoint} in ${ok} connection(s), all held by listed nodes: reported as ${drift}`,
      evidence,
    };
  }
  return {
    status: 'pass',
    detail: `${ok} connection(s) through ${vip.endpoint}: one ${what} each (${seen.map((s) => s.item).join(', ')})`,
    evidence,
  };
}

export const clusterVipMultipleKeys = defineClusterCheck({
  id: 'CLUSTER-VIP-MULTIPLE-KEYS',
  family: 'cluster',
  scope: 'group',
  title: 'More than one host key through the virtual address',
  observes: 'the distinct SSH host keys of each type that N connections through the virtual address show, with their counts',
  severity: 'high',
  remediation:
    'A host key that no listed node has answers behind the virtual address: find that machine (a node missing from the inventory, or an old node still in the load balancer pool), take it out of the pool or give it the service\'s host keys, and add it to the group so it is compared. Partners see "REMOTE HOST IDENTIFICATION HAS CHANGED" on the share of connections it takes.',
  run: ({ group }) => vipOutcomes(group, 'CLUSTER-VIP-MULTIPLE-KEYS', 'ssh.hostkey.', 'host key per type', 'CLUSTER-HOSTKEY-DRIFT'),
});

export const clusterVipMultipleCerts = defineClusterCheck({
  id: 'CLUSTER-VIP-MULTIPLE-CERTS',
  family: 'cluster',
  scope: 'group',
  title: 'More than one certificate through the virtual address',
  observes: 'the distinct certificates that N connections through the virtual address show, with their counts',
  severity: 'high',
  remediation:
    'A certificate that no listed node serves answers behind the virtual address: find that machine (a node missing from the inventory, an old node still in the pool, or a load balancer that terminates TLS itself), deploy the service certificate there or take it out of the pool, and add it to the group.',
  run: ({ group }) => vipOutcomes(group, 'CLUSTER-VIP-MULTIPLE-CERTS', 'tls.cert', 'certificate', 'CLUSTER-CERT-DRIFT'),
});

export const clusterStandbyAnswers = defineClusterCheck({
  id: 'CLUSTER-STANDBY-ANSWERS',
  family: 'cluster',
  scope: 'group',
  title: 'A standby node answers',
  observes: 'whether each node expected to be standby (--expect-standby, or standby in the inventory) refuses or drops connections now',
  severity: 'medium',
  remediation:
    "If the node should be passive, stop the service there or firewall it, and check the failover tooling: two nodes serving at once (split brain) can corrupt shared state and confuse partners. If it is meant to serve, remove it from --expect-standby or from the group's standby list.",
  run: ({ group }) => {
    const standby = group?.nodes.filter((n) => n.standby) ?? [];
    if (standby.length === 0) return null;
    return standby.map((n): CheckOutcome => {
      const answers = n.state === 'open' || n.state === 'timeout';
      const evidence: Evidence[] = [{ label: 'port state', value: `${n.endpoint} ${n.state}${n.service ? ` (${n.service})` : ''}` }];
      return answers
        ? {
            status: 'fail',
            titleSuffix: n.endpoint,
            detail: `${n.endpoint} is expected to be standby but accepts connections (${n.state}${n.service ? `, ${n.service}` : ''})`,
            evidence,
          }
        : { status: 'pass', titleSuffix: n.endpoint, detail: `${n.endpoint} is standby as expected (${n.state})`, evidence };
    });
  },
});

export const hostkeyShared = defineClusterCheck({
  id: 'HOSTKEY-SHARED',
  family: 'cluster',
  scope: 'scan',
  title: 'Host key shared by unrelated endpoints',
  observes: 'SSH host keys presented at more than one address by endpoints that are not nodes of one group (cloned machines)',
  severity: 'medium',
  remediation:
    'Machines that are not one service must not share host keys: whoever has the key of one can impersonate all of them. Regenerate the keys on the cloned machine(s) (remove /etc/ssh/ssh_host_*, run `ssh-keygen -A`, restart sshd) and give partners the new fingerprints. If the addresses are one machine, or nodes of one service, list them as one group in the inventory.',
  run: ({ shared }) => {
    if (!shared || shared.addresses < 2) return null;
    if (shared.keys.length === 0)
      return {
        status: 'pass',
        detail: `${shared.endpoints} SSH endpoint(s) at ${shared.addresses} addresses: no host key appears at two addresses outside one group`,
      };
    // One machine with several addresses cannot be told from clones on the wire: a warning.
    return shared.keys.map((k) => ({
      status: 'warn' as const,
      titleSuffix: `${k.type} ${k.fingerprintSha256}`,
      detail: `the ${k.type} host key ${k.fingerprintSha256} answers at ${k.addresses.length} addresses: ${k.endpoints.join(', ')}${k.groups.length ? ` (groups: ${k.groups.join(', ')})` : ''}. Either these are clones sharing a private key, or one machine with several addresses`,
      evidence: [{ label: 'endpoints with this key', value: k.endpoints.join(', ') }],
    }));
  },
});

export const CLUSTER_SCAN = [clusterVipMultipleKeys, clusterVipMultipleCerts, clusterStandbyAnswers, hostkeyShared] as const;
