import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { messageFrom, receiver, threeWebhooks } from './escalation-kit.js';
import { pageOnce } from '../../../src/execute/page-once.js';
import { webhookSender } from '../../../src/execute/webhook-sender.js';

test('one page per incident: a second escalation records "already paged at", also after a controller restart', async () => {
  const hooks = await receiver();
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-page-once-'));
  const path = join(dir, 'homeostat.db');
  let store = SqliteStore.open(path);
  try {
    let knowledge = new Knowledge(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited with code 1' });
    const deps = () => ({ escalation: threeWebhooks(hooks.url), escalationMessage: messageFrom(knowledge) });
    const first = await pageOnce(deps(), knowledge.incidents, incident.id, 'critical', undefined, { rung: 1 });
    assert.deepEqual({ ok: first.ok, delivered: first.delivered, posts: hooks.received.length }, { ok: true, delivered: 3, posts: 3 });

    const again = await pageOnce(deps(), knowledge.incidents, incident.id, 'critical', undefined, { reason: 'no action helped' });
    assert.equal(hooks.received.length, 3, 'nothing sent the second time');
    assert.match(again.detail, /^already paged at \d{4}-\d\d-\d\dT[\d:.]+Z: not paged again/);

    // A restarted controller reads the page from the explanation, not from memory.
    await store.close();
    store = SqliteStore.open(path);
    knowledge = new Knowledge(store);
    const afterRestart = await pageOnce(deps(), knowledge.incidents, incident.id, 'error');
    assert.equal(hooks.received.length, 3);
    assert.ok(afterRestart.alreadyPagedAt !== undefined);
    const entries = (await knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'escalation');
    assert.deepEqual(
      entries.map((e) => [e.data.event ?? null, e.data.paged ?? null, e.data.rung ?? e.data.reason ?? null]),
      [
        ['trigger', null, 1],
        [null, false, 'no action helped'],
        [null, false, null],
      ],
    );
  } finally {
    await store.close();
    await hooks.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a page no webhook accepted is dead-lettered, and sent again at the next escalation', async () => {
  const hooks = await receiver([500, 500, 500]);
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited' });
    // One attempt each: the delivery's own retries are webhook-delivery.test.ts's; this is about the next escalation.
    const webhooks = webhookSender({ incidents: knowledge.incidents, policy: { attempts: 1 } });
    const deps = { escalation: threeWebhooks(hooks.url), escalationMessage: messageFrom(knowledge), webhooks };
    const failed = await pageOnce(deps, knowledge.incidents, incident.id, 'critical');
    assert.deepEqual({ ok: failed.ok, delivered: failed.delivered }, { ok: false, delivered: 0 });
    const letters = (await knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'dead-letter');
    assert.deepEqual(letters.map((e) => [e.data.event, e.data.attempts, e.data.status]), [['trigger', 1, 500], ['trigger', 1, 500], ['trigger', 1, 500]]);
    const retried = await pageOnce(deps, knowledge.incidents, incident.id, 'critical');
    assert.deepEqual({ ok: retried.ok, delivered: retried.delivered, posts: hooks.received.length }, { ok: true, delivered: 3, posts: 6 });
  } finally {
    await store.close();
    await hooks.close();
  }
});
