import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { pino } from 'pino';
import { parseConfig } from '../../config/load-config.js';
import { escalationMessage } from '../../execute/escalation-message.js';
import { Knowledge } from '../../knowledge/knowledge.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { escalationResolves } from './escalation-resolves.js';

test('a new leader offers the incidents resolved in the last day for a late resolve, and logs what was sent', async () => {
  const store = SqliteStore.open(':memory:');
  let now = Date.UTC(2026, 0, 10);
  const knowledge = new Knowledge(store, () => now);
  const offered: string[][] = [];
  const lines: { msg: string; sent: number }[] = [];
  let sent = 1;
  const resolves = escalationResolves({
    knowledge,
    escalation: () => parseConfig('services: {}\n', { file: '/tmp/h/homeostat.yaml' }).config.escalation,
    escalationMessage: (id, severity) => escalationMessage({ knowledge, publicUrl: undefined }, id, severity),
    logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) }),
    catchUp: async (ids) => (offered.push(ids), sent),
    now: () => now,
  });
  try {
    const open = async (key: string) => (await knowledge.incidents.open({ key, element: key, symptom: 'process-crashed', summary: `${key} down` })).incident;
    const old = await open('old');
    await knowledge.incidents.resolve(old.id, { resolution: 'action', by: null, summary: 'fixed' });
    now += 25 * 3_600_000;
    const recent = await open('recent');
    await knowledge.incidents.resolve(recent.id, { resolution: 'operator', by: 'bob', summary: 'closed' });
    await open('unresolved');
    now += 60_000;
    await resolves.sendLate();
    assert.deepEqual(offered, [[recent.id]]);
    assert.deepEqual(lines.filter((l) => l.msg.includes('late')).map((l) => [l.msg, l.sent]), [['escalation resolves sent late (resolved while no controller listened)', 1]]);
    sent = 0;
    await resolves.sendLate();
    assert.equal(lines.filter((l) => l.msg.includes('late')).length, 1, 'nothing sent: nothing said');
  } finally {
    await resolves.notifier.stop();
    await store.close();
  }
});

test('a paged incident resolved here sends its resolve to the webhook at once, and it is logged', async () => {
  const bodies: { event?: string; incident?: { id: string } }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as (typeof bodies)[number]);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  const store = SqliteStore.open(':memory:');
  const knowledge = new Knowledge(store);
  const lines: { msg: string; incident?: string; ok?: boolean }[] = [];
  const { config } = parseConfig(`services: {}\nescalation:\n  webhooks: [{ url: "${url}" }]\n`, { file: '/tmp/h/homeostat.yaml' });
  const resolves = escalationResolves({
    knowledge,
    escalation: () => config.escalation,
    escalationMessage: (id, severity) => escalationMessage({ knowledge, publicUrl: undefined }, id, severity),
    logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) }),
  });
  try {
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api down' });
    // Paged: the trigger went out (recorded as the loop's page does).
    await knowledge.incidents.record(incident.id, 'escalation', { event: 'trigger', severity: 'error', ok: true, delivered: 1 });
    await knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: 'healthy again' });
    const deadline = Date.now() + 5_000;
    while (!lines.some((l) => l.msg === 'escalation resolve sent') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(lines.filter((l) => l.msg === 'escalation resolve sent').map((l) => [l.incident, l.ok]), [[incident.id, true]]);
    assert.equal(bodies.at(-1)?.event, 'resolve');
  } finally {
    await resolves.notifier.stop();
    await store.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
