import { z } from 'zod';
import { byteSizeSchema, durationSchema } from './units.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `alerts:` — how alerts posted by Alertmanager (`POST /api/alerts/alertmanager`) or the
 * generic webhook (`POST /api/alerts/webhook`) become
 * symptoms: which labels name the service and the replica, what the symptom is called,
 * and the credential a poster may use besides an operator token. The secret itself never
 * sits in this file: only the name of the environment variable that holds it. Read once
 * at start-up (a change needs a restart of `up`).
 */
export const alertsSchema = z
  .strictObject({
    secretEnv: z
      .string()
      .regex(ENV_NAME, 'expected an environment variable name such as HOMEOSTAT_ALERT_SECRET')
      .optional()
      .describe(
        'The environment variable holding a shared secret Alertmanager may send as `Authorization: Bearer <secret>` instead of an operator token (`http_config.authorization.credentials_file` in alertmanager.yml). Unset: only operator tokens. Set but the variable empty or missing at start: `up` refuses to start.',
      ),
    serviceLabels: z
      .array(z.string().regex(LABEL_NAME))
      .min(1)
      .default(['service', 'job'])
      .describe('The alert labels that may name the service, tried in order; the first whose value is a service (directly or through `services`) wins.'),
    instanceLabel: z
      .string()
      .regex(LABEL_NAME)
      .default('instance')
      .describe('The alert label that may name the replica: used when its value is one of the service\'s replicas (`web#0`), or `host:port` where port is a replica\'s `port`; otherwise the symptom is about the whole service.'),
    services: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Label values that name a service by another name (`node-exporter-web: web`, `redis_exporter: redis`): checked before the value is taken as a service name itself.'),
    symptomLabel: z
      .string()
      .regex(LABEL_NAME)
      .default('alertname')
      .describe('The alert label whose value is the symptom\'s name (what policies match in `symptom:`).'),
    resendWithin: durationSchema
      .default(14_400_000)
      .describe(
        'How long after `up` starts (or begins to lead) an alert symptom of a still-open incident counts as firing without being heard again: Alertmanager re-sends firing alerts only every `repeat_interval` (default 4h), so set this to yours plus a margin. A resolved notice, or the alert heard again, ends it sooner.',
      ),
    bodyLimit: byteSizeSchema.default(1_048_576).describe('Largest webhook body; a larger one is refused with 413 (lower Alertmanager\'s `max_alerts` if you reach it).'),
    maxFiring: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Firing alerts remembered at once (for de-duplication and for knowing when a symptom cleared); an alert beyond it is ignored, counted and named in the answer, never a forgotten firing one.'),
  })
  .prefault({})
  .describe('Alerts from Alertmanager and the generic webhook as symptoms (docs/integrations.md): the labels that map an alert to a service and replica, its symptom name, and the shared secret\'s environment variable.');

export type AlertsConfig = z.output<typeof alertsSchema>;
