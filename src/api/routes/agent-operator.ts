import type { FastifyPluginAsync } from 'fastify';
import { quarantineByOperator, releaseByOperator } from '../../agents/operator-agent-control.js';
import type { ApiContext } from '../api-context.js';
import { responses } from '../schemas.js';
import { agentSchema, agentShape } from '../shapes/agent.js';
import { arrayOf, boolean, closedObject, text } from '../shapes/json-schema.js';

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME } }, additionalProperties: false } as const;
const reasonBody = { type: ['object', 'null'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2_000 } }, additionalProperties: false } as const;
const outcomeSchema = closedObject({ agent: agentSchema, requeued: arrayOf(text), released: boolean, unretired: boolean });

/**
 * `POST /api/agents/:name/quarantine` and `/release` (docs/agents.md#an-operators-quarantine):
 * a person takes an agent out of the fleet, or lets it back.
 *
 * Threat model. Who may cause it: an operator token (or admin) — never an agent token, an
 * agent's own name included (the `agent` role is outside viewer ⊂ operator ⊂ admin), so a
 * steered agent can neither free itself nor quarantine a rival. Each call is audited with the
 * token's actor (`agent.quarantined` / `agent.released`), and an unknown name is refused (404
 * HS_AGENT_NOT_FOUND) with nothing written. What it reaches: one row of `agent_quarantines`
 * (and, for a release, of `agent_retirements`), and the in-flight tasks of that one agent,
 * which go back to the queue. The worst an operator can do is keep an agent from working (its
 * tasks wait for another capable agent) or let back one the loop quarantined or retired; the
 * loop then judges it again from its next symptom. The loop cannot undo an operator's
 * quarantine: only a person releases it.
 */
export const agentOperatorRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const deps = { store: ctx.store, audit: (actor: string, action: string, target: string, data: Record<string, unknown>) => ctx.knowledge.audit.append(actor, action, target, data), now: ctx.now };
  for (const verb of ['quarantine', 'release'] as const) {
    app.post<{ Params: { name: string }; Body: { reason?: string } | null | undefined }>(`/api/agents/:name/${verb}`, {
      config: { role: 'operator' },
      schema: {
        tags: ['agents'],
        summary:
          verb === 'quarantine'
            ? 'Quarantine an agent by hand: it claims nothing on any dispatcher and its tasks in flight go back to the queue, until an operator releases it — the loop does not (audited)'
            : 'Release an agent by hand: it claims again (a retirement by the replace rung is lifted too); its reliability starts over (audited)',
        params: nameParams,
        body: reasonBody,
        response: responses({ 200: outcomeSchema }),
      },
      handler: async (request) => {
        const reason = request.body?.reason ?? `${verb === 'quarantine' ? 'quarantined' : 'released'} through the API`;
        const outcome = await (verb === 'quarantine' ? quarantineByOperator : releaseByOperator)(deps, request.params.name, request.principal!.actor, reason);
        return { ...outcome, agent: agentShape(outcome.agent) };
      },
    });
  }
};
