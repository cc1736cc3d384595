import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentActionRates } from './agent-action-rate.js';

test('an agent\'s action budget slides: max requests in any window, then allowed again as the oldest leaves it; agents counted apart', () => {
  let now = 0;
  const rates = new AgentActionRates(() => now);
  const rate = { max: 2, perMs: 1_000 };
  assert.deepEqual(rates.take('a', rate), { allowed: true });
  now = 400;
  assert.deepEqual(rates.take('a', rate), { allowed: true });
  now = 500;
  assert.deepEqual(rates.take('a', rate), { allowed: false, retryAfterMs: 500 }, 'the first leaves the window at 1000');
  assert.deepEqual(rates.take('b', rate), { allowed: true }, 'another agent has its own budget');
  now = 1_000;
  assert.deepEqual(rates.take('a', rate), { allowed: true });
  assert.deepEqual(rates.take('a', rate), { allowed: false, retryAfterMs: 400 }, 'a refusal takes nothing from the budget');
});

test('a changed limit (an applied config) keeps the requests already counted in the window', () => {
  let now = 0;
  const rates = new AgentActionRates(() => now);
  assert.deepEqual(rates.take('a', { max: 3, perMs: 1_000 }), { allowed: true });
  now = 100;
  assert.deepEqual(rates.take('a', { max: 3, perMs: 1_000 }), { allowed: true });
  now = 200;
  assert.deepEqual(rates.take('a', { max: 2, perMs: 1_000 }), { allowed: false, retryAfterMs: 800 }, 'two already taken: a lower max refuses the third');
});
