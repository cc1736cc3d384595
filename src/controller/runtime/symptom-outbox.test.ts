import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Symptom } from '../../analyze/symptom.js';
import type { NewNodeSymptomRecord, NodeSymptomRecord } from '../../store/records.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SymptomOutbox } from './symptom-outbox.js';

const symptom = (n: number, node = 'a'): Symptom => ({ name: 'process-crashed', element: 'api', instance: `api#${n}`, at: 1_000 + n, labels: { node }, signal: { n } });

/** A sink that records what reached the loop. */
function loop() {
  const seen: Symptom[] = [];
  return { seen, observe: (s: Symptom) => void seen.push(s) };
}

test('a follower queues its symptoms in the store; a failed write keeps them and the next flush sends them', async () => {
  const written: NewNodeSymptomRecord[] = [];
  let failing = true;
  const warnings: string[] = [];
  const outbox = new SymptomOutbox({
    store: {
      appendNodeSymptoms: async (rows) => {
        if (failing) throw new Error('disk full');
        written.push(...rows);
      },
      takeNodeSymptoms: async () => [],
    },
    node: 'a',
    onDropped: () => assert.fail('nothing dropped'),
    warn: (_error, message) => warnings.push(message),
  });
  outbox.observe(symptom(0));
  outbox.observe(symptom(1));
  await outbox.flush();
  assert.equal(written.length, 0);
  assert.deepEqual(warnings, ['queueing symptoms for the leader failed (retrying)']);
  failing = false;
  await outbox.flush();
  assert.deepEqual(
    written.map((row) => ({ node: row.node, at: row.at, symptom: JSON.parse(row.symptom) as Symptom })),
    [0, 1].map((n) => ({ node: 'a', at: 1_000 + n, symptom: symptom(n) })),
  );
  await outbox.flush();
  assert.equal(written.length, 2, 'sent once');
});

test('beyond 1000 kept symptoms the newest are dropped and counted; on leading, the shared go to the loop first, then the own', () => {
  let dropped = 0;
  const outbox = new SymptomOutbox({ store: { appendNodeSymptoms: async () => undefined, takeNodeSymptoms: async () => [] }, node: 'a', onDropped: () => dropped++, warn: () => undefined });
  for (let n = 0; n < 1_002; n++) outbox.observe(symptom(n));
  const workflowFailed: Symptom = { name: 'workflow-failed', element: 'workflow:orders', at: 5, labels: {}, signal: {} };
  outbox.observeShared(workflowFailed);
  assert.equal(dropped, 2);
  const sink = loop();
  outbox.lead(sink);
  assert.equal(sink.seen.length, 1_001);
  assert.equal(sink.seen[0], workflowFailed);
  assert.equal(sink.seen[1]!.instance, 'api#0', 'the oldest were kept');
  assert.equal(sink.seen.at(-1)!.instance, 'api#999');
  outbox.observe(symptom(7));
  assert.equal(sink.seen.at(-1)!.instance, 'api#7', 'a leader hands each symptom on at once');
  outbox.follow();
  outbox.observe(symptom(8));
  assert.equal(sink.seen.length, 1_002, 'kept again once another process leads');
});

test('the leader takes the other nodes\' queued symptoms into its loop; unreadable ones are skipped', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const follower = new SymptomOutbox({ store, node: 'b', onDropped: () => undefined, warn: (error) => assert.fail(String(error)) });
    const leader = new SymptomOutbox({ store, node: 'a', onDropped: () => undefined, warn: (error) => assert.fail(String(error)) });
    follower.observe(symptom(1, 'b'));
    await follower.flush();
    await store.appendNodeSymptoms([{ node: 'c', symptom: '{"from":"another version"}', at: 3 }]);
    await leader.drain();
    const sink = loop();
    leader.lead(sink);
    await leader.drain();
    assert.deepEqual(sink.seen, [symptom(1, 'b')]);
    assert.deepEqual(await store.takeNodeSymptoms(10), [], 'taken, the unreadable one too');
  } finally {
    await store.close();
  }
});

test('deposed while taking: the taken symptoms go back to the store for the next leader', async () => {
  const queued: NewNodeSymptomRecord[] = [{ node: 'b', symptom: JSON.stringify(symptom(4, 'b')), at: 1_004 }];
  let release: () => void = () => undefined;
  const outbox = new SymptomOutbox({
    store: {
      appendNodeSymptoms: async (rows) => void queued.push(...rows),
      takeNodeSymptoms: async (limit) => {
        await new Promise<void>((resolve) => (release = resolve));
        return queued.splice(0, limit).map((row, id): NodeSymptomRecord => ({ id, ...row }));
      },
    },
    node: 'a',
    onDropped: () => undefined,
    warn: (error) => assert.fail(String(error)),
  });
  const sink = loop();
  outbox.lead(sink);
  const draining = outbox.drain();
  await new Promise((resolve) => setImmediate(resolve));
  outbox.follow();
  release();
  await draining;
  assert.deepEqual(sink.seen, []);
  assert.deepEqual(queued, [{ node: 'b', symptom: JSON.stringify(symptom(4, 'b')), at: 1_004 }]);
});

test('stop queues what is left', async () => {
  const written: NewNodeSymptomRecord[] = [];
  const outbox = new SymptomOutbox({ store: { appendNodeSymptoms: async (rows) => void written.push(...rows), takeNodeSymptoms: async () => [] }, node: 'a', onDropped: () => undefined, warn: () => undefined, everyMs: 60_000 });
  outbox.start();
  outbox.observe(symptom(2));
  await outbox.stop();
  assert.equal(written.length, 1);
});
