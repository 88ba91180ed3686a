// Protocol versions: SSL 2.0/3.0, TLS 1.0/1.1 accepted; TLS 1.2/1.3 not offered.
import type { Check, CheckOutcome } from '../types.js';
import type { TlsFacts } from '../../model.js';
import { defineCheck } from '../types.js';
import { PROFTPD_PROTOS, PUREFTPD_PROTOS, VSFTPD_PROTOS, protoEvidence, withTls, type Proto } from './support.js';

/** A version no answer decided (timeouts, bytes that are not TLS): never a pass, never a fail. */
function undecided(tls: TlsFacts, p: Proto): CheckOutcome {
  const why = (tls.probe?.errors ?? []).filter((e) => e.startsWith(`${p}:`) || e.startsWith('transport failed'));
  return {
    status: 'warn',
    detail: `whether ${p} is accepted could not be decided: ${why.slice(0, 3).join('; ') || 'no answer to our hellos'}`,
    evidence: protoEvidence(tls, p),
  };
}

function protocolCheck<const Id extends string>(
  id: Id,
  p: Proto,
  title: string,
  severity: Check['severity'],
  remediation: string,
  why: string,
): Check<Id> {
  return defineCheck({
    id,
    family: 'tls',
    observes: `${p} accepted`,
    title,
    severity,
    remediation,
    run: withTls((tls) => {
      const v = tls.protocols[p];
      if (v === undefined) return { status: 'skipped', detail: `${p} was not tested` };
      if (v === null) return undecided(tls, p);
      return v
        ? { status: 'fail', detail: `${p} is accepted: ${why}`, evidence: protoEvidence(tls, p) }
        : { status: 'pass', detail: `${p} is refused`, evidence: [{ label: `${p} accepted`, value: 'false' }] };
    }),
  });
}

export const tlsProtoSsl2 = protocolCheck(
  'TLS-PROTO-SSL2',
  'SSLv2',
  'SSL 2.0 accepted',
  'critical',
  `Disable SSL 2.0. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; modern OpenSSL builds cannot speak SSL 2.0 at all: an endpoint that does runs an obsolete TLS library.`,
  'SSL 2.0 is broken (DROWN, export ciphers, no handshake integrity)',
);

export const tlsProtoSsl3 = protocolCheck(
  'TLS-PROTO-SSL3',
  'SSLv3',
  'SSL 3.0 accepted',
  'critical',
  `Disable SSL 3.0. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; ${PUREFTPD_PROTOS}.`,
  'SSL 3.0 is broken (POODLE) and not strong cryptography',
);

export const tlsProtoTls10 = protocolCheck(
  'TLS-PROTO-TLS10',
  'TLSv1.0',
  'TLS 1.0 accepted',
  'high',
  `Disable TLS 1.0. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; ${PUREFTPD_PROTOS}.`,
  'TLS 1.0 is "early TLS" (PCI DSS Appendix A2), deprecated by RFC 8996',
);

export const tlsProtoTls11 = protocolCheck(
  'TLS-PROTO-TLS11',
  'TLSv1.1',
  'TLS 1.1 accepted',
  'medium',
  `Disable TLS 1.1. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}; ${PUREFTPD_PROTOS}.`,
  'TLS 1.1 is deprecated by RFC 8996 and not allowed by NIST SP 800-52r2',
);

export const tlsNoTls12 = defineCheck({
  id: 'TLS-NO-TLS12',
  family: 'tls',
  observes: 'TLS 1.2 / 1.3 not offered',
  title: 'TLS 1.2 not offered',
  severity: 'high',
  remediation:
    'Enable TLS 1.2 (required by NIST SP 800-52r2). vsftpd: ssl_tlsv1_2=YES (vsftpd ≥ 3.0.3); ProFTPD: TLSProtocol TLSv1.2 TLSv1.3; Pure-FTPd: upgrade to a build linked against OpenSSL ≥ 1.0.1.',
  run: withTls((tls) => {
    const v = tls.protocols['TLSv1.2'];
    if (v === undefined) return { status: 'skipped', detail: 'TLS 1.2 was not tested' };
    if (v === null) return undecided(tls, 'TLSv1.2');
    return v
      ? { status: 'pass', detail: 'TLS 1.2 is accepted', evidence: protoEvidence(tls, 'TLSv1.2') }
      : { status: 'fail', detail: 'TLS 1.2 is not accepted', evidence: protoEvidence(tls, 'TLSv1.2') };
  }),
});

export const tlsNoTls13 = defineCheck({
  id: 'TLS-NO-TLS13',
  family: 'tls',
  observes: 'TLS 1.2 / 1.3 not offered',
  title: 'TLS 1.3 not offered',
  severity: 'low',
  remediation:
    'Enable TLS 1.3 (NIST SP 800-52r2 requires support since 1 January 2024): link the server against OpenSSL ≥ 1.1.1. ProFTPD ≥ 1.3.7: TLSProtocol TLSv1.2 TLSv1.3; vsftpd ≥ 3.0.4 and Pure-FTPd ≥ 1.0.47 negotiate TLS 1.3 when OpenSSL allows it.',
  run: withTls((tls) => {
    const v = tls.protocols['TLSv1.3'];
    if (v === undefined) return { status: 'skipped', detail: 'TLS 1.3 was not tested' };
    if (v === null) return undecided(tls, 'TLSv1.3');
    return v
      ? { status: 'pass', detail: 'TLS 1.3 is accepted', evidence: protoEvidence(tls, 'TLSv1.3') }
      : { status: 'warn', detail: 'TLS 1.3 is not accepted', evidence: protoEvidence(tls, 'TLSv1.3') };
  }),
});
