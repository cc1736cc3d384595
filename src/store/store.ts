import type { StoreHealth } from './store-health.js';
import type { AgentQuorumStore } from './ports/agent-quorum-store.js';
import type { AgentRetirementStore } from './ports/agent-retirement-store.js';
import type { AgentStore } from './ports/agent-store.js';
import type { ApiTokenStore } from './ports/api-token-store.js';
import type { ElementStore } from './ports/element-store.js';
import type { HumanTaskStore } from './ports/human-task-store.js';
import type { KnowledgeStore } from './ports/knowledge-store.js';
import type { LeaseStore } from './ports/lease-store.js';
import type { ModelStore } from './ports/model-store.js';
import type { NodeStore } from './ports/node-store.js';
import type { RunStore } from './ports/run-store.js';

export type { AgentQuorumStore, AgentRetirementStore, AgentStore, ApiTokenStore, ElementStore, HumanTaskStore, KnowledgeStore, LeaseStore, ModelStore, NodeStore, RunStore };

/**
 * The Store contract: everything homeostat persists goes through it, so SQLite (the
 * embedded default) and PostgreSQL implement the same semantics and pass one
 * conformance suite. It is the sum of one port per aggregate (src/store/ports/); a
 * consumer that needs one aggregate takes that port.
 *
 * Rules every implementation keeps:
 * - Every write on behalf of a run owner takes a `Fence` and is applied only while
 *   the run's epoch still equals the fence's; otherwise it throws `HS_FENCED` and
 *   changes nothing. Check and write are one atomic operation.
 * - `claimRuns` bumps the epoch of every run it returns.
 * - Methods are safe to call from many processes at once.
 */
export interface Store extends RunStore, LeaseStore, ElementStore, KnowledgeStore, ApiTokenStore, NodeStore, ModelStore, AgentStore, HumanTaskStore, AgentQuorumStore, AgentRetirementStore {
  close(): Promise<void>;
  /** Faults the store's calls have met (full disk, lost file, corruption); absent where not tracked. */
  readonly health?: StoreHealth;
}
