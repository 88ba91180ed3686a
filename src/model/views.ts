// Report-level views computed from the findings and facts (never judged anew by renderers): the
// per-control compliance view, the firewall view, who scanned from where, and the digest.
import Type, { type Static } from 'typebox';
import { Bool, Count, List, Opt, Port, Range, Str, StrList, nullable, obj, strEnum } from './util.js';
import { FindingStatusSchema, PortStateSchema, ServiceSchema, SeveritySchema } from './common.js';

export const SummarySchema = obj({ pass: Count(), fail: Count(), warn: Count(), info: Count(), error: Count(), skipped: Count() });
export type ReportSummary = Static<typeof SummarySchema>;

export const TESTABILITY = ['automated', 'partial', 'not-testable'] as const;
export type Testability = (typeof TESTABILITY)[number];
export const CONTROL_STATUSES = ['satisfied', 'not-satisfied', 'not-testable', 'not-assessed'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export const FindingRefSchema = obj({
  endpoint: Str('"host:port"'),
  endpointIndex: Count(),
  findingIndex: Count(),
  id: Str(),
  status: FindingStatusSchema,
  severity: SeveritySchema,
  title: Str(),
});
export type FindingRef = Static<typeof FindingRefSchema>;

export const ClusterFindingRefSchema = obj({
  group: nullable(Str('the group (report.clusters.groups[].name); null for a finding over the whole scan')),
  findingIndex: Count(),
  id: Str(),
  status: FindingStatusSchema,
  severity: SeveritySchema,
  title: Str(),
});
export type ClusterFindingRef = Static<typeof ClusterFindingRefSchema>;

export const ControlResultSchema = obj({
  id: Str(),
  ref: Str(),
  title: Str(),
  testability: strEnum(TESTABILITY),
  status: strEnum(CONTROL_STATUSES),
  reason: Str('one sentence saying why this status'),
  note: Str('what the scan can and cannot prove for this control'),
  checks: StrList(),
  findings: List(FindingRefSchema),
  clusterFindings: Opt(List(ClusterFindingRefSchema, { description: 'findings of report.clusters that this control lists' })),
});
export type ControlResult = Static<typeof ControlResultSchema>;

export const ENDPOINT_VERDICTS = ['fail', 'error', 'warn', 'pass', 'not-open'] as const;
export type EndpointVerdict = (typeof ENDPOINT_VERDICTS)[number];

export const EndpointVerdictEntrySchema = obj({
  endpoint: Str(),
  endpointIndex: Count(),
  state: PortStateSchema,
  service: nullable(ServiceSchema),
  verdict: strEnum(ENDPOINT_VERDICTS),
  counts: SummarySchema,
  failing: StrList('the failing finding ids, worst first'),
});
export type EndpointVerdictEntry = Static<typeof EndpointVerdictEntrySchema>;

export const ComplianceViewSchema = obj(
  {
    profile: obj({ id: Str(), version: Str(), title: Str(), standard: Str(), description: Str(), source: Str() }),
    verdict: strEnum(['not-satisfied', 'incomplete', 'satisfied'] as const),
    statement: Str('the verdict in one plain sentence, with what the scan cannot prove'),
    counts: obj({ satisfied: Count(), 'not-satisfied': Count(), 'not-testable': Count(), 'not-assessed': Count() }),
    controls: List(ControlResultSchema),
    endpoints: List(EndpointVerdictEntrySchema),
    notTestable: StrList('controls no network scan can prove, by id'),
  },
  'the per-control view for the profile (src/profiles/compliance.ts)',
);
export type ComplianceView = Static<typeof ComplianceViewSchema>;

export const BLOCKAGES = ['dropped', 'reset', 'unreachable', 'no-connect-back'] as const;
export type Blockage = (typeof BLOCKAGES)[number];

export const FirewallRuleSchema = obj({
  purpose: strEnum(['control', 'passive-data', 'active-data'] as const),
  side: strEnum(['server', 'client'] as const, 'which firewall: in front of the server, or in front of the clients'),
  direction: strEnum(['inbound', 'outbound'] as const),
  protocol: strEnum(['tcp'] as const),
  from: Str(),
  to: Str(),
  ports: Str('destination ports, e.g. "2121" or "41010-41019"'),
  status: strEnum(['ok', 'blocked', 'untested'] as const),
  blockage: Opt(strEnum(BLOCKAGES)),
  text: Str('the rule in one sentence, as the firewall team would read it'),
  evidence: Str('why we say so (ports, states, replies)'),
});
export type FirewallRule = Static<typeof FirewallRuleSchema>;

export const PassivePortViewSchema = obj({
  observed: List(Port()),
  observedRange: nullable(Range()),
  expectedRange: nullable(Range()),
  outsideExpected: List(Port()),
  reached: List(Port()),
  filtered: List(Port()),
  closed: List(Port()),
  unreachable: List(Port()),
  serverRefused: StrList('data connections the server itself refused (425/426/5xx after we connected) — not the firewall'),
});
export type PassivePortView = Static<typeof PassivePortViewSchema>;

export const ActiveViewSchema = obj({
  tested: Bool(),
  ok: Bool('at least one active data connection carried a listing'),
  noConnectBack: Bool('the server never connected back (silence): a firewall on the path drops it, or NAT'),
  serverRefused: StrList(),
  clientAddress: nullable(Str('where we listened (the scanner address)')),
  source: Opt(
    obj(
      {
        kind: strEnum(['conventional', 'ephemeral', 'mixed', 'unseen'] as const),
        conventionalPort: Port('20, or 989 for implicit FTPS'),
        ports: List(Port(), { description: "source ports the server's active data connections came from" }),
      },
      "where the server's active data connections came from; the active rules are written for it",
    ),
  ),
});
export type ActiveView = Static<typeof ActiveViewSchema>;

export const FirewallEndpointSchema = obj({
  endpoint: Str(),
  endpointIndex: Count(),
  address: nullable(Str()),
  service: nullable(ServiceSchema),
  control: obj({ port: Port(), state: PortStateSchema, verdict: strEnum(['reachable', ...BLOCKAGES] as const) }),
  passive: nullable(PassivePortViewSchema),
  active: nullable(ActiveViewSchema),
  rules: List(FirewallRuleSchema),
  missing: List(FirewallRuleSchema),
});
export type FirewallEndpoint = Static<typeof FirewallEndpointSchema>;

export const FirewallViewSchema = obj(
  {
    statement: Str(),
    counts: obj({ endpoints: Count(), withMissingRules: Count(), missingRules: Count() }),
    endpoints: List(FirewallEndpointSchema),
  },
  'what transfers need from the firewalls and which rules were found missing',
);
export type FirewallView = Static<typeof FirewallViewSchema>;

export const EndpointOverviewSchema = obj({
  endpoint: Str('"host:port" ([v6]:port)'),
  verdict: strEnum(ENDPOINT_VERDICTS),
  counts: SummarySchema,
  software: nullable(
    obj({ product: Str(), version: nullable(Str()) }, 'server software as disclosed (greeting, SYST, SSH identification)'),
  ),
  facts: StrList('short facts for a verdict line, e.g. "TLS 1.0–1.2", "certificate RSA 1024, sha1, self-signed, valid to 2021-01-01"'),
  timing: obj(
    { startedAt: nullable(Str()), finishedAt: nullable(Str()), ms: nullable(Type.Number()) },
    'when the endpoint was scanned, and for how long',
  ),
});
export type EndpointOverview = Static<typeof EndpointOverviewSchema>;

export const ReportOverviewSchema = obj(
  {
    endpoints: List(EndpointOverviewSchema),
    failingChecks: StrList('ids of the checks that failed anywhere, worst severity first'),
  },
  'verdict-line facts and timings per endpoint (src/report-meta.ts), so every renderer shows the same ones',
);
export type ReportOverview = Static<typeof ReportOverviewSchema>;

export const ScannerInfoSchema = obj(
  {
    hostname: Str(),
    sourceAddresses: List(obj({ target: Str(), source: nullable(Str()) })),
    platform: Opt(Str()),
    node: Opt(Str()),
    user: Opt(nullable(Str())),
  },
  'who ran the scan and from where',
);
export type ScannerInfo = Static<typeof ScannerInfoSchema>;

export const IntegritySchema = obj(
  {
    algorithm: strEnum(['sha256'] as const),
    canonicalization: strEnum(['xferscan-c14n-1'] as const),
    description: Opt(Str()),
    digest: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  'SHA-256 over the canonical JSON of the report without this member (xferscan verify)',
);
export type Integrity = Static<typeof IntegritySchema>;
