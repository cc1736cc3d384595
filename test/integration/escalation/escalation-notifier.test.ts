import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Knowledge } from '../../../src/knowledge/knowledge.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { EscalationNotifier } from '../../../src/execute/escalation-notifier.js';
import { messageFrom, receiver, threeWebhooks } from './escalation-kit.js';
import { pageOnce } from '../../../src/execute/page-once.js';

async function setup(statuses: number[] = [], attempts = 3) {
  const hooks = await receiver(statuses);
  const store = SqliteStore.open(':memory:');
  const knowledge = new Knowledge(store);
  const escalation = threeWebhooks(hooks.url);
  const sent: string[] = [];
  const notifier = new EscalationNotifier({ incidents: knowledge.incidents, escalation: () => escalation, escalationMessage: messageFrom(knowledge), attempts, backoffMs: 20, onSent: (id) => sent.push(id) });
  notifier.start();
  const open = async (key: string) => (await knowledge.incidents.open({ key, element: key, symptom: 'process-crashed', summary: `${key}#0 exited` })).incident;
  const page = (id: string) => pageOnce({ escalation, escalationMessage: messageFrom(knowledge) }, knowledge.incidents, id, 'critical');
  const resolveEntries = async (id: string) => (await knowledge.incidents.explain(id))!.entries.filter((e) => e.kind === 'escalation' && e.data.event === 'resolve');
  const close = async () => {
    await notifier.stop();
    await store.close();
    await hooks.close();
  };
  return { hooks, store, knowledge, notifier, sent, open, page, resolveEntries, close };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a paged incident that resolves gets one resolve per webhook, however it resolved; resolving again sends nothing', async () => {
  const t = await setup();
  try {
    const incident = await t.open('api');
    await t.page(incident.id);
    t.hooks.received.length = 0;
    await t.knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: 'healthy again without an action' });
    await until(() => t.sent.length === 1, 'the resolve sent');
    assert.deepEqual(t.hooks.received.map((r) => r.path).sort(), ['/json', '/pd', '/slack']);
    const byPath = Object.fromEntries(t.hooks.received.map((r) => [r.path, r.body]));
    assert.deepEqual(byPath['/pd'], { routing_key: 'R1', event_action: 'resolve', dedup_key: incident.id });
    assert.equal(byPath['/json']!.event, 'resolve');
    assert.equal((byPath['/json']!.incident as { resolution: string }).resolution, 'external');
    assert.match(String(byPath['/slack']!.text), /^✅ resolved/);

    // An operator closing it again (or any second resolve()) finds the resolve recorded.
    await t.knowledge.incidents.resolve(incident.id, { resolution: 'operator', by: 'alice', actor: 'alice', summary: 'closed by alice' });
    assert.equal(await t.notifier.resolved(incident.id), undefined);
    assert.equal(t.hooks.received.length, 3);
    assert.equal((await t.resolveEntries(incident.id)).length, 1);
  } finally {
    await t.close();
  }
});

test('an incident never paged resolves without a resolve being sent', async () => {
  const t = await setup();
  try {
    const incident = await t.open('api');
    await t.knowledge.incidents.resolve(incident.id, { resolution: 'action', by: 'restart api#0', summary: 'restart api#0 helped' });
    assert.equal(await t.notifier.resolved(incident.id), undefined);
    assert.equal(t.hooks.received.length, 0);
    assert.equal((await t.resolveEntries(incident.id)).length, 0);
  } finally {
    await t.close();
  }
});

test('an incident whose only message was an approval-expiry warning gets its resolve too (the warning opened an alert)', async () => {
  const t = await setup();
  try {
    const incident = await t.open('billing');
    await t.knowledge.incidents.record(incident.id, 'approval', { rung: 0, status: 'expiring', delivered: 3, detail: 'expires in 60000 ms' });
    await t.knowledge.incidents.resolve(incident.id, { resolution: 'action', by: 'restart billing#0', summary: 'restart billing#0 helped' });
    await until(() => t.sent.length === 1, 'the resolve sent');
    assert.deepEqual(t.hooks.received.filter((r) => r.path === '/pd').map((r) => r.body.event_action), ['resolve']);
  } finally {
    await t.close();
  }
});

test('a resolve that fails once is retried and delivered', async () => {
  // The page gets 200s; the first resolve POST to each webhook gets 503, the retries 200.
  const t = await setup([200, 200, 200, 503, 503, 503], 3);
  try {
    const incident = await t.open('api');
    await t.page(incident.id);
    await t.knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: 'healthy again' });
    await until(() => t.sent.length === 1, 'the resolve sent');
    assert.equal(t.hooks.received.length - 3, 6, 'two attempts per webhook');
    const [entry] = await t.resolveEntries(incident.id);
    assert.deepEqual({ ok: entry!.data.ok, delivered: entry!.data.delivered }, { ok: true, delivered: 3 });
    assert.match(String(entry!.data.detail), /HTTP 200 \(2 attempts\)/);
  } finally {
    await t.close();
  }
});

test('a resolve that keeps failing is retried a bounded number of times, and the failure recorded', async () => {
  // The page gets 200s; every resolve POST gets 503.
  const t = await setup([200, 200, 200, 503, 503, 503, 503, 503, 503, 503, 503, 503], 3);
  try {
    const incident = await t.open('api');
    await t.page(incident.id);
    await t.knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: 'healthy again' });
    await until(() => t.sent.length === 1, 'the resolve given up on');
    const resolvePosts = t.hooks.received.slice(3);
    assert.equal(resolvePosts.length, 9, 'three attempts per webhook, no more');
    const [entry] = await t.resolveEntries(incident.id);
    assert.deepEqual({ ok: entry!.data.ok, delivered: entry!.data.delivered }, { ok: false, delivered: 0 });
    assert.match(String(entry!.data.detail), /HTTP 503 \(3 attempts\)/);
    assert.equal(await t.notifier.resolved(incident.id), undefined, 'recorded: not sent again');
  } finally {
    await t.close();
  }
});

test('a resolve that was due and never sent (resolved where no notifier listened: a CLI close with --local, or up died first) is sent by a catch-up, once', async () => {
  const t = await setup();
  try {
    const incident = await t.open('api');
    await t.page(incident.id);
    t.hooks.received.length = 0;
    // Another process on the same store, with no notifier: the CLI closing it with --local.
    const cli = new Knowledge(t.store);
    await cli.incidents.resolve(incident.id, { resolution: 'operator', by: 'alice', actor: 'alice', summary: 'closed by alice' });
    const never = await t.open('db');
    await cli.incidents.resolve(never.id, { resolution: 'action', by: 'restart db#0', summary: 'restart db#0 helped' });
    assert.equal(t.hooks.received.length, 0, 'nobody listened');

    assert.equal(await t.notifier.catchUp([incident.id, never.id]), 1, 'only the paged one was due');
    assert.deepEqual(t.hooks.received.map((r) => r.path).sort(), ['/json', '/pd', '/slack']);
    assert.equal((await t.resolveEntries(incident.id)).length, 1);
    assert.equal(await t.notifier.catchUp([incident.id, never.id]), 0, 'a second catch-up sends nothing');
    assert.equal(t.hooks.received.length, 3);
  } finally {
    await t.close();
  }
});
