// Checks against the partner policy (--policy FILE, src/policy) and the cryptographic inventory.
// Pure: they read the endpoint's facts and ctx.options.policy.
import type { Evidence, TlsCertificateFacts } from '../../model.js';
import { endpointName as where } from '../../knowledge/services.js';
import { normalizeCertFingerprint, normalizeSshFingerprint, policyHostFor, policyPortFor } from '../../policy/index.js';
import { defineCheck, type CheckOutcome } from '../types.js';

function certLine(c: TlsCertificateFacts, i: number): Evidence {
  return {
    label: i === 0 ? 'certificate (leaf)' : `certificate chain[${i}]`,
    value: `subject=${c.subject}; issuer=${c.issuer}; key=${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}${c.keyCurve ? ` ${c.keyCurve}` : ''}; signature=${c.signatureAlgorithm}; notBefore=${c.notBefore}; notAfter=${c.notAfter}; sha256=${c.fingerprintSha256}`,
  };
}

export const policyExpectedService = defineCheck({
  id: 'POLICY-EXPECTED-SERVICE',
  family: 'policy',
  observes: 'the service found is the one the policy expects (e.g. partner must use SFTP on 22)',
  title: 'Expected service',
  severity: 'high',
  remediation:
    'Make the endpoint offer the agreed service (e.g. ftpes:// means explicit FTPS with TLS required; sftp:// means SSH on this port), or correct the target/policy.',
  run: ({ endpoint: ep, options }) => {
    const fromPolicy = policyPortFor(options.policy, ep)?.service ?? null;
    const allowed = fromPolicy ? [fromPolicy] : (ep.expectedServices ?? (ep.expectedService ? [ep.expectedService] : []));
    if (allowed.length === 0) return null;
    const expected = allowed.join(' or ');
    const source = fromPolicy ? 'the policy' : 'the target URL';
    if (ep.state !== 'open') {
      if (fromPolicy) return { status: 'fail', detail: `${source} expects ${expected} on port ${ep.port}, but the port is ${ep.state}` };
      return { status: 'skipped', detail: `port is ${ep.state}; nothing to compare` };
    }
    if (ep.service && allowed.includes(ep.service)) return { status: 'pass', detail: `found ${ep.service}, as ${source} expects` };
    return { status: 'fail', detail: `${source} expects ${expected}, found ${ep.service ?? 'nothing recognisable'}` };
  },
});

export const netUnexpectedService = defineCheck({
  id: 'NET-UNEXPECTED-SERVICE',
  family: 'policy',
  observes: "an open port or service not in the policy's allowlist",
  title: 'Service not in the policy allowlist',
  severity: 'medium',
  remediation: 'Close the port (or firewall it) if it has no business need; if it does, have it approved and add it to the partner policy.',
  run: ({ endpoint: ep, options }) => {
    if (!options.policy) return null;
    const host = policyHostFor(options.policy, ep);
    if (!host) return { status: 'skipped', detail: `${ep.host} is not in the policy, so there is no allowlist to compare with` };
    const allowed = host.ports.map((p) => p.port);
    const listed = allowed.includes(ep.port);
    const allowedText = allowed.length ? allowed.join(', ') : 'no ports';
    const evidence: Evidence[] = [
      { label: 'policy allowlist', value: `${host.host}: ${allowedText}` },
      { label: 'port state', value: `${where(ep)} ${ep.state}${ep.service ? ` (${ep.service})` : ''}` },
    ];
    if (ep.state !== 'open') {
      if (listed) return null; // an allowed port that is closed is not an exposure (POLICY-EXPECTED-SERVICE says if it should be open)
      return {
        status: 'pass',
        titleSuffix: `${ep.port}/tcp`,
        detail: `port ${ep.port} is ${ep.state}; the policy does not allow it and it is not exposed`,
        evidence,
      };
    }
    if (listed)
      return {
        status: 'pass',
        titleSuffix: `${ep.port}/tcp`,
        detail: `port ${ep.port} is open and allowed by the policy${ep.service ? ` (${ep.service})` : ''}`,
        evidence,
      };
    return {
      status: 'fail',
      titleSuffix: `${ep.port}/tcp`,
      detail: `port ${ep.port} is open (${ep.service ?? 'unknown service'}) but the policy allows only ${allowedText} on ${host.host}`,
      evidence,
    };
  },
});

export const policyKeyPin = defineCheck({
  id: 'POLICY-KEY-PIN',
  family: 'policy',
  observes: 'SSH host key / certificate fingerprint equals the pinned one',
  title: 'Pinned key or certificate',
  severity: 'critical',
  remediation:
    'Find out why the key differs before sending any data: a re-keyed server needs its new fingerprint confirmed out of band and the policy updated; an unexpected key can mean interception.',
  run: ({ endpoint: ep, options }) => {
    const pin = policyPortFor(options.policy, ep);
    if (!pin || (!pin.sshHostKeys?.length && !pin.certificates?.length)) return null;
    const out: CheckOutcome[] = [];
    if (pin.sshHostKeys?.length) {
      const keys = ep.ssh?.hostKeys ?? [];
      const pinned = new Set(pin.sshHostKeys);
      if (keys.length === 0) {
        out.push({
          status: 'skipped',
          titleSuffix: 'SSH host key',
          detail: `no SSH host key was obtained (${ep.state}${ep.service ? `, ${ep.service}` : ''}); the pin could not be compared`,
        });
      } else {
        const evidence: Evidence[] = [
          ...keys.map((k) => ({ label: 'host key presented', value: `${k.type}${k.bits ? ` ${k.bits}` : ''} ${k.fingerprintSha256}` })),
          { label: 'pinned', value: pin.sshHostKeys.join(', ') },
        ];
        const match = keys.filter((k) => pinned.has(normalizeSshFingerprint(k.fingerprintSha256)));
        if (match.length > 0) {
          const others = keys.length - match.length;
          out.push({
            status: 'pass',
            titleSuffix: 'SSH host key',
            detail: `the ${match.map((k) => k.type).join(', ')} host key matches the pin${others ? ` (${others} other host key(s) offered are not pinned)` : ''}`,
            evidence,
          });
        } else {
          out.push({
            status: 'fail',
            titleSuffix: 'SSH host key',
            detail: `none of the ${keys.length} host key(s) presented matches the pinned fingerprint(s)`,
            evidence,
          });
        }
      }
    }
    if (pin.certificates?.length) {
      const chain = ep.tls?.chain?.length ? ep.tls.chain : ep.tls?.certificate ? [ep.tls.certificate] : [];
      const pinned = new Set(pin.certificates);
      if (chain.length === 0) {
        out.push({
          status: 'skipped',
          titleSuffix: 'certificate',
          detail: `no certificate was obtained (${ep.state}${ep.service ? `, ${ep.service}` : ''}); the pin could not be compared`,
        });
      } else {
        const evidence: Evidence[] = [...chain.map(certLine), { label: 'pinned', value: pin.certificates.join(', ') }];
        const idx = chain.findIndex((c) => pinned.has(normalizeCertFingerprint(c.fingerprintSha256)));
        if (idx >= 0)
          out.push({
            status: 'pass',
            titleSuffix: 'certificate',
            detail: `${idx === 0 ? 'the leaf certificate' : `chain certificate ${idx} (${chain[idx].subject})`} matches the pin`,
            evidence,
          });
        else
          out.push({
            status: 'fail',
            titleSuffix: 'certificate',
            detail: `no certificate presented (leaf ${chain[0].subject}) matches the pinned fingerprint(s)`,
            evidence,
          });
      }
    }
    return out;
  },
});

export const cryptoInventory = defineCheck({
  id: 'CRYPTO-INVENTORY',
  family: 'policy',
  observes: 'protocols, suites, keys and certificates seen (evidence for inventories)',
  title: 'Cryptographic inventory',
  severity: 'info',
  remediation: '',
  run: ({ endpoint: ep }) => {
    if (ep.state !== 'open' || !ep.service) return null;
    const ev: Evidence[] = [];
    const parts: string[] = [];
    if (ep.tls) {
      const t = ep.tls;
      const protos = Object.entries(t.protocols ?? {})
        .filter(([, on]) => on)
        .map(([p]) => p);
      if (protos.length === 0 && t.negotiated?.protocol) protos.push(t.negotiated.protocol);
      const noneLabel = t.probe ? '(none negotiable)' : '(not enumerated)';
      ev.push({ label: 'TLS protocols', value: protos.join(', ') || noneLabel });
      const suiteCount = Object.values(t.cipherSuites ?? {}).reduce((n, l) => n + (l?.length ?? 0), 0);
      for (const [v, list] of Object.entries(t.cipherSuites ?? {}))
        if (list?.length) ev.push({ label: `TLS suites ${v}`, value: list.join(', ') });
      if (suiteCount === 0 && t.negotiated?.cipher) ev.push({ label: 'TLS suite negotiated', value: t.negotiated.cipher });
      if (t.groups?.length) ev.push({ label: 'TLS groups', value: t.groups.join(', ') });
      const chain = t.chain?.length ? t.chain : t.certificate ? [t.certificate] : [];
      chain.forEach((c, i) => ev.push(certLine(c, i)));
      parts.push(
        `TLS: ${protos.join('/') || (t.probe ? 'no version negotiable' : 'versions not enumerated')}, ${suiteCount || (t.negotiated?.cipher ? 1 : 0)} suite(s), ${chain.length} certificate(s)`,
      );
    }
    if (ep.ssh) {
      const s = ep.ssh;
      ev.push({ label: 'SSH key exchange', value: s.kex.join(', ') || '(none read)' });
      ev.push({ label: 'SSH host-key algorithms', value: s.hostKeyAlgorithms.join(', ') || '(none read)' });
      ev.push({ label: 'SSH ciphers', value: s.ciphers.join(', ') || '(none read)' });
      ev.push({ label: 'SSH MACs', value: s.macs.join(', ') || '(none read)' });
      for (const k of s.hostKeys)
        ev.push({
          label: 'SSH host key',
          value: `${k.type}${k.bits ? ` ${k.bits}` : ''}${k.curve ? ` ${k.curve}` : ''} ${k.fingerprintSha256}`,
        });
      parts.push(`SSH: ${s.kex.length} kex, ${s.ciphers.length} cipher(s), ${s.macs.length} MAC(s), ${s.hostKeys.length} host key(s)`);
    }
    if (parts.length === 0) {
      return { status: 'info', detail: `${where(ep)} (${ep.service}) offered no cryptography that was recorded`, evidence: ev };
    }
    return { status: 'info', detail: `${where(ep)} ${ep.service}: ${parts.join('; ')}`, evidence: ev };
  },
});
