// The experiments the FTP channel probe runs on a logged-in (or not) control connection. Each
// records what happened on the wire into the probe's own result (a ChannelRun); none judges.
import crypto from 'node:crypto';
import net from 'node:net';
import type { ProbeContext } from '../probe.js';
import type { FtpCommandReply, FtpDataChannel, FtpFacts, FtpPassiveSample, Gap, Step } from '../model.js';
import type { FtpControl } from '../net/ftp-control.js';
import { transfer, type DataMode, type DataOptions, type DataResult } from '../net/ftp-data.js';
import { parseEpsv, parsePasv, portArgument, eprtArgument, plainAddress } from '../net/ftp-passive.js';

/** What the channel probe found: its slot of the endpoint's FTP facts. */
export interface ChannelsResult {
  commandReplies: FtpCommandReply[];
  dataChannels: FtpDataChannel[];
  passiveSamples: FtpPassiveSample[];
  bounce?: FtpFacts['bounce'];
  login?: FtpFacts['login'];
  cccDetail?: FtpFacts['cccDetail'];
  sessionReuse?: FtpFacts['sessionReuse'];
  writeTest?: FtpFacts['writeTest'];
  anonymousWriteTest?: FtpFacts['anonymousWriteTest'];
}

/** One run of the channel probe: its context, the result it builds and the steps it could not complete. */
export interface ChannelRun {
  ctx: ProbeContext;
  out: ChannelsResult;
  gaps: Gap[];
}

export function gap(run: ChannelRun, step: Step, reason: Gap['reason'], detail: string): void {
  run.gaps.push({ step, reason, detail });
}

/** Sends a command and keeps its reply among the probe's command replies. */
export async function recorded(run: ChannelRun, control: FtpControl, command: string, loggedIn: boolean, step: Step) {
  const reply = await control.command(command, { step });
  run.out.commandReplies.push({ command, code: reply.code, text: reply.text.slice(0, 200), loggedIn, conn: control.conn, step });
  return reply;
}

export function toDataChannel(r: DataResult, protection: 'P' | 'C', reuse: boolean, control: FtpControl): FtpDataChannel {
  return {
    mode: r.mode,
    protection,
    ok: r.ok,
    advertisedAddress: r.advertisedAddress,
    port: r.port,
    error: r.error,
    reuseOffered: protection === 'P' ? reuse : false,
    connectAddress: r.connectAddress,
    failedStep: r.failedStep,
    connectState: r.connectState ?? null,
    ...(r.mode === 'PORT' || r.mode === 'EPRT' ? { activeSourcePort: r.activeSourcePort ?? null } : {}),
    replies: { setup: r.setupReply?.code ?? null, start: r.startReply?.code ?? null, end: r.endReply?.code ?? null },
    tls: r.tls,
    notTls: r.notTls,
    bytes: r.bytes,
    entries: r.entries ?? null,
    controlTlsVersion: control.tls?.getProtocol() ?? null,
    conn: control.conn,
  };
}

export function dataOptions(
  ctx: ProbeContext,
  mode: DataMode,
  protection: 'P' | 'C',
  command: string,
  extra: Partial<DataOptions> = {},
): DataOptions {
  return {
    mode,
    tls: protection === 'P',
    reuse: true,
    command,
    host: ctx.target.host,
    address: ctx.address,
    allowForeignPasv: ctx.options.allowForeignPasv,
    dialer: ctx.dialer,
    timeoutMs: ctx.options.timeoutMs,
    transcript: ctx.transcript,
    ...extra,
  };
}

/** A listing over one data connection, recorded among the data channels. */
export async function runTransfer(
  run: ChannelRun,
  control: FtpControl,
  mode: DataMode,
  protection: 'P' | 'C',
  reuse: boolean,
  opts: { stallMs?: number; step?: Step } = {},
): Promise<DataResult> {
  const r = await transfer(control, dataOptions(run.ctx, mode, protection, 'LIST', { reuse, ...opts }));
  run.out.dataChannels.push(toDataChannel(r, protection, reuse, control));
  return r;
}

/** Samples PASV/EPSV replies without transfers and dials each advertised port (then closes). */
export async function samplePassive(run: ChannelRun, control: FtpControl, counts: { PASV: number; EPSV: number }): Promise<void> {
  const { ctx } = run;
  const samples = run.out.passiveSamples;
  const channel = control.tls ? 'tls' : 'clear';
  for (const command of ['PASV', 'EPSV'] as const) {
    for (let i = 0; i < counts[command]; i++) {
      const reply = await control.command(command, { step: 'passive-sample' });
      const said = `${reply.code} ${reply.text.slice(0, 120)}`;
      if (reply.code !== (command === 'PASV' ? 227 : 229)) {
        samples.push({ command, advertisedAddress: null, port: null, reachable: null, reply: said, channel });
        break;
      }
      let parsed: { address: string | null; port: number };
      try {
        parsed = command === 'PASV' ? parsePasv(reply.text) : parseEpsv(reply.text);
      } catch (err) {
        samples.push({
          command,
          advertisedAddress: null,
          port: null,
          reachable: null,
          reply: `${said} (${(err as Error).message})`,
          channel,
        });
        break;
      }
      // Always dial the control address: a foreign PASV address is reported, never followed here.
      const d = await ctx.dialer.dial(parsed.port, ctx.options.timeoutMs, { data: true });
      d.socket?.destroy();
      samples.push({ command, advertisedAddress: parsed.address, port: parsed.port, reachable: d.state, reply: said, channel });
    }
  }
}

/** An address that is not ours, for the bounce test; it stays on loopback when we are on it. */
export function bounceAddress(local: string): string {
  return plainAddress(local).startsWith('127.') ? '127.0.0.2' : '192.0.2.1';
}

/**
 * On loopback, a listener of ours at the "foreign" address tells a server that tried to connect
 * there from one that refused (elsewhere only the reply can: a 425 means it tried). It only ever
 * accepts and closes: no data is sent to or from it.
 */
async function bounceListener(address: string): Promise<{ port: number; connections: () => number; close: () => void } | null> {
  if (!address.startsWith('127.')) return null;
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  server.on('error', () => {});
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, address, () => resolve(true));
  });
  if (!ok) return null;
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections, close: () => server.close() };
}

/** FTP bounce: PORT/EPRT naming an address other than ours. Reply only; never a transfer. */
export async function bounceTest(run: ChannelRun, control: FtpControl): Promise<void> {
  const proxy = run.ctx.dialer.proxy;
  if (proxy) {
    gap(run, 'bounce', 'unsupported', `bounce test skipped: untestable through the proxy ${proxy} (the server cannot connect to us there)`);
    return;
  }
  const local = control.localAddress;
  if (!local || !net.isIPv4(plainAddress(local))) {
    gap(run, 'bounce', 'unsupported', 'bounce test skipped: it needs an IPv4 control connection');
    return;
  }
  const foreign = bounceAddress(local);
  const listener = await bounceListener(foreign);
  const port = listener?.port ?? 2121;
  const bounce: NonNullable<FtpFacts['bounce']> = [];
  run.out.bounce = bounce;
  try {
    for (const [command, arg] of [
      ['PORT', portArgument(foreign, port)],
      ['EPRT', eprtArgument(foreign, port)],
    ] as const) {
      const before = listener?.connections() ?? 0;
      const reply = await control.command(`${command} ${arg}`, { step: 'bounce' });
      // a server that connects at PORT time has done so by its reply; give a late one a moment,
      // unless the reply refused the command (5xx): a server that said no does not connect
      const refused = reply.code >= 500 && reply.code < 600;
      if (listener && !refused && listener.connections() === before) await new Promise((r) => setTimeout(r, 50));
      // counted per command: a connection PORT caused must not be credited to EPRT
      const connected = listener ? listener.connections() > before : null;
      const accepted = reply.code >= 200 && reply.code < 300;
      bounce.push({
        command: `${command} ${arg}`,
        code: reply.code,
        text: reply.text.slice(0, 200),
        accepted,
        connected,
      });
    }
    // Cancel any accepted PORT before anything else can use it.
    await control.command('PASV', { step: 'bounce' }).catch(() => undefined);
  } finally {
    listener?.close();
  }
}

/** Where to try writing: the login directory, then the usual upload directories. */
export const WRITE_TEST_DIRS = ['', 'incoming', 'upload', 'uploads', 'pub/incoming'];

type WriteTest = NonNullable<FtpFacts['writeTest']>;

/**
 * --write-test: upload a uniquely named file, read it back, compare SHA-256, delete it — and try
 * to delete it whatever failed in between. Reports exactly what is left behind, if anything.
 */
export async function writeTest(
  run: ChannelRun,
  control: FtpControl,
  mode: DataMode,
  protection: 'P' | 'C',
  slot: 'writeTest' | 'anonymousWriteTest' = 'writeTest',
): Promise<void> {
  const file = `xferscan-write-test-${Date.now()}-${crypto.randomBytes(6).toString('hex')}.tmp`;
  const content = Buffer.from(`xferscan write test ${new Date().toISOString()} ${crypto.randomBytes(16).toString('hex')}\n`);
  const result: WriteTest = { file, uploaded: false, verified: null, deleted: false, leftBehind: null, error: null };
  run.out[slot] = result;
  const pwd = await control.command('PWD', { step: 'write-test' });
  const home = /"((?:[^"]|"")*)"/.exec(pwd.text)?.[1]?.replace(/""/g, '"') ?? null;
  await control.command('TYPE I', { step: 'write-test' });
  const refusals: string[] = [];
  for (const dir of WRITE_TEST_DIRS) {
    if (dir) {
      if (!home) break; // cannot come back safely without knowing where we started
      const cwd = await control.command(`CWD ${dir}`, { step: 'write-test' });
      if (cwd.code !== 250) continue;
    }
    const where = dir ? `${dir}/${file}` : file;
    try {
      await uploadAndVerify(run, control, mode, protection, file, content, result, where, (why) =>
        refusals.push(`${dir || 'login directory'}: ${why}`),
      );
    } catch (err) {
      result.error = (err as Error).message;
    } finally {
      await removeTestFile(control, file, where, result);
      if (dir && home) await control.command(`CWD ${home}`, { step: 'write-test' }).catch(() => undefined);
    }
    if (result.uploaded || result.error) break;
  }
  if (!result.uploaded && !result.error) result.error = `no upload accepted (${refusals.join('; ')})`;
}

async function uploadAndVerify(
  run: ChannelRun,
  control: FtpControl,
  mode: DataMode,
  protection: 'P' | 'C',
  file: string,
  content: Buffer,
  result: WriteTest,
  where: string,
  refused: (why: string) => void,
): Promise<void> {
  const step: Step = 'write-test';
  const up = await transfer(control, dataOptions(run.ctx, mode, protection, `STOR ${file}`, { upload: content, step }));
  if (!up.ok) {
    refused(up.error ?? 'refused');
    return;
  }
  result.uploaded = true;
  result.file = where;
  const down = await transfer(control, dataOptions(run.ctx, mode, protection, `RETR ${file}`, { step }));
  result.verified = down.ok && down.sha256 === crypto.createHash('sha256').update(content).digest('hex');
  if (!down.ok) result.error = `download failed: ${down.error}`;
}

/** DELE the test file; when that fails, SIZE tells whether anything was stored at all. */
async function removeTestFile(control: FtpControl, file: string, where: string, result: WriteTest): Promise<void> {
  try {
    const del = await control.command(`DELE ${file}`, { step: 'write-test' });
    if (del.code === 250 || del.code === 200) {
      result.deleted = true;
      return;
    }
    const size = await control.command(`SIZE ${file}`, { step: 'write-test' });
    if (size.code === 213) result.leftBehind = `${where} (DELE answered ${del.code} ${del.text.slice(0, 80)})`;
  } catch (err) {
    // The connection broke: a fresh session could still clean up, but say exactly what may remain.
    result.leftBehind = `${where} (the connection broke before DELE: ${(err as Error).message})`;
  }
}

/** CCC: if accepted, finish the TLS close and prove a cleartext command works on the same TCP. */
export async function cccTest(run: ChannelRun, control: FtpControl, loggedIn: boolean): Promise<void> {
  const asked = performance.now();
  const reply = await recorded(run, control, 'CCC', loggedIn, 'ccc');
  const replyMs = performance.now() - asked;
  if ((reply.code === 530 || reply.code === 503) && !loggedIn) {
    gap(run, 'ccc', 'needs-login', 'CCC needs a login on this server; give --user/--password-env to test it');
    return;
  }
  const detail: NonNullable<FtpFacts['cccDetail']> = {
    code: reply.code,
    text: reply.text.slice(0, 200),
    closeNotify: null,
    cleartextAfter: null,
  };
  run.out.cccDetail = detail;
  if (reply.code !== 200) return;
  // A server that answers close_notify does so as fast as it answered CCC: a few of those
  // round trips (at least 150 ms, at most 1 s) are enough to tell it from one that never does.
  detail.closeNotify = await control.dropTls(Math.min(1000, Math.max(150, replyMs * 5)));
  const after = await control.command('PWD', { step: 'ccc' });
  detail.cleartextAfter = { code: after.code, text: after.text.slice(0, 200) };
}
