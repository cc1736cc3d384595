import type { ApiTokenRecord } from '../../store/records.js';
import { closedObject, nullableNumber, number, oneOf, text } from './json-schema.js';

/** A token as the API lists it: never its salt or hash. */
export const apiTokenProperties = { id: text, name: text, role: oneOf(['viewer', 'operator', 'admin', 'agent']), createdAt: number, createdBy: text, revokedAt: nullableNumber };
export const apiTokenSchema = closedObject(apiTokenProperties);

export function apiTokenShape(token: ApiTokenRecord) {
  return { id: token.id, name: token.name, role: token.role, createdAt: token.createdAt, createdBy: token.createdBy, revokedAt: token.revokedAt };
}
