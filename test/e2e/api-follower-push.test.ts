/**
 * A metric push to a follower's API when the leader cannot take it: the client gets 503
 * naming the leader's URL (body and header), never a 202 for samples nobody's rules read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { LEADER_HEADER } from '../../src/api/leader-forwarding.js';
import { ApiHarness } from './api-harness.js';

const push = { metrics: [{ name: 'queue_depth', value: 42, labels: { service: 'app' } }] };

/** A URL on a port nothing listens on (bound, then closed). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

test('follower: the leader does not answer → 503 HS_API_NOT_LEADER naming its URL; nothing stored here', async () => {
  const leaderUrl = await deadUrl();
  const h = await ApiHarness.open({ leadership: { isLeader: () => false, leader: async () => ({ holder: 'other', token: 3, apiUrl: leaderUrl, expiresAt: Date.now() + 2_000 }) } });
  try {
    const answer = await h.call('operator', 'POST', '/api/metrics', push);
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.json.error.code, 'HS_API_NOT_LEADER');
    assert.equal(answer.json.error.leader, leaderUrl);
    assert.equal(answer.headers[LEADER_HEADER], leaderUrl);
    assert.match(answer.json.error.message, /did not answer/);
    assert.equal(h.series.seriesCount, 0, 'a follower keeps no pushed sample');
  } finally {
    await h.close();
  }
});

test('follower: no leader elected → 503 saying so; a push forwarded once is never forwarded again', async () => {
  let leader: { holder: string; token: number; apiUrl: string | null; expiresAt: number } | undefined;
  const h = await ApiHarness.open({ leadership: { isLeader: () => false, leader: async () => leader } });
  try {
    const none = await h.call('operator', 'POST', '/api/metrics', push);
    assert.equal(none.status, 503, none.text);
    assert.equal(none.json.error.leader, null);
    assert.match(none.json.error.message, /no node leads it now/);

    leader = { holder: 'other', token: 4, apiUrl: 'http://127.0.0.1:9', expiresAt: Date.now() + 2_000 };
    const hop = await h.call('operator', 'POST', '/api/metrics', push, { 'x-homeostat-forwarded': '1' });
    assert.equal(hop.status, 503, hop.text);
    assert.equal(hop.json.error.leader, 'http://127.0.0.1:9');
    assert.match(hop.json.error.message, /changing hands/);

    // A viewer may not push, leader or not: the role is checked here first.
    assert.equal((await h.call('viewer', 'POST', '/api/metrics', push)).status, 403);
    assert.equal(h.series.seriesCount, 0);
  } finally {
    await h.close();
  }
});
