import { chmodSync, closeSync, existsSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The state dir holds what another local user must not read: token hashes and salts,
 * config text with its secrets, the audit head, services' logs. It is created 0700 and
 * every file in it 0600, whatever the umask; an existing one that was widened is left as
 * it is (someone may have meant it) and reported by {@link widenedStatePaths}.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Create `dir` (and missing parents) 0700. An existing folder keeps its mode.
 * @example ensurePrivateDir('.homeostat/logs/api/0')
 */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  // `mode` goes through the umask, which cannot add bits: chmod makes it exact.
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  chmodSync(dir, PRIVATE_DIR_MODE);
  for (let parent = join(dir, '..'); parent.length >= first.length && parent !== dir; parent = join(parent, '..')) chmodSync(parent, PRIVATE_DIR_MODE);
}

/**
 * Create `path` empty and 0600 if it does not exist, so whoever opens it next (SQLite,
 * pino) writes into a private file; SQLite gives its -wal and -shm the database's mode.
 * An existing file keeps its mode.
 */
export function ensurePrivateFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/**
 * Folders and regular files under `stateDir` (itself included, a few levels deep) that
 * group or others may read, write or enter, with their modes: `homeostat up` warns about
 * each at start-up. Sockets and symbolic links are not counted.
 * @example widenedStatePaths('.homeostat') // [{ path: '.homeostat/homeostat.db', mode: 0o644 }]
 */
export function widenedStatePaths(stateDir: string, depth = 4): { path: string; mode: number }[] {
  const found: { path: string; mode: number }[] = [];
  const visit = (path: string, level: number) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return;
    }
    if (!stat.isDirectory() && !stat.isFile()) return;
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) found.push({ path, mode });
    if (!stat.isDirectory() || level >= depth) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const name of names) visit(join(path, name), level + 1);
  };
  visit(stateDir, 0);
  return found;
}
