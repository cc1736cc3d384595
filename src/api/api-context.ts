import type { AgentActions } from '../execute/agent-action-requests.js';
import type { ProviderControl } from '../execute/manual-provider-state.js';
import type { AgentDispatcher } from '../agents/agent-dispatcher.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { TimeSeriesStore } from '../monitor/time-series.js';
import type { ApiRole, ApiTokenRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Engine } from '../workflow/engine.js';
import type { ApiTokens } from './api-tokens.js';
import type { LeadershipView } from './leader-forwarding.js';
import type { LiveEventHub } from './live-events.js';
import type { ReceivedAlerts } from './alerts/alert-receiver.js';
import type { AlertmanagerPayload } from './alerts/alertmanager-payload.js';
import type { GenericAlertPayload } from './alerts/generic-alert-payload.js';

/** What the API's routes work on: the same objects `homeostat up` runs. */
export interface ApiContext {
  store: Store;
  knowledge: Knowledge;
  /** Starts, signals, cancels and redrives runs (a worker-less engine will do). */
  engine: Engine;
  tokens: ApiTokens;
  /** Where pushed metrics go (the metric watch's series). */
  series: TimeSeriesStore;
  /** How often an open event stream re-checks its token (default 1 s): a revoked token's stream ends within it. */
  streamTokenCheckMs?: number;
  /** Series one push token may hold (default 1 000: `api.pushMaxSeries`). */
  pushMaxSeries?: number;
  live: LiveEventHub;
  now: () => number;
  /**
   * Whether this process leads the loop, and who does (several `up` on one store): a
   * follower sends pushed metrics on to the leader. Without it this process is the only one.
   */
  leadership?: LeadershipView;
  /** Apply and roll back config versions (`homeostat up`'s config manager); without it those routes answer 503. */
  configs?: ConfigControl;
  /** Where posted alerts go (`homeostat up`'s alert receiver); without it the alert routes answer 503. */
  alerts?: AlertIntake;
  /** Scale this node's services by hand (`homeostat up`); without it the scale route answers 503. */
  scaling?: ServiceScaling;
  /** Model providers' states and their drain/restore by hand (`homeostat up`, which knows the applied config); without it those routes answer 503. */
  providers?: ProviderControl;
  /** The agent protocol's server side (`homeostat up` sweeps lapsed tasks with it); without it the routes make one over `store` and `engine`. */
  agents?: AgentDispatcher;
  /** Agents' action requests against their allow-lists (`homeostat up`); without it those routes answer 503. */
  agentActions?: AgentActions;
}

/** What the scale route needs: see controller/runtime/manual-scaling.ts. */
export interface ServiceScaling {
  /** Scale `service` to `replicas`, audited as done by `by`; throws HS_UNKNOWN_SERVICE or HS_INVALID_REPLICAS. */
  scale(service: string, replicas: number, by: string): Promise<{ service: string; from: number; to: number }>;
}

/** What the alert routes need: the receiver, its credential and its body limit (`alerts:` in the config). */
export interface AlertIntake {
  /** `postedBy`: who posted it (`api:<token>`, or `alerts:shared-secret`), recorded with each symptom it raises. */
  receive(payload: AlertmanagerPayload, postedBy: string): ReceivedAlerts;
  /** The generic webhook's body (`POST /api/alerts/webhook`). */
  receiveGeneric(payload: GenericAlertPayload, postedBy: string): ReceivedAlerts;
  /** Whether `presented` (the bearer credential sent) is the configured shared secret; false when none is. */
  secretMatches(presented: string): boolean;
  /** Largest body, in bytes (`alerts.bodyLimit`). */
  bodyLimit: number;
}

/** What the config routes need from the config manager. */
export interface ConfigControl {
  /**
   * Store `text` as a version and apply it; throws when it is not a valid config, when a
   * process it would start cannot be spawned (`HS_CONFIG_NOT_SPAWNABLE`, nothing changed),
   * or when one did not start (`HS_CONFIG_APPLY_FAILED`, the previous version back).
   */
  apply(text: string, source: string, options?: { by?: string; displayName?: string }): Promise<{ version: number; previous: number; services: string[]; at?: number; source?: string }>;
  /** Throws `HS_CONFIG_NOT_SPAWNABLE` when applying `text` would start a process that cannot be spawned. */
  checkSpawnable?(text: string, displayName: string): void;
  /** Mark the applied version bad and re-apply the last known good one. */
  rollback(target: { incidentId: string; service: string }): Promise<{ ok: boolean; detail: string }>;
}

/** The caller, once its bearer token checked out. */
export interface ApiPrincipal {
  token: ApiTokenRecord;
  /** How the audit log names them: `api:<token name>`. */
  actor: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; routes without one are public (`/openapi.json`). */
    role?: ApiRole;
    /** The answer carries a secret on purpose (a new token): it is not redacted. Every other `/api/` answer is. */
    revealsSecrets?: boolean;
    /** A credential the route takes besides a token of its role (the alert receiver's shared secret): true lets the request in with no principal. */
    sharedSecret?: (presented: string) => boolean;
  }
}
