// SSH / SFTP checks (checks.md, SSH-*): pure functions over `endpoint.ssh` (src/ssh/audit.ts).
import type { Check, CheckOutcome } from './engine.js';
import type { EndpointReport, Evidence, SshFacts } from '../model.js';
import { pci, hipaa } from './controls.js';
import { classify, isCbcCipher, isEtmMac, isPostQuantumKex, type AlgCategory, type AlgInfo } from '../knowledge/ssh-algorithms.js';
import { parseSshSoftware, softwareAdvisories } from '../knowledge/ssh-software.js';

/** null: not an SSH endpoint; a skipped outcome: SSH but no facts; otherwise the facts. */
function sshFacts(ep: EndpointReport): SshFacts | CheckOutcome | null {
  if (ep.service !== 'sftp') return null;
  if (!ep.ssh) return { status: 'skipped', detail: `no SSH facts were gathered${ep.error ? ` (${ep.error})` : ''}` };
  return ep.ssh;
}

function isOutcome(x: SshFacts | CheckOutcome): x is CheckOutcome {
  return 'status' in x;
}

function noLists(s: SshFacts): CheckOutcome | null {
  if (s.kex.length === 0 && s.ciphers.length === 0)
    return { status: 'skipped', detail: 'the server sent no algorithm lists (no SSH-2 KEXINIT was read)' };
  return null;
}

function listEvidence(label: string, names: readonly string[]): Evidence {
  return { label, value: names.join(',') || '(empty)' };
}

function offenders(cat: AlgCategory, names: readonly string[], min: 'weak' | 'fail' = 'weak'): { name: string; info: AlgInfo }[] {
  return names
    .map((name) => ({ name, info: classify(cat, name) }))
    .filter((x) => x.info.rating === 'fail' || (min === 'weak' && x.info.rating === 'weak'));
}

function describe(o: { name: string; info: AlgInfo }[]): string {
  return o.map((x) => `${x.name} (${x.info.rating}: ${x.info.reason})`).join('; ');
}

function unknowns(cat: AlgCategory, names: readonly string[]): string[] {
  return names.filter((n) => classify(cat, n).rating === 'unknown');
}

function union(...lists: (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const l of lists) for (const n of l ?? []) if (!out.includes(n)) out.push(n);
  return out;
}

const ciphersOf = (s: SshFacts) => union(s.ciphers, s.ciphersClientToServer);
const macsOf = (s: SshFacts) => union(s.macs, s.macsClientToServer);
const compressionOf = (s: SshFacts) => union(s.compression, s.compressionClientToServer);

function withLists(run: (s: SshFacts, ep: EndpointReport) => CheckOutcome | CheckOutcome[] | null): Check['run'] {
  return ({ endpoint }) => {
    const s = sshFacts(endpoint);
    if (s === null) return null;
    if (isOutcome(s)) return s;
    return noLists(s) ?? run(s, endpoint);
  };
}

const KEX_LINE =
  'KexAlgorithms mlkem768x25519-sha256,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256';

export const sshChecks: Check[] = [
  {
    id: 'SSH-PROTO-1',
    title: 'SSH protocol 1 offered',
    severity: 'critical',
    controls: pci('2.2.7', '8.3.2'),
    remediation: 'Disable SSH-1 entirely (OpenSSH ≥ 7.4 has no SSH-1 support; on older servers set `Protocol 2`) and upgrade the server.',
    run: ({ endpoint }) => {
      const s = sshFacts(endpoint);
      if (s === null) return null;
      if (isOutcome(s)) return s;
      const evidence = [{ label: 'identification', value: s.banner }];
      if (s.protoVersion === '1.99' || s.protoVersion.startsWith('1.')) {
        return {
          status: 'fail',
          detail: `the identification announces protocol ${s.protoVersion}: SSH-1 is accepted${s.protoVersion === '1.99' ? ' alongside SSH-2' : ''}`,
          evidence,
        };
      }
      return { status: 'pass', detail: `protocol ${s.protoVersion} only`, evidence };
    },
  },
  {
    id: 'SSH-KEX-WEAK',
    title: 'Weak SSH key exchange',
    severity: 'high',
    controls: ['RFC 9142', 'RFC 8270', ...pci('2.2.7')],
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
  },
  {
    id: 'SSH-HOSTKEY-WEAK',
    title: 'Weak SSH host key',
    severity: 'medium',
    controls: pci('4.2.1', '2.2.7'),
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
  },
  {
    id: 'SSH-CIPHER-WEAK',
    title: 'Weak SSH ciphers',
    severity: 'high',
    controls: pci('2.2.7', '4.2.1'),
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
  },
  {
    id: 'SSH-MAC-WEAK',
    title: 'Weak SSH MACs',
    severity: 'medium',
    controls: pci('2.2.7'),
    remediation:
      'In sshd_config: `MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com` (encrypt-then-MAC only; no MD5, SHA-1, -96 or UMAC-64).',
    run: withLists((s) => {
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
        return {
          status: aeadOnly ? 'warn' : 'fail',
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
  },
  {
    id: 'SSH-TERRAPIN',
    title: 'Terrapin attack preconditions (CVE-2023-48795)',
    severity: 'medium',
    controls: pci('6.3.3'),
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
  },
  {
    id: 'SSH-NO-PQ-KEX',
    title: 'No post-quantum hybrid key exchange',
    severity: 'info',
    controls: [],
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
  },
  {
    id: 'SSH-COMPRESSION',
    title: 'Compression before authentication',
    severity: 'low',
    controls: [],
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
  },
  {
    id: 'SSH-SOFTWARE',
    title: 'SSH server software and version',
    severity: 'info',
    controls: pci('6.3.3'),
    remediation:
      'Upgrade the SSH server to a supported release with current security fixes (OpenSSH ≥ 9.8p1 or a vendor package with the fixes backported); consider `VersionAddendum none` and, for OpenSSH, keep the package updated through the OS vendor.',
    run: ({ endpoint }) => {
      const s = sshFacts(endpoint);
      if (s === null) return null;
      if (isOutcome(s)) return s;
      const sw = parseSshSoftware(s.software, s.comments ?? '');
      const evidence = [{ label: 'identification', value: s.banner }];
      const label = `${s.software}${s.comments ? ` ${s.comments}` : ''}`;
      const adv = softwareAdvisories(sw);
      const vuln = adv.filter((a) => a.verdict === 'vulnerable');
      const check = adv.filter((a) => a.verdict === 'check-vendor');
      const fixed = adv.filter((a) => a.verdict === 'fixed-by-vendor');
      if (vuln.length) return { status: 'fail', detail: `${label}: ${vuln.map((a) => a.text).join('; ')}`, evidence, severity: 'critical' };
      if (check.length) return { status: 'warn', detail: `${label}: ${check.map((a) => a.text).join('; ')}`, evidence, severity: 'high' };
      return {
        status: 'info',
        detail: `${label}${sw.product === 'other' ? ' (software not recognised; no version judgement)' : ''}${fixed.length ? ` — ${fixed.map((a) => a.text).join('; ')}` : ''}`,
        evidence,
      };
    },
  },
  {
    id: 'SSH-AUTH-METHODS',
    title: 'SSH authentication methods',
    severity: 'info',
    controls: [...pci('8.3.1', '8.3.2'), ...hipaa('(d)')],
    remediation:
      'Prefer public-key authentication: `PubkeyAuthentication yes`, `PasswordAuthentication no`, `KbdInteractiveAuthentication no` (or require both with `AuthenticationMethods publickey,password` for MFA-like setups).',
    run: ({ endpoint }) => {
      const s = sshFacts(endpoint);
      if (s === null) return null;
      if (isOutcome(s)) return s;
      if (!s.authProbe) return { status: 'skipped', detail: 'auth methods were not probed' };
      if (!s.authProbe.ok)
        return { status: 'skipped', detail: `auth methods could not be learned: ${s.authProbe.error ?? 'unknown error'}` };
      const evidence = [
        { label: `methods after a "none" attempt as ${s.authProbe.username ?? '?'}`, value: s.authMethods.join(',') || '(none listed)' },
      ];
      if (s.authProbe.noneAccepted) {
        return {
          status: 'fail',
          detail: 'the server accepted authentication method "none": no credentials needed',
          evidence,
          severity: 'critical',
          remediation:
            'Disable passwordless access: `PermitEmptyPasswords no`, remove any `AuthenticationMethods none`, and review the account.',
        };
      }
      const pw = s.authMethods.filter((m) => m === 'password' || m === 'keyboard-interactive');
      const pk =
        s.authMethods.includes('publickey') || s.authMethods.includes('hostbased') || s.authMethods.some((m) => m.startsWith('gssapi'));
      if (pw.length && !pk)
        return { status: 'warn', detail: `password-only authentication (${s.authMethods.join(', ')})`, evidence, severity: 'medium' };
      return {
        status: 'info',
        detail: `authentication methods offered: ${s.authMethods.join(', ')}${pw.length ? ' (passwords accepted alongside keys)' : ''}`,
        evidence,
      };
    },
  },
  {
    id: 'SSH-SFTP-SUBSYSTEM',
    title: 'SFTP subsystem',
    severity: 'high',
    controls: [],
    remediation:
      'Enable the SFTP subsystem: `Subsystem sftp internal-sftp` (or the sftp-server path) in sshd_config, and check the account may use it.',
    run: ({ endpoint }) => {
      const s = sshFacts(endpoint);
      if (s === null) return null;
      if (isOutcome(s)) return s;
      if (!s.login) return { status: 'skipped', detail: 'needs credentials (--user with --password-env/--password-file or --key)' };
      if (!s.login.ok) return { status: 'skipped', detail: `login failed, SFTP not tried: ${s.login.error ?? 'unknown error'}` };
      const sftp = s.sftp as {
        opened?: boolean;
        version?: number | null;
        extensions?: Record<string, string>;
        error?: string | null;
        realpath?: string | null;
      } | null;
      if (!sftp) return { status: 'error', detail: 'logged in but the SFTP subsystem was not probed' };
      const exts = Object.entries(sftp.extensions ?? {}).map(([k, v]) => `${k}=${v}`);
      const evidence = [
        { label: 'SFTP version and extensions', value: `version ${sftp.version ?? '?'}; ${exts.join(', ') || 'no extensions'}` },
      ];
      if (sftp.opened)
        return {
          status: 'pass',
          detail: `SFTP subsystem opened as ${s.authProbe?.username ?? '?'}: protocol version ${sftp.version ?? '?'}, ${exts.length} extensions${sftp.realpath ? `, working directory ${sftp.realpath}` : ''}`,
          evidence,
        };
      return { status: 'fail', detail: `SFTP subsystem did not open: ${sftp.error ?? 'unknown error'}`, evidence };
    },
  },
  {
    id: 'SSH-SFTP-ONLY',
    title: 'File-transfer account restricted to SFTP',
    severity: 'medium',
    controls: pci('2.2.4'),
    remediation:
      'Restrict file-transfer accounts to SFTP in sshd_config:\n```\nMatch User <account>   # or Match Group sftponly\n    ForceCommand internal-sftp\n    ChrootDirectory /srv/sftp/%u\n    DisableForwarding yes\n    PermitTTY no\n```\nand give the account a non-login shell (/usr/sbin/nologin).',
    run: ({ endpoint }) => {
      const s = sshFacts(endpoint);
      if (s === null) return null;
      if (isOutcome(s)) return s;
      if (!s.login) return { status: 'skipped', detail: 'needs credentials (--user with --password-env/--password-file or --key)' };
      if (!s.login.ok) return { status: 'skipped', detail: `login failed, hardening not tried: ${s.login.error ?? 'unknown error'}` };
      const h = s.sftpOnly;
      if (!h) return { status: 'error', detail: 'logged in but shell/exec/forwarding were not tried' };
      const evidence: Evidence[] = [
        { label: 'shell', value: `${h.shell}: ${h.details.shell}` },
        { label: "exec 'id'", value: `${h.exec}: ${h.details.exec}` },
        { label: 'port forwarding (direct-tcpip)', value: `${h.forwarding}: ${h.details.forwarding}` },
      ];
      const allowed = (['shell', 'exec', 'forwarding'] as const).filter((k) => h[k] === 'allowed');
      const errors = (['shell', 'exec', 'forwarding'] as const).filter((k) => h[k] === 'error');
      const who = s.authProbe?.username ?? 'the account';
      if (allowed.length)
        return {
          status: 'fail',
          detail: `${who} can do more than file transfer: ${allowed.join(', ')} allowed${errors.length ? `; ${errors.join(', ')} inconclusive` : ''} (fine for an administrator, not for a file-transfer account)`,
          evidence,
        };
      if (errors.length) return { status: 'warn', detail: `${who}: ${errors.join(', ')} inconclusive; the rest refused`, evidence };
      return { status: 'pass', detail: `${who} is restricted to SFTP: shell, exec and port forwarding refused`, evidence };
    },
  },
];
