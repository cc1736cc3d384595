// Who may import whom between the folders of src/: the layer rules of
// docs/architecture.md, as data. The lint rule in layer-imports-rule.js enforces them and a
// test (test/lint/layer-imports.test.ts) checks the table in the docs against this one.
//
// A folder may always import its own files. Tests (`*.test.ts`, `test/`) may import
// anything: they reach into a layer to test it.

/** Folder under src/ → the folders under src/ its files may import. */
export const LAYERS = {
  errors: [],
  telemetry: ['errors'],
  resilience: ['errors'],
  testing: ['errors', 'resilience'],
  store: ['errors'],
  workflow: ['errors', 'resilience', 'telemetry', 'store'],
  analyze: ['errors'],
  config: ['errors', 'resilience', 'analyze'],
  monitor: ['errors', 'resilience'],
  supervisor: ['errors', 'resilience', 'config', 'store'],
  knowledge: ['errors', 'analyze', 'config', 'store'],
  plan: ['errors', 'resilience', 'telemetry', 'config', 'knowledge'],
  // Model steps are durable steps (workflow) with records and a budget ledger (store).
  model: ['errors', 'resilience', 'store', 'workflow', 'config', 'knowledge'],
  // Agents do work for workflows (tasks are durable steps and signals) over the store's agent tables.
  agents: ['errors', 'resilience', 'store', 'workflow'],
  execute: ['errors', 'resilience', 'telemetry', 'store', 'workflow', 'analyze', 'config', 'monitor', 'supervisor', 'knowledge', 'plan'],
  // The API is served by the controller's runtime: the API may not reach back into it.
  api: ['errors', 'resilience', 'telemetry', 'store', 'workflow', 'analyze', 'config', 'monitor', 'supervisor', 'knowledge', 'plan', 'execute', 'agents'],
  // The front doors (`expose:`): proxies over the supervisor's routing, owned by `up`.
  traffic: ['errors', 'telemetry', 'config'],
  // The controller probes drained model providers (model/provider-probe.ts).
  controller: ['errors', 'resilience', 'telemetry', 'store', 'workflow', 'analyze', 'config', 'monitor', 'supervisor', 'knowledge', 'plan', 'execute', 'agents', 'api', 'model'],
  cli: ['errors', 'resilience', 'telemetry', 'store', 'workflow', 'analyze', 'config', 'monitor', 'supervisor', 'knowledge', 'plan', 'execute', 'agents', 'api', 'controller', 'traffic'],
};

/** `src/index.ts`, the public API, may export from any folder; examples may import only it … */
export const PUBLIC_API = 'src/index.ts';
/** … and `homeostat/testing` (the stand-ins a demo drives, as a user's tests would). */
export const TESTING_API = 'src/testing/index.ts';
