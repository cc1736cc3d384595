import type { ProviderStateView } from '../../execute/manual-provider-state.js';
import type { AgentView } from '../../agents/agent-health.js';
import type { OperatorAgentOutcome } from '../../agents/operator-agent-control.js';
import type { AgentTaskView } from '../../api/shapes/agent.js';
import type { AgentTaskStatus } from '../../store/agent-records.js';
import type { GraphView } from '../../agents/task-graph-view.js';
import type { HumanTaskView } from '../../api/shapes/human-task.js';
import type { HumanTaskStatus } from '../../store/human-task-records.js';
import type { ApiTokenView } from '../../api/api-tokens.js';
import type { AuditVerification } from '../../knowledge/audit-log.js';
import type { ApiRole, ApprovalRecord, ConfigVersionRecord, ElementStateRecord, IncidentRecord, IncidentStatus, PauseRecord, RunRecord, RunStatus, StepRecord } from '../../store/records.js';
import { isTerminal } from '../../store/records.js';
import { RunFailedError, type RunDetails } from '../../workflow/engine.js';
import { CancelledError, InvalidInputError } from '../../workflow/errors.js';
import { ApiAnswerError, ApiUnreachableError, type ApiClient } from '../api-client.js';
import type { CliBackend, ConfigPlan, IncidentDetails } from './cli-backend.js';
import type { Acknowledged, ClosedIncident } from '../../execute/operate-incident.js';
import { formatHead, type AuditHead } from '../../knowledge/audit-head.js';

/** What the API says about one service (`GET /api/services`). */
interface ServiceView {
  name: string;
  instances: { instance: string; state: string; health: string; owner: string; updatedAt: number; details: unknown }[];
}

export interface ApiBackendOptions {
  /** Where reads go when the API stops answering (a discovered server); none for `--api URL`. */
  fallback?: CliBackend;
  /** Told once when reads fall back to the store. */
  notice?: (line: string) => void;
  /** What to suggest when a mutation could not be sent. */
  retryHint: string;
}

/**
 * The CLI as a client of a running `homeostat up`'s API: every mutation is done (and
 * audited as `api:<token name>`) by that process. Answers come back in the store's record
 * shapes, so the commands print them exactly as from the store.
 *
 * If the server stops answering, reads fall back to the store (when there is one to fall
 * back to); mutations fail with HS_CLI_API_UNREACHABLE rather than being retried against
 * the store, so nothing is done twice, or behind the back of a server that might still
 * be doing it.
 */
export class ApiBackend implements CliBackend {
  private gone = false;

  constructor(
    private readonly client: ApiClient,
    private readonly options: ApiBackendOptions,
  ) {}

  private async read<T>(ask: () => Promise<T>, fromStore: (store: CliBackend) => Promise<T>): Promise<T> {
    const fallback = this.options.fallback;
    if (this.gone && fallback) return fromStore(fallback);
    try {
      return await ask();
    } catch (error) {
      if (!(error instanceof ApiUnreachableError) || !fallback) throw error;
      this.gone = true;
      this.options.notice?.(`the API at ${this.client.baseUrl} stopped answering (${error.message}); reading from the store instead`);
      return fromStore(fallback);
    }
  }

  private async change<T>(what: string, ask: () => Promise<T>): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      if (!(error instanceof ApiUnreachableError)) throw error;
      const outcome = error.sent
        ? `${what} may or may not have been done (the request was sent); check before trying again`
        : `${what} was NOT done (the request never reached it); ${this.options.retryHint}`;
      throw new ApiUnreachableError(`${error.message}: ${outcome}`, error.sent, error);
    }
  }

  listElementStates(): Promise<ElementStateRecord[]> {
    return this.read(
      async () => {
        const { services } = await this.client.request<{ services: ServiceView[] }>('GET', '/api/services');
        // The store's record, field for field, so `status --json` prints the same either way.
        return services.flatMap((service) =>
          service.instances.map((i) => ({ owner: i.owner, instance: i.instance, element: service.name, state: i.state, health: i.health, data: JSON.stringify(i.details), updatedAt: i.updatedAt })),
        );
      },
      (store) => store.listElementStates(),
    );
  }

  listIncidents(filter: { limit: number; status?: IncidentStatus[]; all?: boolean }): Promise<IncidentRecord[]> {
    const query = new URLSearchParams({ limit: String(filter.limit) });
    if (filter.status) query.set('status', filter.status.join(','));
    else if (filter.all) query.set('all', 'true');
    return this.read(async () => (await this.client.request<{ incidents: IncidentRecord[] }>('GET', `/api/incidents?${query}`)).incidents, (store) => store.listIncidents(filter));
  }

  incident(id: string): Promise<IncidentDetails | undefined> {
    return this.read(
      async () => {
        try {
          // Only what the store backend gives: the API may add views of its own (the parsed diagnosis).
          const { incident, entries, approvals } = await this.client.request<IncidentDetails>('GET', `/api/incidents/${encodeURIComponent(id)}`);
          return { incident, entries, approvals };
        } catch (error) {
          if (error instanceof ApiAnswerError && error.code === 'HS_INCIDENT_NOT_FOUND') return undefined;
          throw error;
        }
      },
      (store) => store.incident(id),
    );
  }

  decideApproval(id: string, decision: 'approved' | 'denied', reason: string | null): Promise<ApprovalRecord> {
    const verb = decision === 'approved' ? 'approve' : 'deny';
    return this.change(`the ${verb}`, async () => (await this.client.request<{ approval: ApprovalRecord }>('POST', `/api/approvals/${encodeURIComponent(id)}/${verb}`, reason === null ? {} : { reason })).approval);
  }

  acknowledgeIncident(id: string): Promise<Acknowledged> {
    return this.change('the acknowledgement', () => this.client.request<Acknowledged>('POST', `/api/incidents/${encodeURIComponent(id)}/acknowledge`, {}));
  }

  annotateIncident(id: string, text: string): Promise<IncidentRecord> {
    return this.change('the note', async () => (await this.client.request<{ incident: IncidentRecord }>('POST', `/api/incidents/${encodeURIComponent(id)}/notes`, { text })).incident);
  }

  closeIncident(id: string, reason: string): Promise<ClosedIncident> {
    return this.change(`closing ${id}`, () => this.client.request<ClosedIncident>('POST', `/api/incidents/${encodeURIComponent(id)}/close`, { reason }));
  }

  scaleService(service: string, replicas: number): Promise<{ service: string; from: number; to: number }> {
    return this.change(`scaling ${service}`, () => this.client.request<{ service: string; from: number; to: number }>('POST', `/api/services/${encodeURIComponent(service)}/scale`, { replicas }));
  }

  listProviders(): Promise<ProviderStateView[]> {
    return this.read(async () => (await this.client.request<{ providers: ProviderStateView[] }>('GET', '/api/providers')).providers, (store) => store.listProviders());
  }

  setProvider(provider: string, action: 'drain' | 'restore', reason: string | undefined): Promise<ProviderStateView> {
    return this.change(`the ${action} of ${provider}`, async () => (await this.client.request<{ provider: ProviderStateView }>('POST', `/api/providers/${encodeURIComponent(provider)}/${action}`, reason === undefined ? {} : { reason })).provider);
  }

  pause(scope: string, reason: string): Promise<void> {
    return this.change('the pause', async () => void (await this.client.request('PUT', `/api/pauses/${encodeURIComponent(scope)}`, { reason })));
  }

  resume(scope: string): Promise<PauseRecord[]> {
    return this.change('the resume', async () => (await this.client.request<{ pauses: PauseRecord[] }>('DELETE', `/api/pauses/${encodeURIComponent(scope)}`)).pauses);
  }

  verifyAudit(expect?: AuditHead): Promise<AuditVerification> {
    const query = expect ? `?expect=${encodeURIComponent(formatHead(expect))}` : '';
    return this.read(() => this.client.request<AuditVerification>('GET', `/api/audit/verify${query}`), (store) => store.verifyAudit(expect));
  }

  listRuns(filter: { limit: number; status?: RunStatus[]; workflow?: string }): Promise<RunRecord[]> {
    const query = new URLSearchParams({ limit: String(filter.limit) });
    if (filter.status) query.set('status', filter.status.join(','));
    if (filter.workflow !== undefined) query.set('workflow', filter.workflow);
    return this.read(async () => (await this.client.request<{ runs: RunRecord[] }>('GET', `/api/runs?${query}`)).runs, (store) => store.listRuns(filter));
  }

  describeRun(id: string): Promise<RunDetails> {
    return this.read(
      async () => {
        // The API parses stored JSON for its readers; the CLI prints the stored text.
        const details = await this.client.request<{ run: RunRecord & { input: unknown; output: unknown }; steps: (StepRecord & { output: unknown })[]; attempts: RunDetails['attempts']; modelAttempts?: (Omit<RunDetails['modelAttempts'][number], 'validationErrors'> & { validationErrors: string[] | null })[] }>(
          'GET',
          `/api/runs/${encodeURIComponent(id)}`,
        );
        return {
          run: { ...details.run, input: asStoredJson(details.run.input), output: asStoredJson(details.run.output) },
          steps: details.steps.map((step) => ({ ...step, output: asStoredJson(step.output) })),
          attempts: details.attempts,
          // The API answers the validation errors parsed; the CLI renders the stored form.
          modelAttempts: (details.modelAttempts ?? []).map(({ validationErrors, ...attempt }) => ({
            ...attempt,
            validationErrors: validationErrors === null ? null : JSON.stringify(validationErrors),
          })),
        };
      },
      (store) => store.describeRun(id),
    );
  }

  startRun(workflow: string, inputJson: string | undefined, options: { id?: string; timeout?: string }): Promise<{ id: string; created: boolean }> {
    let input: unknown;
    if (inputJson !== undefined) {
      try {
        input = JSON.parse(inputJson);
      } catch (cause) {
        throw new InvalidInputError(`input is not valid JSON: ${(cause as Error).message}`, cause);
      }
    }
    const body = { workflow, ...(input === undefined ? {} : { input }), ...(options.id === undefined ? {} : { id: options.id }), ...(options.timeout === undefined ? {} : { timeout: options.timeout }) };
    return this.change(`starting ${workflow}`, () => this.client.request<{ id: string; created: boolean }>('POST', '/api/runs', body));
  }

  async runResult(id: string): Promise<unknown> {
    let pollMs = 20;
    for (;;) {
      const { run } = await this.describeRun(id);
      if (run.status === 'completed') return run.output === null ? undefined : (JSON.parse(run.output) as unknown);
      if (run.status === 'cancelled') throw new CancelledError(id);
      if (isTerminal(run.status)) throw new RunFailedError(run);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      pollMs = Math.min(pollMs * 2, 1_000);
    }
  }

  signalRun(id: string, name: string, payload: unknown): Promise<void> {
    return this.change(`the signal "${name}"`, async () => void (await this.client.request('POST', `/api/runs/${encodeURIComponent(id)}/signals`, { name, payload })));
  }

  cancelRun(id: string): Promise<RunRecord> {
    return this.change(`cancelling ${id}`, async () => (await this.client.request<{ run: RunRecord }>('POST', `/api/runs/${encodeURIComponent(id)}/cancel`)).run);
  }

  redriveRun(id: string, fromStep: number | string | undefined): Promise<RunRecord> {
    return this.change(`redriving ${id}`, async () => (await this.client.request<{ run: RunRecord }>('POST', `/api/runs/${encodeURIComponent(id)}/redrive`, fromStep === undefined ? {} : { fromStep })).run);
  }

  planConfig(yaml: string, file: string): Promise<ConfigPlan> {
    return this.read(
      async () => {
        const plan = await this.client.request<{ against: number | null; changes: string[] | null }>('POST', '/api/config/plan', { yaml });
        if (plan.against === null) return { against: null, changes: [] };
        const { version } = await this.client.request<{ version: ConfigVersionRecord }>('GET', '/api/config');
        return { against: { version: version.version, status: version.status, appliedAt: version.appliedAt }, changes: plan.changes };
      },
      (store) => store.planConfig(yaml, file),
    );
  }

  listAgents(): Promise<AgentView[]> {
    return this.read(async () => (await this.client.request<{ agents: AgentView[] }>('GET', '/api/agents')).agents, (store) => store.listAgents());
  }

  setAgentQuarantine(name: string, action: 'quarantine' | 'release', reason: string | undefined): Promise<OperatorAgentOutcome> {
    return this.change(`the ${action} of ${name}`, () => this.client.request<OperatorAgentOutcome>('POST', `/api/agents/${encodeURIComponent(name)}/${action}`, reason === undefined ? {} : { reason }));
  }

  listAgentTasks(filter: { limit: number; status?: AgentTaskStatus; runId?: string }): Promise<AgentTaskView[]> {
    const query = new URLSearchParams({ limit: String(filter.limit) });
    if (filter.status) query.set('status', filter.status);
    if (filter.runId !== undefined) query.set('run', filter.runId);
    return this.read(async () => (await this.client.request<{ tasks: AgentTaskView[] }>('GET', `/api/agents/tasks?${query}`)).tasks, (store) => store.listAgentTasks(filter));
  }

  listApprovals(all: boolean): Promise<ApprovalRecord[]> {
    return this.read(async () => (await this.client.request<{ approvals: ApprovalRecord[] }>('GET', `/api/approvals?status=${all ? 'all' : 'pending'}`)).approvals, (store) => store.listApprovals(all));
  }

  listHumanTasks(filter: { limit: number; status: HumanTaskStatus; assignee?: string; runId?: string }): Promise<HumanTaskView[]> {
    const query = new URLSearchParams({ limit: String(filter.limit), status: filter.status });
    if (filter.assignee !== undefined) query.set('assignee', filter.assignee);
    if (filter.runId !== undefined) query.set('run', filter.runId);
    return this.read(async () => (await this.client.request<{ tasks: HumanTaskView[] }>('GET', `/api/inbox?${query}`)).tasks, (store) => store.listHumanTasks(filter));
  }

  completeHumanTask(id: string, result: unknown): Promise<HumanTaskView> {
    return this.change(`completing ${id}`, async () => (await this.client.request<{ task: HumanTaskView }>('POST', `/api/inbox/${encodeURIComponent(id)}/complete`, { result })).task);
  }

  runGraph(id: string): Promise<GraphView[]> {
    return this.read(async () => (await this.client.request<{ graphs: GraphView[] }>('GET', `/api/runs/${encodeURIComponent(id)}/graph`)).graphs, (store) => store.runGraph(id));
  }

  listTokens(): Promise<ApiTokenView[]> {
    return this.read(async () => (await this.client.request<{ tokens: ApiTokenView[] }>('GET', '/api/tokens')).tokens, (store) => store.listTokens());
  }

  createToken(name: string, role: ApiRole): Promise<{ token: string; record: ApiTokenView }> {
    return this.change('creating the token', async () => {
      const { token, ...record } = await this.client.request<ApiTokenView & { token: string }>('POST', '/api/tokens', { name, role });
      return { token, record };
    });
  }

  revokeToken(id: string): Promise<boolean> {
    return this.change(`revoking ${id}`, async () => {
      try {
        await this.client.request('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
        return true;
      } catch (error) {
        if (error instanceof ApiAnswerError && error.code === 'HS_API_TOKEN_NOT_FOUND') return false;
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.options.fallback?.close();
  }
}

/** The API's parsed payload back to the stored JSON text (null stays null). */
function asStoredJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
