/** The human-task part of the Store contract (the inbox of task graphs), registered by `storeConformance`. */
import assert from 'node:assert/strict';
import type { NewHumanTaskRecord } from '../../../src/store/human-task-records.js';
import type { Store } from '../../../src/store/store.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

function humanTask(id: string, assignee: string, createdAt: number, runId = 'run-1'): NewHumanTaskRecord {
  return { id, runId, task: 'review', assignee, input: `{"id":"${id}"}`, dueAt: createdAt + 1_000, createdAt };
}

export function humanTaskConformance(it: It): void {
  it('human tasks: created once, listed oldest first by status, assignee and run', async (store) => {
    const first = await store.createHumanTask(humanTask('h1', 'reviewer', 1_000));
    assert.equal(first.created, true);
    assert.deepEqual(first.task, { ...humanTask('h1', 'reviewer', 1_000), status: 'open', result: null, completedBy: null, finishedAt: null });
    const again = await store.createHumanTask({ ...humanTask('h1', 'someone-else', 2_000) });
    assert.deepEqual({ created: again.created, assignee: again.task.assignee }, { created: false, assignee: 'reviewer' }, 'a replayed creation finds the row');
    await store.createHumanTask(humanTask('h0', 'lead', 500, 'run-2'));
    await store.createHumanTask({ ...humanTask('h2', 'reviewer', 1_500), dueAt: null });
    assert.deepEqual((await store.listHumanTasks()).map((t) => t.id), ['h0', 'h1', 'h2']);
    assert.deepEqual((await store.listHumanTasks({ assignee: 'reviewer' })).map((t) => t.id), ['h1', 'h2']);
    assert.deepEqual((await store.listHumanTasks({ runId: 'run-2', status: 'open' })).map((t) => t.id), ['h0']);
    assert.deepEqual((await store.listHumanTasks({ limit: 1 })).map((t) => t.id), ['h0']);
    assert.equal((await store.getHumanTask('h2'))!.dueAt, null);
    assert.equal(await store.getHumanTask('nope'), undefined);
  });

  it('human tasks: answered once — concurrent answers and an answer racing the escalation leave one winner', async (store) => {
    await store.createHumanTask(humanTask('h1', 'reviewer', 1_000));
    const answers = await Promise.all(['alice', 'bob', 'carol'].map((by, i) => store.completeHumanTask('h1', `operator:${by}`, `"${by}"`, 2_000 + i)));
    assert.equal(answers.filter((a) => a.completed).length, 1, 'one answer accepted');
    const row = (await store.getHumanTask('h1'))!;
    assert.equal(row.status, 'completed');
    assert.equal(row.result, `"${row.completedBy!.slice('operator:'.length)}"`, 'the row holds the winner\'s answer');
    assert.deepEqual(await store.escalateHumanTask('h1', 'lead', 3_000), { escalated: false, task: row }, 'an answered task is not escalated');
    await store.createHumanTask(humanTask('h2', 'reviewer', 1_000));
    const [escalated, late] = await Promise.all([store.escalateHumanTask('h2', 'lead', 2_000), store.completeHumanTask('h2', 'operator:dave', '1', 2_000)]);
    assert.equal(Number(escalated.escalated) + Number(late.completed), 1, 'either the escalation or the answer');
    assert.deepEqual(await store.completeHumanTask('nope', 'x', '1', 1), { completed: false, task: undefined });
  });
}
