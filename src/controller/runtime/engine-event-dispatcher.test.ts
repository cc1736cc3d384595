import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { REMEDIATION_WORKFLOW } from '../../execute/remediation-workflow.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { engineEventDispatcher } from './engine-event-dispatcher.js';

function setup(onRemediationFinished: (runId: string, status: string) => Promise<void>) {
  const lines: { msg: string; err?: { message?: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const registry = new MetricsRegistry();
  const stepSeconds = registry.histogram('steps', 'Steps.', [0.5, 1]);
  const remediationSeconds = registry.histogram('remediations', 'Remediations.', [60]);
  const finished: string[] = [];
  const dispatch = engineEventDispatcher({ stepSeconds, remediationSeconds, logger, onRunFinished: (event) => finished.push(`${event.runId} ${event.status}`), onRemediationFinished });
  return { lines, registry, dispatch, finished };
}

test('a step is timed by the part of its name before the rung; every finished run is passed on', () => {
  const { registry, dispatch, finished } = setup(async () => undefined);
  dispatch({ type: 'step-finished', runId: 'r1', workflow: 'w', step: 'act:2', status: 'failed', attempts: 1, durationMs: 700 });
  dispatch({ type: 'run-finished', runId: 'r1', workflow: 'w', status: 'completed' });
  const text = registry.render();
  assert.match(text, /^steps_bucket\{status="failed",step="act",le="0.5"\} 0$/m);
  assert.match(text, /^steps_bucket\{status="failed",step="act",le="1"\} 1$/m);
  assert.deepEqual(finished, ['r1 completed']);
  assert.doesNotMatch(text, /^remediations_count/m, 'not a remediation');
});

test('a remediation is timed from its start or claim here, and its outcome read; a run started elsewhere is not timed', async () => {
  const read: string[] = [];
  const { registry, dispatch } = setup(async (runId, status) => void read.push(`${runId} ${status}`));
  dispatch({ type: 'run-claimed', runId: 'remediate:api:inc-1:0', workflow: REMEDIATION_WORKFLOW, epoch: 2, takeover: true });
  dispatch({ type: 'run-finished', runId: 'remediate:api:inc-1:0', workflow: REMEDIATION_WORKFLOW, status: 'completed' });
  dispatch({ type: 'run-finished', runId: 'remediate:api:inc-2:0', workflow: REMEDIATION_WORKFLOW, status: 'failed' });
  const text = registry.render();
  assert.match(text, /^remediations_count\{status="completed"\} 1$/m);
  assert.doesNotMatch(text, /status="failed"/);
  assert.deepEqual(read, ['remediate:api:inc-1:0 completed', 'remediate:api:inc-2:0 failed']);
});

test('worker errors and a failed outcome read are logged, not thrown into the engine', async () => {
  const { lines, dispatch } = setup(async () => {
    throw new Error('store gone');
  });
  dispatch({ type: 'worker-error', message: 'claiming runs failed', error: { name: 'Error', message: 'busy' } });
  dispatch({ type: 'run-finished', runId: 'remediate:api:inc-3:0', workflow: REMEDIATION_WORKFLOW, status: 'completed' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    lines.map((l) => [l.msg, l.err?.message]),
    [
      ['claiming runs failed', 'busy'],
      ['reading a finished remediation failed', 'store gone'],
    ],
  );
});
