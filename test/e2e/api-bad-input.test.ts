import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness } from './api-harness.js';

test('malformed input gets a 4xx with a clear message, never a 500', async () => {
  const h = await ApiHarness.open({ bodyLimit: 64 * 1024 });
  try {
    const badJson = await h.call('operator', 'POST', '/api/runs', '{"workflow": ', { 'content-type': 'application/json' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.json.error.code, 'HS_API_INVALID_REQUEST');
    assert.match(badJson.json.error.message, /JSON/i);

    const wrongType = await h.call('operator', 'POST', '/api/runs', { workflow: 42 });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.error.message, /workflow must be string/);

    const extra = await h.call('operator', 'POST', '/api/runs', { workflow: 'x', surprise: true });
    assert.equal(extra.status, 400);
    assert.match(extra.json.error.message, /additional properties/);

    const missing = await h.call('operator', 'POST', '/api/runs/r/signals', {});
    assert.equal(missing.status, 400);
    assert.match(missing.json.error.message, /name/);

    const huge = await h.call('operator', 'POST', '/api/runs', { workflow: 'api-test-gated', input: 'x'.repeat(100 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'HS_API_BODY_TOO_LARGE');

    const form = await h.call('operator', 'POST', '/api/runs', 'workflow=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal(form.json.error.code, 'HS_API_UNSUPPORTED_MEDIA_TYPE');
    const text = await h.call('operator', 'POST', '/api/runs', 'workflow=x', { 'content-type': 'text/plain' });
    assert.equal(text.status, 400);
    assert.match(text.json.error.message, /body must be object/);

    const badQuery = await h.call('viewer', 'GET', '/api/runs?limit=-3');
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.json.error.message, /limit/);
    assert.equal((await h.call('viewer', 'GET', '/api/incidents?status=sideways')).status, 400);
    assert.equal((await h.call('viewer', 'GET', '/api/runs?colour=red')).status, 400);
    assert.equal((await h.call('operator', 'POST', '/api/runs/r/redrive', { fromStep: -1 })).status, 400);
    assert.equal((await h.call('admin', 'POST', '/api/tokens', { name: 'x', role: 'root' })).status, 400);
    assert.equal((await h.call('operator', 'POST', '/api/metrics', { metrics: 'all of them' })).status, 400);
    assert.equal((await h.call('operator', 'POST', '/api/metrics', { metrics: [{ name: 'ok', value: '3' }] })).status, 400);

    const unknown = await h.call('viewer', 'GET', '/api/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'HS_API_NO_ROUTE');
    const longId = await h.call('viewer', 'GET', `/api/runs/${'x'.repeat(400)}`);
    assert.equal(longId.status, 414);
    assert.equal(typeof longId.json.error.message, 'string');
  } finally {
    await h.close();
  }
});

test('garbage bodies against every mutating route: 4xx, never a 500', async () => {
  const h = await ApiHarness.open({ bodyLimit: 4 * 1024 });
  const routes = [
    ['POST', '/api/incidents/i/acknowledge'],
    ['POST', '/api/incidents/i/notes'],
    ['POST', '/api/incidents/i/close'],
    ['POST', '/api/approvals/a:1/approve'],
    ['POST', '/api/approvals/a:1/deny'],
    ['PUT', '/api/pauses/api'],
    ['POST', '/api/runs'],
    ['POST', '/api/runs/r/signals'],
    ['POST', '/api/runs/r/redrive'],
    ['POST', '/api/config/plan'],
    ['POST', '/api/metrics'],
    ['POST', '/api/tokens'],
  ] as const;
  const garbage = ['', 'null', '[]', '"text"', '42', 'true', '{', '{"a":', '\u0000\u0001', '{"__proto__": {"x": 1}}', '{"reason": 5}', '{"yaml": 7}', '{"name": "", "role": ""}', JSON.stringify({ fromStep: { a: 1 } }), 'x'.repeat(5_000)];
  try {
    for (const [method, url] of routes) {
      for (const body of garbage) {
        // These take an optional body: JSON null means "no options".
        if (body === 'null' && (url.endsWith('/acknowledge') || url.includes('/approvals/') || url.includes('/pauses/') || url.endsWith('/redrive'))) continue;
        const res = await h.call('admin', method, url, body, { 'content-type': 'application/json' });
        assert.ok(res.status >= 400 && res.status < 500, `${method} ${url} with ${JSON.stringify(body.slice(0, 30))}: ${res.status} ${res.text}`);
        assert.equal(typeof res.json?.error?.message, 'string', `${method} ${url}: a clear message`);
      }
    }
  } finally {
    await h.close();
  }
});
