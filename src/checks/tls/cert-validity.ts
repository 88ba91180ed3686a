// Certificate validity: dates, trust, and the name clients use.
import type { Evidence } from '../../model.js';
import { defineCheck } from '../types.js';
import { DAY, certEvidence, certLabel, certsToCheck, nowOf, withCerts } from './support.js';

export const tlsCertExpired = defineCheck({
  id: 'TLS-CERT-EXPIRED',
  family: 'tls',
  observes: 'outside validity',
  title: 'Certificate expired',
  severity: 'high',
  remediation:
    'Renew the certificate and install it with its intermediates (vsftpd rsa_cert_file, ProFTPD TLSRSACertificateFile/TLSCertificateChainFile, Pure-FTPd /etc/ssl/private/pure-ftpd.pem); then restart or reload the server.',
  run: withCerts((tls, ctx) => {
    const now = nowOf(ctx.options);
    const certs = certsToCheck(tls);
    const bad = certs.map((c, i) => [c, i] as const).filter(([c]) => Date.parse(c.notAfter) < now.getTime());
    if (!bad.length) return { status: 'pass', detail: `no certificate in the chain has expired (leaf valid until ${certs[0]!.notAfter})` };
    return {
      status: 'fail',
      detail: `${bad.length} certificate(s) expired: ${bad.map(([c, i]) => `${certLabel(c, i)} on ${c.notAfter}`).join('; ')}`,
      evidence: bad.map(([c, i]) => certEvidence(c, i, ['notBefore', 'notAfter'])),
    };
  }),
});

export const tlsCertNotYetValid = defineCheck({
  id: 'TLS-CERT-NOT-YET-VALID',
  family: 'tls',
  observes: 'outside validity',
  title: 'Certificate not yet valid',
  severity: 'high',
  remediation: "Check the server's and the CA's clocks, or install a certificate whose validity has started.",
  run: withCerts((tls, ctx) => {
    const now = nowOf(ctx.options);
    const certs = certsToCheck(tls);
    const bad = certs.map((c, i) => [c, i] as const).filter(([c]) => Date.parse(c.notBefore) > now.getTime());
    if (!bad.length) return { status: 'pass', detail: 'every certificate in the chain has started its validity' };
    return {
      status: 'fail',
      detail: `${bad.length} certificate(s) not yet valid: ${bad.map(([c, i]) => `${certLabel(c, i)} from ${c.notBefore}`).join('; ')}`,
      evidence: bad.map(([c, i]) => certEvidence(c, i, ['notBefore', 'notAfter'])),
    };
  }),
});

export const tlsCertExpiring = defineCheck({
  id: 'TLS-CERT-EXPIRING',
  family: 'tls',
  observes: 'expires within 30 days (configurable)',
  title: 'Certificate expiring soon',
  severity: 'low',
  remediation: "Renew the certificate before it expires and automate renewal (ACME or your CA's tooling).",
  run: withCerts((tls, ctx) => {
    const days = ctx.options.certExpiryWarnDays ?? 30;
    const now = nowOf(ctx.options).getTime();
    const leaf = certsToCheck(tls)[0]!;
    const left = (Date.parse(leaf.notAfter) - now) / DAY;
    const ev = [certEvidence(leaf, 0, ['notAfter'])];
    if (left < 0) return { status: 'pass', detail: 'the certificate has already expired (see TLS-CERT-EXPIRED)', evidence: ev };
    if (left <= days)
      return { status: 'warn', detail: `the leaf certificate expires in ${Math.floor(left)} days (${leaf.notAfter})`, evidence: ev };
    return { status: 'pass', detail: `the leaf certificate expires in ${Math.floor(left)} days`, evidence: ev };
  }),
});

export const tlsCertUntrusted = defineCheck({
  id: 'TLS-CERT-UNTRUSTED',
  family: 'tls',
  observes: 'self-signed or chain not to a trusted root (custom CA bundle allowed)',
  title: 'Certificate not trusted',
  severity: 'medium',
  remediation:
    "Install a certificate issued by a publicly trusted CA (or your organisation's CA, and give scanners and partners that CA as --ca-file), and send the intermediate certificates (ProFTPD TLSCertificateChainFile; vsftpd/Pure-FTPd: append intermediates to the certificate file).",
  run: withCerts((tls) => {
    const v = tls.validation;
    if (!v) return { status: 'skipped', detail: 'certificate path validation was not run' };
    const ev: Evidence[] = [
      { label: 'path validation', value: v.trusted ? `trusted via ${v.trustAnchor} (${v.trustSource})` : (v.error ?? 'not trusted') },
    ];
    if (v.chainOrderProblem) ev.push({ label: 'chain order', value: v.chainOrderProblem });
    if (v.trusted)
      return {
        status: 'pass',
        detail: `the chain verifies to ${v.trustAnchor} (${v.trustSource === 'ca-file' ? 'CA file' : 'system roots'})`,
        evidence: ev,
      };
    const leaf = certsToCheck(tls)[0]!;
    return {
      status: 'fail',
      detail: leaf.selfSigned ? `the certificate is self-signed (${leaf.subject})` : `the chain does not verify: ${v.error}`,
      evidence: ev,
    };
  }),
});

export const tlsCertNameMismatch = defineCheck({
  id: 'TLS-CERT-NAME-MISMATCH',
  family: 'tls',
  observes: 'target host not in SAN/CN',
  title: 'Certificate name mismatch',
  severity: 'medium',
  remediation:
    'Issue the certificate with the host name clients use in its subjectAltName (DNS: entries; IP: entries for address-based access).',
  run: withCerts((tls) => {
    const v = tls.validation;
    if (!v || v.hostnameMatch === null || !v.hostname)
      return { status: 'skipped', detail: 'no host name to check the certificate against' };
    const leaf = certsToCheck(tls)[0]!;
    const ev = [
      { label: 'target', value: v.hostname },
      { label: 'leaf names', value: `subject ${leaf.subject}; SAN ${leaf.subjectAltNames.join(', ') || '(none)'}` },
    ];
    return v.hostnameMatch
      ? { status: 'pass', detail: `the certificate is valid for ${v.hostname}`, evidence: ev }
      : { status: 'fail', detail: `the certificate is not valid for ${v.hostname}`, evidence: ev };
  }),
});
