import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { parseConfig } from '../../config/load-config.js';
import type { ElementControl } from '../../execute/element-control.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { nodeActuation } from './node-actuation.js';
import { runtimeMetrics } from './runtime-metrics.js';

test('an action on this node\'s own process runs on its control, counted and said; actions on no process run locally too', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const { config } = parseConfig('services:\n  api: { command: node, args: [a.js] }\n', { file: '/tmp/homeostat-node-actuation/homeostat.yaml' });
    const restarted: string[] = [];
    const control: ElementControl = {
      instances: () => ['api#0'],
      isHealthy: () => true,
      restart: async (_service, instance) => void restarted.push(instance ?? 'all'),
      stopStart: async () => undefined,
      scale: async () => undefined,
    };
    const registry = new MetricsRegistry();
    const said: string[] = [];
    const actuation = nodeActuation({
      store,
      self: { name: 'node-a', incarnation: 'node-a:1' },
      control,
      applied: () => config,
      escalationMessage: async () => assert.fail('no escalation here'),
      rollback: async (target) => ({ ok: true, detail: `rolled back for ${target.incidentId}` }),
      metrics: runtimeMetrics(registry),
      logger: pino({ level: 'silent' }),
      say: (line) => said.push(line),
      warn: (error) => assert.fail(String(error)),
    });
    const signal = new AbortController().signal;
    const restart = await actuation.routed.execute({ action: 'restart', scope: 'instance' }, { incidentId: 'inc-1', service: 'api', instance: 'api#0' }, signal);
    assert.equal(restart.ok, true, restart.detail);
    assert.equal(restart.node, 'node-a');
    assert.deepEqual(restarted, ['api#0']);
    const rollback = await actuation.routed.execute({ action: 'rollback' }, { incidentId: 'inc-2', service: 'api' }, signal);
    assert.deepEqual(rollback, { ok: true, detail: 'rolled back for inc-2' });
    const text = registry.render();
    assert.match(text, /^homeostat_actions_total\{kind="restart",outcome="ok"\} 1$/m);
    assert.match(text, /^homeostat_actions_total\{kind="rollback",outcome="ok"\} 1$/m);
    assert.equal(said.length, 2);
    assert.match(said[0]!, /^ {2}restart api#0: /);
    assert.equal(said[1], '  rollback api: rolled back for inc-2');
    assert.equal(actuation.agent.others.states.size, 0, 'the agent is not started: it knows no other node yet');
  } finally {
    await store.close();
  }
});
