/**
 * One service of the example shop (examples/shop/homeostat.yaml runs six of them): on each
 * `GET /work` it calls `/work` on every dependency in `$SHOP_DEPENDENCIES` (in parallel) and
 * answers 200 when all answered 200, else 502. It serves `/healthz`, Prometheus text at
 * `/metrics` (shop-metrics.ts) and the fault commands of shop-faults.ts.
 *
 * Env:
 * - `SHOP_SERVICE` — its name (default `$HOMEOSTAT_SERVICE`, then `shop`).
 * - `SHOP_DEPENDENCIES` — `name=url,…`, e.g. `payments=http://127.0.0.1:4513,inventory=http://127.0.0.1:4514`.
 * - `MAX_INFLIGHT` — work requests answered at once (default 64); more are refused with 503.
 *   `0` is the bad config of the RCA benchmark: the service starts but refuses all work.
 *
 * Run: `node --expose-gc dist/examples/shop/service.js --port 4510`.
 */
import { createServer } from 'node:http';
import { crashIfMarked, ShopFaults } from './shop-faults.js';
import { RequestMetrics } from './shop-metrics.js';

const service = process.env.SHOP_SERVICE ?? process.env.HOMEOSTAT_SERVICE ?? 'shop';
crashIfMarked(service);

const dependencies = parseDependencies(process.env.SHOP_DEPENDENCIES ?? '');
const maxInflight = Number(process.env.MAX_INFLIGHT ?? 64);
if (!Number.isInteger(maxInflight) || maxInflight < 0) {
  console.error(`${service}: fatal: MAX_INFLIGHT must be a whole number, got "${process.env.MAX_INFLIGHT}"`);
  process.exit(1);
}
if (maxInflight === 0) console.error(`${service}: MAX_INFLIGHT is 0: every work request will be refused`);
const faults = new ShopFaults(service);
const metrics = new RequestMetrics();
const startedAt = Date.now();

function parseDependencies(text: string): { name: string; url: string }[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const cut = part.indexOf('=');
      if (cut <= 0) {
        console.error(`${service}: fatal: SHOP_DEPENDENCIES entries are name=url, got "${part}"`);
        process.exit(1);
      }
      return { name: part.slice(0, cut), url: part.slice(cut + 1) };
    });
}

/** The work of one request: every dependency's, then our own. Resolves to the status to answer. */
async function work(): Promise<{ status: number; detail: string }> {
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
  // A failing service fails fast, before calling anything: its dependencies see less traffic.
  if (faults.shouldFail()) return { status: 500, detail: 'injected error' };
  const answers = await Promise.all(
    dependencies.map(async ({ name, url }) => {
      try {
        const response = await fetch(`${url}/work`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.ok ? undefined : `${name} answered ${response.status}`;
      } catch (error) {
        return `${name} unreachable: ${(error as Error).message}`;
      }
    }),
  );
  const failed = answers.filter((a): a is string => a !== undefined);
  return failed.length > 0 ? { status: 502, detail: failed.join('; ') } : { status: 200, detail: 'ok' };
}

const server = createServer((req, res) => {
  if (faults.handle(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/healthz':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    case '/metrics':
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render(service, startedAt));
      return;
    case '/work': {
      const started = performance.now();
      const answer = (status: number, detail: string) => {
        metrics.observe((performance.now() - started) / 1_000, status >= 500);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ service, detail }));
      };
      if (metrics.inflight >= maxInflight) {
        answer(503, `over MAX_INFLIGHT (${maxInflight})`);
        return;
      }
      metrics.inflight++;
      void work().then(({ status, detail }) => {
        metrics.inflight--;
        answer(status, detail);
      });
      return;
    }
    default:
      res.writeHead(404).end('not found');
  }
});

const portIndex = process.argv.indexOf('--port');
const port = Number(portIndex >= 0 ? process.argv[portIndex + 1] : process.env.PORT);
server.listen(Number.isInteger(port) && port > 0 ? port : 0, '127.0.0.1', () => {
  console.log(`${service}: listening on ${(server.address() as { port: number }).port}, depends on [${dependencies.map((d) => d.name).join(', ')}] (pid ${process.pid})`);
});
const stop = (signal: string) => {
  console.log(`${service}: ${signal}, shutting down`);
  faults.heal();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
