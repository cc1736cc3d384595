import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** Who this `up` is among several on one store: its node name, and this run of it. */
export interface NodeIdentity {
  /** `node.name`, or {@link defaultNodeName}: the same after a restart. */
  name: string;
  /** New for every start: a request claimed by an earlier run of this node died with it. */
  incarnation: string;
}

/**
 * The default node name: the host name and 6 hex digits of the state dir's absolute path.
 * Stable across restarts (a restarted `up` is the same node, and finds the requests its
 * processes are named in), and different for two `up`s on one host, which never share a
 * state dir (the second is refused).
 * @example defaultNodeName('/srv/a/.homeostat') // 'web-host-3f9a1c'
 */
export function defaultNodeName(stateDir: string, host = hostname()): string {
  return `${host}-${createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 6)}`;
}

/** The configured node name (`node.name`), else {@link defaultNodeName}. */
export function nodeName(configured: string | undefined, stateDir: string): string {
  return configured ?? defaultNodeName(stateDir);
}

/** This process's identity: its node name, and a fresh incarnation. */
export function nodeIdentity(configured: string | undefined, stateDir: string): NodeIdentity {
  const name = nodeName(configured, stateDir);
  return { name, incarnation: `${name}:${process.pid}:${randomUUID().slice(0, 8)}` };
}
