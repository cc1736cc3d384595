import { z } from 'zod';
import { AGENT_NAME } from './agents.js';
import { durationSchema } from './units.js';


/**
 * Agents as elements of the autonomic loop (`agent:<name>`, docs/agents.md#agents-in-the-loop):
 * the leader reads the registry and the quorum votes from the store every `every`; an agent
 * whose heartbeat stopped raises `agent-unresponsive`, one whose agreement rate in quorums
 * fell below `minReliability` over at least `minVotes` votes raises `agent-dissenting`.
 * Policies act on both (`quarantine`, `release`, `escalate`).
 */
export const agentElementSchema = z
  .strictObject({
    unresponsiveWhen: z
      .enum(['late', 'dead'])
      .default('dead')
      .describe('The health that raises `agent-unresponsive`: `late` (more than 2 heartbeat intervals without one) or `dead` (more than 5).'),
    minReliability: z.number().min(0).max(1).default(0.5).describe('An agreement rate in quorums below this (votes it agreed with the accepted answer ÷ its votes, since its last release) raises `agent-dissenting`.'),
    minVotes: z.number().int().min(1).default(5).describe('Fewer quorum votes than this is no reading: `agent-dissenting` neither fires nor clears on so little.'),
    every: durationSchema.default(1_000).describe('How often the registry and the votes are read.'),
    processes: z
      .record(z.string().regex(AGENT_NAME, 'an agent name: letters, digits, ".", "_" and "-", at most 100'), z.string().min(1))
      .default({})
      .describe(
        'How an agent is run, by agent name: the service in `services:` whose process is that agent. The `restart` rung restarts that process (its stop signal, SIGKILL after its `gracePeriod`, then a fresh process) and waits for the agent to heartbeat; the `replace` rung retires the agent and starts a fresh process. An agent not listed can be quarantined or retired, not restarted.',
      ),
  })
  .describe('Every registered agent as an element of the autonomic loop, `agent:<name>` in policies\' `match.service` (docs/agents.md).');
export type AgentElementConfig = z.output<typeof agentElementSchema>;

/** The names in `agentElements.processes` that only the whole file can check: each must be a service in it. */
export function agentElementIssues(config: { agentElements?: AgentElementConfig | undefined; services: Record<string, unknown> }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [agent, service] of Object.entries(config.agentElements?.processes ?? {})) {
    if (!config.services[service]) issues.push({ path: ['agentElements', 'processes', agent], message: `"${service}" is not a service in this file: the agent's process must be one homeostat supervises` });
  }
  return issues;
}
