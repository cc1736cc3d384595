import { z } from 'zod';
import { probesSchema } from './probes.js';
import { byteSizeSchema, durationSchema, percentSchema, textSchema } from './units.js';

/** Placeholders allowed in args, env and cwd; each replica gets its own values. */
export const TEMPLATE_NAMES = ['port', 'replica', 'name', 'instance'] as const;
const TEMPLATE = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

const restartBackoffSchema = z
  .strictObject({
    /** Delay before the second restart in a row (the first after a stable run is immediate). */
    initial: durationSchema.default(100),
    max: durationSchema.default(30_000),
    factor: z.number().min(1).default(2),
    jitter: z.enum(['none', 'equal', 'full']).default('equal'),
    /** An instance up this long was stable: the backoff and crash-loop state reset. */
    resetAfter: durationSchema.default(10_000),
  })
  .prefault({});

const crashLoopSchema = z
  .strictObject({
    /** This many restarts within `window` mark the element crash-looping. */
    restarts: z.number().int().min(1).default(5),
    window: durationSchema.default(60_000),
    /** While crash-looping, restarts continue at least this far apart (never a silent stop). */
    retryEvery: durationSchema.default(30_000),
  })
  .prefault({});

const logsSchema = z
  .strictObject({
    /** Rotate the current log file when it passes this size. */
    maxSize: byteSizeSchema.default(10_000_000),
    /** Rotated files kept per instance (current and previous instance each). */
    keep: z.number().int().min(0).default(3),
  })
  .prefault({});

const limitsSchema = z.strictObject({
  /** RSS (summed over the process group) above which a `resource-breach` symptom is raised. */
  memory: byteSizeSchema.optional(),
  /** CPU percent of one core above which a `resource-breach` symptom is raised. */
  cpu: percentSchema.optional(),
});

const standbySchema = z.union([
  z.string().min(1).transform((service) => ({ service, after: 0 })),
  z.strictObject({
    service: z.string().min(1),
    /** How long the primary must be without a healthy replica before failing over. */
    after: durationSchema.default(0),
  }),
]);

/**
 * One managed element under `services:`: a supervised command (`command`) or an
 * external service (`url`) that is probed only.
 */
export const serviceSchema = z
  .strictObject({
    command: z.string().min(1).optional(),
    args: z.array(textSchema).default([]),
    cwd: z.string().optional(),
    env: z.record(z.string(), textSchema).default({}),
    /** An external service: probed, never spawned. */
    url: z.url({ error: 'expected a URL like "http://db.internal:5432"' }).optional(),
    replicas: z.number().int().min(0).default(1),
    /** Base port: replica i gets `port + i` as `{{port}}`. Without it, a free port is picked per replica. */
    port: z.number().int().min(1).max(65_535).optional(),
    restart: z.enum(['always', 'on-failure', 'never']).default('always'),
    restartBackoff: restartBackoffSchema,
    crashLoop: crashLoopSchema,
    stopSignal: z.enum(SIGNALS).default('SIGTERM'),
    /** Time between the stop signal and SIGKILL. */
    gracePeriod: durationSchema.default(5_000),
    /** Restart an instance whose RSS passes this (works without the control loop). */
    maxMemory: byteSizeSchema.optional(),
    limits: limitsSchema.optional(),
    logs: logsSchema,
    probes: probesSchema,
    /** Another service that takes over when this one has no healthy replica. */
    standby: standbySchema.optional(),
    /**
     * The services this one calls: the dependency graph the loop correlates symptoms over
     * (a dependency's outage and its dependents' symptoms are one incident) and ranks root
     * causes with. Names are checked, and cycles refused, by the root schema.
     */
    dependsOn: z.array(z.string().min(1)).default([]),
  })
  .superRefine((service, ctx) => {
    if ((service.command === undefined) === (service.url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a service needs either command (supervised) or url (external, probed only), not both' });
    }
    if (service.url !== undefined) {
      for (const key of ['args', 'cwd', 'port', 'maxMemory', 'limits'] as const) {
        const value = service[key];
        if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} does not apply to an external (url) service` });
        }
      }
    }
    const check = (text: string, path: (string | number)[]) => {
      for (const match of text.matchAll(TEMPLATE)) {
        if (!(TEMPLATE_NAMES as readonly string[]).includes(match[1]!)) {
          ctx.addIssue({ code: 'custom', path, message: `unknown placeholder {{${match[1]}}}; use ${TEMPLATE_NAMES.map((n) => `{{${n}}}`).join(', ')}` });
        }
      }
    };
    service.args.forEach((arg, i) => check(arg, ['args', i]));
    for (const [key, value] of Object.entries(service.env)) check(value, ['env', key]);
    if (service.cwd !== undefined) check(service.cwd, ['cwd']);
  });

export type ServiceConfig = z.output<typeof serviceSchema>;

/** Service names become file names and URL segments: keep them simple. */
export const serviceNameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'service names use letters, digits, ".", "_" and "-"');

export const servicesSchema = z.record(serviceNameSchema, serviceSchema).default({});
