/** What a completed human task tells the run that waits for it (signal `human-task:<id>`). */
export interface HumanTaskOutcome {
  result: unknown;
  /** Who answered (`operator:alice`). */
  by: string;
}

/** The signal a run waits on for human task `id`: unique to the task. */
export function humanTaskSignalName(id: string): string {
  return `human-task:${id}`;
}
