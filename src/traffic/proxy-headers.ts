import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers about one hop's connection, not the request (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** `headers` without the hop-by-hop ones, including any the `Connection` header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * What a replica gets: the caller's end-to-end headers (its `Host` kept), with the caller's
 * address appended to `X-Forwarded-For` and `X-Forwarded-Proto`/`-Host` set when absent.
 * @example upstreamHeaders(req.headers, '10.0.0.7') // { host: 'shop.local', 'x-forwarded-for': '10.0.0.7', … }
 */
export function upstreamHeaders(headers: IncomingHttpHeaders, remoteAddress: string | undefined): OutgoingHttpHeaders {
  const out = endToEndHeaders(headers);
  const before = headers['x-forwarded-for'];
  const client = remoteAddress ?? 'unknown';
  out['x-forwarded-for'] = before ? `${String(before)}, ${client}` : client;
  out['x-forwarded-proto'] ??= 'http';
  if (headers.host !== undefined) out['x-forwarded-host'] ??= headers.host;
  return out;
}
