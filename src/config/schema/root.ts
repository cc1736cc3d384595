import { z } from 'zod';
import { servicesSchema } from './services.js';
import { exposeIssues } from './expose.js';
import { escalationSchema, guardrailsSchema, monitorSchema, policySchema } from './policies.js';
import { symptomRuleSchema } from './symptom-rules.js';
import { durationSchema } from './units.js';
import { apiSchema } from './api.js';
import { correlationSchema } from './correlation.js';
import { nodeSchema } from './node.js';
import { alertsSchema } from './alerts.js';
import { prometheusSchema } from './prometheus.js';
import { workflowsSchema } from './workflows.js';
import { modelsSchema } from './models.js';
import { agentsIssues, agentsSchema } from './agents.js';
import { agentElementIssues, agentElementSchema } from './agent-element.js';

/**
 * The whole `homeostat.yaml`. Each part lives in its own file under `schema/`; later
 * parts (policies, alerts, …) add a key here.
 */
export const configSchema = z
  .strictObject({
    version: z.literal(1).default(1).describe('The format of this file; 1.'),
    stateDir: z.string().min(1).default('.homeostat').describe('Where logs, the ledger and the default SQLite store go; relative to the config file.'),
    store: z.string().min(1).optional().describe('Store URL: `sqlite:<path>` or `postgres://…` (many machines); default `sqlite:<stateDir>/homeostat.db`.'),
    node: nodeSchema,
    heartbeat: z
      .strictObject({
        port: z.number().int().min(0).max(65_535).default(0).describe('TCP port (127.0.0.1) of the heartbeat endpoint; 0 picks a free one.'),
      })
      .prefault({})
      .describe('The endpoint heartbeat probes receive beats on.'),
    resources: z
      .strictObject({
        sampleEvery: durationSchema.default(1_000).describe('How often RSS and CPU are sampled.'),
      })
      .prefault({})
      .describe('Resource sampling of supervised processes (for `maxMemory` and `limits`).'),
    startup: z
      .strictObject({
        dependencyTimeout: durationSchema
          .default(60_000)
          .describe('How long a service waits for the services it `dependsOn` to be ready (readiness probe passing, or running without one) before it starts anyway, with a `dependency-timeout` event.'),
      })
      .prefault({})
      .describe('Start-up order: services start after what they `dependsOn` is ready, and stop before it.'),
    services: servicesSchema,
    environment: z.string().min(1).default('default').describe('The environment this config runs in (`prod`, `staging`): selects policies\' `environments` overrides.'),
    monitor: monitorSchema,
    prometheus: prometheusSchema,
    symptoms: z
      .record(z.string(), symptomRuleSchema)
      .default({})
      .describe('Symptom rules over metrics, by name (the name is the symptom\'s, for policies to match): each one of `above` / `below` (thresholds), `absent`, `detector` or `trend`, over a value, a `rate` or a `ratio` of two series.'),
    policies: z
      .record(z.string(), policySchema)
      .default({})
      .describe('Remediation policies, by name: the first (in file order) whose `match` holds handles an incident.'),
    correlation: correlationSchema,
    guardrails: guardrailsSchema,
    escalation: escalationSchema,
    api: apiSchema,
    alerts: alertsSchema,
    workflows: workflowsSchema,
    models: modelsSchema,
    agents: agentsSchema,
    agentElements: agentElementSchema.optional().describe('Agents as loop elements (`agent:<name>`); without it no agent symptom is raised.'),
  })
  .superRefine((config, ctx) => {
    const scrapedElements = new Set(config.monitor.scrape.flatMap((target) => (target.element ? [target.element] : [])));
    const anyElementFrom = config.monitor.scrape.some((target) => target.elementFrom !== undefined);
    for (const [name, rule] of Object.entries(config.symptoms)) {
      if (!config.services[rule.service]) {
        // A rule may also watch an element a static scrape target maps series to (one not supervised here).
        if (!scrapedElements.has(rule.service) && !anyElementFrom) ctx.addIssue({ code: 'custom', path: ['symptoms', name, 'service'], message: `"${rule.service}" is not a service in this file, nor the element of a monitor.scrape url target` });
      }
      if (rule.query !== undefined && !config.prometheus) ctx.addIssue({ code: 'custom', path: ['symptoms', name, 'query'], message: 'a PromQL rule needs prometheus: { url } in this file' });
      else if (rule.trend?.limit === 'maxMemory' && config.services[rule.service]!.maxMemory === undefined) {
        ctx.addIssue({ code: 'custom', path: ['symptoms', name, 'trend', 'limit'], message: `service "${rule.service}" has no maxMemory to predict` });
      }
    }
    for (const [name, policy] of Object.entries(config.policies)) {
      if (policy.verify.checks.length > 0 && !config.prometheus) ctx.addIssue({ code: 'custom', path: ['policies', name, 'verify', 'checks'], message: 'PromQL verification checks need prometheus: { url } in this file' });
    }
    for (const [index, target] of config.monitor.scrape.entries()) {
      if (target.service !== undefined && !config.services[target.service]) ctx.addIssue({ code: 'custom', path: ['monitor', 'scrape', index, 'service'], message: `"${target.service}" is not a service in this file` });
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
    for (const [value, service] of Object.entries(config.alerts.services)) {
      if (!config.services[service]) ctx.addIssue({ code: 'custom', path: ['alerts', 'services', value], message: `"${service}" is not a service in this file` });
    }
    for (const issue of dependsOnIssues(config.services)) ctx.addIssue({ code: 'custom', ...issue });
    const fixedPorts = [
      { port: config.heartbeat.port, what: 'heartbeat.port' },
      { port: config.monitor.metricsPort, what: 'monitor.metricsPort' },
      ...(config.api.enabled ? [{ port: config.api.port, what: 'api.port' }] : []),
    ];
    for (const issue of exposeIssues({ services: config.services, fixedPorts })) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of agentsIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of agentElementIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
  });

/** Unknown names, self-references, repeats and cycles in `dependsOn`, each at the entry that causes it. */
function dependsOnIssues(services: Record<string, { dependsOn: string[] }>): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [name, service] of Object.entries(services)) {
    service.dependsOn.forEach((target, i) => {
      const path = ['services', name, 'dependsOn', i];
      if (target === name) issues.push({ path, message: 'a service cannot depend on itself' });
      else if (!services[target]) issues.push({ path, message: `"${target}" is not a service in this file` });
      else if (service.dependsOn.indexOf(target) !== i) issues.push({ path, message: `"${target}" is listed twice` });
    });
  }
  // A cycle is reported once, at the edge that closes it in a depth-first walk in file order.
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    trail.push(name);
    (services[name]?.dependsOn ?? []).forEach((target, i) => {
      if (!services[target] || target === name) return;
      if (state.get(target) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(target)), target];
        issues.push({ path: ['services', name, 'dependsOn', i], message: `dependsOn cycle: ${cycle.join(' → ')}` });
      } else if (!state.has(target)) visit(target);
    });
    trail.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) if (!state.has(name)) visit(name);
  return issues;
}

export type HomeostatConfig = z.output<typeof configSchema>;
