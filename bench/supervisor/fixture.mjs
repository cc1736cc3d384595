// A supervised process for the supervisor benchmark. On start it reports
// `performance.timeOrigin` (when this process began, before Node's bootstrap) to the
// bench's collector, so "replacement spawned" is measured the same way under every
// supervisor. HTTP: /healthz, /hang (busy loop), /leak (20 MiB every 100 ms).
import { createServer, request } from 'node:http';

const name = process.env.FIXTURE_NAME ?? 'fixture';
const reportUrl = process.env.REPORT_URL;
if (reportUrl) {
  const body = JSON.stringify({ name, pid: process.pid, startedAt: performance.timeOrigin });
  const req = request(reportUrl, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => res.resume());
  req.on('error', () => undefined);
  req.end(body);
}
const kept = [];
createServer((req, res) => {
  if (req.url === '/hang') {
    res.end('hanging');
    setTimeout(() => {
      for (;;) {
        // busy loop
      }
    }, 5);
    return;
  }
  if (req.url === '/leak') {
    res.end('leaking');
    setInterval(() => kept.push(Buffer.alloc(20 * 1_048_576, 1)), 100);
    return;
  }
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');
