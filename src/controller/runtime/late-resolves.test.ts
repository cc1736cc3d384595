import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Knowledge } from '../../knowledge/knowledge.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { sendLateResolves } from './late-resolves.js';

test('the incidents resolved in the last day are offered for a late resolve; what was sent is logged', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    let now = Date.UTC(2026, 0, 10);
    const knowledge = new Knowledge(store, () => now);
    const open = async (key: string) => (await knowledge.incidents.open({ key, element: key, symptom: 'process-crashed', summary: `${key} down` })).incident;
    const old = await open('old');
    await knowledge.incidents.resolve(old.id, { resolution: 'action', by: null, summary: 'fixed' });
    now += 25 * 3_600_000;
    const recent = await open('recent');
    await knowledge.incidents.resolve(recent.id, { resolution: 'operator', by: 'bob', summary: 'closed' });
    await open('unresolved');
    now += 60_000;
    const offered: string[][] = [];
    const lines: { msg: string; sent: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    await sendLateResolves({ knowledge, catchUp: async (ids) => (offered.push(ids), ids.length), logger, now: () => now });
    assert.deepEqual(offered, [[recent.id]]);
    assert.deepEqual(lines.map((l) => [l.msg, l.sent]), [['escalation resolves sent late (resolved while no controller listened)', 1]]);
    lines.length = 0;
    await sendLateResolves({ knowledge, catchUp: async () => 0, logger, now: () => now });
    await sendLateResolves({ knowledge, catchUp: undefined, logger, now: () => now });
    assert.deepEqual(lines, [], 'nothing sent: nothing said');
  } finally {
    await store.close();
  }
});
