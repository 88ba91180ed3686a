// Watches the TLS records a peer sends (their 5-byte headers only) to tell how a data connection
// ended: with close_notify, or with a bare TCP FIN (a truncation the application cannot see:
// Node reports both as 'end'). TLS 1.2 and earlier: the last record is an alert (type 21). TLS
// 1.3 encrypts alerts: a last record of 19 bytes is the size of an encrypted two-byte alert
// with a 16-byte AEAD tag (AES-GCM, ChaCha20-Poly1305); other sizes are data, never an alert.
import type net from 'node:net';

/** Length of a TLS 1.3 record carrying one alert: 2 bytes + content type + 16-byte tag. */
export const TLS13_ALERT_RECORD = 19;

export class TlsRecordTail {
  private header = Buffer.alloc(0);
  /** body bytes of the current record still to come */
  private pending = 0;
  last: { type: number; length: number } | null = null;
  /** the peer closed its side of the TCP connection */
  ended = false;

  /** Follows the raw socket's incoming bytes without consuming them. */
  watch(sock: net.Socket): this {
    sock.on('data', (d: Buffer) => this.push(d));
    sock.once('end', () => (this.ended = true));
    return this;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.pending > 0) {
        const k = Math.min(this.pending, chunk.length - i);
        this.pending -= k;
        i += k;
        continue;
      }
      const take = Math.min(5 - this.header.length, chunk.length - i);
      this.header = Buffer.concat([this.header, chunk.subarray(i, i + take)]);
      i += take;
      if (this.header.length === 5) {
        this.last = { type: this.header[0]!, length: this.header.readUInt16BE(3) };
        this.pending = this.last.length;
        this.header = Buffer.alloc(0);
      }
    }
  }

  /**
   * Whether the peer ended with close_notify: true when its last record is an alert; false when
   * it closed TCP after something else; null while it has sent neither (undecided).
   */
  closeNotify(protocol: string | null): boolean | null {
    const complete = this.last !== null && this.pending === 0 && this.header.length === 0;
    const alert =
      complete &&
      (this.last!.type === 21 || (protocol === 'TLSv1.3' && this.last!.type === 23 && this.last!.length === TLS13_ALERT_RECORD));
    if (alert) return true;
    return this.ended ? false : null;
  }
}
