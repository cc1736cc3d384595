// The app both sides serve in the traffic bench: GET /?delay=MS answers "ok <pid>" after MS
// milliseconds (default 0); /healthz answers 200. Port: --port N (homeostat, one per
// replica) or PORT (PM2 cluster mode, shared). SIGINT or SIGTERM (PM2 stops with SIGINT,
// homeostat with SIGTERM) closes the server and exits once what it serves is answered.
import { createServer } from 'node:http';

const at = process.argv.indexOf('--port');
const port = Number(at >= 0 ? process.argv[at + 1] : process.env.PORT);
const server = createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') ?? 0);
  if (delay > 0) setTimeout(() => res.end(`ok ${process.pid}`), delay);
  else res.end(`ok ${process.pid}`);
});
server.listen(port, '127.0.0.1', () => process.send?.('ready'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
