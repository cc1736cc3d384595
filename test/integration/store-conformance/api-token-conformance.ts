/** The API-token part of the Store contract, registered by `storeConformance`. */
import assert from 'node:assert/strict';
import type { ApiTokenRecord } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/store.js';

type It = (title: string, body: (store: Store) => Promise<void>) => void;

function token(id: string, createdAt: number): ApiTokenRecord {
  return { id, name: `bot-${id}`, role: 'operator', salt: 'ab', hash: 'cd', createdAt, createdBy: 'test', revokedAt: null };
}

export function apiTokenConformance(it: It): void {
  it('API tokens: create, read, list oldest first, revoke once; a duplicate id is refused', async (store) => {
    await store.createApiToken(token('t2', 2_000));
    await store.createApiToken(token('t1', 1_000));
    assert.deepEqual(await store.getApiToken('t1'), token('t1', 1_000));
    assert.equal(await store.getApiToken('nope'), undefined);
    assert.deepEqual((await store.listApiTokens()).map((t) => t.id), ['t1', 't2']);
    await assert.rejects(store.createApiToken(token('t1', 3_000)));
    assert.equal(await store.revokeApiToken('t1', 5_000), true);
    assert.equal(await store.revokeApiToken('t1', 6_000), false);
    assert.equal(await store.revokeApiToken('nope', 6_000), false);
    assert.equal((await store.getApiToken('t1'))?.revokedAt, 5_000);
  });
}
