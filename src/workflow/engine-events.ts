import type { SerializedError, TerminalRunStatus } from '../store/records.js';

/** What the engine reports as it works; the monitor subscribes to these. */
export type EngineEvent =
  | { type: 'run-started'; runId: string; workflow: string }
  | { type: 'run-finished'; runId: string; workflow: string; status: TerminalRunStatus; error?: SerializedError }
  | { type: 'run-lost'; runId: string; workflow: string; epoch: number }
  | { type: 'run-claimed'; runId: string; workflow: string; epoch: number; takeover: boolean }
  /** A step was checkpointed (first execution only, never on replay). */
  | { type: 'step-finished'; runId: string; workflow: string; step: string; status: 'completed' | 'failed'; attempts: number; durationMs: number }
  | { type: 'worker-error'; message: string; error: SerializedError };

export type EngineEventListener = (event: EngineEvent) => void;

/**
 * A minimal synchronous emitter: listeners run in order and a throwing listener
 * cannot break the engine (its error is swallowed after being reported to stderr).
 */
export class EngineEvents {
  private readonly listeners = new Set<EngineEventListener>();

  /** Subscribe; returns a function that unsubscribes. */
  on(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when someone listens: lets hot paths skip building an event nobody reads. */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  emit(event: EngineEvent): void {
    if (this.listeners.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        process.stderr.write(`homeostat: an engine event listener threw: ${String(error)}\n`);
      }
    }
  }
}
