// Certificate strength: key size, signature hash, lifetime.
import type { TlsCertificateFacts } from '../../model.js';
import { defineCheck } from '../types.js';
import { DAY, certEvidence, certLabel, certsToCheck, withCerts } from './support.js';

export const tlsCertWeakKey = defineCheck({
  id: 'TLS-CERT-WEAK-KEY',
  family: 'tls',
  observes: 'RSA < 2048, EC < 256',
  title: 'Weak certificate key',
  severity: 'high',
  remediation: 'Re-key: RSA 2048 bits or more (openssl req -newkey rsa:3072), or ECDSA P-256/P-384.',
  run: withCerts((tls, ctx) => {
    const certs = certsToCheck(tls);
    const minRsa = ctx.options.minRsaBits ?? 2048;
    const minEc = ctx.options.minEcBits ?? 256;
    const weak = certs
      .map((c, i) => [c, i] as const)
      .filter(([c]) => {
        if (c.keyBits === null || c.keyBits === undefined) return false;
        if (c.keyType === 'RSA' || c.keyType === 'RSA-PSS' || c.keyType === 'DSA') return c.keyBits < minRsa;
        if (c.keyType === 'EC') return c.keyBits < minEc;
        return false;
      });
    const ev = certs.map((c, i) => certEvidence(c, i, ['keyType', 'keyBits']));
    if (!weak.length)
      return {
        status: 'pass',
        detail: `key sizes are adequate (leaf ${certs[0]!.keyType} ${certs[0]!.keyBits ?? '?'} bits)`,
        evidence: ev,
      };
    return {
      status: 'fail',
      detail: weak.map(([c, i]) => `${certLabel(c, i)}: ${c.keyType} ${c.keyBits} bits`).join('; '),
      evidence: ev,
    };
  }),
});

export const tlsCertWeakSignature = defineCheck({
  id: 'TLS-CERT-WEAK-SIGNATURE',
  family: 'tls',
  observes: 'MD5/SHA-1 signature on leaf or intermediates',
  title: 'Weak certificate signature (MD5/SHA-1)',
  severity: 'high',
  remediation: 'Re-issue the certificate (and use intermediates) signed with SHA-256 or stronger.',
  run: withCerts((tls) => {
    const certs = certsToCheck(tls);
    const weakHash = (c: TlsCertificateFacts) => {
      const h = c.signatureHash ?? (/md5|sha1(?!\d)|sha-1|md2|md4/i.test(c.signatureAlgorithm) ? 'weak' : null);
      return h !== null && /^(md2|md4|md5|sha1|weak)$/.test(h);
    };
    const weak = certs.map((c, i) => [c, i] as const).filter(([c]) => weakHash(c));
    const ev = certs.map((c, i) => certEvidence(c, i, ['signatureAlgorithm']));
    if (!weak.length)
      return {
        status: 'pass',
        detail: `signatures use ${[...new Set(certs.map((c) => c.signatureAlgorithm))].join(', ')}`,
        evidence: ev,
      };
    return { status: 'fail', detail: weak.map(([c, i]) => `${certLabel(c, i)}: ${c.signatureAlgorithm}`).join('; '), evidence: ev };
  }),
});

export const tlsCertLifetime = defineCheck({
  id: 'TLS-CERT-LIFETIME',
  family: 'tls',
  observes: 'validity longer than 398 days',
  title: 'Certificate lifetime over 398 days',
  severity: 'low',
  remediation: 'Issue certificates valid for at most 398 days (CA/Browser Forum), and automate renewal.',
  run: withCerts((tls, ctx) => {
    const max = ctx.options.certMaxLifetimeDays ?? 398;
    const leaf = certsToCheck(tls)[0]!;
    const days = leaf.lifetimeDays ?? Math.floor((Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)) / DAY);
    const ev = [certEvidence(leaf, 0, ['notBefore', 'notAfter'])];
    if (Number.isNaN(days)) return { status: 'skipped', detail: 'validity dates unreadable' };
    return days > max
      ? { status: 'warn', detail: `the leaf certificate is valid for ${days} days (> ${max})`, evidence: ev }
      : { status: 'pass', detail: `the leaf certificate is valid for ${days} days`, evidence: ev };
  }),
});
