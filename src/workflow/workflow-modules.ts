import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWorkflowDefinition, type WorkflowDefinition } from './define-workflow.js';
import { isInternalWorkflow } from './internal-workflows.js';

/** Why one module gave no workflows: it is TypeScript, it failed to import, it exports none, or a name clashes. */
export class WorkflowModuleError extends Error {
  constructor(
    readonly modulePath: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkflowModuleError';
  }
}

/**
 * The workflows one ES module exports: every export that {@link defineWorkflow} made, and
 * every such value inside an exported array (`export default [repair, rebuild]`). Imported
 * once per process (Node caches modules: a changed file needs a restart to be read again).
 * Throws {@link WorkflowModuleError} when the file is TypeScript (compile it first), fails
 * to import, or exports no workflow.
 *
 * @example await workflowsOfModule('./runbooks.js', '/etc/homeostat') // [rebuildIndex, redriveOrders]
 */
export async function workflowsOfModule(modulePath: string, baseDir = process.cwd()): Promise<WorkflowDefinition[]> {
  if (/\.(c|m)?tsx?$/.test(modulePath)) throw new WorkflowModuleError(modulePath, `${modulePath} is TypeScript: compile it first (tsc) and name the .js file`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(baseDir, modulePath)).href)) as Record<string, unknown>;
  } catch (cause) {
    // Node names its own importer ("imported from …/workflow-modules.js"): noise to the reader.
    throw new WorkflowModuleError(modulePath, `cannot load ${modulePath}: ${(cause as Error).message.replace(/ imported from \S+$/, '')}`);
  }
  const found = new Map<string, WorkflowDefinition>();
  for (const value of Object.values(loaded)) {
    for (const candidate of Array.isArray(value) ? value : [value]) {
      if (isWorkflowDefinition(candidate)) found.set(candidate.name, candidate);
    }
  }
  if (found.size === 0) throw new WorkflowModuleError(modulePath, `${modulePath} exports no workflows (export what defineWorkflow returns)`);
  return [...found.values()];
}

/**
 * The workflows of several modules, for one engine: a name defined in two modules, or one
 * in homeostat's reserved `homeostat.` namespace, is an error naming the module — two
 * definitions of one name would run whichever registered last.
 *
 * @example await workflowsOfModules(['./runbooks.js', './repairs.js'], baseDir) // one list, names unique
 */
export async function workflowsOfModules(modulePaths: readonly string[], baseDir = process.cwd()): Promise<WorkflowDefinition[]> {
  const byName = new Map<string, { workflow: WorkflowDefinition; from: string }>();
  for (const modulePath of modulePaths) {
    for (const workflow of await workflowsOfModule(modulePath, baseDir)) {
      if (isInternalWorkflow(workflow.name)) throw new WorkflowModuleError(modulePath, `${modulePath} defines "${workflow.name}": names starting with "homeostat." are homeostat's own`);
      const earlier = byName.get(workflow.name);
      if (earlier) throw new WorkflowModuleError(modulePath, `${modulePath} defines "${workflow.name}", which ${earlier.from} defines too`);
      byName.set(workflow.name, { workflow, from: modulePath });
    }
  }
  return [...byName.values()].map((entry) => entry.workflow);
}
