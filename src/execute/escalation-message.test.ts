import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Knowledge } from '../knowledge/knowledge.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { escalationMessage } from './escalation-message.js';

test('the message: the explanation without signals and evidence, one line per entry of its chosen keys, and the dashboard link', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited with code 1' }, { code: 1 });
    await knowledge.incidents.record(incident.id, 'evidence', { lastLines: ['boom'] });
    await knowledge.incidents.record(incident.id, 'action', { action: 'restart', detail: 'restarted api#0', ignored: 'not a chosen key', attempt: 2 });
    await knowledge.incidents.record(incident.id, 'verification', { status: 'failed', outcome: { healthy: false } });
    const message = await escalationMessage({ knowledge, publicUrl: 'https://homeostat.example.com/' }, incident.id, 'critical');
    assert.equal(message.incident.id, incident.id);
    assert.equal(message.severity, 'critical');
    assert.equal(message.event, 'trigger');
    assert.equal(message.link, `https://homeostat.example.com/#/incidents/${incident.id}`);
    assert.ok(!message.explanation.some((line) => line.startsWith('signal:') || line.startsWith('evidence:')), message.explanation.join('\n'));
    assert.deepEqual(message.explanation.slice(-2), ['action: action=restart detail=restarted api#0', 'verification: status=failed outcome={"healthy":false}']);
  } finally {
    await store.close();
  }
});

test('the latest 12 entries, each line at most 300 characters, no link without a public URL', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const knowledge = new Knowledge(store);
    const { incident } = await knowledge.incidents.open({ key: 'db', element: 'db', symptom: 'process-crashed', summary: 'db exited' });
    for (let n = 0; n < 20; n++) await knowledge.incidents.record(incident.id, 'note', { detail: `note ${n} ${'x'.repeat(400)}` });
    const message = await escalationMessage({ knowledge, publicUrl: undefined }, incident.id, 'warning');
    assert.equal(message.explanation.length, 12);
    assert.match(message.explanation.at(-1)!, /^note: detail=note 19 x+$/);
    assert.ok(message.explanation.every((line) => line.length <= 'note: '.length + 300));
    assert.equal('link' in message, false);
  } finally {
    await store.close();
  }
});

test('an unknown incident is an error', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    await assert.rejects(escalationMessage({ knowledge: new Knowledge(store), publicUrl: undefined }, 'inc-none', 'critical'), /no incident inc-none/);
  } finally {
    await store.close();
  }
});
