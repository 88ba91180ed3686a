// Named TLS vulnerabilities (src/checks/tls/vulns.ts). The derived ones are computed here from the
// inventory by the real derivation (deriveVulns, as the tls-vulns probe calls it), so a row's
// protocols and suites are what decides; the active ones are battery results as the probe writes
// them (vulnFact), with the evidence their tests produce. A version the inventory could not decide
// (protocols value null) makes every derived "not vulnerable" inconclusive; --no-intrusive leaves
// Heartbleed, CCS injection and ROBOT untested.
import type { Check } from '../../../src/checks/types.js';
import {
  tlsVulnBeast,
  tlsVulnCcsInjection,
  tlsVulnClientRenegotiation,
  tlsVulnCrime,
  tlsVulnDowngradeSentinel,
  tlsVulnDrown,
  tlsVulnFreak,
  tlsVulnHeartbleed,
  tlsVulnInsecureRenegotiation,
  tlsVulnLogjam,
  tlsVulnLucky13,
  tlsVulnPoodle,
  tlsVulnRc4,
  tlsVulnRobot,
  tlsVulnSweet32,
  tlsVulnTicketbleed,
} from '../../../src/checks/tls/vulns.js';
import { deriveVulns, VULN_TESTS, type ActiveVulnId, type ActiveVulnResult } from '../../../src/tls/vuln/index.js';
import { derivedInputOf, drownAcrossEndpoints, vulnFact } from '../../../probes/tls-vulns.js';
import type { EndpointReport, TlsFacts, TlsVulnResult, TlsVulnerabilities } from '../../../src/model.js';
import { checkCases, type CheckCase } from './harness.js';
import { modernTls, notTlsRows, tlsEndpoint } from './facts.js';

// ---- facts -----------------------------------------------------------------------------------

const NO_INTRUSIVE = 'intrusive (sends malformed records or padding); skipped by --no-intrusive';
const TLS13_ONLY = 'the inventory shows no TLS ≤ 1.2 (TLS 1.3 only)';

interface Battery {
  active?: TlsVulnResult[];
  skipped?: TlsVulnerabilities['skipped'];
  intrusive?: boolean;
}

/** What the tls-vulns probe writes for these inventory facts: the battery's results, the derived ones. */
function vulnsOf(tls: TlsFacts, b: Battery = {}): TlsVulnerabilities {
  const derived = deriveVulns(derivedInputOf(tls), []);
  const active = b.active ?? [];
  return {
    intrusive: b.intrusive ?? true,
    active,
    derived: Object.values(derived).map(vulnFact),
    skipped: b.skipped ?? [],
    connections: active.reduce((n, r) => n + r.connections, 0),
    limited: false,
    ms: active.reduce((n, r) => n + r.ms, 0),
    publicKeySha256: 'B1:6F:0C:3A:9D:44:21:7E:5B:0A:C2:8E:11:F3:6D:90:47:2C:AA:58:3B:E1:09:7D:64:C5:1E:02:9B:F8:33:71',
    comparedEndpoints: 0,
  };
}

/** An implicit-FTPS endpoint with these inventory facts, scanned by the tls-vulns probe. */
function scanned(over: Partial<TlsFacts> = {}, b: Battery = {}): EndpointReport {
  const tls = modernTls(over);
  return tlsEndpoint({ ...tls, vulnerabilities: vulnsOf(tls, b) });
}

const tls12 = (suites: string[], over: Partial<TlsFacts> = {}): Partial<TlsFacts> => ({
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
  cipherSuites: { 'TLSv1.2': suites, 'TLSv1.3': ['TLS_AES_256_GCM_SHA384'] },
  ...over,
});

/** TLS 1.1 got no answer that decided it (the prober's error is in probe.errors). */
const UNDECIDED: Partial<TlsFacts> = {
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': null, 'TLSv1.2': true, 'TLSv1.3': true },
};

const TLS13_ONLY_FACTS: Partial<TlsFacts> = {
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true },
  cipherSuites: { 'TLSv1.3': ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'] },
  serverPreferenceByVersion: { 'TLSv1.3': true },
  compression: null,
};

/** An active test's result as the battery writes it (id, verdict, evidence, its own observations). */
function active(r: Pick<ActiveVulnResult, 'id' | 'status' | 'evidence'> & Record<string, unknown>, connections = 1): TlsVulnResult {
  const info = VULN_TESTS[r.id];
  return vulnFact({ intrusive: info.intrusive, derived: false, connections, ms: 12, ...r } as ActiveVulnResult);
}

// ---- shared rows -----------------------------------------------------------------------------

/** Every vulnerability check: not its concern, no TLS facts, no battery, not tested. */
function guards(id: TlsVulnResult['id']): CheckCase[] {
  const modern = modernTls();
  const other = id === 'robot' ? 'heartbleed' : 'robot';
  return [
    ...notTlsRows(),
    {
      name: 'the battery did not run (the inventory found no version): skipped',
      endpoint: tlsEndpoint(modern),
      expect: { status: 'skipped', detail: /^the TLS vulnerability battery did not run on this endpoint$/, evidence: 'none' },
    },
    {
      name: 'the battery ran without this test and says nothing of it: skipped, not a pass',
      endpoint: tlsEndpoint({
        ...modern,
        vulnerabilities: { ...vulnsOf(modern), derived: [], skipped: [{ id: other, reason: 'not selected' }] },
      }),
      expect: { status: 'skipped', detail: /^not tested$/ },
    },
  ];
}

const costOf = (n: number) => ({ label: /^cost$/, value: new RegExp(`^${n} connection\\(s\\), 12 ms`) });

function activeCases(check: Check, rows: CheckCase[]): void {
  const id = (Object.values(VULN_TESTS).find((t) => t.checkId === check.id) ?? VULN_TESTS.heartbleed).id;
  checkCases(check, [...guards(id), ...rows]);
}

/** The rows of a derived check: modern pass, undecided version inconclusive, and `rows`. */
function derivedCases(check: Check, notVulnerable: RegExp, rows: CheckCase[]): void {
  const title = new RegExp(`^${check.title.replace(/[()]/g, '\\$&')}: `);
  checkCases(check, [
    ...guards('poodle'),
    {
      name: 'a modern server (TLS 1.2/1.3, ECDHE with AEAD): pass, saying it was derived',
      endpoint: scanned(),
      expect: {
        status: 'pass',
        detail: new RegExp(`${title.source}not (vulnerable|applicable) — ${notVulnerable.source}.*no exploit was attempted\\)$`),
        remediation: 'none',
        evidence: { some: [{ label: /^derived$/, value: /^derived from the offered suites/ }] },
      },
    },
    {
      name: 'TLS 1.1 undecided (no answer): "not seen" is inconclusive, a warning',
      endpoint: scanned(UNDECIDED),
      expect: {
        status: 'warn',
        detail: /could not be decided — not seen, but TLSv1\.1 could not be decided \(no answer\)/,
        remediation: /^Scan again/,
      },
    },
    ...rows,
  ]);
}

// ---- active tests ----------------------------------------------------------------------------

const NO_INTRUSIVE_ROW = (id: 'heartbleed' | 'ccs-injection' | 'robot'): CheckCase => ({
  name: '--no-intrusive: not run, skipped with the reason',
  endpoint: scanned({}, { intrusive: false, skipped: [{ id, reason: NO_INTRUSIVE }] }),
  expect: { status: 'skipped', detail: /^not tested: intrusive \(sends malformed records or padding\); skipped by --no-intrusive$/ },
});

const TLS13_ROW = (id: ActiveVulnId): CheckCase => ({
  name: 'a TLS 1.3-only server: not applicable, a pass',
  endpoint: scanned(TLS13_ONLY_FACTS, { active: [active({ id, status: 'not-applicable', evidence: [TLS13_ONLY] }, 0)] }),
  expect: { status: 'pass', detail: /: not applicable — the inventory shows no TLS ≤ 1\.2/, evidence: { some: [costOf(0)] } },
});

const hb = (status: ActiveVulnResult['status'], evidence: string, own: Record<string, unknown> = {}) =>
  active({
    id: 'heartbleed',
    status,
    evidence: ['TLSv1.2 handshake with the heartbeat extension (peer_allowed_to_send)', evidence],
    heartbeatExtension: true,
    payloadSent: 16,
    payloadClaimed: 64,
    responseLength: null,
    responseClaimed: null,
    version: 'TLSv1.2',
    ...own,
  });

activeCases(tlsVulnHeartbleed, [
  {
    name: 'the over-long heartbeat is answered with the claimed length: fail (critical), no leaked byte kept',
    endpoint: scanned(
      {},
      {
        active: [
          hb(
            'vulnerable',
            'heartbeat response of 83 bytes echoing 64 payload bytes, but we sent 16: the server read 48 bytes past our message (their content was discarded, not kept)',
            { responseLength: 83, responseClaimed: 64 },
          ),
        ],
      },
    ),
    expect: {
      status: 'fail',
      severity: 'critical',
      detail: /^Heartbleed \(CVE-2014-0160\): vulnerable — .*read 48 bytes past our message/,
      remediation: /replace the private key/,
      evidence: { some: [{ label: /^handshake$/ }, { label: /^responseLength$/, value: /^83$/ }, costOf(1)] },
    },
  },
  {
    name: 'silently dropped (RFC 6520): pass',
    endpoint: scanned(
      {},
      {
        active: [
          hb(
            'not-vulnerable',
            'no heartbeat response within 1000 ms to a request claiming 64 bytes with 16 sent (RFC 6520: silently discarded)',
          ),
        ],
      },
    ),
    expect: { status: 'pass', detail: /: not vulnerable — .*silently discarded/, remediation: 'none' },
  },
  TLS13_ROW('heartbleed'),
  {
    name: 'the hello failed (transport): inconclusive, a warning to scan again',
    endpoint: scanned({}, { active: [hb('inconclusive', 'transport failed (ECONNRESET: read ECONNRESET)')] }),
    expect: { status: 'warn', detail: /could not be decided — .*ECONNRESET/, remediation: /^Scan again/ },
  },
  NO_INTRUSIVE_ROW('heartbleed'),
]);

const HEAD_CCS = 'TLSv1.2 handshake; two ChangeCipherSpec records sent right after ServerHelloDone';
const ccs = (status: ActiveVulnResult['status'], evidence: string, reaction: string | null) =>
  active({ id: 'ccs-injection', status, evidence: [HEAD_CCS, evidence], reaction, version: 'TLSv1.2' });

activeCases(tlsVulnCcsInjection, [
  {
    name: 'the early CCS is accepted: fail',
    endpoint: scanned(
      {},
      {
        active: [
          ccs(
            'vulnerable',
            'the server accepted the early CCS: it answered alert fatal bad_record_mac instead of unexpected_message',
            'alert fatal bad_record_mac',
          ),
        ],
      },
    ),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^CCS injection \(CVE-2014-0224\): vulnerable — .*accepted the early CCS/,
      evidence: { some: [{ label: /^reaction$/, value: /bad_record_mac/ }] },
    },
  },
  {
    name: 'unexpected_message at the early CCS: pass',
    endpoint: scanned(
      {},
      {
        active: [
          ccs('not-vulnerable', 'the server rejected the early CCS: alert fatal unexpected_message', 'alert fatal unexpected_message'),
        ],
      },
    ),
    expect: { status: 'pass', detail: /not vulnerable — .*rejected the early CCS/ },
  },
  TLS13_ROW('ccs-injection'),
  {
    name: 'no reaction within the window: inconclusive',
    endpoint: scanned({}, { active: [ccs('inconclusive', 'no reaction within 1000 ms', null)] }),
    expect: { status: 'warn', detail: /could not be decided — .*no reaction within 1000 ms/ },
  },
  NO_INTRUSIVE_ROW('ccs-injection'),
]);

const ROBOT_HEAD = 'TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256, RSA-2048 key; each variant on its own connection';
const robot = (status: ActiveVulnResult['status'], evidence: string[], own: Record<string, unknown>, connections = 10) =>
  active(
    {
      id: 'robot',
      status,
      evidence: [ROBOT_HEAD, ...evidence],
      reactions: [],
      oracle: null,
      flow: null,
      suite: 'TLS_RSA_WITH_AES_128_GCM_SHA256',
      version: 'TLSv1.2',
      keyBits: 2048,
      ...own,
    },
    connections,
  );

activeCases(tlsVulnRobot, [
  {
    name: 'different paddings draw different alerts, twice: fail (a strong oracle)',
    endpoint: scanned(
      {},
      {
        active: [
          robot(
            'vulnerable',
            [
              'round 1, ClientKeyExchange + ChangeCipherSpec + Finished: correct padding → alert fatal bad_record_mac; wrong first bytes (0x41 0x17) → alert fatal decrypt_error; 0x00 in the wrong position → alert fatal illegal_parameter; no 0x00 separator → alert fatal decode_error; wrong TLS version in the premaster → alert fatal protocol_version',
              'the server reacts differently to different paddings, the same way twice: a strong Bleichenbacher oracle (standard flow)',
            ],
            { oracle: 'strong', flow: 'standard' },
          ),
        ],
      },
    ),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^ROBOT \(Bleichenbacher RSA padding oracle\): vulnerable — .*strong Bleichenbacher oracle/,
      remediation: /Disable RSA key-exchange suites/,
      evidence: { some: [{ label: /^oracle$/, value: /^strong$/ }, costOf(10)] },
    },
  },
  {
    name: 'the same reaction to every padding in both flows: pass',
    endpoint: scanned(
      {},
      {
        active: [robot('not-vulnerable', ['all five paddings drew the same reaction in both flows: no padding oracle'], {})],
      },
    ),
    expect: { status: 'pass', detail: /not vulnerable — .*no padding oracle/ },
  },
  {
    name: 'no RSA key exchange in the inventory: not applicable, a pass without a connection',
    endpoint: scanned(
      {},
      { active: [active({ id: 'robot', status: 'not-applicable', evidence: ['the inventory shows no RSA key exchange suite'] }, 0)] },
    ),
    expect: { status: 'pass', detail: /not applicable — the inventory shows no RSA key exchange suite/, evidence: { some: [costOf(0)] } },
  },
  {
    name: 'reactions changed between identical rounds: inconclusive (noise is never a finding)',
    endpoint: scanned(
      {},
      {
        active: [
          robot('inconclusive', ['the reactions changed between two identical rounds: noisy server, no stable oracle'], {
            flow: 'standard',
          }),
        ],
      },
    ),
    expect: { status: 'warn', detail: /could not be decided — .*noisy server/ },
  },
  NO_INTRUSIVE_ROW('robot'),
]);

const reneg = (status: ActiveVulnResult['status'], evidence: string, rfc5746: boolean | null) =>
  active({ id: 'secure-renegotiation', status, evidence: [evidence], rfc5746, version: 'TLSv1.2' });

activeCases(tlsVulnInsecureRenegotiation, [
  {
    name: 'no renegotiation_info in the ServerHello: fail',
    endpoint: scanned(
      { secureRenegotiation: false },
      {
        active: [
          reneg(
            'vulnerable',
            'TLSv1.2 ServerHello has no renegotiation_info although the hello offered it: no RFC 5746, a renegotiation cannot be bound to the session (CVE-2009-3555)',
            false,
          ),
        ],
      },
    ),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /vulnerable — .*no RFC 5746/,
      evidence: { some: [{ label: /^rfc5746$/, value: /^false$/ }] },
    },
  },
  {
    name: 'renegotiation_info answered: pass',
    endpoint: scanned({}, { active: [reneg('not-vulnerable', 'TLSv1.2 ServerHello carries renegotiation_info (RFC 5746)', true)] }),
    expect: { status: 'pass', detail: /not vulnerable — TLSv1\.2 ServerHello carries renegotiation_info/ },
  },
  TLS13_ROW('secure-renegotiation'),
  {
    name: 'the shared hello failed: inconclusive',
    endpoint: scanned({}, { active: [reneg('inconclusive', 'hello: no reply within 8000 ms', null)] }),
    expect: { status: 'warn', detail: /could not be decided — hello: no reply within 8000 ms/ },
  },
  {
    name: 'not an intrusive test: --no-intrusive still runs it',
    endpoint: scanned(
      {},
      {
        intrusive: false,
        skipped: [{ id: 'heartbleed', reason: NO_INTRUSIVE }],
        active: [reneg('not-vulnerable', 'TLSv1.2 ServerHello carries renegotiation_info (RFC 5746)', true)],
      },
    ),
    expect: { status: 'pass' },
  },
]);

const HEAD_FULL = 'full TLSv1.2 handshake completed (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)';
const clientReneg = (status: ActiveVulnResult['status'], evidence: string[], own: Record<string, unknown>) =>
  active({ id: 'client-renegotiation', status, evidence: [HEAD_FULL, ...evidence], protocol: 'TLSv1.2', ...own });

activeCases(tlsVulnClientRenegotiation, [
  {
    name: 'a client-initiated renegotiation is accepted: fail',
    endpoint: scanned(
      {},
      {
        active: [
          clientReneg(
            'vulnerable',
            [
              'accepted: the server completed a second handshake on the same connection',
              'client-initiated renegotiation lets any client make the server redo handshakes at will (denial of service)',
            ],
            { outcome: 'accepted', insecure: false, refusal: null },
          ),
        ],
      },
    ),
    expect: { status: 'fail', severity: 'medium', detail: /^Client-initiated renegotiation: vulnerable — .*accepted/ },
  },
  {
    name: 'refused with a no_renegotiation warning: pass',
    endpoint: scanned(
      {},
      {
        active: [
          clientReneg('not-vulnerable', ['refused: alert warning no_renegotiation'], {
            outcome: 'refused',
            insecure: false,
            refusal: 'alert warning no_renegotiation',
          }),
        ],
      },
    ),
    expect: { status: 'pass', detail: /not vulnerable — .*refused: alert warning no_renegotiation/ },
  },
  TLS13_ROW('client-renegotiation'),
  {
    name: 'the full handshake did not complete: inconclusive',
    endpoint: scanned({}, { active: [clientReneg('inconclusive', ['not tried'], { outcome: null, insecure: null, refusal: null })] }),
    expect: { status: 'warn', detail: /could not be decided/ },
  },
]);

const ticket = (status: ActiveVulnResult['status'], evidence: string[], own: Record<string, unknown>, connections = 2) =>
  active(
    { id: 'ticketbleed', status, evidence, ticketIssued: true, sessionIdSent: 31, sessionIdEchoed: null, resumed: null, ...own },
    connections,
  );
const HEAD_TICKET =
  'offered the ticket with a 31-byte session ID; TLSv1.2 ServerHello with a 32-byte session ID (ChangeCipherSpec right after the ServerHello: resumed)';

activeCases(tlsVulnTicketbleed, [
  {
    name: 'the resumption echoes more session-id bytes than we sent: fail',
    endpoint: scanned(
      {},
      {
        active: [
          ticket('vulnerable', [HEAD_TICKET, 'the server echoed our 31 bytes plus 1 more from its memory (not kept)'], {
            sessionIdEchoed: 32,
            resumed: true,
          }),
        ],
      },
    ),
    expect: {
      status: 'fail',
      detail: /^Ticketbleed \(CVE-2016-9244\): vulnerable — .*plus 1 more/,
      evidence: { some: [{ label: /^sessionIdEchoed$/, value: /^32$/ }] },
    },
  },
  {
    name: 'an exact echo on resumption: pass',
    endpoint: scanned(
      {},
      {
        active: [
          ticket('not-vulnerable', ['resumed from the ticket and echoed exactly our session ID'], { sessionIdEchoed: 31, resumed: true }),
        ],
      },
    ),
    expect: { status: 'pass', detail: /not vulnerable — resumed from the ticket/ },
  },
  {
    name: 'no session ticket issued: not applicable, a pass',
    endpoint: scanned(
      {},
      {
        active: [ticket('not-applicable', ['the server issued no session ticket in a full TLS 1.2 handshake'], { ticketIssued: false }, 1)],
      },
    ),
    expect: { status: 'pass', detail: /not applicable — the server issued no session ticket/ },
  },
  {
    name: 'could not tell whether the server resumed: inconclusive',
    endpoint: scanned({}, { active: [ticket('inconclusive', [HEAD_TICKET, 'could not tell whether the server resumed'], {})] }),
    expect: { status: 'warn', detail: /could not be decided — .*could not tell whether the server resumed/ },
  },
]);

const downgrade = (status: ActiveVulnResult['status'], evidence: string[], own: Record<string, unknown>, connections = 1) =>
  active(
    {
      id: 'downgrade-sentinel',
      status,
      evidence,
      tls13: true,
      tls12Sentinel: null,
      tls11Sentinel: null,
      lowVersion: null,
      anomalies: [],
      ...own,
    },
    connections,
  );

activeCases(tlsVulnDowngradeSentinel, [
  {
    name: 'a TLS 1.3 server without DOWNGRD at TLS 1.2: fail',
    endpoint: scanned(
      {},
      {
        active: [
          downgrade(
            'vulnerable',
            [
              'TLS 1.3 offered (inventory)',
              'TLS 1.2 hello: ServerHello TLSv1.2, random ends 5c 0e 91 27 aa 03 7d 18',
              'TLS 1.3 server without the downgrade sentinel at TLS 1.2: a downgrade would go unnoticed by TLS 1.3 clients',
            ],
            { tls12Sentinel: 'none' },
          ),
        ],
      },
    ),
    expect: { status: 'fail', detail: /^TLS 1\.3 downgrade protection: vulnerable — .*without the downgrade sentinel at TLS 1\.2/ },
  },
  {
    name: 'DOWNGRD\\x01 at TLS 1.2: pass',
    endpoint: scanned(
      {},
      {
        active: [
          downgrade(
            'not-vulnerable',
            [
              'TLS 1.3 offered (inventory)',
              'no TLS 1.1 or 1.0 (inventory)',
              'the TLS 1.3 server marks every lower version it negotiates with the sentinel',
            ],
            { tls12Sentinel: 'DOWNGRD\\x01' },
          ),
        ],
      },
    ),
    expect: { status: 'pass', detail: /not vulnerable — .*marks every lower version/ },
  },
  {
    name: 'a server without TLS 1.3: not applicable, a pass',
    endpoint: scanned(
      tls12(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], {
        protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
        cipherSuites: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
      }),
      {
        active: [
          downgrade(
            'not-applicable',
            ['TLS 1.3 not offered (inventory)', 'the server does not speak TLS 1.3: the sentinel is a TLS 1.3 server duty'],
            {
              tls13: false,
            },
            0,
          ),
        ],
      },
    ),
    expect: { status: 'pass', detail: /not applicable — .*does not speak TLS 1\.3/ },
  },
  {
    name: 'TLS 1.3 undecided in the inventory and no answer to the test either: inconclusive',
    endpoint: scanned(
      { protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': null } },
      {
        active: [
          downgrade(
            'inconclusive',
            ['TLS 1.3 hello: no reply within 8000 ms', 'could not tell whether the server speaks TLS 1.3'],
            { tls13: null },
            2,
          ),
        ],
      },
    ),
    expect: { status: 'warn', detail: /could not be decided — .*could not tell whether the server speaks TLS 1\.3/ },
  },
]);

// ---- derived from the inventory --------------------------------------------------------------

const SSLV3_CBC: Partial<TlsFacts> = {
  protocols: { SSLv2: false, SSLv3: true, 'TLSv1.0': true, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
  cipherSuites: {
    SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
    'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA'],
    'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  },
};

derivedCases(tlsVulnPoodle, /SSLv3 is not offered/, [
  {
    name: 'SSLv3 with CBC suites: fail, naming them',
    endpoint: scanned(SSLV3_CBC),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^POODLE \(CVE-2014-3566\): vulnerable — SSLv3 is offered with CBC suites: TLS_RSA_WITH_AES_128_CBC_SHA \(SSLv3\)/,
      evidence: { some: [{ label: /^offered suite$/, value: /^TLS_RSA_WITH_3DES_EDE_CBC_SHA \(SSLv3\)$/ }] },
    },
  },
  {
    name: 'SSLv3 with RC4 only: no CBC, a pass here (RC4 has its own check)',
    endpoint: scanned({
      protocols: { SSLv2: false, SSLv3: true, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
      cipherSuites: { SSLv3: ['TLS_RSA_WITH_RC4_128_SHA'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
    }),
    expect: { status: 'pass', detail: /not vulnerable — SSLv3 is offered, but with no CBC suite/ },
  },
  {
    name: 'SSLv3 offered but its suites unknown: inconclusive',
    endpoint: scanned({
      protocols: { SSLv2: false, SSLv3: true, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
      cipherSuites: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
    }),
    expect: { status: 'warn', detail: /could not be decided — SSLv3 is offered but its suites are unknown/ },
  },
]);

derivedCases(tlsVulnBeast, /neither TLS 1\.0 nor SSLv3 is offered/, [
  {
    name: 'CBC at TLS 1.0 beside TLS 1.2: potentially vulnerable, a warning (clients split records)',
    endpoint: scanned(SSLV3_CBC),
    expect: {
      status: 'warn',
      severity: 'low',
      detail: /^BEAST \(CVE-2011-3389\): potentially vulnerable — CBC suites at TLS 1\.0\/SSLv3 .*also offers newer versions/,
      remediation: /Disable TLS 1\.0 and SSLv3/,
    },
  },
  {
    name: 'TLS 1.0 with RC4 only (no CBC): pass here (RC4 has its own check)',
    endpoint: scanned({
      protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': true, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
      cipherSuites: { 'TLSv1.0': ['TLS_RSA_WITH_RC4_128_SHA'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
    }),
    expect: { status: 'pass', detail: /not vulnerable — TLS 1\.0\/SSLv3 offered without CBC suites/ },
  },
]);

derivedCases(tlsVulnLucky13, /no CBC suite is offered/, [
  {
    name: 'CBC suites at TLS 1.2: potentially vulnerable, a warning (constant-time decoding is invisible)',
    endpoint: scanned(tls12(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'])),
    expect: {
      status: 'warn',
      severity: 'low',
      detail: /potentially vulnerable — CBC \(MAC-then-encrypt\) suites .*TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 \(TLSv1\.2\)/,
    },
  },
]);

derivedCases(tlsVulnSweet32, /no 64-bit block cipher/, [
  {
    name: '3DES offered: fail',
    endpoint: scanned(tls12(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'])),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /vulnerable — 64-bit block ciphers .*TLS_RSA_WITH_3DES_EDE_CBC_SHA \(TLSv1\.2\)/,
    },
  },
  {
    name: '3DES listed for a version the server refuses: not offered, a pass',
    endpoint: scanned({
      ...tls12(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']),
      cipherSuites: { 'TLSv1.0': ['TLS_RSA_WITH_3DES_EDE_CBC_SHA'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
    }),
    expect: { status: 'pass' },
  },
]);

const EXPORT_TLS10: Partial<TlsFacts> = {
  protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': true, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
  cipherSuites: {
    'TLSv1.0': ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'],
    'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  },
};

derivedCases(tlsVulnFreak, /no export RSA suite is offered/, [
  {
    name: 'export RSA suites offered: fail',
    endpoint: scanned(EXPORT_TLS10),
    expect: {
      status: 'fail',
      severity: 'high',
      detail: /^FREAK \(CVE-2015-0204\): vulnerable — export RSA suites .*TLS_RSA_EXPORT_WITH_RC4_40_MD5/,
    },
  },
]);

const DHE = tls12(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256']);

derivedCases(tlsVulnLogjam, /no finite-field DHE suite is offered/, [
  {
    name: 'export DH suites: fail',
    endpoint: scanned(EXPORT_TLS10),
    expect: { status: 'fail', detail: /vulnerable — export DH suites are offered .*TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA/ },
  },
  {
    name: 'DHE with the well-known 1024-bit Oakley group 2: fail',
    endpoint: scanned({ ...DHE, dhBits: 1024, dhGroup: { bits: 1024, commonName: 'RFC 2409 Oakley group 2' } }),
    expect: { status: 'fail', detail: /well-known 1024-bit prime \(RFC 2409 Oakley group 2\)/ },
  },
  {
    name: 'DHE with ffdhe2048: pass',
    endpoint: scanned({ ...DHE, dhBits: 2048, dhGroup: { bits: 2048, commonName: 'RFC 7919 ffdhe2048' } }),
    expect: { status: 'pass', detail: /not vulnerable — DHE with a 2048-bit prime; a well-known group \(RFC 7919 ffdhe2048\)/ },
  },
  {
    name: 'DHE offered but no prime seen: inconclusive',
    endpoint: scanned({ ...DHE, dhBits: null }),
    expect: { status: 'warn', detail: /could not be decided — DHE suites are offered but no DH prime was seen/ },
  },
]);

derivedCases(tlsVulnDrown, /SSLv2 is not offered; no other endpoints were compared/, [
  {
    name: 'SSLv2 offered here: fail',
    endpoint: scanned({
      protocols: { SSLv2: true, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
      cipherSuites: { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
    }),
    expect: {
      status: 'fail',
      detail: /^DROWN \(CVE-2016-0800\): vulnerable — SSLv2 is offered on this endpoint/,
      evidence: { some: [{ label: /^offered suite$/, value: /^SSL_CK_RC4_128_WITH_MD5 \(SSLv2\)$/ }] },
    },
  },
  {
    name: 'no SSLv2 here, but the same key on an SSLv2 endpoint of the same scan: fail',
    endpoint: drownPair().modern,
    expect: { status: 'fail', detail: /no SSLv2 here, but the same certificate or key is served with SSLv2 on files\.example\.test:2990/ },
  },
  {
    name: 'compared with the other endpoints of the scan, none shares the key: pass',
    endpoint: drownPair().other,
    expect: { status: 'pass', detail: /no SSLv2 endpoint among 2 other endpoint\(s\) of this scan shares its key/ },
  },
]);

/** Three endpoints of one scan: an SSLv2 one, a modern one with the same key, one with its own key. */
function drownPair(): { modern: EndpointReport; other: EndpointReport } {
  const sslv2 = scanned({
    protocols: { SSLv2: true, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
    cipherSuites: { SSLv2: ['SSL_CK_RC4_128_WITH_MD5'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
  });
  sslv2.port = 2990;
  const modern = scanned();
  const other = scanned();
  other.port = 991;
  other.tls!.vulnerabilities!.publicKeySha256 =
    '0D:5E:77:1A:C8:93:42:BB:60:1F:E4:27:9A:D0:35:8C:4B:71:E2:06:5F:A9:13:CE:88:3D:B0:72:14:6A:F5:29';
  other.tls!.certificate = {
    ...other.tls!.certificate!,
    fingerprintSha256: '7A:11:C0:5E:92:3B:D4:08:EF:61:2A:97:C3:45:1D:B8:F0:26:8E:53:A4:79:0B:CD:36:E2:5F:18:94:C7:61:0A',
  };
  drownAcrossEndpoints([sslv2, modern, other]);
  return { modern, other };
}

derivedCases(tlsVulnRc4, /no RC4 suite is offered/, [
  {
    name: 'RC4 offered: fail',
    endpoint: scanned(tls12(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_RC4_128_SHA'])),
    expect: { status: 'fail', severity: 'high', detail: /vulnerable — RC4 suites are offered: TLS_RSA_WITH_RC4_128_SHA \(TLSv1\.2\)/ },
  },
]);

derivedCases(tlsVulnCrime, /offered DEFLATE and LZS compression, the server chose none/, [
  {
    name: 'the server accepted DEFLATE: fail',
    endpoint: scanned({ compression: 'DEFLATE' }),
    expect: {
      status: 'fail',
      severity: 'medium',
      detail: /^CRIME \(CVE-2012-4929\): vulnerable — the server accepted TLS compression \(DEFLATE\)/,
    },
  },
  {
    name: 'compression not tested: inconclusive',
    endpoint: scanned({ compression: null }),
    expect: { status: 'warn', detail: /could not be decided — TLS compression was not tested/ },
  },
  {
    name: 'TLS 1.3 only: not applicable, a pass',
    endpoint: scanned(TLS13_ONLY_FACTS),
    expect: { status: 'pass', detail: /not applicable — no TLS ≤ 1\.2 \(TLS 1\.3 has no compression\)/ },
  },
  {
    name: 'TLS 1.3 with TLS 1.2 undecided: "no TLS ≤ 1.2" is not known, inconclusive',
    endpoint: scanned({
      ...TLS13_ONLY_FACTS,
      protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': null, 'TLSv1.3': true },
    }),
    expect: { status: 'warn', detail: /could not be decided — not seen, but TLSv1\.2 could not be decided/ },
  },
]);
