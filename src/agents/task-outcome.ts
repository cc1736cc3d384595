/**
 * What a finished task tells the run that waits for it, as the payload of the signal
 * `agent-task:<task id>`: the dispatcher sends it, `agents.task` consumes it.
 */
export type AgentTaskOutcome = { status: 'completed'; result: unknown; agent: string } | { status: 'failed' | 'dead'; error: string; agent: string | null };

/** The signal a run waits on for task `taskId`: unique to the task, so a repeated send is never consumed twice. */
export function taskSignalName(taskId: string): string {
  return `agent-task:${taskId}`;
}
