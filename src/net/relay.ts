// A Duplex that relays bytes to and from a TCP socket and can be detached from it. TLS runs
// over the relay instead of the socket itself, so that after CCC the TLS layer can be closed
// (close_notify both ways) while the TCP connection carries on in cleartext — Node's TLS would
// otherwise half-close the socket. It also keeps the first bytes received, to tell "not TLS at
// all" (FTPS-DATA-NOT-TLS) from other handshake failures.
import { Duplex } from 'node:stream';
import type net from 'node:net';

const SAMPLE_BYTES = 64;

export class Relay extends Duplex {
  private attached = true;
  /** the first bytes the peer sent through this relay */
  readonly firstBytes: Buffer[] = [];
  private sampled = 0;

  constructor(readonly raw: net.Socket) {
    super();
    raw.on('data', this.onData);
    raw.on('end', this.onEnd);
    raw.on('error', this.onError);
    raw.on('close', this.onEnd);
  }

  private readonly onData = (chunk: Buffer) => {
    if (this.sampled < SAMPLE_BYTES) {
      const piece = chunk.subarray(0, SAMPLE_BYTES - this.sampled);
      this.firstBytes.push(Buffer.from(piece));
      this.sampled += piece.length;
    }
    if (!this.push(chunk)) this.raw.pause();
  };

  private readonly onEnd = () => {
    if (this.attached) this.push(null);
  };

  private readonly onError = (err: Error) => {
    if (this.attached) this.destroy(err);
  };

  override _read(): void {
    if (this.attached) this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.attached || this.raw.destroyed) return cb();
    this.raw.write(chunk, (err) => cb(err ?? null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Never half-close the TCP connection on behalf of TLS: after CCC it carries on.
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.detach();
    cb(err);
  }

  /** Stops relaying; the raw socket is left open and paused for its next owner. */
  detach(): net.Socket {
    if (this.attached) {
      this.attached = false;
      this.raw.off('data', this.onData);
      this.raw.off('end', this.onEnd);
      this.raw.off('error', this.onError);
      this.raw.off('close', this.onEnd);
      this.raw.on('error', () => {});
    }
    return this.raw;
  }

  sample(): Buffer {
    return Buffer.concat(this.firstBytes);
  }
}

/** True when bytes look like the start of a TLS record (handshake/alert/ccs/app data, version 3.x). */
export function looksLikeTls(sample: Buffer): boolean {
  if (sample.length === 0) return true; // nothing seen: cannot say it is not TLS
  return sample[0] >= 0x14 && sample[0] <= 0x18 && (sample.length < 2 || sample[1] === 0x03);
}
