// SSH: the algorithms offered before login (key exchange, host keys, ciphers, MACs, Terrapin
// preconditions, post-quantum key exchange, compression).
import type { Check } from '../../../src/checks/types.js';
import {
  sshCipherWeak,
  sshCompression,
  sshHostkeyWeak,
  sshKexWeak,
  sshMacWeak,
  sshNoPqKex,
  sshTerrapin,
} from '../../../src/checks/ssh/algorithms.js';
import type { SshFacts } from '../../../src/model.js';
import { checkCases, type CheckCase } from './harness.js';
import { LEGACY_SSH, hardenedSsh, notSshRows, sshEndpoint } from './facts.js';

const ssh = (over: Partial<SshFacts> = {}) => sshEndpoint(hardenedSsh(over));
const sshCases = (check: Check, rows: CheckCase[], lists = true) => checkCases(check, [...notSshRows(lists), ...rows]);

sshCases(sshKexWeak, [
  { name: 'hardened list, 3072-bit groups: pass', endpoint: ssh(), expect: { status: 'pass', detail: /^no weak key exchange offered$/ } },
  {
    name: 'OpenSSH defaults hand out 2048-bit groups: pass, with a note',
    endpoint: ssh({ gex: hardenedSsh().gex!.map((g) => ({ ...g, bits: 2048 })) }),
    expect: { status: 'pass', detail: /group exchange gives 2048-bit groups \(≥ 2048 is acceptable, ≥ 3072 better\)/ },
  },
  {
    name: 'group exchange offered but not measured: pass, saying so',
    endpoint: ssh({ gex: undefined }),
    expect: { status: 'pass', detail: /group-exchange modulus size not measured/ },
  },
  {
    name: 'group exchange refused the request: pass, with its error',
    endpoint: ssh({
      gex: [{ label: 'default', min: 1024, n: 2048, max: 8192, kex: null, bits: null, error: 'no KEX_DH_GEX_GROUP within 5000 ms' }],
    }),
    expect: { status: 'pass', detail: /could not be measured \(no KEX_DH_GEX_GROUP within 5000 ms\)/ },
  },
  {
    name: 'the lab sshd-legacy: SHA-1 and 1024-bit key exchanges: fail, high',
    endpoint: ssh(LEGACY_SSH),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^weak key exchange offered: diffie-hellman-group1-sha1 \(fail: /,
      evidence: { some: [{ label: /^offending key exchanges$/, value: /diffie-hellman-group1-sha1/ }] },
    },
  },
  {
    name: 'a 1024-bit group handed out for a small request: fail (RFC 8270)',
    endpoint: ssh({
      gex: [{ label: 'small', min: 1024, n: 1024, max: 8192, kex: 'diffie-hellman-group-exchange-sha256', bits: 1024, error: null }],
    }),
    expect: {
      status: 'fail',
      detail: /hands out 1024-bit groups \(RFC 8270: at least 2048\)/,
      evidence: { some: [{ value: /1024-bit modulus/ }] },
    },
  },
  {
    name: 'a name no table rates: noted, not failed',
    endpoint: ssh({ kex: [...hardenedSsh().kex, 'kex-experimental@example.com'] }),
    expect: { status: 'pass', detail: /not rated: kex-experimental@example\.com/ },
  },
]);

sshCases(sshHostkeyWeak, [
  {
    name: 'Ed25519 and RSA-3072 with SHA-2 signatures: pass',
    endpoint: ssh(),
    expect: { status: 'pass', detail: /^host keys: ssh-ed25519 256, ssh-rsa 3072$/ },
  },
  {
    name: 'the lab sshd-legacy: ssh-rsa/ssh-dss and RSA-1024: fail',
    endpoint: ssh(LEGACY_SSH),
    expect: { status: 'fail', severity: 'medium', detail: /weak host-key algorithms offered: ssh-rsa .*RSA host key of 1024 bits/ },
  },
  {
    name: 'an RSA-1024 key behind SHA-2 signatures only: fail on its size',
    endpoint: ssh({ hostKeys: [LEGACY_SSH.hostKeys![0]!] }),
    expect: { status: 'fail', detail: /^RSA host key of 1024 bits \(SHA256:mNXK/ },
  },
  {
    name: 'RSA-2048: pass, with a note',
    endpoint: ssh({ hostKeys: [{ ...hardenedSsh().hostKeys[1]!, bits: 2048 }] }),
    expect: { status: 'pass', detail: /RSA 2048-bit: acceptable, ≥ 3072 is better/ },
  },
  {
    name: 'a key that could not be fetched is noted',
    endpoint: ssh({
      hostKeysNotFetched: [{ algorithm: 'ecdsa-sha2-nistp256', algorithms: ['ecdsa-sha2-nistp256'], reason: 'connection limit' }],
    }),
    expect: { status: 'pass', detail: /keys not fetched: ecdsa-sha2-nistp256 \(connection limit\)/ },
  },
  {
    name: 'no key fetched at all: sizes not judged',
    endpoint: ssh({ hostKeys: [] }),
    expect: { status: 'pass', detail: /none fetched \(no host key fetched: key sizes not judged\)$/ },
  },
]);

sshCases(sshCipherWeak, [
  { name: 'AEAD and CTR ciphers: pass', endpoint: ssh(), expect: { status: 'pass', detail: /^no weak cipher offered$/ } },
  {
    name: 'CBC and 3DES (sshd-legacy): fail, high',
    endpoint: ssh(LEGACY_SSH),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /weak ciphers offered: aes128-cbc \(weak: CBC mode/,
      evidence: { some: [{ label: /^offending ciphers$/, value: /3des-cbc/ }] },
    },
  },
  {
    name: 'a weak cipher only in the client-to-server list still counts',
    endpoint: ssh({ ciphersClientToServer: ['aes128-ctr', 'arcfour'] }),
    expect: { status: 'fail', detail: /arcfour/, evidence: { some: [{ label: /^server ciphers \(client→server\)$/ }] } },
  },
]);

sshCases(sshMacWeak, [
  { name: 'encrypt-then-MAC SHA-2 only: pass', endpoint: ssh(), expect: { status: 'pass', detail: /^no weak MAC offered$/ } },
  {
    name: 'OpenSSH 9.2 defaults (umac-64, hmac-sha1): weak, not broken: warn',
    endpoint: ssh({
      macs: [
        'umac-128-etm@openssh.com',
        'hmac-sha2-256-etm@openssh.com',
        'hmac-sha1-etm@openssh.com',
        'umac-64@openssh.com',
        'hmac-sha2-256',
        'hmac-sha1',
      ],
    }),
    expect: {
      status: 'warn',
      detail: /^weak MACs offered: hmac-sha1-etm@openssh\.com .*; encrypt-and-MAC where an EtM variant exists: hmac-sha2-256/,
    },
  },
  {
    name: 'the same under a profile with strictSshMacs: fail, medium',
    endpoint: ssh({
      macs: [
        'umac-128-etm@openssh.com',
        'hmac-sha2-256-etm@openssh.com',
        'hmac-sha1-etm@openssh.com',
        'umac-64@openssh.com',
        'hmac-sha2-256',
        'hmac-sha1',
      ],
    }),
    options: { strictSshMacs: true },
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^weak MACs offered: hmac-sha1-etm@openssh\.com .*; encrypt-and-MAC where an EtM variant exists: hmac-sha2-256/,
    },
  },
  {
    name: 'hmac-md5 with CBC/CTR ciphers: broken, fail without a strict profile',
    endpoint: ssh({ ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-md5'] }),
    expect: { status: 'fail', severity: 'medium', detail: /^weak MACs offered: hmac-md5/ },
  },
  {
    name: 'weak MACs beside AEAD-only ciphers are never used: warn',
    endpoint: ssh({
      ciphers: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com'],
      macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-md5'],
    }),
    expect: { status: 'warn', detail: /all offered ciphers are AEAD, so MACs are never used/ },
  },
  {
    name: 'encrypt-and-MAC where the EtM variant exists: warn, low',
    endpoint: ssh({ macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'] }),
    expect: {
      status: 'warn',
      severity: 'low',
      detail: /^encrypt-and-MAC variants offered where an encrypt-then-MAC variant exists: hmac-sha2-256$/,
    },
  },
]);

sshCases(sshTerrapin, [
  { name: 'strict-kex support unknown: skipped', endpoint: ssh({ strictKex: null }), expect: { status: 'skipped' } },
  {
    name: 'no vulnerable combination: pass',
    endpoint: ssh({ ciphers: ['aes256-gcm@openssh.com', 'aes128-ctr'], strictKex: false, kexMarkers: [] }),
    expect: { status: 'pass', detail: /^no vulnerable cipher\/MAC combination offered$/ },
  },
  {
    name: 'chacha20-poly1305 with strict kex (OpenSSH ≥ 9.6 or a patched build): pass',
    endpoint: ssh(),
    expect: { status: 'pass', detail: /kex-strict-s-v00@openssh\.com\), which defeats the attack/ },
  },
  {
    name: 'chacha20-poly1305 without strict kex: fail',
    endpoint: ssh({ strictKex: false, kexMarkers: [] }),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^chacha20-poly1305@openssh\.com offered and no strict key exchange/,
      remediation: /OpenSSH ≥ 9\.6/,
    },
  },
  {
    name: 'CBC with encrypt-then-MAC without strict kex: fail',
    endpoint: ssh({ ciphers: ['aes128-cbc', 'aes128-ctr'], strictKex: false, kexMarkers: [] }),
    expect: { status: 'fail', detail: /^CBC ciphers \(aes128-cbc\) with encrypt-then-MAC/ },
  },
]);

sshCases(sshNoPqKex, [
  { name: 'sntrup761x25519 offered: pass', endpoint: ssh(), expect: { status: 'pass', detail: /sntrup761x25519-sha512@openssh\.com/ } },
  {
    name: 'no hybrid key exchange: info, with the upgrade path',
    endpoint: ssh({ kex: ['curve25519-sha256', 'diffie-hellman-group16-sha512'] }),
    expect: { status: 'info', severity: 'info', detail: /^no post-quantum hybrid key exchange/, remediation: /OpenSSH ≥ 9\.9/ },
  },
]);

sshCases(sshCompression, [
  {
    name: 'delayed compression only: pass',
    endpoint: ssh(),
    expect: { status: 'pass', detail: /zlib@openssh\.com, after authentication/ },
  },
  { name: 'no compression: pass', endpoint: ssh({ compression: ['none'] }), expect: { status: 'pass', detail: /^compression: none$/ } },
  {
    name: 'zlib before authentication (ProFTPD mod_sftp): warn',
    endpoint: ssh({ compression: ['none', 'zlib'] }),
    expect: { status: 'warn', severity: 'low', detail: /reachable by unauthenticated clients/, remediation: /Compression no/ },
  },
]);
