import type { ProviderStateView } from '../../execute/manual-provider-state.js';
import type { AgentView } from '../../agents/agent-health.js';
import type { OperatorAgentOutcome } from '../../agents/operator-agent-control.js';
import type { ApiTokenView } from '../../api/api-tokens.js';
import type { AgentTaskView } from '../../api/shapes/agent.js';
import type { AgentTaskStatus } from '../../store/agent-records.js';
import type { GraphView } from '../../agents/task-graph-view.js';
import type { HumanTaskView } from '../../api/shapes/human-task.js';
import type { HumanTaskStatus } from '../../store/human-task-records.js';
import type { AuditHead } from '../../knowledge/audit-head.js';
import type { AuditVerification } from '../../knowledge/audit-log.js';
import type { Acknowledged, ClosedIncident } from '../../execute/operate-incident.js';
import type { IncidentExplanation } from '../../knowledge/incidents.js';
import type { ApiRole, ApprovalRecord, ElementStateRecord, IncidentRecord, IncidentStatus, PauseRecord, RunRecord, RunStatus } from '../../store/records.js';
import type { RunDetails } from '../../workflow/engine.js';

/** An incident with its explanation chain and its approvals: `incident show`. */
export type IncidentDetails = IncidentExplanation & { approvals: ApprovalRecord[] };

/** What `config plan` compares a new file with: the applied version, and the field changes (null: it no longer parses). */
export interface ConfigPlan {
  against: { version: number; status: string; appliedAt: number } | null;
  changes: string[] | null;
}

/**
 * Everything the CLI's loop and run commands read or change, written once against this:
 * {@link StoreBackend} opens the store itself (nothing runs, or `--local`),
 * {@link ApiBackend} asks the API of the running `homeostat up` (so mutations are
 * audited as its token and go through the one running controller). Records come back
 * in the store's shapes either way, so each command formats them with the same code.
 */
export interface CliBackend {
  listElementStates(): Promise<ElementStateRecord[]>;
  listIncidents(filter: { limit: number; status?: IncidentStatus[]; all?: boolean }): Promise<IncidentRecord[]>;
  incident(id: string): Promise<IncidentDetails | undefined>;
  /** Approve or deny by approval or incident id; `by` is who the store records (store only). */
  decideApproval(id: string, decision: 'approved' | 'denied', reason: string | null, by: string): Promise<ApprovalRecord>;
  /** Acknowledge an unresolved incident.  `by`: who the store records (store only). */
  acknowledgeIncident(id: string, by: string): Promise<Acknowledged>;
  /** Append an operator's note to the explanation chain. */
  annotateIncident(id: string, text: string, by: string): Promise<IncidentRecord>;
  /** Close (resolve) by hand: remediation in flight cancelled, pending approvals denied. */
  closeIncident(id: string, reason: string, by: string): Promise<ClosedIncident>;
  pause(scope: string, reason: string, by: string): Promise<void>;
  /** Scale a service of the running `up` (its API only: the store cannot start a process). */
  scaleService(service: string, replicas: number): Promise<{ service: string; from: number; to: number }>;
  /** Resume; answers the pauses still in place. */
  resume(scope: string, by: string): Promise<PauseRecord[]>;
  /** Check the chain, against the head file of the state dir and `expect` (a head recorded earlier). */
  verifyAudit(expect?: AuditHead): Promise<AuditVerification>;
  listRuns(filter: { limit: number; status?: RunStatus[]; workflow?: string }): Promise<RunRecord[]>;
  describeRun(id: string): Promise<RunDetails>;
  /** `inputJson` as typed on the command line (HS_INVALID_INPUT when it is not JSON). */
  startRun(workflow: string, inputJson: string | undefined, options: { id?: string; timeout?: string }): Promise<{ id: string; created: boolean }>;
  /** Wait for the run to finish: its output, or the error it ended with (HS_RUN_FAILED, HS_CANCELLED). */
  runResult(id: string): Promise<unknown>;
  signalRun(id: string, name: string, payload: unknown): Promise<void>;
  cancelRun(id: string): Promise<RunRecord>;
  redriveRun(id: string, fromStep: number | string | undefined): Promise<RunRecord>;
  planConfig(yaml: string, file: string): Promise<ConfigPlan>;
  listTokens(): Promise<ApiTokenView[]>;
  createToken(name: string, role: ApiRole, by: string): Promise<{ token: string; record: ApiTokenView }>;
  /** False when there is no live token with that id. */
  revokeToken(id: string, by: string): Promise<boolean>;
  /** Registered agents with their health and load. */
  listAgents(): Promise<AgentView[]>;
  /**
   * An operator's quarantine or release of an agent (audited as the token through the API,
   * as `by` on the store); HS_AGENT_NOT_FOUND for a name never registered.
   */
  setAgentQuarantine(name: string, action: 'quarantine' | 'release', reason: string | undefined, by: string): Promise<OperatorAgentOutcome>;
  /** Agent tasks, oldest first (`status: 'dead'`: the dead-letter queue). */
  listAgentTasks(filter: { limit: number; status?: AgentTaskStatus; runId?: string }): Promise<AgentTaskView[]>;
  /** Approvals, oldest first: pending ones, or every one with `all`. */
  listApprovals(all: boolean): Promise<ApprovalRecord[]>;
  /** Human tasks of task graphs, oldest first. */
  listHumanTasks(filter: { limit: number; status: HumanTaskStatus; assignee?: string; runId?: string }): Promise<HumanTaskView[]>;
  /** Answer a human task (audited as `by`, store only); its run resumes. */
  completeHumanTask(id: string, result: unknown, by: string): Promise<HumanTaskView>;
  /** The run's task graphs with each task's state; HS_RUN_NOT_FOUND for no such run. */
  runGraph(id: string): Promise<GraphView[]>;
  /** Model providers and their states (the running `up`'s API only: it knows the applied config). */
  listProviders(): Promise<ProviderStateView[]>;
  /** Drain or restore a model provider by hand (the running `up`'s API only; audited as its token). */
  setProvider(provider: string, action: 'drain' | 'restore', reason: string | undefined): Promise<ProviderStateView>;
  close(): Promise<void>;
}
