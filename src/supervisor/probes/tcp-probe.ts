import { connect } from 'node:net';
import { failure, type Probe, type ProbeResult } from './probe.js';

/**
 * Passes when a TCP connection to `host:port` opens. Cheap, but blind to hangs: the
 * kernel completes the handshake for a stopped or busy process (see {@link httpProbe}),
 * so use it for readiness or external services, not for hang detection.
 *
 * @example tcpProbe({ host: '127.0.0.1', port: 5432 })
 * @example tcpProbe({ host: '127.0.0.1', port: 1 }) // { ok: false, message: 'ECONNREFUSED: …' }
 */
export function tcpProbe(options: { host: string; port: number }): Probe {
  return {
    check: (signal) =>
      new Promise<ProbeResult>((resolve) => {
        const socket = connect({ host: options.host, port: options.port });
        const done = (result: ProbeResult) => {
          signal.removeEventListener('abort', onAbort);
          socket.destroy();
          resolve(result);
        };
        const onAbort = () => done({ ok: false, message: 'timed out' });
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => done({ ok: true, message: `connected to ${options.host}:${options.port}` }));
        socket.once('error', (error) => done(failure(error)));
      }),
  };
}
