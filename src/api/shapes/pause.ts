import type { PauseRecord } from '../../store/records.js';
import { closedObject, number, text } from './json-schema.js';

export const pauseSchema = closedObject({ scope: text, by: text, reason: text, pausedAt: number });

export function pauseShape(pause: PauseRecord) {
  return { scope: pause.scope, by: pause.by, reason: pause.reason, pausedAt: pause.pausedAt };
}
