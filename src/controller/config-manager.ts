import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Symptom } from '../analyze/symptom.js';
import { parseConfig, readConfigText, type LoadedConfig } from '../config/load-config.js';
import { checkWebhookSecrets } from '../config/webhook-secrets.js';
import { HomeostatError, isHomeostatError } from '../errors/homeostat-error.js';
import type { ActionOutcome, ActionTarget } from '../execute/actuators.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { REDACTED } from '../knowledge/redact.js';
import type { IncidentRecord } from '../store/records.js';
import { notSpawnableError } from '../supervisor/config-spawnability.js';
import { ReloadFailedError } from '../supervisor/supervisor-errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Guardrails } from '../plan/guardrails.js';
import type { Logger } from '../telemetry/logger.js';
import { restartOnlyChanges } from '../knowledge/restart-only-changes.js';
import { AppliedConfig } from './applied-config.js';
import { canariesFirst } from './canaries-first.js';
import type { CanaryControl } from './config-canary.js';

export interface ConfigManagerOptions {
  loaded: LoadedConfig;
  knowledge: Knowledge;
  supervisor: Pick<Supervisor, 'reload' | 'status' | 'spawnProblems'>;
  logger: Logger;
  /** Where a `config-apply-failed` symptom goes (the loop), when a version's processes did not start. */
  observe?: (symptom: Symptom) => void;
  say: (line: string) => void;
  /** No unresolved incident (with every element healthy, the version may be marked good). */
  quiet: () => boolean;
  /** How often the config file is polled for changes (default 250 ms). */
  pollMs?: number;
  /** A config change this recent is named as a candidate cause of a new incident (default 10 min). */
  candidateWindowMs?: number;
  /** Where webhooks' `secretEnv` variables are checked (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Where a version that changes a service with `canary:` is tried first (the supervisor); without it, no canary. */
  canaries?: CanaryControl;
  /** The guardrails a canary passes (pause, blast radius) before it starts; without them, none. */
  guardrails?: Pick<Guardrails, 'check' | 'release'>;
}

/** The last applied config change, for incidents that follow it. */
export interface ConfigChange {
  version: number;
  previous: number;
  at: number;
  services: string[];
  source: string;
}

/**
 * Config versions as `homeostat up` lives them: the file's text is stored as a version
 * when `up` starts and every time the file changes (the file is polled; an invalid edit
 * is logged and not applied); the supervisor reloads it (only services whose spec changed
 * restart); a version healthy for `monitor.configGoodAfter` with no unresolved incident
 * is marked good; an incident opened soon after a change gets a note naming the version
 * as a candidate cause; `rollback` marks the applied version bad and re-applies the last
 * known good one.
 *
 * Applying a version swaps {@link ConfigManager.live} whole after the supervisor reloaded:
 * policies, guardrails, escalation, symptom rules and scrape targets follow it. A version
 * that changes a key read only at start-up (`restartOnlyChanges`) is refused, with the
 * keys named, rather than half applied.
 *
 * The store keeps each version's real text: a rollback re-applies it (versions stored
 * redacted by an older homeostat are refused: their secrets are gone).
 *
 * @example
 * const configs = await ConfigManager.start({ loaded, knowledge, supervisor, logger, say, quiet: () => true });
 * await configs.rollback({ incidentId, service: 'api' }) // { ok: true, detail: 'rolled back config v2 (marked bad) to v1, …' }
 * @example
 * await configs.rollback(target) // { ok: false, detail: 'cannot roll back config v1: no other version was ever marked good' }
 */
export class ConfigManager {
  applied = 0;
  /** The version enforced now, whole; set once the supervisor has reloaded it. */
  live!: AppliedConfig;
  lastChange: ConfigChange | undefined;
  /** The last changes applied here (newest last), for root-cause ranking. */
  private readonly changes: ConfigChange[] = [];
  private readonly texts = new Map<number, string>();
  private fileText = '';
  private chain: Promise<unknown> = Promise.resolve();
  private goodTimer: NodeJS.Timeout | undefined;
  private healthySince: number | undefined;
  private checked = 0;
  /** Aborted by {@link stop}: a canary being judged ends (and its version is not applied). */
  private readonly stopping = new AbortController();
  private readonly onFileChange = () => void this.fileChanged();

  private constructor(private readonly options: ConfigManagerOptions) {}

  static async start(options: ConfigManagerOptions): Promise<ConfigManager> {
    const manager = new ConfigManager(options);
    const text = readFileSync(options.loaded.file, 'utf8');
    manager.fileText = text;
    const record = await options.knowledge.configVersions.applied(text, 'homeostat up');
    manager.applied = record.version;
    manager.live = new AppliedConfig({ config: options.loaded.config, version: record.version, source: 'homeostat up' });
    manager.texts.set(record.version, text);
    options.logger.info({ version: record.version, hash: record.hash, status: record.status }, 'config version applied');
    watchFile(options.loaded.file, { interval: options.pollMs ?? 250, persistent: false }, manager.onFileChange);
    const goodAfter = options.loaded.config.monitor.configGoodAfter;
    manager.goodTimer = setInterval(() => void manager.markGoodIfHealthy(goodAfter), Math.min(1_000, Math.max(100, goodAfter / 4)));
    manager.goodTimer.unref();
    return manager;
  }

  stop(): void {
    this.stopping.abort();
    unwatchFile(this.options.loaded.file, this.onFileChange);
    if (this.goodTimer) clearInterval(this.goodTimer);
  }

  /**
   * Store `text` as a version and apply it to the supervisor. Throws when it is not a valid
   * config, when a changed service's process could not be spawned as configured
   * (`HS_CONFIG_NOT_SPAWNABLE`, nothing stopped or recorded), or when one did not start
   * anyway (`HS_CONFIG_APPLY_FAILED`: the version is marked failed, the previous one is back,
   * a `config-apply-failed` symptom raised), or when a changed service's canary failed or
   * was denied (`HS_CONFIG_CANARY_FAILED`, see canaries-first.ts; `canary: false` skips the
   * canaries). `by`: who asked (the audit's actor); `displayName`: what errors call the text.
   */
  apply(text: string, source: string, options: { by?: string; displayName?: string; canary?: boolean } = {}): Promise<ConfigChange> {
    const next = this.chain.then(() => this.applyNow(text, source, options));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Throws `HS_CONFIG_NOT_SPAWNABLE` (each problem at its file:line) when applying `text`
   * would (re)start a process that cannot be spawned as configured; `config plan`'s check.
   */
  checkSpawnable(text: string, displayName: string): void {
    const next = parseConfig(text, { file: this.options.loaded.file, displayName });
    const problems = this.options.supervisor.spawnProblems(next.config);
    if (problems.length > 0) throw notSpawnableError(problems, text, displayName);
    checkWebhookSecrets(next.config, text, displayName, this.options.env ?? process.env);
  }

  /** The rollback actuator: mark the applied version bad, re-apply the last known good one. */
  async rollback(target: ActionTarget): Promise<ActionOutcome> {
    const versions = this.options.knowledge.configVersions;
    const current = this.applied;
    const all = await versions.list();
    const record = all.find((v) => v.version === current);
    const good = await versions.lastKnownGood(current);
    if (!good) return { ok: false, detail: `cannot roll back config v${current}: no other version was ever marked good` };
    if (record?.status === 'good' || record?.hash === good.hash) return { ok: false, detail: `config v${current} is already the last known good (v${good.version}): nothing to roll back` };
    const text = this.texts.get(good.version) ?? good.text;
    if (text.includes(REDACTED)) return { ok: false, detail: `cannot roll back config v${current} to v${good.version}: v${good.version} was stored with its secrets redacted and this process did not apply it; restore it in the config file` };
    await versions.mark(current, 'bad');
    // No canary: the text was good before, and a canary would hold a healing action for its whole duration.
    const change = await this.apply(text, `rollback of v${current} (bad) for incident ${target.incidentId}`, { canary: false });
    // Its text is known good: no need to wait for it to prove itself again.
    if (change.version !== good.version) await versions.mark(change.version, 'good');
    this.checked = change.version;
    const restarted = change.services.length > 0 ? `restarted ${change.services.join(', ')}` : 'no service spec changed';
    this.options.logger.warn({ bad: current, good: good.version, now: change.version, incident: target.incidentId }, 'config rolled back');
    return { ok: true, detail: `rolled back config v${current} (marked bad) to v${good.version}, the last known good (applied as v${change.version}); ${restarted}` };
  }

  /**
   * Config versions applied by this process since it started (rollbacks excluded: they
   * restore a version that was good), each with the services whose spec it changed.
   */
  recentChanges(): ConfigChange[] {
    return this.changes.filter((change) => !change.source.startsWith('rollback'));
  }

  /** An incident opened: if a config change preceded it closely, note that version as a candidate cause. */
  async noteCandidate(incident: IncidentRecord): Promise<void> {
    const change = this.lastChange;
    if (!change || change.source.startsWith('rollback')) return;
    const ago = incident.openedAt - change.at;
    if (ago < 0 || ago > (this.options.candidateWindowMs ?? 600_000)) return;
    if (change.services.length > 0 && !change.services.includes(incident.element)) return;
    await this.options.knowledge.incidents.record(incident.id, 'note', {
      candidate: 'config-change',
      version: change.version,
      previous: change.previous,
      services: change.services,
      detail: `config v${change.version} was applied ${(ago / 1_000).toFixed(1)} s before (from v${change.previous}; changed: ${change.services.join(', ') || 'no service'}): a candidate cause`,
    });
  }

  private async applyNow(text: string, source: string, options: { by?: string; displayName?: string; canary?: boolean }): Promise<ConfigChange> {
    const { knowledge, supervisor, logger, loaded } = this.options;
    const next = parseConfig(text, { file: loaded.file, ...(options.displayName ? { displayName: options.displayName } : {}) });
    const needRestart = restartOnlyChanges(this.live.config, next.config);
    if (needRestart.length > 0) {
      throw new HomeostatError(
        'HS_CONFIG_NEEDS_RESTART',
        `not applied: ${needRestart.join(', ')} ${needRestart.length === 1 ? 'is' : 'are'} read only when homeostat up starts; restart up with this config, or apply it without changing ${needRestart.length === 1 ? 'that key' : 'those keys'}`,
        { retryable: false },
      );
    }
    // Before anything is recorded or stopped: a spec that cannot be spawned is a bad request.
    const problems = supervisor.spawnProblems(next.config);
    if (problems.length > 0) throw notSpawnableError(problems, text, options.displayName ?? loaded.file);
    checkWebhookSecrets(next.config, text, options.displayName ?? loaded.file, this.options.env ?? process.env);
    // Attributed to who applied it: an admin's token, the config file, or the controller's rollback.
    const record = await knowledge.configVersions.applied(text, source, options.by ?? 'controller');
    this.texts.set(record.version, text);
    const previous = this.applied;
    this.applied = record.version;
    this.healthySince = undefined;
    if (this.options.canaries && options.canary !== false) {
      try {
        await canariesFirst({ ...this.options, canaries: this.options.canaries, signal: this.stopping.signal }, { before: this.live.config, next: next.config, version: record.version, previous, source, by: options.by ?? 'controller' });
      } catch (error) {
        this.applied = previous;
        throw error;
      }
    }
    let reloaded: Awaited<ReturnType<Supervisor['reload']>>;
    try {
      reloaded = await supervisor.reload(next.config);
    } catch (error) {
      throw await this.applyFailed(record.version, previous, source, options.by ?? 'controller', error);
    }
    const services = [...reloaded.changed, ...reloaded.added, ...reloaded.removed];
    this.live.set({ config: next.config, version: record.version, source });
    const change = { version: record.version, previous, at: Date.now(), services, source };
    this.lastChange = change;
    this.changes.push(change);
    if (this.changes.length > 20) this.changes.shift();
    logger.info({ version: record.version, previous, source, ...reloaded }, 'config version applied');
    this.options.say(`config v${record.version} applied (${source}): ${services.length > 0 ? `restarting ${services.join(', ')}` : 'no service spec changed'}`);
    return change;
  }

  /**
   * The reload did not start (the supervisor put the previous specs back): `previous` is in
   * force again, `version` is marked failed with why and by whom, and a
   * `config-apply-failed` symptom per service it concerned makes the loop open an incident.
   */
  private async applyFailed(version: number, previous: number, source: string, by: string, error: unknown): Promise<HomeostatError> {
    const { knowledge, logger } = this.options;
    this.applied = previous;
    const reason = (error as Error).message;
    const failure = error instanceof ReloadFailedError ? error : undefined;
    const services = failure ? [...new Set([...failure.failed.map((f) => f.service), ...failure.problems.map((p) => p.service)])] : [];
    logger.error({ err: error, version, previous, source }, 'config version not applied: its processes did not start; the previous version is back');
    this.options.say(`config v${version} NOT applied (${source}): ${reason}`);
    try {
      await knowledge.configVersions.markFailed(version, reason, by, { previous, source, services, notRestored: failure?.notRestored ?? [] });
    } catch (markError) {
      logger.error({ err: markError, version }, 'marking the config version failed did not reach the store');
    }
    const at = Date.now();
    for (const element of services.length > 0 ? services : ['config']) {
      this.options.observe?.({
        name: 'config-apply-failed',
        element,
        at,
        labels: { version: String(version) },
        signal: { message: `config v${version} (${source}) could not be applied; v${previous} stays in force: ${reason}`, version, previous, source, by },
      });
    }
    return new HomeostatError('HS_CONFIG_APPLY_FAILED', `config v${version} was not applied and is marked failed; v${previous} stays in force: ${reason}`, { retryable: false, cause: error });
  }

  private async fileChanged(): Promise<void> {
    let text: string;
    try {
      // Refuses a file over the size limit before reading it (a 50 MB file would block the loop).
      text = readConfigText(this.options.loaded.file);
    } catch (error) {
      if (!isHomeostatError(error, 'HS_CONFIG_TOO_LARGE')) return; // being replaced: the next poll reads it
      this.options.logger.warn({ err: error }, 'the changed config was not applied');
      this.options.say(`config change not applied: ${oneLine((error as Error).message)}`);
      return;
    }
    if (hash(text) === hash(this.fileText)) return;
    this.fileText = text;
    try {
      await this.apply(text, `${this.options.loaded.file} changed`, { by: 'config-file' });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'the changed config was not applied');
      this.options.say(`config change not applied: ${oneLine((error as Error).message)}`);
    }
  }

  /** Mark the applied version good once everything has been healthy for `goodAfterMs`. */
  private async markGoodIfHealthy(goodAfterMs: number): Promise<void> {
    const version = this.applied;
    if (this.checked === version) return;
    const statuses = this.options.supervisor.status();
    const healthy = statuses.length > 0 && statuses.every((s) => s.health === 'healthy' || s.role === 'standby') && this.options.quiet();
    if (!healthy) {
      this.healthySince = undefined;
      return;
    }
    this.healthySince ??= Date.now();
    if (Date.now() - this.healthySince < goodAfterMs) return;
    this.checked = version;
    try {
      const current = (await this.options.knowledge.configVersions.list()).find((v) => v.version === version);
      if (current?.status === 'applied') {
        await this.options.knowledge.configVersions.mark(version, 'good');
        this.options.logger.info({ version }, 'config version marked good');
      }
    } catch (error) {
      this.checked = 0;
      this.options.logger.warn({ err: error }, 'marking the config version good failed');
    }
  }
}

/** An error's first lines on one line: the summary and the first problems it lists. */
function oneLine(message: string): string {
  return message.split('\n').slice(0, 4).join(' ');
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
