import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ProcessSpec } from './process-instance.js';

/**
 * Linux's MAX_ARG_STRLEN (32 pages of 4 KiB): the most bytes one argv or envp string may
 * take, its NUL included. execve fails with E2BIG past it, whatever ARG_MAX is.
 */
export const MAX_ARG_STRLEN = 131_072;

/**
 * ARG_MAX when `getconf ARG_MAX` cannot be read: 2 MiB, what Linux allows under the
 * default 8 MiB stack limit (a quarter of it). A lower guess would reject specs that start.
 */
export const DEFAULT_ARG_MAX = 2_097_152;

/** Linux never allows more than 3/4 of _STK_LIM (6 MiB) for argv + envp, whatever the stack rlimit says. */
const KERNEL_ARG_MAX_CAP = 6_291_456;

/** What execve counts per argv/envp pointer (64-bit). */
const POINTER_BYTES = 8;

/** Where `spawn` looks when the child's environment has no PATH (libuv's default, as glibc's). */
const DEFAULT_PATH = '/usr/bin:/bin';

/** One reason a process spec would not start, and which part of the spec it is about. */
export interface SpawnProblem {
  /** `total`: the argv + envp size as a whole. */
  part: 'command' | 'cwd' | 'args' | 'env' | 'total';
  /** For `args`: which argument (0-based). */
  index?: number;
  /** For `env`: which variable. */
  key?: string;
  message: string;
}

export interface SpawnLimits {
  /** Bytes argv + envp may take in all (strings with their NULs, and the pointers). */
  argMax: number;
  /** Bytes one string may take, its NUL included. */
  maxArgStrlen: number;
}

let cachedLimits: SpawnLimits | undefined;

/**
 * This machine's limits, read once: `getconf ARG_MAX` (it follows the stack rlimit `up`
 * runs under), capped at the kernel's 6 MiB; {@link DEFAULT_ARG_MAX} if it cannot be read.
 */
export function spawnLimits(): SpawnLimits {
  if (cachedLimits) return cachedLimits;
  let argMax = DEFAULT_ARG_MAX;
  try {
    const read = Number.parseInt(execFileSync('getconf', ['ARG_MAX'], { encoding: 'utf8', timeout: 2_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim(), 10);
    if (Number.isSafeInteger(read) && read > 0) argMax = Math.min(read, KERNEL_ARG_MAX_CAP);
  } catch {
    // no getconf (a minimal image): the default
  }
  cachedLimits = { argMax, maxArgStrlen: MAX_ARG_STRLEN };
  return cachedLimits;
}

/**
 * Every reason `spawn(spec.command, spec.args, { cwd, env })` would fail before the
 * program runs, found without starting anything: NUL bytes (Node refuses them), a `cwd`
 * that is missing or not a directory, a command that does not resolve to an executable
 * file (a path with a `/` relative to `cwd`, else looked up on the child's `PATH` as
 * spawn does), one string over MAX_ARG_STRLEN, argv + envp over ARG_MAX (E2BIG).
 * Empty when the spec can be spawned; what it cannot foresee (a shebang naming a missing
 * interpreter, a file deleted a moment later) still fails at spawn time.
 *
 * @example checkSpawnable({ command: 'node', args: ['api.js'], cwd: '/srv/api', env }) // []
 * @example checkSpawnable({ command: './missing', args: [], cwd: '/srv', env }) // [{ part: 'command', message: 'command "./missing": /srv/missing does not exist' }]
 */
export function checkSpawnable(spec: ProcessSpec, limits: SpawnLimits = spawnLimits()): SpawnProblem[] {
  const problems: SpawnProblem[] = [];
  problems.push(...nulBytes(spec));
  const cwdProblem = checkDirectory(spec.cwd);
  if (cwdProblem) problems.push({ part: 'cwd', message: cwdProblem });
  const executable = resolveExecutable(spec.command, spec.cwd, spec.env.PATH);
  if (executable.problem) problems.push({ part: 'command', message: executable.problem });
  problems.push(...sizeProblems(spec, executable.file ?? spec.command, limits));
  return problems;
}

/**
 * The file `spawn` would execute for `command`: with a `/`, the path (relative to `cwd`,
 * where the child is when it calls execve); without, the first executable regular file
 * named so in a `PATH` folder (relative folders and empty entries are relative to `cwd`).
 */
export function resolveExecutable(command: string, cwd: string, path: string | undefined): { file?: string; problem?: string } {
  if (command === '') return { problem: 'the command is empty' };
  if (command.includes('\0')) return { problem: 'the command contains a NUL byte' };
  if (command.includes('/')) {
    const file = resolve(cwd, command);
    const problem = checkExecutable(file);
    return problem ? { problem: `command "${command}": ${problem}` } : { file };
  }
  const folders = (path ?? DEFAULT_PATH).split(':');
  let notExecutable: string | undefined;
  for (const folder of folders) {
    const file = resolve(cwd, folder === '' ? '.' : folder, command);
    const problem = checkExecutable(file);
    if (!problem) return { file };
    if (!problem.endsWith('does not exist')) notExecutable ??= problem;
  }
  const where = path === undefined ? `the default PATH ${DEFAULT_PATH} (the environment has no PATH)` : `PATH (${shorten(path, 200)})`;
  return { problem: notExecutable ? `command "${command}": not found as an executable file on ${where} (${notExecutable})` : `command "${command}": not found on ${where}` };
}

function checkExecutable(file: string): string | undefined {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? `${file} does not exist` : `${file} cannot be read (${(error as Error).message})`;
  }
  if (stats.isDirectory()) return `${file} is a directory`;
  if (!stats.isFile()) return `${file} is not a regular file`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return `${file} is not executable (mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

function checkDirectory(dir: string): string | undefined {
  if (!isAbsolute(dir)) return `cwd ${dir} is not an absolute path`;
  let stats;
  try {
    stats = statSync(dir);
  } catch {
    return `cwd ${dir} does not exist`;
  }
  if (!stats.isDirectory()) return `cwd ${dir} is not a directory`;
  try {
    accessSync(dir, constants.X_OK);
  } catch {
    return `cwd ${dir} cannot be entered (no search permission)`;
  }
  return undefined;
}

/** Node's spawn throws on a NUL byte in any string it passes on. */
function nulBytes(spec: ProcessSpec): SpawnProblem[] {
  const problems: SpawnProblem[] = [];
  if (spec.cwd.includes('\0')) problems.push({ part: 'cwd', message: 'cwd contains a NUL byte' });
  spec.args.forEach((arg, index) => {
    if (arg.includes('\0')) problems.push({ part: 'args', index, message: `argument ${index} contains a NUL byte` });
  });
  for (const [key, value] of Object.entries(spec.env)) {
    if (key.includes('\0') || value.includes('\0')) problems.push({ part: 'env', key, message: `environment variable ${JSON.stringify(key)} contains a NUL byte` });
  }
  return problems;
}

/**
 * What execve counts against ARG_MAX: each argv and envp string with its NUL, a pointer for
 * each, and the executed file's path with its NUL (measured on Linux: a total of exactly
 * ARG_MAX spawns, one byte more fails with E2BIG).
 */
function sizeProblems(spec: ProcessSpec, file: string, limits: SpawnLimits): SpawnProblem[] {
  const problems: SpawnProblem[] = [];
  const sized: { problem: Omit<SpawnProblem, 'message'>; name: string; bytes: number }[] = [
    { problem: { part: 'command' }, name: 'the command', bytes: Buffer.byteLength(spec.command) + 1 },
    ...spec.args.map((arg, index) => ({ problem: { part: 'args' as const, index }, name: `argument ${index}`, bytes: Buffer.byteLength(arg) + 1 })),
    ...Object.entries(spec.env).map(([key, value]) => ({ problem: { part: 'env' as const, key }, name: `environment variable ${key}`, bytes: Buffer.byteLength(key) + 1 + Buffer.byteLength(value) + 1 })),
  ];
  for (const item of sized) {
    if (item.bytes > limits.maxArgStrlen) {
      problems.push({ ...item.problem, message: `${item.name} is ${bytes(item.bytes)} with its NUL, over Linux's limit of ${bytes(limits.maxArgStrlen)} for one argument or environment string (MAX_ARG_STRLEN; spawn fails with E2BIG)` });
    }
  }
  const strings = sized.reduce((sum, item) => sum + item.bytes, 0);
  const total = strings + sized.length * POINTER_BYTES + Buffer.byteLength(file) + 1;
  if (total > limits.argMax) {
    const largest = [...sized].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((item) => `${item.name} ${bytes(item.bytes)}`);
    problems.push({ part: 'total', message: `the arguments and environment take ${bytes(total)}, over this machine's ARG_MAX of ${bytes(limits.argMax)} (spawn fails with E2BIG); the largest: ${largest.join(', ')}` });
  }
  return problems;
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
