/** An agent's budget of action requests: at most `max` new requests in any window of `perMs`. */
export interface AgentActionRate {
  max: number;
  perMs: number;
}

/**
 * Counts each agent's new action requests over a sliding window (`agents.<name>.rateLimit`),
 * so an agent steered into asking again and again — with a new key each time, which the
 * idempotency of keys does not stop — is refused past its budget. Synchronous: two requests
 * at once are counted one after the other. Kept in the process that serves the API: an agent
 * that spreads its requests over the APIs of several `up` on one store has a budget on each.
 *
 * @example const rates = new AgentActionRates(Date.now); rates.take('ops-bot', { max: 2, perMs: 60_000 }) // { allowed: true }
 */
export class AgentActionRates {
  private readonly taken = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Count one request of `agent` if its budget allows; else when the next one will be allowed. */
  take(agent: string, rate: AgentActionRate): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.now();
    const recent = (this.taken.get(agent) ?? []).filter((at) => at > now - rate.perMs);
    if (recent.length >= rate.max) {
      this.taken.set(agent, recent);
      return { allowed: false, retryAfterMs: recent[recent.length - rate.max]! + rate.perMs - now };
    }
    recent.push(now);
    this.taken.set(agent, recent);
    return { allowed: true };
  }
}
