/**
 * The supervised service of the index-repair example: answers `GET /search?q=word` from its
 * index file, re-read whenever the file changes. `/ready` fails while the index cannot be
 * served, and `/metrics` says why (`search_index_corrupt 1`), so homeostat sees the
 * corruption as a readiness symptom and a metric — the service itself never repairs it.
 *
 *   node search-service.js --port 4600 --index /var/lib/search/index.json
 */
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { readIndex, type SearchIndex } from './search-index.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, index: { type: 'string' } } });
const indexPath = values.index ?? 'index.json';

let served: SearchIndex | undefined;
let problem = 'not loaded yet';
let loadedMtime = -1;

/** Re-read the index when its file changed since the last read (cheap: one stat per request). */
function refresh(): void {
  let mtime: number;
  try {
    mtime = statSync(indexPath).mtimeMs;
  } catch {
    mtime = 0;
  }
  if (mtime === loadedMtime) return;
  loadedMtime = mtime;
  const read = readIndex(indexPath);
  if ('index' in read) {
    served = read.index;
    problem = '';
  } else {
    served = undefined;
    problem = `${read.problem}: ${read.detail}`;
  }
}

const server = createServer((req, res) => {
  refresh();
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/ready' || url.pathname === '/healthz') {
    // Liveness stays up (the process is fine); readiness says whether the data is.
    const ok = url.pathname === '/healthz' || served !== undefined;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : `index unusable: ${problem}\n`);
    return;
  }
  if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# HELP search_index_corrupt 1 while the index file cannot be served.\n# TYPE search_index_corrupt gauge\nsearch_index_corrupt ${served ? 0 : 1}\n# HELP search_index_words Words in the served index.\n# TYPE search_index_words gauge\nsearch_index_words ${served ? Object.keys(served.entries).length : 0}\n`);
    return;
  }
  if (url.pathname === '/search') {
    if (!served) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `index unusable: ${problem}` }));
      return;
    }
    const word = (url.searchParams.get('q') ?? '').toLowerCase();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ q: word, ids: served.entries[word] ?? [] }));
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(values.port ?? 4600), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
