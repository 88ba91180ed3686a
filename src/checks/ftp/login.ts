// Logging in: can credentials cross the network before TLS, and does anonymous login work.
import { defineCheck } from '../types.js';
import { stepEvidence } from '../evidence.js';
import { gapDetail, isFtp, refused } from './support.js';

export const ftpCleartextLogin = defineCheck({
  id: 'FTP-CLEARTEXT-LOGIN',
  family: 'ftp',
  observes: 'USER accepted before AUTH (331/230 instead of 530/534), or PASS accepted in clear',
  title: 'Login possible before TLS',
  severity: 'critical',
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
        detail: gapDetail(ep.ftp!, 'cleartext-login') ?? 'the cleartext-login probe could not run',
      };
    const evidence = probes.flatMap((p) =>
      stepEvidence(ep, `USER before AUTH (${p.kind} user)`, { steps: ['cleartext-login'], conn: p.conn, max: 8 }),
    );
    const say = (p: (typeof probes)[number]) =>
      `USER ${p.kind === 'random' ? '<made-up name>' : p.user} → ${p.userReply.code}${p.passReply ? `, PASS → ${p.passReply.code} ${p.passReply.text}` : ` ${p.userReply.text}`}`;
    const open = probes.filter((p) => p.verdict === 'accepted' || p.verdict === 'password-requested');
    if (open.length > 0) {
      const plain = ep.service === 'ftp' ? 'this is cleartext FTP: every login crosses the network readable; ' : '';
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
    const undecided = probes.filter((p) => p.verdict === 'unknown');
    if (undecided.length > 0)
      return {
        status: 'warn',
        detail: `the replies to USER before AUTH do not say whether a login would be taken without TLS: ${undecided.map(say).join('; ')}`,
        evidence,
      };
    return { status: 'pass', detail: `USER before AUTH is refused: ${probes.map(say).join('; ')}`, evidence };
  },
});

export const ftpAnonymous = defineCheck({
  id: 'FTP-ANONYMOUS',
  family: 'ftp',
  observes: 'anonymous login accepted (critical when it can write)',
  title: 'Anonymous login',
  severity: 'high',
  remediation:
    'Disable anonymous FTP unless it is a deliberate public download service: vsftpd anonymous_enable=NO; ProFTPD remove the <Anonymous> block; Pure-FTPd -E (--noanonymous). Never allow anonymous writes.',
  run: ({ endpoint: ep, options }) => {
    if (!isFtp(ep)) return null;
    const r = refused(ep);
    if (r) return r;
    const a = ep.ftp!.anonymous;
    if (!a || !a.tried) return { status: 'skipped', detail: gapDetail(ep.ftp!, 'anonymous') ?? 'anonymous login was not tried' };
    // the login exchange, not the greeting (other findings carry that)
    const evidence = a.conn ? stepEvidence(ep, 'anonymous login', { steps: ['anonymous'], conn: a.conn, max: 8 }) : [];
    if (!a.accepted && ep.ftp!.anonymousLogin === null)
      return {
        status: 'skipped',
        detail: `the anonymous login attempt got no answer that decides it (USER ${a.userCode ?? '?'}${a.passCode ? `, PASS ${a.passCode}` : ''})${gapDetail(ep.ftp!, 'anonymous') ? `: ${gapDetail(ep.ftp!, 'anonymous')}` : ''}`,
        evidence,
      };
    if (!a.accepted)
      return {
        status: 'pass',
        detail: `anonymous login refused (USER ${a.userCode ?? '?'}${a.passCode ? `, PASS ${a.passCode}` : ''})${a.decidedBy ? `: ${a.decidedBy}` : ''}${
          !a.overTls && ep.service === 'ftps-explicit' && gapDetail(ep.ftp!, 'anonymous')
            ? ` in cleartext; over TLS the attempt could not be made (${gapDetail(ep.ftp!, 'anonymous')})`
            : ''
        }`,
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
      detail: `anonymous login accepted${a.overTls ? ' (over TLS)' : ''}${
        a.canWrite === false
          ? '; uploads were refused'
          : options.writeTestRequested
            ? `; whether anonymous users can upload could not be tested${gapDetail(ep.ftp!, 'write-test') ? ` (${gapDetail(ep.ftp!, 'write-test')})` : ''}`
            : '; writing was not tested (use --write-test)'
      }`,
      evidence,
    };
  },
});
