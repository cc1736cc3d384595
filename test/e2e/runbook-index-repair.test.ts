import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rebuildSearchIndex } from '../../examples/index-repair/runbooks.js';
import { buildIndex } from '../../examples/index-repair/search-index.js';
import { Engine } from '../../src/workflow/engine.js';
import { freePort } from './dashboard-harness.js';
import { UpHarness } from './loop-harness.js';

/** The compiled example (service and runbook module). */
const EXAMPLE = fileURLToPath(new URL('../../examples/index-repair/', import.meta.url));
const SOURCE = JSON.stringify([
  { id: 'b1', title: 'Red running shoe' },
  { id: 'b2', title: 'Blue running jacket' },
  { id: 'b3', title: 'Red rain jacket' },
]);

/** `up` over the example: the search service on `port`, its index in the test's folder, the runbook loaded from the compiled module. */
function indexRepair(port: number, options: { holdWhile?: string } = {}): { h: UpHarness; index: string } {
  const h = new UpHarness('');
  const index = join(h.dir, 'index.json');
  const source = join(h.dir, 'source.json');
  writeFileSync(source, SOURCE);
  writeFileSync(index, JSON.stringify(buildIndex(SOURCE)));
  const input = { source, index, ready: `http://127.0.0.1:${port}/ready`, ...(options.holdWhile ? { holdWhile: options.holdWhile } : {}) };
  writeFileSync(
    h.configPath,
    `stateDir: state
workflows:
  modules: [${join(EXAMPLE, 'runbooks.js')}]
services:
  search:
    command: ${process.execPath}
    args: [search-service.js, --port, "{{port}}", --index, "${index}"]
    cwd: ${EXAMPLE}
    port: ${port}
    probes:
      startup: { http: /healthz, period: 100ms, timeout: 1s, failureThreshold: 100 }
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 3 }
      readiness: { http: /ready, period: 250ms, timeout: 1s, failureThreshold: 2 }
policies:
  search-index-unusable:
    match: { symptom: [readiness-failing], service: [search] }
    ladder:
      - { action: workflow, name: rebuild-search-index, input: ${JSON.stringify(input)}, timeout: 60s }
      - { action: escalate }
    verify: { healthyFor: 1s, timeout: 20s }
`,
  );
  return { h, index };
}

async function search(port: number, word: string): Promise<unknown> {
  return (await fetch(`http://127.0.0.1:${port}/search?q=${word}`)).json();
}

test('a corrupted index: up runs the user\'s runbook from its module, the index is rebuilt from the source, the runbook\'s output is in the explanation', async () => {
  const port = await freePort();
  const { h, index } = indexRepair(port);
  try {
    await h.up();
    await h.healthy('search');
    assert.deepEqual(await search(port, 'red'), { q: 'red', ids: ['b1', 'b3'] });

    writeFileSync(index, '{"entries": {"red": ["b1"]}, "entriesSha256": "truncated');
    const incident = await h.waitForIncident((i) => i.element === 'search', 20_000, 'the incident about the unusable index');
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 60_000, 'the incident resolved by the runbook');
    assert.equal(resolved.resolution, 'action');
    assert.equal(resolved.resolvedBy, 'workflow search');
    assert.deepEqual(await search(port, 'red'), { q: 'red', ids: ['b1', 'b3'] }, 'served from the rebuilt index');

    const runId = `runbook:${resolved.remediation!.runId}:0:rebuild-search-index`;
    const action = (await h.knowledge().incidents.explain(incident.id))!.entries.find((e) => e.kind === 'action' && e.data.ok === true)!;
    const runbook = action.data.runbook as { runId: string; workflow: string; output: string };
    assert.equal(runbook.runId, runId);
    assert.equal(runbook.workflow, 'rebuild-search-index');
    const output = JSON.parse(runbook.output) as { words: number; previousCopy: string };
    assert.equal(output.words, 6, 'red, running, shoe, blue, jacket, rain: built from the source');
    assert.equal(readFileSync(output.previousCopy, 'utf8'), '{"entries": {"red": ["b1"]}, "entriesSha256": "truncated', 'the index as found is kept');

    const shown = await h.cli('incident', 'show', incident.id);
    assert.match(shown.out, /runbook rebuild-search-index completed/);

    // Corrupted again after it resolved: the re-opened incident's remediation runs the runbook
    // again (its own run), rather than joining the completed one and repairing nothing.
    writeFileSync(index, 'garbage again');
    await h.waitFor(async () => (await h.incidents()).find((i) => i.id === incident.id && i.remediation!.cycle > resolved.remediation!.cycle && i.status === 'resolved'), 60_000, 'the re-opened incident resolved by a second runbook run');
    assert.deepEqual(await search(port, 'red'), { q: 'red', ids: ['b1', 'b3'] });
    const runs = (await h.knowledge().incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'action' && e.data.ok === true).map((e) => (e.data.runbook as { runId: string }).runId);
    assert.equal(new Set(runs).size, 2, `two runbook runs: ${runs.join(', ')}`);
  } finally {
    await h.close();
  }
});

test('up SIGKILLed mid-runbook: the next up resumes the same run, which completes once, and the incident resolves', async () => {
  const port = await freePort();
  const { h, index } = indexRepair(port, { holdWhile: '' });
  const hold = join(h.dir, 'hold');
  // The rebuild waits while `hold` exists: up is killed while the runbook is in its rebuild step.
  writeFileSync(h.configPath, readFileSync(h.configPath, 'utf8').replace('"holdWhile":""', `"holdWhile":${JSON.stringify(hold)}`));
  writeFileSync(hold, 'the test removes this after the kill');
  try {
    await h.up();
    await h.healthy('search');
    writeFileSync(index, 'garbage');
    const incident = await h.waitForIncident((i) => i.element === 'search' && i.status === 'remediating' && i.remediation !== null, 20_000, 'the remediation under way');
    const runId = `runbook:${incident.remediation!.runId}:0:rebuild-search-index`;
    const engine = await Engine.open({ store: h.db(), worker: false });
    try {
      await h.waitFor(async () => (await engine.describe(runId).catch(() => undefined))?.steps.some((s) => s.name === 'keep-previous-copy' && s.status === 'completed'), 20_000, 'the runbook past its first step');
      await h.down('SIGKILL');
      await h.killSpawned();
      rmSync(hold);
      await h.up();
      const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 60_000, 'the incident resolved after the takeover');
      assert.equal(resolved.resolvedBy, 'workflow search');
      const runs = (await engine.listRuns({ limit: 100 })).filter((r) => r.workflow === 'rebuild-search-index');
      assert.deepEqual(runs.map((r) => [r.id, r.status]), [[runId, 'completed']], 'one runbook run, resumed, not a second one');
      const steps = (await engine.describe(runId)).steps.map((s) => [s.name, s.status]);
      assert.deepEqual(steps, [
        ['keep-previous-copy', 'completed'],
        ['rebuild-from-source', 'completed'],
        ['service-accepts-it', 'completed'],
      ]);
    } finally {
      await engine.close();
    }
    assert.deepEqual(await search(port, 'jacket'), { q: 'jacket', ids: ['b2', 'b3'] });
  } finally {
    await h.close();
  }
});

test('a runbook module that does not load refuses the start at its file:line, before any service runs', async () => {
  const h = new UpHarness(`workflows:
  modules: [./missing-runbooks.js]
services:
  search:
    command: ${process.execPath}
    args: [-e, "setInterval(() => {}, 1000)"]
`);
  try {
    const started = await h.cli('up');
    assert.notEqual(started.status, 0);
    assert.match(started.out, /homeostat\.yaml:3:\d+: workflows\.modules\[0\]: cannot load \.\/missing-runbooks\.js: Cannot find module '[^']*missing-runbooks\.js'$/m);
    assert.equal(existsSync(join(h.dir, 'state', 'processes')) && (await h.db().listElementStates()).length > 0, false, 'no service was started');
  } finally {
    await h.close();
  }
});

test('the service refuses the rebuilt index: the run fails and its compensation puts the previous copy back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-index-compensation-'));
  // A service that never accepts any index.
  const refusing = createServer((_req, res) => res.writeHead(503).end('still refusing'));
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const engine = await Engine.open({ store: `sqlite:${join(dir, 'runs.db')}`, workflows: [rebuildSearchIndex] });
  try {
    const index = join(dir, 'index.json');
    const source = join(dir, 'source.json');
    writeFileSync(source, SOURCE);
    writeFileSync(index, 'the copy as found');
    const input = { source, index, ready: `http://127.0.0.1:${(refusing.address() as { port: number }).port}/ready`, acceptWithinMs: 500 };
    const run = await engine.start(rebuildSearchIndex, input);
    await assert.rejects(run.result({ timeout: 20_000 }), /did not accept the rebuilt index: HTTP 503: still refusing/);
    assert.equal(readFileSync(index, 'utf8'), 'the copy as found', 'the previous copy is back');
    const steps = (await engine.describe(run.id)).steps.map((s) => [s.name, s.status]);
    assert.deepEqual(steps, [
      ['keep-previous-copy', 'completed'],
      ['rebuild-from-source', 'completed'],
      ['service-accepts-it', 'failed'],
      ['compensate:keep-previous-copy', 'completed'],
    ]);
  } finally {
    await engine.close();
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});
