import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HomeostatError } from '../errors/homeostat-error.js';
import { ApiError, statusOf } from './api-error.js';

test('an operation\'s error is answered with the registry\'s status and its own code', () => {
  const cases: [HomeostatError, number][] = [
    [new HomeostatError('HS_RUN_NOT_FOUND', 'no run'), 404],
    [new HomeostatError('HS_UNKNOWN_WORKFLOW', 'no workflow'), 404],
    [new HomeostatError('HS_INVALID_RUN_STATE', 'completed'), 409],
    [new HomeostatError('HS_INCIDENT_RESOLVED', 'resolved'), 409],
    [new HomeostatError('HS_INTERNAL_WORKFLOW', 'reserved'), 403],
    [new HomeostatError('HS_PAYLOAD_TOO_LARGE', 'big'), 413],
    [new HomeostatError('HS_INVALID_NOTE', 'empty'), 400],
    [new HomeostatError('HS_CONFIG_NOT_SPAWNABLE', 'no such command'), 400],
    [new HomeostatError('HS_STORE_FULL', 'disk full'), 503],
  ];
  for (const [error, status] of cases) assert.deepEqual(statusOf(error), { status, code: error.code, message: error.message }, error.code);
});

test('a code the API does not pass on, or does not know, is answered as HS_API_INTERNAL without details', () => {
  assert.deepEqual(statusOf(new HomeostatError('HS_STEP_FAILED', 'secret detail')), { status: 500, code: 'HS_API_INTERNAL', message: 'internal error (HS_STEP_FAILED); see the server log' });
  const fromElsewhere = Object.assign(new Error('stored'), { code: 'HS_FROM_ANOTHER_VERSION' });
  assert.equal(statusOf(fromElsewhere).status, 500);
  assert.deepEqual(statusOf(new Error('bug')), { status: 500, code: 'HS_API_INTERNAL', message: 'internal error; see the server log' });
});

test('an ApiError has the registry\'s status unless its route answers otherwise', () => {
  assert.equal(statusOf(new ApiError('HS_API_HOST_NOT_ALLOWED', 'wrong host')).status, 421);
  assert.equal(statusOf(new ApiError('HS_CONFIG_APPLY_FAILED', 'did not start')).status, 422);
  assert.equal(statusOf(new ApiError('HS_CONFIG_APPLY_FAILED', 'rollback did not start', 400)).status, 400);
});

test('fastify\'s own refusals keep their status with an API code', () => {
  const refusal = (statusCode: number) => Object.assign(new Error('refused'), { statusCode, code: 'FST_ERR' });
  assert.deepEqual(statusOf(refusal(413)), { status: 413, code: 'HS_API_BODY_TOO_LARGE', message: 'refused' });
  assert.deepEqual(statusOf(refusal(415)), { status: 415, code: 'HS_API_UNSUPPORTED_MEDIA_TYPE', message: 'refused' });
  assert.deepEqual(statusOf(refusal(414)), { status: 414, code: 'HS_API_INVALID_REQUEST', message: 'refused' });
});
