import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

/**
 * `homeostat providers` by hand, through the running `up`'s API: the listing, a drain and
 * a restore written to the same `model_provider_states` row the loop's rungs write (what
 * every process making model calls follows), each audited as the operator; an unknown
 * provider, a wrong call, or no `up` at all is refused and changes nothing.
 */
test('homeostat providers: list, drain and restore through up\'s API, audited, in the store every caller reads; unknown provider or no up: refused', async () => {
  const h = new UpHarness(`models:
  providers:
    primary:
      kind: openai
      baseUrl: http://127.0.0.1:9/v1
      models: { small: {} }
    backup:
      kind: anthropic
      baseUrl: http://127.0.0.1:9
      models: { claude: {} }
  chains:
    default: [{ provider: primary, model: small }, { provider: backup, model: claude }]
`);
  try {
    const offline = await h.cli('providers', 'drain', 'primary');
    assert.notEqual(offline.status, 0);
    assert.match(offline.out, /the drain of primary needs a running homeostat up/);

    await h.up();
    const listed = await h.cli('providers');
    assert.equal(listed.status, 0, listed.out);
    assert.match(listed.out, /primary\s+in its chains/);
    assert.match(listed.out, /backup\s+in its chains/);

    const drained = await h.cli('providers', 'drain', 'primary', '--reason', 'vendor outage announced');
    assert.equal(drained.status, 0, drained.out);
    assert.match(drained.out, /drained primary/);
    const stored = (await h.db().listModelProviderStates()).find((s) => s.provider === 'primary')!;
    assert.equal(stored.drained, true);
    assert.match(stored.changedBy, /^api:/, 'the operator\'s token, not the controller');
    assert.equal(stored.reason, 'by hand: vendor outage announced');
    const json = JSON.parse((await h.cli('providers', '--json')).out) as { provider: string; drained: boolean; changedBy: string | null }[];
    assert.deepEqual(json.map((p) => [p.provider, p.drained]), [['backup', false], ['primary', true]]);

    const restored = await h.cli('providers', 'restore', 'primary');
    assert.equal(restored.status, 0, restored.out);
    assert.equal((await h.db().listModelProviderStates()).find((s) => s.provider === 'primary')!.drained, false);

    const audit = (await h.db().listAudit({ limit: 100 })).filter((e) => e.action.startsWith('provider.'));
    assert.deepEqual(audit.map((e) => [e.action, e.subject]).sort(), [['provider.drained', 'primary'], ['provider.restored', 'primary']]);
    assert.ok(audit.every((e) => /^api:/.test(e.actor)));
    assert.equal(JSON.parse(audit.find((e) => e.action === 'provider.drained')!.data).reason, 'vendor outage announced');

    const unknown = await h.cli('providers', 'drain', 'nope');
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.out, /no model provider "nope" in the applied config/);
    const wrong = await h.cli('providers', 'drain');
    assert.equal(wrong.status, 2, 'a usage error');
    assert.equal((await h.db().listModelProviderStates()).some((s) => s.provider === 'nope'), false, 'nothing written for a refused name');
    assert.equal((await h.db().listAudit({ limit: 100 })).filter((e) => e.action.startsWith('provider.')).length, 2, 'nothing refused was audited as done');
  } finally {
    await h.close();
  }
});
