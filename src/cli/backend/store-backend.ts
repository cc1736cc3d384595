import type { AgentView } from '../../agents/agent-health.js';
import { listAgentViews } from '../../agents/agent-standing.js';
import type { ProviderStateView } from '../../execute/manual-provider-state.js';
import { agentTaskShape, type AgentTaskView } from '../../api/shapes/agent.js';
import type { AgentTaskStatus } from '../../store/agent-records.js';
import { completeHumanTask } from '../../agents/human-tasks.js';
import { taskGraphView, type GraphView } from '../../agents/task-graph-view.js';
import { humanTaskShape, type HumanTaskView } from '../../api/shapes/human-task.js';
import { HomeostatError } from '../../errors/homeostat-error.js';
import type { HumanTaskStatus } from '../../store/human-task-records.js';
import { UsageError } from '../cli-error.js';
import { join } from 'node:path';
import { ApiTokens, tokenView, type ApiTokenView } from '../../api/api-tokens.js';
import { refuseInternalWorkflow } from '../../workflow/internal-workflows.js';
import { parseConfig } from '../../config/load-config.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import { decideApproval } from '../../execute/decide-approval.js';
import { quarantineByOperator, releaseByOperator, type OperatorAgentOutcome } from '../../agents/operator-agent-control.js';
import { acknowledgeIncident, annotateIncident, closeIncident, type Acknowledged, type ClosedIncident, type OperateIncidentDeps } from '../../execute/operate-incident.js';
import type { AuditVerification } from '../../knowledge/audit-log.js';
import { AUDIT_HEAD_FILE, auditKeyFromEnv, type AuditAnchorOptions, type AuditHead } from '../../knowledge/audit-head.js';
import { Knowledge } from '../../knowledge/knowledge.js';
import { redact, redactJsonText } from '../../knowledge/redact.js';
import { openStore } from '../../store/open-store.js';
import { checkWebhookSecrets } from '../../config/webhook-secrets.js';
import type { ApiRole, ApprovalRecord, ElementStateRecord, IncidentRecord, IncidentStatus, PauseRecord, RunRecord, RunStatus } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { notSpawnableError, spawnabilityProblems } from '../../supervisor/config-spawnability.js';
import { Engine, type RunDetails } from '../../workflow/engine.js';
import { diffConfigs } from '../../knowledge/config-diff.js';
import type { CliBackend, ConfigPlan, IncidentDetails } from './cli-backend.js';

/**
 * The CLI working on the store itself, as it did before the API: when no `homeostat up`
 * serves this store, with `--local`, or for reads after the API stopped answering. The
 * store (and a worker-less engine over it) opens on first use.
 */
export class StoreBackend implements CliBackend {
  private opened: Promise<Store> | undefined;
  private engineOpened: Promise<Engine> | undefined;

  /** `stateDir`: where `homeostat up` keeps the audit head file (checked by `verifyAudit`). */
  constructor(
    private readonly storeUrl: string,
    private readonly stateDir?: string,
  ) {}

  private store(): Promise<Store> {
    this.opened ??= openStore(this.storeUrl);
    return this.opened;
  }

  /** A worker-less engine over the same store: starts, signals, cancels and reads runs. */
  private engine(): Promise<Engine> {
    this.engineOpened ??= this.store().then((store) => Engine.open({ store, worker: false }));
    return this.engineOpened;
  }

  async listElementStates(): Promise<ElementStateRecord[]> {
    return redact(await (await this.store()).listElementStates());
  }

  async listIncidents(filter: { limit: number; status?: IncidentStatus[]; all?: boolean }): Promise<IncidentRecord[]> {
    return redact(await (await this.store()).listIncidents({ limit: filter.limit, ...(filter.status ? { status: filter.status } : filter.all ? {} : { unresolved: true }) }));
  }

  async incident(id: string): Promise<IncidentDetails | undefined> {
    const store = await this.store();
    const explained = await new Knowledge(store).incidents.explain(id);
    if (!explained) return undefined;
    // Shown as the API shows it to a viewer: entries written before a secret pattern was known are redacted now.
    return redact({ ...explained, approvals: (await store.listApprovals()).filter((a) => a.incidentId === id) });
  }

  async decideApproval(id: string, decision: 'approved' | 'denied', reason: string | null, by: string): Promise<ApprovalRecord> {
    return decideApproval({ store: await this.store(), engine: await this.engine() }, id, decision, by, reason);
  }

  private async operateDeps(): Promise<OperateIncidentDeps> {
    const store = await this.store();
    return { store, knowledge: new Knowledge(store), engine: await this.engine() };
  }

  async acknowledgeIncident(id: string, by: string): Promise<Acknowledged> {
    return redact(await acknowledgeIncident(await this.operateDeps(), id, by));
  }

  async annotateIncident(id: string, text: string, by: string): Promise<IncidentRecord> {
    return redact(await annotateIncident(await this.operateDeps(), id, text, by));
  }

  async closeIncident(id: string, reason: string, by: string): Promise<ClosedIncident> {
    return redact(await closeIncident(await this.operateDeps(), id, reason, by));
  }

  async pause(scope: string, reason: string, by: string): Promise<void> {
    await new Knowledge(await this.store()).pause(scope, by, reason);
  }

  async resume(scope: string, by: string): Promise<PauseRecord[]> {
    const store = await this.store();
    await new Knowledge(store).resume(scope, by);
    return store.listPauses();
  }

  async listAgents(): Promise<AgentView[]> {
    const store = await this.store();
    return listAgentViews(store, Date.now());
  }

  async setAgentQuarantine(name: string, action: 'quarantine' | 'release', reason: string | undefined, by: string): Promise<OperatorAgentOutcome> {
    const store = await this.store();
    const knowledge = new Knowledge(store);
    const deps = { store, audit: (actor: string, what: string, target: string, data: Record<string, unknown>) => knowledge.audit.append(actor, what, target, data), now: Date.now };
    const text = reason ?? `${action === 'quarantine' ? 'quarantined' : 'released'} from the command line`;
    return action === 'quarantine' ? quarantineByOperator(deps, name, by, text) : releaseByOperator(deps, name, by, text);
  }

  async listAgentTasks(filter: { limit: number; status?: AgentTaskStatus; runId?: string }): Promise<AgentTaskView[]> {
    // Inputs and results are what workflows and agents put there: shown redacted, as the API shows them.
    return redact((await (await this.store()).listAgentTasks(filter)).map(agentTaskShape));
  }

  async listApprovals(all: boolean): Promise<ApprovalRecord[]> {
    return redact(await (await this.store()).listApprovals(all ? undefined : ['pending']));
  }

  async listHumanTasks(filter: { limit: number; status: HumanTaskStatus; assignee?: string; runId?: string }): Promise<HumanTaskView[]> {
    return (await (await this.store()).listHumanTasks(filter)).map(humanTaskShape);
  }

  async completeHumanTask(id: string, result: unknown, by: string): Promise<HumanTaskView> {
    const store = await this.store();
    const engine = await this.engine();
    return humanTaskShape(await completeHumanTask({ store, signal: (runId, name, payload) => engine.signal(runId, name, payload), audit: new Knowledge(store).audit }, id, by, result));
  }

  async runGraph(id: string): Promise<GraphView[]> {
    const graphs = await taskGraphView(await this.store(), id);
    if (!graphs) throw new HomeostatError('HS_RUN_NOT_FOUND', `no run ${JSON.stringify(id)}`);
    return redact(graphs);
  }

  async verifyAudit(expect?: AuditHead): Promise<AuditVerification> {
    // Read only: the CLI checks the head file, it never writes it (its key may not be up's).
    const key = this.stateDir ? auditKeyFromEnv() : undefined;
    const anchor: AuditAnchorOptions = this.stateDir ? { headFile: join(this.stateDir, AUDIT_HEAD_FILE), ...(key ? { key } : {}) } : {};
    return new Knowledge(await this.store(), Date.now, anchor).audit.verify(expect ? { expect } : {});
  }

  async listRuns(filter: { limit: number; status?: RunStatus[]; workflow?: string }): Promise<RunRecord[]> {
    return (await (await this.engine()).listRuns(filter)).map(redactRun);
  }

  async describeRun(id: string): Promise<RunDetails> {
    const { run, steps, attempts, modelAttempts } = await (await this.engine()).describe(id);
    return { run: redactRun(run), steps: steps.map(redactRun), attempts: redact(attempts), modelAttempts: redact(modelAttempts) };
  }

  async startRun(workflow: string, inputJson: string | undefined, options: { id?: string; timeout?: string }): Promise<{ id: string; created: boolean }> {
    refuseInternalWorkflow(workflow, 'start');
    const run = await (await this.engine()).startFromJson(workflow, inputJson, options);
    return { id: run.id, created: run.created };
  }

  async runResult(id: string): Promise<unknown> {
    return redact(await (await this.engine()).result(id));
  }

  async signalRun(id: string, name: string, payload: unknown): Promise<void> {
    await this.refuseInternalRun(id, 'signal');
    await (await this.engine()).signal(id, name, payload);
  }

  async cancelRun(id: string): Promise<RunRecord> {
    await this.refuseInternalRun(id, 'cancel');
    return (await this.engine()).cancel(id);
  }

  async redriveRun(id: string, fromStep: number | string | undefined): Promise<RunRecord> {
    await this.refuseInternalRun(id, 'redrive');
    return (await this.engine()).redrive(id, fromStep === undefined ? {} : { fromStep });
  }

  /** The CLI steers runs as the API does: the controller's own are refused (see internal-workflows). */
  private async refuseInternalRun(id: string, operation: 'signal' | 'cancel' | 'redrive'): Promise<void> {
    const run = await (await this.engine()).getRun(id);
    if (run) refuseInternalWorkflow(run.workflow, operation, id);
  }

  async scaleService(service: string): Promise<{ service: string; from: number; to: number }> {
    throw new UsageError(`scaling ${service} needs a running homeostat up (its API): the store alone cannot start or stop a process`);
  }

  async listProviders(): Promise<ProviderStateView[]> {
    throw new UsageError('listing model providers needs a running homeostat up (its API): only it knows the applied config\'s providers');
  }

  async setProvider(provider: string, action: 'drain' | 'restore'): Promise<ProviderStateView> {
    throw new UsageError(`the ${action} of ${provider} needs a running homeostat up (its API): it checks the name against the applied config and audits the change as its token`);
  }

  async planConfig(yaml: string, file: string): Promise<ConfigPlan> {
    const loaded = parseConfig(yaml, { file });
    const after = loaded.config;
    const current = await new Knowledge(await this.store()).configVersions.current();
    let before: HomeostatConfig | undefined;
    try {
      if (current) before = parseConfig(current.text, { file, displayName: `applied config v${current.version}` }).config;
    } catch {
      // no field diff (below); every service is checked
    }
    // The processes applying it would (re)start, checked here as `up` would spawn them
    // (from this machine's view: the CLI's environment stands in for `up`'s).
    const starts = Object.keys(after.services).filter((name) => JSON.stringify(before?.services[name]) !== JSON.stringify(after.services[name]));
    const problems = spawnabilityProblems({ config: after, baseDir: loaded.baseDir, services: starts });
    if (problems.length > 0) throw notSpawnableError(problems, yaml, file);
    checkWebhookSecrets(after, yaml, file, process.env);
    if (!current) return { against: null, changes: [] };
    const against = { version: current.version, status: current.status, appliedAt: current.appliedAt };
    if (!before) return { against, changes: null };
    return { against, changes: diffConfigs(before, after) };
  }

  async listTokens(): Promise<ApiTokenView[]> {
    return (await new ApiTokens(await this.store()).list()).map(tokenView);
  }

  async createToken(name: string, role: ApiRole, by: string): Promise<{ token: string; record: ApiTokenView }> {
    const store = await this.store();
    const { token, record } = await new ApiTokens(store).create(name, role, by);
    await new Knowledge(store).audit.append(by, 'token.created', `token:${record.id}`, { name, role });
    return { token, record: tokenView(record) };
  }

  async revokeToken(id: string, by: string): Promise<boolean> {
    const store = await this.store();
    if (!(await new ApiTokens(store).revoke(id))) return false;
    await new Knowledge(store).audit.append(by, 'token.revoked', `token:${id}`, {});
    return true;
  }

  async close(): Promise<void> {
    const engine = await this.engineOpened?.catch(() => undefined);
    await engine?.close();
    const store = await this.opened?.catch(() => undefined);
    await store?.close();
  }
}

/**
 * A run or step as the CLI shows it: the store keeps the real input and output (the
 * workflow needs them), views get them redacted — inside the JSON, so secret key names count.
 */
function redactRun<T extends { input?: string | null; output?: string | null }>(record: T): T {
  const copy = redact(record);
  if ('input' in record) copy.input = redactJsonText(record.input);
  if ('output' in record) copy.output = redactJsonText(record.output);
  return copy;
}
