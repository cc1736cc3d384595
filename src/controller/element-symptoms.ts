import type { Symptom } from '../analyze/symptom.js';
import type { ElementEvent } from '../supervisor/element-events.js';

/**
 * The symptom an element event is, if any (a crash, a failing liveness probe, a crash
 * loop, a resource breach, a spawn failure).
 * @example symptomOf({ kind: 'process-exited', code: 1, reason: 'exited', … }) // { name: 'process-crashed', … }
 * @example symptomOf({ kind: 'process-spawned', … }) // undefined
 */
export function symptomOf(event: ElementEvent): Symptom | undefined {
  const base = { element: event.element, at: event.at, signal: { ...event } as Record<string, unknown> };
  switch (event.kind) {
    case 'process-exited':
      if (event.reason === 'stopped' || event.reason === 'requested') return undefined;
      if (event.reason === 'liveness' || event.reason === 'startup') return { ...base, name: 'liveness-failing', instance: event.instance, labels: { probe: event.reason } };
      if (event.reason === 'memory') return { ...base, name: 'resource-breach', instance: event.instance, labels: { resource: 'memory' } };
      if (event.code === 0 && event.signal === null) return undefined;
      return { ...base, name: 'process-crashed', instance: event.instance, labels: { code: String(event.code ?? event.signal) } };
    case 'probe-changed':
      if (event.to !== 'failing') return undefined;
      return { ...base, name: event.probe === 'readiness' ? 'readiness-failing' : 'liveness-failing', instance: event.instance, labels: { probe: event.probe } };
    case 'crash-looping':
      return { ...base, name: 'crash-looping', instance: event.instance, labels: {} };
    case 'resource-breach':
      return { ...base, name: 'resource-breach', instance: event.instance, labels: { resource: event.resource } };
    case 'spawn-failed':
      // A reload's trial start: the previous spec is back, the config manager reports it.
      if (event.trial) return undefined;
      return { ...base, name: 'spawn-failed', instance: event.instance, labels: {} };
    default:
      return undefined;
  }
}
