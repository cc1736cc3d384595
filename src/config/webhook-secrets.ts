import { ConfigError } from './config-error.js';
import { configIssueAt } from './load-config.js';
import type { HomeostatConfig } from './schema/root.js';

/** A webhook signing secret shorter than this is refused: it could be guessed. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** A webhook whose `secretEnv` names a variable that cannot sign: where it is in the config, and why. */
export interface WebhookSecretProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Every webhook `secretEnv` (escalation webhooks, `webhook` rungs) whose variable is unset,
 * empty or shorter than {@link MIN_WEBHOOK_SECRET_LENGTH} in `env`: such a webhook could
 * only send unsigned requests, or ones signed with a guessable secret.
 * @example webhookSecretProblems(config, {}) // [{ path: ['escalation', 'webhooks', 0, 'secretEnv'], message: 'PAGER_SECRET is not set …' }]
 */
export function webhookSecretProblems(config: HomeostatConfig, env: NodeJS.ProcessEnv): WebhookSecretProblem[] {
  const problems: WebhookSecretProblem[] = [];
  const check = (name: string | undefined, path: (string | number)[]) => {
    if (name === undefined) return;
    const value = env[name];
    if (value && value.length >= MIN_WEBHOOK_SECRET_LENGTH) return;
    const why = value ? `is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters` : 'is not set';
    problems.push({ path, message: `${name} ${why} in homeostat up's environment: export a long random secret there (openssl rand -hex 32), or remove secretEnv to send unsigned` });
  };
  config.escalation.webhooks.forEach((hook, index) => check(hook.secretEnv, ['escalation', 'webhooks', index, 'secretEnv']));
  for (const [name, policy] of Object.entries(config.policies)) {
    policy.ladder.forEach((action, rung) => {
      if (action.action === 'webhook') check(action.secretEnv, ['policies', name, 'ladder', rung, 'secretEnv']);
    });
  }
  return problems;
}

/**
 * Throws `HS_CONFIG_WEBHOOK_SECRET_MISSING`, each problem at its file:line:column, when a
 * webhook of `config` names a secret variable `env` lacks: checked when `up` starts and
 * before a new version is applied, so no request goes out unsigned.
 * @example checkWebhookSecrets(config, text, 'homeostat.yaml', process.env) // throws "homeostat.yaml:31:20: escalation.webhooks[0].secretEnv: PAGER_SECRET is not set …"
 */
export function checkWebhookSecrets(config: HomeostatConfig, text: string, file: string, env: NodeJS.ProcessEnv): void {
  const problems = webhookSecretProblems(config, env);
  if (problems.length === 0) return;
  const issues = problems.map((problem) => configIssueAt(text, file, problem.path, problem.message));
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new ConfigError('HS_CONFIG_WEBHOOK_SECRET_MISSING', issues);
}
