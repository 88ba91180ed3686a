// What an IP address is, relative to the one we connected to: the vocabulary of FTP-PASV-ADDRESS.
import net from 'node:net';

export type AddressKind = 'same' | 'unspecified' | 'private' | 'loopback' | 'link-local' | 'foreign';

const PRIVATE_V4: [string, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10], // carrier-grade NAT
];

function v4ToInt(a: string): number {
  return a.split('.').reduce((acc, x) => (acc << 8) + Number(x), 0) >>> 0;
}

function inV4(a: string, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (v4ToInt(a) & mask) === (v4ToInt(base) & mask);
}

/** Strips an IPv4-mapped IPv6 prefix (::ffff:1.2.3.4) so addresses compare as the server meant. */
export function plainAddress(a: string): string {
  return a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

/** How an advertised PASV address relates to the address we connected to. */
export function classifyAdvertised(advertised: string, connected: string): AddressKind {
  const adv = plainAddress(advertised);
  const con = plainAddress(connected);
  if (adv === con) return 'same';
  if (!net.isIPv4(adv)) return 'foreign';
  if (adv === '0.0.0.0') return 'unspecified';
  if (inV4(adv, '127.0.0.0', 8)) return 'loopback';
  if (inV4(adv, '169.254.0.0', 16)) return 'link-local';
  if (PRIVATE_V4.some(([b, n]) => inV4(adv, b, n))) return 'private';
  return 'foreign';
}
