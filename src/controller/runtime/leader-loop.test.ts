import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Diagnoser, Symptom } from '../../analyze/symptom.js';
import { parseConfig } from '../../config/load-config.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import type { ElementControl } from '../../execute/element-control.js';
import { Knowledge } from '../../knowledge/knowledge.js';
import type { IncidentRecord } from '../../store/records.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { Engine } from '../../workflow/engine.js';
import { RootCauseDiagnoser } from '../root-cause-diagnoser.js';
import { leaderLoop } from './leader-loop.js';

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const YAML = `
services:
  api: { command: node, args: [a.js] }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
`;

test('the new leader\'s loop runs the applied config with its diagnoser, and an incident\'s opening and escalation reach the accounting', async () => {
  const store = SqliteStore.open(':memory:');
  const engine = await Engine.open({ store, worker: false });
  try {
    const { config } = parseConfig(YAML, { file: '/tmp/homeostat-leader-loop/homeostat.yaml' });
    const knowledge = new Knowledge(store);
    const control: ElementControl = { instances: () => ['api#0'], isHealthy: () => false, restart: async () => undefined, stopStart: async () => undefined, scale: async () => undefined };
    const events: string[] = [];
    const diagnosed: HomeostatConfig[] = [];
    const candidates: IncidentRecord[] = [];
    const newLoop = leaderLoop({
      configs: { live: { config }, noteCandidate: async (incident) => void candidates.push(incident) },
      knowledge,
      control,
      diagnoserFor: (applied): Diagnoser => {
        diagnosed.push(applied);
        return new RootCauseDiagnoser({ config: applied, knowledge });
      },
      accounting: {
        opened: (incident, symptom) => void events.push(`opened ${incident.element} by ${symptom.name}`),
        reopened: () => void events.push('reopened'),
        retargeted: () => void events.push('retargeted'),
        escalatedWithoutPolicy: (incident) => void events.push(`escalated ${incident.element}`),
      },
      symptomCleared: () => false,
      drops: { drop: () => undefined },
      logger: pino({ level: 'silent' }),
    });
    const loop = newLoop(engine);
    assert.deepEqual(diagnosed, [config], 'the diagnoser of the applied version');
    loop.start();
    try {
      const disk: Symptom = { name: 'disk-full', element: 'api', instance: 'api#0', at: Date.now(), labels: {}, signal: {} };
      loop.observe(disk);
      await until(() => (events.includes('escalated api') ? true : undefined), 'the no-policy escalation');
      assert.deepEqual(events, ['opened api by disk-full', 'escalated api']);
      assert.equal(candidates.length, 1, 'named to the config manager as a possible effect of a config change');
      assert.equal(candidates[0]!.element, 'api');
    } finally {
      await loop.stop();
    }
  } finally {
    await engine.close(1_000);
    await store.close();
  }
});
