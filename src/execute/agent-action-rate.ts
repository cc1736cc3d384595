import { actionBudget, type ActionBudget } from '../resilience/action-budget.js';
import { systemClock, type Clock } from '../resilience/clock.js';

/** An agent's budget of action requests: at most `max` new requests in any window of `perMs`. */
export interface AgentActionRate {
  max: number;
  perMs: number;
}

/**
 * Each agent's sliding-window budget of new action requests (`agents.<name>.rateLimit`), so
 * an agent steered into asking again and again — with a new key each time, which the
 * idempotency of keys does not stop — is refused past its budget. The window is the
 * resilience toolbox's {@link actionBudget}, one per agent; an applied config that changes
 * the limit keeps the requests already counted. Kept in the process that serves the API: an
 * agent that spreads its requests over the APIs of several `up` on one store has a budget on each.
 *
 * @example const rates = new AgentActionRates(Date.now); rates.take('ops-bot', { max: 2, perMs: 60_000 }) // { allowed: true }
 */
export class AgentActionRates {
  private readonly budgets = new Map<string, { rate: AgentActionRate; budget: ActionBudget }>();
  private readonly clock: Clock;

  constructor(now: () => number) {
    this.clock = { ...systemClock, now };
  }

  /** Count one request of `agent` if its budget allows; else when the next one will be allowed. */
  take(agent: string, rate: AgentActionRate): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const budget = this.budgetOf(agent, rate);
    return budget.tryAcquire() ? { allowed: true } : { allowed: false, retryAfterMs: budget.retryAfterMs() };
  }

  private budgetOf(agent: string, rate: AgentActionRate): ActionBudget {
    const held = this.budgets.get(agent);
    if (held && held.rate.max === rate.max && held.rate.perMs === rate.perMs) return held.budget;
    const budget = actionBudget({ max: rate.max, windowMs: rate.perMs, clock: this.clock, ...(held ? { initialState: held.budget.toJSON() } : {}) });
    this.budgets.set(agent, { rate, budget });
    return budget;
  }
}
