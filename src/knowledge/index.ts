export { Knowledge } from './knowledge.js';
export { AuditLog, auditHash, type AuditVerification, type AnchorCheck } from './audit-log.js';
export { auditKeyFromEnv, formatHead, parseHead, headMac, type AuditHead, type AuditAnchorOptions } from './audit-head.js';
export { Incidents, type NewIncident, type IncidentExplanation, type ResolvedListener } from './incidents.js';
export { Approvals } from './approvals.js';
export { ConfigVersions } from './config-versions.js';
export { redact, redactText, redactJsonText, isSecretKey, REDACTED } from './redact.js';
export { redactYaml } from './redact-yaml.js';
export { canonicalJson } from './canonical-json.js';
