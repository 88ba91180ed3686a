import { describe, expect, it } from 'vitest';
import { slowGreetings } from '../../../probes/tls.js';

describe('slow connection set-up is reported, not hidden in the scan time', () => {
  it('says nothing for quick servers or too few connections', () => {
    expect(slowGreetings([3, 5, 4, 6, 2], 'vsFTPd')).toBeNull();
    expect(slowGreetings([400, 400, 400], 'ProFTPD')).toBeNull();
  });
  it('names the median and the longest wait, and explains ProFTPD', () => {
    const s = slowGreetings([30, 210, 250, 400, 620], '220 ProFTPD Server (lab)');
    expect(s).toMatch(/median 250 ms \(longest 620 ms\) to greet each of 5 new connections/);
    expect(s).toMatch(/ProFTPD pauses/);
    expect(slowGreetings([300, 300, 300, 300], '220 FTP')).not.toMatch(/ProFTPD/);
  });
});
