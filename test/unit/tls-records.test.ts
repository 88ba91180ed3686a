// How a TLS data connection ended, from the record headers the server sent: an alert record last
// (close_notify) or a TCP FIN after data (a truncation a client cannot see).
import { describe, expect, it } from 'vitest';
import { TLS13_ALERT_RECORD, TlsRecordTail } from '../../src/net/tls-records.js';

const record = (type: number, length: number) =>
  Buffer.concat([Buffer.from([type, 3, 3, length >> 8, length & 255]), Buffer.alloc(length)]);

function tail(chunks: Buffer[], ended: boolean): TlsRecordTail {
  const t = new TlsRecordTail();
  for (const c of chunks) t.push(c);
  t.ended = ended;
  return t;
}

describe('TlsRecordTail', () => {
  it('TLS 1.3: data, then a 19-byte record (an encrypted alert) is close_notify, even before the FIN', () => {
    const bytes = [record(23, 300), record(23, TLS13_ALERT_RECORD)];
    expect(tail(bytes, true).closeNotify('TLSv1.3')).toBe(true);
    expect(tail(bytes, false).closeNotify('TLSv1.3')).toBe(true);
  });
  it('TLS 1.3: a FIN right after data is no close_notify; no FIN yet is undecided', () => {
    expect(tail([record(23, 300)], true).closeNotify('TLSv1.3')).toBe(false);
    expect(tail([record(23, 300)], false).closeNotify('TLSv1.3')).toBeNull();
  });
  it('TLS 1.2: the alert content type decides; a 19-byte data record does not', () => {
    expect(tail([record(23, 100), record(21, 26)], true).closeNotify('TLSv1.2')).toBe(true);
    expect(tail([record(23, TLS13_ALERT_RECORD)], true).closeNotify('TLSv1.2')).toBe(false);
  });
  it('headers split across chunks are followed; a record cut off by the FIN is no close_notify', () => {
    const all = Buffer.concat([record(23, 50), record(23, TLS13_ALERT_RECORD)]);
    const pieces = [all.subarray(0, 3), all.subarray(3, 57), all.subarray(57)];
    expect(tail(pieces, true).closeNotify('TLSv1.3')).toBe(true);
    expect(tail([all.subarray(0, all.length - 4)], true).closeNotify('TLSv1.3')).toBe(false);
  });
});
