import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHomeostatError } from '../errors/homeostat-error.js';
import { canonicalJson, resolveComparator } from './quorum-comparators.js';
import { decideQuorum, type Ballot } from './quorum-decision.js';

const answered = (voter: string, answer: unknown): Ballot => ({ voter, taskId: null, answered: true, answer });

test('exact compares JSON text, key order included', () => {
  const { equals, describe } = resolveComparator('exact');
  assert.equal(describe, 'exact');
  assert.equal(equals({ a: 1, b: 2 }, { a: 1, b: 2 }), true);
  assert.equal(equals({ a: 1, b: 2 }, { b: 2, a: 1 }), false);
  assert.equal(equals('4', 4), false);
});

test('json compares values with object keys in any order, at every depth, but arrays in order', () => {
  const { equals } = resolveComparator('json');
  assert.equal(equals({ a: 1, b: { d: [1, 2], c: null } }, { b: { c: null, d: [1, 2] }, a: 1 }), true);
  assert.equal(equals({ list: [1, 2] }, { list: [2, 1] }), false);
  assert.equal(equals({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(canonicalJson({ b: [2, { d: 1, c: 0 }], a: 1 }), '{"a":1,"b":[2,{"c":0,"d":1}]}');
});

test('numeric agrees within the tolerance, inclusive, and never for non-numbers', () => {
  const { equals, describe } = resolveComparator({ numeric: 0.5 });
  assert.equal(describe, 'numeric ±0.5');
  assert.equal(equals(10, 10.5), true);
  assert.equal(equals(10, 10.51), false);
  assert.equal(equals('10', 10), false);
  assert.equal(equals(Number.NaN, Number.NaN), false);
});

test('a function comparator is used as given and named in the record', () => {
  const { equals, describe } = resolveComparator({ name: 'same-city', equals: (a, b) => String(a).toLowerCase() === String(b).toLowerCase() });
  assert.equal(describe, 'function same-city');
  assert.equal(equals('Paris', 'PARIS'), true);
});

test('bad comparators are refused with HS_AGENT_TASK_INVALID naming what is accepted', () => {
  for (const bad of [{ numeric: -1 }, { numeric: Number.POSITIVE_INFINITY }, 'loose', { name: '', equals: () => true }]) {
    assert.throws(() => resolveComparator(bad as never), (error: unknown) => isHomeostatError(error, 'HS_AGENT_TASK_INVALID'), JSON.stringify(bad));
  }
});

test('2 of 3 agree: the answer is accepted and the third is the dissenter', () => {
  const decision = decideQuorum([answered('a', { n: 4 }), answered('b', { n: 5 }), answered('c', { n: 4 })], 2, resolveComparator('json').equals);
  assert.deepEqual(decision, { accepted: true, answer: { n: 4 }, agreed: ['a', 'c'], dissenters: ['b'] });
});

test('a voter that gave no answer is a dissenter of an accepted quorum', () => {
  const decision = decideQuorum([answered('a', 1), { voter: 'b', taskId: 't', answered: false, error: 'dead: lapsed' }, answered('c', 1)], 2, Object.is);
  assert.deepEqual(decision, { accepted: true, answer: 1, agreed: ['a', 'c'], dissenters: ['b'] });
});

test('fewer than k agreeing is no quorum, with every group and every missing answer', () => {
  const decision = decideQuorum([answered('a', 1), answered('b', 2), { voter: 'c', taskId: null, answered: false, error: 'failed: boom' }], 2, Object.is);
  assert.deepEqual(decision, { accepted: false, groups: [{ answer: 1, voters: ['a'] }, { answer: 2, voters: ['b'] }], unanswered: [{ voter: 'c', error: 'failed: boom' }] });
});

test('numeric tolerance groups answers around the first of each group, deterministically', () => {
  const decision = decideQuorum([answered('a', 3.14), answered('b', 3.141), answered('c', 2.7), answered('d', 3.139)], 3, resolveComparator({ numeric: 0.01 }).equals);
  assert.deepEqual(decision, { accepted: true, answer: 3.14, agreed: ['a', 'b', 'd'], dissenters: ['c'] });
});

test('a comparator that throws counts as disagreement, not as a failed quorum', () => {
  const decision = decideQuorum([answered('a', 1), answered('b', 1)], 2, () => {
    throw new Error('bad comparator');
  });
  assert.equal(decision.accepted, false);
});
