import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactText, REDACTED } from './redact.js';
import { canonicalJson } from './canonical-json.js';

test('values under secret key names are replaced wholesale, at any depth', () => {
  const input = { user: 'ada', password: 'hunter2', nested: { apiKey: 'k-123', API_KEY: 'x', Authorization: 'Basic abc', list: [{ client_secret: 's' }] }, token: '' };
  assert.deepEqual(redact(input), {
    user: 'ada',
    password: REDACTED,
    nested: { apiKey: REDACTED, API_KEY: REDACTED, Authorization: REDACTED, list: [{ client_secret: REDACTED }] },
    token: '',
  });
  assert.equal(input.password, 'hunter2', 'the input is not modified');
});

test('secret-looking text is redacted wherever it appears', () => {
  assert.equal(redactText('curl -H "Authorization: Bearer abcdefgh.ijkl-mnop"'), `curl -H "Authorization: Bearer ${REDACTED}"`);
  assert.equal(redactText('connecting to postgres://app:s3cret@db:5432/x'), `connecting to postgres://app:${REDACTED}@db:5432/x`);
  assert.equal(redactText('DB_PASSWORD=hunter2 next'), `DB_PASSWORD=${REDACTED} next`);
  assert.equal(redactText('token: "abc def"'), `token: ${REDACTED}`);
  const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----';
  assert.equal(redactText(`key:\n${pem}\ndone`), `key:\n${REDACTED}\ndone`);
  assert.equal(redactText('gh token ghp_abcdefghijklmnopqrstuvwxyz0123'), `gh token ${REDACTED}`);
  assert.equal(redactText('nothing to hide: exit code 1'), 'nothing to hide: exit code 1');
});

test('cycles and errors are handled', () => {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  assert.deepEqual(redact(a), { name: 'a', self: '[Circular]' });
  assert.deepEqual(redact({ error: new Error('login with password=abc failed') }), { error: { name: 'Error', message: `login with password=${REDACTED} failed` } });
});

test('canonical JSON sorts keys at every depth', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  assert.equal(canonicalJson(undefined), 'null');
});
