// One connection through a virtual address to an FTP service: the greeting, the TLS handshake
// (explicit AUTH TLS or implicit) with the certificate and what a default client negotiates, and
// with credentials one PASV answer (address and port; no data connection is opened).
import type { Dialer } from '../net/dialer.js';
import type { ConnectionOutcome, Service } from '../model.js';
import type { Credentials } from '../probe.js';
import { FtpControl } from '../net/ftp-control.js';
import { summarizePeer } from '../net/tls-upgrade.js';
import { Transcript } from '../net/transcript.js';
import { asProbeError, ProbeError } from '../net/outcomes.js';
import { parsePasv, plainAddress } from '../net/ftp-passive.js';
import { login } from '../ftp/session.js';
import { ftpSoftwareValue, greetingValue } from '../derive/cluster-facts.js';

export interface FtpSampleOptions {
  dialer: Dialer;
  host: string;
  port: number;
  service: Service;
  timeoutMs: number;
  credentials: Credentials | null;
  allowCleartextLogin: boolean;
}

export interface FtpSampleResult {
  ok: boolean;
  outcome: ConnectionOutcome | null;
  facts: Record<string, string>;
  error?: string;
}

async function tls(control: FtpControl, o: FtpSampleOptions, facts: Record<string, string>): Promise<void> {
  const t = await control.upgradeToTls({ host: o.host });
  const peer = summarizePeer(t);
  if (peer.fingerprintSha256) facts['tls.cert'] = peer.fingerprintSha256;
  if (peer.protocol) facts['tls.negotiated'] = `${peer.protocol} ${peer.cipher ?? ''}`.trim();
}

/** With credentials: log in (never in cleartext unless allowed), protect the data channel, ask PASV. */
async function pasv(control: FtpControl, o: FtpSampleOptions, secured: boolean, facts: Record<string, string>): Promise<void> {
  const c = o.credentials;
  if (!c?.password || (!secured && !o.allowCleartextLogin)) return;
  const l = await login(control, c.user, c.password);
  if (!l.ok) throw new ProbeError('refused-by-server', `login refused: ${(l.passReply ?? l.userReply).code}`);
  if (secured) {
    await control.command('PBSZ 0');
    await control.command('PROT P');
  }
  const r = await control.command('PASV');
  if (r.code !== 227) return;
  const p = parsePasv(r.text);
  if (p.address) facts['ftp.pasv.advertised'] = plainAddress(p.address);
  facts['ftp.pasv.port'] = String(p.port);
}

/** One sample; never throws. */
export async function sampleFtp(o: FtpSampleOptions): Promise<FtpSampleResult> {
  const facts: Record<string, string> = {};
  const d = await o.dialer.dial(o.port, o.timeoutMs);
  if (!d.socket) return { ok: false, outcome: d.state, facts, error: `TCP connect: ${d.state}${d.code ? ` (${d.code})` : ''}` };
  const transcript = new Transcript();
  transcript.addSecret(o.credentials?.password);
  const control = new FtpControl(d.socket, transcript, transcript.conn('vip'), o.timeoutMs);
  try {
    if (o.service === 'ftps-implicit') await tls(control, o, facts);
    const greeting = await control.readReply();
    facts.greeting = greetingValue(greeting.lines);
    const sw = ftpSoftwareValue(greeting.lines);
    if (sw) facts.software = sw;
    if (greeting.code !== 220) throw new ProbeError('refused-by-server', `greeted with ${greeting.code}`);
    if (o.service === 'ftps-explicit') {
      const auth = await control.command('AUTH TLS');
      if (auth.code !== 234) throw new ProbeError('refused-by-server', `AUTH TLS answered ${auth.code}`);
      await tls(control, o, facts);
    }
    await pasv(control, o, o.service !== 'ftp', facts);
    return { ok: true, outcome: null, facts };
  } catch (err) {
    const e = asProbeError(err);
    // what it showed before it stopped still counts (a refused login keeps the certificate it saw)
    return { ok: Object.keys(facts).length > 0, outcome: e.outcome, facts, error: e.message };
  } finally {
    await control.quit();
  }
}
