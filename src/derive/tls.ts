// Derived TLS facts.
import type { FtpDataChannel, Service, TlsFacts } from '../model.js';
import { suiteByName } from '../knowledge/tls-registry.js';

/** What the FTP data channel negotiated: the first protected data connection that worked. */
export function dataChannelTls(dataChannels: FtpDataChannel[] | undefined): NonNullable<TlsFacts['dataChannel']> | null {
  const dc = (dataChannels ?? []).find((d) => d.ok && d.tls);
  return dc?.tls ? { protocol: dc.tls.protocol, cipher: dc.tls.cipher, fingerprintSha256: dc.tls.fingerprintSha256 } : null;
}

/**
 * What an explicit-FTPS candidate really is. AUTH TLS answered 234 makes it one, but when no
 * handshake completed — neither ours at detection nor any version or suite of the full inventory,
 * which finished without an error — no client can protect anything: the service is cleartext FTP.
 */
export function effectiveService(service: Service | null, handshakeCompleted: boolean, tls: TlsFacts | null): Service | null {
  if (service !== 'ftps-explicit' || handshakeCompleted || !tls?.probe) return service;
  const anyVersion = Object.values(tls.protocols).some(Boolean);
  const undisturbed = tls.probe.errors.length === 0 && !tls.probe.limited && !(tls.gaps?.length ?? 0);
  return !anyVersion && undisturbed ? 'ftp' : service;
}

/**
 * How a data-channel suite is weaker than the control channel's: forward secrecy lost, AEAD
 * given up, fewer key bits, or a cipher the control channel avoids. An equally strong suite
 * (ChaCha20 for AES-256-GCM) is no weakness. Unknown names decide nothing.
 */
export function suiteWeaknesses(control: string, data: string): string[] | null {
  const c = suiteByName(control);
  const d = suiteByName(data);
  if (!c || !d) return null;
  const out: string[] = [];
  if (c.pfs && !d.pfs) out.push('no forward secrecy');
  if (c.aead && !d.aead) out.push(d.cbc ? 'CBC instead of AEAD' : 'not AEAD');
  if (d.bits < c.bits && d.bits < 256) out.push(`${d.bits}-bit key instead of ${c.bits}`);
  for (const [flag, what] of [
    ['anon', 'anonymous'],
    ['export', 'export-grade'],
  ] as const)
    if (d[flag] && !c[flag]) out.push(what);
  const risky = ['NULL', 'RC4', 'RC2', 'DES', '3DES', 'IDEA'];
  if (risky.includes(d.cipher) && !risky.includes(c.cipher)) out.push(`${d.cipher} cipher`);
  return out;
}
