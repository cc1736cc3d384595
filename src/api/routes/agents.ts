import type { FastifyPluginAsync } from 'fastify';
import { AgentDispatcher, type AgentRegistration } from '../../agents/agent-dispatcher.js';
import { CAPABILITY } from '../../agents/agent-tasks.js';
import type { AgentTaskStatus } from '../../store/agent-records.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { idParams, limitOf, positiveIntText, responses } from '../schemas.js';
import { agentSchema, agentShape, agentTaskEventSchema, agentTaskEventShape, agentTaskSchema, agentTaskShape, dispatchedTaskSchema } from '../shapes/agent.js';
import { anyJson, arrayOf, boolean, closedObject, number, text } from '../shapes/json-schema.js';

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME } }, additionalProperties: false } as const;
const taskParams = {
  type: 'object',
  required: ['name', 'id'],
  properties: { name: { type: 'string', pattern: NAME }, id: { type: 'string', minLength: 1, maxLength: 400 } },
  additionalProperties: false,
} as const;

const registrationBody = {
  type: 'object',
  required: ['name', 'capabilities', 'version', 'capacity', 'owner'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: NAME },
    capabilities: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', pattern: CAPABILITY.source } },
    version: { type: 'string', minLength: 1, maxLength: 100 },
    capacity: { type: 'integer', minimum: 1, maximum: 1_000 },
    owner: { type: 'string', minLength: 1, maxLength: 200 },
    heartbeatMs: { type: 'integer', minimum: 20, maximum: 600_000 },
  },
} as const;

const heldSchema = closedObject({ held: arrayOf(closedObject({ id: text, generation: number })) });
const finishSchema = closedObject({ accepted: boolean, repeated: boolean });

/**
 * `/api/agents` (docs/agents.md). Threat model: the protocol routes (register, heartbeat,
 * claim, complete, fail) take only `agent` tokens — no person's token, an admin's
 * included, may act as an agent — and every one but register acts only as the agent name
 * the token registered (HS_AGENT_NOT_OWNED otherwise). What an agent reaches: the inputs of
 * queued tasks of the capabilities it declares, and the result of the tasks it holds under
 * their current generation. The listings are for viewers and up and never for agents: an
 * agent sees no other agent, no run, no other task.
 */
export const agentRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const dispatcher = ctx.agents ?? new AgentDispatcher(ctx.store, (runId, name, payload) => ctx.engine.signal(runId, name, payload), ctx.now);
  const tokenId = (request: { principal: { token: { id: string } } | null }): string => request.principal!.token.id;

  app.get('/api/agents', {
    config: { role: 'viewer' },
    schema: { tags: ['agents'], summary: 'Every registered agent with its health (alive, late, dead from heartbeat age) and load (tasks in flight against capacity)', response: responses({ 200: closedObject({ agents: arrayOf(agentSchema) }) }) },
    handler: async () => ({ agents: (await dispatcher.list()).map(agentShape) }),
  });

  app.get<{ Querystring: { status?: AgentTaskStatus; run?: string; limit?: string } }>('/api/agents/tasks', {
    config: { role: 'viewer' },
    schema: {
      tags: ['agents'],
      summary: 'Agent tasks, oldest first; `status=dead` is the dead-letter queue',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { status: { type: 'string', enum: ['queued', 'claimed', 'completed', 'failed', 'dead'] }, run: { type: 'string', minLength: 1, maxLength: 300 }, limit: positiveIntText },
      },
      response: responses({ 200: closedObject({ tasks: arrayOf(agentTaskSchema) }) }),
    },
    handler: async (request) => {
      const { status, run, limit } = request.query;
      const tasks = await ctx.store.listAgentTasks({ ...(status ? { status } : {}), ...(run ? { runId: run } : {}), limit: limitOf(limit, 200) });
      return { tasks: tasks.map(agentTaskShape) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/agents/tasks/:id', {
    config: { role: 'viewer' },
    schema: { tags: ['agents'], summary: 'One agent task with its history (claims, lapses, refused answers)', params: idParams, response: responses({ 200: closedObject({ task: agentTaskSchema, history: arrayOf(agentTaskEventSchema) }) }) },
    handler: async (request) => {
      const task = await ctx.store.getAgentTask(request.params.id);
      if (!task) throw new ApiError('HS_AGENT_TASK_NOT_FOUND', `no agent task ${JSON.stringify(request.params.id)}`);
      return { task: agentTaskShape(task), history: (await ctx.store.listAgentTaskEvents(task.id)).map(agentTaskEventShape) };
    },
  });

  app.post<{ Body: AgentRegistration }>('/api/agents/register', {
    config: { role: 'agent' },
    schema: { tags: ['agents'], summary: 'Register (or re-register) the agent this token acts as', body: registrationBody, response: responses({ 200: closedObject({ agent: agentSchema }) }) },
    handler: async (request) => {
      const agent = await dispatcher.register(request.body, tokenId(request));
      const view = (await dispatcher.list()).find((candidate) => candidate.name === agent.name)!;
      return { agent: agentShape(view) };
    },
  });

  app.post<{ Params: { name: string } }>('/api/agents/:name/heartbeat', {
    config: { role: 'agent' },
    schema: { tags: ['agents'], summary: 'The agent is alive: renews the leases of its tasks; answers the tasks it still holds', params: nameParams, response: responses({ 200: heldSchema }) },
    handler: async (request) => dispatcher.heartbeat(request.params.name, tokenId(request)),
  });

  app.post<{ Params: { name: string } }>('/api/agents/:name/claim', {
    config: { role: 'agent' },
    schema: { tags: ['agents'], summary: 'Take queued tasks of the agent\'s capabilities, up to its free capacity', params: nameParams, response: responses({ 200: closedObject({ tasks: arrayOf(dispatchedTaskSchema) }) }) },
    handler: async (request) => ({ tasks: await dispatcher.claim(request.params.name, tokenId(request)) }),
  });

  app.post<{ Params: { name: string; id: string }; Body: { generation: number; result: unknown } }>('/api/agents/:name/tasks/:id/complete', {
    config: { role: 'agent' },
    schema: {
      tags: ['agents'],
      summary: 'The result of a task the agent holds under `generation` (409 HS_AGENT_TASK_FENCED when it no longer does)',
      params: taskParams,
      body: { type: 'object', required: ['generation', 'result'], additionalProperties: false, properties: { generation: { type: 'integer', minimum: 1 }, result: anyJson } },
      response: responses({ 200: finishSchema }),
    },
    handler: async (request) => ({ accepted: true, ...(await dispatcher.complete(request.params.name, tokenId(request), request.params.id, request.body.generation, request.body.result)) }),
  });

  app.post<{ Params: { name: string; id: string }; Body: { generation: number; error: string } }>('/api/agents/:name/tasks/:id/fail', {
    config: { role: 'agent' },
    schema: {
      tags: ['agents'],
      summary: 'The agent gives up a task it holds under `generation`: terminal for the task',
      params: taskParams,
      body: { type: 'object', required: ['generation', 'error'], additionalProperties: false, properties: { generation: { type: 'integer', minimum: 1 }, error: { type: 'string', minLength: 1, maxLength: 4_000 } } },
      response: responses({ 200: finishSchema }),
    },
    handler: async (request) => ({ accepted: true, ...(await dispatcher.fail(request.params.name, tokenId(request), request.params.id, request.body.generation, request.body.error)) }),
  });
};
