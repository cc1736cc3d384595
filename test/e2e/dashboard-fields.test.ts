import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveElementEventSchema, liveEventSchema } from '../../src/api/shapes/live-event.js';
import { ApiHarness } from './api-harness.js';

/**
 * The dashboard reads only what the API's response schemas document.
 *
 * How it fails on a new undocumented read: every `api.get(…)`/`api.post(…)` in ui/ must be
 * declared in CALLS (a new call fails until it is), and every property chain read from an
 * identifier declared in READS for that file (`incident.summary`, `d.lastExit`,
 * `answer.run.status`, a destructured `{ incident, entries }` of an answer) is walked down
 * the schemas /openapi.json publishes: a field that is not a declared property fails —
 * also inside an open map that documents its keys (an instance's `details`). Maps of data
 * the API does not shape (an incident entry's `data`, a run's `output`) are not walked.
 * The event stream's frames are checked the same way against `liveEventSchema`.
 */

// Compiled to dist/test/e2e/: the repository root is three folders up.
const root = fileURLToPath(new URL('../../../', import.meta.url));

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: unknown; nullable?: boolean };

/** Where a value the dashboard holds sits in an answer: `METHOD /path#pointer`, `[]` for an array's items. */
const SERVICE = 'GET /api/services#services[]';
const INSTANCE = `${SERVICE}.instances[]`;
const DETAILS = `${INSTANCE}.details`;
const SERIES = 'GET /api/services/{name}/metrics#series[]';
const INCIDENT = 'GET /api/incidents#incidents[]';
const INCIDENT_DETAIL = 'GET /api/incidents/{id}#';
const ENTRY = `${INCIDENT_DETAIL}entries[]`;
const APPROVAL = 'GET /api/approvals#approvals[]';
const RUN = 'GET /api/runs#runs[]';
const RUN_DETAIL = 'GET /api/runs/{id}#';
const STEP = `${RUN_DETAIL}steps[]`;
const ATTEMPT = `${RUN_DETAIL}attempts[]`;
const RUN_ERROR = `${RUN}.error`;
const AUDIT_ENTRY = 'GET /api/audit#entries[]';
const VERIFICATION = 'GET /api/audit/verify#';
const AGENT = 'GET /api/agents#agents[]';
const AGENT_TASK = 'GET /api/agents/tasks#tasks[]';
const QUORUM_DETAIL = 'GET /api/agents/quorums/{id}#';
const HUMAN_TASK = 'GET /api/inbox#tasks[]';
const GRAPH = 'GET /api/runs/{id}/graph#graphs[]';
const GRAPH_TASK = `${GRAPH}.tasks[]`;
/** A frame of the event stream, and the supervisor event of an `element` frame (not in /openapi.json: the stream is not JSON). */
const STREAM = 'stream#';
const STREAM_ELEMENT = 'stream#event';
const STREAM_SCHEMAS: Record<string, Schema> = { [STREAM]: liveEventSchema as Schema, [STREAM_ELEMENT]: liveElementEventSchema as Schema };

/** Per file: what an identifier holds (any of these places), and fields the view adds itself. */
const READS: Record<string, Record<string, { at: string[]; local?: string[] }>> = {
  'ui/app.js': { open: { at: ['GET /api/incidents#'] }, pending: { at: ['GET /api/approvals#'] }, asked: { at: ['GET /api/inbox#'] }, event: { at: [STREAM] } },
  'ui/live-events.js': { event: { at: [STREAM] } },
  'ui/views/overview.js': {
    servicesAnswer: { at: ['GET /api/services#'] },
    incidentsAnswer: { at: ['GET /api/incidents#'] },
    services: { at: ['GET /api/services#services'] },
    service: { at: [SERVICE], local: ['role', 'status', 'openIncidents'] },
    instance: { at: [INSTANCE], local: ['status'] },
    i: { at: [INCIDENT, INSTANCE], local: ['status'] },
    s: { at: [SERVICE, SERIES] },
    a: { at: [SERIES] },
    b: { at: [SERIES] },
    series: { at: [SERIES] },
    d: { at: [DETAILS] },
    incident: { at: [INCIDENT] },
    // `onEvent(event)` gets a frame; `statusFromEvent(event)` the supervisor event of an element frame.
    event: { at: [STREAM, STREAM_ELEMENT] },
  },
  'ui/views/incidents.js': {
    openAnswer: { at: ['GET /api/incidents#'] },
    pastAnswer: { at: ['GET /api/incidents#'] },
    incident: { at: [INCIDENT] },
    a: { at: [APPROVAL] },
    event: { at: [STREAM] },
  },
  // `event.currentTarget`: the click of a decision button, not a frame.
  'ui/views/approvals.js': { approval: { at: [APPROVAL] }, a: { at: [APPROVAL] }, b: { at: [APPROVAL] }, event: { at: [STREAM], local: ['currentTarget'] } },
  'ui/views/runs.js': { run: { at: [RUN, `${RUN_DETAIL}run`] }, details: { at: [RUN_DETAIL] }, s: { at: [STEP] }, answer: { at: ['POST /api/runs/{id}/redrive#'] }, event: { at: [STREAM] } },
  'ui/views/agents.js': { agent: { at: [AGENT] }, task: { at: [AGENT_TASK] }, listed: { at: ['GET /api/agents#'] }, dispatched: { at: ['GET /api/agents/tasks#'] }, event: { at: [STREAM] } },
  'ui/components/agent-quorums.js': {
    listed: { at: ['GET /api/agents/quorums#'] },
    one: { at: [QUORUM_DETAIL] },
    quorum: { at: [`${QUORUM_DETAIL}quorum`, 'GET /api/agents/quorums#quorums[]'] },
    vote: { at: [`${QUORUM_DETAIL}votes[]`] },
  },
  'ui/views/inbox.js': { task: { at: [HUMAN_TASK] }, listed: { at: ['GET /api/inbox#'] }, event: { at: [STREAM] } },
  'ui/components/task-graph.js': { graph: { at: [GRAPH] }, task: { at: [GRAPH_TASK] }, a: { at: [GRAPH_TASK] }, b: { at: [GRAPH_TASK] } },
  'ui/views/audit.js': { verification: { at: [VERIFICATION] }, v: { at: [VERIFICATION] }, e: { at: [AUDIT_ENTRY] }, event: { at: [STREAM] } },
  'ui/components/run-timeline.js': { run: { at: [`${RUN_DETAIL}run`] }, step: { at: [STEP] }, s: { at: [STEP] }, attempt: { at: [ATTEMPT] }, a: { at: [ATTEMPT] }, error: { at: [RUN_ERROR] } },
  'ui/components/incident-timeline.js': { incident: { at: [`${INCIDENT_DETAIL}incident`] }, entry: { at: [ENTRY] } },
  'ui/components/incident-actions.js': { incident: { at: [`${INCIDENT_DETAIL}incident`] } },
  'ui/components/health.js': { instance: { at: [INSTANCE] } },
  'ui/components/graph.js': { service: { at: [SERVICE], local: ['role', 'status', 'openIncidents'] }, s: { at: [SERVICE], local: ['status'] }, instance: { at: [INSTANCE], local: ['status'] }, i: { at: [INSTANCE], local: ['status'] } },
};

/** Every API call of the dashboard, per file, as `METHOD /path` with `{}` for a parameter. */
const CALLS: Record<string, string[]> = {
  'ui/app.js': ['GET /api/incidents', 'GET /api/approvals', 'GET /api/inbox'],
  'ui/views/overview.js': ['GET /api/services', 'GET /api/incidents', 'GET /api/services/{}/metrics'],
  'ui/views/incidents.js': ['GET /api/incidents', 'GET /api/incidents', 'GET /api/incidents/{}'],
  'ui/views/approvals.js': ['POST /api/approvals/{}/{}', 'GET /api/approvals'],
  'ui/views/runs.js': ['GET /api/runs', 'POST /api/runs/{}/redrive', 'GET /api/runs/{}', 'GET /api/runs/{}/graph'],
  'ui/components/agent-quorums.js': ['GET /api/agents/quorums', 'GET /api/agents/quorums/{}'],
  'ui/views/inbox.js': ['POST /api/inbox/{}/complete', 'GET /api/inbox'],
  'ui/views/agents.js': ['GET /api/agents', 'GET /api/agents/tasks'],
  'ui/views/audit.js': ['GET /api/audit', 'GET /api/audit', 'GET /api/audit/verify'],
  'ui/components/incident-actions.js': ['POST /api/incidents/{}/{}'],
};

function uiFiles(dir = join(root, 'ui')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? uiFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [relative(root, join(dir, entry.name))] : []));
}

/** The schema at `METHOD /path#pointer` of the published document. */
function schemaAt(paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>, place: string): Schema {
  if (STREAM_SCHEMAS[place]) return STREAM_SCHEMAS[place];
  const [route, pointer] = place.split('#') as [string, string];
  const [method, path] = route.split(' ') as [string, string];
  const responses = paths[path]?.[method.toLowerCase()]?.responses;
  const success = Object.entries(responses ?? {}).find(([status]) => status.startsWith('2'));
  let schema = success?.[1].content?.['application/json']?.schema;
  assert.ok(schema, `${place}: no such route with a JSON answer in /openapi.json`);
  for (const part of pointer.split('.').filter(Boolean)) {
    const name = part.replace(/\[\]$/, '');
    schema = schema?.properties?.[name];
    assert.ok(schema, `${place}: no field ${name}`);
    if (part.endsWith('[]')) schema = schema.items;
  }
  return schema!;
}

const STOP_TYPES = new Set(['string', 'number', 'boolean', 'array']);

/** Whether reading `chain` (field names) from a value of `schema` stays on documented fields. */
function documents(schema: Schema, chain: string[]): boolean {
  let at: Schema | undefined = schema;
  for (const field of chain) {
    const types = [at.type ?? []].flat();
    // Methods and lengths of text and lists; values the API passes on unshaped (no type, no properties).
    if (types.some((t) => STOP_TYPES.has(t))) return true;
    // A map whose keys are data (labels, an entry's data): any key.
    if (!at.properties) return at.type === undefined || (at.additionalProperties !== undefined && at.additionalProperties !== false);
    at = at.properties[field];
    if (!at) return false;
  }
  return true;
}

test('the dashboard reads only fields the response schemas document', async () => {
  const h = await ApiHarness.open();
  let paths;
  try {
    paths = (await h.call('none', 'GET', '/openapi.json')).json.paths;
  } finally {
    await h.close();
  }
  const problems: string[] = [];
  for (const file of uiFiles()) {
    const source = readFileSync(join(root, file), 'utf8');
    const calls = [...source.matchAll(/api\.(get|post)\(\s*[`'](\/api\/[^`'?]*)/g)].map((m) => `${m[1]!.toUpperCase()} ${m[2]!.replace(/\$\{[^}]*\}/g, '{}')}`);
    assert.deepEqual(calls, CALLS[file] ?? [], `${file}: its API calls are not the declared ones; declare new ones in CALLS and what their answers are held in in READS`);
    const declared = READS[file] ?? {};
    for (const [name, { at, local = [] }] of Object.entries(declared)) {
      const schemas = at.map((place) => schemaAt(paths, place));
      for (const match of source.matchAll(new RegExp(String.raw`(?<![\w$.])${name}((?:\??\.[A-Za-z_$][\w$]*)+)`, 'g'))) {
        const chain = match[1]!.split('.').map((p) => p.replace(/\?$/, '')).filter(Boolean);
        if (local.includes(chain[0]!)) continue;
        if (!schemas.some((schema) => documents(schema, chain))) problems.push(`${file}: ${name}.${chain.join('.')} (${at.join(' or ')})`);
      }
    }
    // Fields taken from an answer by destructuring: `const { incident, entries } = await ctx.api.get(…)`.
    for (const match of source.matchAll(/const \{([^}]*)\} = await (?:ctx\.)?api\.get\(\s*[`'](\/api\/[^`'?]*)/g)) {
      const route = `GET ${match[2]!.replace(/\$\{[^}]*\}/g, '{id}')}#`;
      const fields = match[1]!.split(',').map((f) => f.split(':')[0]!.trim()).filter(Boolean);
      for (const field of fields) if (!documents(schemaAt(paths, route), [field])) problems.push(`${file}: { ${field} } of ${route}`);
    }
  }
  assert.deepEqual(problems, [], 'dashboard reads of fields no response schema documents');
});

test('the dashboard check notices an undocumented read', () => {
  const incident: Schema = { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, summary: { type: 'string' } } };
  const details: Schema = { type: 'object', additionalProperties: true, properties: { pid: {} } };
  assert.equal(documents(incident, ['summary']), true);
  assert.equal(documents(incident, ['summary', 'length']), true);
  assert.equal(documents(incident, ['severity']), false);
  assert.equal(documents(details, ['pid']), true);
  assert.equal(documents(details, ['uptime']), false);
  assert.equal(documents({ type: 'object', additionalProperties: true }, ['anything']), true);
});
