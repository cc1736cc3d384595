import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTerminal, TERMINAL_RUN_STATUSES, type RunStatus } from '../records.js';
import { sqlList, TERMINAL_RUN_STATUSES_SQL } from './sql-lists.js';

test('a constant list becomes an SQL literal list, quotes doubled', () => {
  assert.equal(sqlList(['a', "it's"]), "('a', 'it''s')");
  assert.equal(TERMINAL_RUN_STATUSES_SQL, "('completed', 'failed', 'cancelled', 'parked')");
});

test('isTerminal holds for exactly the terminal statuses', () => {
  const all: RunStatus[] = ['pending', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'parked'];
  assert.deepEqual(all.filter(isTerminal), [...TERMINAL_RUN_STATUSES]);
});
