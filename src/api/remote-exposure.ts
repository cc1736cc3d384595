import type { ApiConfig } from '../config/schema/api.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * What `homeostat up` must say when the API listens beyond loopback: where it really
 * listens (`0.0.0.0` is every interface, not the `127.0.0.1` its local URL shows) and that
 * the bearer tokens then cross the network in clear HTTP. Undefined on loopback.
 *
 * @example remoteExposureWarning({ host: '0.0.0.0', … }, 'http://127.0.0.1:4000') // 'WARNING: the API listens on 0.0.0.0:4000 (every interface) …'
 */
export function remoteExposureWarning(config: Pick<ApiConfig, 'host' | 'allowedHosts'>, localUrl: string): string | undefined {
  if (LOOPBACK.has(config.host)) return undefined;
  const port = new URL(localUrl).port;
  const everywhere = config.host === '0.0.0.0' || config.host === '::';
  const bound = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return (
    `WARNING: the API listens on ${bound}${everywhere ? ' (every interface)' : ''} in plain HTTP: bearer tokens cross the network in clear. ` +
    `Put a TLS-terminating proxy in front of it, and list the names clients use in api.allowedHosts (now: ${config.allowedHosts.length > 0 ? config.allowedHosts.join(', ') : 'none; only loopback names and the bind host are answered'}).`
  );
}
