// Protection of the data and control channels: PROT P, PROT C, data connections that are not
// TLS, CCC, and TLS session reuse on data connections.
import { defineCheck } from '../types.js';
import { stepEvidence } from '../evidence.js';
import { channelLine, gapDetail, isFtp, isTls, noLoginReason, normalChannels, refused } from './support.js';
import { decisiveCleartext, protectionRound } from '../../derive/ftp.js';

export const ftpsProtP = defineCheck({
  id: 'FTPS-PROT-P',
  family: 'ftp',
  observes: 'PROT P accepted after PBSZ 0',
  title: 'Protected data channel (PBSZ 0 + PROT P)',
  severity: 'high',
  remediation:
    'Support RFC 4217 data protection: vsftpd ssl_enable=YES with force_local_data_ssl=YES; ProFTPD TLSRequired on; Pure-FTPd --tls=2 or 3 (and a client using PROT P).',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const ftp = ep.ftp!;
    const evidence = stepEvidence(ep, 'PBSZ/PROT', { steps: ['pbsz', 'prot-p'], max: 4 });
    if (ftp.protP === null) return { status: 'skipped', detail: 'PBSZ/PROT P could not be sent', evidence };
    if (!ftp.protP) return { status: 'fail', detail: `PROT P refused (PBSZ ${ftp.pbsz ? 'accepted' : 'refused'})`, evidence };
    const p = normalChannels(ftp).filter((d) => d.protection === 'P');
    if (p.length === 0)
      return { status: 'pass', detail: `PBSZ 0 and PROT P accepted (200); no protected transfer tried: ${noLoginReason(ftp)}`, evidence };
    if (p.some((d) => d.ok))
      return {
        status: 'pass',
        detail: `PROT P accepted and protected listings worked: ${p
          .filter((d) => d.ok)
          .map(channelLine)
          .join('; ')}`,
        evidence,
      };
    return {
      status: 'fail',
      detail: `PROT P accepted (200), but no protected data connection worked: ${p.map(channelLine).join('; ')}`,
      evidence,
    };
  },
});

export const ftpsProtCAllowed = defineCheck({
  id: 'FTPS-PROT-C-ALLOWED',
  family: 'ftp',
  observes: 'PROT C accepted: files may move in cleartext',
  title: 'Cleartext data channel allowed (PROT C)',
  severity: 'high',
  remediation:
    'Refuse cleartext data connections: vsftpd force_local_data_ssl=YES (and force_anon_data_ssl=YES); ProFTPD TLSRequired on (covers data) or TLSRequired auth+data; Pure-FTPd --tls=3 (TLS required for data too).',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const ftp = ep.ftp!;
    // the reply of the round that decided (after login when the first was a sequence error)
    const reply = protectionRound(ftp.commandReplies ?? [])?.get('prot-c') ?? ftp.commandReplies?.find((c) => c.command === 'PROT C');
    const evidence = [...stepEvidence(ep, 'PROT C', { steps: ['prot-c'], max: 4 })];
    const clear = ftp.dataChannels.filter((d) => d.protection === 'C');
    const decisive = decisiveCleartext(ftp.dataChannels);
    evidence.push(...clear.slice(0, 2).map((d) => ({ label: 'PROT C transfer', value: channelLine(d), conn: d.conn })));
    if (ftp.protC === null || !reply) return { status: 'skipped', detail: 'PROT C could not be tried', evidence };
    if (decisive.some((d) => d.ok))
      return {
        status: 'fail',
        detail: `files can move in cleartext: PROT C → ${reply.code}, and cleartext listings worked (${decisive
          .filter((d) => d.ok)
          .map((d) => d.mode)
          .join(', ')})`,
        evidence,
      };
    if (decisive.length > 0)
      return {
        status: 'pass',
        detail: `PROT C → ${reply.code} ${reply.text}, but the server refused every cleartext data connection (${decisive.map((d) => d.error).join('; ')})`,
        evidence,
      };
    if (reply.code === 200)
      return {
        status: 'warn',
        detail:
          clear.length > 0
            ? `PROT C accepted (200); not verified: no cleartext data connection could be made (${clear.map((d) => d.error).join('; ')}), which is the network's doing, not the server's`
            : `PROT C accepted (200); not verified with a transfer: ${noLoginReason(ftp)}`,
        evidence,
      };
    return { status: 'pass', detail: `PROT C refused (${reply.code} ${reply.text})`, evidence };
  },
});

export const ftpsDataNotTls = defineCheck({
  id: 'FTPS-DATA-NOT-TLS',
  family: 'ftp',
  observes: 'PROT P agreed, yet the data connection was not TLS',
  title: 'Data connection not TLS despite PROT P',
  severity: 'critical',
  remediation:
    'The server agrees to PROT P but sends data in cleartext: fix or replace the server (or the proxy/load balancer in front of it that terminates TLS only on the control channel).',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const p = ep.ftp!.dataChannels.filter((d) => d.protection === 'P');
    if (p.length === 0) return { status: 'skipped', detail: noLoginReason(ep.ftp!) };
    const bad = p.filter((d) => d.notTls);
    if (bad.length > 0)
      return {
        status: 'fail',
        detail: `after PROT P the data connection was not TLS: ${bad.map(channelLine).join('; ')}`,
        evidence: bad.map((d) => ({ label: 'data channel', value: channelLine(d), conn: d.conn })),
      };
    const tls = p.filter((d) => d.tls);
    if (tls.length === 0)
      return { status: 'skipped', detail: `no protected data connection got as far as a handshake: ${p.map(channelLine).join('; ')}` };
    return {
      status: 'pass',
      detail: `every protected data connection that opened spoke TLS (${[...new Set(tls.map((d) => d.tls!.protocol))].join(', ')})`,
    };
  },
});

export const ftpsCccAllowed = defineCheck({
  id: 'FTPS-CCC-ALLOWED',
  family: 'ftp',
  observes: 'CCC accepted: the control channel may fall back to cleartext after login',
  title: 'Control channel may drop TLS (CCC)',
  severity: 'medium',
  remediation:
    'Refuse CCC unless a firewall ALG truly needs it: ProFTPD TLSOptions without AllowClearCommandChannel... (mod_tls accepts CCC by default: restrict with <Limit CCC> DenyAll </Limit>); Pure-FTPd accepts CCC — block it at the server build or in front; vsftpd does not implement CCC.',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const ftp = ep.ftp!;
    const evidence = stepEvidence(ep, 'CCC', { steps: ['ccc'], max: 6 });
    if (ftp.ccc === null) return { status: 'skipped', detail: gapDetail(ftp, 'ccc') ?? 'CCC was not tried', evidence };
    const code = ftp.cccDetail?.code ?? null;
    const said = `${code ?? '?'} ${ftp.cccDetail?.text ?? ''}`.trim();
    // 530/503 say "not now" (not logged in, bad sequence): a sequence error, not a refusal
    if (!ftp.ccc && (code === 530 || code === 503))
      return { status: 'skipped', detail: `CCC answered ${said}: a sequence error, not a refusal; ${noLoginReason(ftp)}`, evidence };
    if (!ftp.ccc && code !== null && code >= 500) return { status: 'pass', detail: `CCC refused (${said})`, evidence };
    if (!ftp.ccc) return { status: 'warn', detail: `the reply to CCC does not say whether it is allowed (${said})`, evidence };
    const after = ftp.cccDetail?.cleartextAfter;
    return {
      status: 'fail',
      detail: `CCC accepted (${ftp.cccDetail?.code} ${ftp.cccDetail?.text}); ${ftp.cccDetail?.closeNotify ? 'close_notify exchanged' : 'the server sent no close_notify back'}; ${after ? `then PWD in cleartext → ${after.code}: the rest of the session, including later logins on it, is readable` : 'no cleartext command was confirmed afterwards'}`,
      evidence,
    };
  },
});

export const ftpsSessionReuse = defineCheck({
  id: 'FTPS-SESSION-REUSE',
  family: 'ftp',
  observes:
    "whether the data channel requires resuming the control channel's TLS session (and whether resumption works on TLS 1.2 and 1.3)",
  title: 'TLS session reuse on the data channel',
  severity: 'info',
  remediation:
    'Clients must resume the control session on data connections (FileZilla, curl, lftp do; some libraries do not). If TLS 1.3 transfers fail even with resumption, fix the server (ticket handling) or cap it at TLS 1.2 until fixed.',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep) || !isTls(ep)) return null;
    const ftp = ep.ftp!;
    const runs = Object.entries(ftp.sessionReuse ?? {});
    if (runs.length === 0) return { status: 'skipped', detail: noLoginReason(ftp) };
    const parts = runs.map(([v, r]) => {
      const without = r.withoutReuse.ok
        ? 'works without resumption'
        : `fails without resumption (${r.withoutReuse.error ?? r.withoutReuse.code})`;
      const withR = r.withReuse
        ? r.withReuse.ok
          ? `works with it${r.withReuse.resumed ? ' (session resumed)' : r.withReuse.resumed === false ? ' (the server did not resume)' : ''}`
          : `fails with it too (${r.withReuse.error ?? r.withReuse.code})`
        : '';
      return `${v}: ${without}${withR ? `, ${withR}` : ''}`;
    });
    const required = ftp.sessionReuseRequired ? 'required' : ftp.sessionReuseRequired === false ? 'not required' : 'undetermined';
    const broken = runs.filter(([, r]) => !r.withoutReuse.ok && r.withReuse && !r.withReuse.ok).map(([v]) => v);
    const evidence = runs.flatMap(([v, r]) => [
      { label: `${v} without reuse`, value: JSON.stringify(r.withoutReuse) },
      ...(r.withReuse ? [{ label: `${v} with reuse`, value: JSON.stringify(r.withReuse) }] : []),
    ]);
    if (broken.length > 0)
      return {
        status: 'warn',
        severity: 'medium',
        detail: `session reuse ${required}; data connections fail on ${broken.join(', ')} even with resumption — clients on that version cannot transfer. ${parts.join('; ')}`,
        evidence,
      };
    return { status: 'info', detail: `session reuse ${required}. ${parts.join('; ')}`, evidence };
  },
});
