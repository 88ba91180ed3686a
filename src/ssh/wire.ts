// SSH wire encoding (RFC 4251 §5) and the unencrypted binary packet (RFC 4253 §6), written for
// hostile input: every read is bounds-checked and reports failure as a value, never a throw.
import { randomBytes } from 'node:crypto';

/** Hard upper limit for one packet_length. RFC 4253 §6.1 asks for 35000; we allow a little more. */
export const MAX_PACKET_LENGTH = 256 * 1024;
/** Hard upper limit for one name-list or string inside a payload (a payload is already bounded). */
export const MAX_FIELD_LENGTH = MAX_PACKET_LENGTH;

export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  KEXDH_INIT: 30,
  KEXDH_REPLY: 31,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
} as const;

/** A bounds-checked cursor over a buffer. Methods return null past the end instead of throwing. */
export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number | null {
    if (this.remaining < 1) return null;
    return this.buf[this.pos++]!;
  }

  bool(): boolean | null {
    const b = this.byte();
    return b === null ? null : b !== 0;
  }

  uint32(): number | null {
    if (this.remaining < 4) return null;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Buffer | null {
    if (n < 0 || this.remaining < n) return null;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** An SSH `string`: uint32 length + bytes, the length checked against what is left. */
  string(max = MAX_FIELD_LENGTH): Buffer | null {
    const save = this.pos;
    const len = this.uint32();
    if (len === null || len > max || len > this.remaining) {
      this.pos = save;
      return null;
    }
    return this.bytes(len);
  }

  /** An `mpint` as a non-negative bigint (negative values are not expected in key material). */
  mpint(): Buffer | null {
    return this.string();
  }
}

export function mpintBits(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  const first = b[i]!;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(first));
}

export function mpintToBigInt(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  return BigInt(`0x${b.toString('hex')}`);
}

export function bigIntToMpint(v: bigint): Buffer {
  if (v === 0n) return Buffer.alloc(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return b;
}

/** Raw unsigned big-endian bytes → mpint encoding (leading zero when the top bit is set). */
export function bytesToMpint(raw: Buffer): Buffer {
  let i = 0;
  while (i < raw.length && raw[i] === 0) i++;
  let b = raw.subarray(i);
  if (b.length > 0 && b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return b;
}

export function encUint32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

export function encString(s: Buffer | string): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([encUint32(b.length), b]);
}

export function encNameList(names: readonly string[]): Buffer {
  return encString(names.join(','));
}

/**
 * Frames a payload as an unencrypted binary packet: uint32 packet_length, byte padding_length,
 * payload, random padding (≥ 4 bytes, total a multiple of 8).
 */
export function framePacket(payload: Buffer): Buffer {
  let pad = 8 - ((5 + payload.length) % 8);
  if (pad < 4) pad += 8;
  const len = 1 + payload.length + pad;
  return Buffer.concat([encUint32(len), Buffer.from([pad]), payload, randomBytes(pad)]);
}

export type PacketParse = { ok: true; payload: Buffer; consumed: number } | { ok: false; need: number } | { ok: false; error: string };

/**
 * Tries to take one unencrypted packet from the front of `buf`. Returns `need` when more bytes
 * are required, `error` when the framing is impossible (hostile or not SSH).
 */
export function takePacket(buf: Buffer, maxLength = MAX_PACKET_LENGTH): PacketParse {
  if (buf.length < 5) return { ok: false, need: 5 - buf.length };
  const len = buf.readUInt32BE(0);
  if (len > maxLength) return { ok: false, error: `packet_length ${len} exceeds limit ${maxLength}` };
  if (len < 5) return { ok: false, error: `packet_length ${len} too small` };
  const pad = buf[4]!;
  if (pad + 1 > len) return { ok: false, error: `padding_length ${pad} overruns packet_length ${len}` };
  if (pad < 4) {
    // RFC says at least 4; tolerate but note via a lenient parse (some old servers pad less).
  }
  if (buf.length < 4 + len) return { ok: false, need: 4 + len - buf.length };
  const payload = buf.subarray(5, 4 + len - pad);
  if (payload.length === 0) return { ok: false, error: 'empty payload' };
  return { ok: true, payload: Buffer.from(payload), consumed: 4 + len };
}
