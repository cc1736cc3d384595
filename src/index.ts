/**
 * homeostat's public API. Everything a user imports comes from here (or from
 * `homeostat/testing` for test helpers); anything not exported is internal.
 */
export * from './resilience/index.js';
export { HomeostatError, isHomeostatError, type CodedError } from './errors/homeostat-error.js';
export { ERROR_CODES, isErrorCode, type ErrorCode, type ErrorCodeEntry } from './errors/error-codes.js';

export { defineWorkflow, isWorkflowDefinition, type WorkflowDefinition, type WorkflowFunction, type WorkflowOptions } from './workflow/define-workflow.js';
export type {
  WorkflowContext,
  StepContext,
  StepOptions,
  StepRetryOptions,
  ErrorMatcher,
  WaitForSignalOptions,
  StartChildOptions,
  ChildHandle,
} from './workflow/workflow-context.js';
export { Engine, RunFailedError, type EngineOptions, type StartOptions, type RunHandle, type RunDetails } from './workflow/engine.js';
export type { WorkerOptions } from './workflow/worker.js';
export type { EngineEvent, EngineEventListener } from './workflow/engine-events.js';
export {
  DeterminismError,
  CancelledError,
  WorkflowTimeoutError,
  PayloadTooLargeError,
  UnserializableError,
  StepFailedError,
  ChildFailedError,
  UnknownWorkflowError,
  InvalidInputError,
  CompensationFailedError,
} from './workflow/errors.js';

export type { Store } from './store/store.js';
export type { RunRecord, RunStatus, StepRecord, AttemptRecord, SerializedError, StepKind } from './store/records.js';
export { FencedError, StoreOpenError, RunNotFoundError, InvalidRunStateError, StoreUnavailableError, NotLeaderError } from './store/store-errors.js';
export { openStore, DEFAULT_STORE_URL } from './store/open-store.js';
export { SqliteStore, type SqliteStoreOptions, type SqliteDurability } from './store/sqlite/sqlite-store.js';
export type { ElementEventRecord, ElementEventFilter, ElementStateRecord, NewElementEventRecord } from './store/records.js';

export * from './supervisor/index.js';
export { loadConfig, parseConfig, ConfigError, type LoadedConfig, type ConfigIssue, type HomeostatConfig, type ServiceConfig } from './config/index.js';
export { createModels, type Models, type ModelsOptions, type ModelCallOptions, type ChainLink } from './model/models.js';
export type { ModelResult } from './model/model-call.js';
export { ModelCallError, type ModelFailureKind, type ModelOutcome } from './model/model-errors.js';
export type { ModelMessage, ModelReply, FinishReason } from './model/model-reply.js';
export type { ModelAttemptEvent, ProviderHealth } from './model/provider-runtime.js';
export { createAgentTasks, type AgentTasks, type AgentTaskOptions, type AgentTasksOptions } from './agents/agent-tasks.js';
export { createAgentQuorum, type AgentQuorum, type AgentQuorumOptions, type SampleQuorumOptions, type QuorumResult } from './agents/agent-quorum.js';
export { resolveComparator, canonicalJson, type QuorumComparator, type AnswerEquality } from './agents/quorum-comparators.js';
export { AgentClient, AgentApiError, type AgentClientOptions, type AgentClientEvent, type AgentTaskHandler, type AgentTaskContext } from './agents/agent-client.js';
export { AgentDispatcher, type AgentRegistration, type DispatchedTask } from './agents/agent-dispatcher.js';
export { agentHealth, type AgentHealth, type AgentView } from './agents/agent-health.js';
export type { AgentRecord, AgentTaskRecord, AgentTaskStatus, AgentTaskEventRecord } from './store/agent-records.js';
export { createTaskGraphs, type TaskGraphs, type TaskGraphsOptions, type TaskGraphResult, type GraphTaskState, type EscalationAudit } from './agents/task-graph-runner.js';
export { validateTaskGraph, type TaskGraph, type GraphTask, type GraphTaskInput } from './agents/task-graph-spec.js';
export { completeHumanTask } from './agents/human-tasks.js';
export { taskGraphView, type GraphView, type GraphTaskView } from './agents/task-graph-view.js';
export type { HumanTaskRecord, HumanTaskStatus } from './store/human-task-records.js';
export { sendModelRequest, type ModelEndpoint, type AttemptTimeouts } from './model/model-http.js';
