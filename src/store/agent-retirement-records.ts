// ---- Retirement of an agent by the loop's `replace` rung (docs/agents.md#restart-and-replace) ----

/**
 * An agent taken out of the fleet for good: its tasks went back to the queue, and it claims
 * nothing again. Where homeostat runs the agent's process (`agentElements.processes`), the
 * fence is its registration: the fresh process registers again and claims (`freshAllowed`).
 * Where it does not, the name itself is fenced until an operator releases it.
 */
export interface AgentRetirementRecord {
  agent: string;
  /** The `registered_at` of the registration retired: a later one is the fresh instance. */
  registeredAt: number;
  /** True: a registration after `registeredAt` claims again. False: the name is fenced. */
  freshAllowed: boolean;
  /** The tasks it held, requeued at its retirement: verification waits until live agents own them. */
  tasks: string[];
  reason: string;
  retiredBy: string;
  retiredAt: number;
}

/** Who the loop's own rungs act as in the quarantine and retirement tables: anyone else is a person. */
export const LOOP_ACTOR = 'controller';
