import type { CheckpointWrites } from '../store/checkpoint-writes.js';
import type { StepContext } from './workflow-context.js';

/**
 * Writes a step's code asks to commit with the step's checkpoint (see
 * store/checkpoint-writes.ts), and how to make them on their own when that checkpoint
 * will not carry them: the attempt failed after asking (its result too large, its
 * timeout), the run was cancelled, fenced or its store failed. Either way they are made
 * exactly once as far as this process is concerned; `alone` must be harmless when they
 * were made already (a settle of an attempt no longer open changes nothing).
 */
export interface CheckpointCompanion extends CheckpointWrites {
  alone: () => Promise<unknown>;
}

/** Not a public field of StepContext: only homeostat's own steps (model calls) attach writes. */
const ATTACH = Symbol('homeostat.attachToCheckpoint');

type Attachable = StepContext & { [ATTACH]?: (companion: CheckpointCompanion) => void };

/**
 * Ask that `companion` be committed with this step's checkpoint. False when this step
 * context cannot take it (it was not made by the engine's step runner): the caller then
 * makes the writes itself.
 */
export function attachToCheckpoint(step: StepContext, companion: CheckpointCompanion): boolean {
  const attach = (step as Attachable)[ATTACH];
  if (attach === undefined) return false;
  attach(companion);
  return true;
}

/** Make the writes on their own, now; a failure leaves them to the next execution (which releases what is open). */
export function writeAlone(companion: CheckpointCompanion): void {
  companion.alone().catch(() => undefined);
}

/**
 * One attempt's place for a companion. Open while the attempt runs; {@link take} hands
 * it to the checkpoint when the attempt succeeded, {@link discard} writes it alone when it
 * did not. A companion attached after either (a step that ignored its timeout and went on)
 * is written alone at once.
 */
export class CompanionSlot {
  private companion: CheckpointCompanion | undefined;
  private closed = false;

  /** The step context of this attempt, able to take a companion. */
  contextOf(step: StepContext): StepContext {
    (step as Attachable)[ATTACH] = this.attach;
    return step;
  }

  take(): CheckpointCompanion | undefined {
    this.closed = true;
    const companion = this.companion;
    this.companion = undefined;
    return companion;
  }

  discard(): void {
    const companion = this.take();
    if (companion) writeAlone(companion);
  }

  private readonly attach = (companion: CheckpointCompanion): void => {
    // One per attempt: a second one is not silently dropped but written on its own.
    if (this.closed || this.companion) writeAlone(companion);
    else this.companion = companion;
  };
}
