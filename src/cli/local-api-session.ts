import { hostname } from 'node:os';
import { ApiTokens } from '../api/api-tokens.js';
import { HomeostatError } from '../errors/homeostat-error.js';
import type { AuditLog } from '../knowledge/audit-log.js';
import { Knowledge } from '../knowledge/knowledge.js';
import type { Store } from '../store/store.js';
import { discoveryPath, isPidAlive, readDiscovery, removeDiscovery, storeIdentity, writeDiscovery, type ApiDiscovery } from './api-discovery.js';

/**
 * How long a previous `up`'s API gets to answer before it counts as gone: generous, since
 * taking a busy `up` for a dead one would start a second supervisor.
 */
const ANSWER_TIMEOUT_MS = 5_000;

/** True when anything HTTP answers at `url` in time (any status: even a 401 is an `up` alive). */
export async function apiAnswers(url: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/pauses`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuse to start a second `homeostat up` on a state dir whose `api.json` names a live
 * process whose API answers: two supervisors would spawn every service twice into the same
 * log files. (Nothing else stops that today: leader election keeps one loop acting, not
 * one supervisor.) A file whose process is gone, or alive but not answering (its pid
 * reused after a SIGKILL), is stale; {@link LocalApiSession.open} replaces it.
 */
export async function refuseSecondUp(stateDir: string): Promise<void> {
  const previous = readDiscovery(stateDir);
  if (!previous || previous.pid === process.pid || !isPidAlive(previous.pid)) return;
  if ((await apiAnswers(previous.url)) || (await apiAnswers(previous.url))) {
    throw new HomeostatError(
      'HS_UP_ALREADY_RUNNING',
      `homeostat up (pid ${previous.pid}) already runs on ${stateDir}, its API at ${previous.url}: stop it first, or give this one another stateDir (found ${discoveryPath(stateDir)})`,
    );
  }
}

/**
 * What `homeostat up` does for local clients when it serves the API: an admin token for
 * this run only (`local-up-<pid>`), written with the API's URL to `<stateDir>/api.json`
 * (mode 0600) so that the CLI on this machine finds both, and revoked when `up` stops.
 * A file left by an `up` that was killed is replaced and its token revoked.
 *
 * @example
 * const session = await LocalApiSession.open({ store, stateDir, storeUrl, apiUrl }); console.log(session.dashboardUrl); … await session.close();
 * @example
 * await LocalApiSession.open({ store, stateDir: '/read-only', … }) // throws (EACCES) after revoking the token it made
 */
export class LocalApiSession {
  private closed = false;

  private constructor(
    private readonly store: Store,
    private readonly stateDir: string,
    readonly discovery: ApiDiscovery,
    private readonly audit: AuditLog,
  ) {}

  /** The dashboard, signed in: the page reads the token from the fragment, which no request carries. */
  get dashboardUrl(): string {
    return `${this.discovery.url}/#token=${this.discovery.token}`;
  }

  static async open(options: { store: Store; stateDir: string; storeUrl: string; apiUrl: string; warn?: (line: string) => void; audit?: AuditLog }): Promise<LocalApiSession> {
    const { store, stateDir } = options;
    const tokens = new ApiTokens(store);
    // The runtime's audit log when given: its entries are witnessed in the audit head file too.
    const audit = options.audit ?? new Knowledge(store).audit;
    const previous = readDiscovery(stateDir);
    if (previous && previous.pid !== process.pid) {
      // Its token lives in the store that up used: another store's is not ours to revoke.
      const revoked = previous.store === storeIdentity(options.storeUrl) && (await tokens.revoke(previous.tokenId));
      if (revoked) {
        await audit.append('controller', 'token.revoked', `token:${previous.tokenId}`, { reason: `stale ${discoveryPath(stateDir)}: homeostat up pid ${previous.pid} is gone or no longer answers` });
      }
      options.warn?.(`replacing the stale ${discoveryPath(stateDir)} of homeostat up pid ${previous.pid} (gone, or no longer answering)${revoked ? '; its token is revoked' : ''}`);
    }
    const name = `local-up-${process.pid}`;
    const { token, record } = await tokens.create(name, 'admin', `controller:${hostname()}`);
    await audit.append('controller', 'token.created', `token:${record.id}`, { name, role: 'admin', purpose: `local CLI and dashboard, in ${discoveryPath(stateDir)}` });
    const discovery: ApiDiscovery = { url: options.apiUrl, pid: process.pid, tokenId: record.id, token, startedAt: Date.now(), store: storeIdentity(options.storeUrl) };
    const session = new LocalApiSession(store, stateDir, discovery, audit);
    try {
      writeDiscovery(stateDir, discovery);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Remove the file (if still ours): from now on the CLI uses the store. Call before the API closes. */
  withdraw(): void {
    removeDiscovery(this.stateDir, this.discovery.tokenId);
  }

  /**
   * Withdraw and revoke the token. Call after the API closed (a request in flight gets its
   * answer rather than a 401) and before the store closes.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.withdraw();
    if (await new ApiTokens(this.store).revoke(this.discovery.tokenId)) {
      await this.audit.append('controller', 'token.revoked', `token:${this.discovery.tokenId}`, { reason: 'homeostat up stopped' });
    }
  }
}
