import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endToEndHeaders, upstreamHeaders } from './proxy-headers.js';
import { isIdempotent, neverDelivered } from './retry-rules.js';

test('idempotent: GET, HEAD, OPTIONS, PUT, DELETE, or any method with an Idempotency-Key; never a bare POST or PATCH', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'get']) assert.equal(isIdempotent(method, {}), true, method);
  assert.equal(isIdempotent('POST', {}), false);
  assert.equal(isIdempotent('PATCH', {}), false);
  assert.equal(isIdempotent('POST', { 'idempotency-key': 'order-42' }), true);
  assert.equal(neverDelivered(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), true);
  assert.equal(neverDelivered(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), false);
});

test('hop-by-hop headers, and those the Connection header names, are not forwarded; X-Forwarded-For is appended to', () => {
  assert.deepEqual(endToEndHeaders({ connection: 'keep-alive, X-Secret', 'x-secret': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'content-type': 'text/plain' }), { 'content-type': 'text/plain' });
  assert.deepEqual(upstreamHeaders({ host: 'shop.local', 'x-forwarded-for': '10.0.0.1' }, '10.0.0.7'), { host: 'shop.local', 'x-forwarded-for': '10.0.0.1, 10.0.0.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop.local' });
});
