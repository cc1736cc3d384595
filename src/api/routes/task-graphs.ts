import type { FastifyPluginAsync } from 'fastify';
import { completeHumanTask } from '../../agents/human-tasks.js';
import { taskGraphView } from '../../agents/task-graph-view.js';
import { redact } from '../../knowledge/redact.js';
import type { HumanTaskStatus } from '../../store/human-task-records.js';
import { humanTaskShape } from '../shapes/human-task.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { idParams, limitOf, positiveIntText, responses } from '../schemas.js';
import { anyJson, arrayOf, boolean, closedObject, nullableNumber, nullableText, oneOf, text } from '../shapes/json-schema.js';

const humanTaskSchema = closedObject({
  id: text,
  runId: text,
  task: text,
  assignee: text,
  input: anyJson,
  status: oneOf(['open', 'completed', 'escalated']),
  dueAt: nullableNumber,
  result: anyJson,
  completedBy: nullableText,
  createdAt: { type: 'number' },
  finishedAt: nullableNumber,
});

const graphTaskSchema = closedObject({
  id: text,
  dependsOn: arrayOf(text),
  kind: oneOf(['agent', 'human', 'code']),
  routedTo: text,
  addedBy: nullableText,
  planner: boolean,
  state: oneOf(['pending', 'running', 'completed', 'failed', 'cancelled']),
  attempts: { type: 'number' },
  taskId: nullableText,
  agent: nullableText,
  dueAt: nullableNumber,
  error: nullableText,
});

/**
 * The inbox of human tasks and the run-level view of task graphs (docs/agents.md).
 * Threat model: viewers and up read the inbox and graphs (inputs shown redacted). Only
 * operators and up answer a human task — an agent token never can, so an agent cannot
 * approve its own work — and each answer is audited under the answering token's actor and
 * accepted once (HS_HUMAN_TASK_CLOSED for a second answer, or one after the escalation).
 * What an answer reaches: it becomes the output of that one task in the waiting run.
 */
export const taskGraphRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.get<{ Querystring: { status?: HumanTaskStatus; assignee?: string; run?: string; limit?: string } }>('/api/inbox', {
    config: { role: 'viewer' },
    schema: {
      tags: ['agents'],
      summary: 'Human tasks, oldest first: open ones by default (`status=completed|escalated` for the rest), optionally for one assignee or run',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { status: { type: 'string', enum: ['open', 'completed', 'escalated'] }, assignee: { type: 'string', minLength: 1, maxLength: 200 }, run: { type: 'string', minLength: 1, maxLength: 300 }, limit: positiveIntText },
      },
      response: responses({ 200: closedObject({ tasks: arrayOf(humanTaskSchema) }) }),
    },
    handler: async (request) => {
      const { status, assignee, run, limit } = request.query;
      const tasks = await ctx.store.listHumanTasks({ status: status ?? 'open', ...(assignee ? { assignee } : {}), ...(run ? { runId: run } : {}), limit: limitOf(limit, 200) });
      return { tasks: tasks.map(humanTaskShape) };
    },
  });

  app.post<{ Params: { id: string }; Body: { result: unknown } }>('/api/inbox/:id/complete', {
    config: { role: 'operator' },
    schema: {
      tags: ['agents'],
      summary: 'Answer a human task: its result resumes the graph waiting on it (409 HS_HUMAN_TASK_CLOSED when already answered or escalated)',
      params: idParams,
      body: { type: 'object', required: ['result'], additionalProperties: false, properties: { result: anyJson } },
      response: responses({ 200: closedObject({ task: humanTaskSchema }) }),
    },
    handler: async (request) => {
      const task = await completeHumanTask({ store: ctx.store, signal: (runId, name, payload) => ctx.engine.signal(runId, name, payload), audit: ctx.knowledge.audit, now: ctx.now }, request.params.id, request.principal!.actor, request.body.result);
      return { task: humanTaskShape(task) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id/graph', {
    config: { role: 'viewer' },
    schema: { tags: ['runs'], summary: 'The task graphs of a run, each task with its state, routing, attempts and agent', params: idParams, response: responses({ 200: closedObject({ graphs: arrayOf(closedObject({ name: text, tasks: arrayOf(graphTaskSchema) })) }) }) },
    handler: async (request) => {
      const graphs = await taskGraphView(ctx.store, request.params.id);
      if (!graphs) throw new ApiError('HS_RUN_NOT_FOUND', `no run ${JSON.stringify(request.params.id)}`);
      return { graphs: redact(graphs) };
    },
  });
};
