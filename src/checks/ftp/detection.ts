// What detection learnt of an FTP control channel before login: TLS offered or not (AUTH TLS,
// AUTH SSL, implicit), and the software the greeting and SYST disclose.
import { advisoriesFor, identifyFtpSoftware } from '../../knowledge/ftp-software.js';
import type { EndpointReport } from '../../model.js';
import { defineCheck } from '../types.js';
import { greetingEvidence, stepEvidence } from '../evidence.js';
import { isFtp } from './support.js';

const isExplicitFamily = (ep: EndpointReport) => ep.service === 'ftp' || ep.service === 'ftps-explicit';
const greetedOk = (ep: EndpointReport) => !!ep.ftp && ep.outcome !== 'refused-by-server';

export const ftpCleartextService = defineCheck({
  id: 'FTP-CLEARTEXT-SERVICE',
  family: 'ftp',
  observes: 'FTP answers and offers no AUTH TLS/SSL at all',
  title: 'Cleartext FTP service',
  severity: 'high',
  remediation:
    'Require TLS on the control and data channels, or replace FTP with SFTP. vsftpd: ssl_enable=YES, force_local_logins_ssl=YES, force_local_data_ssl=YES; ProFTPD: TLSEngine on, TLSRequired on; Pure-FTPd: --tls=2 (or 3). If FTP must stay, document the business need and the compensating controls (PCI DSS 1.2.6, 2.2.5).',
  run: ({ endpoint: ep }) => {
    if (!isExplicitFamily(ep)) return null;
    if (!greetedOk(ep))
      return { status: 'skipped', detail: `the server did not let us in far enough to ask (${ep.error ?? 'no greeting'})` };
    const ftp = ep.ftp!;
    if (ftp.authTls === null && ftp.authSsl === null) return { status: 'skipped', detail: 'AUTH TLS/SSL could not be tried' };
    const evidence = stepEvidence(ep, 'AUTH', { steps: ['auth-tls', 'auth-ssl'] });
    const via = ftp.authTls ? 'AUTH TLS' : 'AUTH SSL';
    // 234 without a TLS handshake that completes (with a current client or at the hello level):
    // clients can only carry on in cleartext, or not at all
    const anyTls = !!ep.tls?.negotiated || Object.values(ep.tls?.protocols ?? {}).some(Boolean);
    if ((ftp.authTls || ftp.authSsl) && !anyTls)
      return {
        status: 'fail',
        detail: `${via} is accepted (234), but no TLS handshake completes${ep.error ? ` (${ep.error})` : ''}: logins and files can only cross in cleartext`,
        evidence: [...greetingEvidence(ep), ...evidence],
      };
    if (ftp.authTls || ftp.authSsl) return { status: 'pass', detail: `the server offers TLS (${via} accepted)`, evidence };
    return {
      status: 'fail',
      detail: 'FTP answers and refuses both AUTH TLS and AUTH SSL: logins and files cross the network in cleartext',
      evidence: [...greetingEvidence(ep), ...evidence],
    };
  },
});

export const ftpsAuthTls = defineCheck({
  id: 'FTPS-AUTH-TLS',
  family: 'ftp',
  observes: 'AUTH TLS accepted (234)',
  title: 'Explicit FTPS (AUTH TLS)',
  severity: 'high',
  remediation:
    'Enable explicit FTPS: vsftpd ssl_enable=YES with rsa_cert_file/rsa_private_key_file; ProFTPD mod_tls TLSEngine on; Pure-FTPd --tls=1 or higher with a certificate in /etc/ssl/private/pure-ftpd.pem.',
  run: ({ endpoint: ep }) => {
    if (!isExplicitFamily(ep)) return null;
    if (!greetedOk(ep))
      return { status: 'skipped', detail: `the server did not let us in far enough to ask (${ep.error ?? 'no greeting'})` };
    const ftp = ep.ftp!;
    const evidence = stepEvidence(ep, 'AUTH TLS', { steps: ['auth-tls'] });
    if (ftp.authTls === null) return { status: 'skipped', detail: 'AUTH TLS could not be tried' };
    if (!ftp.authTls)
      return {
        status: 'fail',
        detail: `AUTH TLS refused (${ftp.authReplies?.find((r) => r.command === 'AUTH TLS')?.code ?? '?'})`,
        evidence,
      };
    if (!ep.tls?.negotiated) {
      const offered = ep.tls
        ? Object.entries(ep.tls.protocols)
            .filter(([, v]) => v)
            .map(([k]) => k)
        : [];
      const seen = offered.length > 0 ? ` (the server only offers ${offered.join(', ')})` : '';
      return {
        status: 'fail',
        detail: `AUTH TLS accepted (234), but a TLS handshake with a current client fails: ${ep.error ?? 'unknown error'}${seen}`,
        evidence,
        remediation:
          'Check the server certificate and key files and the allowed TLS versions/ciphers: the server accepts AUTH TLS but cannot complete a handshake.',
      };
    }
    const n = ep.tls.negotiated;
    return {
      status: 'pass',
      detail: `AUTH TLS accepted (234) and TLS established${n?.protocol ? ` (${n.protocol}${n.cipher ? `, ${n.cipher}` : ''})` : ''}`,
      evidence,
    };
  },
});

export const ftpsAuthSsl = defineCheck({
  id: 'FTPS-AUTH-SSL',
  family: 'ftp',
  observes: 'AUTH SSL accepted (legacy alias)',
  title: 'Legacy AUTH SSL',
  severity: 'info',
  remediation: '',
  run: ({ endpoint: ep }) => {
    if (!isExplicitFamily(ep)) return null;
    if (!greetedOk(ep))
      return { status: 'skipped', detail: `the server did not let us in far enough to ask (${ep.error ?? 'no greeting'})` };
    const ftp = ep.ftp!;
    const evidence = stepEvidence(ep, 'AUTH SSL', { steps: ['auth-ssl'] });
    if (ftp.authSsl === null) return { status: 'skipped', detail: 'AUTH SSL could not be tried', evidence };
    return {
      status: 'info',
      detail: ftp.authSsl
        ? 'AUTH SSL (the legacy alias of AUTH TLS) is accepted'
        : 'AUTH SSL is not accepted (only AUTH TLS, as RFC 4217 recommends)',
      evidence,
    };
  },
});

export const ftpsImplicit = defineCheck({
  id: 'FTPS-IMPLICIT',
  family: 'ftp',
  observes: 'implicit TLS on connect (deprecated mode, still common on 990)',
  title: 'Implicit FTPS (TLS on connect)',
  severity: 'info',
  remediation: '',
  run: ({ endpoint: ep }) => {
    if (ep.service !== 'ftps-implicit') return null;
    const n = ep.tls?.negotiated;
    return {
      status: 'info',
      detail: `TLS starts on connect (implicit FTPS, a deprecated but common mode)${n?.protocol ? `; negotiated ${n.protocol}${n.cipher ? ` ${n.cipher}` : ''}` : ''}; explicit FTPS on port 21 is the standard (RFC 4217)`,
      evidence: stepEvidence(ep, 'handshake', { steps: ['implicit-tls'] }),
    };
  },
});

export const ftpSoftware = defineCheck({
  id: 'FTP-SOFTWARE',
  family: 'ftp',
  observes: 'software and version disclosed in banner/SYST (info; fail if known end-of-life)',
  title: 'FTP server software disclosed',
  severity: 'info',
  remediation:
    'Upgrade the FTP server to a supported release, and consider a greeting that does not disclose the product and version (vsftpd ftpd_banner; ProFTPD ServerIdent off; Pure-FTPd --customerproof/-Z does not hide it: patch or upgrade).',
  run: ({ endpoint: ep }) => {
    if (!isFtp(ep)) return null;
    const texts = [...ep.ftp!.greeting, ...(ep.ftp!.syst ? [ep.ftp!.syst] : [])];
    const sw = identifyFtpSoftware(texts);
    const evidence = [...greetingEvidence(ep), ...stepEvidence(ep, 'SYST', { steps: ['syst'], max: 2 })];
    if (!sw) return { status: 'info', detail: 'the greeting and SYST reply do not name the server software', evidence };
    const adv = advisoriesFor(sw);
    const name = `${sw.product}${sw.version ? ` ${sw.version}` : ''}`;
    if (adv.length > 0) {
      return { status: 'fail', severity: 'high', detail: `${name}: ${adv.map((a) => `${a.reason} (${a.source})`).join('; ')}`, evidence };
    }
    return {
      status: 'info',
      detail: `${name} disclosed${sw.version ? '' : ' (no version)'}; no known end-of-life or advisory for it in xferscan's data`,
      evidence,
    };
  },
});
