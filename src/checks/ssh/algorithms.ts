// The algorithms the server offers before login: key exchange, host keys, ciphers, MACs,
// Terrapin preconditions, post-quantum key exchange, compression.
import { isCbcCipher, isEtmMac, isPostQuantumKex } from '../../knowledge/ssh-algorithms.js';
import type { Evidence } from '../../model.js';
import { defineCheck } from '../types.js';
import { KEX_LINE, ciphersOf, compressionOf, describe, listEvidence, macsOf, offenders, unknowns, withLists } from './support.js';

export const sshKexWeak = defineCheck({
  id: 'SSH-KEX-WEAK',
  family: 'ssh',
  observes: 'group1-sha1, any SHA-1 KEX, DH-GEX min < 2048, or other weak key exchange',
  title: 'Weak SSH key exchange',
  severity: 'high',
  remediation: `Offer only strong key exchanges, e.g. in sshd_config: \`${KEX_LINE}\` (mlkem768x25519-sha256 needs OpenSSH ≥ 9.9, sntrup761 ≥ 8.5 — drop what your version lacks; \`sshd -T | grep kexalgorithms\` shows the result). For group exchange, remove small moduli: \`awk '$5 >= 3071' /etc/ssh/moduli > /etc/ssh/moduli.new && mv /etc/ssh/moduli.new /etc/ssh/moduli\`.`,
  run: withLists((s) => {
    const bad = offenders('kex', s.kex);
    const evidence: Evidence[] = [listEvidence('server kex_algorithms', s.kex)];
    const problems: string[] = [];
    if (bad.length) problems.push(`weak key exchange offered: ${describe(bad)}`);
    const gex = (s.gex ?? []).filter((g) => g.bits !== null);
    for (const g of gex)
      evidence.push({
        label: `DH group exchange (${g.label} request ${g.min}/${g.n}/${g.max})`,
        value: `${g.kex}: ${g.bits}-bit modulus`,
      });
    const small = gex.filter((g) => g.bits! < 2048);
    if (small.length)
      problems.push(`DH group exchange hands out ${Math.min(...small.map((g) => g.bits!))}-bit groups (RFC 8270: at least 2048)`);
    const notes: string[] = [];
    const offersGex = s.kex.some((k) => k.startsWith('diffie-hellman-group-exchange-'));
    if (offersGex && !s.gex) notes.push('group-exchange modulus size not measured');
    else if (offersGex && gex.length === 0)
      notes.push(
        `group-exchange modulus size could not be measured (${
          (s.gex ?? [])
            .map((g) => g.error)
            .filter(Boolean)
            .join('; ') || 'no answer'
        })`,
      );
    else if (gex.length && Math.min(...gex.map((g) => g.bits!)) < 3072 && !small.length)
      notes.push(`group exchange gives ${Math.min(...gex.map((g) => g.bits!))}-bit groups (≥ 2048 is acceptable, ≥ 3072 better)`);
    const unk = unknowns('kex', s.kex);
    if (unk.length) notes.push(`not rated: ${unk.join(', ')}`);
    const tail = notes.length ? ` (${notes.join('; ')})` : '';
    if (problems.length) {
      evidence.push({ label: 'offending key exchanges', value: bad.map((b) => b.name).join(',') || '(group size)' });
      return { status: 'fail', detail: `${problems.join('; ')}${tail}`, evidence };
    }
    return { status: 'pass', detail: `no weak key exchange offered${tail}`, evidence };
  }),
});

export const sshHostkeyWeak = defineCheck({
  id: 'SSH-HOSTKEY-WEAK',
  family: 'ssh',
  observes: 'ssh-dss, RSA < 2048 (per real key size), SHA-1 `ssh-rsa` signatures',
  title: 'Weak SSH host key',
  severity: 'medium',
  remediation:
    'Use Ed25519 and RSA ≥ 3072-bit host keys and only SHA-2 signatures: `ssh-keygen -t ed25519 -f /etc/ssh/ssh_host_ed25519_key` and `ssh-keygen -t rsa -b 3072 -f /etc/ssh/ssh_host_rsa_key`; in sshd_config remove `HostKey …dsa…` lines and set `HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256` (no ssh-rsa, no ssh-dss). Publish the new fingerprints to partners before switching.',
  run: withLists((s) => {
    const problems: string[] = [];
    const evidence: Evidence[] = [listEvidence('server host key algorithms', s.hostKeyAlgorithms)];
    for (const k of s.hostKeys) evidence.push({ label: `host key ${k.type}`, value: `${k.bits ?? '?'} bits ${k.fingerprintSha256}` });
    const badAlgs = offenders('hostkey', s.hostKeyAlgorithms);
    if (badAlgs.length) problems.push(`weak host-key algorithms offered: ${describe(badAlgs)}`);
    const smallRsa = s.hostKeys.filter(
      (k) => (k.type === 'ssh-rsa' || k.type.startsWith('ssh-rsa-cert')) && k.bits !== null && k.bits < 2048,
    );
    for (const k of smallRsa) problems.push(`RSA host key of ${k.bits} bits (${k.fingerprintSha256}); at least 2048 required`);
    const smallDsa = s.hostKeys.filter((k) => k.type.startsWith('ssh-dss'));
    for (const k of smallDsa) if (!badAlgs.some((b) => b.name === 'ssh-dss')) problems.push(`DSA host key (${k.bits} bits)`);
    const notes: string[] = [];
    const midRsa = s.hostKeys.filter((k) => k.type === 'ssh-rsa' && k.bits !== null && k.bits >= 2048 && k.bits < 3072);
    if (midRsa.length) notes.push(`RSA ${midRsa[0]!.bits}-bit: acceptable, ≥ 3072 is better`);
    const missing = s.hostKeysNotFetched ?? [];
    if (missing.length) notes.push(`keys not fetched: ${missing.map((m) => `${m.algorithm} (${m.reason})`).join('; ')}`);
    if (s.hostKeys.length === 0 && s.hostKeyAlgorithms.length > 0) notes.push('no host key fetched: key sizes not judged');
    const tail = notes.length ? ` (${notes.join('; ')})` : '';
    if (problems.length) return { status: 'fail', detail: `${problems.join('; ')}${tail}`, evidence };
    return {
      status: 'pass',
      detail: `host keys: ${s.hostKeys.map((k) => `${k.type} ${k.bits ?? '?'}`).join(', ') || 'none fetched'}${tail}`,
      evidence,
    };
  }),
});

export const sshCipherWeak = defineCheck({
  id: 'SSH-CIPHER-WEAK',
  family: 'ssh',
  observes: '3DES, arcfour, blowfish, CBC modes, none',
  title: 'Weak SSH ciphers',
  severity: 'high',
  remediation:
    'In sshd_config: `Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr` (no *-cbc, 3des, arcfour, blowfish, cast128, none); reload sshd and check with `sshd -T | grep ciphers`.',
  run: withLists((s) => {
    const all = ciphersOf(s);
    const bad = offenders('cipher', all);
    const evidence: Evidence[] = [listEvidence('server ciphers (server→client)', s.ciphers)];
    if (s.ciphersClientToServer) evidence.push(listEvidence('server ciphers (client→server)', s.ciphersClientToServer));
    const unk = unknowns('cipher', all);
    const tail = unk.length ? ` (not rated: ${unk.join(', ')})` : '';
    if (bad.length) {
      evidence.push({ label: 'offending ciphers', value: bad.map((b) => b.name).join(',') });
      return { status: 'fail', detail: `weak ciphers offered: ${describe(bad)}${tail}`, evidence };
    }
    return { status: 'pass', detail: `no weak cipher offered${tail}`, evidence };
  }),
});

export const sshMacWeak = defineCheck({
  id: 'SSH-MAC-WEAK',
  family: 'ssh',
  observes: 'MD5, -96, SHA-1 MACs, UMAC-64, non-EtM where EtM exists',
  title: 'Weak SSH MACs',
  severity: 'medium',
  remediation:
    'In sshd_config: `MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com` (encrypt-then-MAC only; no MD5, SHA-1, -96 or UMAC-64).',
  run: withLists((s, _ep, options) => {
    const all = macsOf(s);
    const bad = offenders('mac', all);
    const evidence: Evidence[] = [listEvidence('server MACs (server→client)', s.macs)];
    if (s.macsClientToServer) evidence.push(listEvidence('server MACs (client→server)', s.macsClientToServer));
    const etmName = (m: string) => (m.endsWith('@openssh.com') ? m.replace('@openssh.com', '-etm@openssh.com') : `${m}-etm@openssh.com`);
    const nonEtm = all.filter((m) => !isEtmMac(m) && m !== 'none' && all.includes(etmName(m)));
    const aeadOnly = ciphersOf(s).every((c) => c.includes('gcm') || c.includes('chacha20-poly1305'));
    const tail = aeadOnly ? ' (all offered ciphers are AEAD, so MACs are never used)' : '';
    if (bad.length) {
      evidence.push({ label: 'offending MACs', value: bad.map((b) => b.name).join(',') });
      // SHA-1 and UMAC-64 MACs are weak, not broken (NIST SP 800-131A allows HMAC-SHA-1 until
      // 2030): a warning, unless the profile is strict; MD5, -96 and the like fail.
      const broken = bad.some((b) => b.info.rating === 'fail') || (options.strictSshMacs ?? false);
      return {
        status: aeadOnly || !broken ? 'warn' : 'fail',
        detail: `weak MACs offered: ${describe(bad)}${nonEtm.length ? `; encrypt-and-MAC where an EtM variant exists: ${nonEtm.join(', ')}` : ''}${tail}`,
        evidence,
      };
    }
    if (nonEtm.length) {
      evidence.push({ label: 'encrypt-and-MAC variants', value: nonEtm.join(',') });
      return {
        status: 'warn',
        detail: `encrypt-and-MAC variants offered where an encrypt-then-MAC variant exists: ${nonEtm.join(', ')}${tail}`,
        evidence,
        severity: 'low',
      };
    }
    return { status: 'pass', detail: `no weak MAC offered${tail}`, evidence };
  }),
});

export const sshTerrapin = defineCheck({
  id: 'SSH-TERRAPIN',
  family: 'ssh',
  observes: 'CVE-2023-48795 preconditions (chacha20-poly1305 or CBC+EtM) without strict-kex',
  title: 'Terrapin attack preconditions (CVE-2023-48795)',
  severity: 'medium',
  remediation:
    'Upgrade to a server that implements strict key exchange (OpenSSH ≥ 9.6 or a vendor build with the fix; it then offers kex-strict-s-v00@openssh.com). Until then remove chacha20-poly1305@openssh.com from `Ciphers` and all *-etm@openssh.com MACs when CBC ciphers are enabled (or remove the CBC ciphers).',
  run: withLists((s) => {
    if (s.strictKex === null) return { status: 'skipped', detail: 'strict-kex support unknown' };
    const ciphers = ciphersOf(s);
    const macs = macsOf(s);
    const chacha = ciphers.filter((c) => c === 'chacha20-poly1305@openssh.com');
    const cbc = ciphers.filter(isCbcCipher);
    const etm = macs.filter(isEtmMac);
    const pre: string[] = [];
    if (chacha.length) pre.push('chacha20-poly1305@openssh.com offered');
    if (cbc.length && etm.length) pre.push(`CBC ciphers (${cbc.join(', ')}) with encrypt-then-MAC (${etm.join(', ')})`);
    const evidence: Evidence[] = [
      listEvidence('kex markers', s.kexMarkers ?? []),
      listEvidence('server ciphers', ciphers),
      listEvidence('server MACs', macs),
    ];
    if (!pre.length)
      return {
        status: 'pass',
        detail: `no vulnerable cipher/MAC combination offered${s.strictKex ? ' (strict kex also offered)' : ''}`,
        evidence,
      };
    if (s.strictKex)
      return {
        status: 'pass',
        detail: `${pre.join('; ')}, but the server offers strict key exchange (kex-strict-s-v00@openssh.com), which defeats the attack when the client supports it too`,
        evidence,
      };
    return {
      status: 'fail',
      detail: `${pre.join('; ')} and no strict key exchange (kex-strict-s-v00@openssh.com): Terrapin prefix truncation is possible`,
      evidence,
    };
  }),
});

export const sshNoPqKex = defineCheck({
  id: 'SSH-NO-PQ-KEX',
  family: 'ssh',
  observes: 'no post-quantum hybrid key exchange (mlkem768x25519 / sntrup761x25519)',
  title: 'No post-quantum hybrid key exchange',
  severity: 'info',
  remediation:
    'Upgrade to OpenSSH ≥ 9.9 (mlkem768x25519-sha256; sntrup761x25519-sha512 since 8.5) and keep the hybrid algorithms first in `KexAlgorithms`, protecting recorded sessions against a future quantum computer ("harvest now, decrypt later").',
  run: withLists((s) => {
    const pq = s.kex.filter(isPostQuantumKex);
    const evidence = [listEvidence('server kex_algorithms', s.kex)];
    if (pq.length) return { status: 'pass', detail: `post-quantum hybrid key exchange offered: ${pq.join(', ')}`, evidence };
    return {
      status: 'info',
      detail: 'no post-quantum hybrid key exchange (mlkem768x25519-sha256 / sntrup761x25519-sha512) offered',
      evidence,
      remediation:
        'Upgrade to OpenSSH ≥ 9.9 (mlkem768x25519-sha256; sntrup761x25519-sha512 since 8.5) and list the hybrid algorithms first in `KexAlgorithms`.',
    };
  }),
});

export const sshCompression = defineCheck({
  id: 'SSH-COMPRESSION',
  family: 'ssh',
  observes: 'compression offered before authentication (`zlib`)',
  title: 'Compression before authentication',
  severity: 'low',
  remediation: 'In sshd_config: `Compression no` (or `delayed` on old servers, which offers only zlib@openssh.com after login).',
  run: withLists((s) => {
    const all = compressionOf(s);
    const evidence = [listEvidence('server compression', all)];
    if (all.includes('zlib'))
      return {
        status: 'warn',
        detail: 'zlib (compression before authentication) is offered: the decompressor is reachable by unauthenticated clients',
        evidence,
      };
    if (all.includes('zlib@openssh.com'))
      return { status: 'pass', detail: 'only delayed compression (zlib@openssh.com, after authentication) is offered', evidence };
    return { status: 'pass', detail: `compression: ${all.join(', ') || '(none listed)'}`, evidence };
  }),
});
