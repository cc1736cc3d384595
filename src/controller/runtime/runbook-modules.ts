import { readFileSync } from 'node:fs';
import { ConfigError, formatIssue, type ConfigIssue } from '../../config/config-error.js';
import { configIssueAt, type LoadedConfig } from '../../config/load-config.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import type { RunStore } from '../../store/ports/run-store.js';
import type { WorkflowDefinition } from '../../workflow/define-workflow.js';
import { WorkflowModuleError, workflowsOfModules } from '../../workflow/workflow-modules.js';

/**
 * The user's workflows `up` registers (`workflows.modules`, relative to the config file):
 * the leader's worker runs them, so a `workflow` rung names a runbook without a separate
 * `homeostat worker`. A module that is TypeScript, does not import, exports no workflow,
 * or defines a name another module or homeostat itself has refuses the start with
 * `HS_CONFIG_INVALID` at that entry's file:line — before any process is started.
 *
 * @example const runbooks = await loadRunbookModules(loaded) // [rebuildIndex]
 */
export async function loadRunbookModules(loaded: LoadedConfig, readText: (file: string) => string = (file) => readFileSync(file, 'utf8')): Promise<WorkflowDefinition[]> {
  const modules = loaded.config.workflows.modules;
  if (modules.length === 0) return [];
  try {
    return await workflowsOfModules(modules, loaded.baseDir);
  } catch (error) {
    if (!(error instanceof WorkflowModuleError)) throw error;
    const index = modules.indexOf(error.modulePath);
    throw new ConfigError('HS_CONFIG_INVALID', [configIssueAt(readText(loaded.file), loaded.file, ['workflows', 'modules', Math.max(index, 0)], error.message)], error);
  }
}

/**
 * The `workflow` rungs that name a workflow nobody runs: neither loaded by `up` nor
 * registered in the store by a `homeostat worker`. Not an error — a worker may register it
 * later — but said at start, at the rung's file:line, rather than first at an incident.
 *
 * @example unknownRunbookRungs(config, text, file, new Set(['rebuild-index'])) // [{ path: 'policies.repair.ladder.0.name', message: 'no loaded module or registered worker runs workflow "rebuild-idx"', … }]
 */
export function unknownRunbookRungs(config: HomeostatConfig, text: string, file: string, known: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [policy, definition] of Object.entries(config.policies)) {
    for (const [rung, action] of definition.ladder.entries()) {
      if (action.action !== 'workflow' || known.has(action.name)) continue;
      issues.push(configIssueAt(text, file, ['policies', policy, 'ladder', rung, 'name'], `no module in workflows.modules and no registered worker runs workflow "${action.name}": the rung will fail until one does`));
    }
  }
  return issues;
}

/**
 * Say each {@link unknownRunbookRungs} at start-up (the file as `up` read it). A failure to
 * read the file or the store is not `up`'s to die of: it only loses the warning.
 */
export async function warnUnknownRunbooks(loaded: LoadedConfig, store: Pick<RunStore, 'knownWorkflows'>, runbooks: readonly WorkflowDefinition[], warn: (line: string) => void): Promise<void> {
  const rungs = Object.values(loaded.config.policies).flatMap((policy) => policy.ladder).filter((action) => action.action === 'workflow');
  if (rungs.length === 0) return;
  try {
    const known = new Set([...runbooks.map((workflow) => workflow.name), ...(await store.knownWorkflows())]);
    for (const issue of unknownRunbookRungs(loaded.config, readFileSync(loaded.file, 'utf8'), loaded.file, known)) warn(formatIssue(issue));
  } catch {
    // the warning is lost, nothing else
  }
}
