import type { Clock } from '../resilience/clock.js';
import type { ServiceConfig } from '../config/schema/services.js';
import type { ProbeName } from '../config/schema/probes.js';
import { buildProbe } from './build-probe.js';
import type { ElementEvent } from './element-events.js';
import { ProbeRunner } from './probe-runner.js';
import type { HeartbeatRegistry } from './probes/heartbeat-probe.js';
import type { ReplicaSnapshot } from './replica-supervisor.js';

/**
 * A service declared with `url:`: homeostat never spawns it, only probes it (startup is
 * treated like readiness: there is no process to restart).
 *
 * @example new ExternalElement('payments', config, …).start() // probes http://payments.internal/healthz
 * @example // a failing probe raises probe-changed → failing, a symptom for the control loop
 */
export class ExternalElement {
  private runners: ProbeRunner[] = [];

  constructor(
    readonly name: string,
    private readonly config: ServiceConfig,
    /** `heartbeatSecret`: what its beats must carry (see externalHeartbeatSecret). */
    private readonly deps: { clock: Clock; heartbeats: HeartbeatRegistry; baseDir: string; emit: (event: ElementEvent) => void; heartbeatSecret?: string },
  ) {}

  start(): void {
    const target = { instance: this.name, baseUrl: this.config.url, cwd: this.deps.baseDir, env: { ...process.env } as Record<string, string>, heartbeats: this.deps.heartbeats, clock: this.deps.clock };
    this.deps.heartbeats.expect(this.name, this.deps.clock.now(), this.deps.heartbeatSecret);
    for (const name of ['startup', 'liveness', 'readiness'] as const) {
      const config = this.config.probes[name];
      if (!config) continue;
      const runner: ProbeRunner = new ProbeRunner({
        name,
        probe: buildProbe(config, target),
        periodMs: config.period,
        timeoutMs: config.timeout,
        failureThreshold: config.failureThreshold,
        successThreshold: config.successThreshold,
        initialDelayMs: config.initialDelay,
        clock: this.deps.clock,
        onChange: (change) =>
          this.deps.emit({ kind: 'probe-changed', at: change.at, element: this.name, instance: this.name, probe: name, from: change.from, to: change.to, message: change.message }),
      });
      this.runners.push(runner);
      runner.start();
    }
  }

  stop(): void {
    for (const runner of this.runners) runner.stop();
    this.runners = [];
  }

  /** Its dependents may start: its readiness probe passes, or it has none (homeostat does not start it). */
  isReady(): boolean {
    const readiness = this.runners.find((runner) => runner.name === 'readiness');
    return readiness === undefined || readiness.state === 'passing';
  }

  isHealthy(): boolean {
    return this.runners.every((runner) => runner.state !== 'failing');
  }

  snapshot(): ReplicaSnapshot {
    const states = this.runners.map((runner) => runner.state);
    const health = states.length === 0 ? 'unprobed' : states.includes('failing') ? 'unhealthy' : states.every((s) => s === 'passing') ? 'healthy' : 'unknown';
    return {
      instance: this.name,
      replica: 0,
      state: 'running',
      health,
      pid: null,
      port: null,
      restarts: 0,
      startedAt: null,
      lastExit: null,
      nextRestartAt: null,
      rssBytes: null,
      cpuPercent: null,
      probes: Object.fromEntries(this.runners.map((runner) => [runner.name, runner.state])) as Partial<Record<ProbeName, string>>,
    };
  }
}
