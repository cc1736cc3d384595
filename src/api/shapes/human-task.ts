import { redactJsonText } from '../../knowledge/redact.js';
import type { HumanTaskRecord } from '../../store/human-task-records.js';

/** A human task as the API and CLI show it: input and result parsed, redacted like every view. */
export type HumanTaskView = Omit<HumanTaskRecord, 'input' | 'result'> & { input: unknown; result: unknown };

export function humanTaskShape(task: HumanTaskRecord): HumanTaskView {
  return { ...task, input: JSON.parse(redactJsonText(task.input)) as unknown, result: task.result === null ? null : (JSON.parse(redactJsonText(task.result)) as unknown) };
}
