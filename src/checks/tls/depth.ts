// What an assessor and a partner ask about a TLS server beyond its suites (issue 16): does it want
// a client certificate (and from which CAs), does it staple OCSP, is its certificate revoked (only
// when --check-revocation asked the CA), is the chain complete and in order, and may its key serve
// a TLS server at all. Facts: tls.clientAuth, tls.ocsp, tls.revocation, tls.trust (tls-vulns probe).
import type { Evidence, TlsFacts } from '../../model.js';
import { defineCheck, type CheckOutcome } from '../types.js';
import { noCert, withTls } from './support.js';

/** Certificate checks: none without a certificate, an error when it could not be parsed. */
const withCert = (fn: (tls: TlsFacts) => CheckOutcome) => withTls((tls) => noCert(tls) ?? fn(tls));

const lines = (label: string, values: readonly string[]): Evidence[] => values.map((value) => ({ label, value }));
const notRun: CheckOutcome = { status: 'skipped', detail: 'the TLS depth probe (tls-vulns) gathered no such facts on this endpoint' };

function caList(cas: readonly string[] | null): string {
  if (cas === null) return 'the accepted CA names are not visible (TLS 1.3 encrypts the request)';
  return cas.length ? `it accepts certificates issued by: ${cas.join('; ')}` : 'it names no CA (any issuer may do)';
}

function clientCert(tls: TlsFacts): CheckOutcome {
  const c = tls.clientAuth;
  if (!c) return notRun;
  const evidence = [...lines('client certificate', c.evidence), ...lines('accepted CA', c.acceptedCAs ?? [])];
  if (c.clientCertificate)
    evidence.push({ label: 'our client certificate', value: `${c.clientCertificate.subject} (issuer ${c.clientCertificate.issuer})` });
  const ours = c.withCertificate;
  // a fact for whoever scans with that certificate, not a weakness of the server: info
  if (ours?.outcome === 'refused')
    return {
      status: 'info',
      detail: `the server refused the client certificate we were given (${ours.detail}); ${caList(c.acceptedCAs)}`,
      evidence,
      remediation:
        'Send the server operator the public part (the certificate, never the key) of a client certificate from a CA it accepts, or ask them which CA to use.',
    };
  switch (c.status) {
    case 'required':
      return {
        status: 'info',
        detail: `this server requires your client certificate; send them its public part — ${caList(c.acceptedCAs)}${ours?.outcome === 'completed' ? '; the certificate we were given was accepted' : ''}`,
        evidence,
      };
    case 'optional':
      return {
        status: 'info',
        detail: `this server asks for a client certificate but does not insist — ${caList(c.acceptedCAs)}`,
        evidence,
      };
    case 'not-requested':
      return { status: 'info', detail: 'the server does not ask for a client certificate', evidence };
    case 'not-required':
      return { status: 'info', detail: 'the server completes TLS 1.3 handshakes without a client certificate', evidence };
    case 'inconclusive':
      return { status: 'skipped', detail: 'whether the server wants a client certificate could not be decided', evidence };
  }
}

export const tlsClientCert = defineCheck({
  id: 'TLS-CLIENT-CERT',
  family: 'tls',
  title: 'Client certificate (mutual TLS)',
  observes: 'whether the server requests or requires a client certificate, and the CA names it accepts',
  severity: 'info',
  remediation: '',
  run: withTls(clientCert),
});

function ocspEvidence(tls: TlsFacts): Evidence[] {
  const o = tls.ocsp!;
  return [
    ...lines('OCSP', o.evidence),
    ...(o.responder ? [{ label: 'responder', value: o.responder }] : []),
    ...(o.protocol ? [{ label: 'handshake', value: o.protocol }] : []),
  ];
}

/** Why a stapled response gives no good status. */
function notGood(o: NonNullable<TlsFacts['ocsp']>): string {
  if (o.forLeaf === false) return 'it is about another certificate';
  if (o.status) return o.status;
  return o.responseStatus && o.responseStatus !== 'successful' ? `response status ${o.responseStatus}` : 'unreadable';
}

function stapling(tls: TlsFacts): CheckOutcome {
  const o = tls.ocsp;
  if (!o) return tls.certificate ? notRun : { status: 'skipped', detail: 'no certificate was obtained from the server' };
  const evidence = ocspEvidence(tls);
  if (!o.stapled) return { status: 'warn', detail: 'no OCSP response is stapled (status_request asked for one)', evidence };
  const age = o.ageSeconds !== null ? `, ${Math.round(o.ageSeconds / 3600)} h old` : '';
  if (o.status === 'revoked' && o.signatureValid === false)
    return {
      status: 'warn',
      detail:
        'a stapled OCSP response says the certificate is revoked, but it is not validly signed: clients discard it, and it proves nothing',
      evidence,
      remediation:
        'Check the stapling configuration (the responder and issuer certificates the server uses), then ask the CA about the certificate.',
    };
  if (o.status === 'revoked')
    return {
      status: 'fail',
      severity: 'critical',
      detail: `the stapled OCSP response says the certificate is REVOKED${o.revocationTime ? ` since ${o.revocationTime}` : ''}${o.revocationReason ? ` (${o.revocationReason})` : ''}; produced ${o.producedAt} by ${o.responder}`,
      evidence,
      remediation: 'Install a new certificate (with a new key if the old one was compromised) and restart the server.',
    };
  if (o.status !== 'good')
    return {
      status: 'warn',
      detail: `a response is stapled, but it gives no good status for the certificate (${notGood(o)})`,
      evidence,
    };
  if (o.expired || o.signatureValid === false)
    return {
      status: 'warn',
      detail: `the stapled response says good, but it is ${o.expired ? 'past its nextUpdate' : 'not validly signed'}`,
      evidence,
    };
  return { status: 'pass', detail: `a good OCSP response is stapled (produced ${o.producedAt} by ${o.responder}${age})`, evidence };
}

export const tlsOcspStapling = defineCheck({
  id: 'TLS-OCSP-STAPLING',
  family: 'tls',
  title: 'OCSP stapling',
  observes: 'whether the server staples an OCSP response (status_request) and what it says: good, revoked (fail) or unknown',
  severity: 'low',
  remediation:
    'Turn OCSP stapling on (ProFTPD TLSStapling on with TLSStaplingCache; servers without stapling support need a TLS front end that staples) so clients learn the certificate status without asking the CA.',
  run: withTls(stapling),
});

export const tlsCertMustStaple = defineCheck({
  id: 'TLS-CERT-MUST-STAPLE',
  family: 'tls',
  title: 'Must-Staple certificate without a staple',
  observes: 'the certificate demands OCSP stapling (TLS feature status_request, RFC 7633) but no response is stapled',
  severity: 'high',
  remediation:
    'Turn OCSP stapling on (ProFTPD TLSStapling on), or use a certificate without the Must-Staple extension: clients that honour it refuse the connection.',
  run: withCert((tls) => {
    const o = tls.ocsp;
    if (!o) return notRun;
    const evidence = ocspEvidence(tls);
    if (!o.mustStaple) return { status: 'pass', detail: 'the certificate does not demand stapling (no Must-Staple extension)', evidence };
    return o.stapled && o.forLeaf
      ? { status: 'pass', detail: 'the certificate demands stapling, and a response about it is stapled', evidence }
      : { status: 'fail', detail: 'the certificate demands stapling (Must-Staple), but the server staples no response about it', evidence };
  }),
});

export const tlsCertRevoked = defineCheck({
  id: 'TLS-CERT-REVOKED',
  family: 'tls',
  title: 'Certificate revoked (asked of the CA)',
  observes: "the certificate's status from its CA's OCSP responder and CRL (only with --check-revocation: it contacts third parties)",
  severity: 'critical',
  remediation: 'Install a new certificate (with a new key if the old one was compromised) and restart the server.',
  run: withCert((tls) => {
    const r = tls.revocation;
    if (r === undefined || r === null)
      return { status: 'skipped', detail: 'revocation was not checked: --check-revocation asks the CA (OCSP, CRL), a third party' };
    const evidence = [...lines('revocation', r.evidence), ...lines('contacted', r.contacted)];
    switch (r.status) {
      case 'revoked':
        return { status: 'fail', detail: `the CA says the certificate is REVOKED (${r.evidence.join('; ')})`, evidence };
      case 'good':
        return { status: 'pass', detail: `the CA says the certificate is good (asked ${r.contacted.join(', ')})`, evidence };
      case 'unknown':
        return {
          status: 'warn',
          detail: 'the CA does not know the certificate (OCSP unknown)',
          evidence,
          remediation: 'Ask the issuing CA why its responder does not know the certificate; replace a certificate the CA did not issue.',
        };
      case 'error':
        return {
          status: r.contacted.length ? 'warn' : 'skipped',
          detail: `the revocation status could not be obtained: ${r.evidence.join('; ') || 'no answer'}`,
          evidence,
          remediation: r.contacted.length
            ? "Scan again with --check-revocation once the CA's OCSP responder or CRL is reachable from the scanner; the evidence says what failed."
            : '',
        };
    }
  }),
});

export const tlsCertChain = defineCheck({
  id: 'TLS-CERT-CHAIN',
  family: 'tls',
  title: 'Certificate chain incomplete or out of order',
  observes:
    'intermediates the server does not send (named with their AIA caIssuers URL; a fail once --check-revocation fetched one and it completes the chain), and certificates sent out of order or unrelated',
  severity: 'medium',
  remediation:
    'Send the full chain, leaf first, each certificate followed by its issuer (ProFTPD TLSCertificateChainFile; vsftpd and Pure-FTPd: append the intermediates to the certificate file in that order).',
  run: withCert((tls) => {
    const t = tls.trust;
    if (!t) return tls.certificate ? notRun : { status: 'skipped', detail: 'no certificate was obtained from the server' };
    const evidence = [
      ...t.chain.map((c) => ({ label: `sent [${c.index}]`, value: `${c.subject} (issuer ${c.issuer})` })),
      ...t.stores.map((s) => ({ label: `store ${s.store}`, value: s.trusted ? `trusted via ${s.anchor}` : (s.error ?? 'not trusted') })),
      ...lines('chain', t.orderProblems),
    ];
    if (t.missingIssuers.length) {
      const m = t.missingIssuers[0]!;
      evidence.push(...m.caIssuersUrls.map((value) => ({ label: 'AIA caIssuers', value })));
      if (m.fetched)
        evidence.push({
          label: 'fetched (--check-revocation)',
          value: m.fetched.ok ? `${m.fetched.subject} from ${m.fetched.url}` : `${m.fetched.url}: ${m.fetched.error}`,
        });
      const aia = m.caIssuersUrls.length ? `; AIA names it at ${m.caIssuersUrls.join(', ')}` : '';
      // proved missing: with the certificate AIA names, a store that refused the chain accepts it
      const proved = t.storesWithFetched?.some((w) => w.trusted && !t.stores.find((s) => s.store === w.store)?.trusted);
      if (proved)
        return {
          status: 'fail',
          detail: `the server does not send the intermediate ${m.fetched!.subject} that issued ${m.subject}: with it (fetched from AIA) the chain verifies, without it clients that do not fetch it fail`,
          evidence,
        };
      return {
        status: 'warn',
        detail: `the issuer of ${m.subject} (${m.issuer}) is neither sent nor in any store${aia}: a missing intermediate, or a root this scan was not given (--ca-file); --check-revocation fetches it from AIA to tell which`,
        evidence,
      };
    }
    if (t.order !== 'ok' && t.order !== 'empty')
      return {
        status: 'warn',
        detail: `the chain is sent ${t.order === 'out-of-order' ? 'out of order' : 'with unrelated certificates'}: ${t.orderProblems.join('; ')}`,
        evidence,
      };
    return { status: 'pass', detail: `the chain is complete and in order (${t.chain.length} certificate(s) sent)`, evidence };
  }),
});

export const tlsCertUsage = defineCheck({
  id: 'TLS-CERT-USAGE',
  family: 'tls',
  title: 'Certificate key usage unfit for a TLS server',
  observes:
    "the leaf's key usage and extended key usage allow it to serve TLS (serverAuth; digitalSignature / keyEncipherment as the offered key exchanges need)",
  severity: 'medium',
  remediation:
    'Issue the server certificate with extendedKeyUsage serverAuth and keyUsage digitalSignature (plus keyEncipherment for RSA key transport).',
  run: withCert((tls) => {
    const u = tls.trust?.usage;
    if (!u) return tls.trust ? { status: 'skipped', detail: 'no leaf certificate to judge' } : notRun;
    const evidence: Evidence[] = [
      { label: 'key', value: u.keyType ?? 'unknown' },
      { label: 'keyUsage', value: u.keyUsage?.join(', ') ?? '(no extension)' },
      { label: 'extendedKeyUsage', value: u.extendedKeyUsage?.join(', ') ?? '(no extension)' },
      ...lines('note', u.notes),
    ];
    return u.fit
      ? { status: 'pass', detail: 'the leaf certificate may serve a TLS server', evidence }
      : { status: 'fail', detail: u.problems.join('; '), evidence };
  }),
});

export const TLS_DEPTH_CHECKS = [tlsClientCert, tlsOcspStapling, tlsCertMustStaple, tlsCertRevoked, tlsCertChain, tlsCertUsage] as const;
