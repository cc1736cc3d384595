import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from './dashboard-harness.js';

// The dashboard's browser modules, loaded as they ship: the pure ones run in Node as well.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = async (path: string): Promise<any> => import(new URL(`ui/${path}`, `file://${REPO_ROOT}`).href);

test('times, durations and sizes read the way an operator reads them', async () => {
  const { ago, bytes, duration } = await load('format.js');
  assert.equal(duration(350), '350 ms');
  assert.equal(duration(2_400), '2.4 s');
  assert.equal(duration(42_000), '42 s');
  assert.equal(duration(192_000), '3 m 12 s');
  assert.equal(duration(7_500_000), '2 h 5 m');
  const now = 1_000_000_000;
  assert.equal(ago(now - 500, now), 'just now');
  assert.equal(ago(now - 12_345, now), '12 s ago');
  assert.equal(ago(now - 200_000, now), '3 m ago');
  assert.equal(ago(now + 30_000, now), 'in 30 s');
  assert.equal(bytes(48 * 1024 * 1024), '48 MB');
  assert.equal(bytes(1536), '1.5 KB');
});

test('an instance that is not running is down whatever its last probe said; a service is its worst instance', async () => {
  const { instanceStatus, worstStatus } = await load('components/health.js');
  assert.equal(instanceStatus({ state: 'running', health: 'healthy' }), 'healthy');
  assert.equal(instanceStatus({ state: 'backoff', health: '-' }), 'down');
  assert.equal(instanceStatus({ state: 'exited', health: 'healthy' }), 'down');
  assert.equal(instanceStatus({ state: 'crash-looping', health: '-' }), 'crash-looping');
  assert.equal(instanceStatus({ state: 'running', health: 'not-ready' }), 'not-ready');
  assert.equal(instanceStatus({ state: 'stopped', health: '-' }), 'stopped');
  // The replacement of a crashed process is restarting until healthy; a planned start is starting.
  const now = 1_000_000;
  const crash = { code: null, signal: 'SIGKILL', reason: 'exited', at: now - 2_000 };
  assert.equal(instanceStatus({ state: 'running', health: 'starting', details: { lastExit: crash } }, now), 'restarting');
  assert.equal(instanceStatus({ state: 'running', health: 'healthy', details: { lastExit: crash } }, now), 'healthy');
  assert.equal(instanceStatus({ state: 'running', health: 'starting', details: { lastExit: { ...crash, at: now - 120_000 } } }, now), 'starting');
  assert.equal(instanceStatus({ state: 'running', health: 'starting', details: { lastExit: { ...crash, reason: 'stopped' } } }, now), 'starting');
  assert.equal(worstStatus(['healthy', 'starting', 'down', 'healthy']), 'down');
  assert.equal(worstStatus(['healthy', 'healthy']), 'healthy');
});

test('counters become per-second rates (a drop is a restart); standbys pair by field or by name', async () => {
  const { rates } = await load('components/sparkline.js');
  assert.deepEqual(rates([[0, 0], [1_000, 10], [3_000, 30], [4_000, 5]]), [[1_000, 10], [3_000, 10], [4_000, 5]]);
  assert.deepEqual(rates([[0, 0], [1_000, 'NaN'], [2_000, 10], [3_000, 20]]), [[3_000, 10]], 'a NaN sample (the string) makes no rate on either side');
  const { standbyPairs } = await load('components/graph.js');
  assert.deepEqual(standbyPairs([{ name: 'db' }, { name: 'db-standby' }, { name: 'cache', standby: 'cache-b' }, { name: 'cache-b' }, { name: 'lone', standby: 'missing' }]), [['db', 'db-standby'], ['cache', 'cache-b']]);
});

test('the live stream: events split across chunks, CRLF and comments parsed; a dropped event resyncs; a closed stream reconnects; a 401 signs out', async () => {
  const { LiveEvents } = await load('live-events.js');
  const chunks = [': homeostat live events\n\n', 'event: element\ndata: {"type":"elem', 'ent","n":1}\n\nevent: incident\r\ndata: {"type":"incident","id":"inc-1"}\r\n\r\n', 'data: not json\n\n', ': keep-alive\n\n', 'event: dropped\ndata: {"type":"dropped","count":3}\n\n'];
  const calls: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (_url: string, init: { headers: Record<string, string> }) => {
    calls.push(init.headers.authorization!);
    if (calls.length > 1) return new Response('{}', { status: 401 });
    const body = new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  try {
    const events: unknown[] = [];
    const states: string[] = [];
    const signedOut = new Promise<void>((resolve) => {
      const live = new LiveEvents({ getToken: () => 'hst_x', onEvent: (e: unknown) => events.push(e), onState: (s: { state: string }) => states.push(s.state), onUnauthorized: resolve });
      live.start();
    });
    await signedOut;
    // Events the API dropped for this client: what it shows is reloaded, as after a reconnection.
    assert.deepEqual(events, [{ type: 'resync' }, { type: 'element', n: 1 }, { type: 'incident', id: 'inc-1' }, { type: 'resync' }]);
    assert.deepEqual(states, ['connecting', 'live', 'reconnecting', 'reconnecting', 'signed-out']);
    assert.deepEqual(calls, ['Bearer hst_x', 'Bearer hst_x']);
  } finally {
    globalThis.fetch = realFetch;
  }
});
