/**
 * The shared dependency of the example system: a tiny in-memory key-value store over
 * HTTP (`GET|PUT /kv/<key>`, `POST /kv/<key>/incr`), with `/healthz`, `/metrics` and the
 * `/fault/*` commands of {@link Faults}.
 *
 * Run: `node dist/examples/system/dependency.js --port 4300`.
 */
import { createServer } from 'node:http';
import { exitOnSignals, Faults, portFromArgs, prometheus } from './faults.js';

const name = process.env.HOMEOSTAT_INSTANCE ?? 'dependency';
const faults = new Faults(name);
const values = new Map<string, string>();
let requests = 0;
let errors = 0;

const server = createServer((req, res) => {
  requests++;
  if (faults.handle(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
      prometheus('dependency', {
        requests_total: { type: 'counter', help: 'Requests served.', value: requests },
        errors_total: { type: 'counter', help: 'Requests answered with an error.', value: errors },
        keys: { type: 'gauge', help: 'Keys stored.', value: values.size },
        resident_memory_bytes: { type: 'gauge', help: 'RSS of this process.', value: process.memoryUsage().rss },
      }),
    );
    return;
  }
  const match = /^\/kv\/([^/]+)(\/incr)?$/.exec(url.pathname);
  if (!match) {
    res.writeHead(404).end('not found');
    return;
  }
  void faults.beforeWork().then((ok) => {
    if (!ok) {
      errors++;
      res.writeHead(500).end('injected error');
      return;
    }
    const key = decodeURIComponent(match[1]!);
    if (match[2] && req.method === 'POST') {
      const next = String(Number(values.get(key) ?? 0) + 1);
      values.set(key, next);
      res.writeHead(200).end(next);
    } else if (req.method === 'PUT') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        values.set(key, body);
        res.writeHead(204).end();
      });
    } else if (values.has(key)) {
      res.writeHead(200).end(values.get(key));
    } else {
      res.writeHead(404).end('no such key');
    }
  });
});

server.listen(portFromArgs(4300), '127.0.0.1', () => {
  console.log(`${name}: listening on ${(server.address() as { port: number }).port} (pid ${process.pid})`);
});
exitOnSignals(name, () => new Promise((resolve) => server.close(() => resolve())));
