/**
 * The element a workflow's symptoms are about (`workflow:<name>`): not a process, so it has
 * no probes — its health is its runs', which verification does not wait on (a failed run
 * stays failed until someone, or a `redrive` rung, redrives it).
 */
const PREFIX = 'workflow:';

/** @example workflowElement('order.fulfil') // 'workflow:order.fulfil' */
export function workflowElement(workflow: string): string {
  return `${PREFIX}${workflow}`;
}

/** @example isWorkflowElement('workflow:order.fulfil') // true */
export function isWorkflowElement(element: string): boolean {
  return element.startsWith(PREFIX);
}
