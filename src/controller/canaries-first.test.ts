import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../config/load-config.js';
import { guardrailsSchema } from '../config/schema/policies.js';
import { isHomeostatError } from '../errors/homeostat-error.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { Guardrails } from '../plan/guardrails.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { canariesFirst } from './canaries-first.js';
import type { CanaryControl } from './config-canary.js';

const yaml = (version: string) => `services:
${['api', 'web']
  .map(
    (name, index) => `  ${name}:
    command: node
    replicas: 2
    env: { VERSION: "${version}" }
    expose: { port: ${8080 + index} }
    canary: { duration: 1ms, minRequests: 0 }
`,
  )
  .join('')}`;
const config = (version: string) => parseConfig(yaml(version), { file: '/srv/homeostat.yaml' }).config;

/** Every canary passes but the one on `failing`; what was asked is kept in `calls`. */
function control(failing?: string): { control: CanaryControl; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    control: {
      startCanary: async (service) => {
        calls.push(`start ${service}`);
        return { instance: `${service}#0`, ready: true };
      },
      endCanary: async (service, outcome) => {
        calls.push(`end ${service} ${outcome}`);
      },
      watchTraffic: () => ({ seen: () => ({ requests: 10, failures: 0, p95LatencyMs: 1 }), stop: () => undefined }),
      replicas: (service) => [0, 1].map((replica) => ({ instance: `${service}#${replica}`, isHealthy: () => !(service === failing && replica === 0) })),
    },
  };
}

async function withKnowledge(run: (knowledge: Knowledge, version: number) => Promise<void>): Promise<void> {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    await knowledge.configVersions.applied(yaml('1'), 'homeostat up');
    const next = await knowledge.configVersions.applied(yaml('2'), 'homeostat.yaml changed', 'config-file');
    await run(knowledge, next.version);
  } finally {
    await store.close();
  }
}

const deps = (knowledge: Knowledge, canaries: CanaryControl, guardrails?: Guardrails) => ({ canaries, knowledge, logger: pino({ level: 'silent' }), say: () => undefined, ...(guardrails ? { guardrails } : {}) });
const version = (v: number) => ({ before: config('1'), next: config('2'), version: v, previous: v - 1, source: 'homeostat.yaml changed', by: 'config-file' });

test('every canary passes: each is kept for the reload to roll on from, audited as started by who applied it and passed by the controller', async () => {
  await withKnowledge(async (knowledge, v) => {
    const { control: canaries, calls } = control();
    await canariesFirst(deps(knowledge, canaries), version(v));
    assert.deepEqual(calls, ['start api', 'end api keep', 'start web', 'end web keep']);
    const audit = (await knowledge.audit.list()).filter((entry) => entry.action.startsWith('config.canary'));
    assert.deepEqual(audit.map((entry) => [entry.actor, entry.action]), [['config-file', 'config.canary.started'], ['controller', 'config.canary.passed'], ['config-file', 'config.canary.started'], ['controller', 'config.canary.passed']]);
  });
});

test('the second canary fails: the first, which passed, is restarted on the spec in force too, and the version is marked bad', async () => {
  await withKnowledge(async (knowledge, v) => {
    const { control: canaries, calls } = control('web');
    await assert.rejects(canariesFirst(deps(knowledge, canaries), version(v)), (error: Error) => isHomeostatError(error, 'HS_CONFIG_CANARY_FAILED') && /marked bad; v1 stays in force on every replica: web#0 failed its probes .* \(the canaries of api passed and were restarted on v1 too\)$/.test(error.message));
    assert.deepEqual(calls, ['start api', 'end api keep', 'start web', 'end web revert', 'end api revert']);
    assert.equal((await knowledge.configVersions.list()).find((record) => record.version === v)?.status, 'bad');
  });
});

test('a paused service, or another replica under remediation, denies the canary through the guardrails: nothing restarts, the version is marked failed', async () => {
  await withKnowledge(async (knowledge, v) => {
    const guardrails = new Guardrails(guardrailsSchema.parse({ blastRadius: { maxReplicas: 1 } }), knowledge);
    await knowledge.pause('api', 'operator:alice', 'maintenance');
    const { control: canaries, calls } = control();
    await assert.rejects(canariesFirst(deps(knowledge, canaries, guardrails), version(v)), /not applied \(marked failed\); v1 stays in force on every replica: the canary of api was denied by the guardrails \(pause: paused \(api\) by operator:alice: maintenance\)/);
    assert.deepEqual(calls, []);
    assert.equal((await knowledge.configVersions.list()).find((record) => record.version === v)?.status, 'failed');
    assert.ok((await knowledge.audit.list()).some((entry) => entry.action === 'config.canary.denied'));

    await knowledge.resume('api', 'operator:alice');
    // The loop is restarting web#1: a canary on web#0 would leave web no replica it is not changing.
    assert.equal((await guardrails.check({ service: 'web', instance: 'web#1', replicas: 2, dryRun: false })).allowed, true);
    const again = control();
    await assert.rejects(canariesFirst(deps(knowledge, again.control, guardrails), version(v)), /the canary of web was denied by the guardrails \(blast-radius: 1 of web's replicas under remediation \(web#1\); this action would make 2, limit 1\)/);
    assert.deepEqual(again.calls, ['start api', 'end api keep', 'end api revert']);
    // The passed canary was released from the blast radius once judged: api can be remediated again.
    assert.equal((await guardrails.check({ service: 'api', instance: 'api#1', replicas: 2, dryRun: false })).allowed, true);
  });
});
