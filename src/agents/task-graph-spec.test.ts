import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycle, validateTaskGraph, type GraphTask } from './task-graph-spec.js';

const rejects = (tasks: unknown[], message: RegExp, existing: GraphTask[] = []) =>
  assert.throws(() => validateTaskGraph({ name: 'g', tasks: tasks as GraphTask[] }, existing), (error: Error & { code?: string }) => error.code === 'HS_TASK_GRAPH_INVALID' && message.test(error.message));

test('a well-formed graph passes: fan-out, fan-in, code and human tasks', () => {
  validateTaskGraph({
    name: 'report',
    tasks: [
      { id: 'plan', run: () => ({ tasks: [] }), planner: true },
      { id: 'a', capability: 'research', dependsOn: ['plan'] },
      { id: 'b', capability: 'research', dependsOn: ['plan'], retries: 2, onFailure: 'cancel-dependents' },
      { id: 'review', human: { assignee: 'reviewer', due: '1h', fallback: 'lead' }, dependsOn: ['a', 'b'] },
    ],
  });
});

test('cycles are named with their path, self-loops included', () => {
  rejects([{ id: 'a', capability: 'x', dependsOn: ['a'] }], /tasks "a" form a dependency cycle: a → a/);
  rejects([{ id: 'a', capability: 'x', dependsOn: ['b'] }, { id: 'b', capability: 'x', dependsOn: ['a'] }], /dependency cycle: a → b → a/);
  assert.equal(findCycle([{ id: 'a', capability: 'x' }, { id: 'b', capability: 'x', dependsOn: ['a'] }]), undefined);
});

test('unknown dependencies, duplicates, unknown fields and bad fields name the task', () => {
  rejects([{ id: 'a', capability: 'x', dependsOn: ['ghost'] }], /task "a" depends on "ghost", which is not a task of the graph/);
  rejects([{ id: 'a', capability: 'x' }, { id: 'a', capability: 'y' }], /task "a" is declared twice/);
  rejects([{ id: 'a', capability: 'x', colour: 'red' }], /task "a": unknown field "colour"/);
  rejects([{ id: 'a' }], /task "a" must have exactly one of capability, human or run \(has 0\)/);
  rejects([{ id: 'a', capability: 'x', human: { assignee: 'bob' } }], /exactly one of capability, human or run \(has 2\)/);
  rejects([{ id: 'a', capability: 'has space' }], /task "a": capability must be/);
  rejects([{ id: 'a', capability: 'x', retries: -1 }], /task "a": retries must be a whole number/);
  rejects([{ id: 'a', human: { assignee: 'bob', due: 'soon' } }], /task "a": human.due is not a duration/);
  rejects([{ id: '../a', capability: 'x' }], /tasks\[0\].id must be/);
  rejects([], /tasks must be a non-empty list/);
});

test('an expansion is checked against the graph it joins: it may depend on existing tasks, not clash with them', () => {
  const existing: GraphTask[] = [{ id: 'plan', run: () => null, planner: true }];
  validateTaskGraph({ name: 'g', tasks: [{ id: 'x', capability: 'r', dependsOn: ['plan'] }] }, existing);
  rejects([{ id: 'plan', capability: 'r' }], /task "plan" is declared twice/, existing);
});
