// The one place the TLS engine contacts a third party: an HTTP GET or POST of an OCSP response, a
// CRL or an issuer certificate, named by the server's certificate (AIA, CRL distribution points).
// Callers use it only when the user asked (checkRevocation / fetchMissing). Plain http:// only by
// default (OCSP and CRL URLs are http by design); https:// on request. No redirects, a timeout
// over the whole exchange and a size cap on the answer.
import http from 'node:http';
import https from 'node:https';

export interface FetchOptions {
  method?: 'GET' | 'POST';
  body?: Buffer;
  contentType?: string;
  timeoutMs: number;
  /** the answer is cut (and the fetch fails) beyond this many bytes */
  maxBytes: number;
  allowHttps?: boolean;
}

export interface FetchResult {
  url: string;
  status: number;
  contentType: string | null;
  body: Buffer;
  ms: number;
}

export class FetchError extends Error {}

export function httpFetch(url: string, o: FetchOptions): Promise<FetchResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new FetchError(`not a URL: ${url}`));
    }
    if (u.protocol !== 'http:' && !(u.protocol === 'https:' && o.allowHttps))
      return reject(new FetchError(`${u.protocol} URLs are not fetched (${url})`));
    const mod = u.protocol === 'https:' ? https : http;
    let settled = false;
    const fail = (msg: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new FetchError(`${url}: ${msg}`));
    };
    const timer = setTimeout(() => fail(`no complete answer within ${o.timeoutMs} ms`), o.timeoutMs);
    const req = mod.request(
      u,
      {
        method: o.method ?? 'GET',
        headers: {
          'user-agent': 'xferscan',
          ...(o.body ? { 'content-type': o.contentType ?? 'application/octet-stream', 'content-length': String(o.body.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (d: Buffer) => {
          n += d.length;
          if (n > o.maxBytes) return fail(`answer larger than ${o.maxBytes} bytes`);
          chunks.push(d);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            url,
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? null,
            body: Buffer.concat(chunks),
            ms: Math.round(performance.now() - t0),
          });
        });
        res.on('error', (e) => fail(e.message));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    req.end(o.body);
  });
}
