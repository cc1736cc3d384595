/**
 * The example background worker: every `$WORK_EVERY` ms (default 200) it does a job
 * against the dependency at `$DEPENDENCY_URL` (when set), and every `$HEARTBEAT_EVERY` ms
 * (default 200) it pushes a heartbeat to homeostat — over the Unix socket
 * `$HOMEOSTAT_HEARTBEAT_SOCKET` when given, else `$HOMEOSTAT_HEARTBEAT_URL`. A hang
 * (busy loop or SIGSTOP) stops the beats, which the heartbeat probe notices.
 *
 * It also listens on `--port`/`$PORT` for `/healthz`, `/metrics` and the `/fault/*` commands.
 */
import { createServer, request } from 'node:http';
import { exitOnSignals, Faults, portFromArgs, prometheus } from './faults.js';

const name = process.env.HOMEOSTAT_INSTANCE ?? 'worker';
const dependencyUrl = process.env.DEPENDENCY_URL;
const faults = new Faults(name);
let jobs = 0;
let failedJobs = 0;
let beats = 0;

function beat(): void {
  // The path carries this spawn's secret (HOMEOSTAT_HEARTBEAT_PATH): beats without it are refused.
  const socketPath = process.env.HOMEOSTAT_HEARTBEAT_SOCKET;
  const beatPath = process.env.HOMEOSTAT_HEARTBEAT_PATH;
  const url = process.env.HOMEOSTAT_HEARTBEAT_URL;
  if (!(socketPath && beatPath) && !url) return;
  const options = socketPath && beatPath
    ? { socketPath, path: beatPath, method: 'POST' }
    : { ...urlOptions(url!), method: 'POST' };
  const req = request(options, (res) => {
    res.resume();
    if (res.statusCode === 204) beats++;
  });
  req.on('error', () => undefined); // the supervisor may be restarting: try again next beat
  req.end();
}

function urlOptions(url: string) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port), path: parsed.pathname };
}

async function job(): Promise<void> {
  if (!(await faults.beforeWork())) {
    failedJobs++;
    return;
  }
  if (!dependencyUrl) {
    jobs++;
    return;
  }
  try {
    const response = await fetch(`${dependencyUrl}/kv/worker-jobs/incr`, { method: 'POST', signal: AbortSignal.timeout(1_000) });
    if (response.ok) jobs++;
    else failedJobs++;
  } catch {
    failedJobs++;
  }
}

setInterval(beat, Number(process.env.HEARTBEAT_EVERY ?? 200));
beat();
let busy = false;
setInterval(() => {
  if (busy) return;
  busy = true;
  void job().finally(() => (busy = false));
}, Number(process.env.WORK_EVERY ?? 200));

const server = createServer((req, res) => {
  if (faults.handle(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200).end('ok');
  } else if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
      prometheus('worker', {
        jobs_total: { type: 'counter', help: 'Jobs done.', value: jobs },
        jobs_failed_total: { type: 'counter', help: 'Jobs that failed.', value: failedJobs },
        heartbeats_total: { type: 'counter', help: 'Heartbeats accepted by homeostat.', value: beats },
        resident_memory_bytes: { type: 'gauge', help: 'RSS of this process.', value: process.memoryUsage().rss },
      }),
    );
  } else {
    res.writeHead(404).end('not found');
  }
});
server.listen(portFromArgs(4200), '127.0.0.1', () => {
  console.log(`${name}: working, control port ${(server.address() as { port: number }).port} (pid ${process.pid})`);
});
exitOnSignals(name, () => new Promise((resolve) => server.close(() => resolve())));
