import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertBook } from './alert-book.js';
import type { MappedAlert } from './alert-mapping.js';

const firing = (fingerprint: string, startsAt = 't0', symptom = 'HighErrors'): MappedAlert => ({ fingerprint, startsAt, status: 'firing', service: 'web', symptom });
const resolved = (alert: MappedAlert): MappedAlert => ({ ...alert, status: 'resolved' });

test('a redelivered firing alert is a duplicate; its resolution clears the symptom once', () => {
  const book = new AlertBook(10);
  assert.equal(book.record(firing('a')), 'fired');
  assert.equal(book.record(firing('a')), 'duplicate');
  assert.equal(book.isFiring('web', 'HighErrors'), true);
  assert.equal(book.record(resolved(firing('a'))), 'resolved');
  assert.equal(book.isFiring('web', 'HighErrors'), false);
  assert.equal(book.record(resolved(firing('a'))), 'duplicate');
});

test('a late redelivery of a resolved episode\'s firing notice does not bring it back; a new episode does', () => {
  const book = new AlertBook(10);
  book.record(firing('a', 't0'));
  book.record(resolved(firing('a', 't0')));
  assert.equal(book.record(firing('a', 't0')), 'duplicate');
  assert.equal(book.isFiring('web', 'HighErrors'), false);
  assert.equal(book.record(firing('a', 't1')), 'fired', 'the same alert firing again later is a new episode');
});

test('a symptom clears only when every alert raising it resolved', () => {
  const book = new AlertBook(10);
  book.record(firing('a'));
  book.record(firing('b'));
  book.record(resolved(firing('a')));
  assert.equal(book.isFiring('web', 'HighErrors'), true, 'b still fires');
  book.record(resolved(firing('b')));
  assert.equal(book.isFiring('web', 'HighErrors'), false);
  assert.equal(book.isFiring('web', 'Other'), false, 'a symptom no alert raised is not firing');
});

test('bounded: beyond maxFiring a new alert is refused, never an old firing one forgotten', () => {
  const book = new AlertBook(2);
  book.record(firing('a', 't0', 'A'));
  book.record(firing('b', 't0', 'B'));
  assert.equal(book.record(firing('c', 't0', 'C')), 'full');
  assert.equal(book.isFiring('web', 'A'), true);
  assert.equal(book.isFiring('web', 'C'), false);
  assert.equal(book.firingCount, 2);
  book.record(resolved(firing('a', 't0', 'A')));
  assert.equal(book.record(firing('c', 't0', 'C')), 'fired', 'room again once one resolved');
});

test('resolved episodes are remembered up to the bound, the oldest forgotten first', () => {
  const book = new AlertBook(2);
  for (const fp of ['a', 'b', 'c']) book.record(resolved(firing(fp)));
  assert.equal(book.record(firing('c')), 'duplicate');
  assert.equal(book.record(firing('a')), 'fired', 'the oldest resolved episode was forgotten');
});

test('an assumed firing symptom (an open incident\'s, after a restart) fires until its time passes or an alert of it is heard', () => {
  let now = 1_000;
  const book = new AlertBook(10, () => now);
  book.assumeFiring('web', 'HighErrors', 5_000);
  assert.equal(book.isFiring('web', 'HighErrors'), true);
  now = 5_001;
  assert.equal(book.isFiring('web', 'HighErrors'), false, 'not heard again within resendWithin: taken as cleared');

  book.assumeFiring('web', 'HighErrors', 10_000);
  book.record(resolved(firing('a')));
  assert.equal(book.isFiring('web', 'HighErrors'), false, 'a resolved notice ends the assumption at once');
  book.assumeFiring('web', 'HighErrors', 10_000);
  assert.equal(book.isFiring('web', 'HighErrors'), false, 'nothing is assumed of a symptom the book has heard about');

  book.assumeFiring('web', 'Other', 10_000);
  book.record(firing('b', 't0', 'Other'));
  book.record(resolved(firing('b', 't0', 'Other')));
  assert.equal(book.isFiring('web', 'Other'), false, 'heard firing then resolved: cleared');
});
