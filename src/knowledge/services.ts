// What xferscan knows about the services it tells apart: URL schemes, default ports, service
// families, and how an endpoint is named. One home for each fact.
import type { Service } from '../model.js';

export type Scheme = 'sftp' | 'ftp' | 'ftps' | 'ftpes';
export const SCHEMES: readonly Scheme[] = ['sftp', 'ftp', 'ftps', 'ftpes'];

/** The port a scheme means when the URL names none. */
export const SCHEME_DEFAULT_PORT: Record<Scheme, number> = { sftp: 22, ftp: 21, ftps: 990, ftpes: 21 };

/** The services a scheme expects: ftp:// is plain or explicit FTP, whatever the server offers of the two. */
export const SCHEME_SERVICES: Record<Scheme, readonly Service[]> = {
  sftp: ['sftp'],
  ftp: ['ftp', 'ftps-explicit'],
  ftps: ['ftps-implicit'],
  ftpes: ['ftps-explicit'],
};

/** The one service a scheme demands, or null when it allows several (ftp://). */
export function schemeService(scheme: Scheme): Service | null {
  const s = SCHEME_SERVICES[scheme];
  return s.length === 1 ? s[0]! : null;
}

/** The scheme that names a service (for writing targets back). */
export const SERVICE_SCHEME: Partial<Record<Service, Scheme>> = {
  sftp: 'sftp',
  'ftps-explicit': 'ftpes',
  'ftps-implicit': 'ftps',
  ftp: 'ftp',
};

export const isFtpFamily = (s: Service | null | undefined): boolean => s === 'ftp' || s === 'ftps-explicit' || s === 'ftps-implicit';
export const isFtps = (s: Service | null | undefined): boolean => s === 'ftps-explicit' || s === 'ftps-implicit';
export const isTlsService = (s: Service | null | undefined): boolean =>
  s === 'ftps-explicit' || s === 'ftps-implicit' || s === 'tls-unknown';
export const isSsh = (s: Service | null | undefined): boolean => s === 'sftp';

/** "host:port", with brackets around an IPv6 address. */
export function endpointName(ep: { host: string; port: number }): string {
  return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
}

/** The port an implicit-FTPS (989) or FTP (20) server's active-mode data connection conventionally comes from. */
export function activeSourcePort(service: Service | null): number {
  return service === 'ftps-implicit' ? 989 : 20;
}
