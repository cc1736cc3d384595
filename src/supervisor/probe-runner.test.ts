import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../testing/manual-clock.js';
import type { ProbeState } from './element-events.js';
import { ProbeRunner } from './probe-runner.js';
import type { ProbeResult } from './probes/probe.js';

function runner(clock: ManualClock, check: (signal: AbortSignal) => Promise<ProbeResult>, overrides: Partial<ConstructorParameters<typeof ProbeRunner>[0]> = {}) {
  const changes: { from: ProbeState; to: ProbeState; at: number; message: string }[] = [];
  const probeRunner = new ProbeRunner({
    name: 'liveness',
    probe: { check },
    periodMs: 250,
    timeoutMs: 100,
    failureThreshold: 3,
    successThreshold: 1,
    initialDelayMs: 0,
    clock,
    onChange: (change) => changes.push(change),
    ...overrides,
  });
  return { probeRunner, changes };
}

test('passes after successThreshold successes, fails after failureThreshold failures', async () => {
  const clock = new ManualClock();
  let healthy = true;
  const { probeRunner, changes } = runner(clock, async () => ({ ok: healthy, message: healthy ? 'ok' : 'HTTP 500' }), { successThreshold: 2 });
  probeRunner.start();
  await clock.advance(0);
  assert.equal(probeRunner.state, 'unknown');
  await clock.advance(250);
  assert.equal(probeRunner.state, 'passing');
  healthy = false;
  await clock.advance(500);
  assert.equal(probeRunner.state, 'passing', 'two failures are below the threshold');
  await clock.advance(250);
  assert.equal(probeRunner.state, 'failing');
  assert.deepEqual(
    changes.map((c) => [c.from, c.to, c.at, c.message]),
    [
      ['unknown', 'passing', 250, 'ok'],
      ['passing', 'failing', 1_000, 'HTTP 500'],
    ],
  );
  probeRunner.stop();
});

test('a hung check times out, and a hang is caught within period × threshold + timeout', async () => {
  const clock = new ManualClock();
  let hung = false;
  const { probeRunner, changes } = runner(clock, (signal) =>
    hung ? new Promise<ProbeResult>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) : Promise.resolve({ ok: true, message: 'ok' }),
  );
  probeRunner.start();
  await clock.advance(10);
  hung = true; // hangs right after a successful check: the worst case
  await clock.advance(240 + 250 * 2 + 100);
  assert.equal(probeRunner.state, 'failing');
  const failedAt = changes.find((c) => c.to === 'failing')!.at;
  assert.ok(failedAt - 10 <= 250 * 3 + 100, `detected after ${failedAt - 10} ms`);
  assert.match(changes.at(-1)!.message, /timed out after 100 ms/);
  probeRunner.stop();
});

test('checks keep a fixed rate and never overlap; a throwing probe counts as a failure', async () => {
  const clock = new ManualClock();
  let calls = 0;
  const { probeRunner } = runner(clock, async () => {
    calls++;
    throw new Error('boom');
  }, { failureThreshold: 1, initialDelayMs: 1_000 });
  probeRunner.start();
  await clock.advance(999);
  assert.equal(calls, 0, 'initial delay');
  await clock.advance(1 + 250 * 4);
  assert.equal(calls, 5);
  assert.equal(probeRunner.state, 'failing');
  assert.equal(probeRunner.lastResult?.message, 'boom');
  probeRunner.stop();
  await clock.advance(1_000);
  assert.equal(calls, 5, 'stopped');
  assert.equal(clock.pendingSleeps, 0);
});

test('a startup grace ignores failures until the first pass or the grace ends', async () => {
  const clock = new ManualClock();
  let up = false;
  const { probeRunner, changes } = runner(clock, async () => ({ ok: up, message: up ? 'ok' : 'ECONNREFUSED' }), { failureThreshold: 2, startupGraceMs: 2_000 });
  probeRunner.start();
  await clock.advance(1_500);
  assert.equal(probeRunner.state, 'unknown', 'slow start: not failing yet');
  up = true;
  await clock.advance(250);
  up = false;
  await clock.advance(500);
  assert.equal(probeRunner.state, 'failing', 'after the first pass failures count at once');
  probeRunner.stop();
  const never = runner(clock, async () => ({ ok: false, message: 'ECONNREFUSED' }), { failureThreshold: 2, startupGraceMs: 2_000 });
  never.probeRunner.start();
  await clock.advance(2_600);
  assert.equal(never.probeRunner.state, 'failing', 'a process that never comes up is still caught');
  never.probeRunner.stop();
  assert.equal(changes.length, 2);
});
