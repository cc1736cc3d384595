import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentHealth, agentView } from './agent-health.js';

test('an agent is alive within 2 heartbeat intervals, late within 5, dead after — judged against its own interval', () => {
  const fast = { lastHeartbeatAt: 10_000, heartbeatMs: 200 };
  assert.equal(agentHealth(fast, 10_000), 'alive');
  assert.equal(agentHealth(fast, 10_400), 'alive');
  assert.equal(agentHealth(fast, 10_401), 'late');
  assert.equal(agentHealth(fast, 11_000), 'late');
  assert.equal(agentHealth(fast, 11_001), 'dead');
  assert.equal(agentHealth({ lastHeartbeatAt: 10_000, heartbeatMs: 5_000 }, 11_001), 'alive', 'a slow agent is not dead after one fast agent\'s interval');
});

test('the view gives load against capacity and the heartbeat age', () => {
  const view = agentView({ name: 'a', capabilities: ['x'], version: '2', capacity: 3, owner: 'o', heartbeatMs: 100, tokenId: 't', registeredAt: 1, lastHeartbeatAt: 1_000 }, 2, 1_250);
  assert.deepEqual(
    { load: view.load, capacity: view.capacity, health: view.health, heartbeatAgeMs: view.heartbeatAgeMs, tokenId: (view as unknown as Record<string, unknown>).tokenId },
    { load: 2, capacity: 3, health: 'late', heartbeatAgeMs: 250, tokenId: undefined },
    'never the token id',
  );
});
