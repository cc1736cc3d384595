import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { Knowledge } from './knowledge.js';

test('a version that failed to apply is marked failed with why and by whom, is not the one in force, and applies again when its text is re-applied', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-config-versions-'));
  const store = SqliteStore.open(join(dir, 'k.db'));
  try {
    const { configVersions: versions, audit } = new Knowledge(store);
    const v1 = await versions.applied('services: {}\n', 'homeostat up');
    const v2 = await versions.applied('services: { api: { command: ./gone } }\n', 'api:alice');
    await versions.markFailed(v2.version, 'api#0: spawn ./gone ENOENT', 'api:alice', { previous: v1.version });
    assert.deepEqual((await versions.list()).map((v) => [v.version, v.status]), [[1, 'applied'], [2, 'failed']]);
    assert.equal((await versions.current())?.version, 1, 'the failed version is not in force');
    const entry = (await store.listAudit()).at(-1)!;
    assert.deepEqual([entry.actor, entry.action, entry.subject], ['api:alice', 'config.apply-failed', 'config:v2']);
    assert.equal((JSON.parse(entry.data) as { reason: string }).reason, 'api#0: spawn ./gone ENOENT');

    // The same text once the binary is there: the same version, applied again (and audited).
    const again = await versions.applied('services: { api: { command: ./gone } }\n', 'api:alice');
    assert.deepEqual([again.version, again.status], [2, 'applied']);
    assert.equal((await versions.current())?.version, 2);
    assert.deepEqual((await store.listAudit()).at(-1)!.action, 'config.applied');
    const verified = await audit.verify();
    assert.deepEqual({ ok: verified.ok, checked: verified.checked }, { ok: true, checked: 4 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
