// Cipher suites: weak ones accepted (NULL, anonymous, export, RC4, DES, 3DES, no forward secrecy,
// CBC), and suites outside the profile's list.
import type { CipherSuiteInfo } from '../../knowledge/tls-registry.js';
import type { Check } from '../types.js';
import { defineCheck } from '../types.js';
import { CIPHER_HINT, MOZILLA_INTERMEDIATE, acceptedSuites, enumerated, suiteEvidence, undecidedVersions, withTls } from './support.js';

function suiteCheck<const Id extends string>(
  id: Id,
  title: string,
  severity: Check['severity'],
  remediation: string,
  pred: (s: CipherSuiteInfo) => boolean,
  what: string,
  status: 'fail' | 'warn' = 'fail',
): Check<Id> {
  return defineCheck({
    id,
    family: 'tls',
    observes: `${what} accepted`,
    title,
    severity,
    remediation,
    run: withTls((tls) => {
      if (!enumerated(tls)) return { status: 'skipped', detail: 'cipher suites were not enumerated' };
      const all = acceptedSuites(tls);
      const bad = all.filter((s) => s.info && pred(s.info));
      if (!bad.length) {
        // none seen is a pass only when every version was decided
        const undecided = undecidedVersions(tls);
        if (undecided.length)
          return {
            status: 'warn',
            detail: `no ${what} seen (${all.length} suites accepted in all), but ${undecided.join(', ')} could not be decided: its suites are unknown`,
          };
        return { status: 'pass', detail: `no ${what} accepted (${all.length} suites accepted in all)` };
      }
      const versions = [...new Set(bad.map((b) => b.version))].join(', ');
      return { status, detail: `${bad.length} ${what} accepted (${versions})`, evidence: suiteEvidence(bad, what) };
    }),
  });
}

export const tlsCipherNull = suiteCheck(
  'TLS-CIPHER-NULL',
  'NULL (unencrypted) cipher suites accepted',
  'critical',
  `Remove NULL suites (they encrypt nothing). Use an explicit list: ${CIPHER_HINT}; or at least append :!eNULL.`,
  (s) => s.cipher === 'NULL',
  'NULL-cipher suites',
);

export const tlsCipherAnon = suiteCheck(
  'TLS-CIPHER-ANON',
  'Anonymous (unauthenticated) cipher suites accepted',
  'critical',
  `Remove anonymous suites (no server authentication: trivially man-in-the-middled). ${CIPHER_HINT}; or at least append :!aNULL.`,
  (s) => s.anon,
  'anonymous suites',
);

export const tlsCipherExport = suiteCheck(
  'TLS-CIPHER-EXPORT',
  'Export-grade cipher suites accepted',
  'critical',
  `Remove export suites (40/56-bit, FREAK/Logjam). ${CIPHER_HINT}; or at least append :!EXPORT.`,
  (s) => s.export,
  'export suites',
);

export const tlsCipherRc4 = suiteCheck(
  'TLS-CIPHER-RC4',
  'RC4 cipher suites accepted',
  'critical',
  `Remove RC4 suites (RFC 7465 prohibits them). ${CIPHER_HINT}; or at least append :!RC4.`,
  (s) => s.cipher === 'RC4',
  'RC4 suites',
);

export const tlsCipherDes = suiteCheck(
  'TLS-CIPHER-DES',
  'Single-DES / weak block cipher suites accepted',
  'critical',
  `Remove DES (56-bit) and RC2 suites. ${CIPHER_HINT}; or at least append :!DES:!RC2.`,
  (s) => s.cipher === 'DES' || s.cipher === 'RC2',
  'DES/RC2 suites',
);

export const tlsCipher3des = suiteCheck(
  'TLS-CIPHER-3DES',
  '3DES cipher suites accepted (SWEET32)',
  'high',
  `Remove 3DES suites (64-bit block: SWEET32; disallowed by SP 800-131A after 2023). ${CIPHER_HINT}; or at least append :!3DES.`,
  (s) => s.cipher === '3DES',
  '3DES suites',
);

export const tlsCipherNoPfs = suiteCheck(
  'TLS-CIPHER-NO-PFS',
  'Cipher suites without forward secrecy accepted',
  'medium',
  `Prefer ephemeral (EC)DHE key exchange and remove static RSA key transport (TLS_RSA_WITH_*). ${CIPHER_HINT}; or append :!kRSA.`,
  (s) => !s.pfs && !s.anon && !s.sslv2 && s.kex !== 'SCSV',
  'suites without forward secrecy',
);

export const tlsCipherCbc = suiteCheck(
  'TLS-CIPHER-CBC',
  'CBC-mode cipher suites accepted',
  'low',
  `Prefer AEAD suites (AES-GCM, ChaCha20-Poly1305) and drop CBC suites where clients allow. ${CIPHER_HINT}.`,
  (s) => s.cbc,
  'CBC-mode suites',
  'warn',
);

export const tlsCipherProfile = defineCheck({
  id: 'TLS-CIPHER-PROFILE',
  family: 'tls',
  observes: "suites outside the selected profile's list (e.g. mozilla-intermediate)",
  title: 'Cipher suites outside the profile',
  severity: 'medium',
  remediation: `Restrict the suites to the profile's list. ${CIPHER_HINT}.`,
  run: withTls((tls, ctx) => {
    if (!enumerated(tls)) return { status: 'skipped', detail: 'cipher suites were not enumerated' };
    const profile = ctx.options.tlsCipherProfile ?? MOZILLA_INTERMEDIATE;
    const outside = acceptedSuites(tls).filter((s) => !(profile.suites[s.version] ?? []).includes(s.name));
    if (!outside.length) {
      // every suite seen is in the profile; a version left undecided may still hold others
      const undecided = undecidedVersions(tls);
      if (undecided.length)
        return {
          status: 'warn',
          detail: `every accepted suite seen is in ${profile.name}, but ${undecided.join(', ')} could not be decided: its suites are unknown`,
        };
      return { status: 'pass', detail: `every accepted suite is in ${profile.name}` };
    }
    return {
      status: 'fail',
      detail: `${outside.length} accepted suites are outside ${profile.name}`,
      evidence: suiteEvidence(outside, 'outside profile'),
    };
  }),
});
