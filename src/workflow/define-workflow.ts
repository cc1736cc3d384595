import { HomeostatError } from '../errors/homeostat-error.js';
import type { Duration } from '../resilience/duration.js';
import type { WorkflowContext } from './workflow-context.js';

/** The body of a workflow: ordinary async code whose side effects live in `ctx.step`. */
export type WorkflowFunction<I, O> = (ctx: WorkflowContext, input: I) => Promise<O>;

export interface WorkflowOptions {
  /** Deadline for the whole run, from its creation; on expiry it fails and compensates. */
  timeout?: Duration;
}

/** A named, registered workflow. Pass it to `Engine` (to run it) and to `engine.start`. */
export interface WorkflowDefinition<I = unknown, O = unknown> {
  readonly kind: 'homeostat.workflow';
  readonly name: string;
  readonly fn: WorkflowFunction<I, O>;
  readonly options: WorkflowOptions;
}

/**
 * Declare a durable workflow. Its function is replayed from the top after any
 * interruption; recorded steps return their stored results instead of running again,
 * so anything non-deterministic (I/O, time, randomness) must go through `ctx`.
 *
 * @example
 * export const enrich = defineWorkflow('enrich', async (ctx, input: { url: string }) => {
 *   const page = await ctx.step('fetch', ({ signal }) => fetchPage(input.url, signal), { timeout: '10s' });
 *   return page.title;
 * });
 * @example
 * defineWorkflow('', async () => 1); // throws HS_INVALID_WORKFLOW: a workflow needs a name
 */
export function defineWorkflow<I = unknown, O = unknown>(
  name: string,
  fn: WorkflowFunction<I, O>,
  options: WorkflowOptions = {},
): WorkflowDefinition<I, O> {
  if (typeof name !== 'string' || name.trim() === '' || /\s/.test(name)) {
    throw new HomeostatError('HS_INVALID_WORKFLOW', `a workflow needs a name without spaces, got ${JSON.stringify(name)}`);
  }
  if (typeof fn !== 'function') throw new HomeostatError('HS_INVALID_WORKFLOW', `workflow "${name}" needs a function`);
  return Object.freeze({ kind: 'homeostat.workflow', name, fn, options: { ...options } });
}

/** True for values made by {@link defineWorkflow} (checked by shape, not `instanceof`). */
export function isWorkflowDefinition(value: unknown): value is WorkflowDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'homeostat.workflow';
}
