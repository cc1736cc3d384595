/** Where a human task stands: waiting in an inbox, done, or handed on by an escalation. */
export type HumanTaskStatus = 'open' | 'completed' | 'escalated';

/** A task of a graph routed to a person or role (docs/agents.md, human tasks). */
export interface HumanTaskRecord {
  /** `<run id>:<wave step seq>:<graph task id>`, or that plus `:esc<n>` for a reassignment. */
  id: string;
  runId: string;
  /** The graph task it stands for. */
  task: string;
  assignee: string;
  /** JSON text: what the person is asked to look at (the task's params and its deps' outputs). */
  input: string;
  status: HumanTaskStatus;
  /** When it lapses into an escalation; null: no due time. */
  dueAt: number | null;
  /** JSON text of the answer (completed). */
  result: string | null;
  /** Who completed it (`operator:alice`), or for an escalated one whom it went to. */
  completedBy: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export type NewHumanTaskRecord = Pick<HumanTaskRecord, 'id' | 'runId' | 'task' | 'assignee' | 'input' | 'dueAt' | 'createdAt'>;
