import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { Knowledge } from './knowledge.js';

function withKnowledge(body: (knowledge: Knowledge, dbPath: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-knowledge-'));
    const dbPath = join(dir, 'k.db');
    const store = SqliteStore.open(dbPath);
    try {
      await body(new Knowledge(store), dbPath);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'the audit chain verifies, and names the first entry edited in the database',
  withKnowledge(async (knowledge, dbPath) => {
    for (let i = 0; i < 5; i++) await knowledge.audit.append('controller', 'action.restart', `inc-${i}`, { attempt: i, password: 'p' });
    const entries = await knowledge.audit.list();
    assert.deepEqual(await knowledge.audit.verify(), { ok: true, checked: 5, head: `5:${entries[4]!.hash}`, anchors: [] });
    assert.equal(entries[0]!.prevHash, '');
    assert.equal(entries[1]!.prevHash, entries[0]!.hash);
    assert.match(entries[2]!.data, /\[REDACTED\]/);
    assert.doesNotMatch(entries[2]!.data, /"p"/);

    const db = new Database(dbPath);
    db.prepare(`UPDATE audit_log SET data = '{"attempt":99}' WHERE seq = 3`).run();
    db.close();
    const broken = await knowledge.audit.verify();
    assert.equal(broken.ok, false);
    assert.equal(broken.firstBad?.seq, 3);
    assert.match(broken.firstBad!.reason, /hash mismatch/);
    assert.equal(broken.checked, 2);
  }),
);

test(
  'a re-hashed edit still breaks the chain at the next entry; a deleted entry is a gap',
  withKnowledge(async (knowledge, dbPath) => {
    for (let i = 0; i < 4; i++) await knowledge.audit.append('controller', 'x', `s${i}`, { i });
    const db = new Database(dbPath);
    db.prepare(`UPDATE audit_log SET hash = 'f00' WHERE seq = 2`).run();
    let result = await knowledge.audit.verify();
    assert.equal(result.firstBad?.seq, 2);
    db.prepare(`DELETE FROM audit_log WHERE seq = 2`).run();
    db.close();
    result = await knowledge.audit.verify();
    assert.equal(result.firstBad?.seq, 3);
    assert.match(result.firstBad!.reason, /sequence gap/);
  }),
);

test(
  'incidents de-duplicate by key, carry a redacted explanation chain and are audited',
  withKnowledge(async (knowledge) => {
    const first = await knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited 1' }, { kind: 'process-exited', lastLines: ['DB_PASSWORD=hunter2'] });
    const again = await knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'again' });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.incident.id, first.incident.id);
    await knowledge.incidents.setDiagnosis(first.incident.id, { cause: 'crash', confidence: 1, evidence: [] });
    await knowledge.incidents.record(first.incident.id, 'action', { kind: 'restart', headers: { authorization: 'Bearer abcdefghijk' } });
    await knowledge.incidents.resolve(first.incident.id, { resolution: 'action', by: 'restart api#0', summary: 'restarted and healthy' });
    const explained = (await knowledge.incidents.explain(first.incident.id))!;
    assert.deepEqual(explained.entries.map((e) => e.kind), ['signal', 'diagnosis', 'action']);
    assert.deepEqual(explained.entries[0]!.data.lastLines, ['DB_PASSWORD=[REDACTED]']);
    assert.deepEqual(explained.entries[2]!.data.headers, { authorization: '[REDACTED]' });
    assert.equal(explained.incident.status, 'resolved');
    assert.ok(explained.incident.resolvedAt);
    assert.equal(explained.incident.resolution, 'action');
    assert.equal(explained.incident.resolvedBy, 'restart api#0');
    const reopened = await knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'new' });
    assert.equal(reopened.created, true, 'a resolved incident does not absorb new symptoms');
    const actions = (await knowledge.audit.list()).map((e) => e.action);
    assert.deepEqual(actions, ['incident.opened', 'incident.resolved', 'incident.opened']);
    assert.equal((await knowledge.audit.verify()).ok, true);
  }),
);

test(
  'config versions: identical text is one version; the last known good skips the current one',
  withKnowledge(async (knowledge) => {
    const v1 = await knowledge.configVersions.applied('services: {}\n', 'operator');
    assert.equal((await knowledge.configVersions.applied('services: {}\n', 'operator')).version, v1.version);
    await knowledge.configVersions.mark(v1.version, 'good');
    const v2 = await knowledge.configVersions.applied('services: {a: 1}\npassword: x\n', 'operator');
    assert.equal(v2.version, 2);
    // The store keeps the real text (a rollback re-applies it); views redact it (redactYaml).
    assert.equal(v2.text, 'services: {a: 1}\npassword: x\n');
    assert.equal((await knowledge.configVersions.lastKnownGood(v2.version))?.version, 1);
    await knowledge.outcome('crash', 'restart', true);
    await knowledge.outcome('crash', 'restart', false);
    assert.equal(await knowledge.successRate('crash', 'restart'), 0.5);
    await knowledge.pause('api', 'operator:ada', 'deploying');
    assert.deepEqual(await knowledge.pausedFor('api'), { paused: true, scope: 'api', by: 'operator:ada', reason: 'deploying' });
    assert.equal((await knowledge.pausedFor('worker')).paused, false);
    await knowledge.resume('api', 'operator:ada');
    assert.equal((await knowledge.pausedFor('api')).paused, false);
  }),
);
