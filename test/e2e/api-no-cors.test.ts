import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness } from './api-harness.js';

/**
 * What held under the red team (kept so in a test): no CORS. A page on another origin that
 * got hold of a token still cannot read an answer in a browser, and a preflight for a
 * mutating route is never granted.
 */
test('the API grants no cross-origin access: no Access-Control-* headers on answers or preflights', async () => {
  const h = await ApiHarness.open();
  try {
    const origin = { origin: 'https://evil.example' };
    const read = await h.call('viewer', 'GET', '/api/services', undefined, origin);
    assert.equal(read.status, 200);
    const preflight = await h.call('none', 'OPTIONS', '/api/runs', undefined, { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
    assert.ok(preflight.status >= 400, `preflight answered ${preflight.status}`);
    for (const answer of [read, preflight]) {
      const granted = Object.keys(answer.headers).filter((name) => name.toLowerCase().startsWith('access-control-'));
      assert.deepEqual(granted, [], JSON.stringify(answer.headers));
    }
  } finally {
    await h.close();
  }
});
