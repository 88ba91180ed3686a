// The experiments the FTP channel probe runs on a logged-in (or not) control connection. Each
// records what happened on the wire into the endpoint's FTP facts; none of them judges.
import crypto from 'node:crypto';
import net from 'node:net';
import type { ProbeContext } from '../probe.js';
import type { FtpDataChannel, FtpFacts, FtpPassiveSample } from '../model.js';
import type { FtpControl } from '../net/ftp-control.js';
import { transfer, type DataMode, type DataResult } from '../net/ftp-data.js';
import { parseEpsv, parsePasv, portArgument, eprtArgument, plainAddress } from '../net/ftp-passive.js';
import { dial } from '../net/tcp.js';

export function ftpNote(ftp: FtpFacts, text: string): void {
  (ftp.notes ??= []).push(text);
}

/** Sends a command and keeps its reply among the session's command replies. */
export async function recorded(ctx: ProbeContext, control: FtpControl, command: string, loggedIn: boolean) {
  const reply = await control.command(command);
  (ctx.endpoint.ftp!.commandReplies ??= []).push({
    command,
    code: reply.code,
    text: reply.text.slice(0, 200),
    loggedIn,
    conn: control.conn,
  });
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
    replies: { setup: r.setupReply?.code ?? null, start: r.startReply?.code ?? null, end: r.endReply?.code ?? null },
    tls: r.tls,
    notTls: r.notTls,
    bytes: r.bytes,
    entries: r.entries ?? null,
    controlTlsVersion: control.tls?.getProtocol() ?? null,
    conn: control.conn,
  };
}

export async function runTransfer(
  ctx: ProbeContext,
  control: FtpControl,
  mode: DataMode,
  protection: 'P' | 'C',
  reuse: boolean,
  stallMs?: number,
): Promise<DataResult> {
  const r = await transfer(control, {
    stallMs,
    mode,
    tls: protection === 'P',
    reuse,
    command: 'LIST',
    host: ctx.target.host,
    address: ctx.address,
    allowForeignPasv: ctx.options.allowForeignPasv,
    timeoutMs: ctx.options.timeoutMs,
    transcript: ctx.transcript,
  });
  const ftp = ctx.endpoint.ftp!;
  ftp.dataChannels.push(toDataChannel(r, protection, reuse, control));
  if ((mode === 'PASV' || mode === 'EPSV') && r.port !== null && !ftp.passivePortsSeen.includes(r.port)) ftp.passivePortsSeen.push(r.port);
  return r;
}

/** Samples PASV/EPSV replies without transfers and dials each advertised port (then closes). */
export async function samplePassive(ctx: ProbeContext, control: FtpControl, counts: { PASV: number; EPSV: number }): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const samples: FtpPassiveSample[] = (ftp.passiveSamples ??= []);
  const channel = control.tls ? 'tls' : 'clear';
  for (const command of ['PASV', 'EPSV'] as const) {
    for (let i = 0; i < counts[command]; i++) {
      const reply = await control.command(command);
      if (reply.code !== (command === 'PASV' ? 227 : 229)) {
        samples.push({
          command,
          advertisedAddress: null,
          port: null,
          reachable: null,
          reply: `${reply.code} ${reply.text.slice(0, 120)}`,
          channel,
        });
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
          reply: `${reply.code} ${reply.text.slice(0, 120)} (${(err as Error).message})`,
          channel,
        });
        break;
      }
      // Always dial the control address: a foreign PASV address is reported, never followed here.
      const d = await dial(ctx.address, parsed.port, ctx.options.timeoutMs, { dataChannel: true });
      d.socket?.destroy();
      samples.push({
        command,
        advertisedAddress: parsed.address,
        port: parsed.port,
        reachable: d.state,
        reply: `${reply.code} ${reply.text.slice(0, 120)}`,
        channel,
      });
      if (!ftp.passivePortsSeen.includes(parsed.port)) ftp.passivePortsSeen.push(parsed.port);
    }
  }
}

/** An address that is not ours, for the bounce test; it stays on loopback when we are on it. */
export function bounceAddress(local: string): string {
  return plainAddress(local).startsWith('127.') ? '127.0.0.2' : '192.0.2.1';
}

/** FTP bounce: PORT/EPRT naming an address other than ours. Reply only; never a transfer. */
export async function bounceTest(ctx: ProbeContext, control: FtpControl): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const local = control.localAddress;
  if (!local || !net.isIPv4(plainAddress(local))) {
    ftpNote(ftp, 'bounce test skipped: it needs an IPv4 control connection');
    return;
  }
  const foreign = bounceAddress(local);
  ftp.bounce = [];
  for (const [command, arg] of [
    ['PORT', portArgument(foreign, 2121)],
    ['EPRT', eprtArgument(foreign, 2121)],
  ] as const) {
    const reply = await control.command(`${command} ${arg}`);
    ftp.bounce.push({
      command: `${command} ${arg}`,
      code: reply.code,
      text: reply.text.slice(0, 200),
      accepted: reply.code >= 200 && reply.code < 300,
    });
  }
  // Cancel any accepted PORT before anything else can use it.
  await control.command('PASV').catch(() => undefined);
}

/** Where to try writing: the login directory, then the usual upload directories. */
export const WRITE_TEST_DIRS = ['', 'incoming', 'upload', 'uploads', 'pub/incoming'];

/**
 * --write-test: upload a uniquely named file, read it back, compare SHA-256, delete it — and try
 * to delete it whatever failed in between. Reports exactly what is left behind, if anything.
 */
export async function writeTest(ctx: ProbeContext, control: FtpControl, mode: DataMode, protection: 'P' | 'C'): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const file = `xferscan-write-test-${Date.now()}-${crypto.randomBytes(6).toString('hex')}.tmp`;
  const content = Buffer.from(`xferscan write test ${new Date().toISOString()} ${crypto.randomBytes(16).toString('hex')}\n`);
  const result: NonNullable<FtpFacts['writeTest']> = {
    file,
    uploaded: false,
    verified: null,
    deleted: false,
    leftBehind: null,
    error: null,
  };
  ftp.writeTest = result;
  const pwd = await control.command('PWD');
  const home = /"((?:[^"]|"")*)"/.exec(pwd.text)?.[1]?.replace(/""/g, '"') ?? null;
  await control.command('TYPE I');
  const refusals: string[] = [];
  for (const dir of WRITE_TEST_DIRS) {
    if (dir) {
      if (!home) break; // cannot come back safely without knowing where we started
      const cwd = await control.command(`CWD ${dir}`);
      if (cwd.code !== 250) continue;
    }
    const where = dir ? `${dir}/${file}` : file;
    let attempted = false;
    try {
      attempted = true;
      const up = await transfer(control, dataOptions(ctx, mode, protection, `STOR ${file}`, content));
      if (up.ok) {
        result.uploaded = true;
        result.file = where;
        const down = await transfer(control, dataOptions(ctx, mode, protection, `RETR ${file}`));
        result.verified = down.ok && down.sha256 === crypto.createHash('sha256').update(content).digest('hex');
        if (!down.ok) result.error = `download failed: ${down.error}`;
      } else {
        refusals.push(`${dir || 'login directory'}: ${up.error}`);
      }
    } catch (err) {
      result.error = (err as Error).message;
    } finally {
      if (attempted) await removeTestFile(control, file, where, result);
      if (dir && home) await control.command(`CWD ${home}`).catch(() => undefined);
    }
    if (result.uploaded || result.error) break;
  }
  if (!result.uploaded && !result.error) result.error = `no upload accepted (${refusals.join('; ')})`;
}

/** DELE the test file; when that fails, SIZE tells whether anything was stored at all. */
async function removeTestFile(control: FtpControl, file: string, where: string, result: NonNullable<FtpFacts['writeTest']>): Promise<void> {
  try {
    const del = await control.command(`DELE ${file}`);
    if (del.code === 250 || del.code === 200) {
      result.deleted = true;
      return;
    }
    const size = await control.command(`SIZE ${file}`);
    if (size.code === 213) result.leftBehind = `${where} (DELE answered ${del.code} ${del.text.slice(0, 80)})`;
  } catch (err) {
    // The connection broke: a fresh session could still clean up, but say exactly what may remain.
    result.leftBehind = `${where} (the connection broke before DELE: ${(err as Error).message})`;
  }
}

function dataOptions(ctx: ProbeContext, mode: DataMode, protection: 'P' | 'C', command: string, upload?: Buffer) {
  return {
    mode,
    tls: protection === 'P',
    reuse: true,
    command,
    upload,
    host: ctx.target.host,
    address: ctx.address,
    allowForeignPasv: ctx.options.allowForeignPasv,
    timeoutMs: ctx.options.timeoutMs,
    transcript: ctx.transcript,
  };
}

/** CCC: if accepted, finish the TLS close and prove a cleartext command works on the same TCP. */
export async function cccTest(ctx: ProbeContext, control: FtpControl, loggedIn: boolean): Promise<void> {
  const ftp = ctx.endpoint.ftp!;
  const asked = performance.now();
  const reply = await recorded(ctx, control, 'CCC', loggedIn);
  const replyMs = performance.now() - asked;
  if (reply.code === 530 && !loggedIn) {
    ftp.ccc = null;
    ftpNote(ftp, 'CCC needs a login on this server; give --user/--password-env to test it');
    return;
  }
  ftp.ccc = reply.code === 200;
  ftp.cccDetail = { code: reply.code, text: reply.text.slice(0, 200), closeNotify: null, cleartextAfter: null };
  if (reply.code !== 200) return;
  // A server that answers close_notify does so as fast as it answered CCC: a few of those
  // round trips (at least 150 ms, at most 1 s) are enough to tell it from one that never does.
  ftp.cccDetail.closeNotify = await control.dropTls(Math.min(1000, Math.max(150, replyMs * 5)));
  const after = await control.command('PWD');
  ftp.cccDetail.cleartextAfter = { code: after.code, text: after.text.slice(0, 200) };
}
