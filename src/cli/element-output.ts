import type { ElementEvent } from '../supervisor/element-events.js';
import { formatDuration } from './output.js';

/** Bytes as a short human size: 812KB, 143MB, 1.2GB. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  if (bytes < 1_000_000) return `${Math.round(bytes / 1_000)}KB`;
  if (bytes < 1_000_000_000) return `${Math.round(bytes / 1_000_000)}MB`;
  return `${(bytes / 1_000_000_000).toFixed(1)}GB`;
}

/** How a process ended, in a few characters: `code 1`, `SIGKILL`, `code 0`. */
export function formatExit(exit: { code: number | null; signal: string | null; reason?: string } | null): string {
  if (!exit) return '-';
  const how = exit.signal ? exit.signal : `code ${exit.code}`;
  return exit.reason && exit.reason !== 'exited' ? `${how} (${exit.reason})` : how;
}

/** One line per supervisor event, for `homeostat up`'s output. */
export function describeEvent(event: ElementEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  const who = 'instance' in event ? event.instance : event.element;
  switch (event.kind) {
    case 'process-spawned':
      return `${time} ${who} spawned pid ${event.pid}${event.port ? ` on port ${event.port}` : ''}${event.restarts ? ` (restart ${event.restarts})` : ''}`;
    case 'spawn-failed':
      return `${time} ${who} could not start: ${event.message}`;
    case 'process-exited': {
      const last = event.lastLines.at(-1);
      return `${time} ${who} exited: ${formatExit(event)} after ${formatDuration(event.uptimeMs)}${last ? ` — last line: ${last.slice(0, 120)}` : ''}`;
    }
    case 'restart-scheduled':
      return `${time} ${who} restarting ${event.delayMs === 0 ? 'now' : `in ${formatDuration(event.delayMs)}`} (attempt ${event.attempt})`;
    case 'crash-looping':
      return `${time} ${who} CRASH-LOOPING: ${event.restartsInWindow} restarts in ${formatDuration(event.windowMs)}; retrying every ${formatDuration(event.nextRetryMs)}`;
    case 'crash-loop-cleared':
      return `${time} ${who} stable again after a crash loop (up ${formatDuration(event.stableForMs)})`;
    case 'probe-changed':
      return `${time} ${who} ${event.probe} ${event.from} → ${event.to}: ${event.message}`;
    case 'resource-breach':
      return `${time} ${who} ${event.resource} ${event.resource === 'memory' ? formatBytes(event.value) : `${event.value.toFixed(0)}%`} over ${event.resource === 'memory' ? formatBytes(event.limit) : `${event.limit}%`}${event.action === 'restart' ? ': restarting' : ''}`;
    case 'resource-recovered':
      return `${time} ${who} ${event.resource} back under its limit`;
    case 'failover':
      return `${time} ${event.element} FAILOVER ${event.from} → ${event.to}: ${event.reason}`;
    case 'scaled':
      return `${time} ${event.element} scaled ${event.from} → ${event.to} replicas`;
    case 'leftover-stopped':
      return `${time} ${who} LEFTOVER pid ${event.pid} of a previous homeostat up (pid ${event.ownerPid}, gone) stopped by ${event.stoppedBy} before starting`;
    case 'dependency-timeout':
      return `${time} ${event.element} STARTED WITHOUT ITS DEPENDENCIES: ${event.dependencies.join(', ')} not ready after ${formatDuration(event.waitedMs)} (startup.dependencyTimeout)`;
  }
}
