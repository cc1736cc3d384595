/**
 * The example HTTP API: `/healthz` (liveness/readiness), `/metrics` (Prometheus text),
 * `/work` (a unit of work that uses the dependency at `$DEPENDENCY_URL` when set) and the
 * `/fault/*` commands of {@link Faults} (crash, hang, leak, slow, errors, heal).
 *
 * `CRASH_ON_START=1` makes it exit with status 1 right after starting (a crash loop on demand).
 * `ERROR_RATE=20` makes it fail that many requests per second of its own (a bad config
 * version on demand: `api_errors_total` climbs, the `api-error-rate` rule fires).
 * Run: `node dist/examples/system/api.js --port 4100`.
 */
import { createServer } from 'node:http';
import { exitOnSignals, Faults, portFromArgs, prometheus } from './faults.js';

const name = process.env.HOMEOSTAT_INSTANCE ?? 'api';
const dependencyUrl = process.env.DEPENDENCY_URL;
const faults = new Faults(name);
const startedAt = Date.now();
let requests = 0;
let errors = 0;
let workDone = 0;

if (process.env.CRASH_ON_START === '1') {
  console.error(`${name}: fatal: CRASH_ON_START is set`);
  process.exit(1);
}

const errorRate = Number(process.env.ERROR_RATE ?? 0);
if (errorRate > 0) {
  let owed = 0;
  setInterval(() => {
    owed += errorRate / 10;
    const whole = Math.floor(owed);
    errors += whole;
    requests += whole;
    owed -= whole;
  }, 100).unref();
}

async function work(): Promise<{ status: number; body: object }> {
  if (!(await faults.beforeWork())) return { status: 500, body: { error: 'injected error' } };
  let counter: string | undefined;
  if (dependencyUrl) {
    try {
      const response = await fetch(`${dependencyUrl}/kv/api-work/incr`, { method: 'POST', signal: AbortSignal.timeout(1_000) });
      if (!response.ok) return { status: 502, body: { error: `dependency answered ${response.status}` } };
      counter = await response.text();
    } catch (error) {
      return { status: 502, body: { error: `dependency unreachable: ${(error as Error).message}` } };
    }
  }
  workDone++;
  return { status: 200, body: { done: workDone, counter: counter ?? null, pid: process.pid } };
}

const server = createServer((req, res) => {
  requests++;
  if (faults.handle(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/healthz':
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', pid: process.pid }));
      return;
    case '/metrics':
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
        prometheus('api', {
          requests_total: { type: 'counter', help: 'Requests served.', value: requests },
          errors_total: { type: 'counter', help: 'Work requests that failed.', value: errors },
          work_done_total: { type: 'counter', help: 'Work requests that succeeded.', value: workDone },
          uptime_seconds: { type: 'gauge', help: 'Seconds since start.', value: (Date.now() - startedAt) / 1_000 },
          resident_memory_bytes: { type: 'gauge', help: 'RSS of this process.', value: process.memoryUsage().rss },
          leaked_bytes: { type: 'gauge', help: 'Memory kept by the leak fault.', value: faults.state.leakedBytes },
        }),
      );
      return;
    case '/work':
      void work().then(({ status, body }) => {
        if (status >= 500) errors++;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      return;
    default:
      res.writeHead(404).end('not found');
  }
});

server.listen(portFromArgs(4100), '127.0.0.1', () => {
  console.log(`${name}: listening on ${(server.address() as { port: number }).port} (pid ${process.pid})`);
});
exitOnSignals(name, () => new Promise((resolve) => server.close(() => resolve())));
