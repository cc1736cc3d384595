import type { AgentQuorumStore } from '../ports/agent-quorum-store.js';
import type { AgentRetirementStore } from '../ports/agent-retirement-store.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { ApiTokenStore } from '../ports/api-token-store.js';
import type { ElementStore } from '../ports/element-store.js';
import type { HumanTaskStore } from '../ports/human-task-store.js';
import type { KnowledgeStore } from '../ports/knowledge-store.js';
import type { LeaseStore } from '../ports/lease-store.js';
import type { ModelStore } from '../ports/model-store.js';
import type { NodeStore } from '../ports/node-store.js';
import { AgentQuorumTables } from './agent-quorum-tables.js';
import { AgentRetirementTables } from './agent-retirement-tables.js';
import { AgentTables } from './agent-tables.js';
import { ApiTokenTables } from './api-token-tables.js';
import { ElementTables } from './element-tables.js';
import { HumanTaskTables } from './human-task-tables.js';
import { KnowledgeTables } from './knowledge-tables.js';
import { LeaderLeaseTables } from './leader-lease-tables.js';
import { ModelTables } from './model-tables.js';
import { NodeTables } from './node-tables.js';
import type { SqlExecutor } from './sql-executor.js';

/** Every port whose SQL is written once, over the dialect object: all but the runs. */
export type SharedPorts = LeaseStore & ElementStore & KnowledgeStore & ApiTokenStore & NodeStore & ModelStore & AgentStore & HumanTaskStore & AgentQuorumStore & AgentRetirementStore;

/** Which table class implements each shared port: a new port's tables are added here. */
const PORT_TABLES = {
  leases: LeaderLeaseTables,
  elements: ElementTables,
  knowledge: KnowledgeTables,
  apiTokens: ApiTokenTables,
  nodes: NodeTables,
  models: ModelTables,
  agents: AgentTables,
  humanTasks: HumanTaskTables,
  agentQuorums: AgentQuorumTables,
  agentRetirements: AgentRetirementTables,
} as const;

type PortTables = { [K in keyof typeof PORT_TABLES]: InstanceType<(typeof PORT_TABLES)[K]> };

const TABLES = Symbol('shared tables');

abstract class SharedTables {
  readonly [TABLES]: PortTables;

  constructor(sql: SqlExecutor) {
    this[TABLES] = {
      leases: new LeaderLeaseTables(sql),
      elements: new ElementTables(sql),
      knowledge: new KnowledgeTables(sql),
      apiTokens: new ApiTokenTables(sql),
      nodes: new NodeTables(sql),
      models: new ModelTables(sql),
      agents: new AgentTables(sql),
      humanTasks: new HumanTaskTables(sql),
      agentQuorums: new AgentQuorumTables(sql),
      agentRetirements: new AgentRetirementTables(sql),
    };
  }
}

// Each table method becomes a method of the store that calls it: a driver class
// inherits them instead of forwarding each by hand, and a method added to a table is a
// store method at once. The tables keep their helpers outside the class, so every
// method of theirs is a port method.
const delegated = new Map<string, string>();
for (const [port, table] of Object.entries(PORT_TABLES) as [keyof PortTables, (typeof PORT_TABLES)[keyof PortTables]][]) {
  for (const name of Object.getOwnPropertyNames(table.prototype)) {
    if (name === 'constructor') continue;
    if (delegated.has(name)) throw new Error(`store method ${name} is defined by both the ${delegated.get(name)} and the ${port} tables`);
    delegated.set(name, port);
    Object.defineProperty(SharedTables.prototype, name, {
      value: function (this: SharedTables, ...args: unknown[]): unknown {
        const tables = this[TABLES][port] as unknown as Record<string, (...args: unknown[]) => unknown>;
        return tables[name]!(...args);
      },
      writable: true,
      configurable: true,
    });
  }
}

/** The names of the store methods {@link SharedTablesStore} provides, for tests. */
export const SHARED_PORT_METHODS: readonly string[] = [...delegated.keys()];

/**
 * The base class of both drivers: it provides every {@link SharedPorts} method, run on
 * the driver's {@link SqlExecutor}. The driver itself writes only what truly differs
 * (the runs, and its own lifecycle).
 */
export const SharedTablesStore = SharedTables as unknown as abstract new (sql: SqlExecutor) => SharedPorts;
