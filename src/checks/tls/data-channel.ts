// The FTP data channel's TLS compared with the control channel's.
import { suiteWeaknesses } from '../../derive/tls.js';
import type { Evidence } from '../../model.js';
import { defineCheck } from '../types.js';
import { RANK, withTls } from './support.js';

export const tlsDataChannelDiffers = defineCheck({
  id: 'TLS-DATA-CHANNEL-DIFFERS',
  family: 'tls',
  observes: 'data channel negotiates a weaker version/suite/certificate than control',
  title: 'Data channel TLS weaker than control channel',
  severity: 'medium',
  remediation:
    'Configure the data channel with the same TLS settings and certificate as the control channel (ProFTPD: one mod_tls config for both; vsftpd and Pure-FTPd share them by design — a difference points at a proxy or load balancer).',
  run: withTls((tls) => {
    const d = tls.dataChannel;
    if (d === undefined || d === null)
      return { status: 'skipped', detail: 'the data channel TLS was not probed (needs a PROT P data connection)' };
    const ctl = tls.negotiated ?? null;
    const ev: Evidence[] = [
      {
        label: 'control channel',
        value: `${ctl?.protocol ?? '?'} ${ctl?.cipher ?? '?'} ${tls.certificate?.fingerprintSha256 ?? ''}`.trim(),
      },
      { label: 'data channel', value: `${d.protocol ?? '?'} ${d.cipher ?? '?'} ${d.fingerprintSha256 ?? ''}`.trim() },
    ];
    const diffs: string[] = [];
    const rc = ctl?.protocol ? RANK[ctl.protocol] : undefined;
    const rd = d.protocol ? RANK[d.protocol] : undefined;
    if (rc !== undefined && rd !== undefined && rd < rc) diffs.push(`version ${d.protocol} < ${ctl!.protocol}`);
    const notes: string[] = [];
    if (ctl?.cipher && d.cipher && ctl.cipher !== d.cipher) {
      const weaker = suiteWeaknesses(ctl.cipher, d.cipher);
      if (weaker === null) notes.push(`cipher ${d.cipher} instead of ${ctl.cipher} (strength not comparable: unknown suite name)`);
      else if (weaker.length) diffs.push(`cipher ${d.cipher} instead of ${ctl.cipher} (${weaker.join(', ')})`);
      else notes.push(`an equally strong suite (${d.cipher} instead of ${ctl.cipher})`);
    }
    if (d.fingerprintSha256 && tls.certificate?.fingerprintSha256 && d.fingerprintSha256 !== tls.certificate.fingerprintSha256)
      diffs.push('a different certificate');
    if (!diffs.length && notes.some((n) => n.includes('not comparable')))
      return { status: 'warn', detail: `the data channel negotiates ${notes.join('; ')}`, evidence: ev };
    if (!diffs.length)
      return {
        status: 'pass',
        detail: notes.length
          ? `the data channel is no weaker than the control channel: ${notes.join('; ')}`
          : 'the data channel negotiates the same TLS as the control channel',
        evidence: ev,
      };
    return { status: 'fail', detail: `the data channel differs: ${diffs.join(', ')}`, evidence: ev };
  }),
});
