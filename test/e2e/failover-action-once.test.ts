/**
 * A `command` rung in flight when the leader dies, with two `homeostat up` on one
 * PostgreSQL store: the new leader resumes the remediation run. By default the command is
 * not run again (its outcome is recorded as unknown and verification decides); a command
 * declared `idempotent: true` is run again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiTokens } from '../../src/api/api-tokens.js';
import type { IncidentExplanation } from '../../src/knowledge/incidents.js';
import { exampleApiService } from './loop-harness.js';
import { SharedStorePair } from './shared-store-pair.js';

/**
 * Push a backlog to the leader (its metric rule, evaluated with each scrape of api, opens the incident), wait for the command to
 * write its line, SIGKILL the leader and its processes: the follower takes over and
 * resumes the run. Returns the command's lines and the incident's chain once it is settled.
 */
async function failOverDuringCommand(idempotent: boolean): Promise<{ lines: string[]; chain: IncidentExplanation['entries']; status: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'homeostat-failover-once-'));
  const file = join(outDir, 'command.log');
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const pair = await SharedStorePair.open(`
services:
${exampleApiService()}
monitor:
  scrape: [{ service: api, every: 300ms }]
symptoms:
  backlog: { service: api, metric: queue_depth, above: 10 }
policies:
  drain:
    match: { symptom: [backlog] }
    ladder: [{ action: command, run: "echo run >> ${file}; sleep 10", timeout: 60s${idempotent ? ', idempotent: true' : ''} }]
    verify: { healthyFor: 500ms, timeout: 20s }
`);
  try {
    await pair.up();
    const leader = await pair.leader();
    const follower = pair.other(leader);
    const { token } = await new ApiTokens(pair.store).create('pusher', 'operator', 'test');
    const pushed = await fetch(`${await pair.apiUrl(leader)}/api/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: [{ name: 'queue_depth', value: 500, labels: { service: 'api' } }] }),
    });
    assert.equal(pushed.status, 202);
    await leader.waitFor(() => lines().length === 1, 30_000, 'the command rung running on the leader');

    await leader.down('SIGKILL');
    await leader.killSpawned();
    assert.equal(lines().length, 1);
    assert.equal(await pair.leader([follower], 30_000), follower, 'the follower leads');

    const incident = await pair.waitForIncident((i) => i.status === 'resolved' || i.status === 'escalated', 90_000, 'the resumed remediation to finish');
    const chain = (await pair.knowledge.incidents.explain(incident.id))!.entries;
    return { lines: lines(), chain, status: incident.status };
  } finally {
    await pair.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

test('leader killed while a command rung runs: the new leader does not run it again; outcome unknown, verification decides', { timeout: 180_000 }, async () => {
  const { lines, chain, status } = await failOverDuringCommand(false);
  assert.deepEqual(lines, ['run'], 'the command ran once across the failover');
  const intents = chain.filter((e) => e.kind === 'intent');
  const actions = chain.filter((e) => e.kind === 'action');
  assert.equal(intents.length, 1, JSON.stringify(chain.map((e) => e.kind)));
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.data.uncertain, true);
  assert.match(String(actions[0]!.data.detail), /outcome unknown; not repeated \(command is not safe to run twice\)/);
  const verification = chain.find((e) => e.kind === 'verification' && e.id > actions[0]!.id);
  assert.ok(verification, `verification decides after the unknown outcome: ${JSON.stringify(chain.map((e) => e.kind))}`);
  assert.equal(status, verification.data.ok === true ? 'resolved' : 'escalated');
});

test('leader killed while an `idempotent: true` command rung runs: the new leader runs it again', { timeout: 180_000 }, async () => {
  const { lines, chain } = await failOverDuringCommand(true);
  assert.deepEqual(lines, ['run', 'run'], 'declared safe to repeat: run again after the failover');
  const actions = chain.filter((e) => e.kind === 'action');
  assert.equal(actions.length, 1, JSON.stringify(chain.map((e) => e.kind)));
  assert.equal(actions[0]!.data.uncertain, undefined);
  assert.equal(actions[0]!.data.ok, true, JSON.stringify(actions[0]!.data));
});
