import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config-error.js';
import { parseConfig } from '../load-config.js';

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, { file: '/tmp/homeostat.yaml', displayName: 'homeostat.yaml' });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n').filter((line) => line.startsWith('homeostat.yaml'));
  }
  assert.fail('the config was accepted');
}

test('models: a valid section is read with its defaults', () => {
  process.env.HOMEOSTAT_TEST_MODEL_KEY = 'sk-test';
  const { config } = parseConfig(
    `models:
  providers:
    openai:
      kind: openai
      baseUrl: https://api.openai.com/v1
      apiKeyEnv: HOMEOSTAT_TEST_MODEL_KEY
      models:
        gpt-4o-mini: { inputPerMillion: 0.15, outputPerMillion: 0.6 }
  chains:
    default:
      - { provider: openai, model: gpt-4o-mini }
  budgets:
    perRun: { tokens: 20000, cost: 0.05 }
`,
    { file: '/tmp/homeostat.yaml' },
  );
  assert.equal(config.models.providers.openai!.stream, true);
  assert.equal(config.models.defaults.maxTokens, 1024);
  assert.equal(config.models.defaults.firstTokenTimeout, 15_000);
  assert.deepEqual(config.models.budgets.perRun, { tokens: 20000, cost: 0.05 });
});

test('models: an unknown provider or model in a chain, a key variable not set and a negative budget are errors at their line', () => {
  delete process.env.HOMEOSTAT_TEST_MISSING_KEY;
  const errors = errorsOf(`models:
  providers:
    claude:
      kind: anthropic
      baseUrl: https://api.anthropic.com
      apiKeyEnv: HOMEOSTAT_TEST_MISSING_KEY
      models:
        claude-3-5-haiku: {}
  chains:
    default:
      - { provider: openai, model: gpt-4o-mini }
      - { provider: claude, model: claude-opus }
  budgets:
    globalPerDay: { cost: -5 }
`);
  assert.deepEqual(errors, [
    'homeostat.yaml:6:18: models.providers.claude.apiKeyEnv: environment variable HOMEOSTAT_TEST_MISSING_KEY is not set',
    'homeostat.yaml:11:21: models.chains.default[0].provider: "openai" is not a provider in models.providers',
    'homeostat.yaml:12:36: models.chains.default[1].model: "claude-opus" is not a model of provider "claude"',
    'homeostat.yaml:14:27: models.budgets.globalPerDay.cost: Too small: expected number to be >=0',
  ]);
});

test('models: a provider as a loop element — defaults, and its mistakes at file:line', () => {
  const { config } = parseConfig(
    `models:
  providers:
    local:
      kind: openai
      baseUrl: http://127.0.0.1:11434/v1
      models: { llama: {} }
      element:
        degradedWhen: { rateLimitedRatio: 0.5, latency: 8s }
        probe: { model: llama }
policies:
  drain:
    match: { symptom: [model-provider-degraded] }
    ladder: [{ action: drain }, { action: escalate }]
`,
    { file: '/tmp/homeostat.yaml' },
  );
  const element = config.models.providers.local!.element!;
  assert.deepEqual(element, { window: 30_000, minAttempts: 4, degradedWhen: { rateLimitedRatio: 0.5, latency: 8_000 }, for: 0, probe: { model: 'llama', every: 5_000, successes: 2, timeout: 5_000 } });
  assert.deepEqual(config.policies.drain!.ladder.map((rung) => rung.action), ['drain', 'escalate']);

  assert.deepEqual(
    errorsOf(`models:
  providers:
    local:
      kind: openai
      baseUrl: http://127.0.0.1:11434/v1
      models: { llama: {} }
      element:
        degradedWhen: {}
        probe: { model: mistral }
`),
    [
      'homeostat.yaml:8:23: models.providers.local.element.degradedWhen: name at least one of errorRatio, rateLimitedRatio, invalidOutputRatio or latency',
      'homeostat.yaml:9:25: models.providers.local.element.probe.model: "mistral" is not a model of provider "local"',
    ],
  );
  assert.deepEqual(
    errorsOf(`models:
  providers:
    local:
      kind: openai
      baseUrl: http://127.0.0.1:11434/v1
      models: { llama: {} }
      element: { degradedWhen: { errorRatio: 1.5 } }
`).map((line) => line.split(': ').slice(0, 2).join(': ')),
    ['homeostat.yaml:7:46: models.providers.local.element.degradedWhen.errorRatio'],
  );
});
