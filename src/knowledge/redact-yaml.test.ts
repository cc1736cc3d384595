import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseConfig } from '../config/load-config.js';
import { redact, REDACTED } from './redact.js';
import { redactYaml, WITHHELD_YAML } from './redact-yaml.js';

const CONFIG = `# staging: postgres://app:hunter2@db/x
services:
  api:
    command: node
    args: [api.js]
    env:
      STRIPE_KEY: sk_live_51HxAbCdEfGhIjKlMn
      OPENAI_KEY: 'sk-abcdefghijklmnopqrstuvwxyz012345'
      DATABASE_URL: postgres://user:pa55word@db:5432/app   # the primary
      DB_PASSWORD: 12345
      CERT: |
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBg
        -----END PRIVATE KEY-----
      PORT: "8080"
escalation:
  webhooks:
    - url: https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXX
      format: slack
    - url: https://events.pagerduty.com/v2/enqueue
      format: pagerduty
      routingKey: R0UT1NGKEY0123456789
`;

test('a redacted config keeps its shape: secrets become quoted "[REDACTED]" strings in place, it still parses and validates', () => {
  const redacted = redactYaml(CONFIG);
  for (const secret of ['hunter2', 'sk_live', 'sk-abc', 'pa55word', '12345', 'MIIEvQ', 'XXXXXXXX', 'R0UT1NG']) assert.ok(!redacted.includes(secret), `"${secret}" survived:\n${redacted}`);
  const after = parse(redacted) as { services: { api: { env: Record<string, string> } }; escalation: { webhooks: Record<string, string>[] } };
  assert.deepEqual(after.services.api.env, {
    STRIPE_KEY: REDACTED,
    OPENAI_KEY: REDACTED,
    DATABASE_URL: `postgres://user:${REDACTED}@db:5432/app`,
    DB_PASSWORD: REDACTED,
    CERT: `${REDACTED}\n`,
    PORT: '8080',
  });
  assert.deepEqual(after.escalation.webhooks, [
    { url: `https://hooks.slack.com/services/${REDACTED}`, format: 'slack' },
    { url: 'https://events.pagerduty.com/v2/enqueue', format: 'pagerduty', routingKey: REDACTED },
  ]);
  // Still a valid homeostat config (a plan can diff it), with layout and comments kept.
  parseConfig(redacted, { file: 'homeostat.yaml' });
  assert.match(redacted, /^# staging: postgres:\/\/app:\[REDACTED\]@db\/x$/m);
  assert.match(redacted, /DATABASE_URL: "postgres:\/\/user:\[REDACTED\]@db:5432\/app" {3}# the primary$/m);
  assert.equal(redactYaml('services: {}\nport: 8080\n'), 'services: {}\nport: 8080\n', 'nothing secret: unchanged');
});

test('text that is not YAML is withheld rather than shown with its secrets', () => {
  assert.equal(redactYaml('a: [unclosed\npassword: x'), WITHHELD_YAML);
});

test('a redacted config survives being redacted again as text (every API answer is)', () => {
  const once = redactYaml(CONFIG);
  assert.equal(redact({ text: once }).text, once);
});
