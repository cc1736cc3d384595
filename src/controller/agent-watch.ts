import { AGENT_DISSENTING, AGENT_UNRESPONSIVE, agentElement, agentOf } from '../analyze/agent-element.js';
import type { Symptom } from '../analyze/symptom.js';
import type { AgentView } from '../agents/agent-health.js';
import { orphanedTasks } from '../agents/agent-retirement.js';
import { readAgentStanding, type AgentViewStore } from '../agents/agent-standing.js';
import type { AgentElementConfig } from '../config/schema/agent-element.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { AgentRetirementRecord } from '../store/agent-retirement-records.js';
import type { AgentTaskRecord } from '../store/agent-records.js';
import type { AgentStore } from '../store/ports/agent-store.js';

export interface AgentWatchOptions {
  /** The applied config's `agentElements` (read at every poll: a new version is followed); undefined: no agent is watched. */
  element: () => AgentElementConfig | undefined;
  store: AgentViewStore & Pick<AgentStore, 'getAgentTask'>;
  /** Where a symptom goes (the loop's, through the intake: only the leader's loop takes it). */
  observe: (symptom: Symptom) => void;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

/** What one agent was at the last poll: a symptom is raised when it becomes true, not at every poll while it stays. */
interface Watched {
  unresponsive: boolean;
  dissenting: boolean;
}

/**
 * Agents as elements of the loop (`agent:<name>`): every `agentElements.every` the registry
 * and the quorum votes are read from the store — whichever node's API the agents talk to —
 * and two symptoms are raised, each when it starts to hold:
 * - `agent-unresponsive`: the agent's health reached `unresponsiveWhen` (late or dead: its
 *   heartbeats stopped). Only a change this watch sees: an agent already dead when the watch
 *   first read the registry is history, not a new symptom.
 * - `agent-dissenting`: its agreement rate in quorums since its last release is below
 *   `minReliability` over at least `minVotes` votes. Also at the first reading: the votes are
 *   in the store, and an agent that keeps dissenting across a restart of `up` still does.
 * A quarantined agent raises neither: it takes no work, whatever it does.
 *
 * A retired one neither (the `replace` rung): it takes no work again.
 *
 * Verification reads {@link cleared}: `agent-unresponsive` clears when the agent heartbeats
 * again or is quarantined (nothing is dispatched to it any more); `agent-dissenting` when it
 * is quarantined, or its rate is back at or above `minReliability`. For an agent the
 * `replace` rung retired, neither clears until the tasks it held are finished or held by live
 * agents; then, while the retirement fences it, that is enough, and once a fresh instance
 * registered, that instance must be clear as above (alive; not dissenting).
 *
 * @example const watch = new AgentWatch({ element: () => live.config.agentElements, store, observe }); watch.start();
 */
export class AgentWatch {
  private readonly clock: Clock;
  private readonly watched = new Map<string, Watched>();
  private views = new Map<string, AgentView>();
  /** Each retired agent, and what is not yet in good hands of the tasks it requeued ('' when all are). */
  private orphanedOf = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;

  constructor(private readonly options: AgentWatchOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Poll at the applied `every` (read again after each poll, so a new config version's interval is followed). */
  start(): void {
    const next = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.poll().catch((error: unknown) => this.options.onError?.(error)).finally(next), this.options.element()?.every ?? 1_000);
      this.timer.unref();
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async poll(): Promise<void> {
    const element = this.options.element();
    // No `agentElements`: nothing to read (an `up` without agents never touches the tables).
    if (!element || this.busy) return;
    this.busy = true;
    try {
      const now = this.clock.now();
      const { views, retirements } = await readAgentStanding(this.options.store, now);
      this.views = new Map(views.map((view) => [view.name, view]));
      this.orphanedOf = await this.orphanedTasksOf(retirements, this.views);
      for (const view of views) {
        const before = this.watched.get(view.name);
        const current = { unresponsive: isUnresponsive(view, element), dissenting: isDissenting(view, element) };
        this.watched.set(view.name, current);
        if (current.unresponsive && before && !before.unresponsive) this.raise(AGENT_UNRESPONSIVE, view, now, `${view.name} is ${view.health}: no heartbeat for ${Math.round(view.heartbeatAgeMs / 100) / 10} s (it promised one every ${view.heartbeatMs} ms), ${view.load} task(s) in flight`);
        if (current.dissenting && !before?.dissenting) {
          const { agreed, votes } = view.reliability;
          this.raise(AGENT_DISSENTING, view, now, `${view.name} agreed with the accepted answer in ${agreed} of its ${votes} quorum votes (${Math.round((agreed / votes) * 100)}%), below minReliability ${element.minReliability}`);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  /** Whether an agent symptom has cleared, as of the last poll (see the class comment). False for an unknown agent. */
  cleared(element: string, symptom: string): boolean {
    const name = agentOf(element);
    const config = this.options.element();
    const view = name === undefined ? undefined : this.views.get(name);
    if (!view || !config) return false;
    const orphaned = this.orphanedOf.get(view.name);
    if (orphaned !== undefined) {
      if (orphaned !== '') return false;
      if (view.retired) return true;
    }
    if (view.quarantine) return true;
    if (symptom === AGENT_UNRESPONSIVE) return view.health === 'alive';
    if (symptom === AGENT_DISSENTING) return !isDissenting(view, config);
    return false;
  }

  /** For each retirement, what of the tasks it requeued is not in good hands: only those tasks are read, a few rows. */
  private async orphanedTasksOf(retirements: readonly AgentRetirementRecord[], views: ReadonlyMap<string, AgentView>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const retirement of retirements) {
      const tasks = new Map<string, AgentTaskRecord>();
      for (const id of retirement.tasks) {
        const task = await this.options.store.getAgentTask(id);
        if (task) tasks.set(id, task);
      }
      found.set(retirement.agent, orphanedTasks(retirement.tasks, tasks, views));
    }
    return found;
  }

  private raise(name: string, view: AgentView, at: number, message: string): void {
    this.options.observe({
      name,
      element: agentElement(view.name),
      at,
      labels: { agent: view.name, kind: 'agent', owner: view.owner },
      signal: { kind: 'agent', agent: view.name, health: view.health, load: view.load, reliability: view.reliability, message },
    });
  }
}

function isUnresponsive(view: AgentView, element: AgentElementConfig): boolean {
  if (view.quarantine || view.retired) return false;
  return element.unresponsiveWhen === 'late' ? view.health !== 'alive' : view.health === 'dead';
}

function isDissenting(view: AgentView, element: AgentElementConfig): boolean {
  const { votes, rate } = view.reliability;
  return view.quarantine === null && view.retired === null && rate !== null && votes >= element.minVotes && rate < element.minReliability;
}
