// Firewall: advertised passive ports that cannot be reached at the control address.
import { blockedRanges, passiveObservations, passivePortStates, rangeText } from '../../derive/firewall.js';
import { defineCheck } from '../types.js';
import { isFtp, noLoginReason } from '../ftp/support.js';

export const netPasvFiltered = defineCheck({
  id: 'NET-PASV-FILTERED',
  family: 'firewall',
  observes: 'advertised passive ports that cannot be reached (firewall drops data)',
  title: 'Advertised passive ports that cannot be reached',
  severity: 'high',
  remediation:
    "Allow inbound TCP to the server's whole passive port range from clients (server side), or narrow the server's range to what the firewall opens (vsftpd pasv_min_port/pasv_max_port; ProFTPD PassivePorts; Pure-FTPd -p).",
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || ep.state !== 'open') return null;
    if (ep.outcome === 'refused-by-server') return { status: 'skipped', detail: `the server refused us (${ep.error ?? 'refused'})` };
    const obs = passiveObservations(ep.ftp);
    if (obs.length === 0) {
      const why =
        ep.ftp!.passiveSamples?.find((s) => s.port === null)?.reply ??
        noLoginReason(ep.ftp!, 'no passive port was advertised to us (PASV/EPSV need a login on most servers)');
      return { status: 'skipped', detail: why };
    }
    const states = passivePortStates(obs);
    const ports = (want: string[]) =>
      [...states.entries()]
        .filter(([, s]) => want.includes(s))
        .map(([p]) => p)
        .sort((a, b) => a - b);
    const open = ports(['open']);
    const filtered = ports(['filtered', 'timeout']);
    const closed = ports(['closed']);
    const unreachable = ports(['unreachable']);
    const addr = ep.address ?? ep.host;
    const evidence = [
      {
        label: 'passive ports dialled at the control address',
        value: [...states.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([p, s]) => `${p} ${s}`)
          .join(', '),
      },
      ...obs
        .filter((o) => o.state !== 'open')
        .slice(0, 10)
        .map((o) => ({ label: `port ${o.port} (${o.source === 'sample' ? 'PASV/EPSV sample' : 'data transfer'})`, value: o.state })),
    ];
    const reached = open.length > 0 ? `reached: ${open.join(', ')} (open — not at fault)` : 'none of the advertised ports was reached';
    if (filtered.length + closed.length + unreachable.length === 0) {
      return {
        status: 'pass',
        detail: `every advertised passive port was reachable at ${addr}: ${open.join(', ')} (${obs.length} dial(s), sampled)`,
        evidence,
      };
    }
    const parts: string[] = [];
    if (filtered.length) parts.push(`filtered (silence: a firewall drops them): ${filtered.join(', ')}`);
    if (closed.length) parts.push(`closed (TCP reset: nothing listened, or a firewall rejects them): ${closed.join(', ')}`);
    if (unreachable.length) parts.push(`unreachable (ICMP/route error): ${unreachable.join(', ')}`);
    const rules = [...new Set([...blockedRanges([...filtered, ...unreachable, ...closed], open).map(rangeText)])];
    const rule = rules.map((r) => `allow inbound TCP ${addr}:${r} from clients (passive data, server side)`).join('; ');
    const inferred = rules.some((r) => r.includes('-'))
      ? ' The range joins the blocked ports we saw; ports between them were not advertised to us, so check the whole passive range.'
      : '';
    return {
      status: 'fail',
      severity: filtered.length + unreachable.length > 0 ? 'high' : 'medium',
      titleSuffix: `ports ${[...filtered, ...closed, ...unreachable].sort((a, b) => a - b).join(', ')}`,
      detail: `the server advertised passive ports that could not be reached at ${addr}: ${parts.join('; ')}; ${reached}. Transfers that land on these ports fail although the server is fine.`,
      remediation: `Missing firewall rule: ${rule}.${inferred} Or narrow the server's passive range to the ports the firewall opens.`,
      evidence,
    };
  },
});
