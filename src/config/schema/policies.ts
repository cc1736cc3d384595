import { z } from 'zod';
import { byteSizeSchema, durationSchema } from './units.js';

/** One rung of a remediation ladder: `{ action: restart }`, `{ action: command, run: … }` … */
export const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('restart'), scope: z.enum(['instance', 'service']).default('instance') }),
  z.strictObject({ action: z.literal('stop-start'), scope: z.enum(['instance', 'service']).default('service') }),
  z.strictObject({ action: z.literal('scale'), replicas: z.number().int().min(0).optional(), by: z.number().int().optional(), max: z.number().int().min(1).default(10) }),
  z.strictObject({ action: z.literal('rollback') }),
  z.strictObject({ action: z.literal('failover') }),
  z.strictObject({ action: z.literal('command'), run: z.string().min(1), timeout: durationSchema.default(30_000) }),
  z.strictObject({ action: z.literal('webhook'), url: z.url(), timeout: durationSchema.default(5_000) }),
  z.strictObject({ action: z.literal('workflow'), name: z.string().min(1), input: z.unknown().optional(), timeout: durationSchema.default(300_000) }),
  z.strictObject({ action: z.literal('escalate') }),
]);
export type ActionConfig = z.output<typeof actionSchema>;

const approvalSchema = z.strictObject({
  required: z.boolean().default(false),
  /** Unanswered approvals are denied after this long (default deny). */
  ttl: durationSchema.default(300_000),
  /** Warn (escalation channels) this long before an approval expires. */
  warnBefore: durationSchema.default(60_000),
});

const matchSchema = z
  .strictObject({
    /** Symptom names (`process-crashed`, `liveness-failing`, `crash-looping`, a metric rule's name …). */
    symptom: z.array(z.string().min(1)).optional(),
    diagnosis: z.array(z.string().min(1)).optional(),
    service: z.array(z.string().min(1)).optional(),
    /** The fault's classification (transient, persistent: recurs after a restart, byzantine: one replica disagrees with its peers). */
    classification: z.array(z.enum(['transient', 'persistent', 'byzantine'])).optional(),
    /** Every label must equal (the element's labels: `environment`, and the symptom's). */
    labels: z.record(z.string(), z.string()).optional(),
  })
  .prefault({});

/** A policy: which incidents it handles and the ladder of actions, least disruptive first. */
export const policySchema = z.strictObject({
  match: matchSchema,
  ladder: z.array(actionSchema).min(1, 'a ladder needs at least one action'),
  /**
   * Canary first: a `scope: service` restart or stop-start on several replicas runs on one
   * replica, is verified, then on the rest in batches of `batchSize`; the first batch that
   * fails verification stops it (the next rung runs). Without it, such an action touches
   * every replica at once (and the blast radius usually refuses it).
   */
  rollout: z.strictObject({ batchSize: z.number().int().min(1).default(1) }).optional(),
  /** After each action the element must stay healthy this long … */
  verify: z
    .strictObject({
      healthyFor: durationSchema.default(2_000),
      /** … within this long, else the next rung runs. */
      timeout: durationSchema.default(30_000),
    })
    .prefault({}),
  approval: approvalSchema.prefault({}),
  /** Overrides per environment (`prod: { approval: { required: true } }`). */
  environments: z
    .record(
      z.string(),
      z.strictObject({
        // No defaults here: an override sets only what it names.
        approval: z.strictObject({ required: z.boolean().optional(), ttl: durationSchema.optional(), warnBefore: durationSchema.optional() }).optional(),
        dryRun: z.boolean().optional(),
      }),
    )
    .default({}),
  dryRun: z.boolean().default(false),
});
export type PolicyConfig = z.output<typeof policySchema>;

const budgetSchema = z.strictObject({ max: z.number().int().min(1), window: durationSchema });

/** Guardrails checked before every action. */
export const guardrailsSchema = z
  .strictObject({
    budgets: z
      .strictObject({
        perElement: budgetSchema.default({ max: 5, window: 3_600_000 }),
        global: budgetSchema.default({ max: 50, window: 3_600_000 }),
      })
      .prefault({}),
    /** At most this many replicas of one service under remediation at once. */
    blastRadius: z.strictObject({ maxReplicas: z.number().int().min(1).default(1) }).prefault({}),
    /** Remediations of one element failing this many times in a row open its breaker for `openFor`. */
    breaker: z.strictObject({ failures: z.number().int().min(1).default(3), openFor: durationSchema.default(600_000) }).prefault({}),
    /** Decide and record everything, execute nothing. */
    dryRun: z.boolean().default(false),
  })
  .prefault({});

/** Where escalations go, and how often an unresolved, escalated incident is tried again. */
export const escalationSchema = z
  .strictObject({
    webhooks: z.array(z.strictObject({ url: z.url(), format: z.enum(['pagerduty', 'slack', 'json']).default('json'), routingKey: z.string().optional() })).default([]),
    retryEvery: durationSchema.default(60_000),
  })
  .prefault({});

/** Scraping: each service's replicas at `path`. */
export const monitorSchema = z
  .strictObject({
    scrape: z
      .array(
        z.strictObject({
          service: z.string().min(1),
          path: z.string().startsWith('/').default('/metrics'),
          every: durationSchema.default(1_000),
          /** Largest exposition read from one replica; past it the scrape is cut off, nothing stored, and counted. */
          maxBodyBytes: byteSizeSchema.default(4 * 1_048_576),
          /** Samples one replica's exposition may hold (and series it may keep); past it the scrape is refused and counted. */
          maxSeries: z.number().int().min(1).default(2_000),
        }),
      )
      .default([]),
    retention: durationSchema.default(600_000),
    maxSeries: z.number().int().min(1).default(10_000),
    /** Port (127.0.0.1) of homeostat's own `/metrics`; 0 picks a free one (printed at start-up). */
    metricsPort: z.number().int().min(0).max(65_535).default(0),
    /** A config version healthy (no unresolved incident, every element healthy) this long is marked good: the rollback target. */
    configGoodAfter: durationSchema.default(10_000),
  })
  .prefault({});

export type GuardrailsConfig = z.output<typeof guardrailsSchema>;
export type EscalationConfig = z.output<typeof escalationSchema>;
export type MonitorConfig = z.output<typeof monitorSchema>;
