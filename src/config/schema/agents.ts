import { z } from 'zod';
import { actionSchema, type ActionConfig } from './policies.js';
import { durationSchema } from './units.js';

/** Same shape as an agent's registered name (src/api/routes/agents.ts). */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** What an agent puts in its request: short, no spaces, no path separators. */
const ACTION_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The actuator kinds an agent may be allowed to request. Left out on purpose: `command`
 * (a shell line: one typo in an allow-list and an agent runs arbitrary code), `rollback`
 * (changes the config, which an agent must never do), and the incident-bound ones
 * (`webhook` posts an incident's explanation, `redrive`, `escalate`, provider states and
 * `failover` act on what an incident is about) — an agent's request has no incident.
 */
export const AGENT_ACTION_KINDS = ['restart', 'stop-start', 'scale', 'workflow'] as const;

/** The rung schemas of {@link AGENT_ACTION_KINDS}, the same objects a policy's ladder parses. */
const allowedKinds = actionSchema.options.filter((option) => (AGENT_ACTION_KINDS as readonly string[]).includes(option.shape.action.value));
const agentDoSchema = z.discriminatedUnion('action', allowedKinds as unknown as [(typeof allowedKinds)[number], ...(typeof allowedKinds)[number][]]);

const agentActionSchema = z
  .strictObject({
    service: z.string().min(1).describe('The service the action acts on (every replica of it: an agent names no instance).'),
    do: agentDoSchema.describe(`The action, as a policy rung writes it: \`action\` is one of ${AGENT_ACTION_KINDS.map((kind) => `\`${kind}\``).join(', ')}.`),
    risk: z
      .enum(['low', 'high'])
      .default('high')
      .describe('`low`: runs as soon as the agent asks. `high` (the default): waits for a person\'s `homeostat approve` (or the dashboard\'s), exactly like a remediation rung that needs approval; unanswered, it is denied after `approvalTtl`.'),
    approvalTtl: durationSchema.default(300_000).describe('How long a `high` request waits for a person before it is denied (default deny).'),
  })
  .describe('One action an agent may request, by name.');

export type AgentActionConfig = Omit<z.output<typeof agentActionSchema>, 'do'> & { do: ActionConfig };

const agentSchema = z
  .strictObject({
    actions: z
      .record(z.string().regex(ACTION_NAME, 'an action name: lower-case letters, digits, ".", "_" and "-", at most 64'), agentActionSchema)
      .default({})
      .describe('The allow-list: the named actions this agent may request (`POST /api/agents/<name>/actions`). Anything else it asks for is refused (403) and audited.'),
    rateLimit: z
      .strictObject({
        max: z.number().int().min(1).describe('New requests allowed in any window of `per` (a repeated key is no new request).'),
        per: durationSchema.describe('The sliding window.'),
      })
      .optional()
      .describe('At most `max` new action requests per `per`, whatever their keys: past it a request is refused (429 HS_AGENT_ACTION_RATE_LIMITED) and the refusal audited. Without it, the agent\'s requests are not counted.'),
  })
  .describe('What one agent may ask homeostat to do.');

/**
 * `agents:` in homeostat.yaml: each agent's allow-list (docs/agents.md, "Actions agents may
 * request"). Keyed by the name the agent registers under — which is bound to its token — so
 * the list follows the token, and a changed list applies with the config, no new token.
 */
export const agentsSchema = z
  .record(z.string().regex(AGENT_NAME, 'an agent name: letters, digits, ".", "_" and "-", at most 100'), agentSchema)
  .default({})
  .describe('Agents\' allow-lists, by agent name: the actions each may request through the API. An agent not listed may request nothing.');

export type AgentsConfig = Record<string, { actions: Record<string, AgentActionConfig>; rateLimit?: { max: number; per: number } | undefined }>;

/** The references in `agents:` that only the whole file can check: the services named. */
export function agentsIssues(config: { agents: AgentsConfig; services: Record<string, unknown> }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [agent, { actions }] of Object.entries(config.agents)) {
    for (const [name, action] of Object.entries(actions)) {
      const path = ['agents', agent, 'actions', name];
      if (!config.services[action.service]) issues.push({ path: [...path, 'service'], message: `"${action.service}" is not a service in this file` });
    }
  }
  return issues;
}
