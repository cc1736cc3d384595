import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { writeDiscovery } from '../../src/cli/api-discovery.js';
import { main } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../integration/temp-store.js';

/**
 * The CLI against a stand-in for `homeostat up`'s API, found through an api.json naming
 * this (live) process: proves that reads come from the discovered API, and what happens
 * when that API stops answering between discovery and the call.
 */
const tmp = tempDir('homeostat-cli-fallback-');
const dbPath = join(tmp.dir, 'homeostat.db');
const storeArgs = ['--store', `sqlite:${dbPath}`];
/** What the stand-in does with everything but the discovery probe. */
let mode: 'answer' | 'hang-up' | 'refuse-token' = 'answer';
const seen: string[] = [];
let server: Server;

const fakeIncident = { id: 'inc-from-api', key: 'api', element: 'api', status: 'open', symptom: 'process-crashed', summary: 'only the API knows this one', openedAt: Date.now(), updatedAt: Date.now(), resolvedAt: null, cycle: 0 };

function handle(request: IncomingMessage, response: ServerResponse): void {
  seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
  const json = (status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (mode === 'refuse-token') return json(401, { error: { code: 'HS_API_UNAUTHORIZED', message: 'invalid or revoked bearer token' } });
  if (request.url === '/api/pauses' && request.method === 'GET') return json(200, { pauses: [] });
  // The server dies mid-request: the connection is dropped without an answer.
  if (mode === 'hang-up') return void request.socket.destroy();
  if (request.url?.startsWith('/api/incidents?')) return json(200, { incidents: [fakeIncident] });
  json(404, { error: { code: 'HS_API_NO_ROUTE', message: `no route ${request.method} ${request.url}` } });
}

async function cli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main([...args, ...storeArgs], (line) => out.push(line), (line) => err.push(line));
  return { status, out: out.join('\n'), err: err.join('\n') };
}

before(async () => {
  // An empty store, so that store reads answer "nothing".
  await SqliteStore.open(dbPath).close();
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  writeDiscovery(tmp.dir, { url, pid: process.pid, tokenId: '0123456789abcdef', token: 'hst_0123456789abcdef_local', startedAt: Date.now(), store: `sqlite:${dbPath}` });
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

test('reads go to the discovered API, with the token from api.json', async () => {
  mode = 'answer';
  seen.length = 0;
  const listed = await cli('incidents');
  assert.equal(listed.status, 0, listed.err);
  assert.match(listed.out, /inc-from-api\s+api\s+open\s+process-crashed/);
  assert.deepEqual(seen, ['GET /api/pauses Bearer hst_0123456789abcdef_local', 'GET /api/incidents?limit=50 Bearer hst_0123456789abcdef_local']);
  // --local never asks it.
  seen.length = 0;
  assert.equal((await cli('incidents', '--local')).out, 'no unresolved incidents (--all shows resolved ones too)');
  assert.deepEqual(seen, []);
});

test('the API dies between discovery and the call: a read falls back to the store, a mutation fails and nothing is done', async () => {
  mode = 'hang-up';
  const read = await cli('incidents');
  assert.equal(read.status, 0, read.err);
  assert.equal(read.out, 'no unresolved incidents (--all shows resolved ones too)');
  assert.match(read.err, /the API at http:\/\/127\.0\.0\.1:\d+ stopped answering .*; reading from the store instead/);

  const pause = await cli('pause', 'api');
  assert.equal(pause.status, 1);
  assert.match(pause.err, /homeostat pause: HS_CLI_API_UNREACHABLE: .* the pause may or may not have been done \(the request was sent\); check before trying again/);
  const store = SqliteStore.open(dbPath);
  try {
    assert.deepEqual(await store.listPauses(), [], 'not done on the store behind the server’s back');
    assert.deepEqual(await store.listAudit(), []);
  } finally {
    await store.close();
  }
});

test('a discovered API that refuses the local token (revoked by hand): the CLI says so and uses the store', async () => {
  mode = 'refuse-token';
  const read = await cli('incidents');
  assert.equal(read.status, 0, read.err);
  assert.equal(read.out, 'no unresolved incidents (--all shows resolved ones too)');
  assert.match(read.err, /refused the local token \(HS_API_UNAUTHORIZED\); using the store/);
});
