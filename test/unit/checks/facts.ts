// Fact fixtures for the table-driven check tests: small builders that produce an endpoint's facts
// the way a scan does. The FTP builder feeds probe results (shaped as probes/*.ts and
// src/ftp/experiments.ts return them, values taken from real scans of the lab) through the real
// assembly (src/assemble.ts), so the derived fields (protP, protC, ccc, cleartextLogin, …) come
// from the derive layer, and writes the transcript lines a probe tags with its steps, so checks
// that pick evidence by step find it where a scan puts it.
import { assembleFacts, type ProbeRun } from '../../../src/assemble.js';
import { completed, type Detected } from '../../../src/probe.js';
import type { ChannelsResult } from '../../../src/ftp/experiments.js';
import type { CheckCase } from './harness.js';
import { judgeUserReply } from '../../../probes/ftp-login-policy.js';
import { validatePolicy, type Policy } from '../../../src/policy/index.js';
import type { FtpReply } from '../../../src/net/ftp-reply.js';
import type {
  FtpTransferSequence,
  ConnectionOutcome,
  EndpointReport,
  FtpCommandReply,
  FtpDataChannel,
  FtpFacts,
  FtpLoginPolicyProbe,
  FtpPassiveSample,
  Gap,
  PortState,
  Service,
  SshFacts,
  Step,
  TlsCertificateFacts,
  TlsFacts,
  TranscriptLine,
} from '../../../src/model.js';

/** The moment every fixture is judged at (certificate dates are relative to it). */
export const NOW = new Date('2026-12-02T12:00:00.000Z');
const T0 = Date.parse('2026-12-02T11:59:00.000Z');

// ---- transcript ------------------------------------------------------------------------------

/** Writes transcript lines as the probes do: per connection, tagged with the step they belong to. */
export class Wire {
  readonly lines: TranscriptLine[] = [];

  on(conn: string) {
    const push = (dir: TranscriptLine['dir'], step: Step | undefined, text: string) => {
      this.lines.push({ t: new Date(T0 + this.lines.length).toISOString(), conn, dir, text, ...(step ? { step } : {}) });
    };
    const c = {
      note: (step: Step | undefined, text: string) => (push('note', step, text), c),
      client: (step: Step | undefined, text: string) => (push('client', step, text), c),
      server: (step: Step | undefined, text: string) => (push('server', step, text), c),
      /** a command and its reply */
      say: (step: Step | undefined, command: string, reply: string) => (push('client', step, command), push('server', step, reply), c),
    };
    return c;
  }
}

// ---- endpoints -------------------------------------------------------------------------------

export interface EndpointSpec {
  host?: string;
  port?: number;
  address?: string | null;
  state?: PortState;
  service?: Service | null;
  expectedService?: Service | null;
  outcome?: ConnectionOutcome | null;
  error?: string | null;
}

/** An endpoint with no protocol facts (what detection leaves for a closed port, say). */
export function endpoint(spec: EndpointSpec = {}, transcript: TranscriptLine[] = []): EndpointReport {
  const state = spec.state ?? 'open';
  const w = new Wire();
  const address = spec.address === undefined ? '127.0.0.1' : spec.address;
  const port = spec.port ?? 21;
  if (address) w.on('detect#1').note('connect', connectNote(address, port, state));
  return {
    host: spec.host ?? 'files.example.test',
    port,
    address,
    state,
    connectMs: state === 'filtered' ? 5000 : 2,
    service: spec.service === undefined ? null : spec.service,
    expectedService: spec.expectedService ?? null,
    banner: null,
    outcome: spec.outcome ?? (state === 'open' ? null : state),
    error: spec.error ?? null,
    tls: null,
    ssh: null,
    ftp: null,
    findings: [],
    transcript: [...w.lines, ...transcript],
  };
}

function connectNote(address: string, port: number, state: PortState): string {
  const said: Record<PortState, string> = {
    open: 'open after 2 ms',
    closed: 'closed (connection refused) after 1 ms',
    filtered: 'filtered: no answer within 5000 ms',
    unreachable: 'unreachable (EHOSTUNREACH)',
    timeout: 'open, then silent',
  };
  return `TCP ${address}:${port} ${said[state]}`;
}

// ---- FTP -------------------------------------------------------------------------------------

const MAIN = 'ftp-main#7';

export interface FtpSpec extends EndpointSpec {
  service?: 'ftp' | 'ftps-explicit' | 'ftps-implicit';
  greeting?: string[];
  syst?: string | null;
  features?: string[] | null;
  /** reply code to AUTH TLS / AUTH SSL on detection's connections; null: not tried */
  authTls?: number | null;
  authSsl?: number | null;
  /** what the detection handshake negotiated; null: no handshake completed */
  negotiated?: { protocol: string | null; cipher: string | null } | null;
  /** the TLS inventory's result (null: it found nothing) */
  tls?: Partial<TlsFacts> | null;
  /** the ftp-anonymous probe's result and gaps */
  anonymous?: FtpFacts['anonymous'];
  anonymousGaps?: Gap[];
  /** the ftp-login-policy probe's result and gaps */
  loginPolicy?: FtpLoginPolicyProbe[];
  loginPolicyGaps?: Gap[];
  /** the ftp-channels probe's result and gaps */
  channels?: Partial<ChannelsResult>;
  gaps?: Gap[];
  /** the ftp-transfer-sequence probe's result */
  sequence?: FtpTransferSequence | null;
}

const SYST = '215 UNIX Type: L8';

/** An FTP-family endpoint, assembled from probe results by the real assembly. */
export function ftpEndpoint(spec: FtpSpec = {}): EndpointReport {
  const service = spec.service ?? 'ftps-explicit';
  const greeting = spec.greeting ?? ['220 (vsFTPd 3.0.3)'];
  const explicitFamily = service !== 'ftps-implicit';
  const authTls = spec.authTls === undefined ? (service === 'ftps-explicit' ? 234 : explicitFamily ? 530 : null) : spec.authTls;
  const authSsl = spec.authSsl === undefined ? authTls : spec.authSsl;
  const negotiated =
    spec.negotiated === undefined
      ? service === 'ftp'
        ? null
        : { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }
      : spec.negotiated;
  const authReplies = [
    ...(authTls !== null ? [{ command: 'AUTH TLS', code: authTls, text: authText(authTls) }] : []),
    ...(authSsl !== null ? [{ command: 'AUTH SSL', code: authSsl, text: authText(authSsl) }] : []),
  ];
  const detected: Detected = {
    address: spec.address ?? '127.0.0.1',
    state: spec.state ?? 'open',
    connectMs: 2,
    service,
    banner: greeting[0] ?? null,
    outcome: spec.outcome ?? null,
    error: spec.error ?? null,
    ftp: {
      greeting,
      syst: spec.syst === undefined ? SYST : spec.syst,
      features: spec.features === undefined ? null : spec.features,
      authTls: explicitFamily ? (authTls === null ? null : authTls === 234) : null,
      authSsl: explicitFamily ? (authSsl === null ? null : authSsl === 234) : null,
      authReplies: explicitFamily ? authReplies : [],
    },
    tlsNegotiated: negotiated,
    ssh: null,
    sshHandover: null,
    replyRttMs: null,
    helloPipelining: null,
  };
  const run = (id: string, section: ProbeRun['section'], result: unknown, gaps: Gap[] = []): ProbeRun => ({
    id,
    section,
    attempt: completed(result, gaps),
    crashed: false,
    ms: 1,
  });
  const runs: ProbeRun[] = [];
  if (spec.tls !== undefined && spec.tls !== null) runs.push(run('tls-inventory', 'tls', spec.tls));
  if (spec.anonymous !== undefined) runs.push(run('ftp-anonymous', 'ftp', { anonymous: spec.anonymous }, spec.anonymousGaps));
  if (spec.loginPolicy !== undefined) runs.push(run('ftp-login-policy', 'ftp', { loginPolicy: spec.loginPolicy }, spec.loginPolicyGaps));
  if (spec.channels !== undefined || spec.gaps !== undefined)
    runs.push(run('ftp-channels', 'ftp', { commandReplies: [], dataChannels: [], passiveSamples: [], ...spec.channels }, spec.gaps));
  if (spec.sequence !== undefined) runs.push(run('ftp-transfer-sequence', 'ftp', { transferSequence: spec.sequence }));
  const facts = assembleFacts(detected, runs);
  const ep: EndpointReport = {
    ...endpoint(spec),
    ...facts,
    service,
    banner: detected.banner,
    transcript: [],
  };
  ep.transcript = ftpTranscript(ep, detected);
  return ep;
}

function authText(code: number): string {
  return code === 234 ? 'Proceed with negotiation.' : code === 530 ? 'Please login with USER and PASS.' : 'Unknown command.';
}

/** The transcript a scan of these facts writes, each line tagged with its probe step. */
function ftpTranscript(ep: EndpointReport, detected: Detected): TranscriptLine[] {
  const w = new Wire();
  const ftp = ep.ftp;
  const detect = w.on('detect#1').note('connect', connectNote(ep.address ?? '127.0.0.1', ep.port, ep.state));
  if (ep.service === 'ftps-implicit' && detected.tlsNegotiated)
    detect.note('implicit-tls', `TLS established: ${detected.tlsNegotiated.protocol} ${detected.tlsNegotiated.cipher}`);
  if (!ftp) return w.lines;
  for (const g of ftp.greeting) detect.server('greeting', g);
  if (ftp.syst) detect.say('syst', 'SYST', ftp.syst);
  for (const r of ftp.authReplies ?? []) {
    const step: Step = r.command === 'AUTH TLS' ? 'auth-tls' : 'auth-ssl';
    const c = r.command === 'AUTH TLS' ? detect : w.on('auth-ssl#2');
    c.say(step, r.command, `${r.code} ${r.text}`);
    if (r.command === 'AUTH TLS' && r.code === 234 && detected.tlsNegotiated)
      c.note(step, `TLS established: ${detected.tlsNegotiated.protocol} ${detected.tlsNegotiated.cipher}`);
  }
  anonymousLines(w, ftp);
  for (const p of ftp.loginPolicy ?? []) {
    const c = w.on(p.conn).say('cleartext-login', `USER ${p.user}`, `${p.userReply.code} ${p.userReply.text}`);
    if (p.passReply) c.say('cleartext-login', 'PASS ********', `${p.passReply.code} ${p.passReply.text}`);
  }
  channelLines(w, ftp);
  return w.lines;
}

function anonymousLines(w: Wire, ftp: FtpFacts): void {
  const a = ftp.anonymous;
  if (!a?.tried || !a.conn) return;
  const c = w.on(a.conn);
  if (a.overTls) c.say('auth-tls', 'AUTH TLS', '234 Proceed with negotiation.');
  c.client('anonymous', 'USER anonymous');
  if (a.userCode !== null)
    c.server(
      'anonymous',
      `${a.userCode} ${a.userCode === 230 ? 'Login successful.' : a.userCode === 331 ? 'Please specify the password.' : 'Login incorrect.'}`,
    );
  if (a.decidedBy) c.note('anonymous', a.decidedBy);
  if (a.passCode !== null)
    c.say('anonymous', 'PASS ********', `${a.passCode} ${a.passCode === 230 ? 'Login successful.' : 'Login incorrect.'}`);
}

function channelLines(w: Wire, ftp: FtpFacts): void {
  for (const r of ftp.commandReplies ?? []) w.on(r.conn).say(r.step, r.command, `${r.code} ${r.text}`);
  if (ftp.login) {
    const c = w.on(MAIN).say('login', `USER ${ftp.login.user}`, '331 Please specify the password.');
    c.say(
      'login',
      'PASS ********',
      ftp.login.ok ? '230 Login successful.' : `${ftp.login.code ?? 530} ${ftp.login.error ?? 'Login incorrect.'}`,
    );
  }
  for (const d of ftp.dataChannels) {
    const c = w.on(d.conn ?? MAIN);
    const step = d.mode.toLowerCase() as Step;
    const setupReply = d.replies?.setup ?? (d.mode === 'PASV' ? 227 : d.mode === 'EPSV' ? 229 : 200);
    c.say(step, d.mode === 'PASV' || d.mode === 'EPSV' ? d.mode : `${d.mode} ${d.port ?? 0}`, `${setupReply} ${setupText(d)}`);
    if (d.failedStep === 'setup') continue;
    c.note(
      'transfer',
      `data ${d.connectAddress ?? '127.0.0.1'}:${d.port} ${d.failedStep === 'connect' ? (d.connectState ?? 'filtered') : 'open after 0 ms'}`,
    );
    if (d.failedStep === 'connect') continue;
    c.client('transfer', 'LIST');
    if (d.replies?.start)
      c.server('transfer', `${d.replies.start} ${d.replies.start === 150 ? 'Here comes the directory listing.' : (d.error ?? '')}`);
    if (d.replies?.end) c.server('transfer', `${d.replies.end} ${d.replies.end === 226 ? 'Directory send OK.' : (d.error ?? '')}`);
  }
  for (const s of ftp.passiveSamples ?? [])
    w.on(s.channel === 'clear' && ftp.authTls ? 'pasv-cleartext#12' : MAIN).say('passive-sample', s.command, s.reply);
  for (const b of ftp.bounce ?? []) w.on(MAIN).say('bounce', b.command, `${b.code} ${b.text}`);
  if (ftp.bounce?.length) w.on(MAIN).say('bounce', 'PASV', '227 Entering Passive Mode (127,0,0,1,156,66).');
  const after = ftp.cccDetail?.cleartextAfter;
  if (after) w.on(MAIN).say('ccc', 'PWD', `${after.code} ${after.text}`);
}

function setupText(d: FtpDataChannel): string {
  if (d.mode === 'PASV') {
    const [a, b, c, e] = (d.advertisedAddress ?? '127.0.0.1').split('.');
    const port = d.port ?? 0;
    return `Entering Passive Mode (${a},${b},${c},${e},${port >> 8},${port & 255}).`;
  }
  if (d.mode === 'EPSV') return `Entering Extended Passive Mode (|||${d.port}|)`;
  return d.replies?.setup === 200 || d.replies?.setup === undefined ? `${d.mode} command successful.` : 'Illegal PORT command.';
}

// ---- FTP probe results -----------------------------------------------------------------------

/** One PBSZ/PROT round as the channel probe records it (vsftpd's wording). */
export function protRound(
  loggedIn: boolean,
  codes: { pbsz?: number; protC?: number; protP?: number } = {},
  conn = MAIN,
): FtpCommandReply[] {
  const text = (code: number, ok: string) => (code === 200 ? ok : code === 530 ? 'Please login with USER and PASS.' : 'Unknown command.');
  const { pbsz = 200, protC = 200, protP = 200 } = codes;
  return [
    { command: 'PBSZ 0', code: pbsz, text: text(pbsz, 'PBSZ set to 0.'), loggedIn, conn, step: 'pbsz' },
    { command: 'PROT C', code: protC, text: text(protC, 'PROT now Clear.'), loggedIn, conn, step: 'prot-c' },
    { command: 'PROT P', code: protP, text: text(protP, 'PROT now Private.'), loggedIn, conn, step: 'prot-p' },
  ];
}

export function cccReply(code: number, loggedIn = true): FtpCommandReply {
  const text =
    code === 200 ? 'Clearing control channel protection' : code === 530 ? 'Please login with USER and PASS.' : 'Unknown command.';
  return { command: 'CCC', code, text, loggedIn, conn: MAIN, step: 'ccc' };
}

let nextPort = 0;

/** A data connection that carried a listing (PROT P ones resumed the control session). */
export function channel(mode: FtpDataChannel['mode'], protection: 'P' | 'C', over: Partial<FtpDataChannel> = {}): FtpDataChannel {
  const passive = mode === 'PASV' || mode === 'EPSV';
  const tls = protection === 'P';
  return {
    mode,
    protection,
    ok: true,
    advertisedAddress: mode === 'PASV' ? '127.0.0.1' : null,
    port: passive ? 40000 + (nextPort++ % 20) : 40999,
    error: null,
    reuseOffered: tls,
    connectAddress: '127.0.0.1',
    failedStep: null,
    connectState: passive ? 'open' : null,
    replies: { setup: mode === 'PASV' ? 227 : mode === 'EPSV' ? 229 : 200, start: 150, end: 226 },
    tls: tls ? { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', resumed: true, fingerprintSha256: null } : null,
    notTls: false,
    bytes: 129,
    entries: 2,
    controlTlsVersion: 'TLSv1.3',
    conn: MAIN,
    ...over,
  };
}

/** A data connection that failed at `step` (the fields a scan fills for each kind of failure). */
export function failedChannel(
  mode: FtpDataChannel['mode'],
  protection: 'P' | 'C',
  step: NonNullable<FtpDataChannel['failedStep']>,
  over: Partial<FtpDataChannel> = {},
): FtpDataChannel {
  const base = channel(mode, protection);
  const passive = mode === 'PASV' || mode === 'EPSV';
  const setup = base.replies!.setup;
  const byStep: Record<typeof step, Partial<FtpDataChannel>> = {
    setup: { replies: { setup: 500, start: null, end: null }, error: '500 Illegal PORT command.', port: null, connectState: null },
    connect: passive
      ? { replies: { setup, start: null, end: null }, error: 'data connection timed out', connectState: 'filtered' }
      : { replies: { setup, start: 425, end: null }, error: 'the server did not connect back within 5000 ms', connectState: null },
    tls: { replies: { setup, start: 150, end: null }, error: 'data TLS handshake failed: wrong version number' },
    transfer: { replies: { setup, start: 522, end: null }, error: '522 Data connections must be encrypted.' },
    reply: { replies: { setup, start: 150, end: 522 }, error: '522 SSL connection failed: session reuse required' },
  };
  return { ...base, ok: false, failedStep: step, tls: null, bytes: 0, entries: null, ...byStep[step], ...over };
}

export function sample(
  command: 'PASV' | 'EPSV',
  port: number | null,
  reachable: PortState | null = 'open',
  over: Partial<FtpPassiveSample> = {},
): FtpPassiveSample {
  const address = over.advertisedAddress === undefined ? (command === 'PASV' ? '127.0.0.1' : null) : over.advertisedAddress;
  const reply =
    port === null
      ? '530 Please login with USER and PASS.'
      : command === 'PASV'
        ? `227 Entering Passive Mode (${(address ?? '127.0.0.1').split('.').join(',')},${port >> 8},${port & 255}).`
        : `229 Entering Extended Passive Mode (|||${port}|)`;
  return {
    command,
    advertisedAddress: port === null ? null : address,
    port,
    reachable: port === null ? null : reachable,
    reply,
    channel: 'tls',
    ...over,
  };
}

/** One USER-before-AUTH observation; the verdict is the probe's own (judgeUserReply). */
export function loginObservation(
  kind: 'random' | 'given',
  user: { code: number; text: string },
  pass: { code: number; text: string } | null = null,
): FtpLoginPolicyProbe {
  const name = kind === 'random' ? 'xfs9039e0cb' : 'xfsuser';
  const reply = (r: { code: number; text: string }): FtpReply => ({ ...r, lines: [`${r.code} ${r.text}`] });
  const verdict = judgeUserReply(reply(user), pass ? reply(pass) : null);
  return { kind, user: name, userReply: user, passReply: pass, verdict, conn: `login-policy-${kind}#${kind === 'random' ? 5 : 6}` };
}

export function anonymousAttempt(over: Partial<NonNullable<FtpFacts['anonymous']>> = {}): NonNullable<FtpFacts['anonymous']> {
  return { tried: true, overTls: true, userCode: 530, passCode: null, accepted: false, canWrite: null, conn: 'anonymous#4', ...over };
}

export function loginAs(user: string, ok = true, over: Partial<NonNullable<FtpFacts['login']>> = {}): NonNullable<FtpFacts['login']> {
  return {
    user,
    anonymous: user === 'anonymous',
    ok,
    code: ok ? 230 : 530,
    overTls: true,
    error: ok ? null : 'Login incorrect.',
    ...over,
  };
}

export const NO_LOGIN_GAP: Gap = {
  step: 'login',
  reason: 'needs-login',
  detail:
    'no login: data channels, PROT C, bounce and CCC need --user with --password-env/--password-file, or a server that allows anonymous login',
};

/**
 * vsftpd with TLS required for logins and data (the lab's vsftpd-explicit, scanned with
 * credentials and --active): every protection check passes.
 */
export function vsftpdStrict(over: FtpSpec = {}): FtpSpec {
  return {
    service: 'ftps-explicit',
    greeting: ['220 (vsFTPd 3.0.3)'],
    tls: modernTls(),
    anonymous: anonymousAttempt(),
    loginPolicy: [
      loginObservation('random', { code: 530, text: 'Non-anonymous sessions must use encryption.' }),
      loginObservation('given', { code: 530, text: 'Non-anonymous sessions must use encryption.' }),
    ],
    channels: {
      commandReplies: [...protRound(false), cccReply(500)],
      login: loginAs('xfsuser'),
      dataChannels: [
        channel('EPSV', 'P', { port: 40018 }),
        channel('PASV', 'P', { port: 40009 }),
        channel('EPRT', 'P'),
        channel('PORT', 'P'),
        failedChannel('EPSV', 'C', 'transfer', { port: 40013 }),
        failedChannel('PASV', 'C', 'transfer', { port: 40012 }),
      ],
      passiveSamples: [sample('PASV', 40001), sample('PASV', 40006), sample('EPSV', 40002)],
      bounce: [
        { command: 'PORT 127,0,0,2,8,73', code: 500, text: 'Illegal PORT command.', accepted: false },
        { command: 'EPRT |1|127.0.0.2|2121|', code: 500, text: 'Illegal EPRT command.', accepted: false },
      ],
      cccDetail: { code: 500, text: 'Unknown command.', closeNotify: null, cleartextAfter: null },
      sessionReuse: {
        'TLSv1.3': {
          withoutReuse: { ok: false, code: 522, error: '522 SSL connection failed: session reuse required' },
          withReuse: { ok: true, code: 226, resumed: true, error: null },
        },
      },
    },
    ...over,
  };
}

/** Plain FTP with anonymous read access (the lab's vsftpd-plain). */
export function plainFtp(over: FtpSpec = {}): FtpSpec {
  return {
    service: 'ftp',
    greeting: ['220 (vsFTPd 3.0.3)'],
    authTls: 530,
    negotiated: null,
    anonymous: anonymousAttempt({ overTls: false, userCode: 331, passCode: 230, accepted: true }),
    loginPolicy: [loginObservation('random', { code: 331, text: 'Please specify the password.' }, { code: 530, text: 'Login incorrect.' })],
    channels: {
      login: loginAs('anonymous', true, { overTls: false }),
      dataChannels: [channel('EPSV', 'C', { port: 40046 }), channel('PASV', 'C', { port: 40057 })],
      passiveSamples: [sample('PASV', 40048, 'open', { channel: 'clear' }), sample('EPSV', 40041, 'open', { channel: 'clear' })],
      bounce: [
        { command: 'PORT 127,0,0,2,8,73', code: 500, text: 'Illegal PORT command.', accepted: false },
        { command: 'EPRT |1|127.0.0.2|2121|', code: 500, text: 'Illegal EPRT command.', accepted: false },
      ],
    },
    ...over,
  };
}

/** Merges channel-probe fields into a spec's. */
export function withChannels(spec: FtpSpec, channels: Partial<ChannelsResult>, gaps?: Gap[]): FtpSpec {
  return { ...spec, channels: { ...spec.channels, ...channels }, ...(gaps ? { gaps } : {}) };
}

// ---- TLS -------------------------------------------------------------------------------------

export function cert(over: Partial<TlsCertificateFacts> = {}): TlsCertificateFacts {
  return {
    index: 0,
    subject: 'CN=files.example.test',
    issuer: 'CN=Example Issuing CA',
    notBefore: '2026-06-01T00:00:00.000Z',
    notAfter: '2027-06-01T00:00:00.000Z',
    subjectAltNames: ['DNS:files.example.test'],
    keyType: 'RSA',
    keyBits: 2048,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    selfSigned: false,
    fingerprintSha256: '04:C8:F2:32:91:59:57:0E:AD:91:CC:1F:53:05:3F:B5:82:33:54:7A:37:84:DB:00:3D:2B:2C:7B:7E:33:50:58',
    keyCurve: null,
    lifetimeDays: 365,
    isCA: false,
    signatureHash: 'sha256',
    ...over,
  };
}

export const INTERMEDIATE = cert({
  index: 1,
  subject: 'CN=Example Issuing CA',
  issuer: 'CN=Example Root CA',
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2030-01-01T00:00:00.000Z',
  subjectAltNames: [],
  keyBits: 4096,
  isCA: true,
  lifetimeDays: 1826,
  fingerprintSha256: '9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08',
});

const ECDHE_GCM = [
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];
const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** A well-configured server: TLS 1.2 and 1.3 with Mozilla-intermediate suites, a trusted chain. */
export function modernTls(over: Partial<TlsFacts> = {}): TlsFacts {
  return {
    protocols: { SSLv2: false, SSLv3: false, 'TLSv1.0': false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
    cipherSuites: { 'TLSv1.2': [...ECDHE_GCM], 'TLSv1.3': [...TLS13] },
    serverPreference: true,
    serverPreferenceByVersion: { 'TLSv1.2': true, 'TLSv1.3': true },
    groups: ['x25519', 'secp256r1'],
    certificate: cert(),
    chain: [cert(), INTERMEDIATE],
    dhBits: null,
    secureRenegotiation: true,
    extendedMasterSecret: true,
    fallbackScsv: 'protected',
    compression: 'none',
    validation: {
      trusted: true,
      error: null,
      trustAnchor: 'CN=Example Root CA',
      trustSource: 'system',
      hostname: 'files.example.test',
      hostnameMatch: true,
      chainOrderProblem: null,
    },
    negotiated: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
    probe: {
      handshakes: 40,
      ms: 900,
      limited: false,
      errors: [],
      chainSource: 'handshake',
      evidence: [
        { label: 'TLSv1.3 ServerHello', value: 'server-hello TLSv1.3 TLS_AES_256_GCM_SHA384' },
        {
          label: 'TLSv1.2 ServerHello',
          value: 'server-hello TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 +renegotiation_info +extended_master_secret',
        },
      ],
    },
    ...over,
  };
}

/** An endpoint whose TLS facts are given (implicit FTPS unless said otherwise). */
export function tlsEndpoint(tls: TlsFacts | null, spec: EndpointSpec = {}): EndpointReport {
  const ep = endpoint({ service: 'ftps-implicit', port: 990, ...spec });
  ep.tls = tls;
  if (!tls) ep.error ??= 'TLS handshake failed: wrong version number';
  return ep;
}

/** What every TLS check does on endpoints it does not judge. */
export function notTlsRows(): CheckCase[] {
  return [
    { name: 'an SFTP endpoint is not its concern', endpoint: sshEndpoint(hardenedSsh()), expect: null },
    { name: 'plain FTP is not its concern', endpoint: ftpEndpoint(plainFtp()), expect: null },
    {
      name: 'a TLS service whose handshake failed: skipped with the error',
      endpoint: tlsEndpoint(null),
      expect: { status: 'skipped', detail: /^no TLS facts were gathered \(TLS handshake failed: wrong version number\)$/ },
    },
  ];
}

// ---- SSH -------------------------------------------------------------------------------------

/** OpenSSH 9.2 on Debian 12 hardened to current guidance: every SSH check passes. */
export function hardenedSsh(over: Partial<SshFacts> = {}): SshFacts {
  return {
    banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10',
    preBanner: [],
    protoVersion: '2.0',
    software: 'OpenSSH_9.2p1',
    comments: 'Debian-2+deb12u10',
    kex: [
      'sntrup761x25519-sha512@openssh.com',
      'curve25519-sha256',
      'curve25519-sha256@libssh.org',
      'diffie-hellman-group16-sha512',
      'diffie-hellman-group18-sha512',
      'diffie-hellman-group-exchange-sha256',
    ],
    kexMarkers: ['kex-strict-s-v00@openssh.com'],
    hostKeyAlgorithms: ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
    ciphers: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes128-ctr'],
    macs: ['hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'umac-128-etm@openssh.com'],
    compression: ['none', 'zlib@openssh.com'],
    hostKeys: [
      { type: 'ssh-ed25519', bits: 256, fingerprintSha256: 'SHA256:ugEgXhDQn0P3nIrHFtXeTX5yq3oduznCtJTHaV0Tdks', algorithm: 'ssh-ed25519' },
      { type: 'ssh-rsa', bits: 3072, fingerprintSha256: 'SHA256:FihaaNgSPhVDra/HFkqiMHJriYPVhFhlAH5/NoRlnV4', algorithm: 'rsa-sha2-512' },
    ],
    gex: [
      { label: 'default', min: 1024, n: 2048, max: 8192, kex: 'diffie-hellman-group-exchange-sha256', bits: 3072, error: null },
      { label: 'small', min: 1024, n: 1024, max: 8192, kex: 'diffie-hellman-group-exchange-sha256', bits: 3072, error: null },
    ],
    authMethods: ['publickey'],
    authProbe: { ok: true, error: null, noneAccepted: false, username: 'xfssftp' },
    strictKex: true,
    sftp: {
      opened: true,
      version: 3,
      extensions: { 'posix-rename@openssh.com': '1', 'statvfs@openssh.com': '2' },
      realpath: '/',
      error: null,
    },
    login: { attempted: true, ok: true, method: 'password', error: null },
    sftpOnly: {
      shell: 'refused',
      exec: 'refused',
      forwarding: 'refused',
      details: {
        shell: 'shell request refused',
        exec: "exec 'id' ran the forced command internal-sftp (no output)",
        forwarding: 'direct-tcpip refused (administratively prohibited)',
      },
    },
    ...over,
  };
}

export function sshEndpoint(ssh: SshFacts | null, spec: EndpointSpec = {}): EndpointReport {
  const ep = endpoint({ service: 'sftp', port: 22, ...spec });
  ep.ssh = ssh;
  if (ssh) ep.banner = ssh.banner;
  return ep;
}

/** The lab's sshd-legacy: SHA-1 key exchanges, CBC and 3DES, MD5 MACs, RSA-1024 and DSA host keys. */
export const LEGACY_SSH: Partial<SshFacts> = {
  kex: [
    'curve25519-sha256',
    'diffie-hellman-group14-sha256',
    'diffie-hellman-group1-sha1',
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group-exchange-sha1',
  ],
  hostKeyAlgorithms: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss'],
  ciphers: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes128-cbc', 'aes256-cbc', '3des-cbc'],
  macs: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha1', 'hmac-sha1-96', 'hmac-md5', 'hmac-md5-96'],
  hostKeys: [
    { type: 'ssh-rsa', bits: 1024, fingerprintSha256: 'SHA256:mNXKvgB1cJfxvbl2QGTvBR/f94XxLs1R/cd3249vDXo', algorithm: 'rsa-sha2-512' },
    { type: 'ssh-dss', bits: 1024, fingerprintSha256: 'SHA256:Nqz00aBotIcjx/jna7el6yRVpGhmLzejC/NpAWVFp3Q', algorithm: 'ssh-dss' },
  ],
};

/** What every SSH check does on endpoints it does not judge. */
export function notSshRows(lists = false): CheckCase[] {
  return [
    { name: 'an FTP endpoint is not its concern', endpoint: ftpEndpoint(vsftpdStrict()), expect: null },
    {
      name: 'SSH, but the audit gathered nothing: skipped',
      endpoint: sshEndpoint(null, { error: 'connection reset before the identification line' }),
      expect: { status: 'skipped', detail: /^no SSH facts were gathered \(connection reset before the identification line\)$/ },
    },
    ...(lists
      ? [
          {
            name: 'no KEXINIT read: skipped',
            endpoint: sshEndpoint(hardenedSsh({ kex: [], ciphers: [], macs: [], hostKeyAlgorithms: [], compression: [] })),
            expect: { status: 'skipped' as const, detail: /no SSH-2 KEXINIT was read/ },
          },
        ]
      : []),
  ];
}

// ---- policy ----------------------------------------------------------------------------------

/** A partner policy, validated (and so normalised) as --policy FILE is. */
export function policy(doc: unknown): Policy {
  return validatePolicy(doc);
}
