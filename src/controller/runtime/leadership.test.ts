import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Symptom } from '../../analyze/symptom.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { defineWorkflow } from '../../workflow/define-workflow.js';
import type { Engine } from '../../workflow/engine.js';
import { Leadership, type LeaderLoop } from './leadership.js';
import type { SymptomSink } from './symptom-outbox.js';

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A stand-in loop that records its life. */
class RecordingLoop implements LeaderLoop {
  readonly events: string[] = [];
  constructor(readonly worker: Engine) {}
  observe(symptom: Symptom): void {
    this.events.push(`observe ${symptom.name}`);
  }
  start(): void {
    this.events.push('start');
  }
  async stop(): Promise<void> {
    this.events.push('stop');
  }
  async resync(): Promise<void> {
    this.events.push('resync');
  }
}

function candidate(store: SqliteStore, name: string) {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge('homeostat_leader', 'Leader.');
  const outbox: string[] = [];
  const loops: RecordingLoop[] = [];
  const logs: { msg: string; reason?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
  const leadership = new Leadership<RecordingLoop>({
    store,
    lease: 'controller',
    outbox: { lead: (sink: SymptomSink) => void outbox.push(`lead ${loops.indexOf(sink as RecordingLoop)}`), follow: () => void outbox.push('follow') },
    leaderGauge: gauge,
    logger,
  });
  let led = 0;
  const campaign = () =>
    leadership.campaign({
      apiUrl: `http://${name}`,
      ttlMs: 300,
      remediation: defineWorkflow('test.remediation', async () => 'done'),
      onEngineEvent: () => undefined,
      newLoop: (worker) => {
        const loop = new RecordingLoop(worker);
        loops.push(loop);
        return loop;
      },
      onLed: async () => void led++,
    });
  return { leadership, campaign, loops, outbox, logs, registry, led: () => led };
}

test('elected: a worker opens, the loop starts on it, kept symptoms go to it; stopped: the loop stops and a standby takes over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-leadership-'));
  const store = SqliteStore.open(join(dir, 'lease.db'));
  const a = candidate(store, 'a');
  const b = candidate(store, 'b');
  try {
    await assert.rejects(a.leadership.recordAction('restart'), /HS_NOT_LEADER|no longer the current term/, 'not campaigning: no term');
    a.campaign();
    await until(() => a.leadership.isLeader && a.led() === 1, 'a leads');
    b.campaign();
    assert.equal(a.leadership.holdsTerm, true);
    assert.deepEqual(a.loops[0]!.events, ['start', 'resync']);
    assert.deepEqual(a.outbox, ['lead 0']);
    assert.match(a.registry.render(), /^homeostat_leader 1$/m);
    assert.equal((await a.leadership.recordAction('restart', 'api#0')).name, 'controller');
    assert.equal((await store.currentLeader('controller', Date.now()))?.apiUrl, 'http://a');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(b.leadership.isLeader, false, 'one leader');
    await assert.rejects(b.leadership.recordAction('restart'), /no longer the current term/);
    await a.leadership.stop();
    await a.leadership.closeWorker(1_000);
    assert.equal(a.leadership.isLeader, false);
    assert.deepEqual(a.loops[0]!.events, ['start', 'resync', 'stop']);
    assert.equal(a.outbox.at(-1), 'follow');
    await until(() => b.leadership.isLeader, 'b takes over');
    assert.match(a.registry.render(), /^homeostat_leader 0$/m);
    assert.ok(a.logs.some((l) => l.msg === 'no longer the leader: the loop stops here' && l.reason === 'stopped'));
    assert.deepEqual(b.loops[0]!.events, ['start', 'resync']);
  } finally {
    await a.leadership.stop();
    await b.leadership.stop();
    await a.leadership.closeWorker(1_000);
    await b.leadership.closeWorker(1_000);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
