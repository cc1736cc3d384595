// One vocabulary of health for every view: what colour, what word.
import { h } from '../dom.js';

/** Instance state and health as one status: its colour class and how bad it is (higher is worse). */
const LEVELS = {
  healthy: { tone: 'ok', rank: 0 },
  unprobed: { tone: 'ok', rank: 1 },
  standby: { tone: 'idle', rank: 1 },
  stopped: { tone: 'idle', rank: 2 },
  starting: { tone: 'info', rank: 3 },
  unknown: { tone: 'info', rank: 3 },
  'not-ready': { tone: 'warn', rank: 4 },
  down: { tone: 'bad', rank: 5 },
  restarting: { tone: 'bad', rank: 5 },
  unhealthy: { tone: 'bad', rank: 6 },
  'crash-looping': { tone: 'bad', rank: 7 },
};

/** After a crash, how long a replacement that is not yet healthy counts as the crash still going on. */
export const RECOVERY_MS = 60_000;

/** Whether an exit was a failure (not a stop or scale-down the supervisor asked for). */
export function crashed(exit) {
  return Boolean(exit) && exit.reason !== 'stopped';
}

/**
 * What an instance is, from its saved state and health: a process that is not running
 * (exited, in restart backoff, failed) is `down` whatever its last probe said, and the
 * replacement of a crashed one is `restarting` until it is healthy: it serves nothing
 * yet, and "starting" would read as a planned start.
 */
export function instanceStatus(instance, now = Date.now()) {
  const { state, health } = instance;
  let status;
  if (state === 'crash-looping') status = 'crash-looping';
  else if (state === 'stopped' || state === 'stopping') status = 'stopped';
  else if (['exited', 'backoff', 'failed'].includes(state)) status = 'down';
  else if (state === 'starting') status = 'starting';
  else if (health === '-' || health === undefined || health === null) status = state === 'running' ? 'unknown' : 'down';
  else status = health in LEVELS ? health : 'unknown';
  const exit = instance.details?.lastExit;
  if ((status === 'starting' || status === 'unknown') && crashed(exit) && now - exit.at < RECOVERY_MS) return 'restarting';
  return status;
}

/** The worst of some statuses. */
export function worstStatus(statuses) {
  let worst = 'unknown';
  let rank = -1;
  for (const status of statuses) {
    const level = LEVELS[status] ?? LEVELS.unknown;
    if (level.rank > rank) {
      rank = level.rank;
      worst = status;
    }
  }
  return worst;
}

export function toneOf(status) {
  return (LEVELS[status] ?? LEVELS.unknown).tone;
}

/** A coloured pill: "healthy", "crash-looping", "awaiting-approval", "failed" … */
export function badge(status, label = status) {
  return h('span', { class: ['badge', `tone-${toneOfAny(status)}`], dataset: { status } }, label);
}

const OTHER_TONES = {
  open: 'bad',
  remediating: 'warn',
  'awaiting-approval': 'warn',
  escalated: 'bad',
  resolved: 'ok',
  pending: 'warn',
  approved: 'ok',
  denied: 'bad',
  expired: 'idle',
  running: 'info',
  waiting: 'info',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'idle',
  parked: 'warn',
  // Agents (alive / late / dead from heartbeat age) and their tasks.
  alive: 'ok',
  late: 'warn',
  dead: 'bad',
  queued: 'idle',
  claimed: 'info',
  'in-service': 'ok',
  quarantined: 'bad',
  retired: 'idle',
  // Quorums: accepted, or no k answers agreed.
  accepted: 'ok',
  'no-quorum': 'bad',
};

function toneOfAny(status) {
  return OTHER_TONES[status] ?? toneOf(status);
}
