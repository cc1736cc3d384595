import { createServer } from 'node:http';
import { HomeostatError } from '../../errors/homeostat-error.js';
import type { MetricsRegistry } from '../../telemetry/metrics.js';

/** homeostat's own `/metrics` (Prometheus text) and `/healthz`, on 127.0.0.1. */
export interface MetricsServer {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `/metrics` and `{status, leader}` at `/healthz` on 127.0.0.1:`port`
 * (0 picks a free port); anything else is a 404 that names `/metrics`. A port that cannot
 * be bound is `HS_METRICS_LISTEN`, which says how to choose another.
 */
export async function serveMetrics(options: { port: number; registry: MetricsRegistry; isLeader: () => boolean }): Promise<MetricsServer> {
  const { port, registry, isLeader } = options;
  const server = createServer((req, res) => {
    if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(registry.render());
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', leader: isLeader() }));
    } else {
      res.writeHead(404).end('not found: try /metrics');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new HomeostatError('HS_METRICS_LISTEN', `cannot serve /metrics on 127.0.0.1:${port}: ${error.message} (set monitor.metricsPort, 0 picks a free port)`, { retryable: false, cause: error })));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
