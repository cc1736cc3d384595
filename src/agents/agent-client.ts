import type { AgentView } from './agent-health.js';
import type { AgentRegistration, DispatchedTask } from './agent-dispatcher.js';

export interface AgentClientOptions extends AgentRegistration {
  /** The homeostat API's base URL (`http://127.0.0.1:7070`). */
  url: string;
  /** An `agent` role token (`homeostat token create <name> --role agent`). */
  token: string;
  /** How often `run` asks for work while it has room (default 100 ms). */
  pollMs?: number;
  /** Told what the loop does: for logs and tests. */
  onEvent?: (event: AgentClientEvent) => void;
}

export type AgentClientEvent =
  | { kind: 'registered'; agent: AgentView }
  | { kind: 'claimed'; task: DispatchedTask }
  | { kind: 'completed'; task: DispatchedTask; repeated: boolean }
  | { kind: 'failed'; task: DispatchedTask; error: string }
  /** The server refused the answer: the lease lapsed and the task went elsewhere (or ended). */
  | { kind: 'refused'; task: DispatchedTask; code: string; message: string }
  /** A heartbeat said the agent no longer holds the task: its `signal` was aborted. */
  | { kind: 'lost'; task: DispatchedTask }
  | { kind: 'error'; error: unknown };

/** What a task's handler gets besides the task: aborted when the agent learns it lost the task, or stops. */
export interface AgentTaskContext {
  signal: AbortSignal;
}

export type AgentTaskHandler = (task: DispatchedTask, context: AgentTaskContext) => Promise<unknown> | unknown;

/** An answer of the API that was not 2xx, with its `HS_*` code. */
export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }
}

/**
 * The agent side of the protocol (docs/agents.md), over `fetch` only, so any Node process
 * can be an agent. `run(handler)` does everything: register, heartbeat on a timer, claim
 * while there is room, and answer each task under the generation it was claimed with.
 * The single calls are public for agents that want their own loop.
 *
 * @example
 * const agent = new AgentClient({ url, token, name: 'r1', capabilities: ['research'], version: '1', capacity: 2, owner: 'me' });
 * await agent.run(async (task, { signal }) => research(task.input, signal)); // until agent.stop()
 */
export class AgentClient {
  private readonly inFlight = new Map<string, { task: DispatchedTask; abort: AbortController; claimedAt: number }>();
  private stopped = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  /** A task finished while the loop was not sleeping (mid-claim): its next sleep is skipped. */
  private wakePending = false;

  constructor(private readonly options: AgentClientOptions) {}

  get name(): string {
    return this.options.name;
  }

  async register(): Promise<AgentView> {
    const { name, capabilities, version, capacity, owner, heartbeatMs } = this.options;
    const answer = await this.post<{ agent: AgentView }>('/api/agents/register', { name, capabilities, version, capacity, owner, ...(heartbeatMs === undefined ? {} : { heartbeatMs }) });
    return answer.agent;
  }

  async heartbeat(): Promise<{ held: { id: string; generation: number }[] }> {
    return this.post(`/api/agents/${encodeURIComponent(this.options.name)}/heartbeat`, {});
  }

  async claim(): Promise<DispatchedTask[]> {
    return (await this.post<{ tasks: DispatchedTask[] }>(`/api/agents/${encodeURIComponent(this.options.name)}/claim`, {})).tasks;
  }

  /** Throws AgentApiError `HS_AGENT_TASK_FENCED` (409) when the agent no longer holds the task under its generation. */
  async complete(task: Pick<DispatchedTask, 'id' | 'generation'>, result: unknown): Promise<{ accepted: boolean; repeated: boolean }> {
    return this.post(`${this.taskPath(task.id)}/complete`, { generation: task.generation, result: result ?? null });
  }

  async fail(task: Pick<DispatchedTask, 'id' | 'generation'>, error: string): Promise<{ accepted: boolean; repeated: boolean }> {
    return this.post(`${this.taskPath(task.id)}/fail`, { generation: task.generation, error: error.slice(0, 4_000) || 'failed' });
  }

  /** Register, then heartbeat and work until {@link stop}. */
  async run(handler: AgentTaskHandler): Promise<void> {
    const agent = await this.register();
    this.emit({ kind: 'registered', agent });
    const beatMs = agent.heartbeatMs;
    this.heartbeatTimer = setInterval(() => void this.beat(), beatMs);
    while (!this.stopped) {
      if (this.inFlight.size < this.options.capacity) {
        try {
          for (const task of await this.claim()) this.start(task, handler);
        } catch (error) {
          this.emit({ kind: 'error', error });
        }
      }
      if (this.wakePending) {
        this.wakePending = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 100);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  /** Stop claiming and heartbeating; tasks in flight are aborted (their leases lapse and they go elsewhere). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    for (const { abort } of this.inFlight.values()) abort.abort(new Error('the agent is stopping'));
    this.wake?.();
  }

  private start(task: DispatchedTask, handler: AgentTaskHandler): void {
    const abort = new AbortController();
    this.inFlight.set(task.id, { task, abort, claimedAt: Date.now() });
    this.emit({ kind: 'claimed', task });
    void (async () => {
      try {
        let outcome: { ok: true; result: unknown } | { ok: false; error: string };
        try {
          outcome = { ok: true, result: await handler(task, { signal: abort.signal }) };
        } catch (error) {
          outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        // An aborted handler that gave up sends nothing: the task is someone else's (or the agent stops).
        if (!outcome.ok && abort.signal.aborted) return;
        // Sent even when a heartbeat said the task was lost: the server is the one judge of the
        // fence, and a refusal is recorded in the task's history.
        if (outcome.ok) {
          const answer = await this.complete(task, outcome.result);
          this.emit({ kind: 'completed', task, repeated: answer.repeated });
        } else {
          await this.fail(task, outcome.error);
          this.emit({ kind: 'failed', task, error: outcome.error });
        }
      } catch (error) {
        if (error instanceof AgentApiError && error.status === 409) this.emit({ kind: 'refused', task, code: error.code, message: error.message });
        else this.emit({ kind: 'error', error });
      } finally {
        this.inFlight.delete(task.id);
        if (this.wake) this.wake();
        else this.wakePending = true;
      }
    })();
  }

  private async beat(): Promise<void> {
    const sentAt = Date.now();
    try {
      const { held } = await this.heartbeat();
      const holding = new Set(held.map((entry) => `${entry.id}#${entry.generation}`));
      for (const { task, abort, claimedAt } of this.inFlight.values()) {
        // A task claimed after this heartbeat left cannot be in its answer yet.
        if (claimedAt < sentAt && !holding.has(`${task.id}#${task.generation}`) && !abort.signal.aborted) {
          abort.abort(new Error(`the lease of task ${task.id} lapsed: it went to another agent`));
          this.emit({ kind: 'lost', task });
        }
      }
    } catch (error) {
      this.emit({ kind: 'error', error });
    }
  }

  private taskPath(id: string): string {
    return `/api/agents/${encodeURIComponent(this.options.name)}/tasks/${encodeURIComponent(id)}`;
  }

  private emit(event: AgentClientEvent): void {
    this.options.onEvent?.(event);
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.options.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AgentApiError(response.status, error?.code ?? 'HS_API_INTERNAL', error?.message ?? `HTTP ${response.status}`);
    }
    return json as T;
  }
}
