/**
 * The example HTTP API: `/healthz` (liveness/readiness), `/metrics` (Prometheus text),
 * `/work` (a unit of work that uses the dependency at `$DEPENDENCY_URL` when set) and the
 * `/fault/*` commands of {@link Faults} (crash, hang, leak, slow, errors, heal).
 *
 * `CRASH_ON_START=1` makes it exit with status 1 right after starting (a crash loop on demand).
 * `ERROR_RATE=20` makes it fail that many requests per second of its own (a bad config
 * version on demand: `api_errors_total` climbs, the `api-error-rate` rule fires).
 * `SELF_LOAD_EVERY=100` makes it do a unit of work every 100 ms by itself, so its latency
 * (`api_work_latency_seconds`: the mean of the work finished since the last scrape) and its
 * errors move without outside traffic — the `slow` fault shows up there.
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
/** Latencies of work finished since the last scrape, and the last mean reported. */
let latencySum = 0;
let latencyCount = 0;
let latencyReported = 0;

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
  const started = performance.now();
  try {
    return await workUnit();
  } finally {
    latencySum += (performance.now() - started) / 1_000;
    latencyCount++;
  }
}

function latency(): number {
  if (latencyCount > 0) latencyReported = latencySum / latencyCount;
  latencySum = 0;
  latencyCount = 0;
  return latencyReported;
}

async function workUnit(): Promise<{ status: number; body: object }> {
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

const selfLoadEvery = Number(process.env.SELF_LOAD_EVERY ?? 0);
if (selfLoadEvery > 0) {
  let busy = false;
  setInterval(() => {
    if (busy) return;
    busy = true;
    requests++;
    void work()
      .then(({ status }) => {
        if (status >= 500) errors++;
      })
      .finally(() => (busy = false));
  }, selfLoadEvery).unref();
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
          work_latency_seconds: { type: 'gauge', help: 'Mean latency of the work finished since the last scrape.', value: latency() },
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
