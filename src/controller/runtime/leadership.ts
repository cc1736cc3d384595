import type { LeaderFence } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { NotLeaderError } from '../../store/store-errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Gauge } from '../../telemetry/metrics.js';
import type { WorkflowDefinition } from '../../workflow/define-workflow.js';
import { Engine } from '../../workflow/engine.js';
import type { EngineEventListener } from '../../workflow/engine-events.js';
import { LeaderElector } from '../leader-election.js';
import type { SymptomOutbox, SymptomSink } from './symptom-outbox.js';

/** What runs only while this process leads: the autonomic loop (a stand-in in tests). */
export interface LeaderLoop extends SymptomSink {
  start(): void;
  stop(): Promise<void>;
  /** Picks up the unresolved incidents from the store. */
  resync(): Promise<void>;
}

export interface LeadershipOptions {
  store: Store;
  /** The lease contested; its row names the leader's API. */
  lease: string;
  /** Where symptoms go: to the loop while this process leads. */
  outbox: Pick<SymptomOutbox, 'lead' | 'follow'>;
  /** `homeostat_leader`: 1 while the loop runs here. */
  leaderGauge: Gauge;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** How this process campaigns for the lease, and what it runs when it wins. */
export interface Campaign<L extends LeaderLoop> {
  /** This process's API, recorded with the lease (a follower forwards pushed metrics there). */
  apiUrl?: string;
  /** The lease's term: a standby takes over within about this long. */
  ttlMs: number;
  /** The workflow the leader's engine worker executes. */
  remediation: WorkflowDefinition<never, unknown>;
  /** The user's workflows (`workflows.modules`): runbooks run on the leader's worker too. */
  runbooks?: readonly WorkflowDefinition[];
  onEngineEvent: EngineEventListener;
  /** The loop to run, starting its remediations on the leader's own `worker`. */
  newLoop: (worker: Engine) => L;
  /** After the loop started and read the unresolved incidents back. */
  onLed: () => Promise<void>;
}

/**
 * The lease and what winning or losing it does. Elected: an engine worker for remediation
 * runs opens, the loop starts on it and every kept symptom goes to it. Deposed: the loop
 * stops and the worker hands its runs back at once, so the new leader resumes them from
 * their last checkpoint and a deposed process never acts.
 */
export class Leadership<L extends LeaderLoop> {
  private current: L | undefined;
  /** Executes remediation runs; open only while this process leads. */
  private worker: Engine | undefined;
  private elector: LeaderElector | undefined;

  constructor(private readonly options: LeadershipOptions) {}

  /** The loop, while it runs here. */
  get loop(): L | undefined {
    return this.current;
  }

  /** Whether the loop runs here. */
  get isLeader(): boolean {
    return this.current !== undefined;
  }

  /** Whether this process holds the term, even while its loop is still starting. */
  get holdsTerm(): boolean {
    return this.elector?.isLeader === true;
  }

  /** Starts campaigning for the lease (once). */
  campaign(plan: Campaign<L>): void {
    if (this.elector) return;
    const { logger } = this.options;
    this.elector = new LeaderElector(this.options.store, {
      name: this.options.lease,
      ...(plan.apiUrl ? { apiUrl: plan.apiUrl } : {}),
      ttlMs: plan.ttlMs,
      // A store that fails meanwhile (full disk, lost file) must not become an unhandled
      // rejection that kills `up` and its supervision: say it; the elector tries again.
      onElected: (term) => void this.lead(term.token, plan).catch((error: unknown) => logger.error({ err: error }, 'taking the lead failed')),
      onDeposed: (_term, reason) => void this.follow(reason).catch((error: unknown) => logger.error({ err: error }, 'handing the lead over failed')),
      onError: (error) => logger.warn({ err: error }, 'leader election: store error (retrying)'),
    });
    this.elector.start();
  }

  /** Records an action under the current term: refused with `HS_NOT_LEADER` when this process does not lead (any more). */
  async recordAction(action: string, payload: string | null = null): Promise<LeaderFence> {
    if (!this.elector) throw new NotLeaderError(this.options.lease, 0);
    return this.elector.recordAction(action, payload);
  }

  /** Stops the loop, then resigns the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    const loop = this.current;
    this.current = undefined;
    this.options.outbox.follow();
    await loop?.stop();
    await this.elector?.stop();
  }

  /** Closes the remediation worker, if it is still open, waiting up to `timeoutMs` for its runs. */
  async closeWorker(timeoutMs: number): Promise<void> {
    await this.worker?.close(timeoutMs);
  }

  private async lead(token: number, plan: Campaign<L>): Promise<void> {
    if (this.current) return;
    const { store, logger, outbox } = this.options;
    this.worker ??= await Engine.open({ store, workflows: [plan.remediation, ...(plan.runbooks ?? [])], onEvent: plan.onEngineEvent });
    const worker = this.worker;
    if (!this.elector?.term) {
      // Deposed while the worker was opening: hand it back rather than lead without a term.
      this.worker = undefined;
      await worker.close(0);
      return;
    }
    const loop = plan.newLoop(worker);
    this.current = loop;
    loop.start();
    this.options.leaderGauge.set({}, 1);
    logger.info({ token }, 'elected leader: the loop runs here');
    outbox.lead(loop);
    await loop.resync();
    await plan.onLed();
  }

  private async follow(reason: string): Promise<void> {
    const loop = this.current;
    this.current = undefined;
    this.options.outbox.follow();
    this.options.leaderGauge.set({}, 0);
    this.options.logger.warn({ reason }, 'no longer the leader: the loop stops here');
    await loop?.stop();
    // Hand remediation runs back at once: the new leader's worker resumes them from their
    // last checkpoint, and an action this process had not yet recorded is taken there.
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close(0);
  }
}
