// Data channels: passive and active transfers that really carried a listing, and FTP bounce.
import { defineCheck } from '../types.js';
import { stepEvidence } from '../evidence.js';
import { bounceVerdict } from '../../derive/ftp.js';
import { PASV_ON_IPV6, channelLine, gapDetail, isFtp, isTls, noLoginReason, normalChannels, onIpv6, refused } from './support.js';

/** The server refused the mode's command as not implemented or not understood (500/502), at setup. */
const notImplemented = (d: { failedStep?: string | null; replies?: { setup: number | null } }) =>
  d.failedStep === 'setup' && (d.replies?.setup === 500 || d.replies?.setup === 502);

export const ftpDataPassive = defineCheck({
  id: 'FTP-DATA-PASSIVE',
  family: 'ftp',
  observes: 'a passive data connection (PASV and EPSV) really carries a listing',
  title: 'Passive data connections carry a listing',
  severity: 'high',
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
    // EPSV (RFC 2428) is optional: a server that does not implement it (500/502) has not failed it
    const unsupported = ['PASV', 'EPSV'].filter((m) => byMode(m).length > 0 && byMode(m).every(notImplemented));
    const dead = (m: string) => byMode(m).length > 0 && !byMode(m).some((d) => d.ok) && !unsupported.includes(m);
    // on IPv6 a PASV that fails is PASV being what it is, not the server or the network failing
    const ipv6Pasv = onIpv6(ep) && dead('PASV');
    const failedModes = ['PASV', 'EPSV'].filter((m) => dead(m) && !(ipv6Pasv && m === 'PASV'));
    const unsupportedNote =
      (unsupported.length ? ` (${unsupported.join(' and ')} not implemented by the server)` : '') + (ipv6Pasv ? ` (${PASV_ON_IPV6})` : '');
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
    return { status: 'pass', detail: `${preferred.map(channelLine).join('; ')}${unsupportedNote}`, evidence };
  },
});

export const ftpDataActive = defineCheck({
  id: 'FTP-DATA-ACTIVE',
  family: 'ftp',
  observes: 'an active data connection (PORT and EPRT) really carries a listing (`--active`)',
  title: 'Active data connections carry a listing',
  severity: 'low',
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
        detail:
          gapDetail(ftp, 'eprt') ?? (options.activeRequested === false ? 'active mode not tested (use --active)' : noLoginReason(ftp)),
      };
    const evidence = active.map((d) => ({ label: 'data channel', value: channelLine(d), conn: d.conn }));
    const portNote =
      onIpv6(ep) && !active.some((d) => d.mode === 'PORT') ? ` (${gapDetail(ftp, 'port') ?? 'PORT not tested on IPv6'})` : '';
    if (active.some((d) => d.ok)) return { status: 'pass', detail: active.map(channelLine).join('; ') + portNote, evidence };
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
});

export const ftpBounce = defineCheck({
  id: 'FTP-BOUNCE',
  family: 'ftp',
  observes: "PORT/EPRT naming an address other than the client's is accepted (reply only; no transfer is started)",
  title: 'FTP bounce (PORT to a third party)',
  severity: 'high',
  remediation:
    "Refuse PORT/EPRT to any address but the client's: vsftpd port_promiscuous=NO (default); ProFTPD AllowForeignAddress off (default); Pure-FTPd refuses by default — check for patches or proxies that relax it.",
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const b = ep.ftp!.bounce;
    if (!b || b.length === 0) return { status: 'skipped', detail: gapDetail(ep.ftp!, 'bounce') ?? noLoginReason(ep.ftp!) };
    const evidence = stepEvidence(ep, 'bounce', { steps: ['bounce'], max: 4 });
    const judged = b.map((x) => ({ x, verdict: bounceVerdict(x) }));
    const say = (list: typeof judged, labelled = true) =>
      list
        .map(
          ({ x, verdict }) =>
            `${x.command} → ${x.code} ${x.text}${labelled ? ` (${verdict}${x.connected ? ': it connected to our listener' : ''})` : ''}`,
        )
        .join('; ');
    const allowed = judged.filter((j) => j.verdict === 'accepted' || j.verdict === 'tried to connect');
    if (allowed.length > 0)
      return {
        status: 'fail',
        detail: `the server lets a client point its data connection at another host: ${say(allowed)} (no transfer was started)`,
        evidence,
      };
    if (judged.some((j) => j.verdict === 'needs a login'))
      return { status: 'skipped', detail: `${say(judged)}: ${noLoginReason(ep.ftp!)}`, evidence };
    if (judged.every((j) => j.verdict === 'refused'))
      return { status: 'pass', detail: `PORT/EPRT to another address refused: ${say(judged, false)}`, evidence };
    return { status: 'warn', detail: `the replies do not decide whether a bounce is possible: ${say(judged)}`, evidence };
  },
});
