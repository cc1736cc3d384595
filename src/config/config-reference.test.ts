import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUILT_IN_SYMPTOMS } from '../analyze/built-in-symptoms.js';
import { PROVIDER_DEGRADED, PROVIDER_RECOVERED } from '../analyze/provider-element.js';
import { AGENT_DISSENTING, AGENT_UNRESPONSIVE } from '../analyze/agent-element.js';
import { symptomOf } from '../controller/element-symptoms.js';
import { symptomOfRun } from '../controller/workflow-watch.js';
import type { RunRecord } from '../store/records.js';
import type { ElementEvent } from '../supervisor/element-events.js';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from './config-json-schema.js';
import { CONFIG_REFERENCE_PATH, configKeyRows, renderConfigReference } from './config-reference.js';
import { configSchema } from './schema/root.js';

// Compiled to dist/src/config/: the repository root is three folders up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const regenerate = 'run `npm run docs:config` and commit the result';

test('docs/config-reference.md is what the schema generates', () => {
  assert.equal(readFileSync(join(root, CONFIG_REFERENCE_PATH), 'utf8'), renderConfigReference(), `${CONFIG_REFERENCE_PATH} is out of date: ${regenerate}`);
});

test('schema/homeostat.schema.json is what the schema generates', () => {
  assert.deepEqual(JSON.parse(readFileSync(join(root, CONFIG_JSON_SCHEMA_PATH), 'utf8')), configJsonSchema(), `${CONFIG_JSON_SCHEMA_PATH} is out of date: ${regenerate}`);
});

/**
 * Every key path of the zod schema, walked from zod's own definitions (not from the JSON
 * Schema the reference is rendered from): `*` for a name the user picks, `[]` for items.
 */
function zodKeyPaths(schema: unknown, path: string, into: Set<string>): Set<string> {
  const def = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'object':
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
        const childPath = path ? `${path}.${key}` : key;
        into.add(childPath);
        zodKeyPaths(child, childPath, into);
      }
      break;
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      zodKeyPaths(def.innerType, path, into);
      break;
    case 'pipe':
      zodKeyPaths(def.in, path, into);
      break;
    case 'union':
      for (const option of def.options as unknown[]) zodKeyPaths(option, path, into);
      break;
    case 'record':
      if (hasKeys(def.valueType)) zodKeyPaths(def.valueType, `${path}.*`, into);
      break;
    case 'array':
      if (hasKeys(def.element)) zodKeyPaths(def.element, `${path}[]`, into);
      break;
  }
  return into;
}

function hasKeys(schema: unknown): boolean {
  return zodKeyPaths(schema, 'x', new Set()).size > 0;
}

test('every key of the schema has a row in the reference, with a meaning, and every row is a key', () => {
  const rows = configKeyRows();
  const listed = new Set(rows.map((row) => row.path.replace(/<[^>]+>/g, '*')));
  const keys = zodKeyPaths(configSchema, '', new Set());
  assert.ok(keys.has('services.*.probes.liveness.timeout') && keys.has('policies.*.ladder[].run'), 'the walk reaches nested keys');
  assert.deepEqual([...keys].filter((key) => !listed.has(key)), [], 'keys missing from the reference');
  // Besides the keys, the reference has a row for each map entry (`services.*`) and list item (`monitor.scrape[]`).
  assert.deepEqual([...listed].filter((path) => !keys.has(path) && !/(\.\*|\[\])$/.test(path)), [], 'rows that are no key');
  const reference = readFileSync(join(root, CONFIG_REFERENCE_PATH), 'utf8');
  for (const row of rows) {
    assert.ok(row.meaning.trim().length > 0, `${row.path} has no description (add .describe() in src/config/schema)`);
    assert.ok(reference.includes(`| \`${row.path}\` |`), `${row.path} is not in ${CONFIG_REFERENCE_PATH}`);
  }
});

test('the JSON Schema describes what is written: durations and sizes as text or numbers, defaults that parse', () => {
  const schema = configJsonSchema() as { definitions: Record<string, { type: string[] }> };
  assert.deepEqual(schema.definitions.duration!.type, ['number', 'string']);
  assert.deepEqual(schema.definitions.size!.type, ['number', 'string']);
  const timeout = configKeyRows().find((row) => row.path === 'services.<service>.probes.liveness.timeout')!;
  assert.deepEqual([timeout.type, timeout.default], ['duration', '1000 (1s)']);
  const status = configKeyRows().find((row) => row.path === 'services.<service>.probes.liveness.status')!;
  // A default shown must be one the file may hold: parse it back through the schema.
  const parsed = configSchema.parse({ services: { api: { command: 'node', probes: { liveness: { http: '/healthz', status: JSON.parse(status.default!) } } } } });
  assert.deepEqual(parsed.services.api!.probes.liveness!.status, [[200, 399]]);
});

test('every symptom homeostat raises by itself is in the built-in list the reference is made from', () => {
  const at = Date.now();
  const events = [
    { kind: 'process-exited', element: 'api', instance: 'api#0', at, code: 1, signal: null, reason: 'exited' },
    { kind: 'process-exited', element: 'api', instance: 'api#0', at, code: null, signal: 'SIGKILL', reason: 'liveness' },
    { kind: 'process-exited', element: 'api', instance: 'api#0', at, code: null, signal: 'SIGKILL', reason: 'memory' },
    { kind: 'probe-changed', element: 'api', instance: 'api#0', at, probe: 'readiness', from: 'passing', to: 'failing', message: '' },
    { kind: 'probe-changed', element: 'api', instance: 'api#0', at, probe: 'liveness', from: 'passing', to: 'failing', message: '' },
    { kind: 'crash-looping', element: 'api', instance: 'api#0', at },
    { kind: 'resource-breach', element: 'api', instance: 'api#0', at, resource: 'cpu' },
    { kind: 'spawn-failed', element: 'api', instance: 'api#0', at, message: 'ENOENT' },
  ] as unknown as ElementEvent[];
  const run = (status: 'failed' | 'parked') => ({ id: 'r1', workflow: 'order.fulfil', status, generation: 0, updatedAt: at, finishedAt: at }) as unknown as RunRecord;
  const raised = new Set([...events.map((event) => symptomOf(event)?.name), symptomOfRun(run('failed')).name, symptomOfRun(run('parked')).name]);
  // The config manager raises this one from its failure path (src/controller/config-manager.ts).
  const configManager = readFileSync(join(root, 'src/controller/config-manager.ts'), 'utf8');
  for (const match of configManager.matchAll(/name: '([a-z-]+)'/g)) raised.add(match[1]);
  // The provider watch raises the two names provider-element.ts exports, by name.
  const providerWatch = readFileSync(join(root, 'src/controller/provider-watch.ts'), 'utf8');
  for (const [constant, name] of [['PROVIDER_DEGRADED', PROVIDER_DEGRADED], ['PROVIDER_RECOVERED', PROVIDER_RECOVERED]] as const) if (providerWatch.includes(`name: ${constant}`)) raised.add(name);
  // The agent watch raises the two names agent-element.ts exports, through its `raise`.
  const agentWatch = readFileSync(join(root, 'src/controller/agent-watch.ts'), 'utf8');
  for (const [constant, name] of [['AGENT_UNRESPONSIVE', AGENT_UNRESPONSIVE], ['AGENT_DISSENTING', AGENT_DISSENTING]] as const) if (agentWatch.includes(`this.raise(${constant},`)) raised.add(name);
  const listed = BUILT_IN_SYMPTOMS.map((symptom) => symptom.name);
  assert.deepEqual([...raised].filter((name) => name === undefined || !listed.includes(name)), []);
  assert.deepEqual(listed.filter((name) => !raised.has(name)), [], 'listed symptoms nothing raises');
});
