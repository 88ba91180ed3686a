// What a careful engineer concludes from the oracle's facts (test/oracle/ssh_oracle.py), by the
// project's SSH rules (RFC 9142 and 8270 for key exchange, RFC 8758 and CBC attacks for ciphers,
// HMAC-SHA-1 a warning by default as NIST SP 800-131A still allows it, Terrapin CVE-2023-48795
// preconditions) — written here independently of xferscan's own classification
// (src/ssh/algorithms.ts, src/checks/ssh.ts), so that the two can be compared.

/** What ssh_oracle.py prints (only the fields the tests use). */
export interface OracleResult {
  host: string;
  port: number;
  user: string;
  protoVersion: string | null;
  software: string | null;
  kexinit: {
    kex: string[];
    hostKeyAlgorithms: string[];
    ciphersCtoS: string[];
    ciphersStoC: string[];
    macsCtoS: string[];
    macsStoC: string[];
    compressionCtoS: string[];
    compressionStoC: string[];
  } | null;
  kexinitWarnings: string[];
  authMethods: string[] | null;
  gex: { kex: string; request: number[] | null; groupInRange: boolean | null; detail: string } | null;
  hostKeys: { family: string; type: string; bits: number | null; fingerprint: string | null }[];
  hostKeyErrors: { family: string; detail: string }[];
  sftp?: { loggedIn: boolean; ok: boolean; version: number | null; extensions: Record<string, string>; detail: string };
  exec?: OracleChannel;
  shell?: OracleChannel;
  forwarding?: OracleChannel & { openFailureReason: number | null; openFailureText: string | null; listenerSawConnection: boolean };
  seconds: number;
}

export type ChannelVerdict = 'allowed' | 'refused' | 'inconclusive';

export interface OracleChannel {
  verdict: ChannelVerdict;
  detail: string;
}

export type Status = 'pass' | 'warn' | 'fail' | 'info' | 'skipped';

/** Names in the kex list that are protocol markers, not algorithms (RFC 8308, OpenSSH strict kex). */
export function isKexMarker(name: string): boolean {
  return /^ext-info-[cs]$/.test(name) || /^kex-strict-[cs]-v00@openssh\.com$/.test(name);
}

const isCbc = (c: string) => c.endsWith('-cbc') || c === 'rijndael-cbc@lysator.liu.se';
const isEtm = (m: string) => m.endsWith('-etm@openssh.com');
const isAead = (c: string) => c.includes('-gcm') || c === 'chacha20-poly1305@openssh.com';
const union = (...lists: string[][]) => [...new Set(lists.flat())];

/** KEX: SHA-1 exchange hashes (group1, group14-sha1, gex-sha1, rsa1024-sha1) are weak or fail → fail. */
export function kexWeak(o: OracleResult): { status: Status; why: string } {
  const kex = (o.kexinit?.kex ?? []).filter((k) => !isKexMarker(k));
  const bad = kex.filter((k) => k.endsWith('-sha1') || k === 'rsa1024-sha1');
  const why: string[] = [];
  if (bad.length) why.push(`SHA-1 key exchange: ${bad.join(',')}`);
  // OpenSSH asks for >= 2048 bits and refuses a smaller group (RFC 8270)
  if (o.gex && o.gex.groupInRange === false) why.push(`${o.gex.kex} group outside 2048..8192 bits`);
  return why.length ? { status: 'fail', why: why.join('; ') } : { status: 'pass', why: 'no SHA-1 kex, GEX groups >= 2048' };
}

/** Host keys: ssh-rsa (SHA-1 signatures) or ssh-dss offered, RSA < 2048, any DSA key → fail. */
export function hostKeyWeak(o: OracleResult): { status: Status; why: string } {
  const algs = o.kexinit?.hostKeyAlgorithms ?? [];
  const why: string[] = [];
  const badAlgs = algs.filter((a) => a === 'ssh-rsa' || a === 'ssh-dss' || a.startsWith('ssh-rsa-cert') || a.startsWith('ssh-dss-cert'));
  if (badAlgs.length) why.push(`offers ${badAlgs.join(',')}`);
  for (const k of o.hostKeys) {
    if (k.type === 'ssh-rsa' && k.bits !== null && k.bits < 2048) why.push(`RSA key of ${k.bits} bits`);
    if (k.type === 'ssh-dss') why.push('DSA key');
  }
  return why.length ? { status: 'fail', why: why.join('; ') } : { status: 'pass', why: 'strong host keys only' };
}

/** Ciphers: CBC, 3DES, arcfour, blowfish, cast128, none → fail. */
export function cipherWeak(o: OracleResult): { status: Status; why: string } {
  const all = union(o.kexinit?.ciphersCtoS ?? [], o.kexinit?.ciphersStoC ?? []);
  const bad = all.filter((c) => isCbc(c) || /^(3des|arcfour|blowfish|cast128)/.test(c) || c === 'none');
  return bad.length ? { status: 'fail', why: bad.join(',') } : { status: 'pass', why: 'no weak cipher' };
}

/**
 * MACs (reference table): MD5, RIPEMD-160 and -96 variants fail; hmac-sha1(-etm) and UMAC-64 are a
 * warning by default (HMAC-SHA-1 is not broken); encrypt-and-MAC where the EtM variant is also
 * offered is a warning (the check's definition). When every cipher is AEAD no MAC is ever used:
 * fail → warn.
 */
export function macWeak(o: OracleResult): { status: Status; why: string } {
  const k = o.kexinit;
  const macs = union(k?.macsCtoS ?? [], k?.macsStoC ?? []);
  const ciphers = union(k?.ciphersCtoS ?? [], k?.ciphersStoC ?? []);
  const failing = macs.filter((m) => /md5|ripemd/.test(m) || /-96(-etm@openssh\.com)?$/.test(m) || m === 'none');
  const warning = macs.filter((m) => /^hmac-sha1(-etm@openssh\.com)?$/.test(m) || m.startsWith('umac-64'));
  const etmName = (m: string) => (m.endsWith('@openssh.com') ? m.replace('@openssh.com', '-etm@openssh.com') : `${m}-etm@openssh.com`);
  const nonEtm = macs.filter((m) => !isEtm(m) && macs.includes(etmName(m)));
  const aeadOnly = ciphers.length > 0 && ciphers.every(isAead);
  const why = [
    failing.length ? `fail-rated: ${failing.join(',')}` : '',
    warning.length ? `warn-rated: ${warning.join(',')}` : '',
    nonEtm.length ? `encrypt-and-MAC beside EtM: ${nonEtm.join(',')}` : '',
    aeadOnly ? 'all ciphers AEAD' : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (failing.length && !aeadOnly) return { status: 'fail', why };
  if (failing.length || warning.length || nonEtm.length) return { status: 'warn', why };
  return { status: 'pass', why: why || 'strong MACs only' };
}

/** Terrapin: chacha20-poly1305, or CBC with an EtM MAC, and no kex-strict-s-v00@openssh.com → fail. */
export function terrapin(o: OracleResult): { status: Status; why: string } {
  const k = o.kexinit;
  if (!k) return { status: 'skipped', why: 'no KEXINIT' };
  const ciphers = union(k.ciphersCtoS, k.ciphersStoC);
  const macs = union(k.macsCtoS, k.macsStoC);
  const strict = k.kex.includes('kex-strict-s-v00@openssh.com');
  const pre: string[] = [];
  if (ciphers.includes('chacha20-poly1305@openssh.com')) pre.push('chacha20-poly1305');
  if (ciphers.some(isCbc) && macs.some(isEtm)) pre.push('CBC+EtM');
  if (!pre.length) return { status: 'pass', why: 'no vulnerable mode' };
  return strict
    ? { status: 'pass', why: `${pre.join(', ')} with strict kex` }
    : { status: 'fail', why: `${pre.join(', ')} without strict kex` };
}

/** Compression: zlib (before authentication) offered → warn. */
export function compression(o: OracleResult): { status: Status; why: string } {
  const all = union(o.kexinit?.compressionCtoS ?? [], o.kexinit?.compressionStoC ?? []);
  return all.includes('zlib') ? { status: 'warn', why: 'zlib before auth' } : { status: 'pass', why: all.join(',') };
}

/** Auth methods: password/keyboard-interactive without any key-based method → warn; else info. */
export function authMethods(o: OracleResult): { status: Status; why: string } {
  const m = o.authMethods;
  if (!m) return { status: 'skipped', why: 'methods not learned' };
  const pw = m.some((x) => x === 'password' || x === 'keyboard-interactive');
  const key = m.some((x) => x === 'publickey' || x === 'hostbased' || x.startsWith('gssapi'));
  return pw && !key ? { status: 'warn', why: 'password only' } : { status: 'info', why: m.join(',') };
}

/** SFTP-only hardening: any of shell/exec/forwarding allowed → fail; any inconclusive → warn. */
export function sftpOnly(o: OracleResult): { status: Status; why: string } {
  if (!o.exec || !o.shell || !o.forwarding) return { status: 'skipped', why: 'not logged in' };
  const v = { shell: o.shell.verdict, exec: o.exec.verdict, forwarding: o.forwarding.verdict };
  const allowed = Object.entries(v).filter(([, x]) => x === 'allowed');
  const unsure = Object.entries(v).filter(([, x]) => x === 'inconclusive');
  const why = Object.entries(v)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ');
  if (allowed.length) return { status: 'fail', why };
  if (unsure.length) return { status: 'warn', why };
  return { status: 'pass', why };
}
