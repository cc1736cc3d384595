import { z } from 'zod';
import { byteSizeSchema, durationSchema } from './units.js';
import { verifyCheckSchema } from './verify-checks.js';

/** A POSIX environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Side effects outside homeostat are run at most once by default: a crash (or a leader
 * failover) in the middle leaves their outcome unknown and they are not repeated. Only
 * the author of the command or the receiver of the webhook knows that a repeat is harmless.
 */
const idempotentSchema = z
  .boolean()
  .default(false)
  .describe('Safe to run twice: when a crash or a leader failover interrupts it, the resumed remediation runs it again (default false: at most once, the outcome is recorded as unknown and verification decides).');

/**
 * The environment variable holding a webhook's signing secret: the secret itself never sits
 * in the config (nor in its stored versions, logs or API answers), only its variable's name.
 */
const webhookSecretEnvSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as HOMEOSTAT_WEBHOOK_SECRET')
  .optional()
  .describe(
    'The environment variable holding a shared secret (16 characters or more) that signs every request: `Homeostat-Timestamp` and `Homeostat-Signature: v1=<HMAC-SHA256 of "<timestamp>.<body>">` (docs/integrations.md, "Outgoing webhooks", shows the receiver\'s check). Unset: unsigned. Set but the variable missing or short when `up` starts or applies the config: refused (HS_CONFIG_WEBHOOK_SECRET_MISSING).',
  );

/** One rung of a remediation ladder: `{ action: restart }`, `{ action: command, run: … }` … */
export const actionSchema = z
  .discriminatedUnion('action', [
    z
      .strictObject({
        action: z.literal('restart'),
        scope: z.enum(['instance', 'service']).default('instance').describe('`instance`: the replica the symptom is on; `service`: every replica (see `rollout`).'),
      })
      .describe('Restart the process (stop signal, grace period, start). On an agent (element `agent:<name>`): the process of the service `agentElements.processes` names for it.'),
    z
      .strictObject({
        action: z.literal('stop-start'),
        scope: z.enum(['instance', 'service']).default('service').describe('`instance` or `service` (every replica).'),
      })
      .describe('Stop the process(es), then start them again.'),
    z
      .strictObject({
        action: z.literal('scale'),
        replicas: z.number().int().min(0).optional().describe('Scale to this many replicas.'),
        by: z.number().int().optional().describe('Or add (negative: remove) this many; with neither, one is added.'),
        max: z.number().int().min(1).default(10).describe('Never scale past this many.'),
      })
      .describe('Change the number of replicas.'),
    z.strictObject({ action: z.literal('rollback') }).describe('Go back to the last config version marked good.'),
    z.strictObject({ action: z.literal('failover') }).describe('Switch to the service\'s `standby`.'),
    z
      .strictObject({
        action: z.literal('command'),
        run: z
          .string()
          .min(1)
          .describe(
            'A shell command (`sh -c`), run in its own process group; exit code 0 succeeds. Its environment is only `PATH`, `HOMEOSTAT_SERVICE`, `HOMEOSTAT_INSTANCE`, `HOMEOSTAT_INCIDENT`, what `passEnv` and `env` name, and `HOME`/`USER`/`LOGNAME` with `user` — not `up`\'s own environment (its tokens and secrets).',
          ),
        timeout: durationSchema.default(30_000).describe('It is stopped, and the rung fails, after this long.'),
        env: z.record(z.string().regex(ENV_NAME, 'an environment variable name: letters, digits and _, not starting with a digit'), z.string()).default({}).describe('Variables set for the command, by value (`{ MODE: repair }`); they win over `passEnv`.'),
        passEnv: z.array(z.string().regex(ENV_NAME, 'an environment variable name: letters, digits and _, not starting with a digit')).default([]).describe('Variables copied from `up`\'s environment by name (`[PGHOST, PGUSER]`); a name `up` does not have is left out.'),
        user: z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'a local user name').optional().describe('Run as this local user (from /etc/passwd; `up` must be root to switch). Default: the user `up` runs as.'),
        idempotent: idempotentSchema,
      })
      .describe('Run a command.'),
    z
      .strictObject({
        action: z.literal('webhook'),
        url: z.url().describe('Where the incident and its explanation are POSTed as JSON (retried after a network error, 5xx, 408 or 429, up to 4 attempts; a dead letter on the incident when none was accepted).'),
        timeout: durationSchema.default(5_000).describe('Each attempt fails after this long.'),
        secretEnv: webhookSecretEnvSchema,
        idempotent: idempotentSchema,
      })
      .describe('Call a webhook.'),
    z
      .strictObject({
        action: z.literal('workflow'),
        name: z.string().min(1).describe('A workflow `up` loads from `workflows.modules`, or one a `homeostat worker` registered in the store (not an internal `homeostat.*` one).'),
        input: z.unknown().optional().describe('Its input (default `{ incidentId, service, instance }`).'),
        timeout: durationSchema.default(300_000).describe('The rung fails if the run has not completed after this long.'),
      })
      .describe('Start a durable workflow run and wait for it.'),
    z
      .strictObject({
        action: z.literal('redrive'),
        timeout: durationSchema.default(300_000).describe('The rung fails if the redriven runs have not all completed after this long.'),
      })
      .describe('Redrive the failed or dead-lettered workflow runs the incident is about (its `workflow-failed` / `workflow-dead-lettered` symptoms), each from its failed step, and wait for them to complete.'),
    z
      .strictObject({ action: z.literal('drain') })
      .describe('Take the incident\'s model provider (element `provider:<name>`) out of every chain, for every process on the store: calls go to the next link (docs/model-steps.md).'),
    z
      .strictObject({
        action: z.literal('limit'),
        concurrency: z.number().int().min(1).describe('At most this many attempts in flight on the provider in each process making model calls; calls past it go to the next link.'),
      })
      .describe('Lower the incident\'s model provider\'s concurrency (element `provider:<name>`), for every process on the store, until `restore`.'),
    z.strictObject({ action: z.literal('restore') }).describe('Put the incident\'s model provider back as configured: in its chains, without a concurrency limit (after `model-provider-recovered`).'),
    z
      .strictObject({ action: z.literal('quarantine') })
      .describe('Quarantine the incident\'s agent (element `agent:<name>`), for every dispatcher on the store: it claims no task, and the tasks it holds go back to the queue (docs/agents.md).'),
    z.strictObject({ action: z.literal('release') }).describe('Let the incident\'s quarantined agent (element `agent:<name>`) claim tasks again; its reliability starts over. An agent an operator quarantined is left quarantined: only an operator releases it.'),
    z
      .strictObject({ action: z.literal('replace') })
      .describe(
        'Retire the incident\'s agent (element `agent:<name>`): the tasks it holds go back to the queue now, for another capable agent, and it claims nothing again; where `agentElements.processes` names its process, that process is stopped and a fresh one started, which claims again once it registers (docs/agents.md).',
      ),
    z.strictObject({ action: z.literal('escalate') }).describe('Hand the incident to people (the `escalation` webhooks).'),
  ])
  .describe('One rung: `action` is `restart`, `stop-start`, `scale`, `rollback`, `failover`, `command`, `webhook`, `workflow`, `redrive`, `drain`, `limit`, `restore`, `quarantine`, `release`, `replace` or `escalate`; the other keys depend on it.');
export type ActionConfig = z.output<typeof actionSchema>;

const approvalSchema = z.strictObject({
  required: z.boolean().default(false).describe('Each action waits for a person to approve it (API, CLI or dashboard).'),
  ttl: durationSchema.default(300_000).describe('Unanswered approvals are denied after this long (default deny).'),
  warnBefore: durationSchema.default(60_000).describe('Warn (escalation channels) this long before an approval expires.'),
});

const matchSchema = z
  .strictObject({
    symptom: z.array(z.string().min(1)).optional().describe('Symptom names (a built-in one such as `process-crashed`, or a symptom rule\'s name); any of them matches.'),
    diagnosis: z.array(z.string().min(1)).optional().describe('Diagnosed causes (the root cause\'s own symptom, `config-change`, `metric-anomaly`); any of them matches.'),
    service: z.array(z.string().min(1)).optional().describe('Services (the incident\'s target, after root-cause ranking); any of them matches.'),
    classification: z
      .array(z.enum(['transient', 'persistent', 'byzantine']))
      .optional()
      .describe('The fault\'s classification (transient; persistent: recurs after a restart; byzantine: one replica disagrees with its peers); any of them matches.'),
    labels: z.record(z.string(), z.string()).optional().describe('Every label must equal (the element\'s labels: `environment`, and the symptom\'s).'),
  })
  .prefault({})
  .describe('Which incidents this policy handles: every criterion given must hold; none given matches everything.');

/** A policy: which incidents it handles and the ladder of actions, least disruptive first. */
export const policySchema = z
  .strictObject({
    match: matchSchema,
    ladder: z.array(actionSchema).min(1, 'a ladder needs at least one action').describe('The actions, least disruptive first: each is verified, and the next runs if it did not hold.'),
    rollout: z
      .strictObject({ batchSize: z.number().int().min(1).default(1).describe('Replicas per batch after the canary.') })
      .optional()
      .describe(
        'Canary first: a `scope: service` restart or stop-start on several replicas runs on one replica, is verified, then on the rest in batches of `batchSize`; the first batch that fails verification stops it (the next rung runs). Without it, such an action touches every replica at once (and the blast radius usually refuses it).',
      ),
    verify: z
      .strictObject({
        healthyFor: durationSchema.default(2_000).describe('After each action every symptom of the incident must stay clear this long (its elements healthy, its metric rules clear; a relapse fails at once) …'),
        timeout: durationSchema.default(30_000).describe('… within this long, else the next rung runs (or, when the verdict is unknown because a `checks` query could not be answered, the ladder stops and escalates).'),
        checks: z
          .array(verifyCheckSchema)
          .default([])
          .superRefine((checks, ctx) => {
            checks.forEach((check, index) => {
              if (checks.findIndex((other) => other.name === check.name) !== index) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `check "${check.name}" is named twice` });
            });
          })
          .describe(
            'PromQL checks (need `prometheus: { url }`): verification passes only when the incident\'s symptoms are clear AND every check passes, together, for `healthyFor`. A check whose query fails (Prometheus down, 5xx, timeout, a malformed answer) makes the verdict unknown — never healthy.',
          ),
      })
      .prefault({})
      .describe('How an action is verified.'),
    approval: approvalSchema.prefault({}).describe('Human approval before actions.'),
    environments: z
      .record(
        z.string(),
        z.strictObject({
          // No defaults here: an override sets only what it names.
          approval: z
            .strictObject({
              required: z.boolean().optional().describe('Overrides `approval.required`.'),
              ttl: durationSchema.optional().describe('Overrides `approval.ttl`.'),
              warnBefore: durationSchema.optional().describe('Overrides `approval.warnBefore`.'),
            })
            .optional()
            .describe('Overrides of `approval` (only the keys given).'),
          dryRun: z.boolean().optional().describe('Overrides `dryRun`.'),
        })
        .describe('The overrides for the environment of this name.'),
      )
      .default({})
      .describe('Overrides per environment, applied when the top-level `environment` is that name (`prod: { approval: { required: true } }`).'),
    dryRun: z.boolean().default(false).describe('Decide and record this policy\'s actions, execute none.'),
  })
  .describe('One policy: which incidents it handles (`match`) and the ladder of actions that repairs them.');
export type PolicyConfig = z.output<typeof policySchema>;

const budgetSchema = z.strictObject({
  max: z.number().int().min(1).describe('At most this many actions …'),
  window: durationSchema.describe('… within this sliding window.'),
});

/** Guardrails checked before every action. */
export const guardrailsSchema = z
  .strictObject({
    budgets: z
      .strictObject({
        perElement: budgetSchema.default({ max: 5, window: 3_600_000 }).describe('Actions on one element.'),
        global: budgetSchema.default({ max: 50, window: 3_600_000 }).describe('Actions on all elements together.'),
      })
      .prefault({})
      .describe('Action budgets; an action past a budget is refused and the incident escalates.'),
    blastRadius: z
      .strictObject({ maxReplicas: z.number().int().min(1).default(1).describe('At most this many replicas of one service under remediation at once.') })
      .prefault({})
      .describe('How much of a service one remediation may touch.'),
    breaker: z
      .strictObject({
        failures: z.number().int().min(1).default(3).describe('Remediations of one element failing this many times in a row open its breaker …'),
        openFor: durationSchema.default(600_000).describe('… for this long (no actions on it; incidents escalate).'),
      })
      .prefault({})
      .describe('A circuit breaker per element.'),
    dryRun: z.boolean().default(false).describe('Decide and record everything, execute nothing.'),
  })
  .prefault({})
  .describe('Guardrails checked before every action.');

/** Where escalations go, and how often an unresolved, escalated incident is tried again. */
export const escalationSchema = z
  .strictObject({
    webhooks: z
      .array(
        z.strictObject({
          url: z.url().describe('The endpoint (retried after a network error, 5xx, 408 or 429, up to 4 attempts; a dead letter on the incident when none was accepted).'),
          format: z.enum(['pagerduty', 'slack', 'json']).default('json').describe('The body\'s shape: PagerDuty Events v2, a Slack message, or the incident as JSON.'),
          routingKey: z.string().optional().describe('PagerDuty: the integration\'s routing key.'),
          secretEnv: webhookSecretEnvSchema,
        })
        .describe('One webhook.'),
      )
      .default([])
      .describe('Where escalations are sent.'),
    retryEvery: durationSchema.default(60_000).describe('An unresolved, escalated incident is tried again this often.'),
  })
  .prefault({})
  .describe('Where escalations go, and how often an escalated incident is tried again.');

/** Scraping: each service's replicas at `path`. */
export const monitorSchema = z
  .strictObject({
    scrape: z
      .array(
        z
          .strictObject({
            service: z.string().min(1).optional().describe('The service whose replicas are scraped (each at `http://127.0.0.1:<its port><path>`). One of `service` or `url`.'),
            url: z.url({ protocol: /^https?$/ }).optional().describe('A static target: any Prometheus or OpenMetrics endpoint (an exporter, another program). One of `service` or `url`; needs `element`.'),
            element: z.string().min(1).optional().describe('With `url`: the element its series belong to (their `service` label), e.g. `redis` for redis_exporter; symptom rules name it as their `service`.'),
            name: z.string().min(1).optional().describe('With `url`: the target\'s name in logs and `homeostat_scrape_*{target}` (default the URL).'),
            job: z.string().min(1).optional().describe('With `url`: the `job` label of its series (default `element`).'),
            labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}).describe('With `url`: more labels given to every series of the target (`instance` overrides the default `<host>:<port>`).'),
            honorLabels: z.boolean().default(false).describe('Like Prometheus\' `honor_labels`: true keeps the exposition\'s own value of a label the target also sets (`instance`, `job`, `service`); false gives the target\'s and keeps theirs as `exported_<name>`.'),
            elementFrom: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).optional().describe('With `url`: a label of the series whose value names the element they belong to (one exporter for many elements); series without it belong to `element`.'),
            instanceFrom: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).optional().describe('With `url`: a label of the series whose value names their instance; series without it keep the target\'s.'),
            timeout: durationSchema.default(1_000).describe('A scrape that has not answered in this long fails (`up` 0).'),
            path: z.string().startsWith('/').default('/metrics').describe('With `service`: the Prometheus text exposition path.'),
            every: durationSchema.default(1_000).describe('How often.'),
            maxBodyBytes: byteSizeSchema.default(4 * 1_048_576).describe('Largest exposition read from one replica; past it the scrape is cut off, nothing stored, and counted.'),
            maxSeries: z.number().int().min(1).default(2_000).describe('Samples one replica\'s exposition may hold (and series it may keep); past it the scrape is refused and counted.'),
          })
          .superRefine((target, ctx) => {
            if ((target.service === undefined) === (target.url === undefined)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a scrape target has exactly one of `service` (its replicas) or `url` (a static target)' });
            if (target.url !== undefined && target.element === undefined) ctx.addIssue({ code: 'custom', path: ['element'], message: 'a `url` target names the `element` its series belong to' });
            if (target.service !== undefined) {
              for (const key of ['element', 'name', 'job', 'elementFrom', 'instanceFrom'] as const) {
                if (target[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` is for \`url\` targets; a \`service\` target's series belong to that service` });
              }
            }
          })
        .describe('One scrape target: a service\'s replicas, or a static URL mapped to an element.'),
      )
      .default([])
      .describe('Prometheus endpoints to scrape: the series symptom rules read.'),
    retention: durationSchema.default(600_000).describe('How long samples are kept in memory.'),
    maxSeries: z.number().int().min(1).default(10_000).describe('Series kept in all (scraped, pushed and homeostat\'s own); past it new series are refused and counted.'),
    metricsPort: z.number().int().min(0).max(65_535).default(0).describe('Port (127.0.0.1) of homeostat\'s own `/metrics`; 0 picks a free one (printed at start-up).'),
    configGoodAfter: durationSchema
      .default(10_000)
      .describe('A config version healthy (no unresolved incident, every element healthy) this long is marked good: the rollback target.'),
  })
  .prefault({})
  .describe('Metrics: scraping, retention and homeostat\'s own `/metrics`.');

export type GuardrailsConfig = z.output<typeof guardrailsSchema>;
export type EscalationConfig = z.output<typeof escalationSchema>;
export type MonitorConfig = z.output<typeof monitorSchema>;
