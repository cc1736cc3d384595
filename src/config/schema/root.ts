import { z } from 'zod';
import { servicesSchema } from './services.js';
import { escalationSchema, guardrailsSchema, monitorSchema, policySchema, symptomRuleSchema } from './policies.js';
import { durationSchema } from './units.js';
import { apiSchema } from './api.js';

/**
 * The whole `homeostat.yaml`. Each part lives in its own file under `schema/`; later
 * parts (policies, alerts, …) add a key here.
 */
export const configSchema = z
  .strictObject({
    version: z.literal(1).default(1),
    /** Where logs and the default SQLite store go; relative to the config file. Default `.homeostat`. */
    stateDir: z.string().min(1).default('.homeostat'),
    /** Store URL (`sqlite:<path>` …); default `sqlite:<stateDir>/homeostat.db`. */
    store: z.string().min(1).optional(),
    heartbeat: z
      .strictObject({
        /** TCP port (127.0.0.1) of the heartbeat endpoint; 0 picks a free one. */
        port: z.number().int().min(0).max(65_535).default(0),
      })
      .prefault({}),
    resources: z
      .strictObject({
        /** How often RSS and CPU are sampled. */
        sampleEvery: durationSchema.default(1_000),
      })
      .prefault({}),
    services: servicesSchema,
    /** The environment this config runs in (`prod`, `staging`): selects policies' `environments` overrides. */
    environment: z.string().min(1).default('default'),
    monitor: monitorSchema,
    symptoms: z.record(z.string(), symptomRuleSchema).default({}),
    policies: z.record(z.string(), policySchema).default({}),
    guardrails: guardrailsSchema,
    escalation: escalationSchema,
    api: apiSchema,
  })
  .superRefine((config, ctx) => {
    for (const [name, rule] of Object.entries(config.symptoms)) {
      if (!config.services[rule.service]) ctx.addIssue({ code: 'custom', path: ['symptoms', name, 'service'], message: `"${rule.service}" is not a service in this file` });
    }
    for (const [index, target] of config.monitor.scrape.entries()) {
      if (!config.services[target.service]) ctx.addIssue({ code: 'custom', path: ['monitor', 'scrape', index, 'service'], message: `"${target.service}" is not a service in this file` });
    }
    for (const [name, service] of Object.entries(config.services)) {
      if (!service.standby) continue;
      const target = service.standby.service;
      const path = ['services', name, 'standby'];
      if (target === name) ctx.addIssue({ code: 'custom', path, message: 'a service cannot be its own standby' });
      else if (!config.services[target]) ctx.addIssue({ code: 'custom', path, message: `standby "${target}" is not a service in this file` });
      else if (config.services[target]!.standby) {
        ctx.addIssue({ code: 'custom', path, message: `standby "${target}" declares a standby of its own; chains are not supported` });
      }
    }
  });

export type HomeostatConfig = z.output<typeof configSchema>;
