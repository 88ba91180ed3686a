// The firewall derive layer: what the TCP states of the passive ports we dialled and the data
// channels' steps and replies say about the network path. Silence is a firewall dropping, a
// reset is nothing listening (or a firewall rejecting), a refusal by reply is the server's.
import {
  blockageOf,
  blockedRanges,
  isRefusalCode,
  passiveObservations,
  passivePortStates,
  portsIn,
  rangeText,
  refusedByServer,
  activeSource,
  type ActiveSource,
  type PassiveObservation,
} from '../../../src/derive/firewall.js';
import type { Blockage, FtpDataChannel, FtpFacts, PortState } from '../../../src/model.js';
import { table } from './table.js';
import { channel, failedChannel, sample } from '../checks/facts.js';

type Obs = Pick<FtpFacts, 'passiveSamples' | 'dataChannels'> | null;

table<Obs, PassiveObservation[]>('passiveObservations', passiveObservations, [
  { name: 'no FTP facts', input: null, want: [] },
  {
    name: 'samples with a port and a dial result; a 530 sample has neither',
    input: { dataChannels: [], passiveSamples: [sample('PASV', 41003), sample('EPSV', 41012, 'filtered'), sample('PASV', null)] },
    want: [
      { port: 41003, state: 'open', source: 'sample' },
      { port: 41012, state: 'filtered', source: 'sample' },
    ],
  },
  {
    name: 'a transfer that got past TCP connect reached its port, whatever failed later',
    input: { dataChannels: [channel('EPSV', 'P', { port: 41001 }), failedChannel('PASV', 'C', 'transfer', { port: 41002 })] },
    want: [
      { port: 41001, state: 'open', source: 'transfer' },
      { port: 41002, state: 'open', source: 'transfer' },
    ],
  },
  {
    name: 'a transfer that failed at connect gives the state it met',
    input: { dataChannels: [failedChannel('EPSV', 'P', 'connect', { port: 41017, connectState: 'closed' })] },
    want: [{ port: 41017, state: 'closed', source: 'transfer' }],
  },
  {
    name: 'a connect failure without a recorded state says nothing',
    input: { dataChannels: [failedChannel('EPSV', 'P', 'connect', { port: 41017, connectState: null })] },
    want: [],
  },
  {
    name: 'PASV refused by reply (no port), and active modes (our own listener), are no passive observation',
    input: { dataChannels: [failedChannel('PASV', 'P', 'setup'), channel('PORT', 'P'), failedChannel('EPRT', 'C', 'connect')] },
    want: [],
  },
]);

const obs = (...list: [number, PortState][]): PassiveObservation[] => list.map(([port, state]) => ({ port, state, source: 'sample' }));

table<PassiveObservation[], [number, PortState][]>('passivePortStates', (o) => [...passivePortStates(o).entries()], [
  { name: 'nothing dialled', input: [], want: [] },
  {
    name: 'reached once, silent later: open (the firewall let it through)',
    input: obs([40005, 'open'], [40005, 'filtered']),
    want: [[40005, 'open']],
  },
  { name: 'silent first, reached later: open', input: obs([40005, 'filtered'], [40005, 'open']), want: [[40005, 'open']] },
  { name: 'a reset, then silence: filtered', input: obs([40006, 'closed'], [40006, 'filtered']), want: [[40006, 'filtered']] },
  { name: 'silence, then a reset: still filtered', input: obs([40006, 'filtered'], [40006, 'closed']), want: [[40006, 'filtered']] },
  {
    name: 'a reset, then an ICMP error: the first stays',
    input: obs([40007, 'closed'], [40007, 'unreachable']),
    want: [[40007, 'closed']],
  },
  {
    name: 'ports kept apart',
    input: obs([1, 'open'], [2, 'timeout']),
    want: [
      [1, 'open'],
      [2, 'timeout'],
    ],
  },
]);

table<[Map<number, PortState>, PortState[]], number[]>('portsIn', ([m, want]) => portsIn(m, want), [
  {
    name: 'the ports in the wanted states, ascending',
    input: [
      new Map<number, PortState>([
        [41015, 'filtered'],
        [41003, 'open'],
        [41012, 'timeout'],
        [41010, 'closed'],
      ]),
      ['filtered', 'timeout'],
    ],
    want: [41012, 41015],
  },
  { name: 'none', input: [new Map<number, PortState>([[1, 'open']]), ['closed']], want: [] },
]);

table<[number[], number[]], [number, number][]>('blockedRanges', ([blocked, open]) => blockedRanges(blocked, open), [
  { name: 'nothing blocked', input: [[], [41000]], want: [] },
  { name: 'one port', input: [[41012], []], want: [[41012, 41012]] },
  {
    name: 'blocked ports joined into the range they suggest',
    input: [
      [41015, 41012, 41017],
      [41001, 41003],
    ],
    want: [[41012, 41017]],
  },
  {
    name: 'never across a port seen open',
    input: [[41012, 41015], [41013]],
    want: [
      [41012, 41012],
      [41015, 41015],
    ],
  },
  { name: 'duplicates count once', input: [[41012, 41012, 41013], []], want: [[41012, 41013]] },
]);

table<readonly number[], string>('rangeText', rangeText, [
  { name: 'one port', input: [41012, 41012], want: '41012' },
  { name: 'a range', input: [41012, 41017], want: '41012-41017' },
]);

table<PortState, Blockage | null>('blockageOf', blockageOf, [
  { name: 'open: nothing blocks', input: 'open', want: null },
  { name: 'filtered: dropped', input: 'filtered', want: 'dropped' },
  { name: 'connected then silent: dropped', input: 'timeout', want: 'dropped' },
  { name: 'closed: reset', input: 'closed', want: 'reset' },
  { name: 'unreachable', input: 'unreachable', want: 'unreachable' },
]);

table<number | null | undefined, boolean>('isRefusalCode', isRefusalCode, [
  { name: 'no reply', input: null, want: false },
  { name: 'no reply (undefined)', input: undefined, want: false },
  { name: '150 opening', input: 150, want: false },
  { name: '226 done', input: 226, want: false },
  { name: '421 service closing', input: 421, want: true },
  { name: '425 cannot open the data connection', input: 425, want: true },
  { name: '426 connection closed, transfer aborted', input: 426, want: true },
  { name: '450 file unavailable (transient, not about the channel)', input: 450, want: false },
  { name: '500 syntax error', input: 500, want: true },
  { name: '522 data connections must be encrypted', input: 522, want: true },
]);

table<FtpDataChannel, boolean>('refusedByServer', refusedByServer, [
  { name: 'a listing that worked', input: channel('EPSV', 'P'), want: false },
  { name: 'PORT refused by reply (500)', input: failedChannel('PORT', 'C', 'setup'), want: true },
  {
    name: 'PASV never answered (no setup reply): the connection, not the server',
    input: failedChannel('PASV', 'P', 'setup', { replies: { setup: null, start: null, end: null } }),
    want: false,
  },
  { name: 'silence at TCP connect: never the server', input: failedChannel('EPSV', 'P', 'connect'), want: false },
  { name: '522 to LIST after PROT C (vsftpd)', input: failedChannel('EPSV', 'C', 'transfer'), want: true },
  { name: '522 after 150: reuse required (vsftpd)', input: failedChannel('EPSV', 'P', 'reply'), want: true },
  { name: 'the data TLS handshake failed after 150: not a reply', input: failedChannel('EPSV', 'P', 'tls'), want: false },
  {
    name: 'active mode: 425 when the server could not connect back',
    input: failedChannel('PORT', 'C', 'transfer', { replies: { setup: 200, start: 425, end: null } }),
    want: true,
  },
]);

type Src = { ports: (number | null)[]; sequence?: number[]; conventional?: number };
const srcFacts = (i: Src): Pick<FtpFacts, 'dataChannels' | 'transferSequence'> => ({
  dataChannels: i.ports.map((p) => channel('PORT', 'P', { activeSourcePort: p })),
  transferSequence: i.sequence
    ? {
        runs: [
          {
            mode: 'EPRT',
            offer: 'latest',
            controlTlsVersion: 'TLSv1.3',
            controlTicketsAtLogin: 0,
            steps: i.sequence.map((p) => ({
              command: 'LIST' as const,
              ok: true,
              replies: { setup: 200, start: 150, end: 226 },
              failedStep: null,
              error: null,
              bytes: 10,
              tls: null,
              activeSourcePort: p,
              controlTickets: 0,
            })),
            skipped: [],
            stoppedEarly: null,
            conn: 'c',
          },
        ],
        leftBehind: null,
        notRun: null,
      }
    : undefined,
});

table<Src, ActiveSource>('activeSource', (i) => activeSource(srcFacts(i), i.conventional ?? 20), [
  { name: 'no active connection seen (blocked, or not tested)', input: { ports: [null] }, want: { kind: 'unseen', ports: [] } },
  { name: 'Pure-FTPd: always from port 20', input: { ports: [20, 20] }, want: { kind: 'conventional', ports: [20] } },
  { name: 'implicit FTPS from 989', input: { ports: [989], conventional: 989 }, want: { kind: 'conventional', ports: [989] } },
  {
    name: 'vsftpd without connect_from_port_20: ephemeral ports, sorted',
    input: { ports: [41967, 33485] },
    want: { kind: 'ephemeral', ports: [33485, 41967] },
  },
  {
    name: 'the transfer sequence counts too: 20 in the channel probe, ephemeral in the sequence',
    input: { ports: [20], sequence: [50000] },
    want: { kind: 'mixed', ports: [20, 50000] },
  },
]);
