import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Actuator } from '../../execute/actuators.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { instrumentedActuator } from './instrumented-actuator.js';
import { runtimeMetrics } from './runtime-metrics.js';

test('each action is counted by kind and outcome, timed, logged and said; a throw is a failed outcome naming the error', async () => {
  const registry = new MetricsRegistry();
  const said: string[] = [];
  const logged: { msg: string; incident: string; action: string; target: string; ok: boolean; detail: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
  const inner: Actuator = {
    execute: async (action, target) => {
      if (action.action === 'rollback') throw new Error('no good version');
      return { ok: true, detail: `restarted ${target.instance}` };
    },
  };
  const actuator = instrumentedActuator(inner, { metrics: runtimeMetrics(registry), logger, say: (line) => said.push(line) });
  const signal = new AbortController().signal;
  const restarted = await actuator.execute({ action: 'restart', scope: 'instance' }, { incidentId: 'inc-1', service: 'api', instance: 'api#0' }, signal);
  const rolledBack = await actuator.execute({ action: 'rollback' }, { incidentId: 'inc-2', service: 'api' }, signal);
  assert.deepEqual(restarted, { ok: true, detail: 'restarted api#0' });
  assert.deepEqual(rolledBack, { ok: false, detail: 'rollback threw: no good version' });
  const text = registry.render();
  assert.match(text, /^homeostat_actions_total\{kind="restart",outcome="ok"\} 1$/m);
  assert.match(text, /^homeostat_actions_total\{kind="rollback",outcome="failed"\} 1$/m);
  assert.match(text, /^homeostat_action_duration_seconds_count\{kind="restart"\} 1$/m);
  assert.deepEqual(said, ['  restart api#0: restarted api#0', '  rollback api: rollback threw: no good version']);
  assert.deepEqual(
    logged.map(({ msg, incident, action, target, ok, detail }) => ({ msg, incident, action, target, ok, detail })),
    [
      { msg: 'action executed', incident: 'inc-1', action: 'restart', target: 'api#0', ok: true, detail: 'restarted api#0' },
      { msg: 'action executed', incident: 'inc-2', action: 'rollback', target: 'api', ok: false, detail: 'rollback threw: no good version' },
    ],
  );
});
