import { z } from 'zod';
import { durationSchema } from './units.js';

/**
 * This `up`'s identity among several on one store (`node:` in homeostat.yaml): the node
 * that supervises its own processes, and how the leader treats the others' (see
 * docs/architecture.md, "Several nodes on one store").
 */
export const nodeSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit')
      .optional()
      .describe(
        'This node\'s name, unique among the `up`s sharing the store; symptoms, incidents and actions carry it with the instance (`web#0 on node-b`). Default: the host name and 6 hex digits of the state dir\'s absolute path (stable across restarts, different for two `up`s on one host).',
      ),
    goneAfter: durationSchema
      .default(10_000)
      .describe('A node whose heartbeat (every second) is older than this is gone: actions on its processes are refused, never run on another node\'s process of the same name.'),
    actionTimeout: durationSchema
      .default(30_000)
      .describe('How long the leader waits for another node\'s agent to answer an action on that node\'s process (claimed, executed); then its outcome is unknown and verification decides.'),
  })
  .prefault({})
  .describe('This node among several `homeostat up` sharing one (PostgreSQL) store: its name, and when another node counts as gone.');

export type NodeConfig = z.output<typeof nodeSchema>;
