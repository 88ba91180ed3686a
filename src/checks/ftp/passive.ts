// What PASV replies say: the address advertised, the passive port range, and whether something
// on the path rewrites cleartext replies.
import { classifyAdvertised } from '../../knowledge/addresses.js';
import { defineCheck } from '../types.js';
import { stepEvidence } from '../evidence.js';
import { PASV_ON_IPV6, isFtp, noLoginReason, onIpv6, refused } from './support.js';

export const ftpPasvAddress = defineCheck({
  id: 'FTP-PASV-ADDRESS',
  family: 'ftp',
  observes: '227 reply advertises an address other than the one connected to (private/NAT, 0.0.0.0, foreign)',
  title: 'PASV reply advertises another address',
  severity: 'medium',
  remediation:
    'Make the server advertise the address clients connect to: vsftpd pasv_address=PUBLIC_IP (and pasv_addr_resolve); ProFTPD MasqueradeAddress PUBLIC_NAME; Pure-FTPd -P PUBLIC_IP; or use EPSV, which carries no address.',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const ftp = ep.ftp!;
    const seen = [
      ...ftp.dataChannels.filter((d) => d.mode === 'PASV' && d.advertisedAddress).map((d) => d.advertisedAddress!),
      ...(ftp.passiveSamples ?? []).filter((s) => s.command === 'PASV' && s.advertisedAddress).map((s) => s.advertisedAddress!),
    ];
    const pasvReplies = (ftp.passiveSamples ?? []).filter((s) => s.command === 'PASV').length + seen.length;
    if (onIpv6(ep) && pasvReplies > 0)
      return {
        status: 'info',
        detail: `${PASV_ON_IPV6}; the PASV replies${seen.length ? ` advertise ${[...new Set(seen)].join(', ')}` : ' named no usable address'} — not a misconfiguration: clients on IPv6 use EPSV`,
        evidence: stepEvidence(ep, 'PASV', { steps: ['pasv', 'passive-sample'], max: 4 }),
      };
    if (seen.length === 0 || !ep.address)
      return { status: 'skipped', detail: ftp.passiveSamples?.find((s) => s.command === 'PASV' && !s.port)?.reply ?? noLoginReason(ftp) };
    const distinct = [...new Set(seen)];
    const kinds = distinct.map((a) => ({ a, kind: classifyAdvertised(a, ep.address!) }));
    const odd = kinds.filter((k) => k.kind !== 'same');
    const evidence = stepEvidence(ep, 'PASV', { steps: ['pasv', 'passive-sample'], max: 4 });
    if (odd.length === 0)
      return { status: 'pass', detail: `PASV replies advertise ${distinct.join(', ')}, the address we connected to`, evidence };
    const words: Record<string, string> = {
      private: 'a private address (NAT without masquerading): it discloses the internal network and clients outside cannot follow it',
      unspecified: '0.0.0.0, which no client can connect to',
      loopback: 'a loopback address',
      'link-local': 'a link-local address',
      foreign: 'an address of another host',
    };
    return {
      status: 'fail',
      detail: `PASV replies advertise ${odd.map((k) => `${k.a} — ${words[k.kind]}`).join('; ')}; we connected to ${ep.address}. xferscan connected data channels to ${ep.address} instead (as curl and FileZilla do); clients that follow the reply break.`,
      evidence,
    };
  },
});

export const ftpPasvRange = defineCheck({
  id: 'FTP-PASV-RANGE',
  family: 'ftp',
  observes: 'passive ports observed (sampled) vs the expected range; fail when outside `--expect-passive-range`',
  title: 'Passive port range',
  severity: 'medium',
  remediation:
    'Make the server hand out only the range the firewall opens: vsftpd pasv_min_port/pasv_max_port; ProFTPD PassivePorts; Pure-FTPd -p LOW:HIGH — or open the observed range in the firewall.',
  run: ({ endpoint: ep, options }) => {
    if (!isFtp(ep)) return null;
    const ports = [...(ep.ftp!.passivePortsSeen ?? [])].sort((a, b) => a - b);
    if (ports.length === 0) return { status: 'skipped', detail: noLoginReason(ep.ftp!) };
    const span = `${ports.length} passive port(s) seen (sampled), ${ports[0]}–${ports[ports.length - 1]}`;
    const evidence = [{ label: 'ports seen', value: ports.join(', ') }];
    const range = options.expectPassiveRange;
    if (!range)
      return {
        status: 'info',
        detail: `${span}; give --expect-passive-range LOW-HIGH to check them against the firewall's range`,
        evidence,
      };
    const outside = ports.filter((p) => p < range[0] || p > range[1]);
    if (outside.length > 0)
      return { status: 'fail', detail: `${span}; outside the expected ${range[0]}-${range[1]}: ${outside.join(', ')}`, evidence };
    return { status: 'pass', detail: `${span}; all inside the expected ${range[0]}-${range[1]}`, evidence };
  },
});

export const ftpAlgRewrite = defineCheck({
  id: 'FTP-ALG-REWRITE',
  family: 'ftp',
  observes:
    'the address in 227 replies differs between a cleartext and a TLS control channel (a firewall helper rewrote it); ports are not compared, since the server picks a new one for every PASV',
  title: 'PASV reply differs between cleartext and TLS (firewall helper)',
  severity: 'info',
  remediation:
    'A firewall FTP helper (ALG) rewrites cleartext PASV replies but cannot see inside TLS: configure the server to advertise the right address itself (pasv_address / MasqueradeAddress / -P), then the helper is not needed.',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || ep.service !== 'ftps-explicit') return null;
    const samples = (ep.ftp!.passiveSamples ?? []).filter((s) => s.command === 'PASV' && s.advertisedAddress);
    // addresses only: each PASV gets a fresh port, so ports differ whatever the path does
    const addresses = (channel: string) =>
      [...new Set(samples.filter((s) => s.channel === channel).map((s) => s.advertisedAddress!))].sort();
    const clear = addresses('clear');
    const tls = addresses('tls');
    if (clear.length === 0 || tls.length === 0) {
      return {
        status: 'skipped',
        detail:
          'needs PASV replies over both a cleartext and a TLS control channel: the server must allow a cleartext login (anonymous, or credentials with --allow-cleartext-login)',
      };
    }
    const evidence = samples.slice(0, 6).map((s) => ({ label: `PASV over ${s.channel}`, value: s.reply }));
    if (clear.join() !== tls.join())
      return {
        status: 'info',
        detail: `the 227 address differs: ${clear.join(', ')} over cleartext, ${tls.join(', ')} over TLS — something on the path rewrites cleartext replies`,
        evidence,
      };
    return {
      status: 'info',
      detail: `the 227 address is the same over cleartext and TLS (${tls.join(', ')}): nothing on the path rewrites it`,
      evidence,
    };
  },
});
