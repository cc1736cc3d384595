import type { Server } from 'node:net';

/**
 * Listen on `host:port`, rejecting when the port cannot be had (taken, not allowed) instead
 * of leaving the error to the server's `error` event. Both front doors open this way.
 * @example await listenOn(server, 8080, '127.0.0.1') // rejects with EADDRINUSE when taken
 */
export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
