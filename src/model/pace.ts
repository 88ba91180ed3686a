// The pace of one endpoint's scan: the time it took beside the least time the connections it made
// could have taken at the round-trip time measured and the connection cap. On a WAN, round trips,
// not CPU, set a scan's time; this says how close to that limit the scan ran.
import Type, { type Static } from 'typebox';
import { Count, Opt, nullable, obj } from './util.js';

export const ScanPaceSchema = obj(
  {
    elapsedMs: Count("detection's start to the last probe's end, ms"),
    rttMs: nullable(
      Type.Number({
        description: "the smallest round trip measured on the endpoint (the TLS inventory's or the SSH audit's); null: none measured",
      }),
    ),
    connectionCap: Count('--connections: connections at once the scan allowed itself on this endpoint'),
    serverLimit: Opt(
      Count(
        'connections at once the server allowed, learned from its refusals (docs/politeness.md); the bound divides by it where it is below connectionCap',
      ),
    ),
    connections: Count('connections the probes opened after detection (data connections ride on a control connection and are not counted)'),
    roundTrips: Count(
      "least round trips those connections needed together: 2 each (connect, one reply); each TLS inventory handshake and vulnerability-battery connection as many as one handshake of the inventory's plan",
    ),
    chainRtts: Count(
      "the longest chain of round trips that each waited for the one before: the TLS inventory's or the SSH audit's plan, or the FTP session after detection with the most commands (its connect and each command but the last)",
    ),
    lowerBoundRtts: Count('2 (detection: connect, the first words) + max(⌈roundTrips ÷ min(connectionCap, serverLimit)⌉, chainRtts)'),
    lowerBoundMs: nullable(Type.Number({ description: 'lowerBoundRtts × rttMs; null without a measured round trip' })),
    greetingMs: Opt(
      obj(
        {
          median: Count('ms, the median'),
          max: Count('ms, the longest'),
          samples: Count('FTP control connections measured (detection and the FTP sessions)'),
        },
        "how long the FTP server took to greet, from the TCP connect to its greeting line: at least a round trip; beyond it the server's own delay, which no connection cap shortens (ProFTPD 1.3.8 pauses its accepts 200-400 ms after each session ends)",
      ),
    ),
  },
  "the whole scan of this endpoint against the least time its connections could take at the measured round-trip time and the connection cap (a lower bound: a connection's round trips beyond the first reply are counted only for the TLS handshakes)",
);
export type ScanPace = Static<typeof ScanPaceSchema>;
/** How long the FTP server took to greet (ScanPace.greetingMs). */
export type GreetingDelays = NonNullable<ScanPace['greetingMs']>;
