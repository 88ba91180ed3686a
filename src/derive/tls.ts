// Derived TLS facts.
import type { FtpDataChannel, Service, TlsFacts } from '../model.js';

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
