// Derived TLS facts.
import type { FtpDataChannel, TlsFacts } from '../model.js';

/** What the FTP data channel negotiated: the first protected data connection that worked. */
export function dataChannelTls(dataChannels: FtpDataChannel[] | undefined): NonNullable<TlsFacts['dataChannel']> | null {
  const dc = (dataChannels ?? []).find((d) => d.ok && d.tls);
  return dc?.tls ? { protocol: dc.tls.protocol, cipher: dc.tls.cipher, fingerprintSha256: dc.tls.fingerprintSha256 } : null;
}
