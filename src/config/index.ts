export { loadConfig, parseConfig, type LoadedConfig } from './load-config.js';
export { ConfigError, formatIssue, type ConfigIssue } from './config-error.js';
export { configSchema, type HomeostatConfig } from './schema/root.js';
export { serviceSchema, TEMPLATE_NAMES, type ServiceConfig } from './schema/services.js';
export { probeSchema, type ProbeConfig, type ProbeName, type ProbesConfig } from './schema/probes.js';
export { parseByteSize } from './schema/units.js';
export { modelsSchema, modelProviderSchema, type ModelsConfig, type ModelProviderConfig } from './schema/models.js';
