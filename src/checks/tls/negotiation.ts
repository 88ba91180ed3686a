// How the server negotiates: its cipher order, its DH group size, and the extensions that
// protect the handshake (secure renegotiation, extended master secret, downgrade protection).
import { defineCheck } from '../types.js';
import { PROFTPD_PROTOS, VSFTPD_PROTOS, enumerated, serverHelloEvidence, withTls } from './support.js';

export const tlsServerPreference = defineCheck({
  id: 'TLS-SERVER-PREFERENCE',
  family: 'tls',
  observes: 'server enforces its own cipher order',
  title: 'Server cipher order',
  severity: 'info',
  remediation: 'vsftpd always uses the server order; ProFTPD: TLSServerCipherPreference on; Pure-FTPd follows its -J list order.',
  run: withTls((tls) => {
    const per = tls.serverPreferenceByVersion ?? {};
    const evidence = Object.entries(per).map(([v, p]) => ({ label: `${v} server preference`, value: String(p) }));
    if (tls.serverPreference === null || tls.serverPreference === undefined) {
      return {
        status: 'info',
        detail: enumerated(tls)
          ? 'cipher order could not be determined (fewer than two suites per version, or inconclusive)'
          : 'cipher order was not tested',
        evidence,
      };
    }
    return {
      status: 'info',
      detail: tls.serverPreference
        ? 'the server enforces its own cipher-suite order'
        : "the server follows the client's cipher-suite order",
      evidence,
    };
  }),
});

export const tlsDhWeak = defineCheck({
  id: 'TLS-DH-WEAK',
  family: 'tls',
  observes: 'finite-field DH group under 2048 bits',
  title: 'Weak finite-field Diffie-Hellman group',
  severity: 'high',
  remediation:
    'Use DH parameters of at least 2048 bits (or drop DHE suites in favour of ECDHE). ProFTPD: TLSDHParamFile /etc/proftpd/dhparams.pem (openssl dhparam 2048); Pure-FTPd: /etc/ssl/private/pure-ftpd-dhparams.pem; vsftpd: remove DHE suites from ssl_ciphers on old builds with 1024-bit defaults.',
  run: withTls((tls, ctx) => {
    const min = ctx.options.minDhBits ?? 2048;
    if (tls.dhBits === undefined) return { status: 'skipped', detail: 'DH parameters were not probed' };
    if (tls.dhBits === null) return { status: 'pass', detail: 'no finite-field DHE suite is accepted (TLS ≤ 1.2)' };
    const ev = [{ label: 'DH prime (ServerKeyExchange)', value: `${tls.dhBits} bits` }];
    return tls.dhBits < min
      ? { status: 'fail', detail: `the server's DHE group is ${tls.dhBits} bits (< ${min})`, evidence: ev }
      : { status: 'pass', detail: `the server's DHE group is ${tls.dhBits} bits`, evidence: ev };
  }),
});

export const tlsExtRenegotiation = defineCheck({
  id: 'TLS-EXT-RENEGOTIATION',
  family: 'tls',
  observes: 'secure renegotiation (RFC 5746) missing',
  title: 'Secure renegotiation (RFC 5746) missing',
  severity: 'medium',
  remediation:
    'Upgrade the TLS library (RFC 5746 support is in every OpenSSL since 0.9.8m); ProFTPD: TLSRenegotiate none disables renegotiation altogether.',
  run: withTls((tls) => {
    if (tls.secureRenegotiation === undefined) return { status: 'skipped', detail: 'renegotiation_info was not probed' };
    if (tls.secureRenegotiation === null) {
      return tls.protocols['TLSv1.3']
        ? { status: 'pass', detail: 'only TLS 1.3 is accepted: it has no renegotiation' }
        : { status: 'skipped', detail: 'no TLS ≤ 1.2 handshake completed' };
    }
    const ev = serverHelloEvidence(tls);
    return tls.secureRenegotiation
      ? { status: 'pass', detail: 'the server answers renegotiation_info (RFC 5746)', evidence: ev }
      : {
          status: 'fail',
          detail: 'the ServerHello has no renegotiation_info: insecure legacy renegotiation (CVE-2009-3555)',
          evidence: ev,
        };
  }),
});

export const tlsExtEms = defineCheck({
  id: 'TLS-EXT-EMS',
  family: 'tls',
  observes: 'extended master secret missing',
  title: 'Extended master secret (RFC 7627) missing',
  severity: 'low',
  remediation: 'Upgrade the TLS library: OpenSSL ≥ 1.1.0 negotiates extended_master_secret automatically.',
  run: withTls((tls) => {
    if (tls.extendedMasterSecret === undefined) return { status: 'skipped', detail: 'extended_master_secret was not probed' };
    if (tls.extendedMasterSecret === null) {
      return tls.protocols['TLSv1.3']
        ? { status: 'pass', detail: 'only TLS 1.3 is accepted: its key schedule binds the transcript' }
        : { status: 'skipped', detail: 'no TLS ≤ 1.2 handshake completed' };
    }
    const ev = serverHelloEvidence(tls);
    return tls.extendedMasterSecret
      ? { status: 'pass', detail: 'the server answers extended_master_secret', evidence: ev }
      : { status: 'warn', detail: 'the ServerHello has no extended_master_secret (triple-handshake attacks)', evidence: ev };
  }),
});

export const tlsFallbackScsv = defineCheck({
  id: 'TLS-FALLBACK-SCSV',
  family: 'tls',
  observes: 'legacy versions enabled without downgrade protection',
  title: 'Downgrade protection (TLS_FALLBACK_SCSV)',
  severity: 'medium',
  remediation: `Upgrade the TLS library (OpenSSL ≥ 1.0.1j honours TLS_FALLBACK_SCSV) and disable legacy versions. ${VSFTPD_PROTOS}; ${PROFTPD_PROTOS}.`,
  run: withTls((tls) => {
    const f = tls.fallbackScsv;
    if (f === undefined) return { status: 'skipped', detail: 'TLS_FALLBACK_SCSV was not probed' };
    if (f === null)
      return {
        status: 'skipped',
        detail: `the fallback test was inconclusive${tls.probe?.errors.length ? `: ${tls.probe.errors.filter((e) => /fallback/.test(e)).join('; ')}` : ''}`,
      };
    if (Object.values(tls.protocols).filter(Boolean).length === 0)
      return { status: 'skipped', detail: 'no protocol version could be negotiated: there is no downgrade to test' };
    if (f === 'n/a') return { status: 'pass', detail: 'only one protocol version is accepted: there is nothing to fall back to' };
    const ev = [
      {
        label: 'hello at the second-highest version with TLS_FALLBACK_SCSV',
        value: f === 'protected' ? 'alert inappropriate_fallback' : 'ServerHello (accepted)',
      },
    ];
    return f === 'protected'
      ? { status: 'pass', detail: 'a downgraded hello with TLS_FALLBACK_SCSV is refused with inappropriate_fallback', evidence: ev }
      : { status: 'fail', detail: 'legacy versions are enabled and a downgraded hello with TLS_FALLBACK_SCSV is accepted', evidence: ev };
  }),
});
