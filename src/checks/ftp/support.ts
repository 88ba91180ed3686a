// Shared pieces of the FTP checks: which endpoints they concern, why login-level facts are
// missing (from the probes' typed gaps), and one line per data channel for details.
import type { EndpointReport, FtpDataChannel, FtpFacts, Step } from '../../model.js';
import { isFtpFamily, isFtps } from '../../knowledge/services.js';
import type { CheckOutcome } from '../types.js';
import { plainAddress } from '../../knowledge/addresses.js';

/** The control connection went over IPv6: PASV and PORT cannot name an address there (RFC 2428). */
export const onIpv6 = (ep: EndpointReport): boolean => ep.family === 'ipv6' || (!!ep.address && plainAddress(ep.address).includes(':'));

export const PASV_ON_IPV6 =
  'PASV is unusable on IPv6 by design: its reply can only name an IPv4 address, and RFC 2428 replaces it with EPSV';

export const isFtp = (ep: EndpointReport) => isFtpFamily(ep.service) && !!ep.ftp;
export const isTls = (ep: EndpointReport) => isFtps(ep.service);

/** Skipped when the server refused us at the greeting. */
export const refused = (ep: EndpointReport): CheckOutcome | null =>
  ep.outcome === 'refused-by-server' ? { status: 'skipped', detail: `the server refused us (${ep.error ?? 'refused'})` } : null;

/** Why a probe step could not run, in words, from its gap. */
export function gapDetail(ftp: FtpFacts, step: Step): string | undefined {
  return ftp.gaps?.find((g) => g.step === step)?.detail;
}

const NEEDS_LOGIN = 'needs a login: give --user with --password-env/--password-file, or the server must allow anonymous login';

/** Why login-level facts are missing, in the user's terms. */
export function noLoginReason(ftp: FtpFacts, fallback = NEEDS_LOGIN): string {
  if (ftp.login && !ftp.login.ok) return `login as ${ftp.login.user} failed (${ftp.login.code ?? ''} ${ftp.login.error ?? ''})`.trim();
  // logged in, yet the step left nothing: what broke the session says why
  if (ftp.login?.ok)
    return (
      ftp.gaps?.find((g) => g.reason === 'connection-failed')?.detail ??
      `logged in as ${ftp.login.user}, but the session ended before this step`
    );
  const login = ftp.gaps?.find((g) => g.step === 'login');
  // --allow-cleartext-login cannot help when the server already refuses logins without TLS
  const refusesCleartext = (ftp.loginPolicy ?? []).some((p) => p.verdict === 'refused' || p.verdict === 'refused-at-password');
  if (login?.reason === 'withheld' && refusesCleartext)
    return 'the server refuses logins without TLS, and no TLS session could be used for a login here';
  return login?.detail ?? fallback;
}

export function channelLine(d: FtpDataChannel): string {
  const where = d.advertisedAddress ? `${d.advertisedAddress}:${d.port}` : d.port !== null ? `port ${d.port}` : '';
  const tls = d.tls ? ` ${d.tls.protocol}${d.tls.resumed ? ' resumed' : ''}` : '';
  const reuse = d.reuseOffered ? ' (session reuse offered)' : d.protection === 'P' ? ' (no session reuse)' : '';
  const result = d.ok
    ? `ok${tls}, ${d.bytes ?? 0} bytes${typeof d.entries === 'number' ? ` (${d.entries} entries)` : ''}`
    : `failed at ${d.failedStep ?? '?'}: ${d.error ?? ''}`;
  return `${d.mode} PROT ${d.protection}${reuse} ${where}: ${result}`.replace(/\s+/g, ' ');
}

/** The channels that show what a normal client gets: TLS ones offering reuse, or cleartext ones. */
export const normalChannels = (ftp: FtpFacts) => ftp.dataChannels.filter((d) => d.protection === 'C' || d.reuseOffered);
