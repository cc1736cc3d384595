import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * Workflows named `homeostat.*` are the controller's own (the remediation workflow).
 * Their runs act on supervised processes with the controller's authority, so only the
 * controller may start, signal, cancel or redrive them: an operator who could start one
 * with an input of their choosing, or answer its approval signal directly, would act
 * with that authority and outside the approvals and the audit.
 */
export const INTERNAL_WORKFLOW_PREFIX = 'homeostat.';

export function isInternalWorkflow(name: string): boolean {
  return name.startsWith(INTERNAL_WORKFLOW_PREFIX);
}

/**
 * Throws `HS_INTERNAL_WORKFLOW` (the API's 403) when `workflow` is internal, for the public
 * surfaces — the HTTP API and the CLI — that start and steer runs on a user's behalf.
 * @example refuseInternalWorkflow('homeostat.remediate', 'start') // throws
 */
export function refuseInternalWorkflow(workflow: string, operation: 'start' | 'signal' | 'cancel' | 'redrive', runId?: string): void {
  if (!isInternalWorkflow(workflow)) return;
  const what = runId === undefined ? `"${workflow}"` : `run ${runId} of "${workflow}"`;
  throw new HomeostatError(
    'HS_INTERNAL_WORKFLOW',
    `cannot ${operation} ${what}: workflows named ${INTERNAL_WORKFLOW_PREFIX}* are internal to homeostat's controller (remediations are started by the loop from the applied config; answer approvals with \`homeostat approve\`, stop remediation with \`homeostat pause\`)`,
    { retryable: false },
  );
}
