import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { redactText } from '../knowledge/redact.js';
import type { ActionOutcome } from './actuators.js';

/** Where a command looks for programs when `up` itself has no `PATH`. */
const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A local account, as /etc/passwd has it. */
export interface CommandUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface CommandSpec {
  /** The shell command (`sh -c`). */
  run: string;
  timeoutMs: number;
  /** Who and what the action is for: `HOMEOSTAT_SERVICE`, `HOMEOSTAT_INSTANCE`, `HOMEOSTAT_INCIDENT`. */
  about: { service: string; instance: string; incident: string };
  /** Literal variables from the config. */
  env?: Record<string, string>;
  /** Variables copied from `up`'s own environment, by name (a name `up` does not have is left out). */
  passEnv?: readonly string[];
  /** Run as this local user (`up` must be allowed to switch: root, or the same user). */
  user?: string;
}

/**
 * The environment a `command` action gets: only what the config names, never `up`'s whole
 * environment — `up` holds API tokens, database URLs and webhook secrets, and a runbook
 * command is written by whoever may edit the config, not by whoever runs `up`. It gets
 * `PATH` (to find programs), the three `HOMEOSTAT_*` variables, `HOME`/`USER`/`LOGNAME` of
 * `user` when it runs as one, each `passEnv` name `up` has, and the literal `env` — in that
 * order, so the config's literals win.
 *
 * @example commandEnvironment({ run: 'x', timeoutMs: 1, about: { service: 'db', instance: 'db#0', incident: 'i1' }, passEnv: ['PGHOST'] }, { PATH: '/bin', PGHOST: 'h', API_TOKEN: 's' })
 * // { PATH: '/bin', HOMEOSTAT_SERVICE: 'db', HOMEOSTAT_INSTANCE: 'db#0', HOMEOSTAT_INCIDENT: 'i1', PGHOST: 'h' } — no API_TOKEN
 */
export function commandEnvironment(spec: CommandSpec, from: NodeJS.ProcessEnv, user?: CommandUser): Record<string, string> {
  const env: Record<string, string> = {
    PATH: from.PATH ?? FALLBACK_PATH,
    HOMEOSTAT_SERVICE: spec.about.service,
    HOMEOSTAT_INSTANCE: spec.about.instance,
    HOMEOSTAT_INCIDENT: spec.about.incident,
  };
  if (user) Object.assign(env, { HOME: user.home, USER: user.name, LOGNAME: user.name });
  for (const name of spec.passEnv ?? []) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...spec.env };
}

/**
 * The account `name` from /etc/passwd (the one source every Linux has without a libc
 * binding); undefined when there is none.
 * @example lookupUser('nobody') // { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' }
 */
export function lookupUser(name: string, passwd = '/etc/passwd'): CommandUser | undefined {
  for (const line of readFileSync(passwd, 'utf8').split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid), home: home || '/' };
  }
  return undefined;
}

/**
 * Run a `command` action: `sh -c` in its own process group (a timeout, an abort or the end
 * of the command stops what it started in the background too), with
 * {@link commandEnvironment}, optionally as another user. `guard` registers the pid with the
 * orphan reaper for the run's length. Exit code 0 succeeds; the detail keeps the last lines
 * of its output, redacted.
 */
export function runCommandAction(spec: CommandSpec, signal: AbortSignal, guard?: (pid: number) => () => void): Promise<ActionOutcome> {
  let user: CommandUser | undefined;
  if (spec.user !== undefined) {
    try {
      user = lookupUser(spec.user);
    } catch (error) {
      return Promise.resolve({ ok: false, detail: `cannot run as ${spec.user}: ${(error as Error).message}` });
    }
    if (!user) return Promise.resolve({ ok: false, detail: `cannot run as ${spec.user}: no such user on this machine (/etc/passwd)` });
  }
  const env = commandEnvironment(spec, process.env, user);
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', spec.run], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    const release = child.pid !== undefined && guard ? guard(child.pid) : undefined;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const timer = setTimeout(killGroup, spec.timeoutMs);
    if (signal.aborted) killGroup();
    signal.addEventListener('abort', killGroup, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', killGroup);
      killGroup(); // what it left running in the background
      release?.();
    };
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      done();
      resolve({ ok: false, detail: `command failed to run${user ? ` as ${user.name}` : ''}: ${error.message}` });
    });
    child.on('close', (code, killed) => {
      done();
      const tail = redactText(output.trim().split('\n').slice(-5).join(' | '));
      resolve({ ok: code === 0, detail: `\`${redactText(spec.run)}\`${user ? ` (as ${user.name})` : ''} exited ${code ?? killed}${tail ? `: ${tail}` : ''}` });
    });
  });
}
