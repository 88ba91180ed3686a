// The whole-scan pace: the least time an endpoint's connections could take at the measured round
// trip and the connection cap. Figures from a real scan of the lab's Pure-FTPd through a 50 ms
// round-trip relay (33 inventory handshakes of 3 round trips each, a chain of 27, 14 battery
// connections, 58 connections after detection at cap 4).
import type { GreetingDelays, ScanPace } from '../../../src/model.js';
import { ftpGreetingDelays, longestFtpSessionRtts, scanPace, type PaceInput } from '../../../src/derive/pace.js';
import type { TranscriptLine } from '../../../src/model.js';
import { table } from './table.js';

const tlsPlan = { rttMs: 51.1, handshakes: 33, rttsPerHandshake: 3, lowerBoundRtts: 27 };

table<PaceInput, ScanPace>('scanPace', scanPace, [
  {
    name: 'explicit FTPS at cap 4: the connections, not the inventory chain, bound the scan',
    input: { elapsedMs: 3640.4, connectionCap: 4, connections: 58, tlsPlan, tlsTestConnections: 14 },
    // 58 × 2 + (33 + 14) × (3 − 2) = 163 round trips; ⌈163 ÷ 4⌉ = 41 > 27; + 2 for detection
    want: {
      elapsedMs: 3640,
      rttMs: 51.1,
      connectionCap: 4,
      connections: 58,
      roundTrips: 163,
      chainRtts: 27,
      lowerBoundRtts: 43,
      lowerBoundMs: 2197,
    },
  },
  {
    name: 'a server that allowed 2 at once (learned from its refusals): the bound divides by 2, not by the cap',
    input: { elapsedMs: 6143, connectionCap: 4, serverLimit: 2, connections: 58, tlsPlan, tlsTestConnections: 14 },
    // ⌈163 ÷ 2⌉ = 82 > 27; + 2
    want: {
      elapsedMs: 6143,
      rttMs: 51.1,
      connectionCap: 4,
      serverLimit: 2,
      connections: 58,
      roundTrips: 163,
      chainRtts: 27,
      lowerBoundRtts: 84,
      lowerBoundMs: 4292,
    },
  },
  {
    name: 'at cap 16 the inventory chain bounds it',
    input: { elapsedMs: 3000, connectionCap: 16, connections: 58, tlsPlan },
    want: {
      elapsedMs: 3000,
      rttMs: 51.1,
      connectionCap: 16,
      connections: 58,
      roundTrips: 149,
      chainRtts: 27,
      lowerBoundRtts: 29,
      lowerBoundMs: 1482,
    },
  },
  {
    name: 'SSH: the audit plan gives the round trip and the chain; the smaller round trip of two plans is taken',
    input: {
      elapsedMs: 690,
      connectionCap: 4,
      connections: 3,
      sshPlan: { rttMs: 50.2, lowerBoundRtts: 9 },
      tlsPlan: { rttMs: 60, handshakes: 0, rttsPerHandshake: 2, lowerBoundRtts: 0 },
    },
    want: {
      elapsedMs: 690,
      rttMs: 50.2,
      connectionCap: 4,
      connections: 3,
      roundTrips: 6,
      chainRtts: 9,
      lowerBoundRtts: 11,
      lowerBoundMs: 552,
    },
  },
  {
    name: 'plain FTP: no round trip measured, so no time bound (the round trips are still counted)',
    input: { elapsedMs: 420, connectionCap: 1, connections: 5, tlsPlan: null, sshPlan: null },
    want: {
      elapsedMs: 420,
      rttMs: null,
      connectionCap: 1,
      connections: 5,
      roundTrips: 10,
      chainRtts: 0,
      lowerBoundRtts: 12,
      lowerBoundMs: null,
    },
  },
]);

table<PaceInput, Pick<ScanPace, 'chainRtts' | 'lowerBoundRtts' | 'lowerBoundMs'>>(
  'scanPace with the FTP session chain',
  (i) => {
    const p = scanPace(i);
    return { chainRtts: p.chainRtts, lowerBoundRtts: p.lowerBoundRtts, lowerBoundMs: p.lowerBoundMs };
  },
  [
    {
      name: 'logged in: the main FTP session (38 commands) outlasts the inventory chain (27); the cap still bounds the scan',
      // vsftpd through a 50 ms round-trip relay with credentials: 74 connections after detection
      input: { elapsedMs: 5231, connectionCap: 4, connections: 60, tlsPlan, tlsTestConnections: 14, ftpSessionRtts: 38 },
      // 60 × 2 + 47 = 167 round trips; ⌈167 ÷ 4⌉ = 42 > 38 > 27: the cap still bounds it
      want: { chainRtts: 38, lowerBoundRtts: 44, lowerBoundMs: 2248 },
    },
    {
      name: 'at cap 16 the FTP session bounds it',
      input: { elapsedMs: 5000, connectionCap: 16, connections: 60, tlsPlan, ftpSessionRtts: 38 },
      want: { chainRtts: 38, lowerBoundRtts: 40, lowerBoundMs: 2044 },
    },
  ],
);

const line = (conn: string, dir: TranscriptLine['dir'], text = 'X'): TranscriptLine => ({ t: '2026-12-03T00:00:00.000Z', conn, dir, text });

table<TranscriptLine[], number>('longestFtpSessionRtts', longestFtpSessionRtts, [
  { name: 'no session after detection', input: [line('detect#1', 'client'), line('detect#1', 'client')], want: 0 },
  {
    name: 'the session with the most commands; replies and notes do not count',
    input: [
      line('ftp-main#4', 'client', 'USER u'),
      line('ftp-main#4', 'server', '331'),
      line('ftp-main#4', 'client', 'PASS ***'),
      line('ftp-main#4', 'note', 'data connection received 10 bytes'),
      line('ftp-main#4', 'client', 'QUIT'),
      line('anonymous#5', 'client', 'USER anonymous'),
    ],
    want: 3,
  },
  {
    name: "detection's connections come before the probes: not counted here",
    input: [
      line('auth-ssl#2', 'client'),
      line('auth-ssl#2', 'client'),
      line('hello-pipelining#3', 'client'),
      line('reuse-TLSv1.3-with#9', 'client'),
    ],
    want: 1,
  },
]);

const at = (ms: number, conn: string, dir: TranscriptLine['dir'], step: TranscriptLine['step'], text: string): TranscriptLine => ({
  t: new Date(Date.UTC(2026, 11, 3) + ms).toISOString(),
  conn,
  dir,
  step,
  text,
});

table<TranscriptLine[], GreetingDelays | null>('ftpGreetingDelays', ftpGreetingDelays, [
  {
    name: 'no FTP greeting: nothing measured',
    input: [at(0, 'detect#1', 'note', 'connect', 'TCP 127.0.0.1:22 open after 1 ms')],
    want: null,
  },
  {
    name: 'per connection, from its connect note to its first greeting line',
    input: [
      at(0, 'detect#1', 'note', 'connect', 'TCP 127.0.0.1:21 open after 1 ms'),
      at(30, 'detect#1', 'server', 'greeting', '220 ProFTPD'),
      at(40, 'anonymous#5', 'note', 'connect', 'TCP 127.0.0.1:21 open after 0 ms'),
      at(50, 'ftp-main#7', 'note', 'connect', 'TCP 127.0.0.1:21 open after 0 ms'),
      // a ProFTPD master pausing after a session ended: this one waits
      at(420, 'anonymous#5', 'server', 'greeting', '220 ProFTPD'),
      at(110, 'ftp-main#7', 'server', 'greeting', '220 ProFTPD'),
      // only the first greeting of a connection counts (a 120 then its 220)
      at(900, 'ftp-main#7', 'server', 'greeting', '220 again'),
    ],
    want: { median: 60, max: 380, samples: 3 },
  },
  {
    name: 'a connection that never opened, or never greeted, is not a sample',
    input: [
      at(0, 'detect#1', 'note', 'connect', 'TCP 127.0.0.1:21 closed after 1 ms (ECONNREFUSED)'),
      at(5, 'detect#1', 'server', 'greeting', '220 late'),
      at(10, 'ftp-main#3', 'note', 'connect', 'TCP 127.0.0.1:21 open after 1 ms'),
      at(20, 'ftp-main#3', 'server', 'transfer', '150 not a greeting'),
    ],
    want: null,
  },
]);
