// Checks over what the FTP probes saw on the wire (probes/ftp-login-policy.ts, ftp-channels.ts):
// login policy, anonymous access, bounce, protection levels, CCC, data channels, session reuse,
// PASV addresses and ports. Judged by what happened, not by reply codes alone.
import type { Check, CheckOutcome } from './engine.js';
import type { EndpointReport, Evidence, FtpDataChannel, FtpFacts } from '../model.js';
import { pci, hipaa } from './controls.js';
import { transcriptEvidence } from './evidence.js';
import { classifyAdvertised } from '../net/ftp-passive.js';

const isFtp = (ep: EndpointReport) =>
  (ep.service === 'ftp' || ep.service === 'ftps-explicit' || ep.service === 'ftps-implicit') && !!ep.ftp;
const isTls = (ep: EndpointReport) => ep.service === 'ftps-explicit' || ep.service === 'ftps-implicit';
const refused = (ep: EndpointReport): CheckOutcome | null =>
  ep.outcome === 'refused-by-server' ? { status: 'skipped', detail: `the server refused us (${ep.error ?? 'refused'})` } : null;

/** Why login-level facts are missing, in the user's terms. */
function noLoginReason(ftp: FtpFacts): string {
  if (ftp.login && !ftp.login.ok) return `login as ${ftp.login.user} failed (${ftp.login.code ?? ''} ${ftp.login.error ?? ''})`.trim();
  const note = ftp.notes?.find((n) => /no login|not sending/.test(n));
  return note ?? 'needs a login: give --user with --password-env/--password-file, or the server must allow anonymous login';
}

function connEvidence(ep: EndpointReport, conn: string, label: string, match: RegExp = /./, max = 8): Evidence[] {
  return ep.transcript
    .filter((l) => l.conn === conn && match.test(l.text))
    .slice(0, max)
    .map((l) => ({ label, value: `${l.dir === 'client' ? '> ' : l.dir === 'server' ? '< ' : '# '}${l.text}`, conn: l.conn, t: l.t }));
}

function channelLine(d: FtpDataChannel): string {
  const where = d.advertisedAddress ? `${d.advertisedAddress}:${d.port}` : d.port !== null ? `port ${d.port}` : '';
  const tls = d.tls ? ` ${d.tls.protocol}${d.tls.resumed ? ' resumed' : ''}` : '';
  return `${d.mode} PROT ${d.protection}${d.reuseOffered ? ' (session reuse offered)' : d.protection === 'P' ? ' (no session reuse)' : ''} ${where}: ${d.ok ? `ok${tls}, ${d.bytes ?? 0} bytes${typeof d.entries === 'number' ? ` (${d.entries} entries)` : ''}` : `failed at ${d.failedStep ?? '?'}: ${d.error ?? ''}`}`.replace(
    /\s+/g,
    ' ',
  );
}

/** The channels that show what a normal client gets: TLS ones offering reuse, or cleartext ones. */
const normalChannels = (ftp: FtpFacts) => ftp.dataChannels.filter((d) => d.protection === 'C' || d.reuseOffered);

export const ftpDeepChecks: Check[] = [
  {
    id: 'FTP-CLEARTEXT-LOGIN',
    title: 'Login possible before TLS',
    severity: 'critical',
    controls: [...pci('8.3.2', '2.2.7', '4.2.1'), ...hipaa('(d)', '(e)(1)')],
    remediation:
      'Refuse USER/PASS until AUTH TLS has succeeded: vsftpd force_local_logins_ssl=YES (and force_anon_logins_ssl=YES if anonymous is on); ProFTPD TLSRequired on (or auth+data); Pure-FTPd --tls=2 or 3. For plain FTP, move to FTPS or SFTP.',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      if (ep.service === 'ftps-implicit')
        return { status: 'pass', detail: 'TLS starts on connect: nothing, not even USER, crosses in cleartext' };
      const probes = ep.ftp!.loginPolicy;
      if (!probes || probes.length === 0)
        return {
          status: 'skipped',
          detail: ep.ftp!.notes?.find((n) => n.startsWith('cleartext-login')) ?? 'the cleartext-login probe could not run',
        };
      const evidence = probes.flatMap((p) => connEvidence(ep, p.conn, `USER before AUTH (${p.kind} user)`, /^(USER|PASS|\d{3})/));
      const say = (p: (typeof probes)[number]) =>
        `USER ${p.kind === 'random' ? '<made-up name>' : p.user} → ${p.userReply.code}${p.passReply ? `, PASS → ${p.passReply.code} ${p.passReply.text}` : ` ${p.userReply.text}`}`;
      const open = probes.filter((p) => p.verdict === 'accepted' || p.verdict === 'password-requested');
      if (open.length > 0) {
        const plain = ep.service === 'ftp' ? 'this is cleartext FTP: every login crosses the network readable. ' : '';
        return { status: 'fail', detail: `${plain}the server takes credentials without TLS: ${open.map(say).join('; ')}`, evidence };
      }
      const late = probes.filter((p) => p.verdict === 'refused-at-password');
      if (late.length > 0) {
        return {
          status: 'warn',
          severity: 'high',
          detail: `the server asks for the password before refusing for lack of TLS (${late.map(say).join('; ')}): a client that does not use TLS still sends its password in cleartext`,
          evidence,
        };
      }
      return { status: 'pass', detail: `USER before AUTH is refused: ${probes.map(say).join('; ')}`, evidence };
    },
  },
  {
    id: 'FTP-ANONYMOUS',
    title: 'Anonymous login',
    severity: 'high',
    controls: [...pci('8.2.1', '8.2.2', '2.2.2'), ...hipaa('(d)')],
    remediation:
      'Disable anonymous FTP unless it is a deliberate public download service: vsftpd anonymous_enable=NO; ProFTPD remove the <Anonymous> block; Pure-FTPd -E (--noanonymous). Never allow anonymous writes.',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      const a = ep.ftp!.anonymous;
      if (!a || !a.tried)
        return { status: 'skipped', detail: ep.ftp!.notes?.find((n) => n.startsWith('anonymous')) ?? 'anonymous login was not tried' };
      // the login exchange, not the greeting (other findings carry that)
      const evidence = a.conn ? connEvidence(ep, a.conn, 'anonymous login', /^(USER|PASS|(?!220)\d{3}[ -])/) : [];
      if (!a.accepted)
        return {
          status: 'pass',
          detail: `anonymous login refused (USER ${a.userCode ?? '?'}${a.passCode ? `, PASS ${a.passCode}` : ''})${a.decidedBy ? `: ${a.decidedBy}` : ''}`,
          evidence,
        };
      if (a.canWrite)
        return {
          status: 'fail',
          severity: 'critical',
          detail: 'anonymous login accepted, and anonymous users can upload (--write-test stored a file)',
          evidence,
        };
      return {
        status: 'fail',
        detail: `anonymous login accepted${a.overTls ? ' (over TLS)' : ''}${a.canWrite === false ? '; uploads were refused' : '; writing was not tested (use --write-test)'}`,
        evidence,
      };
    },
  },
  {
    id: 'FTP-BOUNCE',
    title: 'FTP bounce (PORT to a third party)',
    severity: 'high',
    controls: pci('1.4.2'),
    remediation:
      "Refuse PORT/EPRT to any address but the client's: vsftpd port_promiscuous=NO (default); ProFTPD AllowForeignAddress off (default); Pure-FTPd refuses by default — check for patches or proxies that relax it.",
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      const b = ep.ftp!.bounce;
      if (!b || b.length === 0) return { status: 'skipped', detail: noLoginReason(ep.ftp!) };
      const evidence = transcriptEvidence(ep, 'bounce', /^(PORT|EPRT) /, 4);
      const accepted = b.filter((x) => x.accepted);
      if (accepted.length > 0)
        return {
          status: 'fail',
          detail: `the server accepts a data address that is not ours: ${accepted.map((x) => `${x.command} → ${x.code}`).join('; ')} (no transfer was started)`,
          evidence,
        };
      return {
        status: 'pass',
        detail: `PORT/EPRT to another address refused: ${b.map((x) => `${x.command.split(' ')[0]} → ${x.code} ${x.text}`).join('; ')}`,
        evidence,
      };
    },
  },
  {
    id: 'FTPS-PROT-P',
    title: 'Protected data channel (PBSZ 0 + PROT P)',
    severity: 'high',
    controls: [...pci('4.2.1'), ...hipaa('(e)(2)(ii)')],
    remediation:
      'Support RFC 4217 data protection: vsftpd ssl_enable=YES with force_local_data_ssl=YES; ProFTPD TLSRequired on; Pure-FTPd --tls=2 or 3 (and a client using PROT P).',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep) || !isTls(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      const ftp = ep.ftp!;
      const evidence = transcriptEvidence(ep, 'PBSZ/PROT', /^(PBSZ 0|PROT P)$/, 4);
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
  },
  {
    id: 'FTPS-PROT-C-ALLOWED',
    title: 'Cleartext data channel allowed (PROT C)',
    severity: 'high',
    controls: [...pci('4.2.1'), ...hipaa('(e)(1)', '(e)(2)(ii)')],
    remediation:
      'Refuse cleartext data connections: vsftpd force_local_data_ssl=YES (and force_anon_data_ssl=YES); ProFTPD TLSRequired on (covers data) or TLSRequired auth+data; Pure-FTPd --tls=3 (TLS required for data too).',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep) || !isTls(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      const ftp = ep.ftp!;
      const reply = ftp.commandReplies?.find((c) => c.command === 'PROT C');
      const evidence = [...transcriptEvidence(ep, 'PROT C', /^PROT C$/, 2)];
      const clear = ftp.dataChannels.filter((d) => d.protection === 'C');
      evidence.push(...clear.slice(0, 2).map((d) => ({ label: 'PROT C transfer', value: channelLine(d), conn: d.conn })));
      if (ftp.protC === null || !reply) return { status: 'skipped', detail: 'PROT C could not be tried', evidence };
      if (clear.length > 0) {
        if (clear.some((d) => d.ok))
          return {
            status: 'fail',
            detail: `files can move in cleartext: PROT C → ${reply.code}, and cleartext listings worked (${clear
              .filter((d) => d.ok)
              .map((d) => d.mode)
              .join(', ')})`,
            evidence,
          };
        return {
          status: 'pass',
          detail: `PROT C → ${reply.code} ${reply.text}, but every cleartext data connection was refused (${clear.map((d) => d.error).join('; ')})`,
          evidence,
        };
      }
      if (reply.code === 200)
        return { status: 'warn', detail: `PROT C accepted (200); not verified with a transfer: ${noLoginReason(ftp)}`, evidence };
      return { status: 'pass', detail: `PROT C refused (${reply.code} ${reply.text})`, evidence };
    },
  },
  {
    id: 'FTPS-DATA-NOT-TLS',
    title: 'Data connection not TLS despite PROT P',
    severity: 'critical',
    controls: [...pci('4.2.1'), ...hipaa('(e)(2)(ii)')],
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
  },
  {
    id: 'FTPS-CCC-ALLOWED',
    title: 'Control channel may drop TLS (CCC)',
    severity: 'medium',
    controls: [...pci('4.2.1'), ...hipaa('(e)(2)(i)')],
    remediation:
      'Refuse CCC unless a firewall ALG truly needs it: ProFTPD TLSOptions without AllowClearCommandChannel... (mod_tls accepts CCC by default: restrict with <Limit CCC> DenyAll </Limit>); Pure-FTPd accepts CCC — block it at the server build or in front; vsftpd does not implement CCC.',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep) || ep.service !== 'ftps-explicit') return null;
      const r = refused(ep);
      if (r) return r;
      const ftp = ep.ftp!;
      const evidence = transcriptEvidence(ep, 'CCC', /^(CCC|PWD)$|close_notify|cleartext/, 6);
      if (ftp.ccc === null)
        return { status: 'skipped', detail: ftp.notes?.find((n) => n.startsWith('CCC')) ?? 'CCC was not tried', evidence };
      if (!ftp.ccc)
        return { status: 'pass', detail: `CCC refused (${ftp.cccDetail?.code ?? '?'} ${ftp.cccDetail?.text ?? ''})`.trim(), evidence };
      const after = ftp.cccDetail?.cleartextAfter;
      return {
        status: 'fail',
        detail: `CCC accepted (${ftp.cccDetail?.code} ${ftp.cccDetail?.text}); ${ftp.cccDetail?.closeNotify ? 'close_notify exchanged' : 'the server sent no close_notify back'}; ${after ? `then PWD in cleartext → ${after.code}: the rest of the session, including later logins on it, is readable` : 'no cleartext command was confirmed afterwards'}`,
        evidence,
      };
    },
  },
  {
    id: 'FTPS-SESSION-REUSE',
    title: 'TLS session reuse on the data channel',
    severity: 'info',
    controls: [],
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
  },
  {
    id: 'FTP-DATA-PASSIVE',
    title: 'Passive data connections carry a listing',
    severity: 'high',
    controls: [],
    remediation:
      'Open the passive port range in every firewall between clients and server (and set the server to advertise its public address): vsftpd pasv_min_port/pasv_max_port/pasv_address; ProFTPD PassivePorts/MasqueradeAddress; Pure-FTPd -p and -P.',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      const ftp = ep.ftp!;
      const passive = normalChannels(ftp).filter((d) => d.mode === 'PASV' || d.mode === 'EPSV');
      const preferred = isTls(ep) ? passive.filter((d) => d.protection === 'P') : passive;
      if (preferred.length === 0) return { status: 'skipped', detail: noLoginReason(ftp) };
      const evidence = preferred.map((d) => ({ label: 'data channel', value: channelLine(d), conn: d.conn }));
      const byMode = (m: string) => preferred.filter((d) => d.mode === m);
      const failedModes = ['PASV', 'EPSV'].filter((m) => byMode(m).length > 0 && !byMode(m).some((d) => d.ok));
      const blockedPorts = [...new Set(preferred.filter((d) => d.failedStep === 'connect' && d.port !== null).map((d) => d.port!))];
      const fwNote =
        blockedPorts.length > 0
          ? ` — data port(s) ${blockedPorts.join(', ')} could not be reached at the TCP level (the network path, not a server refusal; see NET-PASV-FILTERED)`
          : '';
      if (preferred.every((d) => !d.ok))
        return { status: 'fail', detail: `no passive data connection worked: ${preferred.map(channelLine).join('; ')}${fwNote}`, evidence };
      if (failedModes.length > 0)
        return {
          status: 'warn',
          detail: `${failedModes.join(' and ')} failed while the other worked: ${preferred.map(channelLine).join('; ')}${fwNote}`,
          evidence,
        };
      return { status: 'pass', detail: preferred.map(channelLine).join('; '), evidence };
    },
  },
  {
    id: 'FTP-DATA-ACTIVE',
    title: 'Active data connections carry a listing',
    severity: 'low',
    controls: [],
    remediation:
      "For active mode the server connects back from port 20 (989 for implicit FTPS) to the client: allow that outbound on the server side and inbound on the client side; behind the client's NAT, active mode needs an FTP-aware NAT or does not work — prefer passive mode.",
    run: ({ endpoint: ep, options }) => {
      if (!isFtp(ep)) return null;
      const r = refused(ep);
      if (r) return r;
      const ftp = ep.ftp!;
      const active = normalChannels(ftp).filter((d) => d.mode === 'PORT' || d.mode === 'EPRT');
      if (active.length === 0)
        return {
          status: 'skipped',
          detail: options.activeRequested === false ? 'active mode not tested (use --active)' : noLoginReason(ftp),
        };
      const evidence = active.map((d) => ({ label: 'data channel', value: channelLine(d), conn: d.conn }));
      if (active.some((d) => d.ok)) return { status: 'pass', detail: active.map(channelLine).join('; '), evidence };
      const back = active.filter((d) => d.failedStep === 'connect');
      const setup = active.filter((d) => d.failedStep === 'setup');
      const said = active.filter((d) => d.failedStep !== 'connect' && d.failedStep !== 'setup');
      const why =
        back.length > 0
          ? ` — active mode does not get back through: the server did not connect back to us (silence until our listener gave up${back.some((d) => d.replies?.start) ? `; the server later answered ${[...new Set(back.map((d) => d.replies?.start).filter(Boolean))].join('/')}` : ''}): a firewall between the server and us drops the server's outgoing data connection, or we are behind NAT (active mode then cannot work from here)`
          : setup.length > 0
            ? ` — the server refused PORT/EPRT by reply (${setup.map((d) => d.replies?.setup ?? '?').join('/')}): a server setting, not a firewall`
            : said.length > 0
              ? ` — the server refused the active transfer by reply (${said.map((d) => d.replies?.end ?? d.replies?.start ?? '?').join('/')}): a server-side refusal, not silence on the network`
              : '';
      return {
        status: 'fail',
        detail: `${active.map(channelLine).join('; ')}${why}`,
        evidence,
      };
    },
  },
  {
    id: 'FTP-PASV-ADDRESS',
    title: 'PASV reply advertises another address',
    severity: 'medium',
    controls: pci('1.4.5'),
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
      if (seen.length === 0 || !ep.address)
        return { status: 'skipped', detail: ftp.passiveSamples?.find((s) => s.command === 'PASV' && !s.port)?.reply ?? noLoginReason(ftp) };
      const distinct = [...new Set(seen)];
      const kinds = distinct.map((a) => ({ a, kind: classifyAdvertised(a, ep.address!) }));
      const odd = kinds.filter((k) => k.kind !== 'same');
      const evidence = transcriptEvidence(ep, 'PASV', /^PASV$/, 4);
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
  },
  {
    id: 'FTP-PASV-RANGE',
    title: 'Passive port range',
    severity: 'medium',
    controls: pci('1.2.5'),
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
  },
  {
    id: 'FTP-ALG-REWRITE',
    title: 'PASV reply differs between cleartext and TLS (firewall helper)',
    severity: 'info',
    controls: [],
    remediation:
      'A firewall FTP helper (ALG) rewrites cleartext PASV replies but cannot see inside TLS: configure the server to advertise the right address itself (pasv_address / MasqueradeAddress / -P), then the helper is not needed.',
    run: ({ endpoint: ep }) => {
      if (!isFtp(ep) || ep.service !== 'ftps-explicit') return null;
      const samples = (ep.ftp!.passiveSamples ?? []).filter((s) => s.command === 'PASV' && s.advertisedAddress);
      const clear = [...new Set(samples.filter((s) => s.channel === 'clear').map((s) => s.advertisedAddress!))];
      const tls = [...new Set(samples.filter((s) => s.channel === 'tls').map((s) => s.advertisedAddress!))];
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
  },
];
