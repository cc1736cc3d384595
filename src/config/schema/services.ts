import { autoscaleSchema } from './autoscale.js';
import { z } from 'zod';
import { canarySchema } from './canary.js';
import { exposeSchema } from './expose.js';
import { probesSchema } from './probes.js';
import { byteSizeSchema, durationSchema, percentSchema, textSchema } from './units.js';

/** Placeholders allowed in args, env and cwd; each replica gets its own values. */
export const TEMPLATE_NAMES = ['port', 'replica', 'name', 'instance'] as const;
const TEMPLATE = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

const restartBackoffSchema = z
  .strictObject({
    initial: durationSchema.default(100).describe('Delay before the second restart in a row (the first after a stable run is immediate).'),
    max: durationSchema.default(30_000).describe('The longest delay between restarts.'),
    factor: z.number().min(1).default(2).describe('Each further restart in a row waits this many times longer.'),
    jitter: z.enum(['none', 'equal', 'full']).default('equal').describe('Randomness in the delay, so replicas do not restart in step: `equal` keeps half of it fixed, `full` none.'),
    resetAfter: durationSchema.default(10_000).describe('An instance up this long was stable: the backoff and crash-loop state reset.'),
  })
  .prefault({})
  .describe('How restarts back off when a process keeps exiting.');

const crashLoopSchema = z
  .strictObject({
    restarts: z.number().int().min(1).default(5).describe('This many restarts within `window` mark the element crash-looping (symptom `crash-looping`).'),
    window: durationSchema.default(60_000).describe('The window the restarts are counted over.'),
    retryEvery: durationSchema.default(30_000).describe('While crash-looping, restarts continue at least this far apart (never a silent stop).'),
  })
  .prefault({})
  .describe('When restarts count as a crash loop.');

const logsSchema = z
  .strictObject({
    maxSize: byteSizeSchema.default(10_000_000).describe('Rotate the current log file when it passes this size.'),
    keep: z.number().int().min(0).default(3).describe('Rotated files kept per instance (current and previous instance each).'),
  })
  .prefault({})
  .describe('The per-instance log files under `<stateDir>/logs`.');

const limitsSchema = z
  .strictObject({
    memory: byteSizeSchema.optional().describe('RSS (summed over the process group) above which a `resource-breach` symptom is raised (the loop decides; compare `maxMemory`).'),
    cpu: percentSchema.optional().describe('CPU percent of one core above which a `resource-breach` symptom is raised.'),
  })
  .describe('Resource limits that raise symptoms for the loop (no restart by themselves).');

const standbySchema = z
  .union([
    z.string().min(1).transform((service) => ({ service, after: 0 })),
    z.strictObject({
      service: z.string().min(1).describe('The standby service.'),
      after: durationSchema.default(0).describe('How long the primary must be without a healthy replica before failing over.'),
    }),
  ])
  .describe('Another service that takes over when this one has no healthy replica: its name, or `{ service, after }`. A standby cannot have a standby of its own.');

/**
 * One managed element under `services:`: a supervised command (`command`) or an
 * external service (`url`) that is probed only.
 */
export const serviceSchema = z
  .strictObject({
    command: z.string().min(1).optional().describe('The program to run and supervise (a name on PATH, or a path). Exactly one of `command` and `url`.'),
    args: z.array(textSchema).default([]).describe('Its arguments; `{{port}}`, `{{replica}}`, `{{name}}`, `{{instance}}` are replaced per replica.'),
    cwd: z.string().optional().describe('Its working directory, relative to the config file (default: the config file\'s folder).'),
    env: z.record(z.string(), textSchema).default({}).describe('Extra environment variables (templates allowed); the process also gets `HOMEOSTAT_*` variables such as `HOMEOSTAT_HEARTBEAT_URL`.'),
    url: z.url({ error: 'expected a URL like "http://db.internal:5432"' }).optional().describe('An external service: probed (its probes\' `http: /path` and `tcp: true` point here), never spawned.'),
    replicas: z.number().int().min(0).default(1).describe('How many instances run (`<service>#0`, `#1`, …); 0 keeps the service defined but stopped.'),
    port: z.number().int().min(1).max(65_535).optional().describe('Base port: replica i gets `port + i` as `{{port}}`. Without it, a free port is picked per replica.'),
    restart: z.enum(['always', 'on-failure', 'never']).default('always').describe('When an exited process is started again: `always`, `on-failure` (non-zero exit or signal), `never`.'),
    restartBackoff: restartBackoffSchema,
    crashLoop: crashLoopSchema,
    stopSignal: z.enum(SIGNALS).default('SIGTERM').describe('The signal sent to the process group to stop it.'),
    gracePeriod: durationSchema.default(5_000).describe('Time between the stop signal and SIGKILL.'),
    maxMemory: byteSizeSchema.optional().describe('Restart an instance whose RSS passes this (works without the control loop).'),
    limits: limitsSchema.optional(),
    logs: logsSchema,
    probes: probesSchema.describe('Health checks: `startup`, `liveness`, `readiness`.'),
    standby: standbySchema.optional(),
    autoscale: autoscaleSchema.optional(),
    expose: exposeSchema.optional(),
    canary: canarySchema.optional(),
    dependsOn: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'The services this one calls: the dependency graph the loop correlates symptoms over (a dependency\'s outage and its dependents\' symptoms are one incident) and ranks root causes with. Names are checked; cycles are refused.',
      ),
  })
  .superRefine((service, ctx) => {
    if ((service.command === undefined) === (service.url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a service needs either command (supervised) or url (external, probed only), not both' });
    }
    if (service.url !== undefined) {
      for (const key of ['args', 'cwd', 'port', 'maxMemory', 'limits', 'autoscale', 'expose', 'canary'] as const) {
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
    if (service.canary && service.url === undefined) {
      // A canary is judged by what its callers saw: only a front door sees them, and only another replica keeps serving the rest.
      if (!service.expose) ctx.addIssue({ code: 'custom', path: ['canary'], message: 'a canary needs a front door (`expose:`) to send it a share of the traffic and see its callers\' answers' });
      else if (service.replicas < 2) ctx.addIssue({ code: 'custom', path: ['canary'], message: `a canary needs at least 2 replicas (this service has ${service.replicas}): the others serve the rest while it is judged` });
    }
    if (service.autoscale && (service.replicas < service.autoscale.min || service.replicas > service.autoscale.max)) {
      ctx.addIssue({ code: 'custom', path: ['replicas'], message: `${service.replicas} replicas is outside autoscale's ${service.autoscale.min}..${service.autoscale.max}` });
    }
  })
  .describe('One service: exactly one of `command` (supervised) and `url` (external, probed only).');

export type ServiceConfig = z.output<typeof serviceSchema>;

/** Service names become file names and URL segments: keep them simple. */
export const serviceNameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'service names use letters, digits, ".", "_" and "-"');

export const servicesSchema = z
  .record(serviceNameSchema, serviceSchema)
  .default({})
  .describe('The managed elements, by name (letters, digits, `.`, `_`, `-`): each a supervised command or an external, probed-only service.');
