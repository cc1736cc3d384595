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

test('each kind of secret the red team found is redacted by key name and by value', () => {
  const found = {
    env: { STRIPE_KEY: 'sk_live_51HxAbCdEfGhIjKlMn', OPENAI_KEY: 'sk-proj-abcdefghijklmnopqrstuvwx', SENTRY_DSN: 'https://abc123@o0.ingest.sentry.io/1', PORT: '8080' },
    webhook: { url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'R0UT1NGKEY0123456789', format: 'pagerduty' },
    tokenId: 'tok_1',
    key: 'api#0',
  };
  assert.deepEqual(redact(found), {
    env: { STRIPE_KEY: REDACTED, OPENAI_KEY: REDACTED, SENTRY_DSN: REDACTED, PORT: '8080' },
    webhook: REDACTED,
    tokenId: 'tok_1',
    key: 'api#0',
  });
  // The same values in free text, under names that say nothing.
  const text = [
    'charge with sk_live_51HxAbCdEfGhIjKlMn',
    'openai sk-abcdefghijklmnopqrstuvwxyz012345',
    'db postgres://app:hunter2@db:5432/x and sentry https://abc123@o0.ingest.sentry.io/1',
    'POST https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX → HTTP 200',
    'GET https://api.test/v1/items?limit=5&token=s3cr3t&sig=abcd#frag',
    'slack xoxb-1234567890-abcdefghij aws AKIAABCDEFGHIJKLMNOP gh ghp_abcdefghijklmnopqrstuvwxyz0123',
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'STRIPE_KEY=abc123 routing_key: R0UT1NG',
  ].join('\n');
  const redacted = redactText(text);
  for (const secret of ['sk_live_51', 'sk-abcdef', 'hunter2', 'abc123@', 'XXXXXXXX', 's3cr3t', 'sig=abcd', 'xoxb-', 'AKIAABCD', 'ghp_', 'eyJhbGci', 'R0UT1NG']) {
    assert.ok(!redacted.includes(secret), `"${secret}" survived:\n${redacted}`);
  }
  assert.match(redacted, /postgres:\/\/app:\[REDACTED\]@db:5432\/x/, 'the user and host stay readable');
  assert.match(redacted, /https:\/\/hooks\.slack\.com\/services\/\[REDACTED\] → HTTP 200/);
  assert.match(redacted, /\?limit=5&token=\[REDACTED\]&sig=\[REDACTED\]#frag/);
});

test('redacting twice changes nothing; ids and subjects are not secrets', () => {
  const once = redactText('password: "[REDACTED]" url https://hooks.slack.com/services/[REDACTED] token=[REDACTED]');
  assert.equal(redactText(once), once);
  assert.equal(once, 'password: "[REDACTED]" url https://hooks.slack.com/services/[REDACTED] token=[REDACTED]');
  assert.equal(redactText('token:tok_abc123 revoked'), 'token:tok_abc123 revoked');
  assert.deepEqual(redact({ tokenId: 't1', tokens: ['a'], dedup_key: 'inc-1', keyPrefix: 'x' }), { tokenId: 't1', tokens: ['a'], dedup_key: 'inc-1', keyPrefix: 'x' });
});
