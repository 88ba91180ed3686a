// SSH algorithm knowledge as data: name → rating, reason, source. Sources: RFC 9142 (kex),
// RFC 8270 (GEX sizes), RFC 8758 (arcfour), RFC 8332 (rsa-sha2), RFC 4344/4253 (ciphers),
// Mozilla OpenSSH guidelines and BSI TR-02102-4; entries sourced 'xferscan' are this project's own
// rating. Facts only; no code from other tools.

export type AlgCategory = 'kex' | 'hostkey' | 'cipher' | 'mac' | 'compression';
export type AlgRating = 'good' | 'acceptable' | 'weak' | 'fail' | 'unknown';

export interface AlgInfo {
  rating: AlgRating;
  reason: string;
  source: string;
  /** what the entry was matched by: the exact name or a family rule */
  matched?: string;
}

type Table = Record<string, Omit<AlgInfo, 'matched'>>;

const RFC9142 = 'RFC 9142';
const REF = 'xferscan';

const KEX: Table = {
  'mlkem768x25519-sha256': {
    rating: 'good',
    reason: 'hybrid post-quantum (ML-KEM-768 + X25519)',
    source: 'draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9',
  },
  'sntrup761x25519-sha512': {
    rating: 'good',
    reason: 'hybrid post-quantum (Streamlined NTRU Prime + X25519)',
    source: 'draft-ietf-sshm-ntruprime-ssh; OpenSSH 9.0',
  },
  'sntrup761x25519-sha512@openssh.com': {
    rating: 'good',
    reason: 'hybrid post-quantum (Streamlined NTRU Prime + X25519)',
    source: 'OpenSSH 8.5',
  },
  'curve25519-sha256': { rating: 'good', reason: 'X25519 ECDH (not post-quantum)', source: `RFC 8731; ${RFC9142} SHOULD` },
  'curve25519-sha256@libssh.org': { rating: 'good', reason: 'X25519 ECDH, pre-standard name (not post-quantum)', source: 'RFC 8731' },
  'curve448-sha512': { rating: 'good', reason: 'X448 ECDH (not post-quantum)', source: `RFC 8731; ${RFC9142} MAY` },
  'ecdh-sha2-nistp256': {
    rating: 'acceptable',
    reason: 'NIST P-256 ECDH (curve provenance concerns; not post-quantum)',
    source: `RFC 5656; ${RFC9142} SHOULD`,
  },
  'ecdh-sha2-nistp384': {
    rating: 'acceptable',
    reason: 'NIST P-384 ECDH (curve provenance concerns; not post-quantum)',
    source: `RFC 5656; ${RFC9142} SHOULD`,
  },
  'ecdh-sha2-nistp521': {
    rating: 'acceptable',
    reason: 'NIST P-521 ECDH (curve provenance concerns; not post-quantum)',
    source: `RFC 5656; ${RFC9142} SHOULD`,
  },
  'diffie-hellman-group14-sha256': {
    rating: 'acceptable',
    reason: '2048-bit MODP group with SHA-256',
    source: `RFC 8268; ${RFC9142} MUST`,
  },
  'diffie-hellman-group15-sha512': { rating: 'acceptable', reason: '3072-bit MODP group with SHA-512', source: `RFC 8268; ${RFC9142} MAY` },
  'diffie-hellman-group16-sha512': {
    rating: 'acceptable',
    reason: '4096-bit MODP group with SHA-512',
    source: `RFC 8268; ${RFC9142} SHOULD`,
  },
  'diffie-hellman-group17-sha512': { rating: 'acceptable', reason: '6144-bit MODP group with SHA-512', source: `RFC 8268; ${RFC9142} MAY` },
  'diffie-hellman-group18-sha512': { rating: 'acceptable', reason: '8192-bit MODP group with SHA-512', source: `RFC 8268; ${RFC9142} MAY` },
  'diffie-hellman-group-exchange-sha256': {
    rating: 'acceptable',
    reason: 'server-chosen group; acceptable if the modulus is ≥ 2048 bits (better ≥ 3072)',
    source: 'RFC 4419; RFC 8270; RFC 9142 MAY',
  },
  'diffie-hellman-group14-sha1': { rating: 'weak', reason: 'SHA-1 exchange hash', source: `${RFC9142} SHOULD NOT (was MUST)` },
  'diffie-hellman-group1-sha1': {
    rating: 'fail',
    reason: '1024-bit Oakley group 2 with SHA-1 (Logjam-range)',
    source: `${RFC9142} SHOULD NOT; RFC 8270`,
  },
  'diffie-hellman-group-exchange-sha1': {
    rating: 'fail',
    reason: 'SHA-1 exchange hash with a server-chosen group',
    source: `${RFC9142} SHOULD NOT`,
  },
  'rsa1024-sha1': { rating: 'fail', reason: '1024-bit RSA key transport with SHA-1', source: `RFC 4432; ${RFC9142} MUST NOT` },
  'rsa2048-sha256': { rating: 'weak', reason: 'RSA key transport: no forward secrecy', source: `RFC 4432; ${RFC9142} MAY` },
  'gss-gex-sha1-': { rating: 'fail', reason: 'GSS-API key exchange with SHA-1', source: RFC9142 },
  'gss-group1-sha1-': { rating: 'fail', reason: 'GSS-API key exchange over 1024-bit group with SHA-1', source: RFC9142 },
  'gss-group14-sha1-': { rating: 'weak', reason: 'GSS-API key exchange with SHA-1', source: RFC9142 },
  'gss-group14-sha256-': { rating: 'acceptable', reason: 'GSS-API key exchange, 2048-bit group', source: RFC9142 },
  'gss-group16-sha512-': { rating: 'acceptable', reason: 'GSS-API key exchange, 4096-bit group', source: RFC9142 },
  'gss-curve25519-sha256-': { rating: 'good', reason: 'GSS-API key exchange over X25519', source: RFC9142 },
  'gss-nistp256-sha256-': { rating: 'acceptable', reason: 'GSS-API key exchange over P-256', source: RFC9142 },
  'ecmqv-sha2': { rating: 'fail', reason: 'ECMQV: patent-encumbered, no modern implementation', source: 'RFC 5656; RFC 9142 MUST NOT' },
};

/** Markers in the kex list are not algorithms; they carry protocol facts. */
export const KEX_MARKERS: Table = {
  'kex-strict-s-v00@openssh.com': {
    rating: 'good',
    reason: 'strict key exchange (Terrapin CVE-2023-48795 mitigation), server side',
    source: 'OpenSSH PROTOCOL; OpenSSH 9.6',
  },
  'kex-strict-c-v00@openssh.com': { rating: 'good', reason: 'strict key exchange, client side marker', source: 'OpenSSH PROTOCOL' },
  'ext-info-s': { rating: 'good', reason: 'server supports SSH_MSG_EXT_INFO', source: 'RFC 8308' },
  'ext-info-c': { rating: 'good', reason: 'client supports SSH_MSG_EXT_INFO', source: 'RFC 8308' },
};

const HOSTKEY: Table = {
  'ssh-ed25519': { rating: 'good', reason: 'Ed25519 signatures', source: 'RFC 8709' },
  'ssh-ed448': { rating: 'good', reason: 'Ed448 signatures', source: 'RFC 8709' },
  'rsa-sha2-512': {
    rating: 'good',
    reason: 'RSA with SHA-512 signatures (key size judged separately: ≥ 2048, better ≥ 3072)',
    source: 'RFC 8332',
  },
  'rsa-sha2-256': {
    rating: 'good',
    reason: 'RSA with SHA-256 signatures (key size judged separately: ≥ 2048, better ≥ 3072)',
    source: 'RFC 8332',
  },
  'ssh-rsa': { rating: 'fail', reason: 'RSA with SHA-1 signatures', source: 'RFC 8332; OpenSSH 8.8 disabled by default' },
  'ssh-dss': {
    rating: 'fail',
    reason: 'DSA: 1024-bit keys with SHA-1 signatures',
    source: 'RFC 9142 / FIPS 186-5; OpenSSH 7.0 disabled, 9.8 removed',
  },
  'ecdsa-sha2-nistp256': {
    rating: 'acceptable',
    reason: 'ECDSA over NIST P-256 (curve provenance concerns, nonce-sensitive)',
    source: 'RFC 5656',
  },
  'ecdsa-sha2-nistp384': { rating: 'acceptable', reason: 'ECDSA over NIST P-384', source: 'RFC 5656' },
  'ecdsa-sha2-nistp521': { rating: 'acceptable', reason: 'ECDSA over NIST P-521', source: 'RFC 5656' },
  'sk-ssh-ed25519@openssh.com': { rating: 'good', reason: 'FIDO security-key Ed25519', source: 'OpenSSH PROTOCOL.u2f' },
  'sk-ecdsa-sha2-nistp256@openssh.com': { rating: 'acceptable', reason: 'FIDO security-key ECDSA P-256', source: 'OpenSSH PROTOCOL.u2f' },
  'x509v3-sign-rsa': { rating: 'fail', reason: 'X.509 RSA with SHA-1 signatures', source: 'RFC 6187' },
  'x509v3-sign-dss': { rating: 'fail', reason: 'X.509 DSA', source: 'RFC 6187' },
  'x509v3-ssh-rsa': { rating: 'fail', reason: 'X.509 RSA with SHA-1 signatures', source: 'RFC 6187' },
  'x509v3-rsa2048-sha256': { rating: 'good', reason: 'X.509 RSA ≥ 2048 with SHA-256', source: 'RFC 6187' },
  'x509v3-ecdsa-sha2-nistp256': { rating: 'acceptable', reason: 'X.509 ECDSA P-256', source: 'RFC 6187' },
};

const CIPHER: Table = {
  'chacha20-poly1305@openssh.com': {
    rating: 'good',
    reason: 'AEAD (Terrapin-affected without strict kex)',
    source: 'OpenSSH PROTOCOL.chacha20poly1305',
  },
  'aes128-gcm@openssh.com': { rating: 'good', reason: 'AES-GCM AEAD', source: 'RFC 5647' },
  'aes256-gcm@openssh.com': { rating: 'good', reason: 'AES-GCM AEAD', source: 'RFC 5647' },
  'aes128-gcm': { rating: 'good', reason: 'AES-GCM AEAD', source: 'RFC 5647' },
  'aes256-gcm': { rating: 'good', reason: 'AES-GCM AEAD', source: 'RFC 5647' },
  'aes128-ctr': { rating: 'good', reason: 'AES counter mode', source: 'RFC 4344' },
  'aes192-ctr': { rating: 'good', reason: 'AES counter mode', source: 'RFC 4344' },
  'aes256-ctr': { rating: 'good', reason: 'AES counter mode', source: 'RFC 4344' },
  '3des-cbc': { rating: 'fail', reason: '3DES: 64-bit block (SWEET32), CBC mode', source: 'RFC 4253; NIST SP 800-131A' },
  '3des-ctr': { rating: 'fail', reason: '3DES: 64-bit block (SWEET32)', source: 'RFC 4344; NIST SP 800-131A' },
  'blowfish-cbc': { rating: 'fail', reason: 'Blowfish: 64-bit block, CBC mode', source: 'RFC 4253' },
  'blowfish-ctr': { rating: 'fail', reason: 'Blowfish: 64-bit block', source: 'RFC 4344' },
  'cast128-cbc': { rating: 'fail', reason: 'CAST-128: 64-bit block, CBC mode', source: 'RFC 4253' },
  'cast128-ctr': { rating: 'fail', reason: 'CAST-128: 64-bit block', source: 'RFC 4344' },
  'idea-cbc': { rating: 'fail', reason: 'IDEA: 64-bit block, CBC mode', source: 'RFC 4253' },
  'des-cbc': { rating: 'fail', reason: 'single DES: 56-bit key', source: 'RFC 4253 (not recommended)' },
  'des-cbc@ssh.com': { rating: 'fail', reason: 'single DES: 56-bit key', source: 'RFC 4253' },
  arcfour: { rating: 'fail', reason: 'RC4 stream cipher', source: 'RFC 8758 MUST NOT' },
  arcfour128: { rating: 'fail', reason: 'RC4 stream cipher', source: 'RFC 8758 MUST NOT' },
  arcfour256: { rating: 'fail', reason: 'RC4 stream cipher', source: 'RFC 8758 MUST NOT' },
  none: { rating: 'fail', reason: 'no encryption', source: 'RFC 4253 NOT RECOMMENDED' },
  'rijndael-cbc@lysator.liu.se': { rating: 'weak', reason: 'AES-256-CBC under an old name: CBC mode', source: 'RFC 4253' },
};

const MAC: Table = {
  'hmac-sha2-256-etm@openssh.com': { rating: 'good', reason: 'encrypt-then-MAC with SHA-256', source: 'OpenSSH PROTOCOL' },
  'hmac-sha2-512-etm@openssh.com': { rating: 'good', reason: 'encrypt-then-MAC with SHA-512', source: 'OpenSSH PROTOCOL' },
  'umac-128-etm@openssh.com': { rating: 'good', reason: 'encrypt-then-MAC, 128-bit UMAC', source: 'OpenSSH PROTOCOL; RFC 4418' },
  'hmac-sha2-256': { rating: 'acceptable', reason: 'encrypt-and-MAC with SHA-256 (EtM variant preferred)', source: 'RFC 6668' },
  'hmac-sha2-512': { rating: 'acceptable', reason: 'encrypt-and-MAC with SHA-512 (EtM variant preferred)', source: 'RFC 6668' },
  'umac-128@openssh.com': { rating: 'acceptable', reason: 'encrypt-and-MAC, 128-bit UMAC (EtM variant preferred)', source: 'RFC 4418' },
  'hmac-sha1': {
    rating: 'weak',
    reason: 'SHA-1 MAC: not broken (NIST SP 800-131A allows HMAC-SHA-1 until 2030), being phased out',
    source: 'NIST SP 800-131A Rev. 2; ssh-audit (warn)',
  },
  'hmac-sha1-etm@openssh.com': {
    rating: 'weak',
    reason: 'SHA-1 MAC (encrypt-then-MAC): not broken, being phased out',
    source: 'NIST SP 800-131A Rev. 2; ssh-audit (warn)',
  },
  'umac-64@openssh.com': { rating: 'weak', reason: '64-bit tag', source: 'RFC 4418; BSI TR-02102-4' },
  'umac-64-etm@openssh.com': { rating: 'weak', reason: '64-bit tag', source: 'RFC 4418; BSI TR-02102-4' },
  'hmac-md5': { rating: 'fail', reason: 'MD5 MAC', source: 'RFC 6151' },
  'hmac-md5-etm@openssh.com': { rating: 'fail', reason: 'MD5 MAC', source: 'RFC 6151' },
  'hmac-md5-96': { rating: 'fail', reason: 'MD5 MAC truncated to 96 bits', source: 'RFC 6151' },
  'hmac-md5-96-etm@openssh.com': { rating: 'fail', reason: 'MD5 MAC truncated to 96 bits', source: 'RFC 6151' },
  'hmac-ripemd160': { rating: 'weak', reason: 'RIPEMD-160 MAC: legacy, removed from OpenSSH 7.6', source: 'OpenSSH release notes 7.6' },
  'hmac-ripemd160@openssh.com': { rating: 'weak', reason: 'RIPEMD-160 MAC: legacy', source: 'OpenSSH release notes 7.6' },
  'hmac-ripemd160-etm@openssh.com': { rating: 'weak', reason: 'RIPEMD-160 MAC: legacy', source: 'OpenSSH release notes 7.6' },
  'hmac-sha1-96': { rating: 'fail', reason: 'SHA-1 MAC truncated to 96 bits', source: 'RFC 4253; BSI TR-02102-4' },
  'hmac-sha1-96-etm@openssh.com': { rating: 'fail', reason: 'SHA-1 MAC truncated to 96 bits', source: 'BSI TR-02102-4' },
  'hmac-sha2-256-96': { rating: 'weak', reason: 'truncated to 96 bits', source: 'BSI TR-02102-4' },
  'hmac-sha2-512-96': { rating: 'weak', reason: 'truncated to 96 bits', source: 'BSI TR-02102-4' },
  none: { rating: 'fail', reason: 'no integrity protection', source: 'RFC 4253 NOT RECOMMENDED' },
};

const COMPRESSION: Table = {
  none: { rating: 'good', reason: 'no compression', source: 'RFC 4253' },
  'zlib@openssh.com': { rating: 'good', reason: 'compression delayed until after authentication', source: 'OpenSSH PROTOCOL' },
  zlib: {
    rating: 'weak',
    reason: 'compression before authentication (pre-auth attack surface)',
    source: 'RFC 4253; OpenSSH 7.4 removed pre-auth compression',
  },
};

const TABLES: Record<AlgCategory, Table> = { kex: KEX, hostkey: HOSTKEY, cipher: CIPHER, mac: MAC, compression: COMPRESSION };

/** Family rules for names the tables do not list exactly. First match wins. */
const RULES: { category: AlgCategory; test: (n: string) => boolean; rule: string; info: Omit<AlgInfo, 'matched'> }[] = [
  {
    category: 'kex',
    test: (n) => n.startsWith('gss-') && n.includes('sha1'),
    rule: 'gss-*sha1*',
    info: { rating: 'fail', reason: 'GSS-API key exchange with SHA-1', source: RFC9142 },
  },
  {
    category: 'kex',
    test: (n) => /^diffie-hellman-group\d+-sha1$/.test(n),
    rule: 'diffie-hellman-group*-sha1',
    info: { rating: 'weak', reason: 'SHA-1 exchange hash', source: RFC9142 },
  },
  {
    category: 'kex',
    test: (n) => n.startsWith('mlkem') || n.includes('sntrup') || n.includes('kyber'),
    rule: 'post-quantum hybrid',
    info: { rating: 'good', reason: 'post-quantum hybrid key exchange', source: REF },
  },
  {
    category: 'kex',
    test: (n) => n.startsWith('ecdh-sha2-'),
    rule: 'ecdh-sha2-*',
    info: { rating: 'acceptable', reason: 'ECDH over a named (often NIST/SEC) curve', source: 'RFC 5656' },
  },
  {
    category: 'kex',
    test: (n) => /sha1/.test(n),
    rule: '*sha1*',
    info: { rating: 'weak', reason: 'SHA-1 in the key exchange', source: RFC9142 },
  },
  {
    category: 'hostkey',
    test: (n) => n.endsWith('-cert-v01@openssh.com'),
    rule: '*-cert-v01@openssh.com',
    info: { rating: 'acceptable', reason: 'OpenSSH host certificate (rated as its key type)', source: 'OpenSSH PROTOCOL.certkeys' },
  },
  {
    category: 'hostkey',
    test: (n) => n.startsWith('sk-'),
    rule: 'sk-*',
    info: { rating: 'acceptable', reason: 'FIDO security-key type', source: 'OpenSSH PROTOCOL.u2f' },
  },
  { category: 'hostkey', test: (n) => n.includes('dss'), rule: '*dss*', info: { rating: 'fail', reason: 'DSA', source: 'FIPS 186-5' } },
  {
    category: 'cipher',
    test: (n) => n.includes('arcfour') || n.includes('rc4'),
    rule: 'arcfour*',
    info: { rating: 'fail', reason: 'RC4 stream cipher', source: 'RFC 8758 MUST NOT' },
  },
  {
    category: 'cipher',
    test: (n) => /3des|blowfish|cast128|idea|^des-/.test(n),
    rule: '64-bit block ciphers',
    info: { rating: 'fail', reason: '64-bit block cipher (SWEET32)', source: 'NIST SP 800-131A' },
  },
  {
    category: 'cipher',
    test: (n) => /-cbc(@|$)/.test(n),
    rule: '*-cbc',
    info: {
      rating: 'weak',
      reason: 'CBC mode (plaintext-recovery attacks on SSH CBC, RFC 4344)',
      source: 'RFC 4344; Mozilla OpenSSH guidelines',
    },
  },
  { category: 'cipher', test: (n) => /-gcm(@|$)/.test(n), rule: '*-gcm', info: { rating: 'good', reason: 'GCM AEAD', source: 'RFC 5647' } },
  {
    category: 'cipher',
    test: (n) => /-ctr(@|$)/.test(n),
    rule: '*-ctr',
    info: { rating: 'acceptable', reason: 'counter mode with a less common block cipher', source: 'RFC 4344' },
  },
  { category: 'mac', test: (n) => n.includes('md5'), rule: '*md5*', info: { rating: 'fail', reason: 'MD5 MAC', source: 'RFC 6151' } },
  {
    category: 'mac',
    test: (n) => /-96(-etm@openssh\.com)?$/.test(n),
    rule: 'hmac-*-96',
    info: { rating: 'weak', reason: 'MAC truncated to 96 bits', source: 'BSI TR-02102-4' },
  },
  {
    category: 'mac',
    test: (n) => n.startsWith('umac-64'),
    rule: 'umac-64*',
    info: { rating: 'weak', reason: '64-bit tag', source: 'RFC 4418' },
  },
  {
    category: 'mac',
    test: (n) => n.includes('sha1'),
    rule: '*sha1*',
    info: { rating: 'weak', reason: 'SHA-1 MAC', source: 'Mozilla OpenSSH guidelines' },
  },
  {
    category: 'mac',
    test: (n) => n.includes('-etm@'),
    rule: '*-etm@*',
    info: { rating: 'acceptable', reason: 'encrypt-then-MAC with an unlisted hash', source: REF },
  },
];

/** Rates one algorithm name. Unknown names are rated 'unknown' (never guessed as good). */
export function classify(category: AlgCategory, name: string): AlgInfo {
  const table = TABLES[category];
  const exact = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  if (exact) return { ...exact, matched: name };
  if (category === 'kex') {
    const marker = Object.prototype.hasOwnProperty.call(KEX_MARKERS, name) ? KEX_MARKERS[name] : undefined;
    if (marker) return { ...marker, matched: name };
    // GSS names carry a mechanism suffix: match the table prefix.
    for (const [k, v] of Object.entries(KEX)) if (k.endsWith('-') && name.startsWith(k)) return { ...v, matched: `${k}*` };
  }
  if (category === 'hostkey' && name.endsWith('-cert-v01@openssh.com')) {
    // A certificate is as strong as the key type and signature it wraps.
    let base = name.replace('-cert-v01@openssh.com', '');
    if (base.startsWith('sk-')) base = `${base}@openssh.com`;
    const inner = Object.prototype.hasOwnProperty.call(HOSTKEY, base) ? HOSTKEY[base] : undefined;
    if (inner)
      return {
        rating: inner.rating,
        reason: `certificate: ${inner.reason}`,
        source: `OpenSSH PROTOCOL.certkeys; ${inner.source}`,
        matched: '*-cert-v01@openssh.com',
      };
  }
  for (const r of RULES) if (r.category === category && r.test(name)) return { ...r.info, matched: r.rule };
  return { rating: 'unknown', reason: 'not in xferscan’s algorithm table', source: '' };
}

const ORDER: AlgRating[] = ['good', 'acceptable', 'unknown', 'weak', 'fail'];

/** Names at or below a rating, e.g. worse(…, 'weak') → weak + fail. */
export function atOrBelow(category: AlgCategory, names: readonly string[], rating: 'weak' | 'fail'): { name: string; info: AlgInfo }[] {
  const min = ORDER.indexOf(rating);
  return names
    .map((name) => ({ name, info: classify(category, name) }))
    .filter((x) => ORDER.indexOf(x.info.rating) >= min && x.info.rating !== 'unknown');
}

/** True for the CBC cipher family (Terrapin precondition together with EtM MACs). */
export function isCbcCipher(name: string): boolean {
  return /-cbc(@|$)/.test(name);
}

export function isEtmMac(name: string): boolean {
  return name.includes('-etm@');
}

export function isPostQuantumKex(name: string): boolean {
  return name.startsWith('mlkem') || name.startsWith('sntrup') || name.includes('kyber');
}

export function isSha1Kex(name: string): boolean {
  return classify('kex', name).rating !== 'good' && /sha1/.test(name);
}
