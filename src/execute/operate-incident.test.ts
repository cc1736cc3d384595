import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Knowledge } from '../knowledge/knowledge.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { acknowledgeIncident, closeIncident, type OperateIncidentDeps } from './operate-incident.js';

/**
 * A store whose incident reads and writes take a while, as a busy PostgreSQL does:
 * two operators' requests then overlap at every await, which is where a check-then-write
 * lets both through.
 */
function slowed(store: SqliteStore, ms: number): Store {
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (name !== 'getIncident' && name !== 'updateIncident' && name !== 'appendIncidentEntries') return value.bind(target);
      return async (...args: unknown[]) => {
        await pause();
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  }) as Store;
}

test('two operators at once on one incident: one first acknowledgement, one close and one HS_INCIDENT_RESOLVED', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-operate-'));
  const sqlite = SqliteStore.open(join(dir, 'h.db'));
  try {
    const store = slowed(sqlite, 30);
    const knowledge = new Knowledge(store);
    const deps: OperateIncidentDeps = { store, knowledge, engine: { getRun: async () => undefined, cancel: () => Promise.reject(new Error('no runs here')) } };
    const { incident } = await knowledge.incidents.open({ key: 'db', element: 'db', symptom: 'process-crashed', summary: 'db#0 exited' });

    const acks = await Promise.all([acknowledgeIncident(deps, incident.id, 'api:alice'), acknowledgeIncident(deps, incident.id, 'api:bob')]);
    assert.deepEqual(acks.map((a) => a.outcome), ['acknowledged', 'recorded']);
    assert.equal((await sqlite.getIncident(incident.id))?.acknowledgedBy, 'api:alice', 'the first acknowledgement is not overwritten');

    const closes = await Promise.allSettled([closeIncident(deps, incident.id, 'fixed it', 'api:alice'), closeIncident(deps, incident.id, 'me too', 'api:bob')]);
    assert.equal(closes[0].status, 'fulfilled');
    assert.equal(closes[1].status, 'rejected');
    assert.equal((closes[1] as PromiseRejectedResult).reason.code, 'HS_INCIDENT_RESOLVED');
    const resolved = (await sqlite.listAudit()).filter((e) => e.action === 'incident.resolved');
    assert.deepEqual(resolved.map((e) => e.actor), ['api:alice'], 'resolved once, by the first');
    assert.equal((await sqlite.getIncident(incident.id))?.resolvedBy, 'api:alice');
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
