import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentView } from '../../agents/agent-health.js';
import { queuedReason, reliabilityText } from './agents.js';

function agent(name: string, health: AgentView['health'], load: number, capacity = 1, capabilities = ['research']): AgentView {
  return { name, capabilities, version: '1', owner: 'o', capacity, load, health, heartbeatMs: 200, lastHeartbeatAt: 0, heartbeatAgeMs: 0, registeredAt: 0, reliability: { votes: 0, agreed: 0, rate: null }, quarantine: null, retired: null };
}

test('a queued task says why it waits: no agent, none alive, all busy, or who will take it', () => {
  const task = { capability: 'research' };
  assert.equal(queuedReason(task, [agent('w', 'alive', 0, 1, ['write'])]), 'waiting: no live agent has research');
  assert.equal(queuedReason(task, [agent('a', 'dead', 0), agent('b', 'late', 0)]), 'waiting: no live agent has research (2 registered, none alive)');
  assert.equal(queuedReason(task, [agent('a', 'alive', 1), agent('b', 'alive', 2, 2)]), 'waiting: every live agent with research is at capacity (a 1/1, b 2/2)');
  assert.equal(queuedReason(task, [agent('a', 'alive', 1), agent('b', 'alive', 0), agent('c', 'dead', 0)]), 'waiting for b to claim it');
});

test('reliability shows as a rate with its votes, or - before the first vote', () => {
  assert.equal(reliabilityText({ reliability: { votes: 0, agreed: 0, rate: null } }), '-');
  assert.equal(reliabilityText({ reliability: { votes: 25, agreed: 23, rate: 23 / 25 } }), '92% (23/25)');
});
