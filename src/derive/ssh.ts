// Derived SSH facts: what the channel requests of a file-transfer account prove. Exit status 0
// proves nothing (a forced command exits 0 too): a command ran only when our marker came back.
// A connection that died under a request is no refusal: it is undecided.
import type { HardeningVerdict, SshChannelAttempt, SshForwardAttempt, SshHardening, SshSftpOnlyFacts } from '../model.js';

type Judged = { verdict: HardeningVerdict; detail: string };

const REFUSAL_TEXT =
  /allows sftp connections only|only sftp|sftp[- ]only|not allowed|not available|restricted|denied|not permitted|prohibited/i;

const brief = (a: SshChannelAttempt) => {
  const t = `${a.stdout} ${a.stderr}`.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
};

/** exec or shell: allowed only when the marker came back; refused when the server said no or a forced command answered instead. */
export function channelVerdict(kind: 'exec' | 'shell', a: SshChannelAttempt): Judged {
  const text = brief(a);
  const tries = a.tries > 1 ? ` (after ${a.tries} connections)` : '';
  if (a.nonceSeen)
    return {
      verdict: 'allowed',
      detail: `${kind} ran our command: its marker came back${a.exitCode !== null ? ` (exit ${a.exitCode})` : ''}`,
    };
  if (a.connectionLost)
    return { verdict: 'error', detail: `the connection died under the ${kind} request${tries}: undecided${text ? `: ${text}` : ''}` };
  if (a.openError)
    return { verdict: 'refused', detail: `${kind} request refused: ${a.openError}${a.reason !== null ? ` (reason ${a.reason})` : ''}` };
  if (a.exitCode !== null && a.exitCode !== 0)
    return { verdict: 'refused', detail: `${kind} accepted at channel level but exited ${a.exitCode}${text ? `: ${text}` : ''}` };
  if (REFUSAL_TEXT.test(text)) return { verdict: 'refused', detail: `${kind} answered with a refusal: ${text}` };
  if (a.exitCode === 0)
    return { verdict: 'refused', detail: `${kind} exited 0 without running our command (a forced command)${text ? `: ${text}` : ''}` };
  if (!a.closed)
    return { verdict: 'error', detail: `the ${kind} channel neither ran our command nor closed in time${text ? `: ${text}` : ''}` };
  return { verdict: 'error', detail: `the ${kind} channel closed without running our command or saying why${text ? `: ${text}` : ''}` };
}

/**
 * direct-tcpip: an open channel, or reason 2 (the server tried to connect: the target failed),
 * means forwarding is allowed; reason 1 is a refusal by policy; reason 3 means the server has
 * no forwarding at all (e.g. ProFTPD mod_sftp), which is not "allowed".
 */
export function forwardingVerdict(f: SshForwardAttempt): Judged {
  const tries = f.tries > 1 ? ` (after ${f.tries} connections)` : '';
  if (f.opened) return { verdict: 'allowed', detail: 'a direct-tcpip channel opened' };
  if (f.connectionLost) return { verdict: 'error', detail: `the connection died under the forwarding request${tries}: undecided` };
  if (f.reason === 1) return { verdict: 'refused', detail: `direct-tcpip refused by policy (reason 1): ${f.openError ?? ''}`.trim() };
  if (f.reason === 3)
    return {
      verdict: 'refused',
      detail: `the server has no TCP forwarding at all (reason 3, unknown channel type): ${f.openError ?? ''}`.trim(),
    };
  if (f.reason === 2)
    return {
      verdict: 'allowed',
      detail: `direct-tcpip permitted: the server tried to connect and the target failed (reason 2): ${f.openError ?? ''}`.trim(),
    };
  if (f.openError && /prohibited/i.test(f.openError)) return { verdict: 'refused', detail: `direct-tcpip refused: ${f.openError}` };
  return { verdict: 'error', detail: `direct-tcpip failed without a reason that decides it${f.openError ? `: ${f.openError}` : ''}` };
}

export function sftpOnlyFrom(h: SshHardening): SshSftpOnlyFacts {
  const exec = channelVerdict('exec', h.exec);
  const shell = channelVerdict('shell', h.shell);
  const forwarding = forwardingVerdict(h.forwarding);
  return {
    shell: shell.verdict,
    exec: exec.verdict,
    forwarding: forwarding.verdict,
    details: { shell: shell.detail, exec: exec.detail, forwarding: forwarding.detail },
  };
}
