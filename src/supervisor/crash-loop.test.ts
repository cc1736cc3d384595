import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashLoopDetector } from './crash-loop.js';

test('the threshold within the window enters the loop once; delays become slow retries', () => {
  const loop = new CrashLoopDetector({ restarts: 3, windowMs: 10_000, retryEveryMs: 5_000 });
  assert.deepEqual(loop.recordRestart(0), { entered: false, looping: false, inWindow: 1 });
  assert.equal(loop.recordRestart(1_000).entered, false);
  assert.deepEqual(loop.recordRestart(2_000), { entered: true, looping: true, inWindow: 3 });
  assert.equal(loop.recordRestart(3_000).entered, false);
  assert.equal(loop.delayFor(200), 5_000);
  assert.equal(loop.delayFor(30_000), 30_000);
});

test('restarts spread wider than the window are not a loop', () => {
  const loop = new CrashLoopDetector({ restarts: 3, windowMs: 10_000, retryEveryMs: 5_000 });
  for (const at of [0, 6_000, 12_000, 18_000]) assert.equal(loop.recordRestart(at).looping, false);
  assert.equal(loop.delayFor(200), 200);
});

test('only a stable run clears the loop; slow retries never stop on their own', () => {
  const loop = new CrashLoopDetector({ restarts: 2, windowMs: 10_000, retryEveryMs: 5_000 });
  loop.recordRestart(0);
  loop.recordRestart(1);
  // an hour of slow retries later: still looping, still retrying
  for (let at = 5_000; at < 3_600_000; at += 5_000) assert.equal(loop.recordRestart(at).looping, true);
  assert.equal(loop.markStable(), true);
  assert.equal(loop.looping, false);
  assert.equal(loop.markStable(), false);
});
