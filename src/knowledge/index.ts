export { Knowledge } from './knowledge.js';
export { AuditLog, auditHash, type AuditVerification } from './audit-log.js';
export { Incidents, type NewIncident, type IncidentExplanation } from './incidents.js';
export { ConfigVersions } from './config-versions.js';
export { redact, redactText, isSecretKey, REDACTED } from './redact.js';
export { canonicalJson } from './canonical-json.js';
