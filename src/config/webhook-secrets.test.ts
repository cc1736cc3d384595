import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';
import { checkWebhookSecrets } from './webhook-secrets.js';

const TEXT = `services:
  api:
    command: node
    args: [api.js]
policies:
  api-down:
    match: { symptom: [process-crashed] }
    ladder:
      - action: restart
      - action: webhook
        url: https://hooks.example.com/runbook
        secretEnv: RUNBOOK_HOOK_SECRET
escalation:
  webhooks:
    - url: https://events.example.com/v2/enqueue
      format: pagerduty
      secretEnv: PAGER_HOOK_SECRET
    - url: https://hooks.example.com/plain
`;

const config = () => parseConfig(TEXT, { file: '/srv/homeostat.yaml', displayName: 'homeostat.yaml' }).config;

test('a webhook secretEnv whose variable is missing or short refuses the config, at its file:line and field', () => {
  const error = (() => {
    try {
      checkWebhookSecrets(config(), TEXT, 'homeostat.yaml', { RUNBOOK_HOOK_SECRET: 'abc123xyz' });
    } catch (thrown) {
      return thrown;
    }
    return undefined;
  })();
  assert.ok(error instanceof ConfigError);
  assert.equal(error.code, 'HS_CONFIG_WEBHOOK_SECRET_MISSING');
  assert.deepEqual(
    error.issues.map((issue) => `${issue.file}:${issue.line}: ${issue.path}`),
    ['homeostat.yaml:12: policies.api-down.ladder[1].secretEnv', 'homeostat.yaml:17: escalation.webhooks[0].secretEnv'],
  );
  assert.match(error.message, /homeostat\.yaml:12:\d+: policies\.api-down\.ladder\[1\]\.secretEnv: RUNBOOK_HOOK_SECRET is shorter than 16 characters/);
  assert.match(error.message, /homeostat\.yaml:17:\d+: escalation\.webhooks\[0\]\.secretEnv: PAGER_HOOK_SECRET is not set in homeostat up's environment/);
  assert.doesNotMatch(error.message, /abc123xyz/, 'the value itself is never echoed');
});

test('every named variable set and long enough: the config is accepted, and it holds only the variables\' names', () => {
  const secret = 'f3a9c1e07b2d4c58a6e1';
  assert.doesNotThrow(() => checkWebhookSecrets(config(), TEXT, 'homeostat.yaml', { RUNBOOK_HOOK_SECRET: secret, PAGER_HOOK_SECRET: secret }));
  assert.equal(config().escalation.webhooks[0]!.secretEnv, 'PAGER_HOOK_SECRET');
  assert.ok(!JSON.stringify(config()).includes(secret));
});

test('a secretEnv that is not a variable name is a schema error', () => {
  assert.throws(() => parseConfig(TEXT.replace('secretEnv: PAGER_HOOK_SECRET', 'secretEnv: "the secret itself"'), { file: 'homeostat.yaml' }), (error: unknown) => error instanceof ConfigError && /escalation\.webhooks\[0\]\.secretEnv: expected an environment variable name/.test(error.message));
});
