import type { FastifyPluginAsync } from 'fastify';
import type { RunStatus } from '../../store/records.js';
import type { ApiContext } from '../api-context.js';
import { idParams, limitOf, positiveIntText, responses } from '../schemas.js';
import { arrayOf, boolean, closedObject, text } from '../shapes/json-schema.js';
import { attemptShape, modelAttemptShape, runDetailAnswerSchema, runDetailShape, runSchema, runShape, stepShape } from '../shapes/run.js';
import { refuseInternalWorkflow } from '../../workflow/internal-workflows.js';

const STATUSES = '(pending|running|waiting|completed|failed|cancelled|parked)';

/** A cancel or a redrive: the run as it is after the request. */
const runAnswerSchema = closedObject({ run: runSchema });
const startedSchema = closedObject({ id: text, created: boolean });

/** `/api/runs`: workflow runs — list, show (steps and attempts), start, signal, cancel, redrive. */
export const runRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const audit = (actor: string, action: string, runId: string, data: Record<string, unknown>) => ctx.knowledge.audit.append(actor, action, `run:${runId}`, data);

  app.get<{ Querystring: { status?: string; workflow?: string; limit?: string } }>('/api/runs', {
    config: { role: 'viewer' },
    schema: {
      tags: ['runs'],
      summary: 'Runs, newest first, by status and workflow',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { status: { type: 'string', pattern: `^${STATUSES}(,${STATUSES})*$` }, workflow: { type: 'string', maxLength: 200 }, limit: positiveIntText },
      },
      response: responses({ 200: closedObject({ runs: arrayOf(runSchema) }) }),
    },
    handler: async (request) => {
      const q = request.query;
      const runs = await ctx.engine.listRuns({ limit: limitOf(q.limit, 50), ...(q.status ? { status: q.status.split(',') as RunStatus[] } : {}), ...(q.workflow ? { workflow: q.workflow } : {}) });
      return { runs: runs.map(runShape) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', {
    config: { role: 'viewer' },
    schema: { tags: ['runs'], summary: 'One run with its steps, failed attempts and model attempts (the per-step timeline)', params: idParams, response: responses({ 200: runDetailAnswerSchema }) },
    handler: async (request) => {
      const { run, steps, attempts, modelAttempts } = await ctx.engine.describe(request.params.id);
      return { run: runDetailShape(run), steps: steps.map(stepShape), attempts: attempts.map(attemptShape), modelAttempts: modelAttempts.map(modelAttemptShape) };
    },
  });

  app.post<{ Body: { workflow: string; input?: unknown; id?: string; timeout?: string } }>('/api/runs', {
    config: { role: 'operator' },
    schema: {
      tags: ['runs'],
      summary: 'Start a run (idempotent with an `id`: an existing run is returned, `created: false`) (audited)',
      body: {
        type: 'object',
        required: ['workflow'],
        additionalProperties: false,
        properties: {
          workflow: { type: 'string', minLength: 1, maxLength: 200 },
          input: {},
          id: { type: 'string', minLength: 1, maxLength: 200 },
          timeout: { type: 'string', minLength: 1, maxLength: 50, description: 'deadline of the whole run, like "10m", overriding the workflow\'s' },
        },
      },
      response: responses({ 201: startedSchema, 200: startedSchema }),
    },
    handler: async (request, reply) => {
      const { workflow, input, id, timeout } = request.body;
      refuseInternalWorkflow(workflow, 'start');
      const handle = await ctx.engine.start(workflow, input ?? null, { ...(id ? { id } : {}), ...(timeout ? { timeout } : {}) });
      if (handle.created) await audit(request.principal!.actor, 'run.started', handle.id, { workflow });
      return reply.status(handle.created ? 201 : 200).send({ id: handle.id, created: handle.created });
    },
  });

  app.post<{ Params: { id: string }; Body: { name: string; payload?: unknown } }>('/api/runs/:id/signals', {
    config: { role: 'operator' },
    schema: {
      tags: ['runs'],
      summary: 'Send a signal to a run (queued until it waits for it) (audited)',
      params: idParams,
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, payload: {} } },
      response: responses({ 202: closedObject({ id: text, signal: text }) }),
    },
    handler: async (request, reply) => {
      await refuseInternalRun(ctx, request.params.id, 'signal');
      await ctx.engine.signal(request.params.id, request.body.name, request.body.payload ?? null);
      await audit(request.principal!.actor, 'run.signalled', request.params.id, { signal: request.body.name });
      return reply.status(202).send({ id: request.params.id, signal: request.body.name });
    },
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/cancel', {
    config: { role: 'operator' },
    schema: { tags: ['runs'], summary: 'Cancel a run: it stops at its next durable operation and compensates (audited)', params: idParams, response: responses({ 202: runAnswerSchema }) },
    handler: async (request, reply) => {
      await refuseInternalRun(ctx, request.params.id, 'cancel');
      const run = await ctx.engine.cancel(request.params.id);
      await audit(request.principal!.actor, 'run.cancel-requested', run.id, { status: run.status });
      return reply.status(202).send({ run: runShape(run) });
    },
  });

  app.post<{ Params: { id: string }; Body: { fromStep?: number | string } | null | undefined }>('/api/runs/:id/redrive', {
    config: { role: 'operator' },
    schema: {
      tags: ['runs'],
      summary: 'Re-run a failed, parked or cancelled run from a step (sequence number or name; default: the failed step) (audited)',
      params: idParams,
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { fromStep: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', minLength: 1, maxLength: 200 }] } },
      },
      response: responses({ 202: runAnswerSchema }),
    },
    handler: async (request, reply) => {
      await refuseInternalRun(ctx, request.params.id, 'redrive');
      const fromStep = request.body?.fromStep;
      const run = await ctx.engine.redrive(request.params.id, fromStep === undefined ? {} : { fromStep });
      await audit(request.principal!.actor, 'run.redriven', run.id, { fromStep: fromStep ?? null, generation: run.generation });
      return reply.status(202).send({ run: runShape(run) });
    },
  });
};

/** Signals, cancels and redrives of the controller's own runs are refused (a missing run is left to the engine's 404). */
async function refuseInternalRun(ctx: ApiContext, runId: string, operation: 'signal' | 'cancel' | 'redrive'): Promise<void> {
  const run = await ctx.engine.getRun(runId);
  if (run) refuseInternalWorkflow(run.workflow, operation, runId);
}
