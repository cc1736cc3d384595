import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { displayStoreUrl } from '../store/open-store.js';

/**
 * `<stateDir>/api.json`: how the CLI on this machine finds the API of a running
 * `homeostat up` and the admin token it made for local use. Mode 0600, like the database
 * next to it: whoever can read it could read and write the store directly anyway.
 */
export interface ApiDiscovery {
  url: string;
  pid: number;
  tokenId: string;
  token: string;
  startedAt: number;
  /** The store `up` runs on (without a password): the CLI only uses this API for the same store. */
  store: string;
}

export function discoveryPath(stateDir: string): string {
  return join(stateDir, 'api.json');
}

/** The discovery file's content, or undefined when there is none or it is not one of ours. */
export function readDiscovery(stateDir: string): ApiDiscovery | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(discoveryPath(stateDir), 'utf8'));
  } catch {
    return undefined;
  }
  const d = parsed as Partial<ApiDiscovery>;
  const valid =
    typeof d.url === 'string' && Number.isInteger(d.pid) && typeof d.tokenId === 'string' && typeof d.token === 'string' && typeof d.startedAt === 'number' && typeof d.store === 'string';
  return valid ? (d as ApiDiscovery) : undefined;
}

/** Write it atomically (a temp file renamed over it), readable by this user only. */
export function writeDiscovery(stateDir: string, discovery: ApiDiscovery): void {
  const path = discoveryPath(stateDir);
  const temp = `${path}.${process.pid}.tmp`;
  mkdirSync(stateDir, { recursive: true });
  rmSync(temp, { force: true });
  // 'wx': never through a file (or link) someone else put there.
  writeFileSync(temp, `${JSON.stringify(discovery, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temp, path);
}

/** Remove it, but only if it is still this one (a later `up` may have replaced it). */
export function removeDiscovery(stateDir: string, tokenId: string): void {
  if (readDiscovery(stateDir)?.tokenId === tokenId) rmSync(discoveryPath(stateDir), { force: true });
}

/** True while a process with this pid exists (EPERM: it exists, as another user). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** A store URL in a form two processes can compare: absolute SQLite paths, no password. */
export function storeIdentity(storeUrl: string): string {
  const path = sqlitePath(storeUrl);
  return path === undefined ? displayStoreUrl(storeUrl) : `sqlite:${path}`;
}

function sqlitePath(storeUrl: string): string | undefined {
  if (storeUrl.startsWith('sqlite:')) return resolve(storeUrl.slice('sqlite:'.length).split('?')[0]!);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(storeUrl)) return undefined;
  return resolve(storeUrl.split('?')[0]!);
}

/**
 * Where to look for `api.json`: the config's state dir, else (no config) the folder of a
 * SQLite store, where `up` keeps its database by default.
 */
export function discoveryDirFor(stateDir: string | undefined, storeUrl: string): string | undefined {
  if (stateDir) return stateDir;
  const path = sqlitePath(storeUrl);
  return path === undefined || path.endsWith(':memory:') ? undefined : dirname(path);
}
