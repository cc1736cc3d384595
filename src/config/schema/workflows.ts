import { z } from 'zod';

/** `workflows: { modules: [./runbooks.js] }`: the user's workflows `up` runs, for `workflow` rungs and the API. */
export const workflowsSchema = z
  .strictObject({
    modules: z
      .array(z.string().min(1).regex(/\.(c|m)?js$/, 'a JavaScript module (.js, .mjs or .cjs; compile TypeScript first)'))
      .default([])
      .describe('ES modules, relative to this file, whose exported workflows (what `defineWorkflow` returns, or arrays of them) `up` registers: the leader\'s worker runs them, so a `workflow` rung or `homeostat start` can name them. Read when `up` starts: a change needs a restart.'),
  })
  .prefault({})
  .describe('Your durable workflows (runbooks) that `up` loads and runs.');
export type WorkflowsConfig = z.output<typeof workflowsSchema>;
