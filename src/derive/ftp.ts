// Derived FTP facts: pure functions from what the probes saw on the wire to the conclusions the
// report states (and checks read). Each rule is one function, unit-tested from fact fixtures.
import type { FtpCommandReply, FtpDataChannel, FtpFacts, FtpLoginPolicyProbe, FtpPassiveSample, Service, Step } from '../model.js';

type Anonymous = FtpFacts['anonymous'];

/**
 * Whether anonymous login works: true when accepted; false when refused; null when the attempt
 * did not get an answer that decides it (e.g. the connection dropped after USER 331).
 */
export function anonymousLoginWorks(a: Anonymous | undefined): boolean | null {
  if (!a || !a.tried) return null;
  if (a.accepted) return true;
  const decided = a.userCode !== null && (a.userCode !== 331 || a.passCode !== null || !!a.decidedBy);
  return decided ? false : null;
}

/** Whether credentials can cross the network before TLS, from the USER-before-AUTH observations. */
export function cleartextLoginPossible(service: Service | null, loginPolicy: FtpLoginPolicyProbe[] | undefined): boolean | null {
  // TLS from the first byte: nothing, not even USER, crosses in cleartext.
  if (service === 'ftps-implicit') return false;
  if (!loginPolicy || loginPolicy.length === 0) return null;
  // a password asked for and only then refused for lack of TLS has crossed in cleartext all the same
  if (loginPolicy.some((p) => p.verdict === 'password-requested' || p.verdict === 'accepted' || p.verdict === 'refused-at-password'))
    return true;
  return loginPolicy.some((p) => p.verdict === 'unknown') ? null : false;
}

const PROTECTION_STEPS: Step[] = ['pbsz', 'prot-c', 'prot-p'];

/**
 * The PBSZ/PROT round that decides the reply-level facts: the one sent after login when the
 * server asked for a login first (530 or 503 before login), else the one before login.
 */
export function protectionRound(replies: FtpCommandReply[]): Map<Step, FtpCommandReply> | null {
  const round = (loggedIn: boolean) =>
    new Map(
      replies.filter((r) => r.loggedIn === loggedIn && r.step && PROTECTION_STEPS.includes(r.step)).map((r) => [r.step!, r] as const),
    );
  const after = round(true);
  if (after.has('prot-p')) return after;
  const before = round(false);
  if (!before.has('prot-p')) return null;
  // 530 (not logged in) and 503 (bad sequence) before login are sequence errors, not refusals
  return [...before.values()].some((r) => r.code === 530 || r.code === 503) ? null : before;
}

/**
 * The cleartext data connections whose outcome the server decided: one that never connected
 * (a firewall dropped it) says nothing about what the server allows.
 */
export function decisiveCleartext(dataChannels: FtpDataChannel[]): FtpDataChannel[] {
  return dataChannels.filter((d) => d.protection === 'C' && (d.ok || d.failedStep !== 'connect'));
}

/** PBSZ 0 and PROT P accepted (200), and PROT C as far as the transfers (or, without them, the reply) show. */
export function protection(
  replies: FtpCommandReply[] | undefined,
  dataChannels: FtpDataChannel[],
): Pick<FtpFacts, 'pbsz' | 'protP' | 'protC'> {
  const round = protectionRound(replies ?? []);
  if (!round) return { pbsz: null, protP: null, protC: null };
  return {
    pbsz: round.get('pbsz')?.code === 200,
    protP: round.get('prot-p')?.code === 200,
    // What PROT C really allows is decided by cleartext transfers, not by the 200 reply.
    protC:
      decisiveCleartext(dataChannels).length > 0 ? decisiveCleartext(dataChannels).some((d) => d.ok) : round.get('prot-c')?.code === 200,
  };
}

/** CCC accepted (200), refused, or not tried (null). */
export function cccAccepted(detail: FtpFacts['cccDetail'] | undefined): boolean | null {
  return detail ? detail.code === 200 : null;
}

/** Reuse is required when listings fail without resumption and work with it, on some version. */
export function sessionReuseRequired(reuse: FtpFacts['sessionReuse'] | undefined): boolean | null {
  const runs = Object.values(reuse ?? {});
  if (runs.length === 0) return null;
  if (runs.some((r) => !r.withoutReuse.ok && r.withReuse?.ok)) return true;
  if (runs.some((r) => r.withoutReuse.ok)) return false;
  return null;
}

/** Every passive port the server advertised to us, in the order first seen. */
export function passivePortsSeen(dataChannels: FtpDataChannel[], samples: FtpPassiveSample[] | undefined): number[] {
  const ports = [
    ...dataChannels.filter((d) => d.mode === 'PASV' || d.mode === 'EPSV').map((d) => d.port),
    ...(samples ?? []).map((s) => s.port),
  ];
  return [...new Set(ports.filter((p): p is number => p !== null))];
}

/** Whether anonymous users can upload: known only when a write test ran as anonymous. */
export function anonymousCanWrite(ftp: Pick<FtpFacts, 'login' | 'writeTest' | 'anonymousWriteTest'>): boolean | null {
  if (ftp.login?.anonymous && ftp.writeTest) return ftp.writeTest.uploaded;
  return ftp.anonymousWriteTest ? ftp.anonymousWriteTest.uploaded : null;
}

/**
 * What a reply to PORT/EPRT naming a foreign address means (RFC 959): 2xx took it; a 425/426
 * ("can't open data connection") means the server tried to connect there, so it took it too; our
 * listener seeing the connection proves it; 530 needs a login; any other 5xx refused the command.
 */
export type BounceVerdict = 'accepted' | 'tried to connect' | 'needs a login' | 'refused' | 'undecided';

export function bounceVerdict(x: { code: number; accepted: boolean; connected?: boolean | null }): BounceVerdict {
  if (x.accepted) return 'accepted';
  if (x.connected === true || x.code === 425 || x.code === 426) return 'tried to connect';
  if (x.code === 530) return 'needs a login';
  if (x.code >= 500) return 'refused';
  return 'undecided';
}
