import type { FastifyPluginAsync } from 'fastify';
import type { AgentActionView } from '../../execute/agent-action-requests.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { responses } from '../schemas.js';
import { boolean, closedObject, nullableText, oneOf, text } from '../shapes/json-schema.js';

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
const KEY = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME } }, additionalProperties: false } as const;
const keyParams = { type: 'object', required: ['name', 'key'], properties: { name: { type: 'string', pattern: NAME }, key: { type: 'string', pattern: KEY } }, additionalProperties: false } as const;
const requestBody = {
  type: 'object',
  required: ['action', 'key'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
    key: { type: 'string', pattern: KEY },
  },
} as const;

const actionSchema = closedObject({
  id: text,
  agent: text,
  action: text,
  key: text,
  service: text,
  risk: oneOf(['low', 'high']),
  state: oneOf(['awaiting-approval', 'running', 'done', 'failed', 'uncertain', 'denied', 'expired']),
  detail: nullableText,
  approval: nullableText,
  approvedBy: nullableText,
});

/**
 * `/api/agents/<name>/actions`: an agent asks homeostat to act (docs/agents.md, "Actions
 * agents may request").
 *
 * Threat model. Who may cause it: only an `agent` token, and only as the agent name that
 * token registered (HS_AGENT_NOT_OWNED otherwise) — assume the agent is steered by a
 * malicious prompt. What it can reach: the entries of its own allow-list in the applied
 * config (`agents.<name>.actions`), each a fixed actuator call (restart, stop-start, scale,
 * a runbook workflow) on a fixed service, with nothing the agent supplies but the entry's
 * name and an idempotency key — no command line, no target, no input. Anything else is
 * refused with 403 and audited as `agent:<name>`. A `high` entry waits for a person's
 * approval; agent tokens cannot reach the approval, token or config routes (the `agent`
 * role is outside viewer ⊂ operator ⊂ admin), so an agent can neither approve a request nor
 * widen its own list. Each request runs at most once per key (one durable run per
 * `<agent>:<key>`). What an agent learns: the state of its own requests, nothing else.
 */
export const agentActionRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const gate = () => {
    if (!ctx.agentActions) throw new ApiError('HS_API_NOT_SERVED', 'agent actions need the API of a running homeostat up (its config holds the allow-lists)');
    return ctx.agentActions;
  };
  const tokenId = (request: { principal: { token: { id: string } } | null }): string => request.principal!.token.id;

  app.post<{ Params: { name: string }; Body: { action: string; key: string } }>('/api/agents/:name/actions', {
    config: { role: 'agent' },
    schema: {
      tags: ['agents'],
      summary: 'Request an action of the agent\'s allow-list, once per `key`: 202 with its state (`high` ones wait for a person\'s approval); 403 HS_AGENT_ACTION_NOT_ALLOWED, audited, for anything else',
      params: nameParams,
      body: requestBody,
      response: responses({ 202: closedObject({ action: actionSchema, repeated: boolean }) }),
    },
    handler: async (request, reply) => {
      const answer = await gate().request(request.params.name, tokenId(request), request.body.action, request.body.key);
      return reply.code(202).send(answer);
    },
  });

  app.get<{ Params: { name: string; key: string } }>('/api/agents/:name/actions/:key', {
    config: { role: 'agent' },
    schema: { tags: ['agents'], summary: 'Where one of the agent\'s own requests stands', params: keyParams, response: responses({ 200: closedObject({ action: actionSchema }) }) },
    handler: async (request): Promise<{ action: AgentActionView }> => ({ action: await gate().get(request.params.name, tokenId(request), request.params.key) }),
  });
};
