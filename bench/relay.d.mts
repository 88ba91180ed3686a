// Types for bench/relay.mjs (used by its unit test).
export interface RelayCounts {
  connections: number;
  open: number;
  peakOpen: number;
  clientOpen: number;
  peakClientOpen: number;
  bytesUp: number;
  bytesDown: number;
  tlsHellos: number;
  sslv2Hellos: number;
  sshKexinits: number;
  sshNewkeys: number;
  handshakes: number;
}

export interface Relay {
  port: number;
  host: string;
  delay: { up: number; down: number };
  stats(): RelayCounts;
  reset(): void;
  close(): Promise<void>;
}

export function startRelay(opts: {
  target: number | { host?: string; port: number };
  delayMs?: number | { up?: number; down?: number };
  listenHost?: string;
  port?: number;
  handshakeRtt?: boolean;
}): Promise<Relay>;

export class HandshakeSniffer {
  tls: number;
  sslv2: number;
  sshKexinit: number;
  sshNewkeys: number;
  push(chunk: Buffer): void;
}
