import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outstandingPage, resolveDue } from './escalation-episode.js';

const page = (at: number, data: Record<string, unknown> = {}) => ({ at, kind: 'escalation' as const, data: { event: 'trigger', ok: true, delivered: 2, ...data } });
const resolve = (at: number) => ({ at, kind: 'escalation' as const, data: { event: 'resolve', ok: true, delivered: 2 } });
const note = (at: number, detail: string) => ({ at, kind: 'note' as const, data: { detail } });

test('a page is outstanding from when it was sent until its resolve is recorded', () => {
  assert.equal(outstandingPage([]), undefined);
  assert.deepEqual(outstandingPage([note(1, 'slow retry 1 of the ladder'), page(5)]), { at: 5 });
  assert.deepEqual(outstandingPage([page(5), { at: 6, kind: 'escalation', data: { paged: false, alreadyPagedAt: 5, detail: 'already paged at …' } }]), { at: 5 });
  assert.equal(outstandingPage([page(5), resolve(9)]), undefined);
});

test('a page nobody received is not outstanding; one delivered to some webhooks is', () => {
  assert.equal(outstandingPage([page(5, { ok: false, delivered: 0 })]), undefined);
  assert.deepEqual(outstandingPage([page(5, { ok: false, delivered: 1 })]), { at: 5 });
  // No webhook configured: the escalation was made (the incident says so); nothing to page again.
  assert.deepEqual(outstandingPage([page(5, { ok: true, delivered: 0 })]), { at: 5 });
  // Entries written before pages carried an event are not pages.
  assert.equal(outstandingPage([{ at: 5, kind: 'escalation', data: { ok: true, detail: 'POST … → HTTP 200' } }]), undefined);
});

test('a re-opened incident may page again; a failed resolve still ends the episode (at most once)', () => {
  assert.equal(outstandingPage([page(5), resolve(9), note(20, 're-opened: process-crashed on api 12 s after it was resolved by restart api#0')]), undefined);
  assert.equal(outstandingPage([page(5), note(20, 're-opened: process-crashed on api')]), undefined);
  assert.deepEqual(outstandingPage([page(5), resolve(9), note(20, 're-opened: …'), page(30)]), { at: 30 });
  assert.equal(outstandingPage([page(5), { at: 9, kind: 'escalation', data: { event: 'resolve', ok: false, delivered: 0 } }]), undefined);
  assert.deepEqual(outstandingPage([page(5), note(6, 'a note that mentions re-opened later')]), { at: 5 });
});

test('a resolve is due after a page or an approval-expiry warning a webhook got, until the resolve is recorded', () => {
  const warning = (at: number, delivered: number) => ({ at, kind: 'approval' as const, data: { status: 'expiring', delivered, detail: 'expires in 60000 ms; POST … → HTTP 200' } });
  assert.equal(resolveDue([]), false);
  assert.equal(resolveDue([page(5)]), true);
  assert.equal(resolveDue([warning(5, 1)]), true);
  assert.equal(outstandingPage([warning(5, 1)]), undefined, 'a warning is not the page: the ladder still pages');
  assert.equal(resolveDue([warning(5, 0)]), false);
  assert.equal(resolveDue([page(5), resolve(9)]), false);
  assert.equal(resolveDue([{ at: 5, kind: 'approval', data: { status: 'pending' } }]), false);
});
