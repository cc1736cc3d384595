import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedHostNames, hostNameOf } from '../../src/api/host-allow-list.js';
import { remoteExposureWarning } from '../../src/api/remote-exposure.js';
import { parseConfig } from '../../src/config/load-config.js';
import { MAX_DURATION_MS, toMillis } from '../../src/resilience/duration.js';
import { ApiHarness } from './api-harness.js';

/** A real request to a listening API; `host` overrides the Host header. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

async function listening(options: Parameters<typeof ApiHarness.open>[0] = {}): Promise<{ h: ApiHarness; port: number }> {
  const h = await ApiHarness.open(options);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  return { h, port: (h.app.server.address() as AddressInfo).port };
}

test('an open event stream ends soon after its token is revoked, and gets nothing published after', async () => {
  const { h, port } = await listening({ streamTokenCheckMs: 200 });
  try {
    const { token, record } = await h.tokens.create('watcher', 'viewer', 'test');
    let body = '';
    const ended = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/stream', headers: { authorization: `Bearer ${token}` } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    while (h.live.subscribers === 0) await new Promise((r) => setTimeout(r, 10));
    h.live.publish({ type: 'run-finished', runId: 'before', workflow: 'w', status: 'completed' });
    const revoked = await h.call('admin', 'DELETE', `/api/tokens/${record.id}`);
    assert.equal(revoked.status, 200);
    const outcome = await Promise.race([ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open after 5 s'), 5_000))]);
    assert.equal(outcome, 'ended');
    h.live.publish({ type: 'run-finished', runId: 'after', workflow: 'w', status: 'completed' });
    assert.match(body, /"runId":"before"/);
    assert.doesNotMatch(body, /"runId":"after"/);
    assert.match(body, /event: error\ndata: .*HS_API_UNAUTHORIZED/);
    assert.equal(h.live.subscribers, 0, 'the stream unsubscribed');
  } finally {
    await h.close();
  }
});

test('a Host the server does not answer to is refused before any route, public ones included (DNS rebinding)', async () => {
  const { h, port } = await listening();
  try {
    for (const path of ['/', '/openapi.json', '/api/incidents', '/nowhere']) {
      const refused = await get(port, path, { host: `rebind.attacker.example:${port}` });
      assert.equal(refused.status, 421, path);
      assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'HS_API_HOST_NOT_ALLOWED', path);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'LOCALHOST']) assert.equal((await get(port, '/openapi.json', { host })).status, 200, host);
  } finally {
    await h.close();
  }
  assert.deepEqual([...allowedHostNames('0.0.0.0', ['Homeostat.internal'])], ['localhost', '127.0.0.1', '::1', 'homeostat.internal'], 'a wildcard bind is no name; listed names are');
  assert.deepEqual([hostNameOf('a.example:80'), hostNameOf('[::1]:4000'), hostNameOf('b.example.'), hostNameOf(undefined)], ['a.example', '::1', 'b.example', undefined]);
});

test('allowRemote on 0.0.0.0 is warned about, naming the real bind address and plain HTTP', () => {
  const { config } = parseConfig('services:\n  x: { command: node }\napi: { host: 0.0.0.0, allowRemote: true, allowedHosts: [homeostat.internal] }\n', { file: '/tmp/x/homeostat.yaml' });
  const warning = remoteExposureWarning(config.api, 'http://127.0.0.1:4000');
  assert.match(warning ?? '', /listens on 0\.0\.0\.0:4000 \(every interface\) in plain HTTP/);
  assert.match(warning ?? '', /TLS-terminating proxy/);
  assert.match(warning ?? '', /homeostat\.internal/);
  assert.equal(remoteExposureWarning({ host: '127.0.0.1', allowedHosts: [] }, 'http://127.0.0.1:4000'), undefined);
});

test('the dashboard never follows a symbolic link below ui/', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-ui-'));
  const ui = join(dir, 'ui');
  mkdirSync(join(ui, 'lib'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(ui, 'lib', 'app.js'), 'export {};');
  writeFileSync(join(dir, 'api.json'), '{"token":"hst_secret"}');
  symlinkSync(join(dir, 'api.json'), join(ui, 'leak.json'));
  symlinkSync(dir, join(ui, 'up'));
  const { h, port } = await listening({ dashboardRoot: ui });
  try {
    assert.equal((await get(port, '/ui/lib/app.js')).status, 200);
    for (const path of ['/ui/leak.json', '/ui/up/api.json']) {
      const refused = await get(port, path);
      assert.equal(refused.status, 404, path);
      assert.doesNotMatch(refused.body, /hst_secret/);
    }
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a duration too long to be meant is a 400 HS_INVALID_DURATION, not a 500', async () => {
  const { h } = await listening();
  try {
    const refused = await h.call('operator', 'POST', '/api/runs', { workflow: 'api-test-gated', timeout: '99999999999999d' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'HS_INVALID_DURATION');
    assert.match(refused.json.error.message, /longer than the longest allowed, 10 years/);
  } finally {
    await h.close();
  }
  assert.equal(toMillis('3650d'), MAX_DURATION_MS);
  assert.throws(() => toMillis('3651d'), /HS_INVALID_DURATION|longer than/);
  assert.throws(() => toMillis('99999999999999999999'), /longer than/);
});

test('headers too large get 431 in the HS_* error shape', async () => {
  const { h, port } = await listening();
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write(`GET /api/incidents HTTP/1.1\r\nhost: 127.0.0.1\r\nx-filler: ${'a'.repeat(40_000)}\r\n\r\n`);
    });
    assert.match(answer, /^HTTP\/1\.1 431 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'HS_API_HEADERS_TOO_LARGE');
  } finally {
    await h.close();
  }
});

test('a bare token without the Bearer scheme is refused', async () => {
  const h = await ApiHarness.open();
  try {
    const bare = await h.call({ authorization: h.token.admin }, 'GET', '/api/incidents');
    assert.equal(bare.status, 401);
    assert.equal(bare.json.error.code, 'HS_API_UNAUTHORIZED');
    assert.match(bare.json.error.message, /Bearer scheme/);
    assert.equal((await h.call({ authorization: `bearer ${h.token.admin}` }, 'GET', '/api/incidents')).status, 200, 'the scheme is case-insensitive');
  } finally {
    await h.close();
  }
});

test('a YAML alias bomb is a config error naming the file, not a crash', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...['b', 'c', 'd', 'e'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(',')}]`), 'services:', '  x: { command: node }', ''].join('\n');
  assert.throws(
    () => parseConfig(bomb, { file: '/tmp/x/bomb.yaml' }),
    (error: Error & { code?: string }) => error.code === 'HS_CONFIG_SYNTAX' && /bomb\.yaml: YAML: Excessive alias count/.test(error.message),
  );
});

test('pushed metrics: each token has its own series budget, timestamps must be near now, negative ones are a 400', async () => {
  const h = await ApiHarness.open();
  try {
    const flood = await h.call('operator', 'POST', '/api/metrics', { metrics: Array.from({ length: 10_000 }, (_, i) => ({ name: 'flood', labels: { i: String(i) }, value: 1 })) });
    assert.equal(flood.status, 202);
    assert.deepEqual(flood.json, { stored: 1_000, dropped: { source_series_limit: 9_000 } });
    const other = await h.call('admin', 'POST', '/api/metrics', { metrics: [{ name: 'queue_depth', value: 1 }, { name: 'queue_depth', value: 2, timestamp: Date.now() + 86_400_000 }] });
    assert.deepEqual(other.json, { stored: 1, dropped: { future_timestamp: 1 } }, 'another token still gets series; a day-ahead sample is dropped');
    const negative = await h.call('operator', 'POST', '/api/metrics', { metrics: [{ name: 'queue_depth', value: 1, timestamp: -1 }] });
    assert.equal(negative.status, 400);
    assert.equal(negative.json.error.code, 'HS_API_INVALID_REQUEST');
    const operatorId = (await h.tokens.list()).find((t) => t.name === 'operator-bot')!.id;
    assert.ok(h.series.dropped().some((d) => d.source === `push:${operatorId}` && d.reason === 'source_series_limit' && d.count === 9_000));
  } finally {
    await h.close();
  }
});
