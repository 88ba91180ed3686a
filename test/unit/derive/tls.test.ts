// The TLS derive layer: what the FTP data channel negotiated, to compare with the control channel.
import { dataChannelTls } from '../../../src/derive/tls.js';
import type { FtpDataChannel, TlsFacts } from '../../../src/model.js';
import { table } from './table.js';
import { channel, failedChannel } from '../checks/facts.js';

const FP = '04:C8:F2:32:91:59:57:0E:AD:91:CC:1F:53:05:3F:B5:82:33:54:7A:37:84:DB:00:3D:2B:2C:7B:7E:33:50:58';

table<FtpDataChannel[] | undefined, TlsFacts['dataChannel'] | null>('dataChannelTls', dataChannelTls, [
  { name: 'no data channels', input: undefined, want: null },
  { name: 'cleartext channels only (plain FTP)', input: [channel('EPSV', 'C'), channel('PASV', 'C')], want: null },
  {
    name: 'protected ones that failed before a handshake do not count',
    input: [failedChannel('EPSV', 'P', 'connect'), failedChannel('PASV', 'P', 'reply', { tls: null })],
    want: null,
  },
  {
    name: 'a refused one that did complete a handshake does not count either: the first that worked does',
    input: [
      failedChannel('EPSV', 'P', 'reply', {
        tls: { protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', resumed: false, fingerprintSha256: FP },
      }),
      channel('EPSV', 'C'),
      channel('PASV', 'P'),
    ],
    want: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', fingerprintSha256: null },
  },
  {
    name: 'a full handshake carries the certificate fingerprint',
    input: [
      channel('EPSV', 'P', {
        tls: { protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', resumed: false, fingerprintSha256: FP },
      }),
    ],
    want: { protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', fingerprintSha256: FP },
  },
]);
