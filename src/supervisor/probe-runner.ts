import { startTimer, type Clock, type Timer } from '../resilience/clock.js';
import type { ProbeName, ProbeState } from './element-events.js';
import type { Probe, ProbeResult } from './probes/probe.js';

export interface ProbeRunnerOptions {
  name: ProbeName;
  probe: Probe;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  initialDelayMs: number;
  /**
   * Failures are not counted until the probe first passes or this many ms after
   * `start()` have gone by (a slow start is not a hang). Default 0: counted at once.
   */
  startupGraceMs?: number;
  clock: Clock;
  /** Called on every state change (unknown → passing, passing → failing, …). */
  onChange: (change: { from: ProbeState; to: ProbeState; message: string; at: number }) => void;
}

/**
 * Runs one probe on a fixed rate and turns results into a state with thresholds:
 * `failureThreshold` failures in a row make it `failing`, `successThreshold` successes
 * in a row make it `passing`. Checks start every `periodMs` whatever their duration (a
 * slow check does not stretch the schedule); a check still running at the next tick
 * makes that tick skip, and one running past `timeoutMs` is aborted and fails. So a
 * hang is detected within `periodMs × failureThreshold + timeoutMs`.
 *
 * @example
 * const runner = new ProbeRunner({ name: 'liveness', probe, periodMs: 250, timeoutMs: 200, failureThreshold: 3, successThreshold: 1, initialDelayMs: 0, clock, onChange });
 * runner.start();
 * @example
 * // a probe that throws counts as a failed check with the error's message
 */
export class ProbeRunner {
  private current: ProbeState = 'unknown';
  private failures = 0;
  private successes = 0;
  private timer: Timer | undefined;
  private inFlight: AbortController | undefined;
  private running = false;
  private nextAt = 0;
  private startedAt = 0;
  private everPassed = false;
  lastResult: ProbeResult | undefined;

  constructor(private readonly options: ProbeRunnerOptions) {}

  get state(): ProbeState {
    return this.current;
  }

  get name(): ProbeName {
    return this.options.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.options.clock.now();
    this.nextAt = this.startedAt + this.options.initialDelayMs;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    const delay = Math.max(0, this.nextAt - this.options.clock.now());
    this.timer = startTimer(this.options.clock, delay, () => this.tick());
    this.timer.unref();
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.options.clock.now();
    // Fixed rate; after a long stall (the supervisor itself was paused) skip missed ticks.
    this.nextAt = Math.max(this.nextAt + this.options.periodMs, now + 1);
    if (!this.inFlight) void this.check();
    this.schedule();
  }

  private async check(): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    let timedOut = false;
    const timeout = startTimer(this.options.clock, this.options.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    timeout.unref();
    const timedOutResult = (): ProbeResult => ({ ok: false, message: `timed out after ${this.options.timeoutMs} ms` });
    let result: ProbeResult;
    try {
      result = await Promise.race([
        this.options.probe.check(controller.signal),
        new Promise<ProbeResult>((resolve) => controller.signal.addEventListener('abort', () => resolve(timedOutResult()), { once: true })),
      ]);
    } catch (error) {
      result = { ok: false, message: (error as Error)?.message ?? String(error) };
    } finally {
      timeout.cancel();
    }
    // A probe that reacted to the abort with its own error still failed by timing out.
    if (timedOut) result = timedOutResult();
    if (this.inFlight !== controller || !this.running) return; // stopped meanwhile
    this.inFlight = undefined;
    controller.abort(); // lets a probe that ignored the race clean up
    this.record(result);
  }

  private record(result: ProbeResult): void {
    this.lastResult = result;
    if (result.ok) {
      this.everPassed = true;
      this.successes++;
      this.failures = 0;
      if (this.current !== 'passing' && this.successes >= this.options.successThreshold) this.transition('passing', result.message);
    } else {
      const inGrace = !this.everPassed && this.options.clock.now() - this.startedAt < (this.options.startupGraceMs ?? 0);
      if (inGrace) return;
      this.failures++;
      this.successes = 0;
      if (this.current !== 'failing' && this.failures >= this.options.failureThreshold) this.transition('failing', result.message);
    }
  }

  private transition(to: ProbeState, message: string): void {
    const from = this.current;
    this.current = to;
    this.options.onChange({ from, to, message, at: this.options.clock.now() });
  }
}
